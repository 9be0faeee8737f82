//! Secure messaging (ICAO 9303-11 §9.8): every command after BAC or PACE is encrypted and
//! MACed with the session keys, every response is MAC-verified before anything in it is used.
//!
//! A [`SecureChannel`] exists only once BAC, PACE or Chip Authentication produced session keys
//! (its constructor is crate-private). It keeps the send sequence counter (SSC), incremented
//! before each command and each response. Two ciphersuites: 3DES with the retail MAC (zero IV)
//! and AES with CMAC (IV = E(KSenc, SSC)).
//!
//! Responses are verified strictly: a response carrying data or `9000` must carry DO'99' and a
//! valid DO'8E'. The only unprotected answer accepted is a bare error status word (cards answer
//! `6A82` or `6982` in plain), which cannot smuggle in data.

use crate::apdu::{ApduError, CommandApdu, ResponseApdu, SHORT_LC_MAX, SHORT_LE_MAX, StatusWord};
use crate::crypto::{self, Cipher, CryptoError, MAC_LEN};
use crate::tlv;
use crate::transport::{CardTransport, TransportError};
use thiserror::Error;
use zeroize::Zeroizing;

/// Why a protected exchange failed. Every variant except `Transport` means the session can no
/// longer be trusted: re-authenticate.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum SmError {
    /// The transport could not deliver the command or the response.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The command cannot be encoded, or the response had no status word.
    #[error(transparent)]
    Apdu(#[from] ApduError),
    /// A response with data or success status came without secure messaging objects.
    #[error("response not protected by secure messaging")]
    Unprotected,
    /// The response MAC does not match: altered in transit, or the keys differ.
    #[error("response MAC does not verify")]
    MacMismatch,
    /// The protected response objects are not in the form ICAO 9303 prescribes.
    #[error("malformed secure messaging response: {0}")]
    Malformed(&'static str),
    /// The card refused the protected command (`6987`/`6988`): it ended the session.
    #[error("card ended secure messaging: {0}")]
    CardRejected(StatusWord),
    /// A cryptographic primitive failed (bad padding after a verified MAC, wrong key size).
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

impl From<tlv::TlvError> for SmError {
    fn from(_: tlv::TlvError) -> Self {
        Self::Malformed("response objects are not valid BER-TLV")
    }
}

/// Session keys from an access protocol: KSenc, KSmac and their cipher.
#[derive(Clone)]
pub struct SessionKeys {
    cipher: Cipher,
    enc: Zeroizing<Vec<u8>>,
    mac: Zeroizing<Vec<u8>>,
}

impl core::fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SessionKeys")
            .field("cipher", &self.cipher)
            .finish_non_exhaustive()
    }
}

impl SessionKeys {
    /// Derives KSenc (counter 1) and KSmac (counter 2) from a shared secret.
    pub(crate) fn derive(cipher: Cipher, shared_secret: &[u8]) -> Self {
        Self {
            cipher,
            enc: crypto::derive_key(cipher, shared_secret, 1),
            mac: crypto::derive_key(cipher, shared_secret, 2),
        }
    }

    /// The ciphersuite.
    pub fn cipher(&self) -> Cipher {
        self.cipher
    }

    pub(crate) fn enc(&self) -> &[u8] {
        &self.enc
    }

    pub(crate) fn mac(&self) -> &[u8] {
        &self.mac
    }
}

/// An authenticated secure messaging session with a chip.
#[derive(Clone)]
pub struct SecureChannel {
    keys: SessionKeys,
    ssc: Vec<u8>,
}

impl core::fmt::Debug for SecureChannel {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SecureChannel")
            .field("cipher", &self.keys.cipher)
            .finish_non_exhaustive()
    }
}

impl SecureChannel {
    /// Starts a session with the given keys and initial SSC (BAC: from the nonces; PACE and
    /// Chip Authentication: zero).
    pub(crate) fn new(keys: SessionKeys, ssc: Vec<u8>) -> Self {
        Self { keys, ssc }
    }

    /// The ciphersuite of the session.
    pub fn cipher(&self) -> Cipher {
        self.keys.cipher
    }

    /// The current send sequence counter.
    pub fn ssc(&self) -> &[u8] {
        &self.ssc
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

    fn block_size(&self) -> usize {
        self.keys.cipher.block_size()
    }

    /// The IV for encrypting or decrypting under the current SSC.
    fn iv(&self) -> Result<Vec<u8>, CryptoError> {
        match self.keys.cipher {
            Cipher::Tdes => Ok(vec![0; 8]),
            _ => {
                let mut iv = self.ssc.clone();
                crypto::encrypt_block(self.keys.cipher, self.keys.enc(), &mut iv)?;
                Ok(iv)
            }
        }
    }

    fn mac_over(&self, parts: &[&[u8]]) -> Result<[u8; MAC_LEN], CryptoError> {
        let mut input = self.ssc.clone();
        for part in parts {
            input.extend_from_slice(part);
        }
        let padded = crypto::pad(&input, self.block_size());
        crypto::mac(self.keys.cipher, self.keys.mac(), &padded)
    }

    /// Wraps a plain command into its protected form (advancing the SSC).
    pub fn protect(&mut self, command: &CommandApdu) -> Result<Vec<u8>, SmError> {
        self.increment_ssc();
        let bs = self.block_size();
        let extended = command.needs_extended();
        let cla = command.cla | 0x0C;
        let header = crypto::pad(&[cla, command.ins, command.p1, command.p2], bs);

        let mut data_object = Vec::new();
        if !command.data.is_empty() {
            let mut body = crypto::pad(&command.data, bs);
            crypto::cbc_encrypt(self.keys.cipher, self.keys.enc(), &self.iv()?, &mut body)?;
            if command.ins & 1 == 1 {
                tlv::encode_into(0x85, &body, &mut data_object);
            } else {
                let mut value = Vec::with_capacity(body.len() + 1);
                value.push(0x01);
                value.extend_from_slice(&body);
                tlv::encode_into(0x87, &value, &mut data_object);
            }
        }
        let mut le_object = Vec::new();
        if let Some(le) = command.le {
            let encoded = if extended {
                ((le % 65_536) as u16).to_be_bytes().to_vec()
            } else {
                vec![(le % SHORT_LE_MAX) as u8]
            };
            tlv::encode_into(0x97, &encoded, &mut le_object);
        }
        let mac = self.mac_over(&[&header, &data_object, &le_object])?;

        let mut body = data_object;
        body.extend_from_slice(&le_object);
        tlv::encode_into(0x8E, &mac, &mut body);
        let protected = CommandApdu {
            cla,
            ins: command.ins,
            p1: command.p1,
            p2: command.p2,
            le: Some(if extended || body.len() > SHORT_LC_MAX {
                65_536
            } else {
                SHORT_LE_MAX
            }),
            data: body,
        };
        if extended || protected.data.len() > SHORT_LC_MAX {
            Ok(protected.encode_extended()?)
        } else {
            Ok(protected.encode()?)
        }
    }

    /// Verifies and decrypts a raw response (advancing the SSC).
    pub fn unprotect(&mut self, raw: &[u8]) -> Result<ResponseApdu, SmError> {
        self.increment_ssc();
        let outer = ResponseApdu::parse(raw)?;
        if outer.data.is_empty() {
            return if outer.sw.is_secure_messaging_error() {
                Err(SmError::CardRejected(outer.sw))
            } else if outer.sw.is_success() || matches!(outer.sw, StatusWord::MoreData(_)) {
                Err(SmError::Unprotected)
            } else {
                // A bare error status: nothing to verify, nothing to trust but the refusal.
                Ok(outer)
            };
        }
        // Walk the objects keeping where each starts: the MAC covers the bytes as sent.
        let mut objects = Vec::new();
        let mut rest = outer.data.as_slice();
        while !rest.is_empty() {
            let start = outer.data.len() - rest.len();
            let (object, after) = tlv::parse_one(rest)?;
            objects.push((object, start));
            rest = after;
        }
        let (mac_object, mac_start, covered) = match objects.split_last() {
            Some(((last, start), covered)) if last.tag.0 == 0x8E => (last, *start, covered),
            _ => return Err(SmError::Malformed("DO'8E' missing or not last")),
        };
        if mac_object.value.len() != MAC_LEN {
            return Err(SmError::Malformed("DO'8E' is not eight bytes"));
        }
        let mut data_object = None;
        let mut status_object = None;
        for (object, _) in covered {
            match (object.tag.0, data_object, status_object) {
                (0x87 | 0x85, None, None) => data_object = Some(*object),
                (0x99, _, None) => status_object = Some(*object),
                _ => return Err(SmError::Malformed("unexpected or repeated data object")),
            }
        }
        let covered_bytes = outer.data.get(..mac_start).unwrap_or_default();
        let expected = self.mac_over(&[covered_bytes])?;
        if !crypto::mac_eq(&expected, mac_object.value) {
            return Err(SmError::MacMismatch);
        }
        let status = status_object.ok_or(SmError::Malformed("DO'99' missing"))?;
        let sw = match status.value {
            [sw1, sw2] => StatusWord::from_bytes(*sw1, *sw2),
            _ => return Err(SmError::Malformed("DO'99' is not two bytes")),
        };
        let data = match data_object {
            None => Vec::new(),
            Some(object) => {
                let cipher_text = if object.tag.0 == 0x87 {
                    match object.value.split_first() {
                        Some((0x01, rest)) => rest,
                        _ => return Err(SmError::Malformed("DO'87' padding indicator")),
                    }
                } else {
                    object.value
                };
                let mut plain = cipher_text.to_vec();
                crypto::cbc_decrypt(self.keys.cipher, self.keys.enc(), &self.iv()?, &mut plain)?;
                crypto::unpad(&plain, self.block_size())?.to_vec()
            }
        };
        Ok(ResponseApdu { data, sw })
    }

    /// Protects `command`, sends it, and verifies the response.
    pub fn transmit<T: CardTransport + ?Sized>(
        &mut self,
        transport: &mut T,
        command: &CommandApdu,
    ) -> Result<ResponseApdu, SmError> {
        let protected = self.protect(command)?;
        let raw = crate::apdu::transmit_joined(transport, &protected)?;
        self.unprotect(&raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::tests::hex;

    /// The BAC session of ICAO 9303-11 Appendix D, right after mutual authentication.
    pub(crate) fn appendix_d_channel() -> SecureChannel {
        SecureChannel::new(
            SessionKeys {
                cipher: Cipher::Tdes,
                enc: Zeroizing::new(hex("979EC13B1CBFE9DCD01AB0FED307EAE5")),
                mac: Zeroizing::new(hex("F1CB1F1FB5ADF208806B89DC579DC1F8")),
            },
            hex("887022120C06C226"),
        )
    }

    #[test]
    fn protected_select_ef_com_matches_appendix_d4() {
        let mut sm = appendix_d_channel();
        let select = CommandApdu::new(0x00, 0xA4, 0x02, 0x0C).with_data([0x01, 0x1E]);
        assert_eq!(
            sm.protect(&select).unwrap(),
            hex("0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800")
        );
        assert_eq!(sm.ssc(), hex("887022120C06C227"));
        let response = sm
            .unprotect(&hex("990290008E08FA855A5D4C50A8ED9000"))
            .unwrap();
        assert_eq!(response.sw, StatusWord::Success);
        assert!(response.data.is_empty());
        assert_eq!(sm.ssc(), hex("887022120C06C228"));
    }

    #[test]
    fn protected_reads_of_ef_com_match_appendix_d4() {
        let mut sm = appendix_d_channel();
        let select = CommandApdu::new(0x00, 0xA4, 0x02, 0x0C).with_data([0x01, 0x1E]);
        sm.protect(&select).unwrap();
        sm.unprotect(&hex("990290008E08FA855A5D4C50A8ED9000"))
            .unwrap();

        let read = CommandApdu::new(0x00, 0xB0, 0x00, 0x00).with_le(4);
        assert_eq!(
            sm.protect(&read).unwrap(),
            hex("0CB000000D9701048E08ED6705417E96BA5500")
        );
        let response = sm
            .unprotect(&hex(
                "8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000",
            ))
            .unwrap();
        assert_eq!(response.data, hex("60145F01"));

        let read = CommandApdu::new(0x00, 0xB0, 0x00, 0x04).with_le(0x12);
        assert_eq!(
            sm.protect(&read).unwrap(),
            hex("0CB000040D9701128E082EA28A70F3C7B53500")
        );
        let response = sm
            .unprotect(&hex(
                "871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000",
            ))
            .unwrap();
        assert_eq!(response.data, hex("04303130365F36063034303030305C026175"));
        assert_eq!(response.sw, StatusWord::Success);
    }

    fn aes_channel(enc: &str, mac: &str, ssc: &str) -> SecureChannel {
        SecureChannel::new(
            SessionKeys {
                cipher: Cipher::Aes128,
                enc: Zeroizing::new(hex(enc)),
                mac: Zeroizing::new(hex(mac)),
            },
            hex(ssc),
        )
    }

    /// An AES-128 exchange captured from a real passport's Chip Authentication and published
    /// with the gmrtd reader's tests: an independent check of IV = E(KSenc, SSC), the padding
    /// and the CMAC, which the ICAO appendices do not cover.
    #[test]
    fn aes_protected_mse_set_at_matches_a_captured_exchange() {
        let mut sm = aes_channel(
            "cc86415f2ed7e8fd663b754265695ae1",
            "581e84b8ee06c4d3eee30461498d7fb3",
            "000000000000000000000000000000ba",
        );
        let set_at = CommandApdu::new(0x00, 0x22, 0x41, 0xA4)
            .with_data(hex("800a04007f000702020302028401c3"));
        assert_eq!(
            sm.protect(&set_at).unwrap(),
            hex("0c2241a41d871101980953d37f67558690045d78a853b18a8e08929767a2cef172e200")
        );
        assert_eq!(sm.ssc(), hex("000000000000000000000000000000bb"));
    }

    #[test]
    fn aes_protected_223_byte_answer_matches_a_captured_exchange() {
        let mut sm = aes_channel(
            "a8e85e938514ec67ae33cda3d43d3c48",
            "27f1adeb705a049a305b0c619b14b9b3",
            "0000000000000000000000000000000b",
        );
        let response = sm
            .unprotect(&hex(
                "8781e1012fabf9e0655d7e987fd28a8aeb19c9cadd990d49399799ed1fe465bcea56da9ba3024291d40d23d7f1e00485d71faddc6d8c1382e8028dd22efdcc72ed47663d56d20dd6c4b867956fe0507313083ae7fc54fb46133f184febbe13ad6fd3e2616a1f4a829e75ada1a0e443ca738288f6014be8a7745d8259b089e6bee35bcc4bf5b63db5fdd84244f67eca099213b70a861b4487225aa68af684278fceb4cb809de42be3ee95b0e0d72bcdb0ed47cb56efc264e04a9397a90e81ad1d81efa2d14b2ca8ec7bd997f4b1c1fd344d5dee8589c38b227ca4cb35810060a7cc76403e990290008e083eb47ef4fa82afc99000",
            ))
            .unwrap();
        assert_eq!(response.sw, StatusWord::Success);
        assert_eq!(response.data.len(), 223);
        assert_eq!(
            response.data,
            hex(
                "a729901d1a71874700133107ec53306404307bc382c63d8c150c3c72080ace05afa0c2bea28e4fb22787139165efba91f90f8aa5814a503ad4eb04a8c7dd22ce2826043004a8c7dd22ce28268b39b55416f0447c2fb77de107dcd2a62e880ea53eeb62d57cb4390295dbc9943ab78696fa504c110461041d1c64f068cf45ffa2a63a81b7c13f6b8847a3e77ef14fe3db7fcafe0cbd10e8e826e03436d646aaef87b2e247d4af1e8abe1d7520f9c2a45cb1eb8e95cfd55262b70b29feec5864e19c054ff99129280e4646217791811142820341263c53150231008cb91e82a3"
            )
        );
        assert_eq!(sm.ssc(), hex("0000000000000000000000000000000c"));
    }

    #[test]
    fn a_flipped_bit_in_the_response_fails_the_mac() {
        let mut sm = appendix_d_channel();
        sm.protect(&CommandApdu::new(0x00, 0xA4, 0x02, 0x0C).with_data([0x01, 0x1E]))
            .unwrap();
        assert_eq!(
            sm.unprotect(&hex("990290018E08FA855A5D4C50A8ED9000")),
            Err(SmError::MacMismatch)
        );
    }

    #[test]
    fn a_replayed_response_fails_because_the_ssc_moved_on() {
        let mut sm = appendix_d_channel();
        let select = CommandApdu::new(0x00, 0xA4, 0x02, 0x0C).with_data([0x01, 0x1E]);
        sm.protect(&select).unwrap();
        let response = hex("990290008E08FA855A5D4C50A8ED9000");
        sm.unprotect(&response).unwrap();
        sm.protect(&select).unwrap();
        assert_eq!(sm.unprotect(&response), Err(SmError::MacMismatch));
    }

    #[test]
    fn unprotected_success_is_refused_and_plain_errors_pass_through() {
        let mut sm = appendix_d_channel();
        assert_eq!(sm.unprotect(&hex("9000")), Err(SmError::Unprotected));
        assert_eq!(
            sm.unprotect(&hex("6988")),
            Err(SmError::CardRejected(StatusWord::SmDataObjectsIncorrect))
        );
        assert_eq!(
            sm.unprotect(&hex("6A82")).unwrap().sw,
            StatusWord::FileNotFound
        );
    }

    #[test]
    fn malformed_protected_responses_are_named() {
        let mut sm = appendix_d_channel();
        // No DO'8E'.
        assert!(matches!(
            sm.unprotect(&hex("9902900090 00")),
            Err(SmError::Malformed(_))
        ));
        // Truncated TLV.
        assert!(matches!(
            sm.unprotect(&hex("8710019000")),
            Err(SmError::Malformed(_))
        ));
        // Data object after the status object.
        assert!(matches!(
            sm.unprotect(&hex("99029000870201008E08000000000000000090 00")),
            Err(SmError::Malformed(_))
        ));
    }

    #[test]
    fn aes_session_round_trips_through_a_card_side_mirror() {
        // The card mirrors our session: it unprotects with the same keys and SSC discipline. A
        // command we protect and a response it protects must both verify.
        let keys = SessionKeys::derive(Cipher::Aes128, b"shared secret of a PACE run");
        let mut reader = SecureChannel::new(keys.clone(), vec![0; 16]);
        let mut card = SecureChannel::new(keys, vec![0; 16]);
        let read = CommandApdu::new(0x00, 0xB0, 0x81, 0x00).with_le(223);
        let protected = reader.protect(&read).unwrap();
        assert_eq!(&protected[..4], &[0x0C, 0xB0, 0x81, 0x00]);
        // Card side: check the MAC the same way a response MAC is checked.
        card.increment_ssc();
        let body = protected[5..protected.len() - 1].to_vec();
        let header = crypto::pad(&protected[..4], 16);
        let mac = card.mac_over(&[&header, &body[..body.len() - 10]]).unwrap();
        assert_eq!(&body[body.len() - 8..], &mac);

        // Card answers 223 bytes: DO'87' + DO'99' + DO'8E' under the next SSC.
        card.increment_ssc();
        let content: Vec<u8> = (0..223u8).collect();
        let mut enc = crypto::pad(&content, 16);
        crypto::cbc_encrypt(
            Cipher::Aes128,
            card.keys.enc(),
            &card.iv().unwrap(),
            &mut enc,
        )
        .unwrap();
        let mut do87 = vec![0x01];
        do87.extend_from_slice(&enc);
        let mut objects = tlv::encode(0x87, &do87);
        tlv::encode_into(0x99, &[0x90, 0x00], &mut objects);
        let mac = card.mac_over(&[&objects]).unwrap();
        tlv::encode_into(0x8E, &mac, &mut objects);
        objects.extend_from_slice(&[0x90, 0x00]);
        assert!(objects.len() <= 258, "223 bytes fit a short response");

        let response = reader.unprotect(&objects).unwrap();
        assert_eq!(response.data, content);
        assert_eq!(reader.ssc(), card.ssc());
    }

    #[test]
    fn large_le_produces_an_extended_protected_command() {
        let mut sm = appendix_d_channel();
        let read = CommandApdu::new(0x00, 0xB0, 0x00, 0x00).with_le(4096);
        let protected = sm.protect(&read).unwrap();
        // Extended: 00 Lc1 Lc2, DO'97' with two bytes, Le 00 00.
        assert_eq!(&protected[4..7], &[0x00, 0x00, 0x0E]);
        assert_eq!(&protected[7..11], &[0x97, 0x02, 0x10, 0x00]);
        assert_eq!(&protected[protected.len() - 2..], &[0x00, 0x00]);
    }

    #[test]
    fn ssc_carries_across_bytes() {
        let mut sm = appendix_d_channel();
        sm.ssc = vec![0x00, 0xFF, 0xFF];
        sm.increment_ssc();
        assert_eq!(sm.ssc, [0x01, 0x00, 0x00]);
        sm.ssc = vec![0xFF; 2];
        sm.increment_ssc();
        assert_eq!(sm.ssc, [0x00, 0x00]);
    }

    proptest::proptest! {
        #[test]
        fn random_responses_never_panic_and_never_pass_unverified(
            raw in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)
        ) {
            let mut sm = appendix_d_channel();
            if let Ok(response) = sm.unprotect(&raw) {
                // A random response cannot carry a valid MAC: only a bare error status passes.
                proptest::prop_assert_eq!(raw.len(), 2);
                proptest::prop_assert!(response.data.is_empty() && !response.sw.is_success());
            }
        }
    }
}
