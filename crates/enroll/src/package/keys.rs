//! The two key pairs of a package: the kiosk's Ed25519 device key that signs, and the back
//! office's X25519 key that packages are encrypted to (HPKE, RFC 9180).

use ed25519_dalek::Signer;
use hpke::{Deserializable, Kem as _, Serializable};
use rand_core::CryptoRng;
use std::fmt;
use zeroize::Zeroizing;

pub(crate) type Kem = hpke::kem::X25519HkdfSha256;
pub(crate) type Kdf = hpke::kdf::HkdfSha256;
pub(crate) type Aead = hpke::aead::ChaCha20Poly1305;

/// The length of every public and secret key here, in bytes.
pub const KEY_LEN: usize = 32;
/// The length of an Ed25519 signature.
pub const SIGNATURE_LEN: usize = 64;

/// A key's bytes do not make a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Not 32 bytes, or not a valid point.
    #[error("the key bytes are not a valid key")]
    Malformed,
}

/// The kiosk's signing key (Ed25519). Its secret never leaves the kiosk.
pub struct DeviceSigningKey(ed25519_dalek::SigningKey);

impl DeviceSigningKey {
    /// A fresh key from `rng`.
    pub fn generate(rng: &mut impl CryptoRng) -> Self {
        Self(ed25519_dalek::SigningKey::generate(rng))
    }

    /// The key from its 32-byte secret seed.
    pub fn from_seed(seed: &[u8; KEY_LEN]) -> Self {
        Self(ed25519_dalek::SigningKey::from_bytes(seed))
    }

    /// The 32-byte secret seed, to store (wiped when dropped).
    pub fn to_seed(&self) -> Zeroizing<[u8; KEY_LEN]> {
        Zeroizing::new(self.0.to_bytes())
    }

    /// The public half, registered with the back office.
    pub fn verifying_key(&self) -> DeviceVerifyingKey {
        DeviceVerifyingKey(self.0.verifying_key())
    }

    pub(crate) fn sign(&self, message: &[u8]) -> [u8; SIGNATURE_LEN] {
        self.0.sign(message).to_bytes()
    }
}

impl fmt::Debug for DeviceSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DeviceSigningKey")
            .field(&self.verifying_key())
            .finish()
    }
}

/// The public half of a kiosk's device key, as the back office knows it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct DeviceVerifyingKey(ed25519_dalek::VerifyingKey);

impl DeviceVerifyingKey {
    /// The key from its 32 bytes.
    pub fn from_bytes(bytes: &[u8; KEY_LEN]) -> Result<Self, KeyError> {
        ed25519_dalek::VerifyingKey::from_bytes(bytes)
            .map(Self)
            .map_err(|_| KeyError::Malformed)
    }

    /// The 32 bytes.
    pub fn to_bytes(&self) -> [u8; KEY_LEN] {
        self.0.to_bytes()
    }

    pub(crate) fn verify(&self, message: &[u8], signature: &[u8; SIGNATURE_LEN]) -> bool {
        let sig = ed25519_dalek::Signature::from_bytes(signature);
        self.0.verify_strict(message, &sig).is_ok()
    }
}

impl fmt::Debug for DeviceVerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeviceVerifyingKey(")?;
        for b in self.0.as_bytes().iter().take(8) {
            write!(f, "{b:02x}")?;
        }
        write!(f, "…)")
    }
}

/// The back office's public key that every package is encrypted to (X25519).
#[derive(Clone, PartialEq, Eq)]
pub struct BackOfficePublicKey(pub(crate) <Kem as hpke::Kem>::PublicKey);

impl BackOfficePublicKey {
    /// The key from its 32 bytes (as configured by the administrator).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        <Kem as hpke::Kem>::PublicKey::from_bytes(bytes)
            .map(Self)
            .map_err(|_| KeyError::Malformed)
    }

    /// The 32 bytes.
    pub fn to_bytes(&self) -> [u8; KEY_LEN] {
        let mut out = [0u8; KEY_LEN];
        out.copy_from_slice(&self.0.to_bytes());
        out
    }
}

impl fmt::Debug for BackOfficePublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BackOfficePublicKey(")?;
        for b in self.to_bytes().iter().take(8) {
            write!(f, "{b:02x}")?;
        }
        write!(f, "…)")
    }
}

/// The back office's secret key; only the back office holds it.
#[derive(Clone)]
pub struct BackOfficeSecretKey(pub(crate) <Kem as hpke::Kem>::PrivateKey);

impl BackOfficeSecretKey {
    /// A fresh key pair from `rng`.
    pub fn generate(rng: &mut impl CryptoRng) -> (Self, BackOfficePublicKey) {
        let (sk, pk) = Kem::gen_keypair_with_rng(rng);
        (Self(sk), BackOfficePublicKey(pk))
    }

    /// The key from its 32 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        <Kem as hpke::Kem>::PrivateKey::from_bytes(bytes)
            .map(Self)
            .map_err(|_| KeyError::Malformed)
    }

    /// The 32 secret bytes, to store (wiped when dropped).
    pub fn to_bytes(&self) -> Zeroizing<[u8; KEY_LEN]> {
        let mut out = Zeroizing::new([0u8; KEY_LEN]);
        out.copy_from_slice(&self.0.to_bytes());
        out
    }

    /// The matching public key.
    pub fn public_key(&self) -> BackOfficePublicKey {
        BackOfficePublicKey(Kem::sk_to_pk(&self.0))
    }
}

impl fmt::Debug for BackOfficeSecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BackOfficeSecretKey(<secret>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use getrandom::SysRng;
    use rand_core::UnwrapErr;

    #[test]
    fn keys_round_trip_through_their_bytes() {
        let mut rng = UnwrapErr(SysRng);
        let device = DeviceSigningKey::generate(&mut rng);
        let again = DeviceSigningKey::from_seed(&device.to_seed());
        assert_eq!(device.verifying_key(), again.verifying_key());
        let vk = DeviceVerifyingKey::from_bytes(&device.verifying_key().to_bytes());
        assert_eq!(vk, Ok(device.verifying_key()));

        let (sk, pk) = BackOfficeSecretKey::generate(&mut rng);
        assert_eq!(sk.public_key(), pk);
        let sk2 = BackOfficeSecretKey::from_bytes(sk.to_bytes().as_slice());
        assert_eq!(sk2.map(|k| k.public_key()), Ok(pk.clone()));
        assert_eq!(BackOfficePublicKey::from_bytes(&pk.to_bytes()), Ok(pk));
        assert_eq!(
            BackOfficePublicKey::from_bytes(&[1, 2, 3]),
            Err(KeyError::Malformed)
        );
    }

    #[test]
    fn signatures_verify_only_with_the_signing_key_and_message() {
        let mut rng = UnwrapErr(SysRng);
        let device = DeviceSigningKey::generate(&mut rng);
        let other = DeviceSigningKey::generate(&mut rng);
        let sig = device.sign(b"package");
        assert!(device.verifying_key().verify(b"package", &sig));
        assert!(!device.verifying_key().verify(b"packagf", &sig));
        assert!(!other.verifying_key().verify(b"package", &sig));
    }

    #[test]
    fn debug_of_secret_keys_shows_no_secret() {
        let mut rng = UnwrapErr(SysRng);
        let (sk, _) = BackOfficeSecretKey::generate(&mut rng);
        assert_eq!(format!("{sk:?}"), "BackOfficeSecretKey(<secret>)");
        let device = DeviceSigningKey::generate(&mut rng);
        let seed_hex: String = device
            .to_seed()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert!(!format!("{device:?}").contains(&seed_hex[..16]));
    }
}
