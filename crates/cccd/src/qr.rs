//! The payload of the QR code printed on the card.
//!
//! 2021–2024 CCCD: `ID12|CMND9|Full name|DOB ddmmyyyy|Nam/Nữ|Address|Issue date ddmmyyyy`, the
//! old-ID slot empty (`||`) when the holder never had one. The 2024 thẻ căn cước appends more
//! fields (cancelled old IDs, parents of young children) in an order that is not public: the
//! first seven are read as above and the rest are kept as text. Stray whitespace is tolerated,
//! text comes out NFC, and every malformed payload has its own [`QrError`].

use std::fmt;

use thiserror::Error;

use crate::date::{Date, DateError};
use crate::id_number::{IdNumber, IdNumberError};
use crate::personal::{Gender, PersonalText};

/// Payloads longer than this are refused before any parsing (the card's QR holds a few
/// hundred bytes; the largest QR code holds under 3 KB).
pub const MAX_PAYLOAD_BYTES: usize = 4096;

/// The most fields a payload may have (7 known plus room for the 2024 card's extras).
pub const MAX_FIELDS: usize = 32;

/// The card's QR payload, validated.
#[derive(Clone, PartialEq, Eq)]
pub struct CardQr {
    pub id_number: IdNumber,
    /// The old 9-digit (or 12-digit) CMND number, `None` when the slot is empty.
    pub old_id_number: Option<PersonalText>,
    pub full_name: PersonalText,
    pub date_of_birth: Date,
    pub gender: Gender,
    pub address: PersonalText,
    pub date_of_issue: Date,
    /// Fields after the seventh (2024 cards), NFC-normalised, empty ones included, in order.
    pub extra_fields: Vec<PersonalText>,
}

impl fmt::Debug for CardQr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardQr")
            .field("id_number", &self.id_number)
            .field("extra_fields", &self.extra_fields.len())
            .finish_non_exhaustive()
    }
}

/// Why a payload is not a card QR. Each names the field at fault, never its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum QrError {
    #[error("QR payload is empty")]
    Empty,
    #[error("QR payload is longer than {MAX_PAYLOAD_BYTES} bytes")]
    TooLong,
    #[error("QR payload is not UTF-8 text")]
    NotUtf8,
    #[error("QR payload has {found} fields separated by '|', a card has at least 7")]
    TooFewFields { found: usize },
    #[error("QR payload has more than {MAX_FIELDS} fields")]
    TooManyFields,
    #[error("QR payload contains control characters")]
    ControlCharacter,
    #[error("QR field 1 is not a 12-digit ID number: {0}")]
    IdNumber(IdNumberError),
    #[error("QR field 2 (old ID number) is neither empty nor 9 or 12 digits")]
    OldIdNumber,
    #[error("QR field 3 (full name) is empty")]
    MissingName,
    #[error("QR field 3 (full name) contains digits or symbols")]
    NameCharacters,
    #[error("QR field 4 (date of birth) is not a valid ddmmyyyy date: {0}")]
    BirthDate(DateError),
    #[error("QR field 5 (gender) is neither Nam nor Nữ")]
    Gender,
    #[error("QR field 6 (address) is empty")]
    MissingAddress,
    #[error("QR field 7 (date of issue) is not a valid ddmmyyyy date: {0}")]
    IssueDate(DateError),
    #[error("QR date of issue is before the date of birth")]
    IssuedBeforeBirth,
    #[error("QR ID number encodes a different birth year than the date of birth")]
    IdDisagreesWithBirthYear,
}

impl CardQr {
    /// Parses the raw bytes a QR decoder returns.
    pub fn parse_bytes(payload: &[u8]) -> Result<Self, QrError> {
        if payload.len() > MAX_PAYLOAD_BYTES {
            return Err(QrError::TooLong);
        }
        Self::parse(std::str::from_utf8(payload).map_err(|_| QrError::NotUtf8)?)
    }

    /// Parses a payload read as text.
    pub fn parse(payload: &str) -> Result<Self, QrError> {
        if payload.len() > MAX_PAYLOAD_BYTES {
            return Err(QrError::TooLong);
        }
        let payload = payload.trim_start_matches('\u{FEFF}').trim();
        if payload.is_empty() {
            return Err(QrError::Empty);
        }
        if payload
            .chars()
            .any(|c| c.is_control() && !c.is_whitespace())
        {
            return Err(QrError::ControlCharacter);
        }
        let fields: Vec<&str> = payload.splitn(MAX_FIELDS + 1, '|').collect();
        if fields.len() > MAX_FIELDS {
            return Err(QrError::TooManyFields);
        }
        let [id, old_id, name, birth, gender, address, issue, extra @ ..] = fields.as_slice()
        else {
            return Err(QrError::TooFewFields {
                found: fields.len(),
            });
        };

        let id_number = IdNumber::parse(id).map_err(QrError::IdNumber)?;
        let old_id_number = old_id_number(old_id)?;
        let full_name = PersonalText::normalised(name);
        if full_name.is_empty() {
            return Err(QrError::MissingName);
        }
        if !full_name
            .expose()
            .chars()
            .all(|c| c.is_alphabetic() || is_combining_mark(c) || matches!(c, ' ' | '\'' | '-'))
        {
            return Err(QrError::NameCharacters);
        }
        let date_of_birth = Date::parse_compact(birth).map_err(QrError::BirthDate)?;
        let gender = Gender::from_vietnamese(gender).ok_or(QrError::Gender)?;
        let address = PersonalText::normalised(address);
        if address.is_empty() {
            return Err(QrError::MissingAddress);
        }
        let date_of_issue = Date::parse_compact(issue).map_err(QrError::IssueDate)?;
        if date_of_issue < date_of_birth {
            return Err(QrError::IssuedBeforeBirth);
        }
        if !id_number.agrees_with_birth_date(date_of_birth) {
            return Err(QrError::IdDisagreesWithBirthYear);
        }
        Ok(Self {
            id_number,
            old_id_number,
            full_name,
            date_of_birth,
            gender,
            address,
            date_of_issue,
            extra_fields: extra.iter().map(|f| PersonalText::normalised(f)).collect(),
        })
    }
}

fn old_id_number(field: &str) -> Result<Option<PersonalText>, QrError> {
    let field = field.trim();
    if field.is_empty() {
        return Ok(None);
    }
    if (field.len() == 9 || field.len() == 12) && field.bytes().all(|b| b.is_ascii_digit()) {
        Ok(Some(PersonalText::normalised(field)))
    } else {
        Err(QrError::OldIdNumber)
    }
}

/// Combining diacritics (U+0300–U+036F) that NFC could not compose onto a letter.
fn is_combining_mark(c: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&c)
}
