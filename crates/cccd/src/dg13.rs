//! DG13, the CCCD's proprietary data group with the holder's personal data (tag `6D`).
//!
//! The content is DER: after a short header, a list of `SEQUENCE { INTEGER fieldNo, value }`.
//! Instead of trusting offsets from one sample card, the decoder walks the TLV tree, treats
//! every SEQUENCE that starts with an INTEGER as a field, descends into any other constructed
//! object, skips primitive header objects, and dispatches on the field number (table in `shared/CCCD.md`). Fields it does not know
//! are kept raw. Text is NFC-normalised, dates are parsed.

use std::fmt;

use thiserror::Error;

use crate::date::{Date, DateError};
use crate::id_number::{IdNumber, IdNumberError};
use crate::personal::{Gender, PersonalText};
pub use emrtd::tlv::TlvError;
use emrtd::tlv::{self, Tlv};

const INTEGER: u32 = 0x02;
const UTF8_STRING: u32 = 0x0C;
const PRINTABLE_STRING: u32 = 0x13;
const SEQUENCE: u32 = 0x30;

/// The tag of the DG13 file.
pub const DG13_TAG: u32 = 0x6D;

/// The deepest nesting of containers the walker follows before calling the data malformed.
const MAX_DEPTH: usize = 8;

/// The card's date of expiry: a date, or the wording printed instead of one.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Expiry {
    Date(Date),
    /// Text such as `Không thời hạn` ("no expiry"), NFC-normalised.
    Wording(String),
}

impl Expiry {
    /// Whether the card says it never expires (`Không thời hạn`).
    pub fn is_indefinite(&self) -> bool {
        match self {
            Self::Date(_) => false,
            Self::Wording(text) => text.to_lowercase() == "không thời hạn",
        }
    }

    /// Whether the card has expired on `today` (a card that never expires never has).
    pub fn has_passed(&self, today: Date) -> bool {
        match self {
            Self::Date(expiry) => *expiry < today,
            Self::Wording(_) => false,
        }
    }
}

/// A field whose number this decoder does not know, kept as it came (the bytes after the
/// field number, still TLV-encoded).
#[derive(Clone, PartialEq, Eq)]
pub struct UnknownField {
    pub number: u32,
    pub raw: Vec<u8>,
}

impl fmt::Debug for UnknownField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UnknownField({}, {} bytes)", self.number, self.raw.len())
    }
}

/// The decoded DG13. Fields 1–3 are required; the others are `None` when absent or empty.
#[derive(Clone, PartialEq, Eq)]
pub struct Dg13 {
    /// 1: the 12-digit personal identification number.
    pub id_number: IdNumber,
    /// 2: full name.
    pub full_name: PersonalText,
    /// 3: date of birth.
    pub date_of_birth: Date,
    /// 4: gender (`Nam` / `Nữ`).
    pub gender: Option<Gender>,
    /// 5: nationality, e.g. `Việt Nam`.
    pub nationality: Option<PersonalText>,
    /// 6: ethnicity, e.g. `Kinh`.
    pub ethnicity: Option<PersonalText>,
    /// 7: religion, e.g. `Không`.
    pub religion: Option<PersonalText>,
    /// 8: place of origin (quê quán).
    pub place_of_origin: Option<PersonalText>,
    /// 9: place of residence.
    pub place_of_residence: Option<PersonalText>,
    /// 10: identifying marks.
    pub identifying_marks: Option<PersonalText>,
    /// 11: date of issue.
    pub date_of_issue: Option<Date>,
    /// 12: date of expiry.
    pub date_of_expiry: Option<Expiry>,
    /// 13: father's full name.
    pub father_name: Option<PersonalText>,
    /// 13: mother's full name.
    pub mother_name: Option<PersonalText>,
    /// 14: spouse's full name (empty sequence when none).
    pub spouse_name: Option<PersonalText>,
    /// 15: the old 9-digit ID (CMND).
    pub old_id_number: Option<PersonalText>,
    /// 16: a 16-character string whose meaning is not public.
    pub field_16: Option<PersonalText>,
    /// Fields with numbers outside 1–16, in card order.
    pub unknown_fields: Vec<UnknownField>,
}

impl fmt::Debug for Dg13 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dg13")
            .field("id_number", &self.id_number)
            .field("unknown_fields", &self.unknown_fields)
            .finish_non_exhaustive()
    }
}

/// Why DG13 bytes were refused. Names the field by number, never its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum Dg13Error {
    #[error("DG13 is not well-formed TLV: {0}")]
    Tlv(#[from] TlvError),
    #[error("DG13 does not start with tag 6D")]
    WrongTag,
    #[error("DG13 has bytes after its end")]
    TrailingBytes,
    #[error("DG13 nests containers deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error("DG13 field number is not a small non-negative INTEGER")]
    BadFieldNumber,
    #[error("DG13 field {0} appears twice")]
    DuplicateField(u32),
    #[error("DG13 field {0} is missing")]
    MissingField(u32),
    #[error("DG13 field {0} has a value of an unexpected type")]
    UnexpectedType(u32),
    #[error("DG13 field {0} is not valid UTF-8")]
    NotUtf8(u32),
    #[error("DG13 field {field} is not a valid date: {error}")]
    BadDate { field: u32, error: DateError },
    #[error("DG13 field 1 is not a valid ID number: {0}")]
    BadIdNumber(IdNumberError),
    #[error("DG13 field 4 is neither Nam nor Nữ")]
    BadGender,
}

impl Dg13 {
    /// Decodes the whole DG13 file (starting at tag `6D`).
    pub fn decode(file: &[u8]) -> Result<Self, Dg13Error> {
        let (root, rest) = tlv::parse_one(file)?;
        if root.tag.0 != DG13_TAG {
            return Err(Dg13Error::WrongTag);
        }
        if !rest.is_empty() {
            return Err(Dg13Error::TrailingBytes);
        }
        let mut builder = Builder::default();
        walk(root.value, 0, &mut builder)?;
        builder.finish()
    }
}

/// Visits every field in `content`, descending into containers that are not fields.
fn walk(content: &[u8], depth: usize, builder: &mut Builder) -> Result<(), Dg13Error> {
    if depth > MAX_DEPTH {
        return Err(Dg13Error::TooDeep);
    }
    for object in tlv::parse_all(content)? {
        if !object.tag.is_constructed() {
            continue;
        }
        match tlv::parse_one(object.value) {
            Ok((first, after_number)) if first.tag.0 == INTEGER && object.tag.0 == SEQUENCE => {
                let number = field_number(first.value)?;
                let values = tlv::parse_all(after_number)?;
                builder.field(number, &values, after_number)?;
            }
            // Not a field: a container to descend into (which reports its own TLV errors).
            _ => walk(object.value, depth + 1, builder)?,
        }
    }
    Ok(())
}

fn field_number(value: &[u8]) -> Result<u32, Dg13Error> {
    if value.is_empty() || value.len() > 4 || value.first().is_some_and(|b| b & 0x80 != 0) {
        return Err(Dg13Error::BadFieldNumber);
    }
    Ok(value.iter().fold(0, |acc, &b| (acc << 8) | u32::from(b)))
}

#[derive(Default)]
struct Builder {
    id_number: Option<IdNumber>,
    full_name: Option<PersonalText>,
    date_of_birth: Option<Date>,
    gender: Option<Gender>,
    nationality: Option<PersonalText>,
    ethnicity: Option<PersonalText>,
    religion: Option<PersonalText>,
    place_of_origin: Option<PersonalText>,
    place_of_residence: Option<PersonalText>,
    identifying_marks: Option<PersonalText>,
    date_of_issue: Option<Date>,
    date_of_expiry: Option<Expiry>,
    father_name: Option<PersonalText>,
    mother_name: Option<PersonalText>,
    spouse_name: Option<PersonalText>,
    old_id_number: Option<PersonalText>,
    field_16: Option<PersonalText>,
    seen: u32,
    unknown_fields: Vec<UnknownField>,
}

impl Builder {
    /// Records field `number`, whose value objects are `values`, encoded as `raw`.
    fn field(&mut self, number: u32, values: &[Tlv<'_>], raw: &[u8]) -> Result<(), Dg13Error> {
        if (1..=16).contains(&number) {
            let bit = 1 << number;
            if self.seen & bit != 0 {
                return Err(Dg13Error::DuplicateField(number));
            }
            self.seen |= bit;
        }
        match number {
            1 => {
                self.id_number = optional_text(number, values)?
                    .map(|text| IdNumber::parse(text.expose()))
                    .transpose()
                    .map_err(Dg13Error::BadIdNumber)?;
            }
            2 => self.full_name = optional_text(number, values)?,
            3 => self.date_of_birth = optional_date(number, values)?,
            4 => {
                self.gender = optional_text(number, values)?
                    .map(|text| Gender::from_vietnamese(text.expose()).ok_or(Dg13Error::BadGender))
                    .transpose()?;
            }
            5 => self.nationality = optional_text(number, values)?,
            6 => self.ethnicity = optional_text(number, values)?,
            7 => self.religion = optional_text(number, values)?,
            8 => self.place_of_origin = optional_text(number, values)?,
            9 => self.place_of_residence = optional_text(number, values)?,
            10 => self.identifying_marks = optional_text(number, values)?,
            11 => self.date_of_issue = optional_date(number, values)?,
            12 => self.date_of_expiry = expiry(values)?,
            13 => (self.father_name, self.mother_name) = parents(values)?,
            14 => self.spouse_name = nested_text(number, values)?,
            15 => self.old_id_number = optional_text(number, values)?,
            16 => self.field_16 = optional_text(number, values)?,
            _ => self.unknown_fields.push(UnknownField {
                number,
                raw: raw.to_vec(),
            }),
        }
        Ok(())
    }

    fn finish(self) -> Result<Dg13, Dg13Error> {
        Ok(Dg13 {
            id_number: self.id_number.ok_or(Dg13Error::MissingField(1))?,
            full_name: self.full_name.ok_or(Dg13Error::MissingField(2))?,
            date_of_birth: self.date_of_birth.ok_or(Dg13Error::MissingField(3))?,
            gender: self.gender,
            nationality: self.nationality,
            ethnicity: self.ethnicity,
            religion: self.religion,
            place_of_origin: self.place_of_origin,
            place_of_residence: self.place_of_residence,
            identifying_marks: self.identifying_marks,
            date_of_issue: self.date_of_issue,
            date_of_expiry: self.date_of_expiry,
            father_name: self.father_name,
            mother_name: self.mother_name,
            spouse_name: self.spouse_name,
            old_id_number: self.old_id_number,
            field_16: self.field_16,
            unknown_fields: self.unknown_fields,
        })
    }
}

/// A text string object (UTF8String or PrintableString), NFC-normalised; `None` when empty.
fn text(number: u32, object: &Tlv<'_>) -> Result<Option<PersonalText>, Dg13Error> {
    if object.tag.0 != UTF8_STRING && object.tag.0 != PRINTABLE_STRING {
        return Err(Dg13Error::UnexpectedType(number));
    }
    let raw = std::str::from_utf8(object.value).map_err(|_| Dg13Error::NotUtf8(number))?;
    let text = PersonalText::normalised(raw);
    Ok((!text.is_empty()).then_some(text))
}

/// A field holding at most one text string; absent or empty gives `None`.
fn optional_text(number: u32, values: &[Tlv<'_>]) -> Result<Option<PersonalText>, Dg13Error> {
    match values {
        [] => Ok(None),
        [object] => text(number, object),
        _ => Err(Dg13Error::UnexpectedType(number)),
    }
}

/// A field holding a text string either directly or wrapped in a SEQUENCE (empty when none).
fn nested_text(number: u32, values: &[Tlv<'_>]) -> Result<Option<PersonalText>, Dg13Error> {
    match values {
        [object] if object.tag.0 == SEQUENCE => {
            let inner = tlv::parse_all(object.value)?;
            optional_text(number, &inner)
        }
        _ => optional_text(number, values),
    }
}

fn optional_date(number: u32, values: &[Tlv<'_>]) -> Result<Option<Date>, Dg13Error> {
    optional_text(number, values)?
        .map(|text| {
            Date::parse_slashed(text.expose()).map_err(|error| Dg13Error::BadDate {
                field: number,
                error,
            })
        })
        .transpose()
}

/// Field 12: a `dd/mm/yyyy` date, or wording without digits such as `Không thời hạn`.
fn expiry(values: &[Tlv<'_>]) -> Result<Option<Expiry>, Dg13Error> {
    let Some(text) = optional_text(12, values)? else {
        return Ok(None);
    };
    if text.expose().chars().any(|c| c.is_ascii_digit()) {
        let date = Date::parse_slashed(text.expose())
            .map_err(|error| Dg13Error::BadDate { field: 12, error })?;
        Ok(Some(Expiry::Date(date)))
    } else {
        Ok(Some(Expiry::Wording(text.expose().to_owned())))
    }
}

/// Field 13: `SEQUENCE { SEQUENCE { father }, SEQUENCE { mother } }`, also accepted without
/// the outer SEQUENCE; an empty inner SEQUENCE means the name is not recorded.
fn parents(values: &[Tlv<'_>]) -> Result<(Option<PersonalText>, Option<PersonalText>), Dg13Error> {
    let unwrapped;
    let parents = match values {
        [outer] if outer.tag.0 == SEQUENCE => {
            unwrapped = tlv::parse_all(outer.value)?;
            unwrapped.as_slice()
        }
        _ => values,
    };
    match parents {
        [] => Ok((None, None)),
        [father] => Ok((nested_text(13, &[*father])?, None)),
        [father, mother] => Ok((nested_text(13, &[*father])?, nested_text(13, &[*mother])?)),
        _ => Err(Dg13Error::UnexpectedType(13)),
    }
}
