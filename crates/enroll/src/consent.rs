//! The citizen's consent to the processing of their personal data, including sensitive data
//! (the portrait and the chip's data): when it was given, which version of the notice was shown,
//! and at which device with which operator.
//!
//! A [`Consent`] only exists once given: the UI must ask explicitly (never pre-ticked, Law
//! 91/2025/QH15 on Personal Data Protection) and the chip may only be read after it (Law on
//! Identification 2023).

use crate::ids::{DeviceId, OperatorId};
use crate::timestamp::Timestamp;
use serde::{Deserialize, Serialize};

/// A recorded consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    notice_version: String,
    given_at: Timestamp,
    operator: OperatorId,
    device: DeviceId,
}

/// Why a consent record was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ConsentError {
    /// The notice version is empty or longer than 32 characters.
    #[error("the consent notice version must have 1 to 32 characters")]
    NoticeVersion,
}

impl Consent {
    /// Records that the citizen accepted notice `notice_version` at `given_at`.
    pub fn given(
        notice_version: &str,
        given_at: Timestamp,
        operator: OperatorId,
        device: DeviceId,
    ) -> Result<Self, ConsentError> {
        if notice_version.is_empty() || notice_version.chars().count() > 32 {
            return Err(ConsentError::NoticeVersion);
        }
        Ok(Self {
            notice_version: notice_version.to_owned(),
            given_at,
            operator,
            device,
        })
    }

    /// Which version of the consent notice was shown.
    pub fn notice_version(&self) -> &str {
        &self.notice_version
    }

    /// When consent was given.
    pub fn given_at(&self) -> Timestamp {
        self.given_at
    }

    /// The operator present (or the self-service account).
    pub fn operator(&self) -> &OperatorId {
        &self.operator
    }

    /// The kiosk.
    pub fn device(&self) -> &DeviceId {
        &self.device
    }
}
