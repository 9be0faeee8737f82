//! Personal data as text: NFC-normalised, masked in `Debug`, wiped on drop.
//!
//! Vietnamese text reaches us in any Unicode normalisation (precomposed from the chip,
//! decomposed from some QR encoders); everything the crate hands out is NFC, so that equal
//! names compare equal.

use std::fmt;

use unicode_normalization::UnicodeNormalization;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// A piece of personal text (a name, an address, …). Read it with [`PersonalText::expose`];
/// it deliberately has no `Display`, and its `Debug` shows nothing of the content.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct PersonalText(String);

impl PersonalText {
    /// NFC-normalises `raw`, trims it and collapses every run of whitespace to one space.
    pub fn normalised(raw: &str) -> Self {
        let mut out = String::with_capacity(raw.len());
        for word in raw.split_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.extend(word.nfc());
        }
        Self(out)
    }

    /// The text itself. Callers own the duty not to log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for PersonalText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PersonalText(***)")
    }
}

/// Gender as the card writes it: `Nam` (male) or `Nữ` (female).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    /// Reads `Nam` / `Nữ` in any case and Unicode normalisation, ignoring outer whitespace.
    pub fn from_vietnamese(text: &str) -> Option<Self> {
        let folded: String = text.trim().nfc().flat_map(char::to_lowercase).collect();
        match folded.as_str() {
            "nam" => Some(Self::Male),
            "nữ" => Some(Self::Female),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decomposed_and_precomposed_names_become_equal() {
        let precomposed = PersonalText::normalised("Nguyễn Văn An");
        let decomposed = PersonalText::normalised("Nguye\u{302}\u{303}n Va\u{306}n An");
        assert_eq!(precomposed, decomposed);
        assert_eq!(decomposed.expose(), "Nguyễn Văn An");
    }

    #[test]
    fn stray_whitespace_is_collapsed() {
        let text = PersonalText::normalised("  Phường  Bến Nghé,\tQuận 1 \r\n");
        assert_eq!(text.expose(), "Phường Bến Nghé, Quận 1");
    }

    #[test]
    fn debug_shows_no_content() {
        let text = PersonalText::normalised("Nguyễn Văn An");
        assert_eq!(format!("{text:?}"), "PersonalText(***)");
    }

    #[test]
    fn gender_reads_any_case_and_normalisation() {
        assert_eq!(Gender::from_vietnamese("Nam"), Some(Gender::Male));
        assert_eq!(Gender::from_vietnamese(" NAM "), Some(Gender::Male));
        assert_eq!(Gender::from_vietnamese("Nữ"), Some(Gender::Female));
        assert_eq!(
            Gender::from_vietnamese("Nu\u{31b}\u{303}"),
            Some(Gender::Female)
        );
        assert_eq!(Gender::from_vietnamese("NỮ"), Some(Gender::Female));
        assert_eq!(Gender::from_vietnamese("Nu"), None);
        assert_eq!(Gender::from_vietnamese("Male"), None);
    }
}
