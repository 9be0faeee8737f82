//! The life of an enrollment, with the words assisted-enrollment systems use:
//! draft → sealed → queued → uploading → uploaded → acknowledged → approved | rejected, and
//! approved → activated. A failed upload attempt returns uploading → queued for a retry; a
//! package the back office refuses for good (its id already held with other bytes, or invalid)
//! goes uploading → quarantined, ODK's rule: kept whole for a technician, never overwritten,
//! never sent again on its own. Any other move is an [`IllegalTransition`].

use std::fmt;
use std::str::FromStr;

/// Where an enrollment is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EnrollmentState {
    /// Being filled in; nothing stored.
    Draft,
    /// Sealed and signed, not yet in the queue.
    Sealed,
    /// In the local queue, waiting for upload.
    Queued,
    /// An upload attempt is under way.
    Uploading,
    /// The back office received the bytes.
    Uploaded,
    /// The back office refused the package for good (conflict or invalid): kept with its body
    /// for a technician; no automatic move leaves this state.
    Quarantined,
    /// The back office verified and stored the package; the local body may be purged.
    Acknowledged,
    /// The national review approved the application; the citizen must activate.
    Approved,
    /// The review rejected the application (final).
    Rejected,
    /// The citizen activated the account in VNeID (final).
    Activated,
}

/// A move the state machine does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an enrollment cannot go from {from} to {to}")]
pub struct IllegalTransition {
    /// The state it was in.
    pub from: EnrollmentState,
    /// The state asked for.
    pub to: EnrollmentState,
}

impl EnrollmentState {
    /// Every state, in life order.
    pub const ALL: [EnrollmentState; 10] = [
        Self::Draft,
        Self::Sealed,
        Self::Queued,
        Self::Uploading,
        Self::Uploaded,
        Self::Quarantined,
        Self::Acknowledged,
        Self::Approved,
        Self::Rejected,
        Self::Activated,
    ];

    /// Whether `self → to` is allowed.
    pub fn can_become(self, to: EnrollmentState) -> bool {
        use EnrollmentState::*;
        matches!(
            (self, to),
            (Draft, Sealed)
                | (Sealed, Queued)
                | (Queued, Uploading)
                | (Uploading, Uploaded)
                | (Uploading, Queued)
                | (Uploading, Quarantined)
                | (Uploaded, Acknowledged)
                | (Acknowledged, Approved)
                | (Acknowledged, Rejected)
                | (Approved, Activated)
        )
    }

    /// The next state, or the reason it is refused.
    pub fn advance(self, to: EnrollmentState) -> Result<EnrollmentState, IllegalTransition> {
        if self.can_become(to) {
            Ok(to)
        } else {
            Err(IllegalTransition { from: self, to })
        }
    }

    /// No move leaves this state.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Rejected | Self::Activated)
    }

    /// Whether the package body must still be kept locally (not acknowledged).
    pub fn holds_body(self) -> bool {
        matches!(
            self,
            Self::Queued | Self::Uploading | Self::Uploaded | Self::Quarantined
        )
    }

    /// The stable lower-case name used in storage and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Sealed => "sealed",
            Self::Queued => "queued",
            Self::Uploading => "uploading",
            Self::Uploaded => "uploaded",
            Self::Quarantined => "quarantined",
            Self::Acknowledged => "acknowledged",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Activated => "activated",
        }
    }
}

impl fmt::Display for EnrollmentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored state name that is not one of ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown enrollment state name")]
pub struct UnknownState;

impl FromStr for EnrollmentState {
    type Err = UnknownState;
    fn from_str(s: &str) -> Result<Self, UnknownState> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or(UnknownState)
    }
}

#[cfg(test)]
mod tests {
    use super::EnrollmentState::*;
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_happy_path_reaches_activated() {
        let path = [
            Sealed,
            Queued,
            Uploading,
            Uploaded,
            Acknowledged,
            Approved,
            Activated,
        ];
        let end = path.iter().try_fold(Draft, |s, &to| s.advance(to));
        assert_eq!(end, Ok(Activated));
    }

    #[test]
    fn a_refused_upload_is_quarantined_and_stays_there_with_its_body() {
        assert_eq!(Uploading.advance(Quarantined), Ok(Quarantined));
        assert!(
            Queued.advance(Quarantined).is_err(),
            "only an upload attempt learns it"
        );
        for to in EnrollmentState::ALL {
            assert!(Quarantined.advance(to).is_err());
        }
        assert!(Quarantined.holds_body());
    }

    #[test]
    fn a_failed_upload_returns_to_the_queue_and_rejection_is_final() {
        assert_eq!(Uploading.advance(Queued), Ok(Queued));
        assert_eq!(Acknowledged.advance(Rejected), Ok(Rejected));
        for to in EnrollmentState::ALL {
            assert!(Rejected.advance(to).is_err());
            assert!(Activated.advance(to).is_err());
        }
    }

    #[test]
    fn skipping_steps_is_refused() {
        assert_eq!(
            Queued.advance(Acknowledged),
            Err(IllegalTransition {
                from: Queued,
                to: Acknowledged
            })
        );
        assert!(Draft.advance(Queued).is_err());
        assert!(Uploaded.advance(Approved).is_err());
        assert!(Rejected.advance(Activated).is_err());
    }

    #[test]
    fn names_round_trip_and_unknown_names_are_refused() {
        for st in EnrollmentState::ALL {
            assert_eq!(st.as_str().parse(), Ok(st));
        }
        assert_eq!("lost".parse::<EnrollmentState>(), Err(UnknownState));
    }

    /// The allowed moves written out once more, independently, as a list of edges.
    const EDGES: [(EnrollmentState, EnrollmentState); 10] = [
        (Draft, Sealed),
        (Sealed, Queued),
        (Queued, Uploading),
        (Uploading, Uploaded),
        (Uploading, Queued),
        (Uploading, Quarantined),
        (Uploaded, Acknowledged),
        (Acknowledged, Approved),
        (Acknowledged, Rejected),
        (Approved, Activated),
    ];

    proptest! {
        #[test]
        fn random_transition_sequences_follow_the_edge_list(
            moves in proptest::collection::vec(0..EnrollmentState::ALL.len(), 0..60)
        ) {
            let mut state = Draft;
            let mut visited_final = false;
            for m in moves {
                let to = EnrollmentState::ALL[m];
                let allowed = EDGES.contains(&(state, to));
                match state.advance(to) {
                    Ok(next) => {
                        prop_assert!(allowed);
                        prop_assert_eq!(next, to);
                        prop_assert!(!visited_final, "left a final state");
                        state = next;
                    }
                    Err(e) => {
                        prop_assert!(!allowed);
                        prop_assert_eq!(e, IllegalTransition { from: state, to });
                    }
                }
                visited_final |= state.is_final();
            }
        }
    }
}
