//! The citizen's identity data as the kiosk learnt it: from the chip (DG13, verified) or only
//! from the QR code printed on the card (not chip-verified).
//!
//! Every type here is personal data: `Debug` masks it, there is no `Display`, and memory is
//! wiped on drop.

use serde::{Deserialize, Serialize};
use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Why identity data was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CitizenError {
    /// The personal identification number is not 12 digits.
    #[error("the personal identification number must be 12 digits")]
    IdNumber,
    /// The old ID (CMND) is not 9 or 12 digits.
    #[error("the old ID card number must be 9 or 12 digits")]
    OldIdNumber,
    /// A date that does not exist in the calendar.
    #[error("a date is not a valid calendar date")]
    Date,
    /// The full name is empty or longer than 200 characters.
    #[error("the full name must have 1 to 200 characters")]
    Name,
    /// The place of residence is longer than 500 characters.
    #[error("the place of residence is longer than 500 characters")]
    Residence,
}

/// The 12-digit personal identification number (số định danh cá nhân).
#[derive(Clone, PartialEq, Eq, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(try_from = "String")]
pub struct IdNumber(String);

impl IdNumber {
    /// Validates a 12-digit number.
    pub fn new(s: &str) -> Result<Self, CitizenError> {
        if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(CitizenError::IdNumber)
        }
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number with all but the last three digits hidden, for receipts and screens.
    pub fn masked(&self) -> String {
        let tail = self.0.get(9..).unwrap_or("");
        format!("*********{tail}")
    }
}

impl TryFrom<String> for IdNumber {
    type Error = CitizenError;
    fn try_from(mut s: String) -> Result<Self, CitizenError> {
        let id = Self::new(&s);
        s.zeroize();
        id
    }
}

impl Serialize for IdNumber {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IdNumber(<redacted>)")
    }
}

/// A calendar date (proleptic Gregorian), validated.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Zeroize)]
#[serde(try_from = "(u16, u8, u8)", into = "(u16, u8, u8)")]
pub struct CalendarDate {
    year: u16,
    month: u8,
    day: u8,
}

impl CalendarDate {
    /// A date, if it exists.
    pub fn new(year: u16, month: u8, day: u8) -> Result<Self, CitizenError> {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return Err(CitizenError::Date),
        };
        if year == 0 || day == 0 || day > days {
            return Err(CitizenError::Date);
        }
        Ok(Self { year, month, day })
    }

    /// Year, month (1–12), day (1–31).
    pub fn parts(self) -> (u16, u8, u8) {
        (self.year, self.month, self.day)
    }
}

impl TryFrom<(u16, u8, u8)> for CalendarDate {
    type Error = CitizenError;
    fn try_from((y, m, d): (u16, u8, u8)) -> Result<Self, CitizenError> {
        Self::new(y, m, d)
    }
}

impl From<CalendarDate> for (u16, u8, u8) {
    fn from(d: CalendarDate) -> Self {
        d.parts()
    }
}

impl fmt::Debug for CalendarDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CalendarDate(<redacted>)")
    }
}

/// Gender as printed on the card (`Nam` / `Nữ`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Zeroize)]
pub enum Gender {
    /// Nam.
    Male,
    /// Nữ.
    Female,
}

/// Where the identity data came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Zeroize)]
pub enum DataSource {
    /// Read from the chip (DG13), with the chip evidence in the package.
    Chip,
    /// Read from the QR code only: **not chip-verified**; the back office must check it.
    QrOnly,
}

/// The identity fields an enrollment carries; the chip evidence (when read) holds the rest.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
pub struct CitizenData {
    source: DataSource,
    id_number: IdNumber,
    full_name: String,
    date_of_birth: CalendarDate,
    gender: Option<Gender>,
    place_of_residence: Option<String>,
    date_of_issue: Option<CalendarDate>,
    old_id_number: Option<String>,
}

/// The fields of [`CitizenData`], to build one.
pub struct CitizenFields {
    /// The 12-digit personal identification number.
    pub id_number: IdNumber,
    /// Full name, NFC-normalised by the card reader.
    pub full_name: String,
    /// Date of birth.
    pub date_of_birth: CalendarDate,
    /// Gender, when known.
    pub gender: Option<Gender>,
    /// Place of residence, when known.
    pub place_of_residence: Option<String>,
    /// Date of issue of the card, when known.
    pub date_of_issue: Option<CalendarDate>,
    /// Old 9-digit (or 12-digit) ID card number (CMND), when the citizen had one.
    pub old_id_number: Option<String>,
}

impl CitizenData {
    /// Validates identity data read from `source`.
    pub fn new(source: DataSource, fields: CitizenFields) -> Result<Self, CitizenError> {
        let CitizenFields {
            id_number,
            full_name,
            date_of_birth,
            gender,
            place_of_residence,
            date_of_issue,
            old_id_number,
        } = fields;
        let name_len = full_name.trim().chars().count();
        if name_len == 0 || full_name.chars().count() > 200 {
            return Err(CitizenError::Name);
        }
        if place_of_residence
            .as_ref()
            .is_some_and(|p| p.chars().count() > 500)
        {
            return Err(CitizenError::Residence);
        }
        if let Some(old) = &old_id_number
            && !((old.len() == 9 || old.len() == 12) && old.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(CitizenError::OldIdNumber);
        }
        Ok(Self {
            source,
            id_number,
            full_name,
            date_of_birth,
            gender,
            place_of_residence,
            date_of_issue,
            old_id_number,
        })
    }

    /// Chip or QR only.
    pub fn source(&self) -> DataSource {
        self.source
    }

    /// Whether the data was read from (and verified by) the chip.
    pub fn is_chip_verified(&self) -> bool {
        self.source == DataSource::Chip
    }

    /// The personal identification number.
    pub fn id_number(&self) -> &IdNumber {
        &self.id_number
    }

    /// The full name.
    pub fn full_name(&self) -> &str {
        &self.full_name
    }

    /// The date of birth.
    pub fn date_of_birth(&self) -> CalendarDate {
        self.date_of_birth
    }

    /// Gender, when known.
    pub fn gender(&self) -> Option<Gender> {
        self.gender
    }

    /// Place of residence, when known.
    pub fn place_of_residence(&self) -> Option<&str> {
        self.place_of_residence.as_deref()
    }

    /// Date of issue, when known.
    pub fn date_of_issue(&self) -> Option<CalendarDate> {
        self.date_of_issue
    }

    /// The old ID card number, when known.
    pub fn old_id_number(&self) -> Option<&str> {
        self.old_id_number.as_deref()
    }
}

impl fmt::Debug for CitizenData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CitizenData")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn sample_citizen(source: DataSource) -> CitizenData {
        let fields = CitizenFields {
            id_number: IdNumber::new("001090123456").expect("valid fixture"),
            full_name: "NGUYỄN VĂN AN".to_owned(),
            date_of_birth: CalendarDate::new(1990, 1, 1).expect("valid fixture"),
            gender: Some(Gender::Male),
            place_of_residence: Some("Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh".to_owned()),
            date_of_issue: CalendarDate::new(2021, 4, 15).ok(),
            old_id_number: Some("012345678".to_owned()),
        };
        CitizenData::new(source, fields).expect("valid fixture")
    }

    #[test]
    fn debug_of_citizen_data_shows_no_personal_data() {
        let c = sample_citizen(DataSource::Chip);
        let shown = format!("{c:?} {:?} {:?}", c.id_number(), c.date_of_birth());
        for secret in ["001090123456", "NGUYỄN", "1990", "Bến Nghé", "012345678"] {
            assert!(!shown.contains(secret), "{secret} leaked into Debug");
        }
    }

    #[test]
    fn qr_only_data_is_not_chip_verified() {
        assert!(!sample_citizen(DataSource::QrOnly).is_chip_verified());
        assert!(sample_citizen(DataSource::Chip).is_chip_verified());
    }

    #[test]
    fn id_number_must_be_twelve_digits() {
        assert_eq!(IdNumber::new("00109012345"), Err(CitizenError::IdNumber));
        assert_eq!(IdNumber::new("00109012345a"), Err(CitizenError::IdNumber));
        assert_eq!(
            IdNumber::new("001090123456").map(|i| i.masked()),
            Ok("*********456".to_owned())
        );
    }

    #[test]
    fn calendar_dates_that_do_not_exist_are_refused() {
        assert_eq!(CalendarDate::new(2023, 2, 29), Err(CitizenError::Date));
        assert_eq!(CalendarDate::new(2023, 13, 1), Err(CitizenError::Date));
        assert_eq!(CalendarDate::new(2023, 4, 31), Err(CitizenError::Date));
        assert!(CalendarDate::new(2024, 2, 29).is_ok());
        assert!(CalendarDate::new(2000, 2, 29).is_ok());
        assert_eq!(CalendarDate::new(1900, 2, 29), Err(CitizenError::Date));
    }

    #[test]
    fn empty_name_and_bad_old_id_are_refused() {
        let fields = |name: &str, old: Option<&str>| CitizenFields {
            id_number: IdNumber::new("001090123456").expect("valid fixture"),
            full_name: name.to_owned(),
            date_of_birth: CalendarDate::new(1990, 1, 1).expect("valid fixture"),
            gender: None,
            place_of_residence: None,
            date_of_issue: None,
            old_id_number: old.map(str::to_owned),
        };
        assert_eq!(
            CitizenData::new(DataSource::QrOnly, fields("  ", None)).err(),
            Some(CitizenError::Name)
        );
        assert_eq!(
            CitizenData::new(DataSource::QrOnly, fields("A", Some("1234"))).err(),
            Some(CitizenError::OldIdNumber)
        );
    }
}
