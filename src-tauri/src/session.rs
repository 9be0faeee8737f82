//! The citizen's session held in memory while they are at the kiosk, wiped on idle timeout and
//! on every return to the start screen.

use cardread::read::CardReading;
use enroll::timestamp::Timestamp;
use zeroize::Zeroize;

/// Personal values of the current session. Later screens add their fields here so one wipe
/// clears them all.
#[derive(Default)]
pub struct Session {
    /// The 12-digit ID number the citizen typed, kept to derive the chip's access key.
    id_number: String,
    /// The chip read: DG1, DG13, the portrait and the raw files (each wipes its memory when
    /// dropped).
    card: Option<CardReading>,
    /// When the citizen accepted the consent notice (nothing personal, but part of the session).
    consented_at: Option<Timestamp>,
}

/// Why a typed value was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum SessionError {
    /// Not exactly 12 ASCII digits.
    IdNumberFormat,
}

impl Session {
    /// Keeps the typed ID number after checking it is 12 digits.
    pub fn set_id_number(&mut self, digits: &str) -> Result<(), SessionError> {
        if digits.len() != 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(SessionError::IdNumberFormat);
        }
        self.id_number.zeroize();
        self.id_number.push_str(digits);
        Ok(())
    }

    /// The typed ID number, if any.
    pub fn id_number(&self) -> Option<&str> {
        Some(self.id_number.as_str()).filter(|id| !id.is_empty())
    }

    /// Keeps the chip read (replacing an earlier one, which wipes itself).
    pub fn set_card_reading(&mut self, reading: CardReading) {
        self.card = Some(reading);
    }

    /// The chip read, if one succeeded in this session.
    pub fn card_reading(&self) -> Option<&CardReading> {
        self.card.as_ref()
    }

    /// Records that the citizen accepted the consent notice at `at`.
    pub fn consent(&mut self, at: Timestamp) {
        self.consented_at = Some(at);
    }

    /// When the citizen consented, if they did in this session.
    pub fn consented_at(&self) -> Option<Timestamp> {
        self.consented_at
    }

    /// Whether the session holds any personal value.
    pub fn is_empty(&self) -> bool {
        self.id_number.is_empty() && self.card.is_none() && self.consented_at.is_none()
    }

    /// Overwrites every personal value with zeros and leaves an empty session.
    pub fn wipe(&mut self) {
        self.id_number.zeroize();
        self.card = None;
        self.consented_at = None;
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.wipe();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wipe_empties_every_field() {
        let mut session = Session::default();
        session.set_id_number("001090123456").expect("12 digits");
        assert_eq!(session.id_number(), Some("001090123456"));
        assert!(!session.is_empty());
        session.wipe();
        assert!(session.is_empty());
        assert_eq!(session.id_number(), None);
    }

    /// A real chip reading, from the software card read in process.
    fn reading() -> CardReading {
        use cardsim::identity::Identity;
        use cardsim::{Chip, OsEntropy, ReadLimits, SoftCard};
        let identity = Identity::builtin("nguyen-van-a").expect("shipped");
        let mut card = SoftCard::insert(Chip::new(
            identity.profile(ReadLimits::default()),
            Box::new(OsEntropy),
        ));
        let keys =
            cardread::keys::KeyCandidates::from_qr_payload(&identity.qr_payload()).expect("keys");
        cardread::read::CardRead::new(keys, Default::default())
            .run(
                &mut card,
                &mut getrandom::SysRng,
                &Default::default(),
                &mut |_| {},
            )
            .expect("reads")
    }

    #[test]
    fn a_session_holding_a_chip_reading_is_emptied_by_the_wipe() {
        let mut session = Session::default();
        session.set_card_reading(reading());
        assert!(!session.is_empty());
        session.wipe();
        assert!(session.is_empty());
        assert!(session.card.is_none());
    }

    #[test]
    fn id_number_must_be_twelve_digits() {
        let mut session = Session::default();
        for bad in [
            "",
            "00109012345",
            "0010901234567",
            "00109012345a",
            "００１０９０１２３４５６",
        ] {
            assert_eq!(
                session.set_id_number(bad),
                Err(SessionError::IdNumberFormat),
                "{bad}"
            );
        }
        assert!(session.is_empty());
    }
}
