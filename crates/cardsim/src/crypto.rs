//! The chip's cryptographic primitives for ICAO 9303-11: ISO/IEC 9797-1 padding method 2,
//! the key derivation function KDF, 3DES and AES in CBC mode, the retail MAC (3DES) and the
//! AES CMAC truncated to 8 bytes.

use aes::Aes128;
use cbc::cipher::{
    BlockCipherDecrypt, BlockCipherEncrypt, BlockModeDecrypt, BlockModeEncrypt, KeyInit, KeyIvInit,
    array::Array,
};
use cmac::Cmac;
use des::{Des, TdesEde2};
use retail_mac::{Mac, RetailMac};
use sha1::{Digest, Sha1};
use thiserror::Error;

/// A cryptographic operation got a key or buffer of the wrong size, or padding that is not
/// ISO/IEC 9797-1 method 2. None of these carries key material or data.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
pub enum CryptoError {
    /// A key or IV had the wrong length.
    #[error("wrong key or IV length")]
    KeyLength,
    /// Ciphertext was not a whole number of blocks.
    #[error("ciphertext is not block aligned")]
    NotBlockAligned,
    /// Decrypted data did not end in `80 00..00`.
    #[error("bad padding")]
    BadPadding,
}

/// Which block cipher secures a session: 3DES after BAC, AES-128 after PACE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cipher {
    /// Two-key 3DES (EDE), 8-byte blocks; MAC is the retail MAC.
    Tdes,
    /// AES-128, 16-byte blocks; MAC is CMAC truncated to 8 bytes.
    Aes128,
}

impl Cipher {
    /// Block size in bytes.
    pub fn block_size(self) -> usize {
        match self {
            Cipher::Tdes => 8,
            Cipher::Aes128 => 16,
        }
    }

    /// CBC encryption of already padded data.
    pub fn encrypt(self, key: &[u8], iv: &[u8], data: &[u8]) -> Result<Vec<u8>, CryptoError> {
        match self {
            Cipher::Tdes => cbc_encrypt::<TdesEde2>(key, iv, data),
            Cipher::Aes128 => cbc_encrypt::<Aes128>(key, iv, data),
        }
    }

    /// CBC decryption; the caller removes the padding.
    pub fn decrypt(self, key: &[u8], iv: &[u8], data: &[u8]) -> Result<Vec<u8>, CryptoError> {
        match self {
            Cipher::Tdes => cbc_decrypt::<TdesEde2>(key, iv, data),
            Cipher::Aes128 => cbc_decrypt::<Aes128>(key, iv, data),
        }
    }

    /// The 8-byte MAC of `data`, which the caller has already padded (method 2).
    pub fn mac(self, key: &[u8], padded: &[u8]) -> Result<[u8; 8], CryptoError> {
        let full = match self {
            Cipher::Tdes => {
                let mut mac =
                    RetailMac::<Des>::new_from_slice(key).map_err(|_| CryptoError::KeyLength)?;
                mac.update(padded);
                mac.finalize().into_bytes().to_vec()
            }
            Cipher::Aes128 => {
                let mut mac =
                    Cmac::<Aes128>::new_from_slice(key).map_err(|_| CryptoError::KeyLength)?;
                Mac::update(&mut mac, padded);
                mac.finalize().into_bytes().to_vec()
            }
        };
        full.get(..8)
            .and_then(|tag| <[u8; 8]>::try_from(tag).ok())
            .ok_or(CryptoError::KeyLength)
    }
}

/// ISO/IEC 9797-1 padding method 2: append `80`, then `00` up to a multiple of `block`.
pub fn pad(data: &[u8], block: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + block);
    out.extend_from_slice(data);
    out.push(0x80);
    while out.len() % block != 0 {
        out.push(0);
    }
    out
}

/// Removes ISO/IEC 9797-1 method 2 padding, strictly.
pub fn unpad(data: &[u8]) -> Result<&[u8], CryptoError> {
    let end = data
        .iter()
        .rposition(|b| *b != 0)
        .ok_or(CryptoError::BadPadding)?;
    match data.get(end) {
        Some(0x80) => data.get(..end).ok_or(CryptoError::BadPadding),
        _ => Err(CryptoError::BadPadding),
    }
}

/// KDF(K, c) of ICAO 9303-11 §9.7.1 for 128-bit keys: the first 16 bytes of SHA-1(K ‖ c).
/// For 3DES keys, follow with [`with_des_parity`].
pub fn kdf_128(shared: &[u8], counter: u32) -> [u8; 16] {
    let mut hash = Sha1::new();
    hash.update(shared);
    hash.update(counter.to_be_bytes());
    let digest = hash.finalize();
    let mut key = [0u8; 16];
    key.copy_from_slice(&digest[..16]);
    key
}

/// Sets each byte's lowest bit so the byte has odd parity, as 3DES keys are written in
/// ICAO 9303-11 (DES itself ignores these bits).
pub fn with_des_parity(mut key: [u8; 16]) -> [u8; 16] {
    for byte in &mut key {
        let high = *byte & 0xFE;
        *byte = high | u8::from(high.count_ones() % 2 == 0);
    }
    key
}

/// SHA-1 of `data` (the BAC/PACE key seed from the MRZ information).
pub fn sha1(data: &[u8]) -> [u8; 20] {
    Sha1::digest(data).into()
}

/// KDF counter for the encryption key.
pub const KDF_ENC: u32 = 1;
/// KDF counter for the MAC key.
pub const KDF_MAC: u32 = 2;
/// KDF counter for the PACE password key K_π.
pub const KDF_PACE: u32 = 3;

fn cbc_encrypt<C: BlockCipherEncrypt + KeyInit>(
    key: &[u8],
    iv: &[u8],
    data: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let mut mode =
        cbc::Encryptor::<C>::new_from_slices(key, iv).map_err(|_| CryptoError::KeyLength)?;
    let mut out = Vec::with_capacity(data.len());
    for chunk in blocks(data, mode_block_size::<C>())? {
        let mut block = Array::try_from(chunk).map_err(|_| CryptoError::NotBlockAligned)?;
        mode.encrypt_block(&mut block);
        out.extend_from_slice(&block);
    }
    Ok(out)
}

fn cbc_decrypt<C: BlockCipherDecrypt + KeyInit>(
    key: &[u8],
    iv: &[u8],
    data: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let mut mode =
        cbc::Decryptor::<C>::new_from_slices(key, iv).map_err(|_| CryptoError::KeyLength)?;
    let mut out = Vec::with_capacity(data.len());
    for chunk in blocks(data, mode_block_size::<C>())? {
        let mut block = Array::try_from(chunk).map_err(|_| CryptoError::NotBlockAligned)?;
        mode.decrypt_block(&mut block);
        out.extend_from_slice(&block);
    }
    Ok(out)
}

fn mode_block_size<C: cbc::cipher::BlockSizeUser>() -> usize {
    use cbc::cipher::typenum::Unsigned;
    C::BlockSize::USIZE
}

fn blocks(data: &[u8], size: usize) -> Result<std::slice::ChunksExact<'_, u8>, CryptoError> {
    if data.len() % size != 0 {
        return Err(CryptoError::NotBlockAligned);
    }
    Ok(data.chunks_exact(size))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Decodes hex written with or without spaces (test vectors).
    pub(crate) fn hex(text: &str) -> Vec<u8> {
        let digits: Vec<u8> = text.bytes().filter(|b| b.is_ascii_hexdigit()).collect();
        digits
            .chunks(2)
            .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
            .collect()
    }

    #[test]
    fn bac_keys_from_appendix_d_mrz_information() {
        let seed = sha1(b"L898902C<369080619406236");
        assert_eq!(seed[..16], hex("239AB9CB282DAF66231DC5A4DF6BFBAE")[..]);
        let k_enc = with_des_parity(kdf_128(&seed[..16], KDF_ENC));
        let k_mac = with_des_parity(kdf_128(&seed[..16], KDF_MAC));
        assert_eq!(k_enc.to_vec(), hex("AB94FDECF2674FDFB9B391F85D7F76F2"));
        assert_eq!(k_mac.to_vec(), hex("7962D9ECE03D1ACD4C76089DCE131543"));
    }

    #[test]
    fn pace_password_key_from_appendix_g_mrz_information() {
        let seed = sha1(b"T22000129364081251010318");
        assert_eq!(
            kdf_128(&seed, KDF_PACE).to_vec(),
            hex("89DED1B26624EC1E634C1989302849DD")
        );
    }

    #[test]
    fn padding_round_trips_and_rejects_garbage() {
        assert_eq!(pad(&[1, 2, 3], 8), vec![1, 2, 3, 0x80, 0, 0, 0, 0]);
        assert_eq!(pad(&[0; 8], 8).len(), 16);
        assert_eq!(unpad(&pad(&[1, 0, 0], 8)).unwrap(), &[1, 0, 0]);
        assert_eq!(unpad(&[1, 2, 0, 0]), Err(CryptoError::BadPadding));
        assert_eq!(unpad(&[0, 0]), Err(CryptoError::BadPadding));
    }

    #[test]
    fn cbc_round_trips_for_both_ciphers() {
        for cipher in [Cipher::Tdes, Cipher::Aes128] {
            let bs = cipher.block_size();
            let key = [7u8; 16];
            let iv = vec![3u8; bs];
            let data = pad(b"some LDS bytes", bs);
            let enc = cipher.encrypt(&key, &iv, &data).unwrap();
            assert_ne!(enc, data);
            assert_eq!(cipher.decrypt(&key, &iv, &enc).unwrap(), data);
            assert_eq!(
                cipher.encrypt(&key, &iv, &data[1..]),
                Err(CryptoError::NotBlockAligned)
            );
        }
    }
}
