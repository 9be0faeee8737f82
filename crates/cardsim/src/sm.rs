//! Secure messaging from the card's side (ICAO 9303-11 §9.8): check and open each protected
//! command, protect each response. The send sequence counter is the chip's own; a terminal
//! whose counter drifts produces a MAC the chip rejects.

use crate::apdu::{Command, Response, sw};
use crate::crypto::{Cipher, CryptoError, pad, unpad};
use crate::tlv::{self, TlvError};
use thiserror::Error;

/// Why a protected command was refused; the chip then ends the session, as real chips do.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
pub enum SmError {
    /// A mandatory object (the MAC `8E`) is missing: `6987`.
    #[error("secure messaging data objects missing")]
    Missing,
    /// The MAC, padding, cryptogram or object layout is wrong: `6988`.
    #[error("secure messaging data objects incorrect")]
    Incorrect,
}

impl SmError {
    /// The status word the chip answers with (in plain).
    pub fn status_word(self) -> u16 {
        match self {
            SmError::Missing => sw::SM_DATA_OBJECTS_MISSING,
            SmError::Incorrect => sw::SM_DATA_OBJECTS_INCORRECT,
        }
    }
}

impl From<CryptoError> for SmError {
    fn from(_: CryptoError) -> Self {
        SmError::Incorrect
    }
}

impl From<TlvError> for SmError {
    fn from(_: TlvError) -> Self {
        SmError::Incorrect
    }
}

/// An established secure-messaging session: session keys and the send sequence counter.
/// Holds key material: it has no `Debug`.
pub struct SecureChannel {
    cipher: Cipher,
    ks_enc: [u8; 16],
    ks_mac: [u8; 16],
    ssc: Vec<u8>,
}

impl SecureChannel {
    /// A session with these keys; `ssc` is as long as the cipher's block.
    pub fn new(cipher: Cipher, ks_enc: [u8; 16], ks_mac: [u8; 16], ssc: &[u8]) -> Self {
        Self {
            cipher,
            ks_enc,
            ks_mac,
            ssc: ssc.to_vec(),
        }
    }

    /// The cipher protecting this session.
    pub fn cipher(&self) -> Cipher {
        self.cipher
    }

    /// Checks a protected command and returns the plain command inside it.
    pub fn unwrap_command(&mut self, outer: &Command) -> Result<Command, SmError> {
        self.increment_ssc();
        let objects = tlv::parse_all(&outer.data)?;
        let (mac_object, covered) = objects.split_last().ok_or(SmError::Missing)?;
        if mac_object.tag != 0x8E {
            return Err(SmError::Missing);
        }
        let mut cryptogram = None;
        let mut expected = None;
        let mut mac_input = self.ssc.clone();
        mac_input.extend_from_slice(&pad(
            &[outer.cla, outer.ins, outer.p1, outer.p2],
            self.cipher.block_size(),
        ));
        let mut last_tag = 0;
        for object in covered {
            let in_order = matches!(
                (last_tag, object.tag),
                (0, 0x85 | 0x87 | 0x97) | (0x85 | 0x87, 0x97)
            );
            if !in_order {
                return Err(SmError::Incorrect);
            }
            last_tag = object.tag;
            match object.tag {
                0x97 => expected = Some(object.value),
                _ => cryptogram = Some((object.tag, object.value)),
            }
            mac_input.extend_from_slice(object.raw);
        }
        let mac = self
            .cipher
            .mac(&self.ks_mac, &pad(&mac_input, self.cipher.block_size()))?;
        if mac_object.value != mac {
            return Err(SmError::Incorrect);
        }
        let data = match cryptogram {
            None => Vec::new(),
            Some((tag, value)) => {
                let ciphertext = match (tag, value) {
                    (0x87, [0x01, rest @ ..]) => rest,
                    (0x85, all) => all,
                    _ => return Err(SmError::Incorrect),
                };
                let padded = self.cipher.decrypt(&self.ks_enc, &self.iv()?, ciphertext)?;
                unpad(&padded)?.to_vec()
            }
        };
        let ne = match expected {
            None => None,
            Some([]) => None,
            Some([0]) => Some(256),
            Some([le]) => Some(usize::from(*le)),
            Some([0, 0]) => Some(65536),
            Some([hi, lo]) => Some(usize::from(u16::from_be_bytes([*hi, *lo]))),
            Some(_) => return Err(SmError::Incorrect),
        };
        Ok(Command {
            cla: outer.cla & !0x0C,
            ins: outer.ins,
            p1: outer.p1,
            p2: outer.p2,
            data,
            ne,
            extended: outer.extended,
        })
    }

    /// Protects a response: `87` (if there is data), `99` (the status word), `8E` (the MAC).
    pub fn wrap_response(&mut self, plain: &Response) -> Result<Response, SmError> {
        self.increment_ssc();
        let mut body = Vec::new();
        if !plain.data.is_empty() {
            let mut value = vec![0x01];
            value.extend(self.cipher.encrypt(
                &self.ks_enc,
                &self.iv()?,
                &pad(&plain.data, self.cipher.block_size()),
            )?);
            body.extend(tlv::encode(&[0x87], &value));
        }
        body.extend(tlv::encode(&[0x99], &plain.sw.to_be_bytes()));
        let mut mac_input = self.ssc.clone();
        mac_input.extend_from_slice(&body);
        let mac = self
            .cipher
            .mac(&self.ks_mac, &pad(&mac_input, self.cipher.block_size()))?;
        body.extend(tlv::encode(&[0x8E], &mac));
        Ok(Response {
            data: body,
            sw: plain.sw,
        })
    }

    /// How many data bytes the protected form of a response with `plain_len` data bytes has.
    pub fn wrapped_len(&self, plain_len: usize) -> usize {
        let trailer = 4 + 10;
        if plain_len == 0 {
            return trailer;
        }
        let bs = self.cipher.block_size();
        let value_len = 1 + (plain_len / bs + 1) * bs;
        1 + tlv::encode_length(value_len).len() + value_len + trailer
    }

    fn increment_ssc(&mut self) {
        for byte in self.ssc.iter_mut().rev() {
            let (next, carry) = byte.overflowing_add(1);
            *byte = next;
            if !carry {
                break;
            }
        }
    }

    /// 3DES sessions use a zero IV; AES sessions encrypt the SSC under KSenc (§9.8.6.3).
    fn iv(&self) -> Result<Vec<u8>, CryptoError> {
        let bs = self.cipher.block_size();
        match self.cipher {
            Cipher::Tdes => Ok(vec![0; bs]),
            Cipher::Aes128 => self.cipher.encrypt(&self.ks_enc, &vec![0; bs], &self.ssc),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channel(cipher: Cipher) -> SecureChannel {
        SecureChannel::new(
            cipher,
            [0x11; 16],
            [0x22; 16],
            &vec![0; cipher.block_size()],
        )
    }

    #[test]
    fn wrapped_len_matches_real_wrapping() {
        for cipher in [Cipher::Tdes, Cipher::Aes128] {
            for len in [0, 1, 7, 8, 15, 16, 100, 223, 231, 256, 1000] {
                let mut ch = channel(cipher);
                let wrapped = ch.wrap_response(&Response::ok(vec![5; len])).unwrap();
                assert_eq!(ch.wrapped_len(len), wrapped.data.len(), "{cipher:?} {len}");
            }
        }
    }

    #[test]
    fn command_without_mac_is_missing_objects() {
        let mut ch = channel(Cipher::Aes128);
        let cmd = Command::parse(&[0x0C, 0xB0, 0, 0, 0x03, 0x97, 0x01, 0x10, 0x00]).unwrap();
        assert_eq!(ch.unwrap_command(&cmd).err(), Some(SmError::Missing));
    }

    #[test]
    fn objects_out_of_order_are_incorrect() {
        let mut ch = channel(Cipher::Tdes);
        let cmd = Command::parse(&[
            0x0C, 0xB0, 0, 0, 0x0D, 0x97, 0x01, 0x10, 0x8E, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0x00,
        ])
        .unwrap();
        assert_eq!(ch.unwrap_command(&cmd).err(), Some(SmError::Incorrect));
        let mut ch = channel(Cipher::Tdes);
        let swapped = Command::parse(&[
            0x0C, 0xB0, 0, 0, 0x0D, 0x8E, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0x97, 0x01, 0x10, 0x00,
        ])
        .unwrap();
        assert_eq!(ch.unwrap_command(&swapped).err(), Some(SmError::Missing));
    }
}
