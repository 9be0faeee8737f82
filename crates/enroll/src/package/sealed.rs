//! The sealed package's byte layout (see `FORMAT.md`): parsing with checked slicing, the clear
//! header, and the kiosk signature over everything before it.

use super::keys::{DeviceSigningKey, DeviceVerifyingKey, KEY_LEN, SIGNATURE_LEN};
use super::{FORMAT_VERSION, PackageError, PackageId};
use crate::ids::{DeviceId, GroupId, OperatorId};
use crate::timestamp::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::ops::Range;

/// The first four bytes of every package.
pub const MAGIC: [u8; 4] = *b"VNEP";
/// The largest clear header accepted.
pub const MAX_HEADER_LEN: usize = 4 * 1024;
/// The largest ciphertext accepted (portrait + every data group at their limits fits).
pub const MAX_CIPHERTEXT_LEN: usize = 8 * 1024 * 1024;
/// Prepended to the signed bytes so a package signature can never be taken for another one.
const SIGNATURE_CONTEXT: &[u8] = b"vneid-kiosk/enroll/package-signature/v1\0";
/// Fixed bytes before the header: magic, version, header length.
const PREAMBLE_LEN: usize = 4 + 2 + 4;

/// The clear part of a package: who made it where and when, for routing, de-duplication and
/// local reports. It holds **no personal data**; it is also the HPKE associated data, so it
/// cannot be changed without decryption failing, and the manifest inside repeats it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageHeader {
    /// The format version (also in the preamble).
    pub format_version: u16,
    /// The package id.
    pub package_id: PackageId,
    /// When the kiosk sealed it.
    pub created_at: Timestamp,
    /// The kiosk.
    pub device: DeviceId,
    /// The operator (or self-service account).
    pub operator: OperatorId,
    /// The residential group the enrollment counts for.
    pub group: GroupId,
}

/// An enrollment package as stored in the queue and sent to the back office: encrypted to the
/// back office, signed by the kiosk. Only [`super::seal`] makes a new one; [`Self::from_bytes`]
/// reads one back (checking the layout, not yet the signature).
#[derive(Clone, PartialEq, Eq)]
pub struct SealedPackage {
    bytes: Vec<u8>,
    header: PackageHeader,
    header_end: usize,
    encapped_key: Range<usize>,
    ciphertext: Range<usize>,
}

fn be_u32(bytes: &[u8], at: usize) -> Result<usize, PackageError> {
    let b = bytes.get(at..at + 4).ok_or(PackageError::Truncated)?;
    let mut a = [0u8; 4];
    a.copy_from_slice(b);
    usize::try_from(u32::from_be_bytes(a)).map_err(|_| PackageError::TooLarge)
}

pub(crate) fn encode_cbor<T: Serialize>(
    value: &T,
    capacity: usize,
) -> Result<Vec<u8>, PackageError> {
    let mut out = Vec::with_capacity(capacity);
    ciborium::into_writer(value, &mut out).map_err(|_| PackageError::SealFailed)?;
    Ok(out)
}

impl SealedPackage {
    /// Lays out and signs a package from its parts.
    pub(crate) fn assemble(
        header: PackageHeader,
        header_cbor: &[u8],
        encapped_key: &[u8],
        ciphertext: &[u8],
        signer: &DeviceSigningKey,
    ) -> Result<Self, PackageError> {
        if header_cbor.len() > MAX_HEADER_LEN || ciphertext.len() > MAX_CIPHERTEXT_LEN {
            return Err(PackageError::TooLarge);
        }
        if encapped_key.len() != KEY_LEN {
            return Err(PackageError::SealFailed);
        }
        let ct_len = u32::try_from(ciphertext.len()).map_err(|_| PackageError::TooLarge)?;
        let total =
            PREAMBLE_LEN + header_cbor.len() + KEY_LEN + 4 + ciphertext.len() + SIGNATURE_LEN;
        let mut bytes = associated_data(header_cbor)?;
        bytes.reserve_exact(total.saturating_sub(bytes.len()));
        let header_end = bytes.len();
        bytes.extend_from_slice(encapped_key);
        bytes.extend_from_slice(&ct_len.to_be_bytes());
        let ct_start = bytes.len();
        bytes.extend_from_slice(ciphertext);
        let signature = signer.sign(&signed_message(&bytes));
        bytes.extend_from_slice(&signature);
        Ok(Self {
            bytes,
            header,
            header_end,
            encapped_key: header_end..header_end + KEY_LEN,
            ciphertext: ct_start..ct_start + ciphertext.len(),
        })
    }

    /// Reads a package's layout and clear header. The signature is checked by
    /// [`Self::verify_signature`] (the back office) — bytes read back from the kiosk's own queue
    /// were written by [`super::seal`].
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, PackageError> {
        let magic = bytes.get(..4).ok_or(PackageError::Truncated)?;
        if magic != MAGIC {
            return Err(PackageError::BadMagic);
        }
        let version = bytes
            .get(4..6)
            .and_then(|v| <[u8; 2]>::try_from(v).ok())
            .map(u16::from_be_bytes)
            .ok_or(PackageError::Truncated)?;
        if version != FORMAT_VERSION {
            return Err(PackageError::UnsupportedVersion(version));
        }
        let header_len = be_u32(&bytes, 6)?;
        if header_len > MAX_HEADER_LEN {
            return Err(PackageError::TooLarge);
        }
        let header_end = PREAMBLE_LEN + header_len;
        let header_cbor = bytes
            .get(PREAMBLE_LEN..header_end)
            .ok_or(PackageError::Truncated)?;
        let header: PackageHeader =
            ciborium::from_reader(header_cbor).map_err(|_| PackageError::MalformedHeader)?;
        // The header must be exactly the deterministic encoding of what it says: no trailing or
        // alternative encodings that would let two byte strings mean one header.
        if encode_cbor(&header, header_len)? != header_cbor || header.format_version != version {
            return Err(PackageError::MalformedHeader);
        }
        let encapped_key = header_end..header_end + KEY_LEN;
        let ct_len = be_u32(&bytes, encapped_key.end)?;
        if ct_len > MAX_CIPHERTEXT_LEN {
            return Err(PackageError::TooLarge);
        }
        let ct_start = encapped_key.end + 4;
        let ciphertext = ct_start..ct_start + ct_len;
        let expected_len = ciphertext.end + SIGNATURE_LEN;
        if bytes.len() < expected_len {
            return Err(PackageError::Truncated);
        }
        if bytes.len() > expected_len {
            return Err(PackageError::TrailingBytes);
        }
        Ok(Self {
            bytes,
            header,
            header_end,
            encapped_key,
            ciphertext,
        })
    }

    /// The whole package, as stored and sent.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The clear header.
    pub fn header(&self) -> &PackageHeader {
        &self.header
    }

    /// The package id.
    pub fn id(&self) -> PackageId {
        self.header.package_id
    }

    /// SHA-256 of the whole package: what the back office's receipt and the upload manifest
    /// name.
    pub fn digest(&self) -> [u8; 32] {
        Sha256::digest(&self.bytes).into()
    }

    /// Checks the kiosk signature with the key the back office registered for this device.
    pub fn verify_signature(&self, key: &DeviceVerifyingKey) -> Result<(), PackageError> {
        let split = self.bytes.len().saturating_sub(SIGNATURE_LEN);
        let (signed, signature) = self.bytes.split_at(split);
        let signature: [u8; SIGNATURE_LEN] =
            signature.try_into().map_err(|_| PackageError::Truncated)?;
        if key.verify(&signed_message(signed), &signature) {
            Ok(())
        } else {
            Err(PackageError::BadSignature)
        }
    }

    /// The HPKE associated data: preamble and header.
    pub(crate) fn associated_data(&self) -> &[u8] {
        self.bytes.get(..self.header_end).unwrap_or(&[])
    }

    pub(crate) fn encapped_key(&self) -> &[u8] {
        self.bytes.get(self.encapped_key.clone()).unwrap_or(&[])
    }

    pub(crate) fn ciphertext(&self) -> &[u8] {
        self.bytes.get(self.ciphertext.clone()).unwrap_or(&[])
    }
}

/// The preamble and header: the HPKE associated data, and the start of the package.
pub(crate) fn associated_data(header_cbor: &[u8]) -> Result<Vec<u8>, PackageError> {
    if header_cbor.len() > MAX_HEADER_LEN {
        return Err(PackageError::TooLarge);
    }
    let header_len = u32::try_from(header_cbor.len()).map_err(|_| PackageError::TooLarge)?;
    let mut bytes = Vec::with_capacity(PREAMBLE_LEN + header_cbor.len());
    bytes.extend_from_slice(&MAGIC);
    bytes.extend_from_slice(&FORMAT_VERSION.to_be_bytes());
    bytes.extend_from_slice(&header_len.to_be_bytes());
    bytes.extend_from_slice(header_cbor);
    Ok(bytes)
}

fn signed_message(signed: &[u8]) -> Vec<u8> {
    [SIGNATURE_CONTEXT, signed].concat()
}

impl fmt::Debug for SealedPackage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealedPackage")
            .field("id", &self.header.package_id)
            .field("len", &self.bytes.len())
            .finish_non_exhaustive()
    }
}
