//! Chip Authentication, Active Authentication and the DG2 portrait as emrtd (reader side) sees
//! them on the software chip (card side): a genuine chip passes both, a clone — same data,
//! other private keys — fails both, and the portrait comes back intact.

use cardsim::identity::Identity;
use cardsim::{Chip, ChipProfile, OsEntropy, ReadLimits, SoftCard};
use emrtd::access::AccessKeys;
use emrtd::active_authentication::{self, ActiveAuthenticationError, Dg15};
use emrtd::chip_authentication::{self, ChipAuthenticationError, Dg14};
use emrtd::dg2::Dg2;
use emrtd::lds::LdsFile;
use emrtd::mrz::MrzInformation;
use emrtd::read::{CardProfile, DocumentReader, ReadOptions};

fn identity() -> Identity {
    // A JPEG's first segments (SOI, APP0, SOF0 of 480 x 640) and filler: enough for the wrapper.
    let mut portrait = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x4A, 0x46];
    portrait.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08, 0x02, 0x80, 0x01, 0xE0, 0x03]);
    portrait.extend((0..12_000).map(|i| (i % 241) as u8));
    Identity {
        portrait: Some(portrait),
        ..Identity::builtin("nguyen-van-a").expect("shipped")
    }
}

struct Session {
    card: SoftCard,
    reader: DocumentReader,
    dg14: Dg14,
    dg15: Dg15,
}

fn open(profile: ChipProfile) -> Session {
    let mut card = SoftCard::insert(Chip::new(profile, Box::new(OsEntropy)));
    let keys = AccessKeys {
        mrz: MrzInformation::parse(&identity().mrz_information()).ok(),
        can: None,
    };
    let mut reader = DocumentReader::new(keys, CardProfile::default(), ReadOptions::default());
    let mut rng = getrandom::SysRng;
    let dg14 = reader
        .read_file(
            &mut card,
            &mut rng,
            LdsFile::dg(14).expect("DG14"),
            &mut |_| {},
        )
        .expect("DG14 reads");
    let dg15 = reader
        .read_file(
            &mut card,
            &mut rng,
            LdsFile::dg(15).expect("DG15"),
            &mut |_| {},
        )
        .expect("DG15 reads");
    Session {
        card,
        reader,
        dg14: Dg14::parse(&dg14).expect("DG14 parses"),
        dg15: Dg15::parse(&dg15).expect("DG15 parses"),
    }
}

fn chip_authentication(session: &mut Session) -> Result<(), ChipAuthenticationError> {
    let channel = session.reader.session_mut().expect("session open");
    chip_authentication::authenticate(
        &mut session.card,
        &mut getrandom::SysRng,
        channel,
        &session.dg14,
    )
}

fn active_authentication(session: &mut Session) -> Result<(), ActiveAuthenticationError> {
    let algorithm = session
        .dg14
        .security_infos
        .active_authentication_algorithm()
        .cloned();
    let channel = session.reader.session_mut().expect("session open");
    active_authentication::authenticate(
        &mut session.card,
        &mut getrandom::SysRng,
        channel,
        &session.dg15,
        algorithm.as_ref(),
    )
}

#[test]
fn a_genuine_chip_passes_chip_and_active_authentication_and_reads_on_under_the_new_keys() {
    let mut session = open(identity().profile(ReadLimits::default()));
    assert_eq!(chip_authentication(&mut session), Ok(()));
    assert_eq!(active_authentication(&mut session), Ok(()));
    let dg1 = session
        .reader
        .read_file(
            &mut session.card,
            &mut getrandom::SysRng,
            LdsFile::dg(1).expect("DG1"),
            &mut |_| {},
        )
        .expect("reads under the Chip Authentication keys");
    assert_eq!(dg1, identity().dg1());
}

#[test]
fn a_clone_fails_chip_authentication() {
    let mut session = open(identity().profile(ReadLimits::default()).cloned());
    assert_eq!(
        chip_authentication(&mut session),
        Err(ChipAuthenticationError::ChipNotAuthentic)
    );
}

#[test]
fn a_clone_fails_active_authentication() {
    let mut session = open(identity().profile(ReadLimits::default()).cloned());
    assert_eq!(
        active_authentication(&mut session),
        Err(ActiveAuthenticationError::SignatureInvalid)
    );
}

#[test]
fn the_portrait_comes_back_from_dg2_intact() {
    let mut session = open(identity().profile(ReadLimits::default()));
    let dg2 = session
        .reader
        .read_file(
            &mut session.card,
            &mut getrandom::SysRng,
            LdsFile::dg(2).expect("DG2"),
            &mut |_| {},
        )
        .expect("DG2 reads");
    let parsed = Dg2::parse(&dg2).expect("DG2 parses");
    assert_eq!(parsed.faces.len(), 1);
    let face = &parsed.faces[0];
    assert_eq!((face.width, face.height), (480, 640));
    assert_eq!(Some(&face.image), identity().portrait.as_ref());
}
