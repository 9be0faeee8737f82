//! The QR pipeline on synthesised degraded CCCD-like frames and on the shipped demo frames:
//! payload bytes exactly as printed, parsed by `cccd`, access keys derived as the chip expects.

use std::path::Path;

use capture::qr::{QrReader, QrScanError};
use capture::synth::{Rng, Scene, corpus, render_card, render_frame};
use capture::{FrameSource, ReplaySource};
use cardsim::identity::{BUILTIN, EDGE_CASES, Identity};
use cccd::access_key::AccessKeyCandidates;
use emrtd::mrz::MrzInformation;

fn identities() -> Vec<Identity> {
    BUILTIN
        .iter()
        .chain(EDGE_CASES.iter())
        .filter_map(|name| Identity::builtin(name))
        .collect()
}

/// Measured on this corpus (seed 11, 12 frames at 640×480 and 12 at 1280×720): the pipeline
/// reads 12 of 24. The misses are 640×480 frames with QR modules of 1–2.5 px and frames
/// blurred beyond what any decoder reads (see `bench/results/qr.md`). The floor leaves one
/// frame of slack, so a change that loses ground fails here.
const CORPUS_FLOOR: usize = 11;

#[test]
fn degraded_card_frames_decode_above_the_measured_floor_with_exact_payloads() {
    let payloads: Vec<String> = identities().iter().map(Identity::qr_payload).collect();
    let mut frames = corpus(&payloads, 640, 480, 12, 11).unwrap();
    frames.extend(corpus(&payloads, 1280, 720, 12, 11).unwrap());
    let mut decoded = 0;
    for frame in &frames {
        if let Some(read) = QrReader::new().read(&frame.image) {
            assert_eq!(
                read.payload,
                frame.payload.as_bytes(),
                "a decoded payload is never altered"
            );
            decoded += 1;
        }
    }
    eprintln!(
        "the pipeline decoded {decoded} of {} corpus frames",
        frames.len()
    );
    assert!(
        decoded >= CORPUS_FLOOR,
        "decoded {decoded} of {}",
        frames.len()
    );
}

#[test]
fn every_demo_frame_reads_as_its_identity_and_derives_the_chip_key() {
    let folder = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/frames/qr"
    ));
    let mut replay = ReplaySource::from_folder(folder, 15).unwrap();
    let identities = identities();
    let mut reader = QrReader::new();
    let mut frames = 0;
    while let Ok(frame) = replay.next_frame() {
        frames += 1;
        let qr = reader.read_card(&frame.image).unwrap();
        let identity = identities
            .iter()
            .find(|identity| identity.id_number == qr.id_number.expose())
            .expect("the QR names a shipped identity");
        assert_eq!(qr.full_name.expose(), identity.full_name);
        match AccessKeyCandidates::from_qr(&qr) {
            Ok(keys) => {
                let chip_key = MrzInformation::parse(&identity.mrz_information()).unwrap();
                assert_eq!(
                    keys.mrz_information.first(),
                    Some(&chip_key),
                    "most likely key first"
                );
            }
            Err(_) => assert!(
                EDGE_CASES.iter().any(|name| Identity::builtin(name)
                    .is_some_and(|edge| edge.id_number == identity.id_number)),
                "only the card without expiry derives no MRZ key"
            ),
        }
    }
    assert_eq!(frames, 7);
}

#[test]
fn held_card_is_found_again_in_its_last_region() {
    let payloads = vec![identities()[0].qr_payload()];
    let frame = corpus(&payloads, 1280, 720, 1, 3).unwrap().remove(0);
    let mut reader = QrReader::new();
    let first = reader.read(&frame.image).expect("a clean enough frame");
    let second = reader.read(&frame.image).expect("the same frame again");
    assert_eq!(second.stage, capture::qr::Stage::LastRegion);
    assert_eq!(second.payload, first.payload);
    let region = reader.last_region().unwrap();
    assert!(region.width < 1280 / 2, "the region is a part of the frame");
}

#[test]
fn a_frame_without_code_and_a_foreign_code_are_distinct_errors() {
    let blank = image::RgbImage::from_pixel(640, 480, image::Rgb([120, 110, 100]));
    assert_eq!(
        QrReader::new().read_card(&blank).unwrap_err(),
        QrScanError::NoCode
    );
    let mut rng = Rng::new(5);
    let card = render_card("https://example.com/not-a-card", 700, &mut rng).unwrap();
    let foreign = render_frame(&card, &Scene::clean(640, 480), &mut rng);
    let mut reader = QrReader::new();
    assert!(
        reader.read(&foreign).is_some(),
        "the foreign code itself is readable"
    );
    assert!(matches!(
        reader.read_card(&foreign),
        Err(QrScanError::NotCardQr(_))
    ));
}
