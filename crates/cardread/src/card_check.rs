//! The set-up's test card read: proves that a reader and a card on it work together while
//! reading nothing of the holder's. It finds the reader with a card, reads the card's ATR and
//! what the reader's model can do (`reader::models`), and SELECTs the eMRTD application by
//! its AID: no access key, no file, no personal data. Each way it can fail is one
//! [`CheckError`] whose code the set-up screen turns into a sentence with the next step.

use emrtd::apdu::{CommandApdu, ResponseApdu, StatusWord};
use emrtd::read::EMRTD_AID;
use emrtd::transport::{CardTransport, TransportError};
use reader::discovery::{self, DiscoveryError};
use reader::models::{AtrKind, ReaderFacts};
use reader::transport::{ConnectError, PcscTransport};
use thiserror::Error;

/// Why the test read did not pass (no personal data in any of them).
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
pub enum CheckError {
    /// pcscd is not running.
    #[error("the PC/SC service (pcscd) is not running")]
    ServiceDown,
    /// No reader is connected.
    #[error("no reader is connected")]
    NoReader,
    /// Readers are connected but none has a card on it.
    #[error("no card on the reader")]
    NoCard,
    /// The card has no eMRTD application (a bank or transport card, a memory card).
    #[error("the card is not a chip ID card (no eMRTD application)")]
    NotIdCard,
    /// The card left the reader during the test.
    #[error("the card was removed during the test")]
    CardRemoved,
    /// The reader or pcscd failed in another way.
    #[error("the reader failed")]
    ReaderFailure,
}

impl CheckError {
    /// The code the set-up screen has a sentence for.
    pub fn code(self) -> &'static str {
        match self {
            CheckError::ServiceDown => "check.no_service",
            CheckError::NoReader => "check.no_reader",
            CheckError::NoCard => "check.no_card",
            CheckError::NotIdCard => "check.not_id_card",
            CheckError::CardRemoved => "check.card_removed",
            CheckError::ReaderFailure => "check.reader_failure",
        }
    }
}

/// A test read that passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardCheck {
    /// The reader's name as pcscd gives it.
    pub reader: String,
    /// The card's ATR (identifies the chip's type, not its holder).
    pub atr: Vec<u8>,
    /// The reader's model, the ATR's kind and the driver's CCID properties.
    pub facts: ReaderFacts,
}

/// SELECTs the eMRTD application by its AID and nothing more.
pub fn select_emrtd<T: CardTransport + ?Sized>(transport: &mut T) -> Result<(), CheckError> {
    let select = CommandApdu::new(0x00, 0xA4, 0x04, 0x0C)
        .with_data(EMRTD_AID)
        .encode()
        .map_err(|_| CheckError::ReaderFailure)?;
    let raw = transport.transmit(&select).map_err(|err| match err {
        TransportError::CardRemoved => CheckError::CardRemoved,
        _ => CheckError::ReaderFailure,
    })?;
    match ResponseApdu::parse(&raw).map(|r| r.sw) {
        Ok(StatusWord::Success) => Ok(()),
        Ok(_) => Err(CheckError::NotIdCard),
        Err(_) => Err(CheckError::ReaderFailure),
    }
}

/// Runs the test read on the first reader that has a card.
pub fn check_first_card() -> Result<CardCheck, CheckError> {
    let readers = discovery::list_readers().map_err(|err| match err {
        DiscoveryError::ServiceDown => CheckError::ServiceDown,
        DiscoveryError::Pcsc(_) => CheckError::ReaderFailure,
    })?;
    if readers.is_empty() {
        return Err(CheckError::NoReader);
    }
    let reader = readers
        .into_iter()
        .find(|r| r.card_present)
        .ok_or(CheckError::NoCard)?;
    let mut transport = PcscTransport::connect(&reader.name).map_err(|err| match err {
        ConnectError::ServiceDown => CheckError::ServiceDown,
        ConnectError::NoCard => CheckError::NoCard,
        ConnectError::UnknownReader => CheckError::NoReader,
        ConnectError::Pcsc(_) => CheckError::ReaderFailure,
    })?;
    let atr = transport.atr().map_err(|_| CheckError::CardRemoved)?;
    let facts = transport.facts(&reader.name);
    if facts.atr == Some(AtrKind::ContactlessStorage) {
        return Err(CheckError::NotIdCard);
    }
    select_emrtd(&mut transport)?;
    // The connection's end is not part of the test: a failure to leave the card is harmless.
    let _ = transport.disconnect();
    Ok(CardCheck {
        reader: reader.name,
        atr,
        facts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A card that answers every command with one status word.
    struct Answers([u8; 2]);

    impl CardTransport for Answers {
        fn transmit(&mut self, _: &[u8]) -> Result<Vec<u8>, TransportError> {
            Ok(self.0.to_vec())
        }
    }

    #[test]
    fn a_card_without_the_emrtd_application_is_not_an_id_card() {
        assert_eq!(
            select_emrtd(&mut Answers([0x6A, 0x82])),
            Err(CheckError::NotIdCard)
        );
        assert_eq!(select_emrtd(&mut Answers([0x90, 0x00])), Ok(()));
    }

    #[test]
    fn the_software_cccd_answers_the_select_and_a_removed_card_is_told_apart() {
        let identity = cardsim::identity::Identity::builtin(cardsim::identity::BUILTIN[0])
            .expect("shipped identity");
        let chip = cardsim::Chip::new(
            identity.profile(cardsim::ReadLimits::default()),
            Box::new(cardsim::OsEntropy),
        );
        let mut card = cardsim::SoftCard::insert(chip);
        assert_eq!(select_emrtd(&mut card), Ok(()));
        assert!(!card.chip().is_secured(), "no access key was used");
        card.remove();
        assert_eq!(select_emrtd(&mut card), Err(CheckError::CardRemoved));
    }

    #[test]
    fn every_failure_has_its_own_code() {
        let all = [
            CheckError::ServiceDown,
            CheckError::NoReader,
            CheckError::NoCard,
            CheckError::NotIdCard,
            CheckError::CardRemoved,
            CheckError::ReaderFailure,
        ];
        let codes: std::collections::BTreeSet<_> = all.iter().map(|e| e.code()).collect();
        assert_eq!(codes.len(), all.len());
    }
}
