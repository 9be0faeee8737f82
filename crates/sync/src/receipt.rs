//! The acknowledgement receipt: the back office's signed statement that it verified and stored
//! one package. The kiosk purges a package's body only against a receipt that verifies with the
//! back office's pinned receipt key and names the exact bytes it sent.
//!
//! Signed bytes (Ed25519, RFC 8032): the context `vneid-kiosk/sync/receipt/v1`, a zero byte,
//! the 16-byte package id, the 32-byte SHA-256 of the package, the device id's length (one
//! byte) and ASCII, the receipt time (Unix milliseconds, 8 bytes big-endian) and the kiosk's
//! sequence number (8 bytes big-endian: this kiosk's Nth stored package).

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use enroll::ids::DeviceId;
use enroll::package::PackageId;
use enroll::timestamp::Timestamp;
use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};
use std::fmt;
use zeroize::Zeroizing;

const CONTEXT: &[u8] = b"vneid-kiosk/sync/receipt/v1\0";

/// What the back office acknowledges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// The package.
    pub package_id: PackageId,
    /// SHA-256 of the exact package bytes stored.
    #[serde(with = "crate::hex_serde")]
    pub sha256: [u8; 32],
    /// The kiosk that sent it.
    pub device: DeviceId,
    /// When the back office stored it.
    pub received_at: Timestamp,
    /// This kiosk's packages stored so far, this one included (1, 2, 3 …).
    pub sequence: u64,
}

impl Receipt {
    fn signed_bytes(&self) -> Vec<u8> {
        let device = self.device.as_str().as_bytes();
        let mut m = Vec::with_capacity(CONTEXT.len() + 16 + 32 + 1 + device.len() + 16);
        m.extend_from_slice(CONTEXT);
        m.extend_from_slice(&self.package_id.to_bytes());
        m.extend_from_slice(&self.sha256);
        // Device ids are at most 64 ASCII bytes, so the length fits one byte.
        m.push(u8::try_from(device.len()).unwrap_or(u8::MAX));
        m.extend_from_slice(device);
        m.extend_from_slice(&self.received_at.unix_millis().to_be_bytes());
        m.extend_from_slice(&self.sequence.to_be_bytes());
        m
    }
}

/// A receipt with the back office's signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedReceipt {
    /// The statement.
    #[serde(flatten)]
    pub receipt: Receipt,
    /// Ed25519 signature over the statement's signed bytes.
    #[serde(with = "crate::hex_serde")]
    pub signature: [u8; 64],
}

/// Why a receipt is not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    /// The signature does not verify with the pinned receipt key.
    #[error("the receipt's signature does not verify with the back office's receipt key")]
    BadSignature,
    /// The receipt names another package, other bytes or another kiosk.
    #[error("the receipt does not name the package that was sent")]
    WrongPackage,
    /// The receipt key bytes are not a key.
    #[error("the receipt key is malformed")]
    MalformedKey,
}

/// The back office's receipt-verifying key, pinned by the kiosk.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ReceiptKey(VerifyingKey);

impl ReceiptKey {
    /// The key from its 32 bytes.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, ReceiptError> {
        VerifyingKey::from_bytes(bytes)
            .map(Self)
            .map_err(|_| ReceiptError::MalformedKey)
    }

    /// The 32 bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }
}

impl fmt::Debug for ReceiptKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ReceiptKey({})",
            hex::encode(self.0.as_bytes().get(..8).unwrap_or(&[]))
        )
    }
}

impl SignedReceipt {
    /// Checks the signature, and that the receipt names `package_id` with `sha256` from
    /// `device`.
    pub fn verify(
        &self,
        key: &ReceiptKey,
        package_id: PackageId,
        sha256: &[u8; 32],
        device: &DeviceId,
    ) -> Result<(), ReceiptError> {
        let signature = ed25519_dalek::Signature::from_bytes(&self.signature);
        key.0
            .verify_strict(&self.receipt.signed_bytes(), &signature)
            .map_err(|_| ReceiptError::BadSignature)?;
        if self.receipt.package_id != package_id
            || &self.receipt.sha256 != sha256
            || &self.receipt.device != device
        {
            return Err(ReceiptError::WrongPackage);
        }
        Ok(())
    }
}

/// The back office's receipt-signing key.
pub struct ReceiptSigner(SigningKey);

impl ReceiptSigner {
    /// A fresh key.
    pub fn generate(rng: &mut impl CryptoRng) -> Self {
        let mut seed = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(seed.as_mut_slice());
        Self(SigningKey::from_bytes(&seed))
    }

    /// The key from its 32-byte secret seed.
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        Self(SigningKey::from_bytes(seed))
    }

    /// The 32-byte secret seed, to store (wiped when dropped).
    pub fn to_seed(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.0.to_bytes())
    }

    /// The public half that kiosks pin.
    pub fn key(&self) -> ReceiptKey {
        ReceiptKey(self.0.verifying_key())
    }

    /// Signs `receipt`.
    pub fn sign(&self, receipt: Receipt) -> SignedReceipt {
        let signature = self.0.sign(&receipt.signed_bytes()).to_bytes();
        SignedReceipt { receipt, signature }
    }
}

impl fmt::Debug for ReceiptSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ReceiptSigner").field(&self.key()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use getrandom::SysRng;
    use rand_core::UnwrapErr;

    fn receipt() -> Receipt {
        Receipt {
            package_id: "0190a5c4-1b2c-7d3e-8f40-123456789abc"
                .parse()
                .expect("uuid"),
            sha256: [7; 32],
            device: DeviceId::new("kiosk-1").expect("id"),
            received_at: Timestamp::from_unix_millis(1_790_000_000_000),
            sequence: 42,
        }
    }

    #[test]
    fn a_receipt_verifies_for_the_package_it_names() {
        let signer = ReceiptSigner::generate(&mut UnwrapErr(SysRng));
        let signed = signer.sign(receipt());
        let json = serde_json::to_string(&signed).expect("serialises");
        let back: SignedReceipt = serde_json::from_str(&json).expect("parses");
        let r = receipt();
        assert_eq!(
            back.verify(&signer.key(), r.package_id, &r.sha256, &r.device),
            Ok(())
        );
        assert_eq!(
            back.verify(&signer.key(), r.package_id, &[8; 32], &r.device),
            Err(ReceiptError::WrongPackage)
        );
    }

    #[test]
    fn a_forged_or_altered_receipt_is_refused() {
        let signer = ReceiptSigner::generate(&mut UnwrapErr(SysRng));
        let other = ReceiptSigner::generate(&mut UnwrapErr(SysRng));
        let r = receipt();
        let forged = other.sign(r.clone());
        assert_eq!(
            forged.verify(&signer.key(), r.package_id, &r.sha256, &r.device),
            Err(ReceiptError::BadSignature)
        );
        let mut altered = signer.sign(r.clone());
        altered.receipt.sequence = 41;
        assert_eq!(
            altered.verify(&signer.key(), r.package_id, &r.sha256, &r.device),
            Err(ReceiptError::BadSignature)
        );
    }

    #[test]
    fn the_seed_round_trips() {
        let signer = ReceiptSigner::generate(&mut UnwrapErr(SysRng));
        let again = ReceiptSigner::from_seed(&signer.to_seed());
        assert_eq!(again.key(), signer.key());
    }
}
