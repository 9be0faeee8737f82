//! The access keys to try on a card, most likely first, from what the kiosk has in hand: the
//! QR payload printed on the card (ID, birth date and issue date derive the expiry candidates),
//! or the ID, birth date and expiry typed by the officer or the citizen. The CAN candidate (the
//! last six digits of the ID, unconfirmed on CCCDs) comes last: it costs one PACE attempt.

use cccd::access_key::{self, AccessKeyCandidates, AccessKeyError};
use cccd::date::{Date, DateError};
use cccd::id_number::{IdNumber, IdNumberError};
use cccd::qr::{CardQr, QrError};
use emrtd::access::AccessKeys;
use thiserror::Error;

/// Why no access key could be made from the input. Names the field, never its value.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum KeyError {
    /// The ID number is not 12 digits.
    #[error("the ID number is not 12 digits: {0}")]
    IdNumber(IdNumberError),
    /// The date of birth is not a real `ddmmyyyy` date.
    #[error("the date of birth is not a valid ddmmyyyy date: {0}")]
    DateOfBirth(DateError),
    /// The date of expiry is not a real `ddmmyyyy` date.
    #[error("the date of expiry is not a valid ddmmyyyy date: {0}")]
    DateOfExpiry(DateError),
    /// The QR payload is not a card's QR code.
    #[error("the QR payload is not a CCCD QR code: {0}")]
    Qr(QrError),
    /// The values give no key (out-of-range dates, an issue date before birth).
    #[error("no access key follows from these values: {0}")]
    Derivation(AccessKeyError),
}

/// The keys to try, in order, and the QR data they came from (kept for the cross-check of the
/// chip against the printed card).
#[derive(Debug, Clone)]
pub struct KeyCandidates {
    /// One [`AccessKeys`] per attempt, most likely first.
    pub attempts: Vec<AccessKeys>,
    /// The parsed QR code, when the keys came from it.
    pub qr: Option<CardQr>,
}

impl KeyCandidates {
    /// Candidates from a card's QR payload: one MRZ key per derived expiry, then the CAN. A
    /// card issued after the last renewal age has no derivable expiry: only the CAN is tried
    /// (typed data opens it otherwise).
    pub fn from_qr_payload(payload: &str) -> Result<Self, KeyError> {
        let qr = CardQr::parse(payload).map_err(KeyError::Qr)?;
        let mut attempts: Vec<AccessKeys> = match AccessKeyCandidates::from_qr(&qr) {
            Ok(derived) => derived
                .mrz_information
                .into_iter()
                .map(|mrz| AccessKeys {
                    mrz: Some(mrz),
                    can: None,
                })
                .collect(),
            Err(AccessKeyError::NoRenewalAgeAfterIssue) => Vec::new(),
            Err(other) => return Err(KeyError::Derivation(other)),
        };
        attempts.push(can_only(&qr.id_number)?);
        Ok(Self {
            attempts,
            qr: Some(qr),
        })
    }

    /// Candidates from typed values (`ddmmyyyy` dates): the MRZ key, then the CAN.
    pub fn from_typed(
        id_number: &str,
        date_of_birth: &str,
        date_of_expiry: &str,
    ) -> Result<Self, KeyError> {
        let id = IdNumber::parse(id_number).map_err(KeyError::IdNumber)?;
        let birth = Date::parse_compact(date_of_birth).map_err(KeyError::DateOfBirth)?;
        let expiry = Date::parse_compact(date_of_expiry).map_err(KeyError::DateOfExpiry)?;
        let mrz = access_key::mrz_information(&id, birth, expiry).map_err(KeyError::Derivation)?;
        Ok(Self {
            attempts: vec![
                AccessKeys {
                    mrz: Some(mrz),
                    can: None,
                },
                can_only(&id)?,
            ],
            qr: None,
        })
    }
}

fn can_only(id: &IdNumber) -> Result<AccessKeys, KeyError> {
    Ok(AccessKeys {
        mrz: None,
        can: Some(access_key::can(id).map_err(KeyError::Derivation)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use emrtd::mrz::MrzInformation;

    #[test]
    fn qr_payload_gives_the_derived_expiries_then_the_can() {
        let keys = KeyCandidates::from_qr_payload(
            "001090012345|012345678|Nguyễn Văn A|01011990|Nam|Phường Bến Nghé|15042021",
        )
        .unwrap();
        assert_eq!(keys.attempts.len(), 3);
        assert_eq!(
            keys.attempts[0].mrz,
            Some(MrzInformation::parse("090012345090010113001019").unwrap())
        );
        assert!(keys.attempts[2].mrz.is_none() && keys.attempts[2].can.is_some());
        assert!(keys.qr.is_some());
    }

    #[test]
    fn a_card_issued_after_sixty_is_tried_with_the_can_only() {
        let keys = KeyCandidates::from_qr_payload(
            "001055003456|011223344|Lê Văn Cường|20031955|Nam|Hà Nội|10072021",
        )
        .unwrap();
        assert_eq!(keys.attempts.len(), 1);
        assert!(keys.attempts[0].can.is_some());
    }

    #[test]
    fn typed_values_give_the_mrz_key_then_the_can() {
        let keys = KeyCandidates::from_typed("001090012345", "01011990", "01012030").unwrap();
        assert_eq!(
            keys.attempts[0].mrz,
            Some(MrzInformation::parse("090012345090010113001019").unwrap())
        );
        assert!(keys.attempts[1].can.is_some());
        assert!(keys.qr.is_none());
    }

    #[test]
    fn bad_typed_values_name_the_field_and_not_the_value() {
        let cases = [
            ("00109001234", "01011990", "01012030"),
            ("001090012345", "31021990", "01012030"),
            ("001090012345", "01011990", "2030"),
        ];
        let errors: Vec<KeyError> = cases
            .iter()
            .map(|(id, birth, expiry)| KeyCandidates::from_typed(id, birth, expiry).unwrap_err())
            .collect();
        assert!(matches!(errors[0], KeyError::IdNumber(_)));
        assert!(matches!(errors[1], KeyError::DateOfBirth(_)));
        assert!(matches!(errors[2], KeyError::DateOfExpiry(_)));
        for (error, (id, birth, expiry)) in errors.iter().zip(cases) {
            let text = error.to_string();
            assert!(!text.contains(id) && !text.contains(birth) && !text.contains(expiry));
        }
    }

    #[test]
    fn a_payload_that_is_no_card_qr_is_refused() {
        assert!(matches!(
            KeyCandidates::from_qr_payload("https://example.com"),
            Err(KeyError::Qr(_))
        ));
    }
}
