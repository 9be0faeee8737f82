//! The symmetric primitives ICAO 9303-11 builds on, over RustCrypto: the key derivation function
//! (§9.7.1), ISO/IEC 9797-1 padding method 2, CBC encryption with 3DES or AES, and the two MACs
//! (retail MAC for 3DES, CMAC for AES, both cut to 8 bytes).
//!
//! Every function works on whole blocks the caller padded; none panics on odd input sizes, it
//! returns [`CryptoError`].

use aes::{Aes128, Aes192, Aes256};
use cipher::{
    Array, BlockCipherDecrypt, BlockCipherEncrypt, BlockModeDecrypt, BlockModeEncrypt, KeyInit,
    KeyIvInit,
};
use cmac::{Cmac, Mac};
use des::{Des, TdesEde2};
use retail_mac::RetailMac;
use sha1::{Digest, Sha1};
use sha2::Sha256;
use thiserror::Error;
use zeroize::Zeroizing;

/// Length of every secure messaging MAC and PACE token.
pub const MAC_LEN: usize = 8;

/// The block cipher of a secure messaging ciphersuite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cipher {
    /// Two-key 3DES in CBC mode with the retail MAC (BAC, PACE-3DES).
    Tdes,
    /// AES-128 in CBC mode with CMAC.
    Aes128,
    /// AES-192 in CBC mode with CMAC.
    Aes192,
    /// AES-256 in CBC mode with CMAC.
    Aes256,
}

impl Cipher {
    /// Cipher block size, which is also the padding block and the SSC length.
    pub fn block_size(self) -> usize {
        match self {
            Self::Tdes => 8,
            Self::Aes128 | Self::Aes192 | Self::Aes256 => 16,
        }
    }

    /// Key length in bytes.
    pub fn key_len(self) -> usize {
        match self {
            Self::Tdes | Self::Aes128 => 16,
            Self::Aes192 => 24,
            Self::Aes256 => 32,
        }
    }
}

/// A primitive was handed data it cannot process.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
pub enum CryptoError {
    /// Key of the wrong length for the cipher.
    #[error("key length does not fit the cipher")]
    KeyLength,
    /// Data that is not a whole number of blocks.
    #[error("data is not a whole number of cipher blocks")]
    NotBlockAligned,
    /// Decrypted data without valid ISO/IEC 9797-1 method 2 padding.
    #[error("invalid padding")]
    BadPadding,
}

/// ICAO 9303-11 §9.7.1 KDF: the key of `cipher` derived from the shared secret `secret` and the
/// counter `counter` (1 = encryption, 2 = MAC, 3 = PACE password key).
pub fn derive_key(cipher: Cipher, secret: &[u8], counter: u32) -> Zeroizing<Vec<u8>> {
    let counter = counter.to_be_bytes();
    let mut key = match cipher {
        Cipher::Tdes | Cipher::Aes128 => {
            let digest = Sha1::new()
                .chain_update(secret)
                .chain_update(counter)
                .finalize();
            Zeroizing::new(digest.get(..16).unwrap_or_default().to_vec())
        }
        Cipher::Aes192 | Cipher::Aes256 => {
            let digest = Sha256::new()
                .chain_update(secret)
                .chain_update(counter)
                .finalize();
            Zeroizing::new(digest.get(..cipher.key_len()).unwrap_or_default().to_vec())
        }
    };
    if cipher == Cipher::Tdes {
        adjust_des_parity(&mut key);
    }
    key
}

/// Sets each byte's lowest bit so the byte has odd parity, as DES keys carry it.
fn adjust_des_parity(key: &mut [u8]) {
    for byte in key.iter_mut() {
        let high = *byte & 0xFE;
        *byte = high | u8::from(high.count_ones() % 2 == 0);
    }
}

/// SHA-1, the hash BAC and PACE apply to the MRZ password.
pub fn sha1(data: &[u8]) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(Sha1::digest(data).to_vec())
}

/// ISO/IEC 9797-1 padding method 2: `80` then zeros up to a whole block (always adds a byte).
pub fn pad(data: &[u8], block_size: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + block_size);
    out.extend_from_slice(data);
    out.push(0x80);
    while out.len() % block_size != 0 {
        out.push(0x00);
    }
    out
}

/// Removes ISO/IEC 9797-1 method 2 padding, strictly: trailing zeros, then `80`, within the
/// last block.
pub fn unpad(data: &[u8], block_size: usize) -> Result<&[u8], CryptoError> {
    let zeros = data.iter().rev().take_while(|b| **b == 0).count();
    let marker_at = data
        .len()
        .checked_sub(zeros + 1)
        .ok_or(CryptoError::BadPadding)?;
    if data.get(marker_at) != Some(&0x80) || zeros >= block_size {
        return Err(CryptoError::BadPadding);
    }
    data.get(..marker_at).ok_or(CryptoError::BadPadding)
}

fn cbc_encrypt_with<C>(key: &[u8], iv: &[u8], data: &mut [u8]) -> Result<(), CryptoError>
where
    C: BlockCipherEncrypt + KeyInit,
{
    let mut mode =
        cbc::Encryptor::<C>::new_from_slices(key, iv).map_err(|_| CryptoError::KeyLength)?;
    let (blocks, tail) = Array::slice_as_chunks_mut(data);
    if !tail.is_empty() {
        return Err(CryptoError::NotBlockAligned);
    }
    mode.encrypt_blocks(blocks);
    Ok(())
}

fn cbc_decrypt_with<C>(key: &[u8], iv: &[u8], data: &mut [u8]) -> Result<(), CryptoError>
where
    C: BlockCipherDecrypt + KeyInit,
{
    let mut mode =
        cbc::Decryptor::<C>::new_from_slices(key, iv).map_err(|_| CryptoError::KeyLength)?;
    let (blocks, tail) = Array::slice_as_chunks_mut(data);
    if !tail.is_empty() {
        return Err(CryptoError::NotBlockAligned);
    }
    mode.decrypt_blocks(blocks);
    Ok(())
}

/// CBC-encrypts whole blocks in place.
pub fn cbc_encrypt(
    cipher: Cipher,
    key: &[u8],
    iv: &[u8],
    data: &mut [u8],
) -> Result<(), CryptoError> {
    match cipher {
        Cipher::Tdes => cbc_encrypt_with::<TdesEde2>(key, iv, data),
        Cipher::Aes128 => cbc_encrypt_with::<Aes128>(key, iv, data),
        Cipher::Aes192 => cbc_encrypt_with::<Aes192>(key, iv, data),
        Cipher::Aes256 => cbc_encrypt_with::<Aes256>(key, iv, data),
    }
}

/// CBC-decrypts whole blocks in place.
pub fn cbc_decrypt(
    cipher: Cipher,
    key: &[u8],
    iv: &[u8],
    data: &mut [u8],
) -> Result<(), CryptoError> {
    match cipher {
        Cipher::Tdes => cbc_decrypt_with::<TdesEde2>(key, iv, data),
        Cipher::Aes128 => cbc_decrypt_with::<Aes128>(key, iv, data),
        Cipher::Aes192 => cbc_decrypt_with::<Aes192>(key, iv, data),
        Cipher::Aes256 => cbc_decrypt_with::<Aes256>(key, iv, data),
    }
}

/// Encrypts one block with the raw block cipher (the AES secure messaging IV is `E(KSenc, SSC)`).
pub fn encrypt_block(cipher: Cipher, key: &[u8], block: &mut [u8]) -> Result<(), CryptoError> {
    fn one<C: BlockCipherEncrypt + KeyInit>(
        key: &[u8],
        block: &mut [u8],
    ) -> Result<(), CryptoError> {
        let c = C::new_from_slice(key).map_err(|_| CryptoError::KeyLength)?;
        let (blocks, tail) = Array::slice_as_chunks_mut(block);
        if blocks.len() != 1 || !tail.is_empty() {
            return Err(CryptoError::NotBlockAligned);
        }
        c.encrypt_blocks(blocks);
        Ok(())
    }
    match cipher {
        Cipher::Tdes => one::<TdesEde2>(key, block),
        Cipher::Aes128 => one::<Aes128>(key, block),
        Cipher::Aes192 => one::<Aes192>(key, block),
        Cipher::Aes256 => one::<Aes256>(key, block),
    }
}

/// The 8-byte MAC of `data`, which the caller has already padded to whole blocks: the retail
/// MAC (ISO/IEC 9797-1 algorithm 3 with DES) for 3DES, CMAC cut to 8 bytes for AES.
pub fn mac(cipher: Cipher, key: &[u8], data: &[u8]) -> Result<[u8; MAC_LEN], CryptoError> {
    if data.len() % cipher.block_size() != 0 {
        return Err(CryptoError::NotBlockAligned);
    }
    mac_unpadded(cipher, key, data)
}

/// The 8-byte MAC of `data` without a block-alignment requirement: CMAC pads internally, the
/// retail MAC is only defined on padded data and refuses anything else.
pub fn mac_unpadded(cipher: Cipher, key: &[u8], data: &[u8]) -> Result<[u8; MAC_LEN], CryptoError> {
    fn finish(full: &[u8]) -> Result<[u8; MAC_LEN], CryptoError> {
        full.get(..MAC_LEN)
            .and_then(|m| <[u8; MAC_LEN]>::try_from(m).ok())
            .ok_or(CryptoError::KeyLength)
    }
    macro_rules! cmac {
        ($aes:ty) => {{
            let mut m =
                <Cmac<$aes> as KeyInit>::new_from_slice(key).map_err(|_| CryptoError::KeyLength)?;
            m.update(data);
            finish(&m.finalize().into_bytes())
        }};
    }
    match cipher {
        Cipher::Tdes => {
            if data.len() % 8 != 0 {
                return Err(CryptoError::NotBlockAligned);
            }
            let mut m = <RetailMac<Des> as KeyInit>::new_from_slice(key)
                .map_err(|_| CryptoError::KeyLength)?;
            m.update(data);
            finish(&m.finalize().into_bytes())
        }
        Cipher::Aes128 => cmac!(Aes128),
        Cipher::Aes192 => cmac!(Aes192),
        Cipher::Aes256 => cmac!(Aes256),
    }
}

/// Compares two MACs without an early exit.
pub fn mac_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Hex to bytes for test vectors; spaces are ignored.
    pub(crate) fn hex(s: &str) -> Vec<u8> {
        let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        digits
            .chunks(2)
            .map(|pair| {
                let text = std::str::from_utf8(pair).expect("ascii");
                u8::from_str_radix(text, 16).expect("hex digit")
            })
            .collect()
    }

    #[test]
    fn kdf_reproduces_icao_appendix_d_bac_keys() {
        let kseed = hex("239AB9CB282DAF66231DC5A4DF6BFBAE");
        assert_eq!(
            *derive_key(Cipher::Tdes, &kseed, 1),
            hex("AB94FDECF2674FDFB9B391F85D7F76F2")
        );
        assert_eq!(
            *derive_key(Cipher::Tdes, &kseed, 2),
            hex("7962D9ECE03D1ACD4C76089DCE131543")
        );
    }

    #[test]
    fn kdf_gives_the_key_length_of_each_cipher() {
        for (cipher, len) in [
            (Cipher::Tdes, 16),
            (Cipher::Aes128, 16),
            (Cipher::Aes192, 24),
            (Cipher::Aes256, 32),
        ] {
            assert_eq!(derive_key(cipher, b"secret", 1).len(), len);
        }
        assert_ne!(
            *derive_key(Cipher::Aes256, b"secret", 1),
            *derive_key(Cipher::Aes256, b"secret", 2)
        );
    }

    #[test]
    fn padding_method_2_round_trips_and_rejects_garbage() {
        assert_eq!(pad(&[1, 2, 3], 8), [1, 2, 3, 0x80, 0, 0, 0, 0]);
        assert_eq!(pad(&[0; 8], 8).len(), 16);
        assert_eq!(unpad(&pad(&[1, 0, 0x80], 8), 8).unwrap(), [1, 0, 0x80]);
        assert_eq!(
            unpad(&[1, 2, 3, 0, 0, 0, 0, 0], 8),
            Err(CryptoError::BadPadding)
        );
        assert_eq!(unpad(&[0; 16], 16), Err(CryptoError::BadPadding));
        assert_eq!(unpad(&[], 8), Err(CryptoError::BadPadding));
        assert_eq!(
            unpad(&[0x80, 0, 0, 0, 0, 0, 0, 0, 0], 8),
            Err(CryptoError::BadPadding)
        );
    }

    #[test]
    fn bac_mutual_authentication_cryptogram_matches_appendix_d() {
        // E.IFD = 3DES-CBC(Kenc, RND.IFD || RND.IC || K.IFD), M.IFD = MAC(Kmac, pad(E.IFD)).
        let kenc = hex("AB94FDECF2674FDFB9B391F85D7F76F2");
        let kmac = hex("7962D9ECE03D1ACD4C76089DCE131543");
        let mut s = hex("781723860C06C226 4608F91988702212 0B795240CB7049B01C19B33E32804F0B");
        cbc_encrypt(Cipher::Tdes, &kenc, &[0; 8], &mut s).unwrap();
        assert_eq!(
            s,
            hex("72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2")
        );
        assert_eq!(
            mac(Cipher::Tdes, &kmac, &pad(&s, 8)).unwrap().to_vec(),
            hex("5F1448EEA8AD90A7")
        );
        cbc_decrypt(Cipher::Tdes, &kenc, &[0; 8], &mut s).unwrap();
        assert_eq!(&s[..8], hex("781723860C06C226").as_slice());
    }

    #[test]
    fn primitives_refuse_unaligned_data_and_wrong_keys() {
        let mut odd = [0u8; 7];
        assert_eq!(
            cbc_encrypt(Cipher::Tdes, &[1; 16], &[0; 8], &mut odd),
            Err(CryptoError::NotBlockAligned)
        );
        assert_eq!(
            cbc_encrypt(Cipher::Aes128, &[1; 15], &[0; 16], &mut [0; 16]),
            Err(CryptoError::KeyLength)
        );
        assert_eq!(
            mac(Cipher::Aes128, &[1; 16], &[0; 15]),
            Err(CryptoError::NotBlockAligned)
        );
        assert_eq!(
            mac_unpadded(Cipher::Tdes, &[1; 16], &[0; 15]),
            Err(CryptoError::NotBlockAligned)
        );
        assert!(mac_eq(&[1, 2], &[1, 2]));
        assert!(!mac_eq(&[1, 2], &[1, 3]));
        assert!(!mac_eq(&[1, 2], &[1]));
    }

    #[test]
    fn aes_block_encryption_matches_fips_197() {
        let key = hex("000102030405060708090A0B0C0D0E0F");
        let mut block = hex("00112233445566778899AABBCCDDEEFF");
        encrypt_block(Cipher::Aes128, &key, &mut block).unwrap();
        assert_eq!(block, hex("69C4E0D86A7B0430D8CDB78070B4C55A"));
    }
}
