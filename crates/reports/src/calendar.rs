//! Calendar days as the seeds write them, in Vietnam time (UTC+7, no daylight saving).
//!
//! Reports are asked "for a period" in days ("từ ngày 22/4/2023 đến ngày 28/4/2023"), while the
//! queue stores Unix milliseconds: [`LocalDate`] and [`Period`] turn one into the other. No
//! clock is read here.

use enroll::timestamp::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Vietnam's offset from UTC, in milliseconds.
pub const VIETNAM_OFFSET_MILLIS: i64 = 7 * 3600 * 1000;
const DAY_MILLIS: i64 = 24 * 3600 * 1000;

/// Why a date or period is invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Not a real calendar day, or outside years 1900–9999.
    #[error("not a valid calendar date (expected YYYY-MM-DD between 1900 and 9999)")]
    Invalid,
    /// A period whose last day comes before its first.
    #[error("a period ends before it starts")]
    EndsBeforeStart,
}

/// A calendar day in Vietnam.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalDate {
    year: i32,
    month: u8,
    day: u8,
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

impl LocalDate {
    /// A checked calendar day.
    pub fn new(year: i32, month: u8, day: u8) -> Result<Self, DateError> {
        if !(1900..=9999).contains(&year) || day == 0 || day > days_in_month(year, month) {
            return Err(DateError::Invalid);
        }
        Ok(Self { year, month, day })
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse_iso(s: &str) -> Result<Self, DateError> {
        let mut parts = s.split('-');
        let mut next = |len: usize| -> Result<i64, DateError> {
            let p = parts.next().ok_or(DateError::Invalid)?;
            if p.len() != len || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(DateError::Invalid);
            }
            p.parse().map_err(|_| DateError::Invalid)
        };
        let (y, m, d) = (next(4)?, next(2)?, next(2)?);
        if parts.next().is_some() {
            return Err(DateError::Invalid);
        }
        Self::new(
            i32::try_from(y).map_err(|_| DateError::Invalid)?,
            u8::try_from(m).map_err(|_| DateError::Invalid)?,
            u8::try_from(d).map_err(|_| DateError::Invalid)?,
        )
    }

    /// Year, month, day.
    pub fn parts(self) -> (i32, u8, u8) {
        (self.year, self.month, self.day)
    }

    /// Days since 1970-01-01 (civil-calendar arithmetic over 400-year eras).
    pub fn days_since_epoch(self) -> i64 {
        let m = i64::from(self.month);
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let year_of_era = y - era * 400;
        let day_of_year = (153 * ((m + 9) % 12) + 2) / 5 + i64::from(self.day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    fn from_days_since_epoch(days: i64) -> Self {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z - era * 146_097;
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let mp = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Self {
            year: i32::try_from(year).unwrap_or(i32::MAX),
            month: u8::try_from(month).unwrap_or(1),
            day: u8::try_from(day).unwrap_or(1),
        }
    }

    /// The day (in Vietnam) that contains `t`.
    pub fn containing(t: Timestamp) -> Self {
        let local = t.unix_millis().saturating_add(VIETNAM_OFFSET_MILLIS);
        Self::from_days_since_epoch(local.div_euclid(DAY_MILLIS))
    }

    /// Midnight at the start of this day, Vietnam time.
    pub fn start(self) -> Timestamp {
        Timestamp::from_unix_millis(
            self.days_since_epoch()
                .saturating_mul(DAY_MILLIS)
                .saturating_sub(VIETNAM_OFFSET_MILLIS),
        )
    }

    /// The day after.
    pub fn next(self) -> Self {
        Self::from_days_since_epoch(self.days_since_epoch() + 1)
    }

    /// Whole days from `self` to `later` (negative if `later` is earlier).
    pub fn days_until(self, later: LocalDate) -> i64 {
        later.days_since_epoch() - self.days_since_epoch()
    }

    /// `21/04/2023`, as the seeds write dates.
    pub fn dd_mm_yyyy(self) -> String {
        format!("{:02}/{:02}/{:04}", self.day, self.month, self.year)
    }

    /// `ngày 04 tháng 12 năm 2025` (Vietnamese) or `4 December 2025` (English).
    pub fn long(self, lang: crate::locale::Lang) -> String {
        const MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        match lang {
            crate::locale::Lang::Vi => format!(
                "ngày {:02} tháng {:02} năm {}",
                self.day, self.month, self.year
            ),
            crate::locale::Lang::En => {
                let month = MONTHS
                    .get(usize::from(self.month).saturating_sub(1))
                    .copied()
                    .unwrap_or("");
                format!("{} {month} {}", self.day, self.year)
            }
        }
    }
}

/// The hour and minute of `t` in Vietnam.
pub fn time_of_day(t: Timestamp) -> (u8, u8) {
    let local = t.unix_millis().saturating_add(VIETNAM_OFFSET_MILLIS);
    let minutes = local.rem_euclid(DAY_MILLIS) / 60_000;
    (
        u8::try_from(minutes / 60).unwrap_or(0),
        u8::try_from(minutes % 60).unwrap_or(0),
    )
}

impl fmt::Display for LocalDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for LocalDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A TOML file may write a date bare (`from = 2023-04-22`) or quoted; JSON quotes it.
#[derive(Deserialize)]
#[serde(untagged)]
enum DateInput {
    Text(String),
    Toml(toml::value::Datetime),
}

impl<'de> Deserialize<'de> for LocalDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = match DateInput::deserialize(d)? {
            DateInput::Text(t) => t,
            DateInput::Toml(dt) => match (dt.date, dt.time) {
                (Some(date), None) => date.to_string(),
                _ => return Err(serde::de::Error::custom(DateError::Invalid)),
            },
        };
        LocalDate::parse_iso(&text).map_err(serde::de::Error::custom)
    }
}

/// Whole days, first and last included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// The first day.
    pub from: LocalDate,
    /// The last day (included).
    pub until: LocalDate,
}

impl Period {
    /// A checked period.
    pub fn new(from: LocalDate, until: LocalDate) -> Result<Self, DateError> {
        if until < from {
            return Err(DateError::EndsBeforeStart);
        }
        Ok(Self { from, until })
    }

    /// One day.
    pub fn day(day: LocalDate) -> Self {
        Self {
            from: day,
            until: day,
        }
    }

    /// `[start, end)` in Unix milliseconds, as the queue's `counts_by` takes it.
    pub fn bounds(self) -> (Timestamp, Timestamp) {
        (self.from.start(), self.until.next().start())
    }

    /// Whether `t` falls within the period.
    pub fn contains(self, t: Timestamp) -> bool {
        let (a, b) = self.bounds();
        a <= t && t < b
    }

    /// `từ 22/04/2023 đến 28/04/2023` / `from 22/04/2023 to 28/04/2023`.
    pub fn describe(self, lang: crate::locale::Lang) -> String {
        match lang {
            crate::locale::Lang::Vi => format!(
                "từ {} đến {}",
                self.from.dd_mm_yyyy(),
                self.until.dd_mm_yyyy()
            ),
            crate::locale::Lang::En => format!(
                "from {} to {}",
                self.from.dd_mm_yyyy(),
                self.until.dd_mm_yyyy()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_vietnamese_day_starts_at_17_utc_the_day_before() {
        let d = LocalDate::new(2023, 4, 22).expect("date");
        // 2023-04-21T17:00:00Z
        assert_eq!(d.start().unix_millis(), 1_682_096_400_000);
        assert_eq!(LocalDate::containing(d.start()), d);
        assert_eq!(time_of_day(d.start()), (0, 0));
        assert_eq!(time_of_day(d.start().plus_millis(-60_000)), (23, 59));
        assert_eq!(
            LocalDate::containing(d.start().plus_millis(-1)),
            LocalDate::new(2023, 4, 21).expect("date")
        );
    }

    #[test]
    fn seed_004_phase_two_is_seven_days_inclusive() {
        let p = Period::new(
            LocalDate::parse_iso("2023-04-22").expect("from"),
            LocalDate::parse_iso("2023-04-28").expect("until"),
        )
        .expect("period");
        let (a, b) = p.bounds();
        assert_eq!(b.unix_millis() - a.unix_millis(), 7 * DAY_MILLIS);
        assert_eq!(
            p.describe(crate::locale::Lang::Vi),
            "từ 22/04/2023 đến 28/04/2023"
        );
        assert!(!p.contains(b));
        assert!(p.contains(a));
    }

    #[test]
    fn impossible_dates_and_reversed_periods_are_refused() {
        assert_eq!(LocalDate::new(2023, 2, 29), Err(DateError::Invalid));
        assert!(LocalDate::new(2024, 2, 29).is_ok());
        assert_eq!(LocalDate::new(1900, 2, 29), Err(DateError::Invalid));
        assert_eq!(LocalDate::parse_iso("2023-4-22"), Err(DateError::Invalid));
        assert_eq!(LocalDate::parse_iso("2023-04-22x"), Err(DateError::Invalid));
        assert_eq!(LocalDate::parse_iso("+023-04-22"), Err(DateError::Invalid));
        let a = LocalDate::new(2023, 4, 28).expect("a");
        let b = LocalDate::new(2023, 4, 22).expect("b");
        assert_eq!(Period::new(a, b), Err(DateError::EndsBeforeStart));
    }

    proptest! {
        #[test]
        fn days_round_trip_and_follow_each_other(days in -25_000i64..2_900_000) {
            let d = LocalDate::from_days_since_epoch(days);
            prop_assert_eq!(d.days_since_epoch(), days);
            prop_assert_eq!(LocalDate::new(d.year, d.month, d.day), Ok(d));
            prop_assert_eq!(d.days_until(d.next()), 1);
            prop_assert!(d < d.next());
            prop_assert_eq!(LocalDate::parse_iso(&d.to_string()), Ok(d));
        }

        #[test]
        fn every_instant_falls_in_the_day_it_is_said_to(ms in 0i64..4_000_000_000_000) {
            let t = Timestamp::from_unix_millis(ms);
            let d = LocalDate::containing(t);
            prop_assert!(d.start() <= t && t < d.next().start());
        }
    }
}
