//! One citizen's enrollment as assembled at the kiosk (the draft): identity data, the chip
//! evidence and verdicts when the chip was read, the portrait, the form, the consent and the
//! residential group it counts for. Sealing it ([`crate::package`]) is the only way it leaves
//! memory.

use crate::citizen::{CitizenData, DataSource};
use crate::consent::Consent;
use crate::evidence::{ChipEvidence, Verification};
use crate::form::EnrollmentForm;
use crate::ids::{DeviceId, GroupId, OperatorId};
use crate::portrait::Portrait;
use std::fmt;

/// The chip's contribution: raw files and the kiosk's verdicts on them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChipRead {
    /// Raw DGs and EF.SOD.
    pub evidence: ChipEvidence,
    /// What the kiosk verified.
    pub verification: Verification,
}

/// Why the parts do not make an enrollment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EnrollmentError {
    /// Identity data claims the chip as its source but no chip evidence was given.
    #[error("chip-sourced identity data needs the chip evidence")]
    ChipDataWithoutEvidence,
    /// QR-only identity data came with chip evidence: read the identity from the chip instead.
    #[error("QR-only identity data cannot carry chip evidence")]
    QrOnlyWithEvidence,
}

/// A complete draft enrollment, ready to seal.
#[derive(Clone, PartialEq, Eq)]
pub struct Enrollment {
    citizen: CitizenData,
    chip: Option<ChipRead>,
    portrait: Portrait,
    form: EnrollmentForm,
    consent: Consent,
    group: GroupId,
}

impl Enrollment {
    /// Assembles an enrollment; chip-sourced data must come with the chip evidence, QR-only data
    /// without.
    pub fn new(
        citizen: CitizenData,
        chip: Option<ChipRead>,
        portrait: Portrait,
        form: EnrollmentForm,
        consent: Consent,
        group: GroupId,
    ) -> Result<Self, EnrollmentError> {
        match (citizen.source(), chip.is_some()) {
            (DataSource::Chip, false) => return Err(EnrollmentError::ChipDataWithoutEvidence),
            (DataSource::QrOnly, true) => return Err(EnrollmentError::QrOnlyWithEvidence),
            _ => {}
        }
        Ok(Self {
            citizen,
            chip,
            portrait,
            form,
            consent,
            group,
        })
    }

    /// The identity data.
    pub fn citizen(&self) -> &CitizenData {
        &self.citizen
    }

    /// The chip read, when the identity came from the chip.
    pub fn chip(&self) -> Option<&ChipRead> {
        self.chip.as_ref()
    }

    /// The live portrait.
    pub fn portrait(&self) -> &Portrait {
        &self.portrait
    }

    /// The checked form.
    pub fn form(&self) -> &EnrollmentForm {
        &self.form
    }

    /// The consent.
    pub fn consent(&self) -> &Consent {
        &self.consent
    }

    /// The residential group it counts for.
    pub fn group(&self) -> &GroupId {
        &self.group
    }

    /// The kiosk (from the consent record).
    pub fn device(&self) -> &DeviceId {
        self.consent.device()
    }

    /// The operator (from the consent record).
    pub fn operator(&self) -> &OperatorId {
        self.consent.operator()
    }
}

impl fmt::Debug for Enrollment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Enrollment")
            .field("source", &self.citizen.source())
            .field("chip", &self.chip)
            .field("portrait", &self.portrait)
            .field("group", &self.group)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::citizen::tests::sample_citizen;
    use crate::evidence::tests::{sample_evidence, sample_verification};
    use crate::form::tests::sample_form;
    use crate::portrait::tests::jpeg_of_len;
    use crate::timestamp::Timestamp;

    pub(crate) fn sample_consent() -> Consent {
        Consent::given(
            "2026-01",
            Timestamp::from_unix_millis(1_790_000_000_000),
            OperatorId::new("op-001").expect("valid fixture"),
            DeviceId::new("kiosk-hn-07").expect("valid fixture"),
        )
        .expect("valid fixture")
    }

    pub(crate) fn sample_enrollment(source: DataSource) -> Enrollment {
        let chip = (source == DataSource::Chip).then(|| ChipRead {
            evidence: sample_evidence(),
            verification: sample_verification(),
        });
        Enrollment::new(
            sample_citizen(source),
            chip,
            Portrait::from_jpeg(jpeg_of_len(60 * 1024)).expect("valid fixture"),
            sample_form(),
            sample_consent(),
            GroupId::new("to-dan-pho-3").expect("valid fixture"),
        )
        .expect("valid fixture")
    }

    #[test]
    fn chip_data_needs_evidence_and_qr_only_data_refuses_it() {
        let parts = |source| {
            (
                sample_citizen(source),
                Portrait::from_jpeg(jpeg_of_len(4096)).expect("valid fixture"),
                sample_form(),
                sample_consent(),
                GroupId::new("thon-1").expect("valid fixture"),
            )
        };
        let (c, p, f, k, g) = parts(DataSource::Chip);
        assert_eq!(
            Enrollment::new(c, None, p, f, k, g).err(),
            Some(EnrollmentError::ChipDataWithoutEvidence)
        );
        let (c, p, f, k, g) = parts(DataSource::QrOnly);
        let chip = ChipRead {
            evidence: sample_evidence(),
            verification: sample_verification(),
        };
        assert_eq!(
            Enrollment::new(c, Some(chip), p, f, k, g).err(),
            Some(EnrollmentError::QrOnlyWithEvidence)
        );
    }

    #[test]
    fn debug_of_enrollment_shows_no_personal_data() {
        let shown = format!("{:?}", sample_enrollment(DataSource::Chip));
        for secret in ["001090123456", "NGUYỄN", "0912345678", "IDVNM"] {
            assert!(!shown.contains(secret), "{secret} leaked");
        }
        assert!(shown.contains("Chip"));
    }
}
