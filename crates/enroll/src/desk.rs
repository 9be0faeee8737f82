//! The counter desk: the operator signed in across citizens, and the lock that ends the sign-in
//! after a quiet spell.
//!
//! The desk keeps when the operator last acted on a monotonic clock ([`Instant`], passed in by
//! the caller, so tests move time by hand and a wall-clock change cannot stretch or cut the
//! spell). Every act on the operator's behalf goes through [`Desk::act`]: within the limit it
//! renews the spell; past it the operator is signed out and the caller is told who was locked
//! out, to audit it and wipe the citizen's data. The UI may lock the desk sooner, never later.

use std::time::{Duration, Instant};

use crate::operators::Session;

/// Why the desk refused to act for an operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeskRefusal {
    /// Nobody is signed in.
    SignedOut,
    /// The operator was idle past the limit: they are signed out now.
    Locked(Session),
}

/// The operator signed in at the desk and when they last acted.
#[derive(Debug)]
pub struct Desk {
    lock_after: Duration,
    signed_in: Option<(Session, Instant)>,
}

impl Desk {
    /// An empty desk whose sign-in ends after `lock_after` without activity.
    pub fn new(lock_after: Duration) -> Self {
        Self {
            lock_after,
            signed_in: None,
        }
    }

    /// How long a sign-in lasts without activity.
    pub fn lock_after(&self) -> Duration {
        self.lock_after
    }

    /// Signs `session` in at `now` (replacing whoever was signed in).
    pub fn sign_in(&mut self, session: Session, now: Instant) {
        self.signed_in = Some((session, now));
    }

    /// Signs the operator out; who was signed in, if anyone.
    pub fn sign_out(&mut self) -> Option<Session> {
        self.signed_in.take().map(|(session, _)| session)
    }

    /// The signed-in operator, for an act on their behalf at `now`: renews the spell when
    /// within the limit, signs them out when past it.
    pub fn act(&mut self, now: Instant) -> Result<Session, DeskRefusal> {
        let session = self.check(now)?;
        self.signed_in = Some((session.clone(), now));
        Ok(session)
    }

    /// The signed-in operator at `now` without renewing the spell (a status poll is not
    /// activity); past the limit they are signed out, as by [`Desk::act`].
    pub fn check(&mut self, now: Instant) -> Result<Session, DeskRefusal> {
        let (session, last) = self.signed_in.as_ref().ok_or(DeskRefusal::SignedOut)?;
        if now.saturating_duration_since(*last) >= self.lock_after {
            let locked = session.clone();
            self.signed_in = None;
            return Err(DeskRefusal::Locked(locked));
        }
        Ok(session.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::OperatorId;
    use crate::operators::Role;

    const MINUTE: Duration = Duration::from_secs(60);

    fn operator() -> Session {
        Session {
            operator: OperatorId::new("cb01").expect("id"),
            role: Role::Operator,
        }
    }

    #[test]
    fn activity_within_the_limit_keeps_the_operator_signed_in() {
        let start = Instant::now();
        let mut desk = Desk::new(15 * MINUTE);
        desk.sign_in(operator(), start);
        for minutes in [10, 20, 30, 44] {
            assert_eq!(desk.act(start + minutes * MINUTE), Ok(operator()));
        }
        assert_eq!(
            desk.check(start + 58 * MINUTE),
            Ok(operator()),
            "14 minutes after the last act"
        );
    }

    #[test]
    fn past_the_limit_the_act_is_refused_and_the_operator_signed_out() {
        let start = Instant::now();
        let mut desk = Desk::new(15 * MINUTE);
        desk.sign_in(operator(), start);
        assert_eq!(
            desk.act(start + 15 * MINUTE),
            Err(DeskRefusal::Locked(operator()))
        );
        assert_eq!(
            desk.act(start + 15 * MINUTE),
            Err(DeskRefusal::SignedOut),
            "the lock is told once; after it nobody is signed in"
        );
        assert_eq!(desk.sign_out(), None);
    }

    #[test]
    fn a_status_check_is_not_activity() {
        let start = Instant::now();
        let mut desk = Desk::new(15 * MINUTE);
        desk.sign_in(operator(), start);
        for minutes in 1..15 {
            assert_eq!(desk.check(start + minutes * MINUTE), Ok(operator()));
        }
        assert_eq!(
            desk.check(start + 15 * MINUTE),
            Err(DeskRefusal::Locked(operator()))
        );
    }

    #[test]
    fn signing_out_or_in_again_starts_afresh() {
        let start = Instant::now();
        let mut desk = Desk::new(MINUTE);
        assert_eq!(desk.act(start), Err(DeskRefusal::SignedOut));
        desk.sign_in(operator(), start);
        assert_eq!(desk.sign_out(), Some(operator()));
        assert_eq!(desk.act(start), Err(DeskRefusal::SignedOut));
        desk.sign_in(operator(), start);
        desk.sign_in(operator(), start + 50 * Duration::from_secs(1));
        assert_eq!(
            desk.act(start + 100 * Duration::from_secs(1)),
            Ok(operator()),
            "the second sign-in restarted the spell"
        );
    }
}
