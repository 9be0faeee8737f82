//! Full read of a CCCD-sized software card the way the kiosk reads (emrtd's DocumentReader:
//! PACE, adaptive READ BINARY), in process and — with `VNEID_PCSC_E2E=1` and pcscd + vpcd
//! available — through the real PC/SC stack; plus the read time the chip's air-interface model
//! gives at 106–848 kbit/s against the floor its bit rate and APDU count allow. Then the
//! kiosk's whole check: the same read followed by passive authentication against the test CSCA
//! and Chip Authentication, its APDU count against the fewest that work could take, and the
//! reading thread's CPU time.
//!
//! Writes `bench/results/card-read.json` and prints a summary table. Run:
//! `cargo bench -p reader --bench card_read` (add `VNEID_PCSC_E2E=1` for the pcscd figures; on
//! a machine where others use pcscd too, run it in private namespaces: `unshare --net --mount
//! --pid --fork --mount-proc` with a tmpfs on `/run/pcscd`, as the figures committed were).

use cardsim::identity::Identity;
use cardsim::{AirModel, Chip, ChipProfile, Ef, InsertedCard, OsEntropy, ReadLimits, SoftCard};
use emrtd::access::AccessKeys;
use emrtd::clone_detection::{self, CloneCheck};
use emrtd::lds::LdsFile;
use emrtd::mrz::MrzInformation;
use emrtd::passive_auth::{self, TrustStore};
use emrtd::read::{
    CardProfile, DocumentFiles, DocumentReader, ReadOptions, largest_protected_short_block,
};
use emrtd::transport::{CardTransport, TransportError};
use reader::events::CardMonitor;
use reader::transport::PcscTransport;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const RUNS: usize = 21;
const FILES: [Ef; 6] = [
    Ef::Com,
    Ef::Dg(1),
    Ef::Dg(13),
    Ef::Sod,
    Ef::Dg(14),
    Ef::Dg(15),
];
const PORTRAIT_BYTES: usize = 18_000;

fn lds(ef: Ef) -> LdsFile {
    match ef {
        Ef::CardAccess => LdsFile::CardAccess,
        Ef::Com => LdsFile::Com,
        Ef::Sod => LdsFile::Sod,
        Ef::Dg(n) => LdsFile::dg(n).unwrap_or(LdsFile::Com),
    }
}

/// A shipped identity with an 18 KB portrait stand-in, so DG2 has a CCCD's size.
fn identity() -> Identity {
    let mut portrait = vec![0xFF, 0xD8];
    portrait.extend((0..PORTRAIT_BYTES).map(|i| (i * 31 % 251) as u8));
    Identity {
        portrait: Some(portrait),
        ..Identity::builtin("nguyen-van-a").expect("shipped")
    }
}

fn profile(limits: ReadLimits, air: Option<AirModel>) -> ChipProfile {
    let mut profile = identity().profile(limits);
    profile.faults.air = air;
    profile
}

fn document_reader() -> DocumentReader {
    let keys = AccessKeys {
        mrz: MrzInformation::parse(&identity().mrz_information()).ok(),
        can: None,
    };
    DocumentReader::new(keys, CardProfile::default(), ReadOptions::default())
}

/// Reads every file (text first, portrait last) with `reader`; returns them by file.
fn read_files<T: CardTransport>(
    reader: &mut DocumentReader,
    transport: &mut T,
) -> BTreeMap<LdsFile, Vec<u8>> {
    let mut rng = getrandom::SysRng;
    FILES
        .iter()
        .chain(std::iter::once(&Ef::Dg(2)))
        .map(|ef| {
            let file = lds(*ef);
            let bytes = reader
                .read_file(transport, &mut rng, file, &mut |_| {})
                .expect("file reads");
            (file, bytes)
        })
        .collect()
}

/// Reads every file; returns the bytes read.
fn read_card<T: CardTransport>(transport: &mut T) -> usize {
    read_files(&mut document_reader(), transport)
        .values()
        .map(Vec::len)
        .sum()
}

/// Counts the command APDUs sent through it.
struct Counting<T> {
    inner: T,
    apdus: u32,
}

impl<T: CardTransport> CardTransport for Counting<T> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.apdus += 1;
        self.inner.transmit(command)
    }
}

/// The shipped test CSCA, loaded as the kiosk loads its trust store.
fn trust_store() -> TrustStore {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/test-csca");
    let (store, skipped) = TrustStore::load_directory(&dir).expect("test CSCA directory");
    assert!(
        skipped.is_empty(),
        "test CSCA directory has unreadable files"
    );
    store
}

/// What the kiosk's whole check (read, passive authentication, Chip Authentication) cost.
struct FullCheck {
    apdus: u32,
    ca_apdus: u32,
    cpu: Duration,
}

/// The CPU time the calling thread has used so far (user + system).
fn thread_cpu_time() -> Duration {
    // SAFETY: getrusage only writes the struct it is given, which is zeroed and ours.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_THREAD, &mut usage);
        usage
    };
    let micros = |t: libc::timeval| t.tv_sec as u64 * 1_000_000 + t.tv_usec as u64;
    Duration::from_micros(micros(usage.ru_utime) + micros(usage.ru_stime))
}

/// Reads every file, then runs Chip Authentication (as the kiosk does, before passive
/// authentication) and passive authentication; panics unless the card comes out genuine.
fn read_and_verify<T: CardTransport>(transport: T, trust: &TrustStore) -> FullCheck {
    let mut transport = Counting {
        inner: transport,
        apdus: 0,
    };
    let cpu_before = thread_cpu_time();
    let mut reader = document_reader();
    let mut files = read_files(&mut reader, &mut transport);
    let read_apdus = transport.apdus;
    let com = files.remove(&LdsFile::Com).expect("EF.COM read");
    let document = DocumentFiles {
        com,
        files,
        unavailable: Vec::new(),
    };
    let clone_check = clone_detection::check(
        &mut reader,
        &mut transport,
        &mut getrandom::SysRng,
        &document,
    );
    let ca_apdus = transport.apdus - read_apdus;
    let sod = document.files.get(&LdsFile::Sod).expect("EF.SOD read");
    let groups: Vec<(u8, &[u8])> = document
        .files
        .iter()
        .filter_map(|(file, bytes)| match file {
            LdsFile::Dg(dg) => Some((dg.number(), bytes.as_slice())),
            _ => None,
        })
        .collect();
    let passive = passive_auth::verify(sod, &groups, trust).expect("passive authentication runs");
    let cpu = thread_cpu_time().saturating_sub(cpu_before);
    assert_eq!(passive.verdict, passive_auth::Verdict::Trusted);
    assert_eq!(clone_check, CloneCheck::ChipAuthentication(Ok(())));
    FullCheck {
        apdus: transport.apdus,
        ca_apdus,
        cpu,
    }
}

/// How the minimum APDU count is computed, for the results.
const MINIMUM_RULE: &str = "access APDUs (EF.CardAccess by SFI in the card's largest plain blocks, MSE:Set AT, 4 General Authenticate, SELECT eMRTD application) + ceil(file size / block) READ BINARY per file with the largest block the card accepts under secure messaging (short APDUs: 223 bytes with AES; extended length: the card's limit) + 2 Chip Authentication APDUs (MSE:Set AT, General Authenticate)";

/// How the CPU time is measured, for the results.
const CPU_RULE: &str = "getrusage(RUSAGE_THREAD) user + system time of the reading thread from the start of the read to the end of passive authentication; in process that thread also runs the software chip (its side of PACE, secure messaging and CA), through pcscd+vpcd the chip runs on another thread and pcscd in another process, so it is the host's own work";

/// APDUs for a Chip Authentication by MSE:Set AT and one General Authenticate (ICAO 9303-11
/// 6.2.1, CA with AES).
const CA_MINIMUM_APDUS: u32 = 2;

/// The fewest APDUs a full read + PA + CA can take on a card with `limits`: PACE access
/// (EF.CardAccess by SFI in the card's largest plain blocks, MSE:Set AT, four General
/// Authenticate, SELECT of the eMRTD application), then ceil(file size / block) READ BINARY per
/// file by SFI with the largest block whose protected answer the card accepts (AES secure
/// messaging: 223 bytes in a short response), then Chip Authentication. Passive authentication
/// is host work only.
fn minimum_apdus(limits: ReadLimits) -> u32 {
    let chip = profile(limits, None);
    let size = |ef: Ef| chip.files.get(ef).map_or(0, <[u8]>::len);
    let plain_block = limits.max_block;
    let protected_block = if limits.extended_length {
        limits.max_block
    } else {
        limits.max_block.min(largest_protected_short_block(16))
    };
    let card_access = size(Ef::CardAccess).div_ceil(plain_block) as u32;
    let reads: u32 = FILES
        .iter()
        .chain(std::iter::once(&Ef::Dg(2)))
        .map(|ef| size(*ef).div_ceil(protected_block) as u32)
        .sum();
    card_access + 6 + reads + CA_MINIMUM_APDUS
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

struct Modelled {
    bit_rate: u32,
    apdus: u32,
    time: Duration,
    floor: Duration,
}

fn modelled(limits: ReadLimits, bit_rate: u32) -> (Modelled, usize) {
    let air = AirModel::at(bit_rate);
    let mut card = SoftCard::insert(Chip::new(profile(limits, Some(air)), Box::new(OsEntropy)));
    let bytes = read_card(&mut card);
    let (apdus, time) = card.chip().air_statistics();
    // The floor: the file bytes alone at the bit rate, plus each APDU's fixed cost (chip
    // processing and one turnaround each way).
    let floor = air.transfer_time(bytes) + (air.processing + air.turnaround * 2) * apdus;
    (
        Modelled {
            bit_rate,
            apdus,
            time,
            floor,
        },
        bytes,
    )
}

fn main() {
    let scenarios = [
        ("short APDUs, 256-byte blocks", ReadLimits::default()),
        (
            "extended length, 4 KB blocks",
            ReadLimits {
                extended_length: true,
                max_block: 4096,
            },
        ),
    ];
    let trust = trust_store();
    let mut json_scenarios = Vec::new();
    let mut check_table = vec![
        "| scenario | APDUs read+PA+CA | of which CA | minimum | ratio (goal <= 1.10) | CPU in process | CPU via pcscd+vpcd | wall via pcscd+vpcd |".to_string(),
        "|---|---|---|---|---|---|---|---|".to_string(),
    ];
    let mut table = vec![
        "| scenario | bytes | APDUs | in process | pcscd+vpcd | ratio | 424 kbit/s model | floor | model/floor |".to_string(),
        "|---|---|---|---|---|---|---|---|---|".to_string(),
    ];
    for (name, limits) in scenarios {
        let in_process = median(
            (0..RUNS)
                .map(|_| {
                    let mut card =
                        SoftCard::insert(Chip::new(profile(limits, None), Box::new(OsEntropy)));
                    let started = Instant::now();
                    read_card(&mut card);
                    started.elapsed()
                })
                .collect(),
        );
        let checks: Vec<FullCheck> = (0..RUNS)
            .map(|_| {
                let card = SoftCard::insert(Chip::new(profile(limits, None), Box::new(OsEntropy)));
                read_and_verify(card, &trust)
            })
            .collect();
        let check_apdus = checks[0].apdus;
        let ca_apdus = checks[0].ca_apdus;
        assert!(
            checks.iter().all(|c| c.apdus == check_apdus),
            "the APDU count varies between runs"
        );
        let check_cpu = median(checks.iter().map(|c| c.cpu).collect());
        let minimum = minimum_apdus(limits);
        let check_ratio = f64::from(check_apdus) / f64::from(minimum);
        let pcsc_run = if std::env::var("VNEID_PCSC_E2E").as_deref() == Ok("1") {
            through_pcscd(limits, &trust)
        } else {
            None
        };
        let pcsc = pcsc_run.as_ref().map(|p| p.read);
        if let Some(p) = &pcsc_run {
            assert_eq!(p.apdus, check_apdus, "pcscd changes the APDU count");
        }
        let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1e3);
        check_table.push(format!(
            "| {name} | {check_apdus} | {ca_apdus} | {minimum} | {check_ratio:.2} | {} | {} | {} |",
            ms(check_cpu),
            pcsc_run
                .as_ref()
                .map_or("not run".into(), |p| ms(p.check_cpu)),
            pcsc_run
                .as_ref()
                .map_or("not run".into(), |p| ms(p.check_wall)),
        ));
        let ms_json = |d: Option<Duration>| {
            d.map_or("null".into(), |d| format!("{:.3}", d.as_secs_f64() * 1e3))
        };
        let check_json = format!(
            r#"{{"apdus": {check_apdus}, "chip_authentication_apdus": {ca_apdus}, "minimum_apdus": {minimum}, "apdus_over_minimum": {check_ratio:.4}, "cpu_in_process_ms": {}, "cpu_pcscd_vpcd_ms": {}, "wall_pcscd_vpcd_ms": {}}}"#,
            ms_json(Some(check_cpu)),
            ms_json(pcsc_run.as_ref().map(|p| p.check_cpu)),
            ms_json(pcsc_run.as_ref().map(|p| p.check_wall)),
        );
        let models: Vec<(Modelled, usize)> = [106_000, 212_000, 424_000, 848_000]
            .into_iter()
            .map(|rate| modelled(limits, rate))
            .collect();
        let (at_424, bytes) = models
            .iter()
            .find(|(m, _)| m.bit_rate == 424_000)
            .map(|(m, b)| (m, *b))
            .expect("424 modelled");
        let ratio = pcsc.map(|p| p.as_secs_f64() / in_process.as_secs_f64());
        table.push(format!(
            "| {name} | {bytes} | {} | {:.1} ms | {} | {} | {:.0} ms | {:.0} ms | {:.2} |",
            at_424.apdus,
            in_process.as_secs_f64() * 1e3,
            pcsc.map_or("not run".into(), |p| format!(
                "{:.1} ms",
                p.as_secs_f64() * 1e3
            )),
            ratio.map_or("-".into(), |r| format!("{r:.2}")),
            at_424.time.as_secs_f64() * 1e3,
            at_424.floor.as_secs_f64() * 1e3,
            at_424.time.as_secs_f64() / at_424.floor.as_secs_f64(),
        ));
        let model_json: Vec<String> = models
            .iter()
            .map(|(m, _)| {
                format!(
                    r#"{{"bit_rate": {}, "apdus": {}, "modelled_ms": {:.3}, "floor_ms": {:.3}, "model_over_floor": {:.4}}}"#,
                    m.bit_rate,
                    m.apdus,
                    m.time.as_secs_f64() * 1e3,
                    m.floor.as_secs_f64() * 1e3,
                    m.time.as_secs_f64() / m.floor.as_secs_f64()
                )
            })
            .collect();
        json_scenarios.push(format!(
            r#"{{"scenario": "{name}", "bytes": {bytes}, "apdus": {}, "in_process_ms": {:.3}, "pcscd_vpcd_ms": {}, "pcscd_over_in_process": {}, "air_model": [{}], "read_pa_ca": {check_json}}}"#,
            at_424.apdus,
            in_process.as_secs_f64() * 1e3,
            pcsc.map_or("null".into(), |p| format!("{:.3}", p.as_secs_f64() * 1e3)),
            ratio.map_or("null".into(), |r| format!("{r:.4}")),
            model_json.join(", ")
        ));
    }
    let json = format!(
        "{{\n  \"benchmark\": \"card-read\",\n  \"runs_per_figure\": {RUNS},\n  \"air_model\": \"ISO 14443-4: 256-byte frames, 9 bits per byte, 100 us turnaround per frame, 1 ms chip processing per APDU\",\n  \"read_pa_ca_minimum\": \"{MINIMUM_RULE}\",\n  \"read_pa_ca_cpu\": \"{CPU_RULE}\",\n  \"scenarios\": [\n    {}\n  ]\n}}\n",
        json_scenarios.join(",\n    ")
    );
    let summary = format!(
        "# Full read of a CCCD-sized software card\n\nemrtd's DocumentReader (PACE, adaptive READ BINARY) over the software chip; median of {RUNS} runs; air model: 256-byte frames, 9 bits per byte, 100 us turnaround per frame, 1 ms chip processing per APDU. Floor: the file bytes at the bit rate plus each APDU's processing and two turnarounds.\n\n{}\n\n## Full read + passive authentication + Chip Authentication\n\nThe same read, then Chip Authentication (DG14) and passive authentication against the shipped test CSCA; every run must come out trusted with CA passed. Minimum: {MINIMUM_RULE}. CPU: {CPU_RULE}. Median of {RUNS} runs.\n\n{}\n",
        table.join("\n"),
        check_table.join("\n")
    );
    println!("{summary}");
    let results = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/results");
    for (file, text) in [("card-read.json", json), ("card-read.md", summary)] {
        let out = results.join(file);
        match std::fs::write(&out, text) {
            Ok(()) => println!("wrote {}", out.display()),
            Err(err) => eprintln!("cannot write {}: {err}", out.display()),
        }
    }
}

/// Stops pcscd on drop when this benchmark started it, also when a run gives up early.
struct StartedPcscd(Option<std::path::PathBuf>);

impl Drop for StartedPcscd {
    fn drop(&mut self) {
        if let Some(script) = &self.0 {
            let _ = std::process::Command::new("bash")
                .arg(script)
                .arg("stop")
                .status();
        }
    }
}

/// Medians through pcscd + vpcd.
struct ThroughPcscd {
    /// The read alone, wall time.
    read: Duration,
    /// APDUs of read + PA + CA.
    apdus: u32,
    /// The reading thread's CPU time for read + PA + CA.
    check_cpu: Duration,
    /// Wall time of read + PA + CA.
    check_wall: Duration,
}

/// Inserts a fresh card into vpcd, waits for pcscd to see it, runs `work` over a connection
/// to it and removes the card; `None` if pcscd or vpcd does not answer.
fn with_inserted_card<W: FnOnce(PcscTransport) -> O, O>(
    monitor: &mut CardMonitor,
    limits: ReadLimits,
    reader: &str,
    work: W,
) -> Option<O> {
    let chip = Chip::new(profile(limits, None), Box::new(OsEntropy));
    let card = InsertedCard::insert("127.0.0.1:35963".parse().ok()?, chip).ok()?;
    monitor
        .wait_for_card(reader, true, Duration::from_secs(10))
        .ok()?;
    let transport = PcscTransport::connect(reader).ok()?;
    let out = work(transport);
    card.remove().ok()?;
    monitor
        .wait_for_card(reader, false, Duration::from_secs(10))
        .ok()?;
    Some(out)
}

/// The full read, and read + PA + CA, through pcscd + vpcd, one card at a time; `None` if
/// pcscd or vpcd is not reachable.
fn through_pcscd(limits: ReadLimits, trust: &TrustStore) -> Option<ThroughPcscd> {
    const READER: &str = "Virtual PCD 00 00";
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/pcscd-vpcd.sh");
    let started_here = !std::process::Command::new("bash")
        .arg(&script)
        .arg("status")
        .status()
        .ok()?
        .success();
    if started_here
        && !std::process::Command::new("bash")
            .arg(&script)
            .arg("start")
            .status()
            .ok()?
            .success()
    {
        return None;
    }
    let _stop = StartedPcscd(started_here.then(|| script.clone()));
    let mut monitor = CardMonitor::new().ok()?;
    let mut reads = Vec::new();
    let mut checks = Vec::new();
    for _ in 0..RUNS {
        reads.push(with_inserted_card(
            &mut monitor,
            limits,
            READER,
            |mut transport| {
                let started = Instant::now();
                read_card(&mut transport);
                started.elapsed()
            },
        )?);
        checks.push(with_inserted_card(
            &mut monitor,
            limits,
            READER,
            |transport| {
                let started = Instant::now();
                let check = read_and_verify(transport, trust);
                (check, started.elapsed())
            },
        )?);
    }
    let apdus = checks.first()?.0.apdus;
    Some(ThroughPcscd {
        read: median(reads),
        apdus,
        check_cpu: median(checks.iter().map(|(c, _)| c.cpu).collect()),
        check_wall: median(checks.iter().map(|(_, wall)| *wall).collect()),
    })
}
