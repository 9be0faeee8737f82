//! The national review, simulated so the kiosk's follow-up screens have real data: each stored
//! package is approved after a delay, or rejected with a reason for a configured fraction; a
//! fraction of the approved applications are activated after a further delay, the rest stay
//! "approved, not activated" (the follow-up list). Which package gets which fate follows from
//! its id's hash, so a run is reproducible. Chip data that failed the back office's passive
//! authentication is always rejected (`chip-data-not-authentic`).

use crate::error::ApiError;
use crate::evidence::is_invalid;
use crate::store::Store;
use enroll::package::PackageId;
use enroll::timestamp::Timestamp;
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::time::Duration;

/// The reason given when the chip evidence failed passive authentication.
pub const NOT_AUTHENTIC: &str = "chip-data-not-authentic";

/// Reasons the simulated review rejects with.
pub const REJECTION_REASONS: [&str; 4] = [
    "portrait-mismatch",
    "data-mismatch-national-db",
    "duplicate-application",
    "document-unreadable",
];

/// Vietnam's offset from UTC (no daylight saving): approval dates are local dates.
const VIETNAM_OFFSET_MS: i64 = 7 * 3600 * 1000;

/// How the simulated review behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewPolicy {
    /// Time from receipt to decision.
    pub decide_after: Duration,
    /// Share of applications rejected, per mille.
    pub reject_per_mille: u16,
    /// Time from approval to activation.
    pub activate_after: Duration,
    /// Share of approved applications that get activated, per mille.
    pub activate_per_mille: u16,
}

impl Default for ReviewPolicy {
    fn default() -> Self {
        Self {
            decide_after: Duration::from_secs(60),
            reject_per_mille: 100,
            activate_after: Duration::from_secs(120),
            activate_per_mille: 600,
        }
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// Two independent draws in 0–999 and a reason index, from the package id.
fn fate(id: PackageId) -> (u16, u16, usize) {
    let h = Sha256::digest(id.to_bytes());
    let draw = |a: u8, b: u8| u16::from_be_bytes([a, b]) % 1000;
    let bytes: [u8; 5] = [0, 1, 2, 3, 4].map(|i| h.get(i).copied().unwrap_or(0));
    let [a, b, c, d, e] = bytes;
    (
        draw(a, b),
        draw(c, d),
        usize::from(e) % REJECTION_REASONS.len(),
    )
}

/// The calendar date (`YYYY-MM-DD`) in Vietnam at `at`.
pub fn vietnam_date(at: Timestamp) -> String {
    let days = (at.unix_millis() + VIETNAM_OFFSET_MS).div_euclid(86_400_000);
    // Days since 1970-01-01 to a civil date (proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

impl ReviewPolicy {
    /// Decides every package due at `now` and activates every approval due; returns how many
    /// status changes were logged.
    pub async fn tick(&self, store: &Store, now: Timestamp) -> Result<u64, ApiError> {
        let mut tx = store.writer().begin().await?;
        let due = sqlx::query(
            "SELECT package_id, device_id, passive_auth FROM packages WHERE review = 'received' \
             AND received_at_ms <= $1 ORDER BY received_at_ms LIMIT 1000",
        )
        .bind(now.unix_millis() - millis(self.decide_after))
        .fetch_all(&mut *tx)
        .await?;
        let mut logged = 0;
        for row in &due {
            let raw: Vec<u8> = row.try_get("package_id")?;
            let device: String = row.try_get("device_id")?;
            let passive_auth: Option<String> = row.try_get("passive_auth")?;
            let Ok(bytes) = <[u8; 16]>::try_from(raw.as_slice()) else {
                continue;
            };
            let (reject_draw, activate_draw, reason) = fate(PackageId::from_bytes(bytes));
            let (status, approved_on, reason, activation_due) =
                if passive_auth.as_deref().is_some_and(is_invalid) {
                    ("rejected", None, Some(NOT_AUTHENTIC), None)
                } else if reject_draw < self.reject_per_mille {
                    (
                        "rejected",
                        None,
                        REJECTION_REASONS.get(reason).copied(),
                        None,
                    )
                } else {
                    let due = (activate_draw < self.activate_per_mille)
                        .then(|| now.unix_millis() + millis(self.activate_after));
                    ("approved", Some(vietnam_date(now)), None, due)
                };
            sqlx::query(
                "UPDATE packages SET review = $1, reviewed_at_ms = $2, activation_due_ms = $3 \
                 WHERE package_id = $4",
            )
            .bind(status)
            .bind(now.unix_millis())
            .bind(activation_due)
            .bind(raw.as_slice())
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO status_log (package_id, device_id, status, at_ms, approved_on, \
                 reason) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(raw.as_slice())
            .bind(&device)
            .bind(status)
            .bind(now.unix_millis())
            .bind(approved_on)
            .bind(reason)
            .execute(&mut *tx)
            .await?;
            logged += 1;
        }
        let activated = sqlx::query(
            "SELECT package_id, device_id FROM packages WHERE review = 'approved' \
             AND activation_due_ms <= $1 ORDER BY activation_due_ms LIMIT 1000",
        )
        .bind(now.unix_millis())
        .fetch_all(&mut *tx)
        .await?;
        for row in &activated {
            let raw: Vec<u8> = row.try_get("package_id")?;
            let device: String = row.try_get("device_id")?;
            sqlx::query(
                "UPDATE packages SET review = 'activated', activation_due_ms = NULL \
                 WHERE package_id = $1",
            )
            .bind(raw.as_slice())
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO status_log (package_id, device_id, status, at_ms) \
                 VALUES ($1, $2, 'activated', $3)",
            )
            .bind(raw.as_slice())
            .bind(&device)
            .bind(now.unix_millis())
            .execute(&mut *tx)
            .await?;
            logged += 1;
        }
        tx.commit().await?;
        Ok(logged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approval_dates_are_vietnamese_calendar_dates() {
        assert_eq!(vietnam_date(Timestamp::from_unix_millis(0)), "1970-01-01");
        // 2026-02-28T17:00:00Z is already 1 March in Hanoi.
        assert_eq!(
            vietnam_date(Timestamp::from_unix_millis(1_772_298_000_000)),
            "2026-03-01"
        );
        assert_eq!(
            vietnam_date(Timestamp::from_unix_millis(1_772_297_999_999)),
            "2026-02-28"
        );
        // 2024-02-29 (leap day), 12:00 local.
        assert_eq!(
            vietnam_date(Timestamp::from_unix_millis(1_709_182_800_000)),
            "2024-02-29"
        );
    }

    #[test]
    fn fates_are_spread_over_the_range() {
        let rejected = (0u8..=255)
            .map(|i| fate(PackageId::from_bytes([i; 16])).0)
            .filter(|d| *d < 100)
            .count();
        assert!(
            (10..=45).contains(&rejected),
            "{rejected} of 256 under 10 %"
        );
    }
}
