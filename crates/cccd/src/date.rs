//! Calendar dates as the card writes them: `dd/mm/yyyy` in DG13, `ddmmyyyy` in the QR code,
//! `YYMMDD` in the MRZ. Only real Gregorian dates can be built.

use thiserror::Error;

/// A valid Gregorian calendar date. Ordered chronologically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

/// Why a date could not be read. Carries no part of the date itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum DateError {
    #[error("date is not in the expected digit layout")]
    Layout,
    #[error("date names a day that does not exist")]
    NoSuchDay,
}

impl Date {
    /// Builds a date, refusing a month or day that does not exist (30 February, month 13, …).
    pub fn new(year: u16, month: u8, day: u8) -> Result<Self, DateError> {
        if year == 0 || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return Err(DateError::NoSuchDay);
        }
        Ok(Self { year, month, day })
    }

    pub fn year(self) -> u16 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    pub fn day(self) -> u8 {
        self.day
    }

    /// Reads `dd/mm/yyyy` (DG13), tolerating surrounding whitespace.
    pub fn parse_slashed(text: &str) -> Result<Self, DateError> {
        let mut parts = text.trim().split('/');
        let (Some(day), Some(month), Some(year), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(DateError::Layout);
        };
        if day.len() != 2 || month.len() != 2 || year.len() != 4 {
            return Err(DateError::Layout);
        }
        Self::new(digits(year)?, digits(month)?, digits(day)?)
    }

    /// Reads `ddmmyyyy` (the card's QR code), tolerating surrounding whitespace.
    pub fn parse_compact(text: &str) -> Result<Self, DateError> {
        let text = text.trim();
        let (Some(day), Some(month), Some(year)) = (text.get(0..2), text.get(2..4), text.get(4..))
        else {
            return Err(DateError::Layout);
        };
        if year.len() != 4 {
            return Err(DateError::Layout);
        }
        Self::new(digits(year)?, digits(month)?, digits(day)?)
    }

    /// The MRZ form `YYMMDD`.
    pub fn to_yymmdd(self) -> String {
        format!("{:02}{:02}{:02}", self.year % 100, self.month, self.day)
    }

    /// The dates on which someone born on `self` turns `age`. One date, except for a birthday
    /// on 29 February falling in a common year: then both 28 February and 1 March, in that
    /// order, since which one an issuer uses is not known. Empty when the year overflows.
    pub fn anniversaries(self, age: u16) -> Vec<Date> {
        let Some(year) = self.year.checked_add(age) else {
            return Vec::new();
        };
        match Self::new(year, self.month, self.day) {
            Ok(date) => vec![date],
            Err(_) => [Self::new(year, 2, 28), Self::new(year, 3, 1)]
                .into_iter()
                .flatten()
                .collect(),
        }
    }
}

fn digits<T: TryFrom<u32>>(text: &str) -> Result<T, DateError> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DateError::Layout);
    }
    let value = text
        .bytes()
        .fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0'));
    T::try_from(value).map_err(|_| DateError::NoSuchDay)
}

fn is_leap(year: u16) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_card_layouts() {
        let expected = Date::new(1990, 1, 1).unwrap();
        assert_eq!(Date::parse_slashed("01/01/1990"), Ok(expected));
        assert_eq!(Date::parse_slashed(" 01/01/1990\n"), Ok(expected));
        assert_eq!(Date::parse_compact("01011990"), Ok(expected));
    }

    #[test]
    fn refuses_days_that_do_not_exist() {
        assert_eq!(Date::parse_slashed("30/02/2000"), Err(DateError::NoSuchDay));
        assert_eq!(Date::parse_slashed("29/02/2023"), Err(DateError::NoSuchDay));
        assert_eq!(Date::parse_compact("01132000"), Err(DateError::NoSuchDay));
        assert_eq!(Date::parse_compact("00012000"), Err(DateError::NoSuchDay));
        assert_eq!(Date::parse_compact("01010000"), Err(DateError::NoSuchDay));
        assert!(Date::parse_slashed("29/02/2000").is_ok());
        assert!(Date::parse_slashed("29/02/1900").is_err());
    }

    #[test]
    fn refuses_other_layouts() {
        for bad in [
            "1/1/1990",
            "01-01-1990",
            "01/01/90",
            "01/01/1990/",
            "0101199",
            "010119900",
            "+1011990",
            "٠١٠١١٩٩٠",
            "",
        ] {
            assert!(Date::parse_slashed(bad).is_err(), "{bad}");
            assert!(Date::parse_compact(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn writes_mrz_form() {
        assert_eq!(Date::new(2033, 1, 5).unwrap().to_yymmdd(), "330105");
        assert_eq!(Date::new(2000, 12, 31).unwrap().to_yymmdd(), "001231");
    }

    #[test]
    fn leap_day_birthday_has_two_candidate_anniversaries_in_common_years() {
        let born = Date::new(2000, 2, 29).unwrap();
        assert_eq!(
            born.anniversaries(25),
            vec![
                Date::new(2025, 2, 28).unwrap(),
                Date::new(2025, 3, 1).unwrap()
            ]
        );
        assert_eq!(
            born.anniversaries(40),
            vec![Date::new(2040, 2, 29).unwrap()]
        );
    }
}
