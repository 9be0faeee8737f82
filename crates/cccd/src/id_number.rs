//! The 12-digit personal identification number (số định danh cá nhân) printed on the card and
//! held in the chip.
//!
//! Layout (Circular 07/2016/TT-BCA, kept by the 2023 Law on Identification): 3 digits of the
//! birth province, 1 digit for century and gender (0/1 = 1900s male/female, 2/3 = 2000s, 4/5 =
//! 2100s, 6/7 = 2200s, 8/9 = 2300s), 2 digits of the birth year, 6 serial digits. Unknown
//! province codes are accepted: the list changes when provinces merge.

use std::fmt;

use thiserror::Error;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::date::Date;
use crate::personal::Gender;

/// A syntactically valid 12-digit ID number. `Debug` shows only its last three digits.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct IdNumber([u8; 12]);

/// Why a string is not an ID number. Carries no part of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum IdNumberError {
    #[error("an ID number has exactly 12 digits")]
    WrongLength,
    #[error("an ID number has only the digits 0-9")]
    NotDigits,
}

impl IdNumber {
    /// Reads 12 ASCII digits, ignoring surrounding whitespace.
    pub fn parse(text: &str) -> Result<Self, IdNumberError> {
        let text = text.trim();
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdNumberError::NotDigits);
        }
        let digits: [u8; 12] = text
            .as_bytes()
            .try_into()
            .map_err(|_| IdNumberError::WrongLength)?;
        Ok(Self(digits))
    }

    /// The digits. Callers own the duty not to log them.
    pub fn expose(&self) -> &str {
        // Only ASCII digits are ever stored, so this cannot fail; fall back to "" regardless.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The birth-province code (first three digits), e.g. 1 for Hà Nội, 79 for Hồ Chí Minh City.
    pub fn province_code(&self) -> u16 {
        self.0[..3]
            .iter()
            .fold(0, |acc, d| acc * 10 + u16::from(d - b'0'))
    }

    pub fn gender(&self) -> Gender {
        if (self.0[3] - b'0') % 2 == 0 {
            Gender::Male
        } else {
            Gender::Female
        }
    }

    /// The full birth year encoded by the century digit and the two year digits.
    pub fn birth_year(&self) -> u16 {
        let century = match (self.0[3] - b'0') / 2 {
            0 => 1900,
            1 => 2000,
            2 => 2100,
            3 => 2200,
            _ => 2300,
        };
        century + u16::from(self.0[4] - b'0') * 10 + u16::from(self.0[5] - b'0')
    }

    /// Whether the birth year encoded in the number is that of `date_of_birth`.
    pub fn agrees_with_birth_date(&self, date_of_birth: Date) -> bool {
        self.birth_year() == date_of_birth.year()
    }

    /// The last nine digits: the document number in the card's MRZ.
    pub fn document_number(&self) -> &str {
        self.expose().get(3..).unwrap_or_default()
    }

    /// The last six digits: the card access number (CAN) candidate for PACE.
    pub fn last_six(&self) -> &str {
        self.expose().get(6..).unwrap_or_default()
    }
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tail = self.0.get(9..).and_then(|t| std::str::from_utf8(t).ok());
        write!(f, "IdNumber(***{})", tail.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> IdNumber {
        IdNumber::parse(text).unwrap()
    }

    #[test]
    fn decodes_province_gender_and_birth_year() {
        let number = id("001093047064");
        assert_eq!(number.province_code(), 1);
        assert_eq!(number.gender(), Gender::Male);
        assert_eq!(number.birth_year(), 1993);

        let number = id("079305000123");
        assert_eq!(number.province_code(), 79);
        assert_eq!(number.gender(), Gender::Female);
        assert_eq!(number.birth_year(), 2005);
    }

    #[test]
    fn every_century_digit_maps_to_its_century() {
        let years: Vec<u16> = (0..10)
            .map(|c| id(&format!("001{c}45000000")).birth_year())
            .collect();
        assert_eq!(
            years,
            [1945, 1945, 2045, 2045, 2145, 2145, 2245, 2245, 2345, 2345]
        );
    }

    #[test]
    fn unknown_province_codes_are_accepted() {
        assert_eq!(id("999090012345").province_code(), 999);
    }

    #[test]
    fn refuses_wrong_length_and_non_digits() {
        assert_eq!(
            IdNumber::parse("00109012345"),
            Err(IdNumberError::WrongLength)
        );
        assert_eq!(
            IdNumber::parse("0010901234567"),
            Err(IdNumberError::WrongLength)
        );
        assert_eq!(IdNumber::parse(""), Err(IdNumberError::WrongLength));
        assert_eq!(
            IdNumber::parse("00109O012345"),
            Err(IdNumberError::NotDigits)
        );
        assert_eq!(
            IdNumber::parse("001 090012345"),
            Err(IdNumberError::NotDigits)
        );
        assert_eq!(
            IdNumber::parse("٠٠١٠٩٠٠١٢٣٤٥"),
            Err(IdNumberError::NotDigits)
        );
        assert!(IdNumber::parse(" 001090012345\n").is_ok());
    }

    #[test]
    fn mrz_and_can_parts() {
        let number = id("001090012345");
        assert_eq!(number.document_number(), "090012345");
        assert_eq!(number.last_six(), "012345");
    }

    #[test]
    fn birth_date_agreement() {
        let number = id("001090012345");
        assert!(number.agrees_with_birth_date(Date::new(1990, 1, 1).unwrap()));
        assert!(!number.agrees_with_birth_date(Date::new(1991, 1, 1).unwrap()));
    }

    #[test]
    fn debug_masks_all_but_last_three_digits() {
        assert_eq!(format!("{:?}", id("001090012456")), "IdNumber(***456)");
    }
}
