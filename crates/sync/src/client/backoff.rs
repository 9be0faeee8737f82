//! Exponential backoff with jitter: the n-th consecutive failure waits between half and all of
//! `base · 2ⁿ`, capped at `max`. The jitter spreads a fleet of kiosks that lost the network
//! together so they do not all come back in the same second. The RNG is passed in.

use rand_core::Rng;
use std::time::Duration;

/// The retry schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The delay after the first failure (before jitter).
    pub base: Duration,
    /// The longest delay.
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            base: Duration::from_secs(2),
            max: Duration::from_secs(10 * 60),
        }
    }
}

impl Backoff {
    /// The delay after `failures` consecutive failures (1 for the first).
    pub fn delay(&self, failures: u32, rng: &mut impl Rng) -> Duration {
        let exponent = failures.saturating_sub(1).min(30);
        let ceiling = self
            .base
            .checked_mul(1u32 << exponent)
            .map_or(self.max, |d| d.min(self.max));
        let ceiling_ms = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        let half = ceiling_ms / 2;
        let spread = ceiling_ms - half;
        let jitter = if spread == 0 {
            0
        } else {
            rng.next_u64() % (spread + 1)
        };
        Duration::from_millis(half + jitter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use getrandom::SysRng;
    use rand_core::UnwrapErr;

    #[test]
    fn delays_grow_exponentially_within_their_jitter_band_up_to_the_cap() {
        let b = Backoff {
            base: Duration::from_millis(100),
            max: Duration::from_secs(5),
        };
        let mut rng = UnwrapErr(SysRng);
        for (failures, ceiling_ms) in [
            (1, 100),
            (2, 200),
            (3, 400),
            (6, 3_200),
            (7, 5_000),
            (40, 5_000),
        ] {
            for _ in 0..50 {
                let d = b.delay(failures, &mut rng).as_millis();
                assert!(
                    (ceiling_ms / 2..=ceiling_ms).contains(&d),
                    "{failures} failures: {d} ms"
                );
            }
        }
    }

    #[test]
    fn jitter_spreads_kiosks_apart() {
        let b = Backoff::default();
        let mut rng = UnwrapErr(SysRng);
        let delays: std::collections::BTreeSet<u128> =
            (0..20).map(|_| b.delay(5, &mut rng).as_millis()).collect();
        assert!(delays.len() > 10, "only {} distinct delays", delays.len());
    }
}
