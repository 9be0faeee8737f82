//! Test doubles shared by the unit tests: a card that replays a fixed exchange and asserts every
//! command, and an RNG that replays fixed bytes (so ICAO vectors replay exactly).

use crate::transport::{CardTransport, TransportError};
use core::convert::Infallible;
use rand_core::{TryCryptoRng, TryRng};
use std::collections::VecDeque;

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
