//! Enrollments per day over a period (for the "enrollments per day" chart): each day's
//! enrollments by where they stand now.
//!
//! The queue has no per-day count, and a `counts_by` query per day would scan the table once
//! per day; instead the status rows of each stored state are read once and bucketed by their
//! creation day (Vietnam time).

use crate::calendar::{LocalDate, Period};
use crate::tally::Tally;
use enroll::queue::{PackageStatus, Queue, QueueError};
use enroll::state::EnrollmentState;

/// The states a queue stores.
const STORED: [EnrollmentState; 7] = [
    EnrollmentState::Queued,
    EnrollmentState::Uploading,
    EnrollmentState::Uploaded,
    EnrollmentState::Acknowledged,
    EnrollmentState::Approved,
    EnrollmentState::Rejected,
    EnrollmentState::Activated,
];

/// Buckets status rows into one tally per day of `period` (every day present, in order; rows
/// outside the period are ignored).
pub fn bucket<'a>(
    period: Period,
    rows: impl IntoIterator<Item = &'a PackageStatus>,
) -> Vec<(LocalDate, Tally)> {
    let mut days = Vec::new();
    let mut d = period.from;
    while d <= period.until {
        days.push((d, Tally::default()));
        d = d.next();
    }
    for row in rows {
        if !period.contains(row.created_at) {
            continue;
        }
        let offset = period
            .from
            .days_until(LocalDate::containing(row.created_at));
        if let Some((_, tally)) = usize::try_from(offset).ok().and_then(|i| days.get_mut(i)) {
            tally.add_state(row.state, 1);
        }
    }
    days
}

/// Enrollments made on each day of `period`, by current state.
pub async fn daily_enrollments(
    queue: &Queue,
    period: Period,
) -> Result<Vec<(LocalDate, Tally)>, QueueError> {
    let mut rows = Vec::new();
    for state in STORED {
        rows.extend(queue.in_state(state, u32::MAX).await?);
    }
    Ok(bucket(period, &rows))
}
