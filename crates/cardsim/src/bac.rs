//! Basic Access Control from the chip's side (ICAO 9303-11 §4.3): check the terminal's
//! cryptogram against the challenge the chip gave, answer with the chip's own, and derive the
//! 3DES session keys and send sequence counter.

use crate::crypto::{Cipher, CryptoError, KDF_ENC, KDF_MAC, kdf_128, pad, sha1, with_des_parity};
use crate::entropy::{Entropy, EntropyError};
use crate::sm::SecureChannel;
use thiserror::Error;

/// Why MUTUAL AUTHENTICATE failed.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
pub enum BacError {
    /// The terminal's MAC or the echoed challenge is wrong (wrong MRZ key): `6300`.
    #[error("BAC authentication failed")]
    Authentication,
    /// The command data is not the 40 bytes E.IFD ‖ M.IFD: `6700`.
    #[error("BAC command data has the wrong length")]
    Length,
    /// The chip could not draw K.IC.
    #[error(transparent)]
    Entropy(#[from] EntropyError),
}

impl From<CryptoError> for BacError {
    fn from(_: CryptoError) -> Self {
        BacError::Authentication
    }
}

/// The document basic access keys K_enc and K_mac, derived from the MRZ information.
/// Key material: no `Debug`.
#[derive(Clone)]
pub struct BacKeys {
    k_enc: [u8; 16],
    k_mac: [u8; 16],
}

impl BacKeys {
    /// Derives the keys from MRZ_information (document number ‖ cd ‖ birth ‖ cd ‖ expiry ‖ cd).
    pub fn from_mrz_information(mrz_information: &[u8]) -> Self {
        let digest = sha1(mrz_information);
        let seed = digest.get(..16).unwrap_or_default();
        Self {
            k_enc: with_des_parity(kdf_128(seed, KDF_ENC)),
            k_mac: with_des_parity(kdf_128(seed, KDF_MAC)),
        }
    }
}

/// Runs the chip's half of MUTUAL AUTHENTICATE: `rnd_ic` is the challenge the chip handed out,
/// `command` is E.IFD ‖ M.IFD. Returns E.IC ‖ M.IC and the secure-messaging session.
pub fn mutual_authenticate(
    keys: &BacKeys,
    rnd_ic: [u8; 8],
    command: &[u8],
    entropy: &mut dyn Entropy,
) -> Result<(Vec<u8>, SecureChannel), BacError> {
    if command.len() != 40 {
        return Err(BacError::Length);
    }
    let (e_ifd, m_ifd) = command.split_at(32);
    let cipher = Cipher::Tdes;
    if cipher.mac(&keys.k_mac, &pad(e_ifd, 8))? != m_ifd {
        return Err(BacError::Authentication);
    }
    let s = cipher.decrypt(&keys.k_enc, &[0; 8], e_ifd)?;
    let (rnd_ifd, rest) = s.split_at_checked(8).ok_or(BacError::Authentication)?;
    let (echoed, k_ifd) = rest.split_at_checked(8).ok_or(BacError::Authentication)?;
    if echoed != rnd_ic {
        return Err(BacError::Authentication);
    }
    let mut k_ic = [0u8; 16];
    entropy.fill(&mut k_ic)?;
    let mut r = Vec::with_capacity(32);
    r.extend_from_slice(&rnd_ic);
    r.extend_from_slice(rnd_ifd);
    r.extend_from_slice(&k_ic);
    let e_ic = cipher.encrypt(&keys.k_enc, &[0; 8], &r)?;
    let m_ic = cipher.mac(&keys.k_mac, &pad(&e_ic, 8))?;
    let mut seed = [0u8; 16];
    for (out, (a, b)) in seed.iter_mut().zip(k_ifd.iter().zip(k_ic.iter())) {
        *out = a ^ b;
    }
    let ks_enc = with_des_parity(kdf_128(&seed, KDF_ENC));
    let ks_mac = with_des_parity(kdf_128(&seed, KDF_MAC));
    let mut ssc = Vec::with_capacity(8);
    ssc.extend_from_slice(rnd_ic.get(4..).unwrap_or_default());
    ssc.extend_from_slice(rnd_ifd.get(4..).unwrap_or_default());
    let mut response = e_ic;
    response.extend_from_slice(&m_ic);
    Ok((response, SecureChannel::new(cipher, ks_enc, ks_mac, &ssc)))
}
