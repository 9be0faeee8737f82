//! Access control to the chip: the errors BAC and PACE share, and helpers they both use.

use crate::apdu::{ApduError, ResponseApdu, StatusWord};
use crate::crypto::CryptoError;
use crate::secure_messaging::SmError;
use crate::tlv::TlvError;
use crate::transport::TransportError;
use rand_core::TryCryptoRng;
use thiserror::Error;

/// Why BAC or PACE did not establish a session. Names no key material or personal data.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum AccessError {
    /// The transport failed (card removed, reader gone).
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The chip refused the key: wrong MRZ data or CAN.
    #[error("the chip refused the access key")]
    KeyRejected,
    /// The chip blocked the password (`6983`).
    #[error("the chip blocked this access method")]
    Blocked,
    /// The chip does not offer this protocol or these parameters.
    #[error("the chip does not support this access protocol ({0})")]
    NotSupported(StatusWord),
    /// The chip answered an unexpected status word.
    #[error("unexpected chip status {0}")]
    Card(StatusWord),
    /// The chip's own proof (BAC cryptogram, PACE token) did not verify: not the chip the key
    /// belongs to, or the exchange was tampered with.
    #[error("the chip's authentication proof is invalid")]
    ChipProofInvalid,
    /// A chip answer is not in the form the protocol prescribes.
    #[error("malformed chip answer: {0}")]
    Malformed(&'static str),
    /// EF.CardAccess names parameters this reader does not implement.
    #[error("unsupported protocol parameters: {0}")]
    UnsupportedParameters(&'static str),
    /// The RNG failed to produce bytes.
    #[error("random number generator failed")]
    Rng,
    /// A command could not be encoded or a response had no status word.
    #[error(transparent)]
    Apdu(#[from] ApduError),
    /// A cryptographic primitive failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// Secure messaging failed while finishing access (applet selection under SM).
    #[error(transparent)]
    SecureMessaging(#[from] SmError),
}

impl From<TlvError> for AccessError {
    fn from(_: TlvError) -> Self {
        Self::Malformed("answer is not valid BER-TLV")
    }
}

/// The data of a successful response, or the access error its status word means. `auth_step`
/// marks the step where a refusal means a wrong key.
pub(crate) fn card_status(response: ResponseApdu, auth_step: bool) -> Result<Vec<u8>, AccessError> {
    match response.sw {
        StatusWord::Success => Ok(response.data),
        StatusWord::AuthenticationBlocked => Err(AccessError::Blocked),
        sw if auth_step && crate::bac::is_key_refusal(sw) => Err(AccessError::KeyRejected),
        sw @ (StatusWord::InsNotSupported
        | StatusWord::ClaNotSupported
        | StatusWord::FunctionNotSupported
        | StatusWord::ReferencedDataNotFound
        | StatusWord::IncorrectP1P2) => Err(AccessError::NotSupported(sw)),
        sw => Err(AccessError::Card(sw)),
    }
}

/// Fills `out` from the caller's RNG.
pub(crate) fn random_bytes<R: TryCryptoRng + ?Sized>(
    rng: &mut R,
    out: &mut [u8],
) -> Result<(), AccessError> {
    rng.try_fill_bytes(out).map_err(|_| AccessError::Rng)
}
