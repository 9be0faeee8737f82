//! The one seam between protocol code and a card: a command APDU in, a response APDU out.

use thiserror::Error;

/// Why a command APDU got no response from the card.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// The card left the reader's field (or was never there).
    #[error("card removed")]
    CardRemoved,
    /// The reader itself went away or the PC/SC service stopped.
    #[error("reader unavailable: {0}")]
    ReaderUnavailable(String),
    /// Anything else the transport reports; the text names no personal data.
    #[error("transport failure: {0}")]
    Other(String),
}

/// Sends raw command APDUs to a card and returns its raw response (data followed by SW1 SW2).
///
/// Implemented over `pcsc::Card` (crate `reader`), by the in-process software card (crate
/// `cardsim`), and by test doubles.
pub trait CardTransport {
    /// Transmits one command APDU and returns the full response including the status word.
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError>;
}

impl<T: CardTransport + ?Sized> CardTransport for &mut T {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(command)
    }
}
