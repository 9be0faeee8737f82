//! An in-process eMRTD chip for the reader's unit tests, written from the chip's side: BAC and
//! PACE (brainpoolP256r1, AES-128) card roles, strict secure messaging, SELECT and READ BINARY
//! (SFI, offsets, odd INS), and the faults the reader must survive: a block-size limit, no
//! extended length, no SFI, card removal at an offset, a spoiled response MAC, plain errors
//! that end the session, EAC-protected and absent files.
//!
//! The project's software card (`cardsim`) is the full, independent implementation; this one
//! is small on purpose and only serves these tests.

use crate::apdu::StatusWord;
use crate::bac::BacKeys;
use crate::crypto::{self, Cipher};
use crate::mrz::MrzInformation;
use crate::pace::PacePassword;
use crate::secure_messaging::SessionKeys;
use crate::security_infos::SecurityInfos;
use crate::test_support::PaceChip;
use crate::tlv;
use crate::transport::{CardTransport, TransportError};
use elliptic_curve::point::AffineCoordinates;
use std::collections::BTreeMap;

/// EF.CardAccess of a CCCD (CCCD.md): PACE-ECDH-GM-AES-128 on brainpoolP256r1.
pub(crate) const CCCD_CARD_ACCESS: &str = "3134300d060804007f0007020202020101300f060a04007f000702020302020201013012060a04007f0007020204020202010202010d";

const RND_IC: [u8; 8] = [0x46, 0x08, 0xF9, 0x19, 0x88, 0x70, 0x22, 0x12];
const K_IC: [u8; 16] = [
    0x0B, 0x4F, 0x80, 0x32, 0x3E, 0xB3, 0x19, 0x1C, 0xB0, 0x49, 0x70, 0xCB, 0x40, 0x52, 0x79, 0x0B,
];

struct Session {
    keys: SessionKeys,
    ssc: Vec<u8>,
}

impl Session {
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
        match self.keys.cipher() {
            Cipher::Tdes => vec![0; 8],
            cipher => {
                let mut iv = self.ssc.clone();
                crypto::encrypt_block(cipher, self.keys.enc(), &mut iv).unwrap();
                iv
            }
        }
    }

    fn mac(&self, parts: &[&[u8]]) -> [u8; 8] {
        let mut input = self.ssc.clone();
        for p in parts {
            input.extend_from_slice(p);
        }
        let bs = self.keys.cipher().block_size();
        crypto::mac(
            self.keys.cipher(),
            self.keys.mac(),
            &crypto::pad(&input, bs),
        )
        .unwrap()
    }

    /// Verifies and decrypts a protected command body; `None` on any SM error.
    fn unwrap(&mut self, header: [u8; 4], body: &[u8]) -> Option<(Vec<u8>, Option<usize>)> {
        self.increment();
        let bs = self.keys.cipher().block_size();
        let mut rest = body;
        let mut covered = Vec::new();
        let (mut data, mut le, mut mac) = (Vec::new(), None, None);
        while !rest.is_empty() {
            let (object, after) = tlv::parse_one(rest).ok()?;
            let raw = &rest[..rest.len() - after.len()];
            match object.tag.0 {
                0x87 | 0x85 => {
                    covered.extend_from_slice(raw);
                    let cipher_text = if object.tag.0 == 0x87 {
                        object.value.get(1..)?
                    } else {
                        object.value
                    };
                    let mut plain = cipher_text.to_vec();
                    crypto::cbc_decrypt(
                        self.keys.cipher(),
                        self.keys.enc(),
                        &self.iv(),
                        &mut plain,
                    )
                    .ok()?;
                    data = crypto::unpad(&plain, bs).ok()?.to_vec();
                }
                0x97 => {
                    covered.extend_from_slice(raw);
                    let n = object
                        .value
                        .iter()
                        .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
                    le = Some(match (n, object.value.len()) {
                        (0, 1) => 256,
                        (0, _) => 65_536,
                        (n, _) => n,
                    });
                }
                0x8E => mac = Some(object.value.to_vec()),
                _ => return None,
            }
            rest = after;
        }
        let expected = self.mac(&[&crypto::pad(&header, bs), &covered]);
        (mac? == expected).then_some((data, le))
    }

    fn wrap(&mut self, data: &[u8], sw: StatusWord) -> Vec<u8> {
        self.increment();
        let bs = self.keys.cipher().block_size();
        let mut objects = Vec::new();
        if !data.is_empty() {
            let mut enc = crypto::pad(data, bs);
            crypto::cbc_encrypt(self.keys.cipher(), self.keys.enc(), &self.iv(), &mut enc).unwrap();
            let mut value = vec![0x01];
            value.extend_from_slice(&enc);
            tlv::encode_into(0x87, &value, &mut objects);
        }
        tlv::encode_into(0x99, &sw.to_bytes(), &mut objects);
        let mac = self.mac(&[&objects]);
        tlv::encode_into(0x8E, &mac, &mut objects);
        objects
    }
}

/// Active Authentication keys of the test chip.
pub(crate) enum AaKey {
    /// RSA with ISO/IEC 9796-2 scheme 1 and SHA-1: modulus and private exponent.
    Rsa {
        modulus: Vec<u8>,
        private_exponent: Vec<u8>,
    },
    /// ECDSA on P-256 with SHA-256: the private scalar; `der` answers DER instead of r || s.
    P256 { secret: Vec<u8>, der: bool },
    /// A clone that does not hold the key: answers bytes of the right length that sign nothing.
    Unknown(usize),
}

/// A parsed command APDU as the chip sees it.
struct Command {
    header: [u8; 4],
    data: Vec<u8>,
    le: Option<usize>,
    extended: bool,
}

fn parse_command(raw: &[u8]) -> Option<Command> {
    let header: [u8; 4] = raw.get(..4)?.try_into().ok()?;
    let body = &raw[4..];
    let two = |b: &[u8]| (usize::from(b[0]) << 8) | usize::from(b[1]);
    Some(match body.len() {
        0 => Command {
            header,
            data: vec![],
            le: None,
            extended: false,
        },
        1 => Command {
            header,
            data: vec![],
            le: Some(if body[0] == 0 {
                256
            } else {
                usize::from(body[0])
            }),
            extended: false,
        },
        _ if body[0] == 0 && body.len() == 3 => Command {
            header,
            data: vec![],
            le: Some(match two(&body[1..]) {
                0 => 65_536,
                n => n,
            }),
            extended: true,
        },
        _ if body[0] == 0 => {
            let lc = two(&body[1..3]);
            let data = body.get(3..3 + lc)?.to_vec();
            let le = match body.get(3 + lc..)? {
                [] => None,
                [a, b] => Some(match two(&[*a, *b]) {
                    0 => 65_536,
                    n => n,
                }),
                _ => return None,
            };
            Command {
                header,
                data,
                le,
                extended: true,
            }
        }
        _ => {
            let lc = usize::from(body[0]);
            let data = body.get(1..1 + lc)?.to_vec();
            let le = match body.get(1 + lc..)? {
                [] => None,
                [n] => Some(if *n == 0 { 256 } else { usize::from(*n) }),
                _ => return None,
            };
            Command {
                header,
                data,
                le,
                extended: false,
            }
        }
    })
}

/// The test chip. Fields marked `pub(crate)` are the behaviour knobs and the counters tests read.
pub(crate) struct TestChip {
    mrz: MrzInformation,
    card_access: Option<Vec<u8>>,
    files: BTreeMap<u16, Vec<u8>>,
    /// FIDs whose READ BINARY answers 6982 (EAC-protected).
    pub(crate) eac_protected: Vec<u16>,
    /// PACE with the MRZ is accepted; otherwise MSE:Set AT answers 6A80.
    pub(crate) pace: bool,
    /// Largest Le accepted by READ BINARY; more gives 6700.
    pub(crate) max_le: usize,
    /// Extended length APDUs are accepted; otherwise they get a plain 6700.
    pub(crate) extended: bool,
    /// READ BINARY by SFI is accepted; otherwise it gets 6A86.
    pub(crate) sfi: bool,
    /// Error answers under SM are sent plain and end the session.
    pub(crate) plain_errors_end_session: bool,
    /// (FID, offset): the card leaves the field when a read would pass this offset (once).
    pub(crate) remove_at: Option<(u16, usize)>,
    /// Spoil the MAC of protected responses number n (counting from 1) and after, `every`.
    pub(crate) spoil_mac: Option<(usize, bool)>,
    /// The chip's static Chip Authentication key (brainpoolP256r1); a clone holds another.
    pub(crate) ca_private_key: Option<bp256::Scalar>,
    ca_pending: bool,
    next_session: Option<Session>,
    /// The key INTERNAL AUTHENTICATE signs with.
    pub(crate) aa_key: Option<AaKey>,
    present: bool,
    app_selected: bool,
    current: Option<u16>,
    session: Option<Session>,
    challenge: Option<[u8; 8]>,
    pace_chip: Option<PaceChip<bp256::BrainpoolP256r1>>,
    protected_responses: usize,
    /// Every command received while present.
    pub(crate) commands: usize,
    /// (FID, offset, Le) of every READ BINARY that returned data.
    pub(crate) reads: Vec<(u16, usize, usize)>,
    /// EXTERNAL AUTHENTICATE commands received.
    pub(crate) bac_attempts: usize,
    /// MSE:Set AT for PACE received.
    pub(crate) pace_attempts: usize,
}

impl TestChip {
    /// A chip holding `files` (FID → content), opened by `mrz`, with EF.CardAccess when given.
    pub(crate) fn new(mrz: &str, card_access: Option<&str>, files: &[(u16, Vec<u8>)]) -> Self {
        Self {
            mrz: MrzInformation::parse(mrz).unwrap(),
            card_access: card_access.map(crate::test_support::hex),
            files: files.iter().cloned().collect(),
            eac_protected: Vec::new(),
            pace: false,
            max_le: 65_536,
            extended: true,
            sfi: true,
            plain_errors_end_session: false,
            remove_at: None,
            spoil_mac: None,
            ca_private_key: None,
            ca_pending: false,
            next_session: None,
            aa_key: None,
            present: true,
            app_selected: false,
            current: None,
            session: None,
            challenge: None,
            pace_chip: None,
            protected_responses: 0,
            commands: 0,
            reads: Vec::new(),
            bac_attempts: 0,
            pace_attempts: 0,
        }
    }

    /// Puts the card back on the reader: powered up afresh, no session, nothing selected.
    pub(crate) fn reinsert(&mut self) {
        self.present = true;
    }

    fn power_off(&mut self) {
        self.present = false;
        self.app_selected = false;
        self.current = None;
        self.session = None;
        self.challenge = None;
        self.pace_chip = None;
    }

    fn file(&self, fid: u16) -> Option<&Vec<u8>> {
        if fid == 0x011C {
            self.card_access.as_ref()
        } else {
            self.files.get(&fid)
        }
    }

    fn process(&mut self, raw: &[u8]) -> Result<Vec<u8>, TransportError> {
        let Some(command) = parse_command(raw) else {
            return Ok(StatusWord::WrongLength.to_bytes().to_vec());
        };
        if command.extended && !self.extended {
            return Ok(StatusWord::WrongLength.to_bytes().to_vec());
        }
        let [cla, ins, p1, p2] = command.header;
        if cla & 0x0C != 0x0C {
            // A plain command ends any session, as ICAO 9303 chips do.
            self.session = None;
            let (data, sw) = self.execute(ins, p1, p2, &command.data, command.le, &raw[..4])?;
            let mut out = data;
            out.extend_from_slice(&sw.to_bytes());
            return Ok(out);
        }
        let Some(session) = self.session.as_mut() else {
            return Ok(StatusWord::SmDataObjectsMissing.to_bytes().to_vec());
        };
        let Some((data, le)) = session.unwrap(command.header, &command.data) else {
            self.session = None;
            return Ok(StatusWord::SmDataObjectsIncorrect.to_bytes().to_vec());
        };
        let (mut out_data, mut sw) = self.execute(ins, p1, p2, &data, le, &raw[..4])?;
        let Some(session) = self.session.as_mut() else {
            return Ok(StatusWord::SmDataObjectsMissing.to_bytes().to_vec());
        };
        // What a short response cannot carry, the chip refuses.
        if !command.extended
            && protected_len(out_data.len(), session.keys.cipher().block_size()) > 256
        {
            out_data.clear();
            sw = StatusWord::WrongLength;
        }
        if !sw.is_success() && self.plain_errors_end_session {
            self.session = None;
            return Ok(sw.to_bytes().to_vec());
        }
        let Some(session) = self.session.as_mut() else {
            return Ok(StatusWord::SmDataObjectsMissing.to_bytes().to_vec());
        };
        let mut out = session.wrap(&out_data, sw);
        self.protected_responses += 1;
        if let Some((n, every)) = self.spoil_mac
            && (self.protected_responses == n || (every && self.protected_responses > n))
        {
            let last = out.len() - 1;
            out[last] ^= 0x01;
        }
        out.extend_from_slice(&[0x90, 0x00]);
        if let Some(next) = self.next_session.take() {
            self.session = Some(next);
        }
        Ok(out)
    }

    /// Chip Authentication from the chip's side: the shared secret with the terminal's
    /// ephemeral key, and the session that follows the current answer.
    fn chip_authentication(&mut self, pk_ifd: &[u8], cipher: Cipher) -> StatusWord {
        let (Some(sk), Some(_)) = (self.ca_private_key, self.session.as_ref()) else {
            return StatusWord::ConditionsNotSatisfied;
        };
        let Ok(point) = crate::pace::decode_point::<bp256::BrainpoolP256r1>(pk_ifd) else {
            return StatusWord::WrongData;
        };
        let shared = (elliptic_curve::ProjectivePoint::<bp256::BrainpoolP256r1>::from(point) * sk)
            .to_affine();
        self.next_session = Some(Session {
            keys: SessionKeys::derive(cipher, shared.x().as_slice()),
            ssc: vec![0; cipher.block_size()],
        });
        StatusWord::Success
    }

    fn execute(
        &mut self,
        ins: u8,
        p1: u8,
        p2: u8,
        data: &[u8],
        le: Option<usize>,
        raw_header: &[u8],
    ) -> Result<(Vec<u8>, StatusWord), TransportError> {
        let ok = |d: Vec<u8>| Ok((d, StatusWord::Success));
        let sw = |s: StatusWord| Ok((Vec::new(), s));
        match ins {
            0xA4 if p1 == 0x04 => {
                if data == crate::read::EMRTD_AID {
                    self.app_selected = true;
                    self.current = None;
                    ok(vec![])
                } else {
                    sw(StatusWord::FileNotFound)
                }
            }
            0xA4 if p1 == 0x00 && data == [0x3F, 0x00] => sw(StatusWord::InsNotSupported),
            0xA4 if p1 == 0x02 => {
                let fid = u16::from_be_bytes([data[0], data[1]]);
                let reachable = fid == 0x011C || (self.app_selected && self.session.is_some());
                if !reachable {
                    return sw(StatusWord::SecurityStatusNotSatisfied);
                }
                if self.file(fid).is_none() {
                    return sw(StatusWord::FileNotFound);
                }
                self.current = Some(fid);
                ok(vec![])
            }
            0xB0 | 0xB1 => {
                let (fid, offset) = if ins == 0xB1 {
                    let value = tlv::parse_single(data).unwrap().expect_tag(0x54).unwrap();
                    let offset = value.iter().fold(0usize, |a, b| (a << 8) | usize::from(*b));
                    (self.current, offset)
                } else if p1 & 0x80 != 0 {
                    if !self.sfi {
                        return sw(StatusWord::IncorrectP1P2);
                    }
                    // SFI n names FID 01nn for every eMRTD file (DGs, 1C, 1D, 1E).
                    let fid = 0x0100 | u16::from(p1 & 0x1F);
                    (Some(fid), usize::from(p2))
                } else {
                    (
                        self.current,
                        (usize::from(p1 & 0x7F) << 8) | usize::from(p2),
                    )
                };
                let Some(fid) = fid else {
                    return sw(StatusWord::CommandNotAllowed);
                };
                if fid != 0x011C && self.session.is_none() {
                    return sw(StatusWord::SecurityStatusNotSatisfied);
                }
                if self.eac_protected.contains(&fid) {
                    return sw(StatusWord::SecurityStatusNotSatisfied);
                }
                let Some(content) = self.file(fid).cloned() else {
                    return sw(StatusWord::FileNotFound);
                };
                self.current = Some(fid);
                let le = le.unwrap_or(256);
                if le > self.max_le {
                    return sw(StatusWord::WrongLength);
                }
                if offset > content.len() {
                    return sw(StatusWord::WrongParameters);
                }
                let end = (offset + le).min(content.len());
                if let Some((at_fid, at)) = self.remove_at
                    && at_fid == fid
                    && end > at
                {
                    self.remove_at = None;
                    self.power_off();
                    return Err(TransportError::CardRemoved);
                }
                self.reads.push((fid, offset, le));
                let chunk = content[offset..end].to_vec();
                if ins == 0xB1 {
                    ok(tlv::encode(0x53, &chunk))
                } else {
                    ok(chunk)
                }
            }
            0x88 => match &self.aa_key {
                Some(key) if self.session.is_some() => ok(active_authentication(key, data)),
                _ => sw(StatusWord::ConditionsNotSatisfied),
            },
            0x84 => {
                self.challenge = Some(RND_IC);
                ok(RND_IC.to_vec())
            }
            0x82 => {
                self.bac_attempts += 1;
                ok_or_refuse(self.bac_card_side(data))
            }
            0x22 if (p1, p2) == (0x41, 0xA4) => {
                self.ca_pending = self.ca_private_key.is_some();
                sw(if self.ca_pending {
                    StatusWord::Success
                } else {
                    StatusWord::ConditionsNotSatisfied
                })
            }
            0x22 if (p1, p2) == (0x41, 0xA6) => {
                let Ok(Some(pk)) = tlv::find(data, 0x91) else {
                    return sw(StatusWord::WrongData);
                };
                let pk = pk.to_vec();
                sw(self.chip_authentication(&pk, Cipher::Tdes))
            }
            0x86 if self.ca_pending => {
                self.ca_pending = false;
                let pk = tlv::parse_single(data)
                    .ok()
                    .and_then(|t| tlv::find(t.value, 0x80).ok().flatten())
                    .map(<[u8]>::to_vec)
                    .unwrap_or_default();
                match self.chip_authentication(&pk, Cipher::Aes128) {
                    StatusWord::Success => ok(vec![0x7C, 0x00]),
                    other => sw(other),
                }
            }
            0x22 => {
                self.pace_attempts += 1;
                if !self.pace {
                    return sw(StatusWord::WrongData);
                }
                let info = SecurityInfos::parse(self.card_access.as_ref().unwrap())
                    .unwrap()
                    .pace()
                    .next()
                    .unwrap()
                    .clone();
                let password = PacePassword::Mrz(self.mrz.clone());
                self.pace_chip = Some(PaceChip::new(info, &password, 7));
                ok(vec![])
            }
            0x86 => {
                let Some(chip) = self.pace_chip.as_mut() else {
                    return sw(StatusWord::ConditionsNotSatisfied);
                };
                let mut command = raw_header.to_vec();
                command.push(data.len() as u8);
                command.extend_from_slice(data);
                command.push(0);
                let mut answer = chip.answer(&command);
                if let Some(keys) = chip.established.take() {
                    self.session = Some(Session {
                        ssc: vec![0; keys.cipher().block_size()],
                        keys,
                    });
                }
                let sw2 = answer.pop().unwrap();
                let sw1 = answer.pop().unwrap();
                Ok((answer, StatusWord::from_bytes(sw1, sw2)))
            }
            _ => sw(StatusWord::InsNotSupported),
        }
    }

    /// BAC from the chip's side: check the terminal's cryptogram, answer with its own.
    fn bac_card_side(&mut self, data: &[u8]) -> Option<Vec<u8>> {
        let challenge = self.challenge.take()?;
        let keys = BacKeys::derive(&self.mrz);
        let (e_ifd, m_ifd) = (data.get(..32)?, data.get(32..40)?);
        let mac = crypto::mac(Cipher::Tdes, keys.mac(), &crypto::pad(e_ifd, 8)).ok()?;
        if mac.as_slice() != m_ifd {
            return None;
        }
        let mut s = e_ifd.to_vec();
        crypto::cbc_decrypt(Cipher::Tdes, keys.enc(), &[0; 8], &mut s).ok()?;
        if s[8..16] != challenge {
            return None;
        }
        let (rnd_ifd, k_ifd) = (s[..8].to_vec(), s[16..32].to_vec());
        let mut r = challenge.to_vec();
        r.extend_from_slice(&rnd_ifd);
        r.extend_from_slice(&K_IC);
        crypto::cbc_encrypt(Cipher::Tdes, keys.enc(), &[0; 8], &mut r).ok()?;
        let m_ic = crypto::mac(Cipher::Tdes, keys.mac(), &crypto::pad(&r, 8)).ok()?;
        let seed: Vec<u8> = k_ifd.iter().zip(K_IC).map(|(a, b)| a ^ b).collect();
        let mut ssc = challenge[4..].to_vec();
        ssc.extend_from_slice(&rnd_ifd[4..]);
        self.session = Some(Session {
            keys: SessionKeys::derive(Cipher::Tdes, &seed),
            ssc,
        });
        r.extend_from_slice(&m_ic);
        Some(r)
    }
}

/// INTERNAL AUTHENTICATE from the chip's side.
fn active_authentication(key: &AaKey, challenge: &[u8]) -> Vec<u8> {
    use ecdsa::signature::hazmat::PrehashSigner;
    use sha1::Digest;
    match key {
        AaKey::Rsa {
            modulus,
            private_exponent,
        } => {
            let m1: Vec<u8> = (0..modulus.len() - 22).map(|i| i as u8).collect();
            let mut f = vec![0x6A];
            f.extend_from_slice(&m1);
            f.extend_from_slice(
                &sha1::Sha1::new()
                    .chain_update(&m1)
                    .chain_update(challenge)
                    .finalize(),
            );
            f.push(0xBC);
            crate::active_authentication::rsa_public_operation(modulus, private_exponent, &f)
                .unwrap()
        }
        AaKey::P256 { secret, der } => {
            let signing = ecdsa::SigningKey::<p256::NistP256>::from_slice(secret).unwrap();
            let digest = sha2::Sha256::digest(challenge);
            let signature: ecdsa::Signature<p256::NistP256> =
                signing.sign_prehash(&digest).unwrap();
            if *der {
                signature.to_der().as_bytes().to_vec()
            } else {
                signature.to_bytes().to_vec()
            }
        }
        AaKey::Unknown(len) => vec![0x5A; *len],
    }
}

/// Size of the protected response data for `n` plain bytes (DO'87' + DO'99' + DO'8E').
fn protected_len(n: usize, block: usize) -> usize {
    if n == 0 {
        return 14;
    }
    let value = 1 + (n / block + 1) * block;
    let length_field = match value {
        0..=127 => 1,
        128..=255 => 2,
        _ => 3,
    };
    1 + length_field + value + 14
}

fn ok_or_refuse(answer: Option<Vec<u8>>) -> Result<(Vec<u8>, StatusWord), TransportError> {
    Ok(match answer {
        Some(data) => (data, StatusWord::Success),
        None => (
            Vec::new(),
            StatusWord::AuthenticationFailed { retries: None },
        ),
    })
}

impl CardTransport for TestChip {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        if !self.present {
            return Err(TransportError::CardRemoved);
        }
        self.commands += 1;
        self.process(command)
    }
}
