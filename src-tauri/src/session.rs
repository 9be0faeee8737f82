//! The citizen's session held in memory while they are at the kiosk, wiped on idle timeout and
//! on every return to the start screen.

use cardread::read::CardReading;
use cccd::qr::CardQr;
use enroll::evidence::FaceMatchScore;
use enroll::portrait::Portrait;
use enroll::timestamp::Timestamp;
use zeroize::{Zeroize, Zeroizing};

/// The card's QR code as the camera read it: the raw payload (to derive the chip's access
/// keys) and its parsed fields (shown, and the identity of a QR-only enrollment).
pub struct ScannedQr {
    pub payload: Zeroizing<String>,
    pub card: CardQr,
}

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
    /// The card's QR code, once the camera has read it.
    qr: Option<ScannedQr>,
    /// The officer confirmed an enrollment from the QR data alone (the chip could not be read).
    qr_only_confirmed: bool,
    /// The live portrait captured at the kiosk (ICAO crop, JPEG).
    portrait: Option<Portrait>,
    /// Its comparison with the chip photo, when one ran.
    face_match: Option<FaceMatchScore>,
}

/// Why a typed value was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum SessionError {
    /// Not exactly 12 ASCII digits.
    IdNumberFormat,
    /// A QR-only enrollment was asked for before the camera read the card's QR code.
    NoQr,
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

    /// Keeps the card's QR code as the camera read it (a new scan replaces the last one and
    /// withdraws an officer's confirmation of the old one).
    pub fn set_qr(&mut self, qr: ScannedQr) {
        self.qr = Some(qr);
        self.qr_only_confirmed = false;
    }

    /// The card's QR code, if the camera read one in this session.
    pub fn qr(&self) -> Option<&ScannedQr> {
        self.qr.as_ref()
    }

    /// Records the officer's confirmation that this session enrolls from the QR data alone.
    pub fn confirm_qr_only(&mut self) -> Result<(), SessionError> {
        if self.qr.is_none() {
            return Err(SessionError::NoQr);
        }
        self.qr_only_confirmed = true;
        Ok(())
    }

    /// The QR code an officer confirmed for a QR-only enrollment.
    pub fn confirmed_qr(&self) -> Option<&CardQr> {
        self.qr
            .as_ref()
            .filter(|_| self.qr_only_confirmed)
            .map(|q| &q.card)
    }

    /// Keeps the captured portrait and its comparison with the chip photo (`None` forgets
    /// them, for a retake).
    pub fn set_portrait(&mut self, portrait: Option<Portrait>, face_match: Option<FaceMatchScore>) {
        self.portrait = portrait;
        self.face_match = face_match;
    }

    /// The captured portrait's comparison with the chip photo, if one ran.
    pub fn face_match(&self) -> Option<FaceMatchScore> {
        self.face_match
    }

    /// The captured portrait, if any.
    pub fn portrait(&self) -> Option<&Portrait> {
        self.portrait.as_ref()
    }

    /// Whether the session holds any personal value.
    pub fn is_empty(&self) -> bool {
        self.id_number.is_empty()
            && self.card.is_none()
            && self.consented_at.is_none()
            && self.qr.is_none()
            && self.portrait.is_none()
    }

    /// Overwrites every personal value with zeros and leaves an empty session.
    pub fn wipe(&mut self) {
        self.id_number.zeroize();
        self.card = None;
        self.consented_at = None;
        self.qr = None;
        self.qr_only_confirmed = false;
        self.portrait = None;
        self.face_match = None;
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

    fn scanned() -> ScannedQr {
        let payload = cardsim::identity::Identity::builtin("nguyen-van-a")
            .expect("shipped")
            .qr_payload();
        ScannedQr {
            card: CardQr::parse(&payload).expect("card QR"),
            payload: Zeroizing::new(payload),
        }
    }

    #[test]
    fn qr_only_needs_a_scanned_qr_and_a_new_scan_withdraws_the_confirmation() {
        let mut session = Session::default();
        assert_eq!(session.confirm_qr_only(), Err(SessionError::NoQr));
        session.set_qr(scanned());
        assert!(session.confirmed_qr().is_none(), "not confirmed yet");
        session.confirm_qr_only().expect("confirmed");
        assert_eq!(
            session
                .confirmed_qr()
                .map(|q| q.id_number.expose().to_string()),
            Some("001090012345".to_string())
        );
        session.set_qr(scanned());
        assert!(
            session.confirmed_qr().is_none(),
            "a new scan needs a new confirmation"
        );
    }

    #[test]
    fn the_wipe_forgets_the_qr_and_the_portrait() {
        let mut session = Session::default();
        session.set_qr(scanned());
        let jpeg = include_bytes!("../../assets/frames/qr/00-nguyen-van-a-640x480.jpg");
        session.set_portrait(
            Some(Portrait::from_jpeg(jpeg.to_vec()).expect("jpeg")),
            FaceMatchScore::per_mille(820),
        );
        assert!(!session.is_empty());
        session.wipe();
        assert!(session.is_empty());
        assert!(session.qr().is_none() && session.portrait().is_none());
        assert!(session.face_match().is_none());
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
