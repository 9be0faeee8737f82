//! End to end through the real PC/SC stack: pcscd (started by `scripts/pcscd-vpcd.sh`), the
//! vsmartcard vpcd reader driver, and the software CCCD chip connected to it as a card.
//! Insertion and removal arrive as `SCardGetStatusChange` events; APDUs go through
//! `SCardTransmit`. Runs only with `VNEID_PCSC_E2E=1` (needs pcscd and vsmartcard-vpcd, and
//! owns vpcd's reader 0 while it runs).

use cardsim::files::CCCD_CARD_ACCESS;
use cardsim::identity::Identity;
use cardsim::{Chip, InsertedCard, OsEntropy, ReadLimits};
use emrtd::transport::{CardTransport, TransportError};
use reader::events::{CardEvent, CardMonitor};
use reader::transport::PcscTransport;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

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

impl Drop for Pcscd {
    fn drop(&mut self) {
        if self.started_here {
            let _ = Command::new("bash").arg(script()).arg("stop").status();
        }
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
    let _pcscd = Pcscd::start();
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
}
