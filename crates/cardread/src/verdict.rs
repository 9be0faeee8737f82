//! The authenticity verdict in the words the officer is shown, from passive authentication (are
//! the data what the issuer signed?), the clone check (is this the chip they were issued on?)
//! and the cross-check of DG1, DG13 and the printed QR code (do they describe one person?).
//!
//! Precedence: anything invalid wins, then a suspected clone, then an unknown issuer; only a
//! trusted signature with a passed chip proof is genuine.

use cccd::cross_check::Disagreement;
use emrtd::clone_detection::CloneCheck;
use emrtd::passive_auth::{self, PassiveAuthReport};

/// What the officer is told about the card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Signed by a trusted issuer, data intact, and the chip proved it is the original.
    Genuine,
    /// Data intact and signed, chip proof passed, but no CSCA in the trust store issued the
    /// signer: the trust store may lack this issuer, or the card is forged.
    IssuerUnknown,
    /// The data are not what the issuer signed, or the chip and the card disagree.
    Invalid(InvalidReason),
    /// The data are signed but the chip could not prove it holds the original's key.
    CloneSuspected(CloneReason),
}

/// Why a card is invalid (names files and fields, never values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvalidReason {
    /// Passive authentication failed.
    PassiveAuthentication(passive_auth::InvalidReason),
    /// DG1, DG13 and the QR code do not describe the same person.
    Disagreement(Vec<Disagreement>),
    /// DG1 or DG13 is missing or does not decode, though EF.SOD vouches for what was read.
    PersonalDataUnreadable,
}

/// Why the chip is suspected to be a copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloneReason {
    /// Chip Authentication (DG14) or Active Authentication (DG15) failed.
    ProofFailed,
    /// The chip offers neither Chip nor Active Authentication.
    NoProofOffered,
    /// The proof passed, but the data group holding its key is not covered by EF.SOD.
    ProofKeyNotSigned,
}

/// What the officer must do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfficerAction {
    /// Continue the enrollment.
    Continue,
    /// Check the card by eye and with the issuing office before continuing.
    CheckWithIssuer,
    /// Stop: do not enroll with this card, keep it and report it.
    RefuseAndReport,
}

impl Verdict {
    /// Combines the three checks.
    pub fn decide(
        passive: &PassiveAuthReport,
        clone: &CloneCheck,
        disagreements: &[Disagreement],
    ) -> Self {
        if let passive_auth::Verdict::Invalid(reason) = &passive.verdict {
            return Self::Invalid(InvalidReason::PassiveAuthentication(reason.clone()));
        }
        if !disagreements.is_empty() {
            return Self::Invalid(InvalidReason::Disagreement(disagreements.to_vec()));
        }
        match clone.relies_on() {
            None => return Self::CloneSuspected(CloneReason::NoProofOffered),
            Some(_) if !clone.passed() => return Self::CloneSuspected(CloneReason::ProofFailed),
            Some(emrtd::lds::LdsFile::Dg(dg))
                if !passive.checked_data_groups.contains(&dg.number()) =>
            {
                return Self::CloneSuspected(CloneReason::ProofKeyNotSigned);
            }
            Some(_) => {}
        }
        match passive.verdict {
            passive_auth::Verdict::Trusted => Self::Genuine,
            _ => Self::IssuerUnknown,
        }
    }

    /// The officer's next step.
    pub fn action(&self) -> OfficerAction {
        match self {
            Self::Genuine => OfficerAction::Continue,
            Self::IssuerUnknown => OfficerAction::CheckWithIssuer,
            Self::Invalid(_) | Self::CloneSuspected(_) => OfficerAction::RefuseAndReport,
        }
    }

    /// A stable code for the UI's dictionary.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Genuine => "genuine",
            Self::IssuerUnknown => "issuer_unknown",
            Self::Invalid(_) => "invalid",
            Self::CloneSuspected(_) => "clone_suspected",
        }
    }
}

impl OfficerAction {
    /// A stable code for the UI's dictionary.
    pub fn code(self) -> &'static str {
        match self {
            Self::Continue => "continue",
            Self::CheckWithIssuer => "check_with_issuer",
            Self::RefuseAndReport => "refuse_and_report",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cccd::cross_check::{Field, Source};
    use emrtd::chip_authentication::ChipAuthenticationError;

    fn report(verdict: passive_auth::Verdict, checked: &[u8]) -> PassiveAuthReport {
        PassiveAuthReport {
            verdict,
            checked_data_groups: checked.to_vec(),
            document_signer: None,
            csca: None,
        }
    }

    const ALL: [u8; 5] = [1, 2, 13, 14, 15];

    #[test]
    fn trusted_with_a_passed_chip_proof_is_genuine_and_the_officer_continues() {
        let v = Verdict::decide(
            &report(passive_auth::Verdict::Trusted, &ALL),
            &CloneCheck::ChipAuthentication(Ok(())),
            &[],
        );
        assert_eq!(v, Verdict::Genuine);
        assert_eq!(v.action(), OfficerAction::Continue);
    }

    #[test]
    fn unknown_issuer_with_a_passed_proof_asks_for_a_check() {
        let v = Verdict::decide(
            &report(passive_auth::Verdict::SignatureValidIssuerUnknown, &ALL),
            &CloneCheck::ActiveAuthentication(Ok(())),
            &[],
        );
        assert_eq!(v, Verdict::IssuerUnknown);
        assert_eq!(v.action(), OfficerAction::CheckWithIssuer);
    }

    #[test]
    fn a_failed_chip_proof_outranks_an_unknown_issuer() {
        let v = Verdict::decide(
            &report(passive_auth::Verdict::SignatureValidIssuerUnknown, &ALL),
            &CloneCheck::ChipAuthentication(Err(ChipAuthenticationError::ChipNotAuthentic)),
            &[],
        );
        assert_eq!(v, Verdict::CloneSuspected(CloneReason::ProofFailed));
        assert_eq!(v.action(), OfficerAction::RefuseAndReport);
    }

    #[test]
    fn a_proof_whose_key_passive_authentication_did_not_cover_does_not_count() {
        let v = Verdict::decide(
            &report(passive_auth::Verdict::Trusted, &[1, 2, 13, 15]),
            &CloneCheck::ChipAuthentication(Ok(())),
            &[],
        );
        assert_eq!(v, Verdict::CloneSuspected(CloneReason::ProofKeyNotSigned));
    }

    #[test]
    fn no_proof_offered_is_not_genuine() {
        let v = Verdict::decide(
            &report(passive_auth::Verdict::Trusted, &ALL),
            &CloneCheck::NotOffered,
            &[],
        );
        assert_eq!(v, Verdict::CloneSuspected(CloneReason::NoProofOffered));
    }

    #[test]
    fn invalid_data_and_disagreements_outrank_everything() {
        let hash = passive_auth::InvalidReason::DataGroupHashMismatch(13);
        let v = Verdict::decide(
            &report(passive_auth::Verdict::Invalid(hash.clone()), &[1]),
            &CloneCheck::ChipAuthentication(Err(ChipAuthenticationError::ChipNotAuthentic)),
            &[],
        );
        assert_eq!(
            v,
            Verdict::Invalid(InvalidReason::PassiveAuthentication(hash))
        );
        let disagreement = Disagreement {
            field: Field::Name,
            other: Source::Qr,
        };
        let v = Verdict::decide(
            &report(passive_auth::Verdict::Trusted, &ALL),
            &CloneCheck::ChipAuthentication(Ok(())),
            &[disagreement],
        );
        assert_eq!(
            v,
            Verdict::Invalid(InvalidReason::Disagreement(vec![disagreement]))
        );
        assert_eq!(v.action(), OfficerAction::RefuseAndReport);
    }
}
