//! The reader's protocol code (`emrtd`) against the software chip (`cardsim`), in process:
//! two independent implementations of ICAO 9303, one per side, must agree on every byte.

mod common;

use cardsim::SoftCard;
use common::{READ_ORDER, cccd_sized_chip, cccd_sized_profile, read_all};
use std::time::Instant;

#[test]
fn emrtd_reads_every_file_of_the_software_card_over_bac() {
    let mut card = SoftCard::insert(cccd_sized_chip());
    let started = Instant::now();
    let (files, apdus) = read_all(&mut card, 223);
    let elapsed = started.elapsed();
    let profile = cccd_sized_profile();
    for (ef, content) in READ_ORDER.iter().zip(&files) {
        assert_eq!(Some(content.as_slice()), profile.files.get(*ef), "{ef:?}");
    }
    let bytes: usize = files.iter().map(Vec::len).sum();
    println!("in-process full read: {bytes} bytes in {apdus} APDUs, {elapsed:?}");
    assert!(card.chip().is_secured());
}

mod document_reader {
    use crate::common::{READ_ORDER, cccd_sized_profile};
    use cardsim::identity::Identity;
    use cardsim::{Chip, ChipProfile, Ef, OsEntropy, ReadLimits, SoftCard};
    use emrtd::access::{AccessKeys, AccessMethod, PasswordKind};
    use emrtd::lds::LdsFile;
    use emrtd::mrz::MrzInformation;
    use emrtd::pace::Can;
    use emrtd::read::{CardProfile, DocumentReader, ReadError, ReadOptions};

    fn lds(ef: Ef) -> LdsFile {
        match ef {
            Ef::CardAccess => LdsFile::CardAccess,
            Ef::Com => LdsFile::Com,
            Ef::Sod => LdsFile::Sod,
            Ef::Dg(n) => LdsFile::dg(n).expect("1..=16"),
        }
    }

    fn mrz_keys() -> AccessKeys {
        let identity = Identity::builtin("nguyen-van-a").expect("shipped");
        AccessKeys {
            mrz: Some(MrzInformation::parse(&identity.mrz_information()).expect("valid")),
            can: None,
        }
    }

    fn card(profile: ChipProfile) -> SoftCard {
        SoftCard::insert(Chip::new(profile, Box::new(OsEntropy)))
    }

    fn read_everything(reader: &mut DocumentReader, card: &mut SoftCard) -> Vec<Vec<u8>> {
        let mut rng = getrandom::SysRng;
        READ_ORDER
            .iter()
            .map(|ef| {
                reader
                    .read_file(card, &mut rng, lds(*ef), &mut |_| {})
                    .expect("file reads")
            })
            .collect()
    }

    fn expected() -> Vec<Vec<u8>> {
        let profile = cccd_sized_profile();
        READ_ORDER
            .iter()
            .map(|ef| profile.files.get(*ef).expect("present").to_vec())
            .collect()
    }

    #[test]
    fn opens_the_cccd_with_pace_on_the_mrz_and_reads_every_file() {
        let mut card = card(cccd_sized_profile());
        let mut reader =
            DocumentReader::new(mrz_keys(), CardProfile::default(), ReadOptions::default());
        let method = reader
            .authenticate(&mut card, &mut getrandom::SysRng)
            .expect("access");
        assert!(
            matches!(
                method,
                AccessMethod::Pace {
                    password: PasswordKind::Mrz,
                    ..
                }
            ),
            "{method:?}"
        );
        assert_eq!(read_everything(&mut reader, &mut card), expected());
        assert_eq!(
            reader.profile().extended_length,
            Some(false),
            "this chip refuses extended length"
        );
    }

    #[test]
    fn opens_the_cccd_with_the_can_alone() {
        let mut card = card(cccd_sized_profile());
        let keys = AccessKeys {
            mrz: None,
            can: Can::new("012345"),
        };
        let mut reader = DocumentReader::new(keys, CardProfile::default(), ReadOptions::default());
        let method = reader
            .authenticate(&mut card, &mut getrandom::SysRng)
            .expect("access");
        assert!(
            matches!(
                method,
                AccessMethod::Pace {
                    password: PasswordKind::Can,
                    ..
                }
            ),
            "{method:?}"
        );
    }

    #[test]
    fn falls_back_to_bac_when_the_chip_offers_no_pace() {
        let mut profile = cccd_sized_profile();
        profile.pace_domains.clear();
        profile.files.insert(Ef::CardAccess, Vec::new());
        let mut card = card(profile);
        let mut reader =
            DocumentReader::new(mrz_keys(), CardProfile::default(), ReadOptions::default());
        assert_eq!(
            reader.authenticate(&mut card, &mut getrandom::SysRng),
            Ok(AccessMethod::Bac)
        );
        assert_eq!(read_everything(&mut reader, &mut card), expected());
    }

    #[test]
    fn adapts_to_extended_length_and_to_a_small_block_limit() {
        for limits in [
            ReadLimits {
                extended_length: true,
                max_block: 4096,
            },
            ReadLimits {
                extended_length: false,
                max_block: 128,
            },
        ] {
            let mut profile = cccd_sized_profile();
            profile.limits = limits;
            let mut card = card(profile);
            let mut reader =
                DocumentReader::new(mrz_keys(), CardProfile::default(), ReadOptions::default());
            assert_eq!(
                read_everything(&mut reader, &mut card),
                expected(),
                "{limits:?}"
            );
            assert!(
                reader
                    .profile()
                    .block_size
                    .is_some_and(|b| b <= limits.max_block),
                "{:?}",
                reader.profile()
            );
        }
    }

    #[test]
    fn a_chip_that_blocks_after_failures_is_reported_blocked_even_for_the_right_key() {
        let mut profile = cccd_sized_profile();
        profile.faults.block_after_failures = Some(2);
        let mut card = card(profile);
        let wrong = AccessKeys {
            mrz: Some(MrzInformation::new("090012345", "900101", "300102").expect("valid")),
            can: None,
        };
        let mut reader = DocumentReader::new(wrong, CardProfile::default(), ReadOptions::default());
        assert_eq!(
            reader.authenticate(&mut card, &mut getrandom::SysRng),
            Err(ReadError::AccessDenied)
        );
        let mut reader =
            DocumentReader::new(mrz_keys(), CardProfile::default(), ReadOptions::default());
        assert_eq!(
            reader.authenticate(&mut card, &mut getrandom::SysRng),
            Err(ReadError::AccessBlocked)
        );
    }

    #[test]
    fn a_wrong_key_is_refused() {
        let mut card = card(cccd_sized_profile());
        let keys = AccessKeys {
            mrz: Some(MrzInformation::new("090012345", "900101", "300102").expect("valid")),
            can: None,
        };
        let mut reader = DocumentReader::new(keys, CardProfile::default(), ReadOptions::default());
        assert_eq!(
            reader.authenticate(&mut card, &mut getrandom::SysRng),
            Err(ReadError::AccessDenied)
        );
    }

    #[test]
    fn a_card_torn_away_mid_photo_resumes_after_reinsertion() {
        let mut profile = cccd_sized_profile();
        profile.faults.tear_after_bytes = Some(8_000);
        let mut card = card(profile);
        let mut reader =
            DocumentReader::new(mrz_keys(), CardProfile::default(), ReadOptions::default());
        let mut rng = getrandom::SysRng;
        let dg2 = lds(Ef::Dg(2));
        assert_eq!(
            reader.read_file(&mut card, &mut rng, dg2, &mut |_| {}),
            Err(ReadError::CardRemoved)
        );
        let kept = reader.resume_offset(dg2);
        assert!(kept > 4_000, "bytes kept across the removal: {kept}");
        card.reinsert();
        let photo = reader
            .read_file(&mut card, &mut rng, dg2, &mut |_| {})
            .expect("resumes");
        assert_eq!(
            Some(photo.as_slice()),
            cccd_sized_profile().files.get(Ef::Dg(2))
        );
    }

    #[test]
    fn a_spoiled_response_mac_costs_one_reauthentication_not_the_read() {
        let mut profile = cccd_sized_profile();
        profile.faults.bad_mac_on_response = Some(10);
        let mut card = card(profile);
        let mut reader =
            DocumentReader::new(mrz_keys(), CardProfile::default(), ReadOptions::default());
        assert_eq!(read_everything(&mut reader, &mut card), expected());
    }

    #[test]
    fn dg3_is_reported_as_eac_protected() {
        let mut card = card(cccd_sized_profile());
        let mut reader =
            DocumentReader::new(mrz_keys(), CardProfile::default(), ReadOptions::default());
        let dg3 = lds(Ef::Dg(3));
        assert_eq!(
            reader.read_file(&mut card, &mut getrandom::SysRng, dg3, &mut |_| {}),
            Err(ReadError::AccessConditionsNotSatisfied(dg3))
        );
    }
}

#[test]
fn a_card_without_expiry_opens_with_pace_on_the_can() {
    use cardsim::identity::Identity;
    use emrtd::access::{AccessKeys, AccessMethod, PasswordKind};
    use emrtd::pace::Can;
    use emrtd::read::{CardProfile, DocumentReader, ReadOptions};
    let identity = Identity::builtin("le-van-cuong").expect("shipped edge case");
    let profile = identity.profile(cardsim::ReadLimits::default());
    let mut card = SoftCard::insert(cardsim::Chip::new(profile, Box::new(cardsim::OsEntropy)));
    let keys = AccessKeys {
        mrz: None,
        can: Can::new("654321"),
    };
    let mut reader = DocumentReader::new(keys, CardProfile::default(), ReadOptions::default());
    let method = reader
        .authenticate(&mut card, &mut getrandom::SysRng)
        .expect("the CAN opens it");
    assert!(
        matches!(
            method,
            AccessMethod::Pace {
                password: PasswordKind::Can,
                ..
            }
        ),
        "{method:?}"
    );
    let dg13 = reader
        .read_file(
            &mut card,
            &mut getrandom::SysRng,
            emrtd::lds::LdsFile::dg(13).expect("DG13"),
            &mut |_| {},
        )
        .expect("DG13 reads");
    assert_eq!(dg13, identity.dg13());
}
