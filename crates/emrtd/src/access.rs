//! Access control to the chip: the keys a kiosk holds, the strategy that picks PACE or BAC
//! and remembers what worked, and the errors both protocols share.

use crate::apdu::{ApduError, ResponseApdu, StatusWord};
use crate::bac;
use crate::crypto::CryptoError;
use crate::mrz::MrzInformation;
use crate::pace::{self, Can, DomainParameters, PacePassword};
use crate::read::{CardProfile, ReadError, ReadOptions, read_card_access, select_application};
use crate::secure_messaging::{SecureChannel, SmError};
use crate::security_infos::{KeyAgreement, PaceInfo, PaceMapping, SecurityInfos};
use crate::tlv::TlvError;
use crate::transport::CardTransport;
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

/// The keys a kiosk has for a document: the MRZ data (typed, scanned, or derived from the QR
/// code) and/or the CAN.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessKeys {
    /// `MRZ_information` for BAC and PACE with the MRZ.
    pub mrz: Option<MrzInformation>,
    /// Card Access Number for PACE with the CAN.
    pub can: Option<Can>,
}

/// Which password PACE used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PasswordKind {
    /// `MRZ_information`.
    Mrz,
    /// Card Access Number.
    Can,
}

/// An access method that opened the chip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessMethod {
    /// PACE with these parameters and this password.
    Pace {
        /// The PACE entry of EF.CardAccess.
        info: PaceInfo,
        /// The password used.
        password: PasswordKind,
    },
    /// Basic Access Control.
    Bac,
}

impl AccessMethod {
    /// The secret the method proves knowledge of: BAC uses the MRZ data as PACE-MRZ does.
    fn secret(&self) -> PasswordKind {
        match self {
            Self::Pace { password, .. } => *password,
            Self::Bac => PasswordKind::Mrz,
        }
    }
}

/// Whether this reader implements the PACE entry.
fn usable(info: &PaceInfo) -> bool {
    info.protocol.agreement == KeyAgreement::Ecdh
        && info.protocol.mapping == PaceMapping::Generic
        && info
            .parameter_id
            .and_then(DomainParameters::from_id)
            .is_some()
}

/// The access strategy: the method that worked before, then PACE with the MRZ, PACE with the
/// CAN (when EF.CardAccess offers a PACE this reader implements), then BAC. Ends with the eMRTD
/// application selected under secure messaging, and records in `profile` what worked.
///
/// A wrong key is tried on each method once only, and once the method remembered for this card
/// (proven to work on it) refuses a key, no other method is tried with the same secret: a
/// chip's retry counters or delays are not driven further than needed.
///
/// Reading EF.CardAccess also probes extended length when `options` allow it and `profile`
/// does not know yet (see [`read_card_access`]).
pub fn establish<T, R>(
    transport: &mut T,
    rng: &mut R,
    keys: &AccessKeys,
    profile: &mut CardProfile,
    options: ReadOptions,
) -> Result<SecureChannel, ReadError>
where
    T: CardTransport + ?Sized,
    R: TryCryptoRng + ?Sized,
{
    if keys.mrz.is_none() && keys.can.is_none() {
        return Err(ReadError::NoAccessKey);
    }
    let mut tried: Vec<AccessMethod> = Vec::new();
    let mut failures: Vec<ReadError> = Vec::new();
    // Secrets a method proven on this card refused: no other method gets to try them.
    let mut refused: Vec<PasswordKind> = Vec::new();
    profile.access_log.clear();
    if let Some(method) = profile.access.clone() {
        let outcome = attempt(transport, rng, keys, &method);
        log(profile, &method, &outcome);
        match outcome {
            Ok(channel) => return Ok(channel),
            Err(ReadError::AccessDenied) => {
                refused.push(method.secret());
                failures.push(ReadError::AccessDenied);
            }
            Err(e) => give_up_on_removal(e, &mut failures)?,
        }
        tried.push(method);
    }
    if !profile.card_access_probed {
        let card_access = read_card_access(transport, profile, options)?;
        profile.pace = card_access
            .and_then(|bytes| SecurityInfos::parse(&bytes).ok())
            .and_then(|infos| infos.pace().find(|i| usable(i)).cloned());
        profile.card_access_probed = true;
    }
    let mut candidates = Vec::new();
    if let Some(info) = &profile.pace {
        for (present, password) in [
            (keys.mrz.is_some(), PasswordKind::Mrz),
            (keys.can.is_some(), PasswordKind::Can),
        ] {
            if present {
                candidates.push(AccessMethod::Pace {
                    info: info.clone(),
                    password,
                });
            }
        }
    }
    if keys.mrz.is_some() {
        candidates.push(AccessMethod::Bac);
    }
    for method in candidates {
        if tried.contains(&method) || refused.contains(&method.secret()) {
            continue;
        }
        let outcome = attempt(transport, rng, keys, &method);
        log(profile, &method, &outcome);
        match outcome {
            Ok(channel) => {
                profile.access = Some(method);
                return Ok(channel);
            }
            Err(e) => give_up_on_removal(e, &mut failures)?,
        }
        tried.push(method);
    }
    Err(strongest(failures))
}

/// One access attempt of the last strategy run, for the field log: which method, and how the
/// chip answered (no key material, no personal data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessAttempt {
    /// The method tried.
    pub method: AccessMethod,
    /// `Ok` if it opened the chip, otherwise why not.
    pub outcome: Result<(), ReadError>,
}

fn log(
    profile: &mut CardProfile,
    method: &AccessMethod,
    outcome: &Result<SecureChannel, ReadError>,
) {
    profile.access_log.push(AccessAttempt {
        method: method.clone(),
        outcome: outcome.as_ref().map(|_| ()).map_err(Clone::clone),
    });
}

/// Stops the strategy when the card is gone; otherwise records the failure and goes on.
fn give_up_on_removal(error: ReadError, failures: &mut Vec<ReadError>) -> Result<(), ReadError> {
    match error {
        ReadError::CardRemoved | ReadError::Transport(_) => Err(error),
        other => {
            failures.push(other);
            Ok(())
        }
    }
}

/// The failure to report when every method failed: a refused key says most to the person at
/// the kiosk, then a blocked method, then a chip that failed its proof.
fn strongest(failures: Vec<ReadError>) -> ReadError {
    for wanted in [
        ReadError::AccessDenied,
        ReadError::AccessBlocked,
        ReadError::ChipProofInvalid,
    ] {
        if failures.contains(&wanted) {
            return wanted;
        }
    }
    failures
        .into_iter()
        .last()
        .unwrap_or(ReadError::UnsupportedCard("no access protocol applies"))
}

fn attempt<T, R>(
    transport: &mut T,
    rng: &mut R,
    keys: &AccessKeys,
    method: &AccessMethod,
) -> Result<SecureChannel, ReadError>
where
    T: CardTransport + ?Sized,
    R: TryCryptoRng + ?Sized,
{
    match method {
        AccessMethod::Pace { info, password } => {
            let password = match password {
                PasswordKind::Mrz => keys.mrz.clone().map(PacePassword::Mrz),
                PasswordKind::Can => keys.can.clone().map(PacePassword::Can),
            }
            .ok_or(ReadError::NoAccessKey)?;
            let mut channel = pace::establish(transport, rng, info, &password)?;
            select_application(transport, Some(&mut channel))?;
            Ok(channel)
        }
        AccessMethod::Bac => {
            let mrz = keys.mrz.as_ref().ok_or(ReadError::NoAccessKey)?;
            select_application(transport, None)?;
            Ok(bac::establish(transport, rng, mrz)?)
        }
    }
}
