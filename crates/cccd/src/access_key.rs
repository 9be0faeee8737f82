//! The chip's access keys (BAC/PACE passwords) from what a kiosk has in hand.
//!
//! The MRZ password is MRZ_information = document number ‖ check digit ‖ date of birth YYMMDD ‖
//! check digit ‖ date of expiry YYMMDD ‖ check digit (ICAO 9303-11 §4.3 and 9.7). On a CCCD the
//! document number is the last 9 digits of the 12-digit ID. The card's QR code has no expiry,
//! but a card expires on the holder's birthday at the next age of renewal (14, 25, 40 and 60
//! under the 2023 Law on Identification; 25, 40, 60 before it), and a card issued within the
//! two years before such an age stays valid until the one after it. So the QR's ID, birth date
//! and issue date give a short, ordered list of candidate keys. The CAN candidate (last 6
//! digits of the ID) is reported by one public reader and is unconfirmed.
//!
//! The keys are `emrtd`'s own types ([`MrzInformation`], [`Can`]), ready for the chip reader.

use emrtd::mrz::{MrzError, MrzInformation};
use emrtd::pace::Can;
use thiserror::Error;

use crate::date::Date;
use crate::id_number::IdNumber;
use crate::qr::CardQr;

/// Ages at which a card must be renewed, in ascending order.
pub const RENEWAL_AGES: [u16; 4] = [14, 25, 40, 60];

/// A card issued this many years or less before a renewal age stays valid until the next one.
pub const GRACE_YEARS: u16 = 2;

/// The MRZ password of a CCCD from its ID number, date of birth and date of expiry.
pub fn mrz_information(
    id_number: &IdNumber,
    date_of_birth: Date,
    date_of_expiry: Date,
) -> Result<MrzInformation, AccessKeyError> {
    MrzInformation::new(
        id_number.document_number(),
        &date_of_birth.to_yymmdd(),
        &date_of_expiry.to_yymmdd(),
    )
    .map_err(AccessKeyError::Mrz)
}

/// The CAN candidate of a CCCD: the last six digits of its ID number [unconfirmed].
pub fn can(id_number: &IdNumber) -> Result<Can, AccessKeyError> {
    Can::new(id_number.last_six()).ok_or(AccessKeyError::Can)
}

/// Why no key candidates could be derived. Carries no personal data.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AccessKeyError {
    #[error("MRZ data out of range: {0}")]
    Mrz(MrzError),
    #[error("the ID number does not end in a six-digit CAN")]
    Can,
    #[error("the date of issue is before the date of birth")]
    IssuedBeforeBirth,
    #[error(
        "the card was issued after the last renewal age: its expiry cannot be derived, type it"
    )]
    NoRenewalAgeAfterIssue,
}

/// The keys to try on a card known only by its QR data, most likely first.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct AccessKeyCandidates {
    /// MRZ passwords, one per candidate expiry, in the order to try them.
    pub mrz_information: Vec<MrzInformation>,
    /// The CAN candidate.
    pub can: Can,
}

impl AccessKeyCandidates {
    /// Candidates from the ID number, date of birth and date of issue (what the QR code holds).
    pub fn from_issue_date(
        id_number: &IdNumber,
        date_of_birth: Date,
        date_of_issue: Date,
    ) -> Result<Self, AccessKeyError> {
        let mrz_information = expiry_candidates(date_of_birth, date_of_issue)?
            .into_iter()
            .map(|expiry| mrz_information(id_number, date_of_birth, expiry))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            mrz_information,
            can: can(id_number)?,
        })
    }

    /// Candidates from a parsed card QR code.
    pub fn from_qr(qr: &CardQr) -> Result<Self, AccessKeyError> {
        Self::from_issue_date(&qr.id_number, qr.date_of_birth, qr.date_of_issue)
    }
}

/// The possible expiry dates of a card issued on `date_of_issue` to someone born on
/// `date_of_birth`, most likely first: the renewal birthday the law gives (the first one after
/// issue, or the one after that when the card was issued in the grace years before it), then
/// the remaining renewal birthdays after issue in ascending order.
pub fn expiry_candidates(
    date_of_birth: Date,
    date_of_issue: Date,
) -> Result<Vec<Date>, AccessKeyError> {
    if date_of_issue < date_of_birth {
        return Err(AccessKeyError::IssuedBeforeBirth);
    }
    let mut after_issue = RENEWAL_AGES.iter().filter_map(|&age| {
        let dates: Vec<Date> = date_of_birth
            .anniversaries(age)
            .into_iter()
            .filter(|&d| d > date_of_issue)
            .collect();
        (!dates.is_empty()).then_some((age, dates))
    });
    let Some((first_age, first_dates)) = after_issue.next() else {
        return Err(AccessKeyError::NoRenewalAgeAfterIssue);
    };
    let later: Vec<Vec<Date>> = after_issue.map(|(_, dates)| dates).collect();
    let in_grace = first_age
        .checked_sub(GRACE_YEARS)
        .and_then(|age| date_of_birth.anniversaries(age).first().copied())
        .is_some_and(|grace_start| date_of_issue >= grace_start);

    let mut ordered = Vec::new();
    match later.split_first() {
        Some((next, rest)) if in_grace => {
            ordered.extend(next);
            ordered.extend(first_dates);
            ordered.extend(rest.iter().flatten());
        }
        _ => {
            ordered.extend(first_dates);
            ordered.extend(later.iter().flatten());
        }
    }
    Ok(ordered)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: u16, m: u8, d: u8) -> Date {
        Date::new(y, m, d).unwrap()
    }

    fn id(text: &str) -> IdNumber {
        IdNumber::parse(text).unwrap()
    }

    fn mrz(text: &str) -> MrzInformation {
        MrzInformation::parse(text).unwrap()
    }

    #[test]
    fn mrz_information_of_the_real_format_example() {
        // IDVNM0930470641001093047064<<2 / 9301054M3301052VNM<<<<<<<<<<<8
        let key = mrz_information(&id("001093047064"), date(1993, 1, 5), date(2033, 1, 5));
        assert_eq!(key, Ok(mrz("093047064193010543301052")));
    }

    #[test]
    fn mrz_information_of_the_synthetic_fixture() {
        let key = mrz_information(&id("001090012345"), date(1990, 1, 1), date(2030, 1, 1));
        assert_eq!(key, Ok(mrz("090012345090010113001019")));
    }

    #[test]
    fn first_candidate_from_qr_data_is_the_synthetic_cards_key() {
        let keys = AccessKeyCandidates::from_issue_date(
            &id("001090012345"),
            date(1990, 1, 1),
            date(2021, 4, 15),
        )
        .unwrap();
        assert_eq!(
            keys.mrz_information,
            [
                mrz("090012345090010113001019"),
                mrz("090012345090010115001013")
            ]
        );
        assert_eq!(Some(keys.can), Can::new("012345"));
    }

    #[test]
    fn expiry_follows_the_issue_date() {
        let born = date(1993, 1, 5);
        assert_eq!(
            expiry_candidates(born, date(2016, 1, 4)).unwrap(),
            [date(2018, 1, 5), date(2033, 1, 5), date(2053, 1, 5)]
        );
        assert_eq!(
            expiry_candidates(born, date(2021, 7, 1)).unwrap(),
            [date(2033, 1, 5), date(2053, 1, 5)]
        );
    }

    #[test]
    fn card_issued_in_the_grace_years_expires_at_the_next_renewal_age() {
        let born = date(1993, 1, 5);
        // Issued at 23 (2 years before 25): valid until 40, then 25 as a fallback.
        assert_eq!(
            expiry_candidates(born, date(2016, 1, 5)).unwrap(),
            [date(2033, 1, 5), date(2018, 1, 5), date(2053, 1, 5)]
        );
        // Issued at 58: no later renewal age, so the renewal birthday at 60 is all there is.
        assert_eq!(
            expiry_candidates(born, date(2051, 6, 1)).unwrap(),
            [date(2053, 1, 5)]
        );
    }

    #[test]
    fn child_card_expires_at_fourteen() {
        assert_eq!(
            expiry_candidates(date(2015, 3, 1), date(2024, 7, 1)).unwrap(),
            [
                date(2029, 3, 1),
                date(2040, 3, 1),
                date(2055, 3, 1),
                date(2075, 3, 1)
            ]
        );
    }

    #[test]
    fn no_candidate_after_sixty_and_no_issue_before_birth() {
        assert_eq!(
            expiry_candidates(date(1950, 1, 1), date(2021, 1, 1)),
            Err(AccessKeyError::NoRenewalAgeAfterIssue)
        );
        assert_eq!(
            expiry_candidates(date(1990, 1, 1), date(1989, 1, 1)),
            Err(AccessKeyError::IssuedBeforeBirth)
        );
    }

    #[test]
    fn leap_day_birthday_tries_both_common_year_dates() {
        assert_eq!(
            expiry_candidates(date(2000, 2, 29), date(2021, 1, 1)).unwrap(),
            [
                date(2025, 2, 28),
                date(2025, 3, 1),
                date(2040, 2, 29),
                date(2060, 2, 29)
            ]
        );
    }
}
