//! Whether a new citizen's enrollment may start: the queue's freeze rules from the
//! configuration (`freeze_max_unsent`, `freeze_max_unsent_days`), asked before anything is read
//! from a citizen, so a kiosk that never syncs stops collecting personal data. A citizen already
//! in progress is never stopped by it: their package can still be sealed.

use enroll::queue::{Admission, FreezeRules, Queue};
use enroll::timestamp::Timestamp;
use health::line::Frozen;
use kiosk_config::Config;

use crate::shell::UiError;

const DAY_MILLIS: i64 = 24 * 3600 * 1000;

/// The configured freeze rules.
pub(crate) fn freeze_rules(config: &Config) -> FreezeRules {
    FreezeRules {
        max_unsent: config.freeze_max_unsent,
        max_unsent_age_millis: i64::from(config.freeze_max_unsent_days).saturating_mul(DAY_MILLIS),
    }
}

/// Refuses a new citizen's enrollment at `now` with the UI's code when the queue cannot take
/// it: `queue.frozen_too_many`, `queue.frozen_too_old`, `queue.disk_full`, or
/// `queue.unavailable` / `queue.database` when the queue cannot be asked.
pub(crate) async fn admit(
    queue: Option<&Queue>,
    config: &Config,
    now: Timestamp,
) -> Result<(), UiError> {
    let queue = queue.ok_or(UiError::new("queue.unavailable"))?;
    let admission = queue
        .admission(now, &freeze_rules(config))
        .await
        .map_err(|err| {
            tracing::warn!(error = %err, "queue admission unreadable");
            UiError::new("queue.database")
        })?;
    let code = match admission {
        Admission::Open => return Ok(()),
        Admission::DiskFull => "queue.disk_full",
        Admission::TooManyUnsent(_) => "queue.frozen_too_many",
        Admission::UnsentTooLong(_) => "queue.frozen_too_old",
    };
    tracing::warn!(
        code,
        ?admission,
        "new enrollment refused: the queue is frozen until the back office acknowledges packages"
    );
    Err(UiError::new(code))
}

/// The health line's view of an admission: a freeze by the rules. A full disk is the line's own
/// `disk_low` finding (its threshold is above the queue's reserve), so it is not repeated here.
pub(crate) fn frozen(admission: Admission) -> Option<Frozen> {
    match admission {
        Admission::TooManyUnsent(count) => Some(Frozen::TooManyUnsent { count }),
        Admission::UnsentTooLong(since) => Some(Frozen::UnsentTooLong {
            since: since.unix_millis(),
        }),
        Admission::Open | Admission::DiskFull => None,
    }
}
