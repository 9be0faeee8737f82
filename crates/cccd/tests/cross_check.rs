//! Cross-checks of DG13 against the MRZ and the QR code, with the synthetic CCCD of
//! `shared/CCCD.md` (ID 001090012345, NGUYEN VAN A, born 1 January 1990, expires 2030).

mod common;

use cccd::cross_check::{Disagreement, Field, Source, cross_check};
use cccd::dg13::Dg13;
use cccd::qr::CardQr;
use common::{dg13, field, full_fields, printable, utf8};
use emrtd::mrz::Mrz;

const MRZ: [&str; 3] = [
    "IDVNM0900123450001090012345<<1",
    "9001011M3001019VNM<<<<<<<<<<<2",
    "NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<",
];

const QR: &str =
    "001090012345|012345678|Nguyễn Văn A|01011990|Nam|Phường Bến Nghé, Quận 1|15042021";

fn card(name: &str) -> Dg13 {
    let mut fields = full_fields();
    fields[1] = field(2, utf8(name));
    Dg13::decode(&dg13(&fields)).unwrap()
}

fn mrz(lines: [&str; 3]) -> Mrz {
    Mrz::parse(&lines.concat()).unwrap()
}

fn disagreement(field: Field, other: Source) -> Disagreement {
    Disagreement { field, other }
}

#[test]
fn the_synthetic_card_agrees_with_its_mrz_and_qr() {
    let qr = CardQr::parse(QR).unwrap();
    assert_eq!(
        cross_check(&card("Nguyễn Văn A"), Some(&mrz(MRZ)), Some(&qr)),
        []
    );
}

#[test]
fn a_chip_from_another_card_is_noticed() {
    let other = [
        "IDVNM0900123460001090012346<<1",
        "9001021F3001029VNM<<<<<<<<<<<2",
        "NGUYEN<<VAN<B<<<<<<<<<<<<<<<<<",
    ];
    assert_eq!(
        cross_check(&card("Nguyễn Văn A"), Some(&mrz(other)), None),
        [
            disagreement(Field::IdNumber, Source::Mrz),
            disagreement(Field::Name, Source::Mrz),
            disagreement(Field::DateOfBirth, Source::Mrz),
            disagreement(Field::Gender, Source::Mrz),
            disagreement(Field::DateOfExpiry, Source::Mrz),
        ]
    );
}

#[test]
fn a_qr_code_from_another_card_is_noticed() {
    let qr = CardQr::parse(
        "001090012345|987654321|Trần Văn A|01011990|Nam|Phường Bến Nghé, Quận 1|16042021",
    )
    .unwrap();
    assert_eq!(
        cross_check(&card("Nguyễn Văn A"), None, Some(&qr)),
        [
            disagreement(Field::Name, Source::Qr),
            disagreement(Field::DateOfIssue, Source::Qr),
            disagreement(Field::OldIdNumber, Source::Qr),
        ]
    );
}

#[test]
fn qr_names_without_diacritics_still_agree() {
    let qr = CardQr::parse(
        "001090012345|012345678|NGUYEN VAN A|01011990|Nam|Phuong Ben Nghe, Quan 1|15042021",
    )
    .unwrap();
    assert_eq!(cross_check(&card("Nguyễn Văn A"), None, Some(&qr)), []);
}

#[test]
fn a_long_name_cut_by_the_td1_line_still_agrees() {
    let long = "Tôn Nữ Thị Phương Thảo Hoàng Ngọc Anh";
    let cut = "TON<<NU<THI<PHUONG<THAO<HOANG<NG";
    let line = &cut[..30];
    assert_eq!(line.len(), 30);
    let lines = [MRZ[0], MRZ[1], line];
    assert_eq!(cross_check(&card(long), Some(&mrz(lines)), None), []);
    // A short name that is only a prefix is a different name.
    let short = [MRZ[0], MRZ[1], "TON<<NU<THI<<<<<<<<<<<<<<<<<<<"];
    assert_eq!(
        cross_check(&card(long), Some(&mrz(short)), None),
        [disagreement(Field::Name, Source::Mrz)]
    );
}

#[test]
fn the_old_id_is_compared_only_when_both_carry_one() {
    let mut fields = full_fields();
    fields[1] = field(2, utf8("Nguyễn Văn A"));
    fields[14] = field(15, printable(""));
    let chip = Dg13::decode(&dg13(&fields)).unwrap();
    let qr = CardQr::parse(QR).unwrap();
    assert_eq!(cross_check(&chip, None, Some(&qr)), []);
}
