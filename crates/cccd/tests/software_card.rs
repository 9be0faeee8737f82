//! The software CCCD's files (written by `cardsim`, independently of this crate) read as the
//! kiosk reads them: DG13 decodes, the printed QR parses, DG1, DG13 and the QR agree, the key
//! derived from the QR opens the chip, and its EF.SOD passes passive authentication.

use cardsim::identity::{BUILTIN, Identity};
use cardsim::pki::TestPki;
use cccd::access_key::AccessKeyCandidates;
use cccd::cross_check::cross_check;
use cccd::dg13::Dg13;
use cccd::qr::CardQr;
use emrtd::mrz::{Mrz, MrzInformation};
use emrtd::passive_auth::{self, TrustStore, Verdict};

fn identities() -> Vec<Identity> {
    BUILTIN
        .iter()
        .map(|name| Identity::builtin(name).unwrap())
        .collect()
}

#[test]
fn dg13_qr_and_mrz_of_every_test_identity_agree() {
    for identity in identities() {
        let dg13 = Dg13::decode(&identity.dg13()).unwrap();
        let qr = CardQr::parse(&identity.qr_payload()).unwrap();
        let mrz = Mrz::parse(&identity.mrz_lines().concat()).unwrap();
        assert_eq!(dg13.id_number, qr.id_number);
        assert_eq!(dg13.full_name, qr.full_name);
        assert_eq!(cross_check(&dg13, Some(&mrz), Some(&qr)), []);
    }
}

#[test]
fn the_first_key_derived_from_the_qr_is_the_chips_key() {
    for identity in identities() {
        let qr = CardQr::parse(&identity.qr_payload()).unwrap();
        let keys = AccessKeyCandidates::from_qr(&qr).unwrap();
        assert_eq!(
            keys.mrz_information.first(),
            Some(&MrzInformation::parse(&identity.mrz_information()).unwrap())
        );
    }
}

#[test]
fn the_software_cards_sod_passes_passive_authentication() {
    let pki = TestPki::test_csca();
    let mut trust = TrustStore::default();
    trust.add_file_contents(pki.csca_certificate()).unwrap();
    for identity in identities() {
        let (dg1, dg13) = (identity.dg1(), identity.dg13());
        let groups: [(u8, &[u8]); 2] = [(1, &dg1), (13, &dg13)];
        let sod = pki.sign_sod(&groups);
        let report = passive_auth::verify(&sod, &groups, &trust).unwrap();
        assert_eq!(report.verdict, Verdict::Trusted);
        let mut tampered = dg13.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        let report = passive_auth::verify(&sod, &[(1, &dg1), (13, &tampered)], &trust).unwrap();
        assert!(matches!(report.verdict, Verdict::Invalid(_)));
    }
}
