//! End to end through the real PC/SC stack: pcscd (started by `scripts/pcscd-vpcd.sh`), the
//! vsmartcard vpcd reader driver, and the software CCCD chip connected to it as a card.
//! Insertion and removal arrive as `SCardGetStatusChange` events; APDUs go through
//! `SCardTransmit`. Runs only with `VNEID_PCSC_E2E=1` (needs pcscd and vsmartcard-vpcd, and
//! owns vpcd's reader 0 while it runs).

use cardsim::Ef;
use cardsim::files::CCCD_CARD_ACCESS;
use cardsim::identity::Identity;
use cardsim::pki::TestPki;
use cardsim::{Chip, InsertedCard, OsEntropy, ReadLimits};
use emrtd::access::AccessKeys;
use emrtd::lds::LdsFile;
use emrtd::mrz::MrzInformation;
use emrtd::passive_auth::{TrustStore, Verdict, verify};
use emrtd::read::{CardProfile, DocumentReader, ReadError, ReadOptions};
use emrtd::transport::{CardTransport, TransportError};
use reader::events::{CardEvent, CardMonitor, EventError};
use reader::transport::PcscTransport;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

mod common;

const READER: &str = "Virtual PCD 00 00";
const VPCD: &str = "127.0.0.1:35963";

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/pcscd-vpcd.sh")
}

/// Starts pcscd unless one with vpcd already runs; stops it on drop if this test started it.
struct Pcscd {
    started_here: bool,
}

impl Pcscd {
    fn start() -> Self {
        let running = Command::new("bash")
            .arg(script())
            .arg("status")
            .status()
            .expect("run script")
            .success();
        if !running {
            let started = Command::new("bash")
                .arg(script())
                .arg("start")
                .status()
                .expect("run script");
            assert!(started.success(), "scripts/pcscd-vpcd.sh start failed");
        }
        Pcscd {
            started_here: !running,
        }
    }
}

impl Pcscd {
    /// Stops pcscd if this test started it; returns whether it did.
    fn stop(&mut self) -> bool {
        let stopped = self.started_here;
        if self.started_here {
            let _ = Command::new("bash").arg(script()).arg("stop").status();
            self.started_here = false;
        }
        stopped
    }
}

impl Drop for Pcscd {
    fn drop(&mut self) {
        self.stop();
    }
}

fn chip(identity: &str) -> Chip {
    let profile = Identity::builtin(identity)
        .expect("shipped identity")
        .profile(ReadLimits::default());
    Chip::new(profile, Box::new(OsEntropy))
}

fn next_event(monitor: &mut CardMonitor, deadline: Instant) -> CardEvent {
    loop {
        let left = deadline
            .checked_duration_since(Instant::now())
            .expect("event in time");
        let events = monitor.wait(Some(left)).expect("wait for events");
        if let Some(event) = events
            .into_iter()
            .find(|e| !matches!(e, CardEvent::ReaderAdded { .. }))
        {
            return event;
        }
    }
}

fn status(response: &[u8]) -> u16 {
    match response {
        [.., a, b] => u16::from_be_bytes([*a, *b]),
        _ => 0,
    }
}

#[test]
fn software_card_through_pcscd_and_vpcd() {
    if std::env::var("VNEID_PCSC_E2E").as_deref() != Ok("1") {
        println!("skipped: set VNEID_PCSC_E2E=1 to run against pcscd + vsmartcard-vpcd");
        return;
    }
    let mut pcscd = Pcscd::start();
    let mut monitor = CardMonitor::new().expect("pcscd reachable");
    assert!(
        monitor
            .cards_present()
            .iter()
            .any(|(name, _)| name == READER),
        "vpcd reader listed: {:?}",
        monitor.cards_present()
    );
    monitor
        .wait_for_card(READER, false, Duration::from_secs(10))
        .expect("reader starts empty");

    // Insert: the event carries the chip's ATR.
    let card = InsertedCard::insert(VPCD.parse().unwrap(), chip("nguyen-van-a"))
        .expect("vpcd accepts the card");
    let inserted_at = Instant::now();
    let event = next_event(&mut monitor, Instant::now() + Duration::from_secs(10));
    println!("insertion seen after {:?}", inserted_at.elapsed());
    assert_eq!(
        event,
        CardEvent::CardInserted {
            reader: READER.into(),
            atr: cardsim::chip::ATR.to_vec()
        }
    );

    let mut transport = PcscTransport::connect(READER).expect("connect to the card");
    assert_eq!(transport.atr().unwrap(), cardsim::chip::ATR.to_vec());
    let facts = transport.facts(READER);
    assert_eq!(facts.model.map(|m| m.id), Some("vsmartcard-vpcd"));
    assert_eq!(
        facts.atr,
        Some(reader::models::AtrKind::ContactlessProcessor)
    );
    assert_eq!(
        facts.ccid, None,
        "vpcd is not a CCID reader: no part 10 properties"
    );
    assert_eq!(
        transport
            .transmit(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1C])
            .unwrap(),
        vec![0x90, 0x00]
    );
    let card_access = transport.transmit(&[0x00, 0xB0, 0x00, 0x00, 0x00]).unwrap();
    assert_eq!(card_access[..card_access.len() - 2], CCCD_CARD_ACCESS[..]);
    assert_eq!(
        transport
            .transmit(&[0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00])
            .unwrap(),
        vec![0x6D, 0x00]
    );
    let aid = [
        0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01,
    ];
    assert_eq!(transport.transmit(&aid).unwrap(), vec![0x90, 0x00]);
    let first = transport.transmit(&[0x00, 0x84, 0x00, 0x00, 0x08]).unwrap();
    let second = transport.transmit(&[0x00, 0x84, 0x00, 0x00, 0x08]).unwrap();
    assert_eq!((first.len(), status(&first)), (10, 0x9000));
    assert_ne!(first, second, "fresh challenges");

    // Round-trip time through pcscd + vpcd (TCP_QUICKACK keeps it far below 44 ms).
    let rounds = 500;
    let started = Instant::now();
    for _ in 0..rounds {
        let response = transport.transmit(&[0x00, 0x84, 0x00, 0x00, 0x08]).unwrap();
        assert_eq!(status(&response), 0x9000);
    }
    let per_apdu = started.elapsed() / rounds;
    println!(
        "GET CHALLENGE round trip through pcscd + vpcd: {per_apdu:?} per APDU ({rounds} APDUs)"
    );
    let started = Instant::now();
    for _ in 0..rounds {
        let response = transport.transmit(&[0x00, 0xB0, 0x9C, 0x00, 0x36]).unwrap();
        assert_eq!(response.len(), 56);
    }
    println!(
        "READ BINARY (54 B) through pcscd + vpcd: {:?} per APDU",
        started.elapsed() / rounds
    );
    assert!(
        per_apdu < Duration::from_millis(20),
        "delayed-ACK stall: {per_apdu:?} per APDU"
    );

    // Remove: the event arrives, and the open connection reports the card gone.
    let removed_chip = card.remove().expect("clean removal");
    assert!(!removed_chip.is_powered());
    let event = next_event(&mut monitor, Instant::now() + Duration::from_secs(10));
    assert_eq!(
        event,
        CardEvent::CardRemoved {
            reader: READER.into()
        }
    );
    assert_eq!(
        transport.transmit(&[0x00, 0x84, 0x00, 0x00, 0x08]),
        Err(TransportError::CardRemoved)
    );
    drop(transport);

    // A different card goes in: events stay in order and the new chip answers.
    let card = InsertedCard::insert(VPCD.parse().unwrap(), chip("tran-thi-bich-ngoc"))
        .expect("vpcd accepts the card");
    let event = next_event(&mut monitor, Instant::now() + Duration::from_secs(10));
    assert!(
        matches!(event, CardEvent::CardInserted { ref reader, .. } if reader == READER),
        "{event:?}"
    );
    let mut transport = PcscTransport::connect(READER).expect("connect to the second card");
    assert_eq!(transport.transmit(&aid).unwrap(), vec![0x90, 0x00]);
    transport.disconnect().expect("disconnect");
    card.remove().expect("clean removal");
    monitor
        .wait_for_card(READER, false, Duration::from_secs(10))
        .expect("removal seen");

    // Torn from the field mid-read: the transfer fails as a removal, and the same card put back
    // (its one-shot fault spent) reads through.
    let mut torn = chip("nguyen-van-a");
    let mut profile = Identity::builtin("nguyen-van-a")
        .unwrap()
        .profile(ReadLimits::default());
    profile.faults.tear_after_bytes = Some(150);
    torn.replace_profile(profile);
    let card = InsertedCard::insert(VPCD.parse().unwrap(), torn).expect("vpcd accepts the card");
    monitor
        .wait_for_card(READER, true, Duration::from_secs(10))
        .expect("insertion seen");
    let mut transport = PcscTransport::connect(READER).expect("connect");
    transport
        .transmit(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1C])
        .expect("select");
    let outcome = (0..5)
        .map(|_| transport.transmit(&[0x00, 0xB0, 0x00, 0x00, 0x00]))
        .find(Result::is_err);
    assert_eq!(outcome, Some(Err(TransportError::CardRemoved)));
    let event = next_event(&mut monitor, Instant::now() + Duration::from_secs(10));
    assert_eq!(
        event,
        CardEvent::CardRemoved {
            reader: READER.into()
        }
    );
    drop(transport);
    let chip = card.wait().expect("link ended by the tear");
    let card = InsertedCard::insert(VPCD.parse().unwrap(), chip).expect("re-insert");
    monitor
        .wait_for_card(READER, true, Duration::from_secs(10))
        .expect("re-insertion seen");
    let mut transport = PcscTransport::connect(READER).expect("connect again");
    transport
        .transmit(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1C])
        .expect("select");
    for _ in 0..5 {
        let read = transport
            .transmit(&[0x00, 0xB0, 0x00, 0x00, 0x00])
            .expect("reads through");
        assert_eq!(read[..read.len() - 2], CCCD_CARD_ACCESS[..]);
    }
    drop(transport);
    card.remove().expect("clean removal");
    monitor
        .wait_for_card(READER, false, Duration::from_secs(10))
        .expect("removal seen");

    // A full CCCD-sized read with emrtd's BAC and secure messaging: through pcscd vs in process.
    let mut in_process = cardsim::SoftCard::insert(common::cccd_sized_chip());
    let started = Instant::now();
    let (expected, apdus) = common::read_all(&mut in_process, 223);
    let in_process_time = started.elapsed();
    let card =
        InsertedCard::insert(VPCD.parse().unwrap(), common::cccd_sized_chip()).expect("insert");
    monitor
        .wait_for_card(READER, true, Duration::from_secs(10))
        .expect("insertion seen");
    let mut transport = PcscTransport::connect(READER).expect("connect");
    let started = Instant::now();
    let (files, pcsc_apdus) = common::read_all(&mut transport, 223);
    let pcsc_time = started.elapsed();
    assert_eq!(files, expected);
    assert_eq!(pcsc_apdus, apdus);
    let bytes: usize = files.iter().map(Vec::len).sum();
    println!(
        "full read ({bytes} B, {apdus} APDUs): pcscd+vpcd {pcsc_time:?}, in process {in_process_time:?}, ratio {:.2}",
        pcsc_time.as_secs_f64() / in_process_time.as_secs_f64()
    );
    drop(transport);
    card.remove().expect("clean removal");
    monitor
        .wait_for_card(READER, false, Duration::from_secs(10))
        .expect("removal seen");

    // The kiosk's own path through pcscd: emrtd's DocumentReader (PACE, adaptive blocks) reads a
    // card that is torn away mid-portrait, waits for it to come back, resumes, and passive
    // authentication of what it read says Trusted.
    let mut identity = Identity::builtin("tran-thi-bich-ngoc").unwrap();
    identity.portrait = Some((0..15_000).map(|i| (i % 253) as u8).collect());
    let mut profile = identity.profile(ReadLimits::default());
    profile.faults.tear_after_bytes = Some(9_000);
    let expected = profile.files.clone();
    let card = InsertedCard::insert(
        VPCD.parse().unwrap(),
        Chip::new(profile, Box::new(OsEntropy)),
    )
    .expect("insert");
    monitor
        .wait_for_card(READER, true, Duration::from_secs(10))
        .expect("insertion seen");
    let keys = AccessKeys {
        mrz: MrzInformation::parse(&identity.mrz_information()).ok(),
        can: None,
    };
    let mut reader = DocumentReader::new(keys, CardProfile::default(), ReadOptions::default());
    let mut rng = getrandom::SysRng;
    let mut transport = PcscTransport::connect(READER).expect("connect");
    let files = [
        LdsFile::Com,
        LdsFile::dg(1).unwrap(),
        LdsFile::dg(13).unwrap(),
        LdsFile::Sod,
        LdsFile::dg(14).unwrap(),
        LdsFile::dg(15).unwrap(),
        LdsFile::dg(2).unwrap(),
    ];
    let mut read = Vec::new();
    let mut card = Some(card);
    for file in files {
        let content = match reader.read_file(&mut transport, &mut rng, file, &mut |_| {}) {
            Ok(content) => content,
            Err(ReadError::CardRemoved) => {
                assert_eq!(
                    file,
                    LdsFile::dg(2).unwrap(),
                    "the tear comes in the portrait"
                );
                monitor
                    .wait_for_card(READER, false, Duration::from_secs(10))
                    .expect("removal seen");
                let chip = card
                    .take()
                    .expect("inserted")
                    .wait()
                    .expect("link ended by the tear");
                card = Some(InsertedCard::insert(VPCD.parse().unwrap(), chip).expect("re-insert"));
                monitor
                    .wait_for_card(READER, true, Duration::from_secs(10))
                    .expect("re-insertion seen");
                transport = PcscTransport::connect(READER).expect("reconnect");
                assert!(
                    reader.resume_offset(file) > 0,
                    "the partial portrait is kept"
                );
                reader
                    .read_file(&mut transport, &mut rng, file, &mut |_| {})
                    .expect("resumes")
            }
            Err(other) => panic!("{file:?}: {other}"),
        };
        read.push((file, content));
    }
    for (file, content) in &read {
        let ef = match file {
            LdsFile::Com => Ef::Com,
            LdsFile::Sod => Ef::Sod,
            LdsFile::Dg(dg) => Ef::Dg(dg.number()),
            LdsFile::CardAccess => Ef::CardAccess,
        };
        assert_eq!(Some(content.as_slice()), expected.get(ef), "{file:?}");
    }
    let mut store = TrustStore::new(Vec::new());
    store
        .add_file_contents(TestPki::test_csca().csca_certificate())
        .expect("test CSCA");
    let groups: Vec<(u8, &[u8])> = read
        .iter()
        .filter_map(|(file, content)| match file {
            LdsFile::Dg(dg) => Some((dg.number(), content.as_slice())),
            _ => None,
        })
        .collect();
    let sod = &read
        .iter()
        .find(|(file, _)| *file == LdsFile::Sod)
        .expect("SOD read")
        .1;
    assert_eq!(
        verify(sod, &groups, &store).expect("decided").verdict,
        Verdict::Trusted
    );
    drop(transport);
    card.take()
        .expect("inserted")
        .remove()
        .expect("clean removal");
    monitor
        .wait_for_card(READER, false, Duration::from_secs(10))
        .expect("removal seen");

    // pcscd going away is its own event, not a card removal.
    if pcscd.stop() {
        let outcome = monitor.wait(Some(Duration::from_secs(10)));
        assert_eq!(outcome, Err(EventError::ServiceDown));
    }
}
