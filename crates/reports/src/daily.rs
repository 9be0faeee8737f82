//! What happened on each day of a period (for the "enrollments per day" chart): enrollments
//! made, and packages acknowledged, approved, rejected and activated that day, from grouped
//! per-day counts of the queue and its state history (five queries, whatever the period's
//! length).

use crate::calendar::{LocalDate, Period, VIETNAM_OFFSET_MILLIS};
use crate::tally::Flow;
use enroll::queue::{Queue, QueueError};
use enroll::state::EnrollmentState;

/// The states whose daily arrivals are counted.
const REACHED: [EnrollmentState; 4] = [
    EnrollmentState::Acknowledged,
    EnrollmentState::Approved,
    EnrollmentState::Rejected,
    EnrollmentState::Activated,
];

/// One flow per day of `period`, every day present, in order.
pub async fn daily_flows(
    queue: &Queue,
    period: Period,
) -> Result<Vec<(LocalDate, Flow)>, QueueError> {
    let mut days = Vec::new();
    let mut d = period.from;
    while d <= period.until {
        days.push((d, Flow::default()));
        d = d.next();
    }
    let (from, until) = period.bounds();
    let first = period.from.days_since_epoch();
    let index = |day: i64| usize::try_from(day - first).ok();
    for (day, n) in queue
        .created_per_day(from, until, VIETNAM_OFFSET_MILLIS)
        .await?
    {
        if let Some((_, f)) = index(day).and_then(|i| days.get_mut(i)) {
            f.enrolled += n;
        }
    }
    for state in REACHED {
        for (day, n) in queue
            .reached_per_day(state, from, until, VIETNAM_OFFSET_MILLIS)
            .await?
        {
            if let Some((_, f)) = index(day).and_then(|i| days.get_mut(i)) {
                f.add_reached(state, n);
            }
        }
    }
    Ok(days)
}
