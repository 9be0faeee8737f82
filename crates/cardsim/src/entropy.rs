//! Where the chip's random numbers come from: the operating system for a live card, or a
//! script of exact bytes so that ICAO test vectors (RND.IC, K.IC, PACE nonces and ephemeral
//! keys) replay bit for bit.

use std::collections::VecDeque;
use thiserror::Error;

/// The chip could not get random bytes.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
#[error("no random bytes available")]
pub struct EntropyError;

/// A source of the chip's random bytes.
pub trait Entropy: Send {
    /// Fills `buf` entirely, or fails without a partial promise.
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyError>;
}

/// Random bytes from the operating system.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsEntropy;

impl Entropy for OsEntropy {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyError> {
        getrandom::fill(buf).map_err(|_| EntropyError)
    }
}

/// Replays a fixed byte script in order; fails once the script runs out.
#[derive(Debug, Default, Clone)]
pub struct ScriptedEntropy {
    bytes: VecDeque<u8>,
}

impl ScriptedEntropy {
    /// A script that hands out `chunks` concatenated, in order.
    pub fn new<I, C>(chunks: I) -> Self
    where
        I: IntoIterator<Item = C>,
        C: AsRef<[u8]>,
    {
        let mut bytes = VecDeque::new();
        for chunk in chunks {
            bytes.extend(chunk.as_ref());
        }
        Self { bytes }
    }
}

impl Entropy for ScriptedEntropy {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyError> {
        if self.bytes.len() < buf.len() {
            return Err(EntropyError);
        }
        let wanted = buf.len();
        for (slot, byte) in buf.iter_mut().zip(self.bytes.drain(..wanted)) {
            *slot = byte;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripted_entropy_replays_in_order_then_runs_dry() {
        let mut script = ScriptedEntropy::new([vec![1, 2, 3], vec![4]]);
        let mut two = [0u8; 2];
        script.fill(&mut two).unwrap();
        assert_eq!(two, [1, 2]);
        script.fill(&mut two).unwrap();
        assert_eq!(two, [3, 4]);
        assert_eq!(script.fill(&mut two), Err(EntropyError));
    }

    #[test]
    fn os_entropy_fills_distinct_challenges() {
        let (mut a, mut b) = ([0u8; 16], [0u8; 16]);
        OsEntropy.fill(&mut a).unwrap();
        OsEntropy.fill(&mut b).unwrap();
        assert_ne!(a, b);
    }
}
