//! The enrollment package: what leaves the kiosk for the back office, sealed.
//!
//! A package is a clear header (no personal data), an HPKE ciphertext of the body (manifest with
//! content hashes, the record, the portrait, the chip evidence) to the back office's key, and an
//! Ed25519 signature by the kiosk over all of it. The byte layout is documented in the crate's
//! `FORMAT.md`. [`seal`] builds one from an [`Enrollment`](crate::enrollment::Enrollment);
//! [`open`] is the back office's side: verify, decrypt, check hashes, rebuild the enrollment.
//!
//! The only type that can be stored or sent is [`SealedPackage`]: there is no way to write the
//! plaintext anywhere.

mod body;
pub mod keys;
mod open;
mod seal;
mod sealed;

pub use body::{ContentDigest, Manifest};
pub use keys::{
    BackOfficePublicKey, BackOfficeSecretKey, DeviceSigningKey, DeviceVerifyingKey, KeyError,
};
pub use open::{OpenedPackage, open};
pub use seal::seal;
pub use sealed::{PackageHeader, SealedPackage};

use crate::timestamp::Timestamp;
use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The format version this code writes and reads.
pub const FORMAT_VERSION: u16 = 1;

/// A package's identity: a UUID version 7 (time-ordered, 74 random bits).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PackageId(uuid::Uuid);

impl PackageId {
    /// A fresh id for a package created at `created_at`.
    pub fn new(created_at: Timestamp, rng: &mut impl CryptoRng) -> Self {
        let mut random = [0u8; 10];
        rng.fill_bytes(&mut random);
        let millis = u64::try_from(created_at.unix_millis()).unwrap_or(0);
        Self(uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid())
    }

    /// The id from its 16 bytes.
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(uuid::Uuid::from_bytes(bytes))
    }

    /// The 16 bytes.
    pub fn to_bytes(self) -> [u8; 16] {
        self.0.into_bytes()
    }
}

impl fmt::Display for PackageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.hyphenated(), f)
    }
}

impl fmt::Debug for PackageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PackageId({self})")
    }
}

impl std::str::FromStr for PackageId {
    type Err = PackageError;
    fn from_str(s: &str) -> Result<Self, PackageError> {
        uuid::Uuid::parse_str(s)
            .map(Self)
            .map_err(|_| PackageError::MalformedId)
    }
}

/// Why a package could not be built, read, verified or opened. No variant carries personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PackageError {
    /// The bytes end before the layout does.
    #[error("the package is truncated")]
    Truncated,
    /// The bytes do not start with the package magic.
    #[error("not an enrollment package (bad magic)")]
    BadMagic,
    /// A format version this code does not read.
    #[error("package format version {0} is not supported")]
    UnsupportedVersion(u16),
    /// A length field beyond the format's limits.
    #[error("a package section is larger than the format allows")]
    TooLarge,
    /// Bytes after the signature.
    #[error("the package has trailing bytes after its signature")]
    TrailingBytes,
    /// The clear header is not valid CBOR of the expected shape.
    #[error("the package header is malformed")]
    MalformedHeader,
    /// A package id string is not a UUID.
    #[error("the package id is not a UUID")]
    MalformedId,
    /// The kiosk signature does not verify with the given device key.
    #[error("the package signature does not verify with this device's key")]
    BadSignature,
    /// Decryption failed: wrong recipient key or altered ciphertext.
    #[error("the package cannot be decrypted with this key (wrong key or altered ciphertext)")]
    DecryptionFailed,
    /// The decrypted body is not valid CBOR of the expected shape, or its content fails
    /// validation.
    #[error("the package body is malformed")]
    MalformedBody,
    /// The manifest inside disagrees with the clear header.
    #[error("the package manifest disagrees with its header")]
    ManifestMismatch,
    /// A content entry's hash or presence does not match the manifest.
    #[error("package content {0} does not match its manifest hash")]
    ContentMismatch(&'static str),
    /// Serialising or encrypting failed while sealing.
    #[error("the package could not be sealed")]
    SealFailed,
}

#[cfg(test)]
mod tests;
