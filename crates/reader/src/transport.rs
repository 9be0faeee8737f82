//! The card transport over PC/SC: one command APDU in, the card's response out, through
//! `SCardTransmit`. Implements `emrtd`'s [`CardTransport`], so the protocol code runs
//! unchanged over a real reader or pcscd's virtual one.

use emrtd::transport::{CardTransport, TransportError};

use crate::models::{self, AtrKind, CcidProperties, ReaderFacts};
use thiserror::Error;

/// Why no connection to the card in a reader could be made.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ConnectError {
    /// pcscd is not running (or its socket is unreachable).
    #[error("the PC/SC service (pcscd) is not running")]
    ServiceDown,
    /// There is no card in the reader's field.
    #[error("no card on the reader")]
    NoCard,
    /// The named reader does not exist (unplugged).
    #[error("reader not found")]
    UnknownReader,
    /// Any other PC/SC failure.
    #[error("PC/SC error: {0}")]
    Pcsc(String),
}

/// A connection to the card in one reader.
///
/// Dropping it leaves the card as it is, unlike a bare `pcsc::Card`, whose drop resets the card
/// in the reader: a stale connection to a card that was removed would otherwise reset the card
/// inserted since, and break the session a new connection just opened on it.
pub struct PcscTransport {
    /// Always `Some` until [`PcscTransport::disconnect`] or drop takes it.
    card: Option<pcsc::Card>,
    receive: Vec<u8>,
}

impl PcscTransport {
    /// Connects (shared mode, T=0 or T=1, as pcscd negotiates for contactless cards) to the
    /// card in `reader`.
    pub fn connect(reader: &str) -> Result<Self, ConnectError> {
        let context = pcsc::Context::establish(pcsc::Scope::User).map_err(connect_error)?;
        let name = std::ffi::CString::new(reader).map_err(|_| ConnectError::UnknownReader)?;
        let card = context
            .connect(&name, pcsc::ShareMode::Shared, pcsc::Protocols::ANY)
            .map_err(connect_error)?;
        Ok(Self::from_card(card))
    }

    /// Wraps an already connected card.
    pub fn from_card(card: pcsc::Card) -> Self {
        Self {
            card: Some(card),
            receive: vec![0; pcsc::MAX_BUFFER_SIZE_EXTENDED],
        }
    }

    fn card(&self) -> Result<&pcsc::Card, TransportError> {
        self.card.as_ref().ok_or(TransportError::CardRemoved)
    }

    /// The card's ATR as the reader reports it.
    pub fn atr(&self) -> Result<Vec<u8>, TransportError> {
        self.card()?
            .status2_owned()
            .map(|status| status.atr().to_vec())
            .map_err(transport_error)
    }

    /// The model (from `reader_name`), the card's ATR kind and the driver's CCID properties
    /// (PC/SC part 10 `FEATURE_GET_TLV_PROPERTIES`, asked through `SCardControl`; readers and
    /// drivers without it, like vpcd, give none). Reads nothing from the card's files.
    pub fn facts(&self, reader_name: &str) -> ReaderFacts {
        ReaderFacts {
            model: models::identify(reader_name),
            atr: self.atr().ok().map(|atr| AtrKind::of(&atr)),
            ccid: self.ccid_properties(),
        }
    }

    fn ccid_properties(&self) -> Option<CcidProperties> {
        /// PC/SC part 10 `CM_IOCTL_GET_FEATURE_REQUEST`.
        const GET_FEATURE_REQUEST: pcsc::ffi::DWORD = pcsc::ctl_code(3400);
        let card = self.card.as_ref()?;
        let mut buf = [0u8; 256];
        let features = card.control(GET_FEATURE_REQUEST, &[], &mut buf).ok()?;
        let code = models::tlv_properties_code(features)?;
        let mut answer = [0u8; 256];
        let answer = card
            .control(pcsc::ffi::DWORD::from(code), &[], &mut answer)
            .ok()?;
        Some(models::parse_tlv_properties(answer))
    }

    /// Ends the connection and leaves the card as it is (powered, for the next reader).
    pub fn disconnect(mut self) -> Result<(), TransportError> {
        match self.card.take() {
            Some(card) => card
                .disconnect(pcsc::Disposition::LeaveCard)
                .map_err(|(_, err)| transport_error(err)),
            None => Ok(()),
        }
    }
}

impl Drop for PcscTransport {
    fn drop(&mut self) {
        if let Some(card) = self.card.take() {
            // A failed disconnect leaves nothing to undo; pcsc's own drop then resets instead.
            let _ = card.disconnect(pcsc::Disposition::LeaveCard);
        }
    }
}

impl CardTransport for PcscTransport {
    /// A "successful" transfer that brings back no status word means the card stopped answering
    /// mid-exchange (vpcd reports a card torn from the field this way, real readers a card that
    /// left mid-frame): that is a removal, not a response.
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let card = self.card.as_ref().ok_or(TransportError::CardRemoved)?;
        let response = card
            .transmit(command, &mut self.receive)
            .map_err(transport_error)?;
        if response.len() < 2 {
            return Err(TransportError::CardRemoved);
        }
        Ok(response.to_vec())
    }
}

fn connect_error(err: pcsc::Error) -> ConnectError {
    match err {
        pcsc::Error::NoService | pcsc::Error::ServiceStopped => ConnectError::ServiceDown,
        pcsc::Error::NoSmartcard
        | pcsc::Error::RemovedCard
        | pcsc::Error::UnpoweredCard
        | pcsc::Error::UnresponsiveCard => ConnectError::NoCard,
        pcsc::Error::UnknownReader
        | pcsc::Error::ReaderUnavailable
        | pcsc::Error::NoReadersAvailable => ConnectError::UnknownReader,
        other => ConnectError::Pcsc(other.to_string()),
    }
}

/// Card removal (or a reset by another application, which loses the chip's session just the
/// same) is `CardRemoved`; a vanished reader or daemon is `ReaderUnavailable`. A transfer the
/// card never answered comes back from pcsc-lite as `SCARD_E_NOT_TRANSACTED` before pcscd's
/// next presence poll (~400 ms) notices the card is gone: that is a card torn from the field
/// mid-APDU, so it counts as removal too.
fn transport_error(err: pcsc::Error) -> TransportError {
    match err {
        pcsc::Error::RemovedCard
        | pcsc::Error::NotTransacted
        | pcsc::Error::ResetCard
        | pcsc::Error::NoSmartcard
        | pcsc::Error::UnpoweredCard => TransportError::CardRemoved,
        pcsc::Error::NoService
        | pcsc::Error::ServiceStopped
        | pcsc::Error::ReaderUnavailable
        | pcsc::Error::UnknownReader
        | pcsc::Error::NoReadersAvailable => TransportError::ReaderUnavailable(err.to_string()),
        other => TransportError::Other(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removal_and_reset_lose_the_card_and_a_gone_reader_is_unavailable() {
        assert_eq!(
            transport_error(pcsc::Error::RemovedCard),
            TransportError::CardRemoved
        );
        assert_eq!(
            transport_error(pcsc::Error::NotTransacted),
            TransportError::CardRemoved
        );
        assert_eq!(
            transport_error(pcsc::Error::ResetCard),
            TransportError::CardRemoved
        );
        assert!(matches!(
            transport_error(pcsc::Error::ReaderUnavailable),
            TransportError::ReaderUnavailable(_)
        ));
        assert!(matches!(
            transport_error(pcsc::Error::NoService),
            TransportError::ReaderUnavailable(_)
        ));
        assert!(matches!(
            transport_error(pcsc::Error::InsufficientBuffer),
            TransportError::Other(_)
        ));
    }

    #[test]
    fn connect_errors_say_what_to_fix() {
        assert_eq!(
            connect_error(pcsc::Error::NoService),
            ConnectError::ServiceDown
        );
        assert_eq!(
            connect_error(pcsc::Error::NoSmartcard),
            ConnectError::NoCard
        );
        assert_eq!(
            connect_error(pcsc::Error::UnknownReader),
            ConnectError::UnknownReader
        );
    }
}
