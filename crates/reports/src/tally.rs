//! How many enrollments stand at each step, and the figures reports print from that.
//!
//! A [`Tally`] counts enrollments by the state they stand in (now, or as of a date), so its
//! figures are a funnel: an activated enrollment was also enrolled, acknowledged and approved.
//! A [`Flow`] counts what happened in a period: enrollments made, approvals, activations.

use enroll::state::EnrollmentState;
use serde::{Deserialize, Serialize};
use std::ops::AddAssign;

/// Enrollments by where they stand now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Tally {
    /// Not acknowledged by the back office yet (queued, uploading, uploaded, or refused for good).
    pub unsent: u64,
    /// Acknowledged, awaiting the review.
    pub in_review: u64,
    /// Approved, not activated.
    pub approved_only: u64,
    /// Rejected by the review.
    pub rejected: u64,
    /// Activated by the citizen.
    pub activated: u64,
}

impl Tally {
    /// Counts `n` enrollments in `state`.
    pub fn add_state(&mut self, state: EnrollmentState, n: u64) {
        use EnrollmentState::*;
        let slot = match state {
            Acknowledged => &mut self.in_review,
            Approved => &mut self.approved_only,
            Rejected => &mut self.rejected,
            Activated => &mut self.activated,
            // Every state before the back office's acknowledgement (drafts, the outbox, and a
            // package it refused for good) is not yet acknowledged.
            _ => &mut self.unsent,
        };
        *slot += n;
    }

    /// Đã thu nhận: every enrollment made.
    pub fn enrolled(&self) -> u64 {
        self.unsent + self.in_review + self.approved_only + self.rejected + self.activated
    }

    /// Đã tiếp nhận: acknowledged by the back office (and maybe decided since).
    pub fn acknowledged(&self) -> u64 {
        self.in_review + self.approved_only + self.rejected + self.activated
    }

    /// Đã phê duyệt: approved (activated or not).
    pub fn approved(&self) -> u64 {
        self.approved_only + self.activated
    }

    /// Đã kích hoạt.
    pub fn activated(&self) -> u64 {
        self.activated
    }

    /// Đang chờ: no review decision yet (not acknowledged, or in review).
    pub fn pending(&self) -> u64 {
        self.unsent + self.in_review
    }

    /// Bị từ chối.
    pub fn rejected(&self) -> u64 {
        self.rejected
    }

    /// Chưa kích hoạt: approved, never activated (the follow-up list's length).
    pub fn not_activated(&self) -> u64 {
        self.approved_only
    }
}

impl AddAssign for Tally {
    fn add_assign(&mut self, o: Self) {
        self.unsent += o.unsent;
        self.in_review += o.in_review;
        self.approved_only += o.approved_only;
        self.rejected += o.rejected;
        self.activated += o.activated;
    }
}

/// What happened in a period: enrollments made in it, and packages that reached each later
/// step in it (from the queue's state history), whenever they were made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Flow {
    /// Thu nhận: enrollments made in the period.
    pub enrolled: u64,
    /// Tiếp nhận: acknowledged by the back office in the period.
    pub acknowledged: u64,
    /// Phê duyệt: approved in the period.
    pub approved: u64,
    /// Từ chối: rejected in the period.
    pub rejected: u64,
    /// Kích hoạt: activated in the period.
    pub activated: u64,
}

impl Flow {
    /// Counts `n` packages that reached `state` in the period (steps before the back office's
    /// acknowledgement are not counted: an enrollment counts once, as made).
    pub fn add_reached(&mut self, state: EnrollmentState, n: u64) {
        use EnrollmentState::*;
        let slot = match state {
            Acknowledged => &mut self.acknowledged,
            Approved => &mut self.approved,
            Rejected => &mut self.rejected,
            Activated => &mut self.activated,
            // Steps before the acknowledgement: the enrollment counts once, as made.
            _ => return,
        };
        *slot += n;
    }
}

impl AddAssign for Flow {
    fn add_assign(&mut self, o: Self) {
        self.enrolled += o.enrolled;
        self.acknowledged += o.acknowledged;
        self.approved += o.approved;
        self.rejected += o.rejected;
        self.activated += o.activated;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use EnrollmentState::*;

    #[test]
    fn the_funnel_counts_each_enrollment_at_every_step_it_passed() {
        let mut t = Tally::default();
        for (s, n) in [
            (Queued, 2),
            (Uploading, 1),
            (Uploaded, 1),
            (Acknowledged, 3),
            (Approved, 4),
            (Rejected, 5),
            (Activated, 6),
        ] {
            t.add_state(s, n);
        }
        assert_eq!(t.enrolled(), 22);
        assert_eq!(t.acknowledged(), 18);
        assert_eq!(t.approved(), 10);
        assert_eq!(t.activated(), 6);
        assert_eq!(t.pending(), 7);
        assert_eq!(t.rejected(), 5);
        assert_eq!(t.not_activated(), 4);
        assert_eq!(t.pending() + t.approved() + t.rejected(), t.enrolled());
    }
}
