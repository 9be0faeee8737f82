//! Numbers as the seeds print them: `2.352` and `83,89%` in Vietnamese, `2,352` and `83.89%`
//! in English.
//!
//! Percentages keep two decimals and **truncate**, as the seeds do: seed 001 prints 1,068 of
//! 1,273 (83.896…%) as `83,89%` and 119 of 2,650 (4.4906…%) as `4,49%`. Rounding half up would
//! have printed 83,90%. Arithmetic is on integers, so no float ever decides a digit.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The language of a report, a list or a guide: Vietnamese first, English second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Tiếng Việt.
    #[default]
    Vi,
    /// English.
    En,
}

impl Lang {
    fn decimal_mark(self) -> char {
        match self {
            Lang::Vi => ',',
            Lang::En => '.',
        }
    }

    fn thousands_mark(self) -> char {
        match self {
            Lang::Vi => '.',
            Lang::En => ',',
        }
    }
}

/// `4922` → `4.922` (vi) or `4,922` (en).
pub fn format_count(n: u64, lang: Lang) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(lang.thousands_mark());
        }
        out.push(c);
    }
    out
}

/// A share of a target in hundredths of a percent, truncated (`8389` is 83.89 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Percent {
    hundredths: u64,
}

impl Percent {
    /// `part / whole` as a percentage with two decimals, truncated; `None` when `whole` is 0
    /// (no target set: no percentage to show).
    pub fn of(part: u64, whole: u64) -> Option<Self> {
        if whole == 0 {
            return None;
        }
        let h = u128::from(part) * 10_000 / u128::from(whole);
        Some(Self {
            hundredths: u64::try_from(h).unwrap_or(u64::MAX),
        })
    }

    /// Hundredths of a percent (`8389` for 83.89 %).
    pub fn hundredths(self) -> u64 {
        self.hundredths
    }

    /// The ratio with four decimals (`0.8389`), for a spreadsheet cell formatted `0.00%`:
    /// exact in the four digits that show, so the cell displays the same truncated figure.
    pub fn as_fraction(self) -> f64 {
        self.hundredths as f64 / 10_000.0
    }

    /// `83,89%` (vi) or `83.89%` (en).
    pub fn format(self, lang: Lang) -> String {
        format!(
            "{}{}{:02}%",
            format_count(self.hundredths / 100, lang),
            lang.decimal_mark(),
            self.hundredths % 100
        )
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format(Lang::En))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn seed_001_rates_are_reproduced_digit_for_digit() {
        // Level 2: 1,068 of a target of 1,273; level 1: 119 of 2,650 (seed 001, 31/5/2023).
        assert_eq!(
            Percent::of(1068, 1273)
                .map(|p| p.format(Lang::Vi))
                .as_deref(),
            Some("83,89%")
        );
        assert_eq!(
            Percent::of(119, 2650)
                .map(|p| p.format(Lang::Vi))
                .as_deref(),
            Some("4,49%")
        );
        assert_eq!(
            Percent::of(1068, 1273)
                .map(|p| p.format(Lang::En))
                .as_deref(),
            Some("83.89%")
        );
    }

    #[test]
    fn hand_computed_percentages() {
        let f = |a, b, l| Percent::of(a, b).map(|p| p.format(l));
        assert_eq!(f(0, 50, Lang::Vi).as_deref(), Some("0,00%"));
        assert_eq!(f(50, 50, Lang::Vi).as_deref(), Some("100,00%"));
        assert_eq!(f(1, 3, Lang::En).as_deref(), Some("33.33%"));
        assert_eq!(f(2, 3, Lang::En).as_deref(), Some("66.66%"));
        assert_eq!(f(1, 8, Lang::Vi).as_deref(), Some("12,50%"));
        assert_eq!(f(977, 4922, Lang::Vi).as_deref(), Some("19,84%"));
        assert_eq!(f(25_000, 2_000, Lang::Vi).as_deref(), Some("1.250,00%"));
        assert_eq!(f(3, 0, Lang::Vi), None);
    }

    #[test]
    fn counts_group_thousands_like_the_seeds() {
        assert_eq!(format_count(4922, Lang::Vi), "4.922");
        assert_eq!(format_count(4922, Lang::En), "4,922");
        assert_eq!(format_count(681, Lang::Vi), "681");
        assert_eq!(format_count(1_234_567, Lang::Vi), "1.234.567");
        assert_eq!(format_count(0, Lang::En), "0");
        assert_eq!(format_count(100_000, Lang::En), "100,000");
    }

    proptest! {
        #[test]
        fn percentages_truncate_never_round_up(part in 0u64..10_000_000, whole in 1u64..10_000_000) {
            let p = Percent::of(part, whole).expect("non-zero whole");
            // p/10000 <= part/whole < (p+1)/10000
            let h = u128::from(p.hundredths());
            prop_assert!(h * u128::from(whole) <= u128::from(part) * 10_000);
            prop_assert!(u128::from(part) * 10_000 < (h + 1) * u128::from(whole));
            let vi = p.format(Lang::Vi);
            let en = p.format(Lang::En);
            prop_assert_eq!(vi.replace('.', "").replace(',', "."), en.replace(',', ""));
        }
    }
}
