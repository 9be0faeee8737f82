//! A minimal terminal for this crate's tests: BAC from the terminal's side and secure
//! messaging that protects commands and opens responses. Anchored to the ICAO vectors by the
//! tests that use it, so the chip is never checked only against itself.

use crate::Chip;
use crate::crypto::{Cipher, KDF_ENC, KDF_MAC, kdf_128, pad, sha1, unpad, with_des_parity};
use crate::tlv;

pub(crate) struct Terminal {
    pub(crate) cipher: Cipher,
    pub(crate) ks_enc: [u8; 16],
    pub(crate) ks_mac: [u8; 16],
    pub(crate) ssc: Vec<u8>,
    /// Send commands in extended-length form.
    pub(crate) extended: bool,
}

pub(crate) fn status(response: &[u8]) -> u16 {
    match response {
        [.., sw1, sw2] => u16::from_be_bytes([*sw1, *sw2]),
        _ => 0,
    }
}

impl Terminal {
    /// Runs GET CHALLENGE and MUTUAL AUTHENTICATE with this MRZ information; `None` if refused.
    pub(crate) fn bac(chip: &mut Chip, mrz_information: &str) -> Option<Terminal> {
        let seed = sha1(mrz_information.as_bytes());
        let k_enc = with_des_parity(kdf_128(&seed[..16], KDF_ENC));
        let k_mac = with_des_parity(kdf_128(&seed[..16], KDF_MAC));
        let challenge = chip.transmit(&[0x00, 0x84, 0x00, 0x00, 0x08]);
        let rnd_ic = challenge.get(..8)?.to_vec();
        let rnd_ifd = [0x42u8; 8];
        let k_ifd = [0x17u8; 16];
        let mut s = rnd_ifd.to_vec();
        s.extend_from_slice(&rnd_ic);
        s.extend_from_slice(&k_ifd);
        let e_ifd = Cipher::Tdes.encrypt(&k_enc, &[0; 8], &s).ok()?;
        let m_ifd = Cipher::Tdes.mac(&k_mac, &pad(&e_ifd, 8)).ok()?;
        let mut apdu = vec![0x00, 0x82, 0x00, 0x00, 0x28];
        apdu.extend_from_slice(&e_ifd);
        apdu.extend_from_slice(&m_ifd);
        apdu.push(0x28);
        let response = chip.transmit(&apdu);
        if status(&response) != 0x9000 {
            return None;
        }
        let r = Cipher::Tdes
            .decrypt(&k_enc, &[0; 8], response.get(..32)?)
            .ok()?;
        let k_ic = r.get(16..32)?;
        let seed: Vec<u8> = k_ifd.iter().zip(k_ic).map(|(a, b)| a ^ b).collect();
        let mut ssc = rnd_ic.get(4..8)?.to_vec();
        ssc.extend_from_slice(&rnd_ifd[4..]);
        Some(Terminal {
            cipher: Cipher::Tdes,
            ks_enc: with_des_parity(kdf_128(&seed, KDF_ENC)),
            ks_mac: with_des_parity(kdf_128(&seed, KDF_MAC)),
            ssc,
            extended: false,
        })
    }

    fn increment(&mut self) {
        for byte in self.ssc.iter_mut().rev() {
            let (next, carry) = byte.overflowing_add(1);
            *byte = next;
            if !carry {
                break;
            }
        }
    }

    fn iv(&self) -> Vec<u8> {
        match self.cipher {
            Cipher::Tdes => vec![0; 8],
            Cipher::Aes128 => self
                .cipher
                .encrypt(&self.ks_enc, &[0; 16], &self.ssc)
                .unwrap(),
        }
    }

    /// Protects a plain command `header` ‖ `data` with expected length `ne`.
    pub(crate) fn protect(&mut self, header: [u8; 4], data: &[u8], ne: Option<usize>) -> Vec<u8> {
        self.increment();
        let bs = self.cipher.block_size();
        let cla = header[0] | 0x0C;
        let masked = [cla, header[1], header[2], header[3]];
        let mut objects = Vec::new();
        if !data.is_empty() {
            let mut value = vec![0x01];
            value.extend(
                self.cipher
                    .encrypt(&self.ks_enc, &self.iv(), &pad(data, bs))
                    .unwrap(),
            );
            objects.extend(tlv::encode(&[0x87], &value));
        }
        if let Some(ne) = ne {
            let le = match ne {
                256 => vec![0],
                65536 => vec![0, 0],
                n if n < 256 => vec![n as u8],
                n => (n as u16).to_be_bytes().to_vec(),
            };
            objects.extend(tlv::encode(&[0x97], &le));
        }
        let mut mac_input = self.ssc.clone();
        mac_input.extend(pad(&masked, bs));
        mac_input.extend(&objects);
        let mac = self.cipher.mac(&self.ks_mac, &pad(&mac_input, bs)).unwrap();
        objects.extend(tlv::encode(&[0x8E], &mac));
        let mut apdu = masked.to_vec();
        if self.extended {
            apdu.push(0);
            apdu.extend((objects.len() as u16).to_be_bytes());
            apdu.extend(objects);
            apdu.extend([0, 0]);
        } else {
            apdu.push(objects.len() as u8);
            apdu.extend(objects);
            apdu.push(0);
        }
        apdu
    }

    /// Checks and opens a protected response: `Err(sw)` if it came back unprotected.
    pub(crate) fn unprotect(&mut self, response: &[u8]) -> Result<(Vec<u8>, u16), u16> {
        self.increment();
        let sw = status(response);
        let body = &response[..response.len() - 2];
        let objects = tlv::parse_all(body).map_err(|_| sw)?;
        let (mac, covered) = objects.split_last().ok_or(sw)?;
        if mac.tag != 0x8E {
            return Err(sw);
        }
        let bs = self.cipher.block_size();
        let mut mac_input = self.ssc.clone();
        let mut data = Vec::new();
        for object in covered {
            mac_input.extend(object.raw);
            if object.tag == 0x87 {
                let plain = self
                    .cipher
                    .decrypt(&self.ks_enc, &self.iv(), &object.value[1..])
                    .unwrap();
                data = unpad(&plain).unwrap().to_vec();
            }
        }
        if self.cipher.mac(&self.ks_mac, &pad(&mac_input, bs)).unwrap() != mac.value {
            return Err(sw);
        }
        Ok((data, sw))
    }

    /// Protects, sends, and opens.
    pub(crate) fn send(
        &mut self,
        chip: &mut Chip,
        header: [u8; 4],
        data: &[u8],
        ne: Option<usize>,
    ) -> Result<(Vec<u8>, u16), u16> {
        let apdu = self.protect(header, data, ne);
        let response = chip.transmit(&apdu);
        self.unprotect(&response)
    }
}
