//! Passive authentication (`emrtd`) of what the software chip's test issuer (`cardsim::pki`)
//! signed: written independently on each side, so an encoding mistake on either shows here.

use cardsim::identity::Identity;
use cardsim::pki::TestPki;
use cardsim::{ChipProfile, Ef, ReadLimits};
use emrtd::passive_auth::{InvalidReason, TrustStore, Verdict, verify};

fn trust_store() -> TrustStore {
    let mut store = TrustStore::new(Vec::new());
    assert_eq!(
        store.add_file_contents(TestPki::test_csca().csca_certificate()),
        Ok(1)
    );
    store
}

fn verdict(profile: &ChipProfile) -> Verdict {
    let groups: Vec<(u8, &[u8])> = [1u8, 13, 14, 15]
        .iter()
        .map(|n| (*n, profile.files.get(Ef::Dg(*n)).expect("present")))
        .collect();
    let sod = profile.files.get(Ef::Sod).expect("SOD present");
    verify(sod, &groups, &trust_store())
        .expect("decided")
        .verdict
}

#[test]
fn every_shipped_identity_is_trusted_under_the_test_csca() {
    for name in cardsim::identity::BUILTIN {
        let profile = Identity::builtin(name)
            .expect("shipped")
            .profile(ReadLimits::default());
        assert_eq!(verdict(&profile), Verdict::Trusted, "{name}");
    }
}

#[test]
fn a_card_signed_under_an_unknown_csca_has_a_valid_signature_but_no_trusted_issuer() {
    let identity = Identity::builtin("nguyen-van-a").expect("shipped");
    let profile = identity.profile_signed_by(ReadLimits::default(), &TestPki::new("rogue issuer"));
    assert_eq!(verdict(&profile), Verdict::SignatureValidIssuerUnknown);
}

#[test]
fn a_corrupted_data_group_fails_its_hash() {
    let mut profile = Identity::builtin("nguyen-van-a")
        .expect("shipped")
        .profile(ReadLimits::default());
    profile.files.corrupt(Ef::Dg(13));
    assert_eq!(
        verdict(&profile),
        Verdict::Invalid(InvalidReason::DataGroupHashMismatch(13))
    );
}

#[test]
fn an_rsa_signed_card_is_trusted_under_the_rsa_test_csca_only() {
    let rsa = TestPki::rsa("VNeID kiosk test RSA").expect("shipped RSA keys load");
    let profile = Identity::builtin("tran-thi-bich-ngoc")
        .expect("shipped")
        .profile_signed_by(ReadLimits::default(), &rsa);
    assert_eq!(
        verdict(&profile),
        Verdict::SignatureValidIssuerUnknown,
        "ECDSA CSCA does not vouch for it"
    );
    let mut store = TrustStore::new(Vec::new());
    assert_eq!(store.add_file_contents(rsa.csca_certificate()), Ok(1));
    let groups: Vec<(u8, &[u8])> = [1u8, 13, 14, 15]
        .iter()
        .map(|n| (*n, profile.files.get(Ef::Dg(*n)).expect("present")))
        .collect();
    let report =
        verify(profile.files.get(Ef::Sod).expect("SOD"), &groups, &store).expect("decided");
    assert_eq!(report.verdict, Verdict::Trusted);
}

#[test]
fn the_reader_reads_every_shipped_identity_and_passive_authentication_trusts_what_it_read() {
    use cardsim::{Chip, OsEntropy, SoftCard};
    use emrtd::access::AccessKeys;
    use emrtd::lds::LdsFile;
    use emrtd::mrz::MrzInformation;
    use emrtd::read::{CardProfile, DocumentReader, ReadOptions};
    for name in cardsim::identity::BUILTIN {
        let identity = Identity::builtin(name).expect("shipped");
        let mut card = SoftCard::insert(Chip::new(
            identity.profile(ReadLimits::default()),
            Box::new(OsEntropy),
        ));
        let keys = AccessKeys {
            mrz: MrzInformation::parse(&identity.mrz_information()).ok(),
            can: None,
        };
        let mut reader = DocumentReader::new(keys, CardProfile::default(), ReadOptions::default());
        let mut read = |file: LdsFile| {
            reader
                .read_file(&mut card, &mut getrandom::SysRng, file, &mut |_| {})
                .expect("reads")
        };
        let sod = read(LdsFile::Sod);
        let groups: Vec<(u8, Vec<u8>)> = [1u8, 13, 14, 15]
            .iter()
            .map(|n| (*n, read(LdsFile::dg(*n).expect("DG"))))
            .collect();
        let borrowed: Vec<(u8, &[u8])> = groups
            .iter()
            .map(|(n, bytes)| (*n, bytes.as_slice()))
            .collect();
        assert_eq!(
            verify(&sod, &borrowed, &trust_store())
                .expect("decided")
                .verdict,
            Verdict::Trusted,
            "{name}"
        );
    }
}
