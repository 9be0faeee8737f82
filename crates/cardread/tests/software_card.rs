//! A whole card read through `cardread` against the software CCCD (`cardsim`, written from the
//! card's side), in process: every shipped identity reads genuine, and each fault a card can
//! have ends in its own error or verdict.

use cardread::keys::KeyCandidates;
use cardread::read::{CardRead, CardReadError, CardReading, ReadEvent};
use cardread::verdict::{CloneReason, InvalidReason, OfficerAction, Verdict};
use cardsim::identity::{BUILTIN, Identity};
use cardsim::pki::TestPki;
use cardsim::{Chip, ChipProfile, Ef, OsEntropy, ReadLimits, SoftCard};
use emrtd::dg2::ImageFormat;
use emrtd::passive_auth::{self, TrustStore};
use emrtd::read::CardProfile;
use std::path::Path;

/// The shipped test CSCA, loaded as a kiosk loads its trust store.
fn trust_store() -> TrustStore {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/test-csca");
    let (store, skipped) = TrustStore::load_directory(&dir).expect("test CSCA directory");
    assert!(skipped.is_empty(), "{skipped:?}");
    store
}

/// A shipped identity, with its DG2 portrait (a 360 x 480 JPEG of about 25 KB).
fn identity(name: &str) -> Identity {
    Identity::builtin(name).expect("shipped identity")
}

fn card(profile: ChipProfile) -> SoftCard {
    SoftCard::insert(Chip::new(profile, Box::new(OsEntropy)))
}

fn qr_keys(identity: &Identity) -> KeyCandidates {
    KeyCandidates::from_qr_payload(&identity.qr_payload()).expect("QR keys")
}

/// Runs a read to its end, collecting the events.
fn read(
    card: &mut SoftCard,
    read: &mut CardRead,
    events: &mut Vec<String>,
) -> Result<CardReading, CardReadError> {
    read.run(card, &mut getrandom::SysRng, &trust_store(), &mut |event| {
        events.push(match event {
            ReadEvent::Opening { attempt, of } => format!("opening {attempt}/{of}"),
            ReadEvent::File { file, read, total } => format!("{file} {read}/{total:?}"),
            ReadEvent::Holder(dg13) => format!("holder {}", dg13.full_name.expose()),
            ReadEvent::Verifying => "verifying".to_string(),
        })
    })
}

#[test]
fn every_shipped_identity_reads_genuine_from_its_qr_keys() {
    for name in BUILTIN {
        let identity = identity(name);
        let mut card = card(identity.profile(ReadLimits::default()));
        let mut session = CardRead::new(qr_keys(&identity), CardProfile::default());
        let mut events = Vec::new();
        let reading = read(&mut card, &mut session, &mut events).expect("reads");
        assert_eq!(reading.verdict, Verdict::Genuine, "{name}");
        assert_eq!(reading.verdict.action(), OfficerAction::Continue);
        assert_eq!(reading.passive_auth.verdict, passive_auth::Verdict::Trusted);
        assert!(reading.clone_check.passed());
        let dg13 = reading.dg13.as_ref().expect("DG13 decodes");
        assert_eq!(dg13.full_name.expose(), identity.full_name);
        assert_eq!(dg13.id_number.expose(), identity.id_number);
        let mrz = reading.mrz.as_ref().expect("DG1 parses");
        assert_eq!(mrz.document_number, identity.id_number[3..]);
        let face = reading.portrait.as_ref().expect("portrait");
        assert_eq!(face.format, ImageFormat::Jpeg);
        assert_eq!((face.width, face.height), (360, 480));
        assert_eq!(Some(&face.image), identity.portrait.as_ref());
        assert_eq!(
            reading.evidence.data_groups.get(&13),
            Some(&identity.dg13())
        );
        assert_eq!(reading.evidence.data_groups.get(&1), Some(&identity.dg1()));
        assert!(!reading.evidence.sod.is_empty());
        assert!(
            !reading.evidence.data_groups.contains_key(&3),
            "EAC DG3 skipped"
        );
    }
}

#[test]
fn names_arrive_before_the_portrait_and_progress_counts_bytes() {
    let identity = identity("nguyen-van-a");
    let mut card = card(identity.profile(ReadLimits::default()));
    let mut session = CardRead::new(qr_keys(&identity), CardProfile::default());
    let mut events = Vec::new();
    read(&mut card, &mut session, &mut events).expect("reads");
    let position = |wanted: &str| {
        events
            .iter()
            .position(|e| e.starts_with(wanted))
            .unwrap_or_else(|| panic!("{wanted} missing in {events:?}"))
    };
    assert_eq!(events.first().map(String::as_str), Some("opening 1/3"));
    let holder = position("holder Nguyễn Văn A");
    assert!(position("DG13 ") < holder);
    assert!(holder < position("DG2 "));
    assert!(position("DG2 ") < position("verifying"));
    let dg2_len = identity.dg2().expect("DG2").len();
    assert!(events.contains(&format!("DG2 {dg2_len}/Some({dg2_len})")));
    let dg2_updates = events.iter().filter(|e| e.starts_with("DG2 ")).count();
    assert!(dg2_updates > 3, "DG2 progress in blocks: {events:?}");
}

#[test]
fn typed_keys_open_the_chip() {
    let identity = identity("tran-thi-bich-ngoc");
    let mut card = card(identity.profile(ReadLimits::default()));
    let keys = KeyCandidates::from_typed("079303001234", "15082003", "15082028").expect("keys");
    let reading = CardRead::new(keys, CardProfile::default())
        .run(
            &mut card,
            &mut getrandom::SysRng,
            &trust_store(),
            &mut |_| {},
        )
        .expect("reads");
    assert_eq!(reading.verdict, Verdict::Genuine);
}

#[test]
fn a_wrong_birth_date_is_a_wrong_access_key() {
    // This card has no CAN: the typed MRZ data is the only key.
    let identity = identity("tran-thi-bich-ngoc");
    let mut card = card(identity.profile(ReadLimits::default()));
    let keys = KeyCandidates::from_typed("079303001234", "16082003", "15082028").expect("keys");
    let mut events = Vec::new();
    let error = read(
        &mut card,
        &mut CardRead::new(keys, CardProfile::default()),
        &mut events,
    )
    .expect_err("refused");
    assert_eq!(error, CardReadError::WrongAccessKey);
    assert_eq!(error.code(), "card.wrong_key");
    assert_eq!(events, ["opening 1/2", "opening 2/2"]);
}

#[test]
fn a_wrong_date_still_opens_a_chip_whose_can_is_the_ids_last_six_digits() {
    let identity = identity("nguyen-van-a");
    let mut card = card(identity.profile(ReadLimits::default()));
    let keys = KeyCandidates::from_typed("001090012345", "02011990", "01012030").expect("keys");
    let reading = CardRead::new(keys, CardProfile::default())
        .run(
            &mut card,
            &mut getrandom::SysRng,
            &trust_store(),
            &mut |_| {},
        )
        .expect("the CAN opens it");
    assert!(matches!(
        reading.access,
        emrtd::access::AccessMethod::Pace {
            password: emrtd::access::PasswordKind::Can,
            ..
        }
    ));
    assert_eq!(reading.verdict, Verdict::Genuine);
}

#[test]
fn wrong_candidates_before_the_right_one_do_not_block_a_chip_that_blocks_after_three() {
    // Born 2000-06-01, card issued 2024-01-10, inside the two grace years before 25: the law's
    // expiry is the 40th birthday, but this card was made to expire on the 25th, the second
    // candidate. No CAN. The chip blocks after three failed attempts in a row.
    let identity = Identity {
        id_number: "001200012345".into(),
        can: None,
        date_of_birth: cardsim::identity::Date::new(2000, 6, 1),
        date_of_issue: cardsim::identity::Date::new(2024, 1, 10),
        date_of_expiry: Some(cardsim::identity::Date::new(2025, 6, 1)),
        ..identity("nguyen-van-a")
    };
    let keys = qr_keys(&identity);
    assert!(keys.attempts.len() >= 2);
    let mut profile = identity.profile(ReadLimits::default());
    profile.faults.block_after_failures = Some(3);
    let mut card = card(profile);
    let mut events = Vec::new();
    let mut session = CardRead::new(keys, CardProfile::default());
    let reading = read(&mut card, &mut session, &mut events).expect("second candidate opens");
    assert!(
        events.iter().any(|e| e.starts_with("opening 2/")),
        "{events:?}"
    );
    assert!(
        !events.iter().any(|e| e.starts_with("opening 3/")),
        "{events:?}"
    );
    assert_eq!(reading.verdict, Verdict::Genuine);
}

#[test]
fn a_card_torn_away_mid_portrait_resumes_where_it_stopped() {
    let identity = identity("nguyen-van-a");
    let mut profile = identity.profile(ReadLimits::default());
    profile.faults.tear_after_bytes = Some(6_000);
    let mut card = card(profile);
    let mut session = CardRead::new(qr_keys(&identity), CardProfile::default());
    let mut first = Vec::new();
    let error = read(&mut card, &mut session, &mut first).expect_err("torn");
    assert_eq!(error, CardReadError::CardRemoved);
    assert_eq!(error.code(), "card.removed");
    assert!(
        first.iter().any(|e| e.starts_with("holder ")),
        "names shown before the tear"
    );
    card.reinsert();
    let mut second = Vec::new();
    let reading = read(&mut card, &mut session, &mut second).expect("resumes");
    assert_eq!(reading.verdict, Verdict::Genuine);
    assert_eq!(
        reading.portrait.map(|p| p.image.clone()),
        identity.portrait.clone()
    );
    let resumed = second
        .iter()
        .find(|e| e.starts_with("DG2 "))
        .expect("DG2 read on resume");
    assert_ne!(
        resumed, "DG2 0/None",
        "DG2 resumed at its offset, not from zero"
    );
    assert!(
        !second.iter().any(|e| e.starts_with("DG1 ")),
        "finished files not read again: {second:?}"
    );
    assert!(
        second.iter().all(|e| !e.starts_with("opening")),
        "the key that worked is kept"
    );
}

#[test]
fn a_card_signed_by_an_unknown_csca_is_issuer_unknown() {
    let identity = identity("nguyen-van-a");
    let other = TestPki::new("some other issuer");
    let mut card = card(identity.profile_signed_by(ReadLimits::default(), &other));
    let reading = CardRead::new(qr_keys(&identity), CardProfile::default())
        .run(
            &mut card,
            &mut getrandom::SysRng,
            &trust_store(),
            &mut |_| {},
        )
        .expect("reads");
    assert_eq!(reading.verdict, Verdict::IssuerUnknown);
    assert_eq!(reading.verdict.action(), OfficerAction::CheckWithIssuer);
    assert!(reading.passive_auth.document_signer.is_some());
}

#[test]
fn a_cloned_chip_is_clone_suspected() {
    let identity = identity("nguyen-van-a");
    let mut card = card(identity.profile(ReadLimits::default()).cloned());
    let reading = CardRead::new(qr_keys(&identity), CardProfile::default())
        .run(
            &mut card,
            &mut getrandom::SysRng,
            &trust_store(),
            &mut |_| {},
        )
        .expect("reads");
    assert_eq!(reading.passive_auth.verdict, passive_auth::Verdict::Trusted);
    assert_eq!(
        reading.verdict,
        Verdict::CloneSuspected(CloneReason::ProofFailed)
    );
    assert_eq!(reading.verdict.action(), OfficerAction::RefuseAndReport);
}

#[test]
fn a_corrupted_data_group_is_invalid() {
    let identity = identity("nguyen-van-a");
    let mut profile = identity.profile(ReadLimits::default());
    profile.files.corrupt(Ef::Dg(13));
    let mut card = card(profile);
    let reading = CardRead::new(qr_keys(&identity), CardProfile::default())
        .run(
            &mut card,
            &mut getrandom::SysRng,
            &trust_store(),
            &mut |_| {},
        )
        .expect("reads");
    assert_eq!(
        reading.verdict,
        Verdict::Invalid(InvalidReason::PassiveAuthentication(
            passive_auth::InvalidReason::DataGroupHashMismatch(13)
        ))
    );
    assert_eq!(reading.verdict.action(), OfficerAction::RefuseAndReport);
}

#[test]
fn the_chip_and_a_qr_from_another_card_disagree() {
    let identity = identity("nguyen-van-a");
    let mut card = card(identity.profile(ReadLimits::default()));
    // Same ID, birth and issue dates (so the keys open the chip), another name on the QR.
    let payload = identity
        .qr_payload()
        .replace("Nguyễn Văn A", "Nguyễn Văn Bê");
    let keys = KeyCandidates::from_qr_payload(&payload).expect("keys");
    let reading = CardRead::new(keys, CardProfile::default())
        .run(
            &mut card,
            &mut getrandom::SysRng,
            &trust_store(),
            &mut |_| {},
        )
        .expect("reads");
    assert!(matches!(
        reading.verdict,
        Verdict::Invalid(InvalidReason::Disagreement(ref d)) if !d.is_empty()
    ));
}

#[test]
fn a_card_gone_before_the_read_starts_is_reported_as_removed() {
    let identity = identity("nguyen-van-a");
    let mut card = card(identity.profile(ReadLimits::default()));
    card.remove();
    let error = CardRead::new(qr_keys(&identity), CardProfile::default())
        .run(
            &mut card,
            &mut getrandom::SysRng,
            &trust_store(),
            &mut |_| {},
        )
        .expect_err("no card");
    assert_eq!(error, CardReadError::CardRemoved);
}

#[test]
fn errors_and_debug_output_of_a_read_carry_no_personal_data() {
    let identity = identity("tran-thi-bich-ngoc");
    let mut card = card_genuine(&identity);
    let keys = KeyCandidates::from_typed("079303001234", "16082003", "15082028").expect("keys");
    let error = CardRead::new(keys, CardProfile::default())
        .run(
            &mut card,
            &mut getrandom::SysRng,
            &trust_store(),
            &mut |_| {},
        )
        .expect_err("refused");
    let mut card = card_genuine(&identity);
    let mut session = CardRead::new(qr_keys(&identity), CardProfile::default());
    let reading = session
        .run(
            &mut card,
            &mut getrandom::SysRng,
            &trust_store(),
            &mut |_| {},
        )
        .expect("reads");
    let shown = format!("{error} {error:?} {reading:?} {session:?}");
    for secret in [
        "079303001234",
        "303001234",
        "Trần",
        "TRAN",
        "Bích",
        "030815",
        "15/08/2003",
    ] {
        assert!(!shown.contains(secret), "{secret} leaked: {shown}");
    }
}

fn card_genuine(identity: &Identity) -> SoftCard {
    card(identity.profile(ReadLimits::default()))
}

#[test]
fn the_next_card_starts_from_the_learned_transport_limits() {
    let identity = identity("nguyen-van-a");
    let mut card = card_genuine(&identity);
    let mut session = CardRead::new(qr_keys(&identity), CardProfile::default());
    session
        .run(
            &mut card,
            &mut getrandom::SysRng,
            &trust_store(),
            &mut |_| {},
        )
        .expect("reads");
    let limits = session.transport_limits();
    assert!(limits.block_size.is_some());
    assert_eq!(limits.access, None, "the access method stays per card");
}

/// Counts the response bytes the card sent, as the chip's tearing fault does.
struct Counting<'a> {
    card: &'a mut SoftCard,
    bytes: std::rc::Rc<std::cell::Cell<usize>>,
}

impl emrtd::transport::CardTransport for Counting<'_> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, emrtd::transport::TransportError> {
        let response = self.card.transmit(command)?;
        self.bytes.set(self.bytes.get() + response.len());
        Ok(response)
    }
}

#[test]
fn a_card_torn_away_during_the_clone_check_is_removed_not_a_clone() {
    let identity = identity("nguyen-van-a");
    // A clean read tells how many bytes the chip sends before the clone check starts.
    let bytes = std::rc::Rc::new(std::cell::Cell::new(0));
    let mut before_check = None;
    let mut clean = card(identity.profile(ReadLimits::default()));
    let mut counting = Counting {
        card: &mut clean,
        bytes: bytes.clone(),
    };
    CardRead::new(qr_keys(&identity), CardProfile::default())
        .run(
            &mut counting,
            &mut getrandom::SysRng,
            &trust_store(),
            &mut |e| {
                if matches!(e, ReadEvent::Verifying) {
                    before_check = Some(bytes.get());
                }
            },
        )
        .expect("reads");
    let before_check = before_check.expect("verifying reported");
    assert!(
        bytes.get() > before_check,
        "the clone check talks to the chip"
    );

    let mut profile = identity.profile(ReadLimits::default());
    profile.faults.tear_after_bytes = Some(before_check + 2);
    let mut card = card(profile);
    let mut session = CardRead::new(qr_keys(&identity), CardProfile::default());
    let mut events = Vec::new();
    let error = read(&mut card, &mut session, &mut events).expect_err("torn in the check");
    assert!(events.iter().any(|e| e == "verifying"), "{events:?}");
    assert_eq!(error, CardReadError::CardRemoved);
    card.reinsert();
    let reading = read(&mut card, &mut session, &mut Vec::new()).expect("resumes");
    assert_eq!(reading.verdict, Verdict::Genuine);
}
