//! Test doubles shared by the unit tests: a card that replays a fixed exchange and asserts every
//! command, and an RNG that replays fixed bytes (so ICAO vectors replay exactly).

use crate::crypto;
use crate::pace::{
    PacePassword, decode_point, encode_point, generic_mapping, random_scalar, token,
};
use crate::secure_messaging::SessionKeys;
use crate::security_infos::PaceInfo;
use crate::tlv;
use crate::transport::{CardTransport, TransportError};
use core::convert::Infallible;
use elliptic_curve::sec1::{FromSec1Point, ModulusSize, ToSec1Point};
use elliptic_curve::{
    AffinePoint, CurveArithmetic, CurveGroup, FieldBytesSize, Group, ProjectivePoint,
    point::AffineCoordinates,
};
use rand_core::{TryCryptoRng, TryRng};
use std::collections::VecDeque;
use zeroize::Zeroizing;

pub(crate) use crate::crypto::tests::hex;

/// Replays `(expected command, response)` pairs in order; panics (failing the test) on any
/// command that differs from the script.
/// One scripted exchange: the command expected and what the card does.
type Exchange = (Vec<u8>, Result<Vec<u8>, TransportError>);

pub(crate) struct ScriptedCard {
    script: VecDeque<Exchange>,
}

impl ScriptedCard {
    pub(crate) fn new(pairs: &[(&str, &str)]) -> Self {
        Self {
            script: pairs.iter().map(|(c, r)| (hex(c), Ok(hex(r)))).collect(),
        }
    }

    pub(crate) fn then_fail(mut self, command: &str, error: TransportError) -> Self {
        self.script.push_back((hex(command), Err(error)));
        self
    }

    pub(crate) fn assert_done(&self) {
        assert!(
            self.script.is_empty(),
            "{} exchanges not replayed",
            self.script.len()
        );
    }
}

impl CardTransport for ScriptedCard {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let (expected, response) = self
            .script
            .pop_front()
            .unwrap_or_else(|| panic!("unexpected command {}", to_hex(command)));
        assert_eq!(
            to_hex(command),
            to_hex(&expected),
            "command differs from the script"
        );
        response
    }
}

pub(crate) fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// An RNG that hands out fixed bytes, then fails the test if asked for more.
pub(crate) struct ReplayRng(VecDeque<u8>);

impl ReplayRng {
    pub(crate) fn new(chunks: &[&str]) -> Self {
        Self(chunks.iter().flat_map(|c| hex(c)).collect())
    }
}

impl TryRng for ReplayRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_be_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_be_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for byte in dst {
            *byte = self.0.pop_front().expect("replay RNG exhausted");
        }
        Ok(())
    }
}

impl TryCryptoRng for ReplayRng {}

/// The chip's side of PACE-GM over curve `C`, written from the chip's view, so every
/// supported curve is exercised end to end (Appendix G only covers brainpoolP256r1).
/// `keys` holds the session keys once the chip accepted the terminal's token.
pub(crate) struct PaceChip<C: CurveArithmetic> {
    info: PaceInfo,
    k_pi: Zeroizing<Vec<u8>>,
    nonce: [u8; 16],
    sk_map: C::Scalar,
    sk: C::Scalar,
    mapped: Option<ProjectivePoint<C>>,
    pk_ic: Vec<u8>,
    pk_ifd: Vec<u8>,
    keys: Option<SessionKeys>,
    pub(crate) established: Option<SessionKeys>,
}

impl<C> PaceChip<C>
where
    C: CurveArithmetic,
    FieldBytesSize<C>: ModulusSize,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
{
    pub(crate) fn new(info: PaceInfo, password: &PacePassword, seed: u8) -> Self {
        let mut rng = ReplayRng::new(&[&"5A".repeat(96)]);
        let k_pi = password.key(info.protocol.cipher);
        let mut nonce = [seed; 16];
        nonce[0] = 0x11;
        Self {
            info,
            k_pi,
            nonce,
            sk_map: random_scalar::<C, _>(&mut rng).unwrap(),
            sk: random_scalar::<C, _>(&mut rng).unwrap() + C::Scalar::from(u64::from(seed)),
            mapped: None,
            pk_ic: Vec::new(),
            pk_ifd: Vec::new(),
            keys: None,
            established: None,
        }
    }

    pub(crate) fn answer(&mut self, command: &[u8]) -> Vec<u8> {
        let ok = |tag: u32, value: &[u8]| {
            let mut out = tlv::encode(0x7C, &tlv::encode(tag, value));
            out.extend_from_slice(&[0x90, 0x00]);
            out
        };
        if command.get(1) == Some(&0x22) {
            return hex("9000");
        }
        let body = command.get(5..command.len() - 1).unwrap();
        let dynamic = tlv::parse_single(body).unwrap().expect_tag(0x7C).unwrap();
        let Some(input) = tlv::parse_all(dynamic).unwrap().first().copied() else {
            let mut z = self.nonce.to_vec();
            let cipher = self.info.protocol.cipher;
            crypto::cbc_encrypt(cipher, &self.k_pi, &vec![0; cipher.block_size()], &mut z).unwrap();
            return ok(0x80, &z);
        };
        match input.tag.0 {
            0x81 => {
                let pk_map_ifd = decode_point::<C>(input.value).unwrap();
                let mapped = generic_mapping::<C>(&self.nonce, &self.sk_map, &pk_map_ifd).unwrap();
                self.mapped = Some(mapped);
                let pk_map_ic = (ProjectivePoint::<C>::generator() * self.sk_map).to_affine();
                ok(0x82, &encode_point::<C>(&pk_map_ic))
            }
            0x83 => {
                let mapped = self.mapped.unwrap();
                self.pk_ifd = input.value.to_vec();
                self.pk_ic = encode_point::<C>(&(mapped * self.sk).to_affine());
                let shared =
                    ProjectivePoint::<C>::from(decode_point::<C>(input.value).unwrap()) * self.sk;
                self.keys = Some(SessionKeys::derive(
                    self.info.protocol.cipher,
                    shared.to_affine().x().as_slice(),
                ));
                ok(0x84, &self.pk_ic.clone())
            }
            0x85 => {
                let keys = self.keys.as_ref().unwrap();
                let cipher = self.info.protocol.cipher;
                let oid = &self.info.protocol.oid;
                let expected = token(cipher, keys.mac(), oid, &self.pk_ic).unwrap();
                if expected.as_slice() != input.value {
                    return hex("6300");
                }
                let t_ic = token(cipher, keys.mac(), oid, &self.pk_ifd).unwrap();
                self.established = Some(keys.clone());
                ok(0x86, &t_ic)
            }
            _ => hex("6A80"),
        }
    }
}

impl<C> CardTransport for PaceChip<C>
where
    C: CurveArithmetic,
    FieldBytesSize<C>: ModulusSize,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
{
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, crate::transport::TransportError> {
        Ok(self.answer(command))
    }
}

/// A deterministic RNG for tests that need many unpredictable-looking bytes (xorshift).
pub(crate) struct TestRng(pub(crate) u64);

impl TryRng for TestRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.try_next_u64()? as u32)
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        Ok(x)
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let word = self.try_next_u64()?.to_be_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
        Ok(())
    }
}

impl TryCryptoRng for TestRng {}
