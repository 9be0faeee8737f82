//! DG13 decoding against hand-built DER: the fixtures are assembled byte by byte here, not by
//! an encoder in the crate, so decoding is checked independently.

use cccd::date::Date;
use cccd::dg13::{Dg13, Dg13Error, Expiry, TlvError};
use cccd::personal::Gender;
use proptest::prelude::*;

mod common;

use common::{der, dg13, field, full_fields, printable, seq, utf8};

#[test]
fn decodes_every_field_of_a_full_dg13() {
    let decoded = Dg13::decode(&dg13(&full_fields())).unwrap();
    assert_eq!(decoded.id_number.expose(), "001090012345");
    assert_eq!(decoded.full_name.expose(), "Nguyễn Văn An");
    assert_eq!(decoded.date_of_birth, Date::new(1990, 1, 1).unwrap());
    assert_eq!(decoded.gender, Some(Gender::Male));
    assert_eq!(decoded.nationality.unwrap().expose(), "Việt Nam");
    assert_eq!(decoded.ethnicity.unwrap().expose(), "Kinh");
    assert_eq!(decoded.religion.unwrap().expose(), "Không");
    assert_eq!(
        decoded.place_of_origin.unwrap().expose(),
        "Hoàn Kiếm, Hà Nội"
    );
    assert_eq!(
        decoded.place_of_residence.unwrap().expose(),
        "Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh"
    );
    assert_eq!(decoded.identifying_marks, None);
    assert_eq!(decoded.date_of_issue, Some(Date::new(2021, 4, 15).unwrap()));
    assert_eq!(
        decoded.date_of_expiry,
        Some(Expiry::Date(Date::new(2030, 1, 1).unwrap()))
    );
    assert_eq!(decoded.father_name.unwrap().expose(), "Nguyễn Văn Bình");
    assert_eq!(decoded.mother_name.unwrap().expose(), "Trần Thị Cúc");
    assert_eq!(decoded.spouse_name, None);
    assert_eq!(decoded.old_id_number.unwrap().expose(), "012345678");
    assert_eq!(decoded.field_16.unwrap().expose(), "ABCDEF0123456789");
    assert_eq!(decoded.unknown_fields.len(), 1);
    assert_eq!(decoded.unknown_fields[0].number, 17);
    assert_eq!(decoded.unknown_fields[0].raw, [0x04, 0x02, 0xDE, 0xAD]);
}

#[test]
fn decodes_a_literal_hand_written_file() {
    // 6D { SEQ { SEQ{INT 1, PrintableString "001090012345"},
    //            SEQ{INT 2, UTF8String "Lê Thị Hà"},
    //            SEQ{INT 3, PrintableString "29/02/2000"},
    //            SEQ{INT 12, UTF8String "Không thời hạn"} } }
    let bytes: Vec<u8> = [
        &[0x6D, 0x54, 0x30, 0x52][..],
        &[0x30, 0x11, 0x02, 0x01, 0x01, 0x13, 0x0C],
        b"001090012345",
        &[0x30, 0x12, 0x02, 0x01, 0x02, 0x0C, 0x0D],
        "Lê Thị Hà".as_bytes(),
        &[0x30, 0x0F, 0x02, 0x01, 0x03, 0x13, 0x0A],
        b"29/02/2000",
        &[0x30, 0x18, 0x02, 0x01, 0x0C, 0x0C, 0x13],
        "Không thời hạn".as_bytes(),
    ]
    .concat();
    assert_eq!("Lê Thị Hà".len(), 13);
    assert_eq!("Không thời hạn".len(), 19);
    let decoded = Dg13::decode(&bytes).unwrap();
    assert_eq!(decoded.full_name.expose(), "Lê Thị Hà");
    assert_eq!(decoded.date_of_birth, Date::new(2000, 2, 29).unwrap());
    let expiry = decoded.date_of_expiry.unwrap();
    assert!(expiry.is_indefinite());
    assert_eq!(expiry, Expiry::Wording("Không thời hạn".to_owned()));
    assert_eq!(decoded.gender, None);
}

#[test]
fn decomposed_names_come_out_nfc() {
    let mut fields = full_fields();
    fields[1] = field(2, utf8("Nguye\u{302}\u{303}n  Va\u{306}n An "));
    let decoded = Dg13::decode(&dg13(&fields)).unwrap();
    assert_eq!(decoded.full_name.expose(), "Nguyễn Văn An");
}

#[test]
fn fields_are_found_wherever_the_header_leaves_them() {
    // No header and no wrapping SEQUENCE: the fields sit directly under 6D, out of order.
    let fields = full_fields();
    let flat = der(
        0x6D,
        &[fields[2].clone(), fields[0].clone(), fields[1].clone()].concat(),
    );
    let decoded = Dg13::decode(&flat).unwrap();
    assert_eq!(decoded.id_number.expose(), "001090012345");
    // Deeper nesting inside a SET and a context-specific container works too.
    let nested = der(0x6D, &der(0x31, &der(0xA0, &fields[..3].concat())));
    assert!(Dg13::decode(&nested).is_ok());
}

#[test]
fn parents_without_outer_sequence_and_spouse_present() {
    let mut fields = full_fields();
    fields[12] = seq(&[der(0x02, &[13]), seq(&[utf8("Nguyễn Văn Bình")]), seq(&[])]);
    fields[13] = field(14, seq(&[utf8("Phạm Thị Dung")]));
    let decoded = Dg13::decode(&dg13(&fields)).unwrap();
    assert_eq!(decoded.father_name.unwrap().expose(), "Nguyễn Văn Bình");
    assert_eq!(decoded.mother_name, None);
    assert_eq!(decoded.spouse_name.unwrap().expose(), "Phạm Thị Dung");
}

#[test]
fn debug_shows_no_personal_data() {
    let decoded = Dg13::decode(&dg13(&full_fields())).unwrap();
    let debug = format!("{decoded:?}");
    assert!(debug.contains("IdNumber(***345)"), "{debug}");
    for secret in ["001090012345", "Nguyễn", "1990", "Bến Nghé", "DE"] {
        assert!(!debug.contains(secret), "{debug}");
    }
}

#[test]
fn each_malformation_has_its_own_error() {
    let fields = full_fields();
    let with = |index: usize, replacement: Vec<u8>| {
        let mut f = fields.clone();
        f[index] = replacement;
        Dg13::decode(&dg13(&f))
    };
    let without = |index: usize| {
        let mut f = fields.clone();
        f.remove(index);
        Dg13::decode(&dg13(&f))
    };
    let good = dg13(&fields);

    let mut wrong_tag = good.clone();
    wrong_tag[0] = 0x6E;
    assert_eq!(Dg13::decode(&wrong_tag), Err(Dg13Error::WrongTag));
    let mut trailing = good.clone();
    trailing.push(0);
    assert_eq!(Dg13::decode(&trailing), Err(Dg13Error::TrailingBytes));
    assert_eq!(
        Dg13::decode(good.get(..good.len() - 1).unwrap()),
        Err(Dg13Error::Tlv(TlvError::ValueTruncated {
            declared: good.len() - 4,
            available: good.len() - 5
        }))
    );
    assert_eq!(
        Dg13::decode(&[]),
        Err(Dg13Error::Tlv(TlvError::TruncatedHeader))
    );
    assert_eq!(without(0), Err(Dg13Error::MissingField(1)));
    assert_eq!(without(1), Err(Dg13Error::MissingField(2)));
    assert_eq!(without(2), Err(Dg13Error::MissingField(3)));
    assert_eq!(with(0, field(1, utf8(""))), Err(Dg13Error::MissingField(1)));
    assert_eq!(
        with(16, field(2, utf8("Lê Văn B"))),
        Err(Dg13Error::DuplicateField(2))
    );
    assert_eq!(
        with(0, field(1, printable("00109001234"))),
        Err(Dg13Error::BadIdNumber(
            cccd::id_number::IdNumberError::WrongLength
        ))
    );
    assert_eq!(
        with(1, field(2, der(0x02, &[5]))),
        Err(Dg13Error::UnexpectedType(2))
    );
    assert_eq!(
        with(1, field(2, der(0x0C, &[0xC3, 0x28]))),
        Err(Dg13Error::NotUtf8(2))
    );
    assert!(matches!(
        with(2, field(3, printable("31/02/1990"))),
        Err(Dg13Error::BadDate { field: 3, .. })
    ));
    assert!(matches!(
        with(11, field(12, utf8("01/13/2030"))),
        Err(Dg13Error::BadDate { field: 12, .. })
    ));
    assert_eq!(with(3, field(4, utf8("Khác"))), Err(Dg13Error::BadGender));
    assert_eq!(
        with(0, seq(&[der(0x02, &[]), printable("001090012345")])),
        Err(Dg13Error::BadFieldNumber)
    );
    assert_eq!(
        with(0, seq(&[der(0x02, &[0xFF]), printable("001090012345")])),
        Err(Dg13Error::BadFieldNumber)
    );
    assert_eq!(
        with(12, field(13, seq(&[seq(&[]), seq(&[]), seq(&[])]))),
        Err(Dg13Error::UnexpectedType(13))
    );
    let mut deep = seq(&fields[..3]);
    for _ in 0..10 {
        deep = seq(&[deep]);
    }
    assert_eq!(Dg13::decode(&der(0x6D, &deep)), Err(Dg13Error::TooDeep));
}

#[test]
fn errors_name_no_personal_data() {
    let mut fields = full_fields();
    fields[2] = field(3, printable("31/02/1990"));
    let message = Dg13::decode(&dg13(&fields)).unwrap_err().to_string();
    assert!(!message.contains("1990"), "{message}");
    assert!(message.contains("field 3"), "{message}");
}

proptest! {
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        if let Err(error) = Dg13::decode(&bytes) {
            prop_assert!(!error.to_string().is_empty());
        }
    }

    #[test]
    fn random_bytes_under_tag_6d_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        if let Err(error) = Dg13::decode(&der(0x6D, &bytes)) {
            prop_assert!(!error.to_string().is_empty());
        }
    }

    #[test]
    fn mutated_files_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)
    ) {
        let mut bytes = dg13(&full_fields());
        for (index, value) in edits {
            let i = index.index(bytes.len());
            bytes[i] = value;
        }
        if let Err(error) = Dg13::decode(&bytes) {
            prop_assert!(!error.to_string().is_empty());
        }
    }

    #[test]
    fn every_truncation_is_refused(cut in 0usize..10_000) {
        let bytes = dg13(&full_fields());
        let cut = cut % bytes.len();
        prop_assert!(Dg13::decode(bytes.get(..cut).unwrap()).is_err());
    }

    #[test]
    fn shuffled_field_order_decodes_the_same(seed in any::<u64>()) {
        let mut fields = full_fields();
        let mut state = seed;
        for i in (1..fields.len()).rev() {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let j = (state >> 33) as usize % (i + 1);
            fields.swap(i, j);
        }
        let shuffled = Dg13::decode(&dg13(&fields)).unwrap();
        prop_assert_eq!(shuffled, Dg13::decode(&dg13(&full_fields())).unwrap());
    }
}

#[test]
fn expiry_passes_the_day_after_and_never_for_indefinite_cards() {
    let expiry = Expiry::Date(Date::new(2030, 1, 1).unwrap());
    assert!(!expiry.has_passed(Date::new(2030, 1, 1).unwrap()));
    assert!(expiry.has_passed(Date::new(2030, 1, 2).unwrap()));
    let indefinite = Expiry::Wording("Không thời hạn".to_owned());
    assert!(!indefinite.has_passed(Date::new(2099, 1, 1).unwrap()));
}
