//! The card QR payload parser: good payloads of both card generations, and a long list of
//! malformed ones, each refused with its own error.

use cccd::access_key::AccessKeyCandidates;
use cccd::date::{Date, DateError};
use cccd::id_number::IdNumberError;
use cccd::personal::Gender;
use cccd::qr::{CardQr, MAX_FIELDS, MAX_PAYLOAD_BYTES, QrError};
use proptest::prelude::*;

const GOOD: &str = "001090012345|012345678|Nguyễn Văn An|01011990|Nam|Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh|15042021";

#[test]
fn parses_a_2021_card() {
    let qr = CardQr::parse(GOOD).unwrap();
    assert_eq!(qr.id_number.expose(), "001090012345");
    assert_eq!(qr.old_id_number.unwrap().expose(), "012345678");
    assert_eq!(qr.full_name.expose(), "Nguyễn Văn An");
    assert_eq!(qr.date_of_birth, Date::new(1990, 1, 1).unwrap());
    assert_eq!(qr.gender, Gender::Male);
    assert_eq!(
        qr.address.expose(),
        "Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh"
    );
    assert_eq!(qr.date_of_issue, Date::new(2021, 4, 15).unwrap());
    assert!(qr.extra_fields.is_empty());
}

#[test]
fn empty_old_id_slot_is_allowed() {
    let qr = CardQr::parse(
        "079305000123||Trần Thị Bích|02032005|Nữ|Phường 1, Quận 3, TP. Hồ Chí Minh|10082024",
    )
    .unwrap();
    assert_eq!(qr.old_id_number, None);
    assert_eq!(qr.gender, Gender::Female);
}

#[test]
fn extra_fields_of_a_2024_card_are_kept() {
    let payload = format!("{GOOD}|Nguyễn Văn Bình| Trần Thị  Cúc ||123456789");
    let qr = CardQr::parse(&payload).unwrap();
    let extras: Vec<&str> = qr.extra_fields.iter().map(|f| f.expose()).collect();
    assert_eq!(extras, ["Nguyễn Văn Bình", "Trần Thị Cúc", "", "123456789"]);
}

#[test]
fn stray_whitespace_and_decomposed_text_are_tolerated() {
    let payload = "\u{FEFF} 001090012345 | 012345678 |  Nguye\u{302}\u{303}n  Va\u{306}n An |01011990 | nam |Phường Bến Nghé,\tQuận 1 | 15042021 \r\n";
    let qr = CardQr::parse(payload).unwrap();
    assert_eq!(qr.full_name.expose(), "Nguyễn Văn An");
    assert_eq!(qr.address.expose(), "Phường Bến Nghé, Quận 1");
    assert_eq!(qr.gender, Gender::Male);
    assert_eq!(CardQr::parse_bytes(payload.as_bytes()), Ok(qr));
}

#[test]
fn qr_data_yield_the_synthetic_cards_access_key_first() {
    let qr = CardQr::parse(GOOD).unwrap();
    let keys = AccessKeyCandidates::from_qr(&qr).unwrap();
    assert_eq!(
        keys.mrz_information.first(),
        Some(&emrtd::mrz::MrzInformation::parse("090012345090010113001019").unwrap())
    );
    assert_eq!(Some(keys.can), emrtd::pace::Can::new("012345"));
}

fn with_field(index: usize, value: &str) -> String {
    let mut fields: Vec<&str> = GOOD.split('|').collect();
    fields[index] = value;
    fields.join("|")
}

#[test]
fn each_malformed_payload_has_its_own_error() {
    let cases: Vec<(String, QrError)> = vec![
        (String::new(), QrError::Empty),
        (" \r\n".into(), QrError::Empty),
        ("x".repeat(MAX_PAYLOAD_BYTES + 1), QrError::TooLong),
        (
            "001090012345|012345678".into(),
            QrError::TooFewFields { found: 2 },
        ),
        (
            GOOD.rsplit_once('|').unwrap().0.into(),
            QrError::TooFewFields { found: 6 },
        ),
        (GOOD.replace('|', ","), QrError::TooFewFields { found: 1 }),
        (
            format!("{GOOD}{}", "|x".repeat(MAX_FIELDS)),
            QrError::TooManyFields,
        ),
        (GOOD.replace("Văn", "V\u{0}ăn"), QrError::ControlCharacter),
        (
            with_field(0, "00109001234"),
            QrError::IdNumber(IdNumberError::WrongLength),
        ),
        (
            with_field(0, "00109001234X"),
            QrError::IdNumber(IdNumberError::NotDigits),
        ),
        (with_field(1, "01234567"), QrError::OldIdNumber),
        (with_field(1, "01234567A"), QrError::OldIdNumber),
        (with_field(2, "  "), QrError::MissingName),
        (with_field(2, "Nguyen Van 4"), QrError::NameCharacters),
        (with_field(2, "<script>"), QrError::NameCharacters),
        (
            with_field(3, "1990-01-01"),
            QrError::BirthDate(DateError::Layout),
        ),
        (
            with_field(3, "31021990"),
            QrError::BirthDate(DateError::NoSuchDay),
        ),
        (with_field(4, "Male"), QrError::Gender),
        (with_field(4, ""), QrError::Gender),
        (with_field(5, ""), QrError::MissingAddress),
        (
            with_field(6, "150421"),
            QrError::IssueDate(DateError::Layout),
        ),
        (
            with_field(6, "31042021"),
            QrError::IssueDate(DateError::NoSuchDay),
        ),
        (with_field(6, "01011980"), QrError::IssuedBeforeBirth),
        (with_field(3, "01011991"), QrError::IdDisagreesWithBirthYear),
    ];
    for (payload, expected) in cases {
        assert_eq!(CardQr::parse(&payload), Err(expected), "{expected}");
    }
    assert_eq!(CardQr::parse_bytes(&[0xC3, 0x28]), Err(QrError::NotUtf8));
    assert_eq!(
        CardQr::parse_bytes(&vec![b'1'; MAX_PAYLOAD_BYTES + 1]),
        Err(QrError::TooLong)
    );
}

#[test]
fn errors_and_debug_carry_no_personal_data() {
    let message = CardQr::parse(&with_field(3, "31021990"))
        .unwrap_err()
        .to_string();
    assert!(!message.contains("1990"), "{message}");
    let debug = format!("{:?}", CardQr::parse(GOOD).unwrap());
    assert_eq!(
        debug,
        "CardQr { id_number: IdNumber(***345), extra_fields: 0, .. }"
    );
}

#[test]
fn dropping_any_separator_is_refused() {
    for (position, _) in GOOD.match_indices('|') {
        let mut payload = GOOD.to_owned();
        payload.remove(position);
        assert_eq!(
            CardQr::parse(&payload),
            Err(QrError::TooFewFields { found: 6 })
        );
    }
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(payload in ".{0,400}") {
        if let Err(error) = CardQr::parse(&payload) {
            prop_assert!(!error.to_string().is_empty());
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..5000)) {
        if let Err(error) = CardQr::parse_bytes(&bytes) {
            prop_assert!(!error.to_string().is_empty());
        }
    }

    #[test]
    fn arbitrary_fields_never_panic(fields in proptest::collection::vec("[0-9a-zA-Zữ /|]{0,20}", 0..40)) {
        let payload = fields.join("|");
        if let Err(error) = CardQr::parse(&payload) {
            prop_assert!(!error.to_string().is_empty());
        }
    }

    #[test]
    fn mutated_payloads_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6)
    ) {
        let mut bytes = GOOD.as_bytes().to_vec();
        for (index, value) in edits {
            let i = index.index(bytes.len());
            bytes[i] = value;
        }
        if let Err(error) = CardQr::parse_bytes(&bytes) {
            prop_assert!(!error.to_string().is_empty());
        }
    }

    #[test]
    fn valid_dates_round_trip(year in 1900u16..2100, month in 1u8..=12, day in 1u8..=28) {
        let born = format!("{day:02}{month:02}{year}");
        let issued = format!("{day:02}{month:02}{}", year + 14);
        let century = (year - 1900) / 100 * 2;
        let id = format!("001{century}{:02}012345", year % 100);
        let payload = format!("{id}||Lê Thị Hà|{born}|Nữ|Hà Nội|{issued}");
        let qr = CardQr::parse(&payload).unwrap();
        prop_assert_eq!(qr.date_of_birth, Date::new(year, month, day).unwrap());
    }
}
