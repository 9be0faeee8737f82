//! The machine readable zone (ICAO 9303 Parts 3, 5 and 4): check digits, the TD1 (ID card) and
//! TD3 (passport) layouts found in DG1, and `MRZ_information`, the access key BAC and PACE
//! derive from the document number, date of birth and date of expiry.
//!
//! MRZ contents are personal data: `Debug` shows the layout only, and errors name the field
//! that failed, never its value.

use thiserror::Error;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// A field of the MRZ, named in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MrzField {
    /// Document number.
    DocumentNumber,
    /// Date of birth (YYMMDD).
    DateOfBirth,
    /// Date of expiry (YYMMDD).
    DateOfExpiry,
    /// Optional data / personal number with its own check digit (TD3).
    OptionalData,
    /// Composite check digit over several fields.
    Composite,
    /// The MRZ text as a whole.
    Whole,
}

impl core::fmt::Display for MrzField {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::DocumentNumber => "document number",
            Self::DateOfBirth => "date of birth",
            Self::DateOfExpiry => "date of expiry",
            Self::OptionalData => "optional data",
            Self::Composite => "composite",
            Self::Whole => "MRZ",
        })
    }
}

/// Why MRZ text or an access key input was refused.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
pub enum MrzError {
    /// A character outside `0-9 A-Z <`.
    #[error("invalid character in the {0}")]
    InvalidCharacter(MrzField),
    /// A field or the whole MRZ has the wrong length.
    #[error("wrong length of the {0}")]
    WrongLength(MrzField),
    /// A check digit does not match its field.
    #[error("check digit of the {0} does not match")]
    CheckDigit(MrzField),
}

fn char_value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        b'<' => Some(0),
        _ => None,
    }
}

/// The ICAO 9303-3 check digit (weights 7, 3, 1) of `field`, as an ASCII digit.
pub fn check_digit(field: &[u8]) -> Option<u8> {
    let mut sum = 0u32;
    for (i, c) in field.iter().enumerate() {
        let weight = [7, 3, 1][i % 3];
        sum += char_value(*c)? * weight;
    }
    Some(b'0' + (sum % 10) as u8)
}

fn check(field: &[u8], digit: u8, which: MrzField) -> Result<(), MrzError> {
    match check_digit(field) {
        Some(d) if d == digit => Ok(()),
        Some(_) => Err(MrzError::CheckDigit(which)),
        None => Err(MrzError::InvalidCharacter(which)),
    }
}

fn valid_chars(s: &[u8], field: MrzField) -> Result<(), MrzError> {
    if s.iter().all(|c| char_value(*c).is_some()) {
        Ok(())
    } else {
        Err(MrzError::InvalidCharacter(field))
    }
}

fn date_field(s: &str, field: MrzField) -> Result<&[u8], MrzError> {
    let b = s.as_bytes();
    if b.len() != 6 {
        return Err(MrzError::WrongLength(field));
    }
    if !b.iter().all(|c| c.is_ascii_digit() || *c == b'<') {
        return Err(MrzError::InvalidCharacter(field));
    }
    Ok(b)
}

/// `MRZ_information`: document number ‖ check digit ‖ date of birth ‖ check digit ‖ date of
/// expiry ‖ check digit, the password of BAC and of PACE with the MRZ (ICAO 9303-11 §9.7.2).
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct MrzInformation(Vec<u8>);

impl core::fmt::Debug for MrzInformation {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("MrzInformation(<redacted>)")
    }
}

impl MrzInformation {
    /// Builds the key from the three fields as printed (dates as YYMMDD), computing the check
    /// digits. A document number shorter than nine characters is padded with `<`; a longer one
    /// is used whole, as ICAO 9303 prescribes for TD1 extended document numbers.
    pub fn new(
        document_number: &str,
        date_of_birth: &str,
        date_of_expiry: &str,
    ) -> Result<Self, MrzError> {
        let mut number = document_number.trim().to_ascii_uppercase().into_bytes();
        if number.is_empty() {
            return Err(MrzError::WrongLength(MrzField::DocumentNumber));
        }
        valid_chars(&number, MrzField::DocumentNumber)?;
        while number.len() < 9 {
            number.push(b'<');
        }
        let dob = date_field(date_of_birth, MrzField::DateOfBirth)?;
        let doe = date_field(date_of_expiry, MrzField::DateOfExpiry)?;
        let mut out = Vec::with_capacity(number.len() + 15);
        for field in [&number[..], dob, doe] {
            out.extend_from_slice(field);
            out.push(check_digit(field).ok_or(MrzError::InvalidCharacter(MrzField::Whole))?);
        }
        number.zeroize();
        Ok(Self(out))
    }

    /// Accepts a complete `MRZ_information` string (as typed from the MRZ) after checking its
    /// three check digits.
    pub fn parse(text: &str) -> Result<Self, MrzError> {
        let b = text.trim().as_bytes();
        let number_len = b
            .len()
            .checked_sub(14 + 1)
            .filter(|n| *n >= 9)
            .ok_or(MrzError::WrongLength(MrzField::Whole))?;
        let (number, rest) = b.split_at(number_len);
        let (number_cd, rest) = rest.split_at(1);
        let (dob, rest) = rest.split_at(6);
        let (dob_cd, rest) = rest.split_at(1);
        let (doe, doe_cd) = rest.split_at(6);
        valid_chars(b, MrzField::Whole)?;
        for (field, cd, which) in [
            (number, number_cd, MrzField::DocumentNumber),
            (dob, dob_cd, MrzField::DateOfBirth),
            (doe, doe_cd, MrzField::DateOfExpiry),
        ] {
            check(field, cd.first().copied().unwrap_or(0), which)?;
        }
        Ok(Self(b.to_vec()))
    }

    /// The key bytes (ASCII).
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

/// The MRZ layouts of ICAO 9303 an eMRTD's DG1 holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MrzFormat {
    /// ID-1 card: three lines of 30 characters (the CCCD).
    Td1,
    /// ID-2 card: two lines of 36 characters.
    Td2,
    /// Passport: two lines of 44 characters.
    Td3,
}

/// A parsed MRZ. Fields keep the `<` fillers of the printed zone except where noted.
#[derive(Clone, PartialEq, Eq)]
pub struct Mrz {
    /// TD1 or TD3.
    pub format: MrzFormat,
    /// Document code (`ID`, `P<`, ...).
    pub document_code: String,
    /// Issuing state or organisation (`VNM`).
    pub issuing_state: String,
    /// Document number without fillers, extended into the optional data for long TD1 numbers.
    pub document_number: String,
    /// Check digit of the document number as printed.
    document_number_check: u8,
    /// Date of birth, YYMMDD.
    pub date_of_birth: String,
    /// Sex: `M`, `F` or `<`.
    pub sex: char,
    /// Date of expiry, YYMMDD.
    pub date_of_expiry: String,
    /// Nationality.
    pub nationality: String,
    /// Optional data (TD1 line 1, or the TD3 personal number), fillers kept.
    pub optional_data: String,
    /// TD1 line 2 optional data, fillers kept (empty for TD3).
    pub optional_data_2: String,
    /// Primary identifier (surname), fillers turned to spaces.
    pub primary_identifier: String,
    /// Secondary identifier (given names), fillers turned to spaces.
    pub secondary_identifier: String,
    lines: Vec<String>,
}

impl core::fmt::Debug for Mrz {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Mrz")
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

impl Drop for Mrz {
    fn drop(&mut self) {
        self.document_number.zeroize();
        self.date_of_birth.zeroize();
        self.primary_identifier.zeroize();
        self.secondary_identifier.zeroize();
        self.optional_data.zeroize();
        self.lines.zeroize();
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn field(line: &[u8], from: usize, to: usize) -> Result<&[u8], MrzError> {
    line.get(from..to)
        .ok_or(MrzError::WrongLength(MrzField::Whole))
}

fn at(line: &[u8], i: usize) -> Result<u8, MrzError> {
    line.get(i)
        .copied()
        .ok_or(MrzError::WrongLength(MrzField::Whole))
}

fn split_name(name: &[u8]) -> (String, String) {
    let name = text(name);
    let (primary, secondary) = name.split_once("<<").unwrap_or((name.as_str(), ""));
    let clean = |s: &str| s.replace('<', " ").trim().to_string();
    (clean(primary), clean(secondary))
}

impl Mrz {
    /// Parses MRZ text: 90 characters (TD1), 72 (TD2) or 88 (TD3), with or without line breaks.
    /// Check digits are not enforced here; see [`Mrz::verify_check_digits`].
    pub fn parse(mrz: &str) -> Result<Self, MrzError> {
        let compact: Vec<u8> = mrz
            .bytes()
            .filter(|b| !matches!(b, b'\n' | b'\r' | b' '))
            .collect();
        valid_chars(&compact, MrzField::Whole)?;
        match compact.len() {
            90 => Self::parse_td1(&compact),
            72 => Self::parse_two_line(&compact, 36, MrzFormat::Td2),
            88 => Self::parse_two_line(&compact, 44, MrzFormat::Td3),
            _ => Err(MrzError::WrongLength(MrzField::Whole)),
        }
    }

    fn parse_td1(b: &[u8]) -> Result<Self, MrzError> {
        let l1 = field(b, 0, 30)?;
        let l2 = field(b, 30, 60)?;
        let l3 = field(b, 60, 90)?;
        let optional = field(l1, 15, 30)?;
        let mut number = field(l1, 5, 14)?.to_vec();
        let mut number_check = at(l1, 14)?;
        if number_check == b'<' {
            // Extended document number: the rest, its check digit, then fillers.
            let used: Vec<u8> = optional
                .iter()
                .copied()
                .take_while(|c| *c != b'<')
                .collect();
            let (cd, rest) = used
                .split_last()
                .ok_or(MrzError::WrongLength(MrzField::DocumentNumber))?;
            number.extend_from_slice(rest);
            number_check = *cd;
        }
        let (primary, secondary) = split_name(l3);
        Ok(Self {
            format: MrzFormat::Td1,
            document_code: text(field(l1, 0, 2)?),
            issuing_state: text(field(l1, 2, 5)?),
            document_number: text(&number).trim_end_matches('<').to_string(),
            document_number_check: number_check,
            date_of_birth: text(field(l2, 0, 6)?),
            sex: char::from(at(l2, 7)?),
            date_of_expiry: text(field(l2, 8, 14)?),
            nationality: text(field(l2, 15, 18)?),
            optional_data: text(optional),
            optional_data_2: text(field(l2, 18, 29)?),
            primary_identifier: primary,
            secondary_identifier: secondary,
            lines: vec![text(l1), text(l2), text(l3)],
        })
    }

    /// TD2 and TD3 share one layout, differing only in line length (36 or 44).
    fn parse_two_line(b: &[u8], width: usize, format: MrzFormat) -> Result<Self, MrzError> {
        let l1 = field(b, 0, width)?;
        let l2 = field(b, width, 2 * width)?;
        let (primary, secondary) = split_name(field(l1, 5, width)?);
        // TD3 has a 14-character personal number with its own check digit; TD2 has 7
        // characters of optional data and no check digit of their own.
        let optional_end = if format == MrzFormat::Td3 {
            42
        } else {
            width - 1
        };
        Ok(Self {
            format,
            document_code: text(field(l1, 0, 2)?),
            issuing_state: text(field(l1, 2, 5)?),
            document_number: text(field(l2, 0, 9)?).trim_end_matches('<').to_string(),
            document_number_check: at(l2, 9)?,
            nationality: text(field(l2, 10, 13)?),
            date_of_birth: text(field(l2, 13, 19)?),
            sex: char::from(at(l2, 20)?),
            date_of_expiry: text(field(l2, 21, 27)?),
            optional_data: text(field(l2, 28, optional_end)?),
            optional_data_2: String::new(),
            primary_identifier: primary,
            secondary_identifier: secondary,
            lines: vec![text(l1), text(l2)],
        })
    }

    /// Checks every check digit of the zone, naming the first field that fails.
    pub fn verify_check_digits(&self) -> Result<(), MrzError> {
        let mut number = self.document_number.clone().into_bytes();
        while number.len() < 9 {
            number.push(b'<');
        }
        check(
            &number,
            self.document_number_check,
            MrzField::DocumentNumber,
        )?;
        let line = |i: usize| self.lines.get(i).map(|l| l.as_bytes()).unwrap_or(&[]);
        match self.format {
            MrzFormat::Td1 => {
                let (l1, l2) = (line(0), line(1));
                check(field(l2, 0, 6)?, at(l2, 6)?, MrzField::DateOfBirth)?;
                check(field(l2, 8, 14)?, at(l2, 14)?, MrzField::DateOfExpiry)?;
                let mut composite = field(l1, 5, 30)?.to_vec();
                composite.extend_from_slice(field(l2, 0, 7)?);
                composite.extend_from_slice(field(l2, 8, 15)?);
                composite.extend_from_slice(field(l2, 18, 29)?);
                check(&composite, at(l2, 29)?, MrzField::Composite)
            }
            MrzFormat::Td2 | MrzFormat::Td3 => {
                let l2 = line(1);
                let width = l2.len();
                check(field(l2, 13, 19)?, at(l2, 19)?, MrzField::DateOfBirth)?;
                check(field(l2, 21, 27)?, at(l2, 27)?, MrzField::DateOfExpiry)?;
                if self.format == MrzFormat::Td3 {
                    let optional = field(l2, 28, 42)?;
                    let optional_cd = at(l2, 42)?;
                    let all_fillers = optional.iter().all(|c| *c == b'<');
                    if !(all_fillers && optional_cd == b'<') {
                        check(optional, optional_cd, MrzField::OptionalData)?;
                    }
                }
                let last = width
                    .checked_sub(1)
                    .ok_or(MrzError::WrongLength(MrzField::Whole))?;
                let mut composite = field(l2, 0, 10)?.to_vec();
                composite.extend_from_slice(field(l2, 13, 20)?);
                composite.extend_from_slice(field(l2, 21, last)?);
                check(&composite, at(l2, last)?, MrzField::Composite)
            }
        }
    }

    /// The BAC/PACE access key of this document.
    pub fn mrz_information(&self) -> Result<MrzInformation, MrzError> {
        MrzInformation::new(
            &self.document_number,
            &self.date_of_birth,
            &self.date_of_expiry,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const CCCD_REAL_FORMAT: &str = "IDVNM0930470641001093047064<<2\n9301054M3301052VNM<<<<<<<<<<<8\nNGUYEN<<VAN<A<<<<<<<<<<<<<<<<<";
    const CCCD_SYNTHETIC: &str = "IDVNM0900123450001090012345<<1\n9001011M3001019VNM<<<<<<<<<<<2\nNGUYEN<<VAN<A<<<<<<<<<<<<<<<<<";
    // ICAO 9303-4 Appendix A specimen.
    const TD3_SPECIMEN: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";

    #[test]
    fn check_digits_follow_the_7_3_1_weights() {
        assert_eq!(check_digit(b"L898902C<"), Some(b'3'));
        assert_eq!(check_digit(b"690806"), Some(b'1'));
        assert_eq!(check_digit(b"940623"), Some(b'6'));
        assert_eq!(check_digit(b"abc"), None);
    }

    #[test]
    fn mrz_information_of_appendix_d_is_built_from_its_fields() {
        let key = MrzInformation::new("L898902C", "690806", "940623").unwrap();
        assert_eq!(key.as_bytes(), b"L898902C<369080619406236");
        let parsed = MrzInformation::parse("L898902C<369080619406236").unwrap();
        assert_eq!(parsed, key);
    }

    #[test]
    fn mrz_information_with_a_wrong_check_digit_names_the_field() {
        assert_eq!(
            MrzInformation::parse("L898902C<369080619406235"),
            Err(MrzError::CheckDigit(MrzField::DateOfExpiry))
        );
        assert_eq!(
            MrzInformation::parse("L898902C<469080619406236"),
            Err(MrzError::CheckDigit(MrzField::DocumentNumber))
        );
        assert_eq!(
            MrzInformation::parse("L89"),
            Err(MrzError::WrongLength(MrzField::Whole))
        );
        assert_eq!(
            MrzInformation::new("L898902C", "6908O6", "940623"),
            Err(MrzError::InvalidCharacter(MrzField::DateOfBirth))
        );
        assert_eq!(
            MrzInformation::new("", "690806", "940623"),
            Err(MrzError::WrongLength(MrzField::DocumentNumber))
        );
    }

    #[test]
    fn error_messages_carry_no_mrz_content() {
        let err = MrzInformation::parse("L898902C<369080619406235").unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("940623") && !shown.contains("L898902C"));
        let key = MrzInformation::new("L898902C", "690806", "940623").unwrap();
        assert!(!format!("{key:?}").contains("L898902C"));
    }

    #[test]
    fn cccd_td1_parses_with_valid_check_digits() {
        let mrz = Mrz::parse(CCCD_REAL_FORMAT).unwrap();
        assert_eq!(mrz.format, MrzFormat::Td1);
        assert_eq!(mrz.document_code, "ID");
        assert_eq!(mrz.issuing_state, "VNM");
        assert_eq!(mrz.document_number, "093047064");
        assert_eq!(mrz.date_of_birth, "930105");
        assert_eq!(mrz.sex, 'M');
        assert_eq!(mrz.date_of_expiry, "330105");
        assert_eq!(mrz.nationality, "VNM");
        assert_eq!(mrz.optional_data, "001093047064<<2");
        assert_eq!(mrz.primary_identifier, "NGUYEN");
        assert_eq!(mrz.secondary_identifier, "VAN A");
        mrz.verify_check_digits().unwrap();
        assert!(!format!("{mrz:?}").contains("NGUYEN"));
    }

    #[test]
    fn synthetic_cccd_gives_the_documented_mrz_information() {
        let mrz = Mrz::parse(CCCD_SYNTHETIC).unwrap();
        mrz.verify_check_digits().unwrap();
        assert_eq!(
            mrz.mrz_information().unwrap().as_bytes(),
            b"090012345090010113001019"
        );
    }

    #[test]
    fn td3_specimen_parses_and_verifies() {
        let mrz = Mrz::parse(TD3_SPECIMEN).unwrap();
        assert_eq!(mrz.format, MrzFormat::Td3);
        assert_eq!(mrz.document_number, "L898902C3");
        assert_eq!(mrz.nationality, "UTO");
        assert_eq!(mrz.date_of_birth, "740812");
        assert_eq!(mrz.sex, 'F');
        assert_eq!(mrz.date_of_expiry, "120415");
        assert_eq!(mrz.primary_identifier, "ERIKSSON");
        assert_eq!(mrz.secondary_identifier, "ANNA MARIA");
        mrz.verify_check_digits().unwrap();
    }

    #[test]
    fn td2_specimen_parses_and_verifies() {
        let mrz = Mrz::parse(
            "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6",
        )
        .unwrap();
        assert_eq!(mrz.format, MrzFormat::Td2);
        assert_eq!(mrz.document_number, "D23145890");
        assert_eq!(mrz.date_of_expiry, "120415");
        assert_eq!(mrz.optional_data, "<<<<<<<");
        assert_eq!(mrz.secondary_identifier, "ANNA MARIA");
        mrz.verify_check_digits().unwrap();
        let tampered = Mrz::parse(
            "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<5",
        )
        .unwrap();
        assert_eq!(
            tampered.verify_check_digits(),
            Err(MrzError::CheckDigit(MrzField::Composite))
        );
    }

    #[test]
    fn a_tampered_zone_fails_the_composite_or_field_check() {
        let tampered = CCCD_REAL_FORMAT.replace("3301052", "3401052");
        let mrz = Mrz::parse(&tampered).unwrap();
        assert_eq!(
            mrz.verify_check_digits(),
            Err(MrzError::CheckDigit(MrzField::DateOfExpiry))
        );
        let tampered = CCCD_REAL_FORMAT.replace("<<<<<<<<<<<8", "<<<<<<<<<<<7");
        assert_eq!(
            Mrz::parse(&tampered).unwrap().verify_check_digits(),
            Err(MrzError::CheckDigit(MrzField::Composite))
        );
    }

    #[test]
    fn extended_td1_document_number_continues_in_optional_data() {
        // ICAO 9303-5 example of a 12-character document number: D23145890 + 734 + check 9.
        let l1 = "I<UTOD23145890<7349<<<<<<<<<<<";
        let l2 = "7408122F1204159UTO<<<<<<<<<<<6";
        let l3 = "ERIKSSON<<ANNA<MARIA<<<<<<<<<<";
        let mrz = Mrz::parse(&format!("{l1}{l2}{l3}")).unwrap();
        assert_eq!(mrz.document_number, "D23145890734");
        mrz.verify_check_digits().unwrap();
        assert_eq!(
            mrz.mrz_information().unwrap().as_bytes(),
            b"D23145890734974081221204159"
        );
    }

    #[test]
    fn wrong_lengths_and_characters_are_refused() {
        assert_eq!(
            Mrz::parse("IDVNM"),
            Err(MrzError::WrongLength(MrzField::Whole))
        );
        assert_eq!(
            Mrz::parse(&CCCD_REAL_FORMAT.replace('N', "n")),
            Err(MrzError::InvalidCharacter(MrzField::Whole))
        );
    }

    proptest! {
        #[test]
        fn random_mrz_text_never_panics(s in "[A-Z0-9<]{85,92}") {
            if let Ok(mrz) = Mrz::parse(&s) {
                let _ = mrz.verify_check_digits();
                let _ = mrz.mrz_information();
            }
        }

        #[test]
        fn arbitrary_unicode_never_panics(s in "\\PC{0,100}") {
            let _ = Mrz::parse(&s);
            let _ = MrzInformation::parse(&s);
        }
    }
}
