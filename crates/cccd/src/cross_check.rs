//! Cross-checks of what the chip and the printed card say about the holder: DG13 against the
//! chip's MRZ (DG1) and against the QR code. Passive authentication proves each file is what
//! the issuer signed; this proves they describe the same person as the card in the reader's
//! hand, so a chip swapped into another card body, or a QR from another card, is noticed.
//!
//! Names are compared in the MRZ's alphabet (ICAO 9303-3 transliteration: diacritics dropped,
//! `Đ` as `D`, upper case), since the MRZ and some QR encoders carry no diacritics; a TD1 name
//! line is 30 characters, so a full MRZ name only has to be a prefix of the DG13 name.

use emrtd::mrz::Mrz;
use unicode_normalization::UnicodeNormalization;

use crate::dg13::{Dg13, Expiry};
use crate::personal::Gender;
use crate::qr::CardQr;

/// Width of the TD1 name line (line 3).
const TD1_NAME_WIDTH: usize = 30;

/// Where a value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// DG1, the chip's copy of the machine-readable zone.
    Mrz,
    /// DG13, the chip's Vietnamese personal data.
    Dg13,
    /// The QR code printed on the card.
    Qr,
}

/// A field on which two sources disagree. Names the field, never its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    IdNumber,
    OldIdNumber,
    Name,
    DateOfBirth,
    Gender,
    DateOfIssue,
    DateOfExpiry,
}

/// One disagreement: `field` differs between DG13 and `other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Disagreement {
    pub field: Field,
    pub other: Source,
}

/// A name in the MRZ alphabet: diacritics removed, `Đ`/`đ` as `D`, upper case, every other
/// character a word break, words separated by single spaces.
pub fn mrz_transliteration(name: &str) -> String {
    let mapped: String = name
        .nfd()
        .filter(|c| !('\u{0300}'..='\u{036F}').contains(c))
        .map(|c| match c {
            'Đ' | 'đ' => 'D',
            c if c.is_ascii_alphabetic() => c.to_ascii_uppercase(),
            _ => ' ',
        })
        .collect();
    mapped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether the MRZ name (surname and given names) is the DG13 full name, allowing for the
/// truncation of a full TD1 name line.
fn mrz_name_matches(mrz: &Mrz, full_name: &str) -> bool {
    let expected = mrz_transliteration(full_name);
    let primary = mrz_transliteration(&mrz.primary_identifier);
    let secondary = mrz_transliteration(&mrz.secondary_identifier);
    let written = if secondary.is_empty() {
        primary.clone()
    } else {
        format!("{primary} {secondary}")
    };
    // A written name one short of the width may still have been cut: the last cell then holds
    // the filler that would have separated the next word.
    let line_full = primary.len() + 2 + secondary.len() + 1 >= TD1_NAME_WIDTH;
    expected == written || (line_full && !written.is_empty() && expected.starts_with(&written))
}

fn mrz_gender(sex: char) -> Option<Gender> {
    match sex {
        'M' => Some(Gender::Male),
        'F' => Some(Gender::Female),
        _ => None,
    }
}

/// Compares DG13 with the MRZ and the QR code where each is available, returning every field
/// that disagrees (empty when all agree). Fields a source does not carry are not compared.
pub fn cross_check(dg13: &Dg13, mrz: Option<&Mrz>, qr: Option<&CardQr>) -> Vec<Disagreement> {
    let mut found = Vec::new();
    let mut differ = |field, other, agrees: bool| {
        if !agrees {
            found.push(Disagreement { field, other });
        }
    };
    if let Some(mrz) = mrz {
        let id = dg13.id_number.expose();
        differ(
            Field::IdNumber,
            Source::Mrz,
            mrz.document_number == dg13.id_number.document_number()
                && mrz.optional_data.starts_with(id),
        );
        differ(
            Field::Name,
            Source::Mrz,
            mrz_name_matches(mrz, dg13.full_name.expose()),
        );
        differ(
            Field::DateOfBirth,
            Source::Mrz,
            mrz.date_of_birth == dg13.date_of_birth.to_yymmdd(),
        );
        if let Some(gender) = dg13.gender {
            differ(
                Field::Gender,
                Source::Mrz,
                mrz_gender(mrz.sex) == Some(gender),
            );
        }
        if let Some(Expiry::Date(expiry)) = &dg13.date_of_expiry {
            differ(
                Field::DateOfExpiry,
                Source::Mrz,
                mrz.date_of_expiry == expiry.to_yymmdd(),
            );
        }
    }
    if let Some(qr) = qr {
        differ(Field::IdNumber, Source::Qr, qr.id_number == dg13.id_number);
        differ(
            Field::Name,
            Source::Qr,
            mrz_transliteration(qr.full_name.expose())
                == mrz_transliteration(dg13.full_name.expose()),
        );
        differ(
            Field::DateOfBirth,
            Source::Qr,
            qr.date_of_birth == dg13.date_of_birth,
        );
        if let Some(gender) = dg13.gender {
            differ(Field::Gender, Source::Qr, qr.gender == gender);
        }
        if let Some(issued) = dg13.date_of_issue {
            differ(Field::DateOfIssue, Source::Qr, qr.date_of_issue == issued);
        }
        if let (Some(chip), Some(printed)) = (&dg13.old_id_number, &qr.old_id_number) {
            differ(Field::OldIdNumber, Source::Qr, chip == printed);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_names_transliterate_to_the_mrz_alphabet() {
        assert_eq!(mrz_transliteration("Nguyễn Văn An"), "NGUYEN VAN AN");
        assert_eq!(
            mrz_transliteration("Đặng Thị Ngọc Ánh"),
            "DANG THI NGOC ANH"
        );
        assert_eq!(
            mrz_transliteration("Nguye\u{302}\u{303}n  Thị-Hà"),
            "NGUYEN THI HA"
        );
        assert_eq!(mrz_transliteration("NGUYEN<<VAN<A"), "NGUYEN VAN A");
    }
}
