//! Test identities: from a small description of a citizen (a TOML file: 12-digit ID,
//! Vietnamese name with diacritics, dates, places, parents, an optional portrait) build what the
//! card carries — the TD1 MRZ and DG1, DG2, DG13, DG14, DG15, EF.COM, a signed EF.SOD, the CA
//! and AA keys — and the QR payload printed on the same card, so QR and chip agree. The shipped
//! descriptions live in `assets/identities/`.

use crate::asn1::{self, oids};
use crate::chip::{ChipProfile, ReadLimits};
use crate::chip_auth::{ChipKeys, chip_authentication_public_key, derived_scalar_bytes};
use crate::files::{CCCD_CARD_ACCESS, Ef, Files};
use crate::pace::PaceDomain;
use crate::pki::{TestPki, p256_subject_public_key_info};
use crate::tlv;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use thiserror::Error;
use unicode_normalization::UnicodeNormalization;

/// A calendar date; in descriptions written `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
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

impl TryFrom<String> for Date {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        let parts: Vec<&str> = text.split('-').collect();
        let [year, month, day] = parts.as_slice() else {
            return Err("a date is written YYYY-MM-DD".into());
        };
        let (Ok(year), Ok(month), Ok(day)) =
            (year.parse::<u16>(), month.parse::<u8>(), day.parse::<u8>())
        else {
            return Err("a date is written YYYY-MM-DD".into());
        };
        if !(1900..=2099).contains(&year) || !(1..=12).contains(&month) || !(1..=31).contains(&day)
        {
            return Err("date out of range".into());
        }
        Ok(Date::new(year, month, day))
    }
}

/// The holder's sex as the card writes it; in descriptions `male` or `female`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    /// `M` in the MRZ, `Nam` in DG13 and the QR code.
    Male,
    /// `F` in the MRZ, `Nữ` in DG13 and the QR code.
    Female,
}

/// Why an identity description was refused. Names the problem, never the personal data.
#[derive(Debug, Error)]
pub enum IdentityError {
    /// The file could not be read.
    #[error("cannot read the identity description: {0}")]
    Io(#[from] std::io::Error),
    /// The TOML does not describe an identity (unknown or missing field, bad date).
    #[error("malformed identity description: {0}")]
    Malformed(String),
    /// The ID number is not 12 digits.
    #[error("the ID number must be 12 digits")]
    IdNumber,
    /// The CAN is not 6 digits.
    #[error("the CAN must be 6 digits")]
    Can,
    /// The old ID number is not 9 digits.
    #[error("the old ID number (CMND) must be 9 digits")]
    OldIdNumber,
}

/// A citizen as printed on and stored in a CCCD. Personal data: no `Debug`.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
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
    #[serde(default)]
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
    /// The portrait for DG2 (JPEG or JPEG 2000 bytes); without one the card has no DG2.
    #[serde(skip)]
    pub portrait: Option<Vec<u8>>,
    /// In a description, `portrait = "file.jpg"`: the portrait's file, relative to the
    /// description; [`Identity::from_file`] loads it into `portrait`.
    #[serde(default, rename = "portrait")]
    pub portrait_file: Option<PathBuf>,
}

/// The ordinary identities shipped with the simulator (`assets/identities/NAME.toml`): cards
/// whose MRZ key the QR code's data derives.
pub const BUILTIN: [&str; 2] = ["nguyen-van-a", "tran-thi-bich-ngoc"];

/// Shipped identities for edge cases, also loaded by [`Identity::builtin`]: `le-van-cuong` is
/// past 60, his card has no expiry, so no MRZ key follows from the QR code (PACE with the CAN,
/// or typed data, opens it).
pub const EDGE_CASES: [&str; 1] = ["le-van-cuong"];

impl Identity {
    /// A shipped identity by name (see [`BUILTIN`]), from `assets/identities/NAME.toml` and
    /// the portrait it names (`NAME.jpg` beside it), both compiled in.
    pub fn builtin(name: &str) -> Option<Identity> {
        let (text, portrait): (&str, &[u8]) = match name {
            "nguyen-van-a" => (
                include_str!("../../../assets/identities/nguyen-van-a.toml"),
                include_bytes!("../../../assets/identities/nguyen-van-a.jpg"),
            ),
            "tran-thi-bich-ngoc" => (
                include_str!("../../../assets/identities/tran-thi-bich-ngoc.toml"),
                include_bytes!("../../../assets/identities/tran-thi-bich-ngoc.jpg"),
            ),
            "le-van-cuong" => (
                include_str!("../../../assets/identities/le-van-cuong.toml"),
                include_bytes!("../../../assets/identities/le-van-cuong.jpg"),
            ),
            _ => return None,
        };
        let mut identity = Identity::from_toml(text, None).ok()?;
        if identity.portrait_file.is_some() {
            identity.portrait = Some(portrait.to_vec());
        }
        Some(identity)
    }

    /// Parses a description; a `portrait` is read relative to `folder` (none without a folder).
    pub fn from_toml(text: &str, folder: Option<&Path>) -> Result<Identity, IdentityError> {
        let mut identity: Identity = toml::from_str(text)
            .map_err(|err| IdentityError::Malformed(err.message().to_string()))?;
        let digits =
            |text: &str, len: usize| text.len() == len && text.bytes().all(|b| b.is_ascii_digit());
        if !digits(&identity.id_number, 12) {
            return Err(IdentityError::IdNumber);
        }
        if identity.can.as_deref().is_some_and(|can| !digits(can, 6)) {
            return Err(IdentityError::Can);
        }
        if identity
            .old_id_number
            .as_deref()
            .is_some_and(|old| !digits(old, 9))
        {
            return Err(IdentityError::OldIdNumber);
        }
        if let (Some(file), Some(folder)) = (&identity.portrait_file, folder) {
            identity.portrait = Some(std::fs::read(folder.join(file))?);
        }
        Ok(identity)
    }

    /// Reads a description file (and the portrait it names, next to it).
    pub fn from_file(path: &Path) -> Result<Identity, IdentityError> {
        let text = std::fs::read_to_string(path)?;
        Identity::from_toml(&text, Some(path.parent().unwrap_or(Path::new("."))))
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

    /// EF.COM: LDS 1.7, Unicode 4.0.0, and the data groups of a CCCD (DG2 only with a
    /// portrait).
    pub fn ef_com(&self) -> Vec<u8> {
        let mut body = tlv::encode(&[0x5F, 0x01], b"0107");
        body.extend(tlv::encode(&[0x5F, 0x36], b"040000"));
        let tags: Vec<u8> = [0x61, 0x75, 0x63, 0x6D, 0x6E, 0x6F]
            .into_iter()
            .filter(|tag| *tag != 0x75 || self.portrait.is_some())
            .collect();
        body.extend(tlv::encode(&[0x5C], &tags));
        tlv::encode(&[0x60], &body)
    }

    /// DG2: the portrait in an ISO/IEC 19794-5 facial record inside the biometric
    /// information template of ICAO 9303-10 (`75 { 7F61 { 02 count, 7F60 { A1 header,
    /// 5F2E data } } }`).
    pub fn dg2(&self) -> Option<Vec<u8>> {
        let image = self.portrait.as_ref()?;
        let jpeg2000 = image.starts_with(&[0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50])
            || image.starts_with(&[0xFF, 0x4F, 0xFF, 0x51]);
        let (width, height) = jpeg_dimensions(image).unwrap_or((0, 0));
        let image_information_len = 12;
        let facial_information_len = 20;
        let facial_data_len = facial_information_len + image_information_len + image.len();
        let record_len = 14 + facial_data_len;
        let mut record = Vec::with_capacity(record_len);
        record.extend_from_slice(b"FAC\x00010\x00");
        record.extend_from_slice(&u32::try_from(record_len).unwrap_or(u32::MAX).to_be_bytes());
        record.extend_from_slice(&1u16.to_be_bytes());
        record.extend_from_slice(
            &u32::try_from(facial_data_len)
                .unwrap_or(u32::MAX)
                .to_be_bytes(),
        );
        record.extend_from_slice(&0u16.to_be_bytes()); // feature points
        record.push(match self.sex {
            Sex::Male => 1,
            Sex::Female => 2,
        });
        record.extend_from_slice(&[0, 0]); // eye and hair colour unspecified
        record.extend_from_slice(&[0, 0, 0]); // property mask
        record.extend_from_slice(&[0, 0]); // expression unspecified
        record.extend_from_slice(&[0, 0, 0, 0, 0, 0]); // pose angles and their uncertainty
        record.push(1); // full frontal
        record.push(u8::from(jpeg2000));
        record.extend_from_slice(&width.to_be_bytes());
        record.extend_from_slice(&height.to_be_bytes());
        record.push(1); // 24-bit RGB
        record.push(2); // digital still camera
        record.extend_from_slice(&[0, 0, 0, 0]); // device type, quality
        record.extend_from_slice(image);
        let header = [
            tlv::encode(&[0x80], &[0x01, 0x01]),
            tlv::encode(&[0x81], &[0x02]),
            tlv::encode(&[0x87], &[0x01, 0x01]),
            tlv::encode(&[0x88], &[0x00, 0x08]),
        ]
        .concat();
        let instance = [
            tlv::encode(&[0xA1], &header),
            tlv::encode(&[0x5F, 0x2E], &record),
        ]
        .concat();
        let group = [
            vec![0x02, 0x01, 0x01],
            tlv::encode(&[0x7F, 0x60], &instance),
        ]
        .concat();
        Some(tlv::encode(&[0x75], &tlv::encode(&[0x7F, 0x61], &group)))
    }

    /// DG14: the Chip Authentication protocol and public key (brainpoolP256r1), and the
    /// Active Authentication signature algorithm (ECDSA with SHA-256, plain format).
    pub fn dg14(keys: &ChipKeys) -> Option<Vec<u8>> {
        let public = chip_authentication_public_key(&keys.chip_authentication)?;
        let ca_info =
            asn1::sequence(&[asn1::oid(oids::CA_ECDH_AES_CBC_CMAC_128), asn1::integer(1)]);
        let ca_key = asn1::sequence(&[
            asn1::oid(oids::PK_ECDH),
            asn1::sequence(&[
                asn1::algorithm_with(oids::EC_PUBLIC_KEY, asn1::oid(oids::BRAINPOOL_P256R1)),
                asn1::bit_string(&public),
            ]),
        ]);
        let aa_info = asn1::sequence(&[
            asn1::oid(oids::AA_PROTOCOL),
            asn1::integer(1),
            asn1::oid(oids::ECDSA_PLAIN_SHA256),
        ]);
        Some(tlv::encode(
            &[0x6E],
            &asn1::set_of(&[ca_info, ca_key, aa_info]),
        ))
    }

    /// DG15: the Active Authentication public key (P-256 SubjectPublicKeyInfo).
    pub fn dg15(keys: &ChipKeys) -> Option<Vec<u8>> {
        let key = p256::ecdsa::SigningKey::from_slice(&keys.active_authentication).ok()?;
        Some(tlv::encode(&[0x6F], &p256_subject_public_key_info(&key)))
    }

    /// The chip's CA and AA private keys, derived from the ID number.
    pub fn chip_keys(&self) -> ChipKeys {
        ChipKeys {
            chip_authentication: derived_scalar_bytes(&format!("cardsim CA {}", self.id_number)),
            active_authentication: derived_scalar_bytes(&format!("cardsim AA {}", self.id_number)),
        }
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

    /// The chip for this identity, its SOD signed by the shipped test CSCA's document signer.
    pub fn profile(&self, limits: ReadLimits) -> ChipProfile {
        self.profile_signed_by(limits, &TestPki::test_csca())
    }

    /// The chip for this identity: EF.CardAccess as on a CCCD, EF.COM, DG1, DG2 (with a
    /// portrait), the EAC-protected DG3, DG13, DG14, DG15 and an EF.SOD over the data groups
    /// signed by `issuer`; BAC, PACE on brainpoolP256r1, Chip and Active Authentication.
    pub fn profile_signed_by(&self, limits: ReadLimits, issuer: &TestPki) -> ChipProfile {
        let keys = self.chip_keys();
        let mut groups: Vec<(u8, Vec<u8>)> = vec![(1, self.dg1())];
        if let Some(dg2) = self.dg2() {
            groups.push((2, dg2));
        }
        groups.push((3, tlv::encode(&[0x63], &[])));
        groups.push((13, self.dg13()));
        groups.extend(Self::dg14(&keys).map(|dg14| (14, dg14)));
        groups.extend(Self::dg15(&keys).map(|dg15| (15, dg15)));
        let hashed: Vec<(u8, &[u8])> = groups
            .iter()
            .map(|(n, bytes)| (*n, bytes.as_slice()))
            .collect();
        let sod = issuer.sign_sod(&hashed);
        let mut files = Files::new()
            .with(Ef::CardAccess, CCCD_CARD_ACCESS.to_vec())
            .with(Ef::Com, self.ef_com())
            .with(Ef::Sod, sod);
        for (number, bytes) in groups {
            files.insert(Ef::Dg(number), bytes);
        }
        ChipProfile {
            keys: Some(keys),
            files,
            mrz_information: self.mrz_information(),
            can: self.can.clone(),
            limits,
            pace_domains: vec![PaceDomain::BrainpoolP256r1],
            faults: crate::faults::Faults::default(),
        }
    }
}

/// Width and height from a JPEG's start-of-frame segment.
fn jpeg_dimensions(image: &[u8]) -> Option<(u16, u16)> {
    let mut pos = 2;
    while pos + 9 < image.len() {
        if *image.get(pos)? != 0xFF {
            return None;
        }
        let marker = *image.get(pos + 1)?;
        let length = usize::from(u16::from_be_bytes([
            *image.get(pos + 2)?,
            *image.get(pos + 3)?,
        ]));
        if matches!(marker, 0xC0..=0xC3) {
            let height = u16::from_be_bytes([*image.get(pos + 5)?, *image.get(pos + 6)?]);
            let width = u16::from_be_bytes([*image.get(pos + 7)?, *image.get(pos + 8)?]);
            return Some((width, height));
        }
        pos += 2 + length;
    }
    None
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
        assert_eq!(identity.ef_com().len(), 26, "DG2 listed with the portrait");
        let without_portrait = Identity {
            portrait: None,
            ..identity.clone()
        };
        assert_eq!(
            without_portrait.ef_com().len(),
            25,
            "no portrait, no DG2 in the list"
        );
        let dg13 = identity.dg13();
        assert_eq!(dg13.first(), Some(&0x6D));
        assert!((300..=600).contains(&dg13.len()), "{}", dg13.len());
        let (object, rest) = tlv::parse_one(&dg13).unwrap();
        assert!(rest.is_empty());
        assert_eq!(object.value.len() + 4, dg13.len());
    }

    /// The start of a baseline JPEG: SOI, an APP0 segment, SOF0 for 480 x 640, then filler.
    fn tiny_jpeg() -> Vec<u8> {
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x4A, 0x46];
        jpeg.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08, 0x02, 0x80, 0x01, 0xE0, 0x03]);
        jpeg.extend_from_slice(&[0x00; 15_000]);
        jpeg
    }

    #[test]
    fn dg2_wraps_the_portrait_in_an_iso_19794_5_record() {
        let identity = Identity {
            portrait: Some(tiny_jpeg()),
            ..Identity::builtin("tran-thi-bich-ngoc").unwrap()
        };
        let dg2 = identity.dg2().unwrap();
        let (outer, rest) = tlv::parse_one(&dg2).unwrap();
        assert_eq!((outer.tag, rest.len()), (0x75, 0));
        let (group, _) = tlv::parse_one(outer.value).unwrap();
        assert_eq!(group.tag, 0x7F61);
        let parts = tlv::parse_all(group.value).unwrap();
        assert_eq!((parts[0].tag, parts[0].value), (0x02, &[1u8][..]));
        let instance = tlv::parse_all(parts[1].value).unwrap();
        assert_eq!((instance[0].tag, instance[1].tag), (0xA1, 0x5F2E));
        let record = instance[1].value;
        assert_eq!(&record[..8], b"FAC\x00010\x00");
        assert_eq!(
            u32::from_be_bytes(record[8..12].try_into().unwrap()) as usize,
            record.len()
        );
        assert_eq!(record[14 + 6], 2, "female");
        let image_info = &record[14 + 20..14 + 32];
        assert_eq!(
            (image_info[1], &image_info[2..6]),
            (0, &[0x01, 0xE0, 0x02, 0x80][..]),
            "JPEG 480 x 640"
        );
        assert_eq!(&record[14 + 32..], &tiny_jpeg()[..]);
        let without = Identity {
            portrait: None,
            ..identity
        };
        assert!(without.dg2().is_none());
    }

    #[test]
    fn every_shipped_identity_has_its_own_cccd_sized_jpeg_portrait_in_dg2() {
        let mut portraits = Vec::new();
        for name in BUILTIN.iter().chain(&EDGE_CASES) {
            let identity = Identity::builtin(name).unwrap();
            let portrait = identity.portrait.clone().unwrap();
            assert!(portrait.starts_with(&[0xFF, 0xD8]), "{name}: a JPEG");
            assert!(
                (15_000..=25_000).contains(&portrait.len()),
                "{name}: {} bytes",
                portrait.len()
            );
            assert_eq!(jpeg_dimensions(&portrait), Some((360, 480)), "{name}");
            let dg2 = identity.dg2().unwrap();
            assert!(
                dg2.windows(portrait.len())
                    .any(|w| w == portrait.as_slice())
            );
            assert!(!portraits.contains(&portrait), "{name}: its own portrait");
            portraits.push(portrait);
        }
    }

    #[test]
    fn the_profile_carries_an_sod_over_every_data_group() {
        let identity = Identity::builtin("nguyen-van-a").unwrap();
        let profile = identity.profile(ReadLimits::default());
        let sod = profile.files.get(Ef::Sod).unwrap();
        assert_eq!(sod.first(), Some(&0x77));
        for dg in [1u8, 2, 3, 13, 14, 15] {
            let file = profile.files.get(Ef::Dg(dg)).unwrap();
            let digest = <sha2::Sha256 as sha2::Digest>::digest(file);
            assert!(
                sod.windows(32).any(|w| w == digest.as_slice()),
                "DG{dg} hash in SOD"
            );
        }
        assert!(profile.keys.is_some());
    }

    #[test]
    fn every_shipped_description_loads() {
        for name in BUILTIN.iter().chain(&EDGE_CASES) {
            let identity = Identity::builtin(name).unwrap_or_else(|| panic!("{name} loads"));
            assert_eq!(
                identity.mrz_lines().iter().map(String::len).sum::<usize>(),
                90
            );
        }
        assert!(Identity::builtin("nobody").is_none());
    }

    #[test]
    fn a_card_past_sixty_has_no_expiry_anywhere() {
        let identity = Identity::builtin("le-van-cuong").unwrap();
        assert_eq!(identity.mrz_lines()[1], "5503207M<<<<<<0VNM<<<<<<<<<<<6");
        let dg13 = identity.dg13();
        assert!(
            dg13.windows("Không thời hạn".len())
                .any(|w| w == "Không thời hạn".as_bytes())
        );
        assert!(
            dg13.windows("Vũ Thị Lan".len())
                .any(|w| w == "Vũ Thị Lan".as_bytes()),
            "spouse in field 14"
        );
    }

    #[test]
    fn descriptions_are_checked_and_errors_name_no_personal_data() {
        let good = include_str!("../../../assets/identities/nguyen-van-a.toml");
        let short_id = good.replace("001090012345", "00109001234");
        let err = Identity::from_toml(&short_id, None).err().unwrap();
        assert!(matches!(err, IdentityError::IdNumber));
        assert!(!err.to_string().contains("00109001234"));
        let bad_date = good.replace("1990-01-01", "1990-13-01");
        assert!(matches!(
            Identity::from_toml(&bad_date, None),
            Err(IdentityError::Malformed(_))
        ));
        let unknown_field = format!("{good}\nnickname = \"A\"\n");
        assert!(matches!(
            Identity::from_toml(&unknown_field, None),
            Err(IdentityError::Malformed(_))
        ));
        let bad_can = good.replace("can = \"012345\"", "can = \"12345\"");
        assert!(matches!(
            Identity::from_toml(&bad_can, None),
            Err(IdentityError::Can)
        ));
    }

    #[test]
    fn a_description_file_brings_its_portrait_along() {
        let folder = std::env::temp_dir().join(format!("cardsim-identity-{}", std::process::id()));
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("face.jpg"), tiny_jpeg()).unwrap();
        let text = include_str!("../../../assets/identities/tran-thi-bich-ngoc.toml").replace(
            "portrait = \"tran-thi-bich-ngoc.jpg\"",
            "portrait = \"face.jpg\"",
        );
        std::fs::write(folder.join("ngoc.toml"), text).unwrap();
        let identity = Identity::from_file(&folder.join("ngoc.toml")).unwrap();
        assert_eq!(identity.portrait, Some(tiny_jpeg()));
        assert!(identity.dg2().is_some());
        std::fs::remove_dir_all(&folder).unwrap();
    }
}
