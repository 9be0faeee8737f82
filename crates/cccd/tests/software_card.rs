//! The software CCCD's files (written by `cardsim`, independently of this crate) read as the
//! kiosk reads them: DG13 decodes, the printed QR parses, DG1, DG13 and the QR agree, and the
//! first key derived from the QR is the chip's.

use cardsim::identity::{BUILTIN, Identity};
use cccd::access_key::AccessKeyCandidates;
use cccd::cross_check::cross_check;
use cccd::dg13::Dg13;
use cccd::qr::CardQr;
use emrtd::mrz::{Mrz, MrzInformation};

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
