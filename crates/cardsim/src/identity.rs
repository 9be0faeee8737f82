//! Test identities: from a small description of a citizen (12-digit ID, Vietnamese name with
//! diacritics, dates, places, parents) build what the card carries — the TD1 MRZ and DG1,
//! DG13, EF.COM — and the QR payload printed on the same card, so QR and chip agree.

use crate::chip::{ChipProfile, ReadLimits};
use crate::files::{CCCD_CARD_ACCESS, Ef, Files};
use crate::pace::PaceDomain;
use crate::tlv;
use unicode_normalization::UnicodeNormalization;

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date {
    /// Four-digit year.
    pub year: u16,
    /// 1–12.
    pub month: u8,
    /// 1–31.
    pub day: u8,
}

impl Date {
    /// A date (not validated beyond its fields' ranges by the caller).
    pub const fn new(year: u16, month: u8, day: u8) -> Self {
        Self { year, month, day }
    }

    fn yymmdd(self) -> String {
        format!("{:02}{:02}{:02}", self.year % 100, self.month, self.day)
    }

    fn slashed(self) -> String {
        format!("{:02}/{:02}/{:04}", self.day, self.month, self.year)
    }

    fn compact(self) -> String {
        format!("{:02}{:02}{:04}", self.day, self.month, self.year)
    }
}

/// The holder's sex as the card writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    /// `M` in the MRZ, `Nam` in DG13 and the QR code.
    Male,
    /// `F` in the MRZ, `Nữ` in DG13 and the QR code.
    Female,
}

/// A citizen as printed on and stored in a CCCD. Personal data: no `Debug`.
#[derive(Clone)]
pub struct Identity {
    /// The 12-digit personal identification number.
    pub id_number: String,
    /// Full name, with diacritics.
    pub full_name: String,
    /// Date of birth.
    pub date_of_birth: Date,
    /// Sex.
    pub sex: Sex,
    /// Ethnicity, e.g. `Kinh`.
    pub ethnicity: String,
    /// Religion, e.g. `Không`.
    pub religion: String,
    /// Place of origin (quê quán).
    pub place_of_origin: String,
    /// Place of residence.
    pub place_of_residence: String,
    /// Identifying marks (may be empty).
    pub identifying_marks: String,
    /// Date of issue.
    pub date_of_issue: Date,
    /// Date of expiry; `None` for cards without one (holder past 60).
    pub date_of_expiry: Option<Date>,
    /// Father's name.
    pub father: String,
    /// Mother's name.
    pub mother: String,
    /// Spouse's name, if any.
    pub spouse: Option<String>,
    /// The old 9-digit ID (CMND), if the holder had one.
    pub old_id_number: Option<String>,
    /// The card access number for PACE, if the card has one.
    pub can: Option<String>,
}

/// The names of the identities shipped with the simulator.
pub const BUILTIN: [&str; 2] = ["nguyen-van-a", "tran-thi-bich-ngoc"];

impl Identity {
    /// A shipped identity by name (see [`BUILTIN`]).
    pub fn builtin(name: &str) -> Option<Identity> {
        match name {
            "nguyen-van-a" => Some(Identity {
                id_number: "001090012345".into(),
                full_name: "Nguyễn Văn A".into(),
                date_of_birth: Date::new(1990, 1, 1),
                sex: Sex::Male,
                ethnicity: "Kinh".into(),
                religion: "Không".into(),
                place_of_origin: "Xã Phù Đổng, Huyện Gia Lâm, Hà Nội".into(),
                place_of_residence: "Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh".into(),
                identifying_marks: "Nốt ruồi C:2cm trên trước đầu lông mày trái".into(),
                date_of_issue: Date::new(2021, 4, 15),
                date_of_expiry: Some(Date::new(2030, 1, 1)),
                father: "Nguyễn Văn B".into(),
                mother: "Lê Thị C".into(),
                spouse: None,
                old_id_number: Some("012345678".into()),
                can: Some("012345".into()),
            }),
            "tran-thi-bich-ngoc" => Some(Identity {
                id_number: "079303001234".into(),
                full_name: "Trần Thị Bích Ngọc".into(),
                date_of_birth: Date::new(2003, 8, 15),
                sex: Sex::Female,
                ethnicity: "Kinh".into(),
                religion: "Phật giáo".into(),
                place_of_origin: "Phường Hương Sơ, TP. Huế, Thừa Thiên Huế".into(),
                place_of_residence: "Số 12 Đường Lê Lợi, Phường Bến Thành, Quận 1, TP. Hồ Chí Minh"
                    .into(),
                identifying_marks: String::new(),
                date_of_issue: Date::new(2021, 6, 2),
                date_of_expiry: Some(Date::new(2028, 8, 15)),
                father: "Trần Văn Đức".into(),
                mother: "Phạm Thị Hoa".into(),
                spouse: None,
                old_id_number: None,
                can: None,
            }),
            _ => None,
        }
    }

    /// The document number in the MRZ: the last 9 digits of the 12-digit ID.
    fn document_number(&self) -> &str {
        self.id_number
            .get(self.id_number.len().saturating_sub(9)..)
            .unwrap_or_default()
    }

    /// The three lines of the TD1 MRZ, 30 characters each.
    pub fn mrz_lines(&self) -> [String; 3] {
        let document = self.document_number();
        let id_digit = check_digit(&self.id_number);
        let line1 = pad_mrz(format!(
            "IDVNM{document}{}{}<<{id_digit}",
            check_digit(document),
            self.id_number
        ));
        let birth = self.date_of_birth.yymmdd();
        let expiry = self
            .date_of_expiry
            .map_or_else(|| "<<<<<<".to_string(), Date::yymmdd);
        let sex = match self.sex {
            Sex::Male => 'M',
            Sex::Female => 'F',
        };
        let line2_head = format!(
            "{birth}{}{sex}{expiry}{}VNM",
            check_digit(&birth),
            check_digit(&expiry)
        );
        let line2_body = pad_mrz_to(line2_head, 29);
        let composite: String = [
            line1.get(5..30).unwrap_or_default(),
            line2_body.get(0..7).unwrap_or_default(),
            line2_body.get(8..15).unwrap_or_default(),
            line2_body.get(18..29).unwrap_or_default(),
        ]
        .concat();
        let line2 = format!("{line2_body}{}", check_digit(&composite));
        [line1, line2, pad_mrz(mrz_name(&self.full_name))]
    }

    /// MRZ_information, the BAC/PACE secret: document number ‖ cd ‖ birth ‖ cd ‖ expiry ‖ cd.
    pub fn mrz_information(&self) -> String {
        let [_, line2, _] = self.mrz_lines();
        let document = self.document_number();
        format!(
            "{document}{}{}{}",
            check_digit(document),
            line2.get(0..7).unwrap_or_default(),
            line2.get(8..15).unwrap_or_default()
        )
    }

    /// The QR payload printed on a 2021–2024 CCCD.
    pub fn qr_payload(&self) -> String {
        format!(
            "{}|{}|{}|{}|{}|{}|{}",
            self.id_number,
            self.old_id_number.as_deref().unwrap_or_default(),
            self.full_name,
            self.date_of_birth.compact(),
            sex_text(self.sex),
            self.place_of_residence,
            self.date_of_issue.compact()
        )
    }

    /// EF.COM: LDS 1.7, Unicode 4.0.0, and the data groups of a CCCD.
    pub fn ef_com(&self) -> Vec<u8> {
        let mut body = tlv::encode(&[0x5F, 0x01], b"0107");
        body.extend(tlv::encode(&[0x5F, 0x36], b"040000"));
        body.extend(tlv::encode(&[0x5C], &[0x61, 0x75, 0x63, 0x6D, 0x6E, 0x6F]));
        tlv::encode(&[0x60], &body)
    }

    /// DG1: the MRZ in `61 { 5F1F mrz }`.
    pub fn dg1(&self) -> Vec<u8> {
        let mrz: String = self.mrz_lines().concat();
        tlv::encode(&[0x61], &tlv::encode(&[0x5F, 0x1F], mrz.as_bytes()))
    }

    /// DG13: `6D { version, SEQUENCE { SEQUENCE { INTEGER n, value } ... } }` per CCCD.md.
    pub fn dg13(&self) -> Vec<u8> {
        let utf8 = |text: &str| tlv::encode(&[0x0C], text.nfc().collect::<String>().as_bytes());
        let printable = |text: &str| tlv::encode(&[0x13], text.as_bytes());
        let sequence = |parts: &[Vec<u8>]| tlv::encode(&[0x30], &parts.concat());
        let field = |number: u8, value: Vec<u8>| sequence(&[vec![0x02, 0x01, number], value]);
        let expiry = self
            .date_of_expiry
            .map_or_else(|| "Không thời hạn".to_string(), Date::slashed);
        let fields = [
            field(1, printable(&self.id_number)),
            field(2, utf8(&self.full_name)),
            field(3, printable(&self.date_of_birth.slashed())),
            field(4, utf8(sex_text(self.sex))),
            field(5, utf8("Việt Nam")),
            field(6, utf8(&self.ethnicity)),
            field(7, utf8(&self.religion)),
            field(8, utf8(&self.place_of_origin)),
            field(9, utf8(&self.place_of_residence)),
            field(10, utf8(&self.identifying_marks)),
            field(11, printable(&self.date_of_issue.slashed())),
            field(12, utf8(&expiry)),
            field(
                13,
                sequence(&[
                    sequence(&[utf8(&self.father)]),
                    sequence(&[utf8(&self.mother)]),
                ]),
            ),
            field(
                14,
                sequence(&self.spouse.iter().map(|s| utf8(s)).collect::<Vec<_>>()),
            ),
            field(
                15,
                printable(self.old_id_number.as_deref().unwrap_or_default()),
            ),
        ];
        let mut body = vec![0x02, 0x01, 0x01];
        body.extend(sequence(&fields));
        tlv::encode(&[0x6D], &body)
    }

    /// The chip for this identity: EF.CardAccess as on a CCCD, EF.COM, DG1, DG13 and the
    /// EAC-protected DG3; BAC and PACE on brainpoolP256r1.
    pub fn profile(&self, limits: ReadLimits) -> ChipProfile {
        let files = Files::new()
            .with(Ef::CardAccess, CCCD_CARD_ACCESS.to_vec())
            .with(Ef::Com, self.ef_com())
            .with(Ef::Dg(1), self.dg1())
            .with(Ef::Dg(3), tlv::encode(&[0x63], &[]))
            .with(Ef::Dg(13), self.dg13());
        ChipProfile {
            files,
            mrz_information: self.mrz_information(),
            can: self.can.clone(),
            limits,
            pace_domains: vec![PaceDomain::BrainpoolP256r1],
            faults: crate::faults::Faults::default(),
        }
    }
}

fn sex_text(sex: Sex) -> &'static str {
    match sex {
        Sex::Male => "Nam",
        Sex::Female => "Nữ",
    }
}

/// ICAO 9303-3 check digit: weights 7, 3, 1; digits as themselves, A–Z as 10–35, `<` as 0.
pub fn check_digit(field: &str) -> char {
    let sum: u32 = field
        .chars()
        .zip([7u32, 3, 1].iter().cycle())
        .map(|(c, weight)| {
            let value = match c {
                '0'..='9' => u32::from(c) - u32::from('0'),
                'A'..='Z' => u32::from(c) - u32::from('A') + 10,
                _ => 0,
            };
            value * weight
        })
        .sum();
    char::from_digit(sum % 10, 10).unwrap_or('0')
}

fn pad_mrz(text: String) -> String {
    pad_mrz_to(text, 30)
}

fn pad_mrz_to(mut text: String, len: usize) -> String {
    text.truncate(len);
    while text.len() < len {
        text.push('<');
    }
    text
}

/// The MRZ name field: diacritics dropped, `Đ` as `D`, surname `<<` given names.
fn mrz_name(full_name: &str) -> String {
    let plain: String = full_name
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .map(|c| match c {
            'Đ' | 'đ' => 'D',
            other => other.to_ascii_uppercase(),
        })
        .collect();
    let mut words = plain.split_whitespace();
    let surname = words.next().unwrap_or_default();
    let given: Vec<&str> = words.collect();
    format!("{surname}<<{}", given.join("<"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mrz_matches_the_synthetic_cccd_of_cccd_md() {
        let identity = Identity::builtin("nguyen-van-a").unwrap();
        let [l1, l2, l3] = identity.mrz_lines();
        assert_eq!(l1, "IDVNM0900123450001090012345<<1");
        assert_eq!(l2, "9001011M3001019VNM<<<<<<<<<<<2");
        assert_eq!(l3, "NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<");
        assert_eq!(identity.mrz_information(), "090012345090010113001019");
    }

    #[test]
    fn check_digits_match_the_real_format_example() {
        assert_eq!(check_digit("093047064"), '1');
        assert_eq!(check_digit("001093047064"), '2');
        assert_eq!(check_digit("930105"), '4');
        assert_eq!(check_digit("L898902C<"), '3');
    }

    #[test]
    fn names_lose_diacritics_in_the_mrz_only() {
        let identity = Identity::builtin("tran-thi-bich-ngoc").unwrap();
        assert_eq!(identity.mrz_lines()[2], "TRAN<<THI<BICH<NGOC<<<<<<<<<<<");
        assert_eq!(mrz_name("Đặng Đức"), "DANG<<DUC");
        assert!(
            identity
                .qr_payload()
                .contains("Trần Thị Bích Ngọc|15082003|Nữ|")
        );
        assert!(
            identity.qr_payload().starts_with("079303001234||"),
            "no CMND leaves an empty slot"
        );
    }

    #[test]
    fn dg1_and_com_have_the_cccd_sizes() {
        let identity = Identity::builtin("nguyen-van-a").unwrap();
        assert_eq!(identity.dg1().len(), 95);
        assert_eq!(identity.ef_com().len(), 26);
        let dg13 = identity.dg13();
        assert_eq!(dg13.first(), Some(&0x6D));
        assert!((300..=600).contains(&dg13.len()), "{}", dg13.len());
        let (object, rest) = tlv::parse_one(&dg13).unwrap();
        assert!(rest.is_empty());
        assert_eq!(object.value.len() + 4, dg13.len());
    }
}
