//! Full read of a CCCD-sized software card the way the kiosk reads (emrtd's DocumentReader:
//! PACE, adaptive READ BINARY), in process and — with `VNEID_PCSC_E2E=1` and pcscd + vpcd
//! available — through the real PC/SC stack; plus the read time the chip's air-interface model
//! gives at 106–848 kbit/s against the floor its bit rate and APDU count allow.
//!
//! Writes `bench/results/card-read.json` and prints a summary table. Run:
//! `cargo bench -p reader --bench card_read` (add `VNEID_PCSC_E2E=1` for the pcscd figures; on
//! a machine where others use pcscd too, run it in private namespaces: `unshare --net --mount
//! --pid --fork --mount-proc` with a tmpfs on `/run/pcscd`, as the figures committed were).

use cardsim::identity::Identity;
use cardsim::{AirModel, Chip, ChipProfile, Ef, InsertedCard, OsEntropy, ReadLimits, SoftCard};
use emrtd::access::AccessKeys;
use emrtd::lds::LdsFile;
use emrtd::mrz::MrzInformation;
use emrtd::read::{CardProfile, DocumentReader, ReadOptions};
use emrtd::transport::CardTransport;
use reader::events::CardMonitor;
use reader::transport::PcscTransport;
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

/// Reads every file (text first, portrait last); returns the bytes read.
fn read_card<T: CardTransport>(transport: &mut T) -> usize {
    let keys = AccessKeys {
        mrz: MrzInformation::parse(&identity().mrz_information()).ok(),
        can: None,
    };
    let mut reader = DocumentReader::new(keys, CardProfile::default(), ReadOptions::default());
    let mut rng = getrandom::SysRng;
    FILES
        .iter()
        .chain(std::iter::once(&Ef::Dg(2)))
        .map(|ef| {
            reader
                .read_file(transport, &mut rng, lds(*ef), &mut |_| {})
                .expect("file reads")
                .len()
        })
        .sum()
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
    let mut json_scenarios = Vec::new();
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
        let pcsc = if std::env::var("VNEID_PCSC_E2E").as_deref() == Ok("1") {
            through_pcscd(limits)
        } else {
            None
        };
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
            r#"{{"scenario": "{name}", "bytes": {bytes}, "apdus": {}, "in_process_ms": {:.3}, "pcscd_vpcd_ms": {}, "pcscd_over_in_process": {}, "air_model": [{}]}}"#,
            at_424.apdus,
            in_process.as_secs_f64() * 1e3,
            pcsc.map_or("null".into(), |p| format!("{:.3}", p.as_secs_f64() * 1e3)),
            ratio.map_or("null".into(), |r| format!("{r:.4}")),
            model_json.join(", ")
        ));
    }
    let json = format!(
        "{{\n  \"benchmark\": \"card-read\",\n  \"runs_per_figure\": {RUNS},\n  \"air_model\": \"ISO 14443-4: 256-byte frames, 9 bits per byte, 100 us turnaround per frame, 1 ms chip processing per APDU\",\n  \"scenarios\": [\n    {}\n  ]\n}}\n",
        json_scenarios.join(",\n    ")
    );
    let summary = format!(
        "# Full read of a CCCD-sized software card\n\nemrtd's DocumentReader (PACE, adaptive READ BINARY) over the software chip; median of {RUNS} runs; air model: 256-byte frames, 9 bits per byte, 100 us turnaround per frame, 1 ms chip processing per APDU. Floor: the file bytes at the bit rate plus each APDU's processing and two turnarounds.\n\n{}\n",
        table.join("\n")
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

/// The median full read through pcscd + vpcd; `None` if pcscd or vpcd is not reachable.
fn through_pcscd(limits: ReadLimits) -> Option<Duration> {
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
    let mut samples = Vec::new();
    for _ in 0..RUNS {
        let chip = Chip::new(profile(limits, None), Box::new(OsEntropy));
        let card = InsertedCard::insert("127.0.0.1:35963".parse().ok()?, chip).ok()?;
        monitor
            .wait_for_card(READER, true, Duration::from_secs(10))
            .ok()?;
        let mut transport = PcscTransport::connect(READER).ok()?;
        let started = Instant::now();
        read_card(&mut transport);
        samples.push(started.elapsed());
        drop(transport);
        card.remove().ok()?;
        monitor
            .wait_for_card(READER, false, Duration::from_secs(10))
            .ok()?;
    }
    Some(median(samples))
}
