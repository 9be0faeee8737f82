//! Identifiers that are not personal data: the kiosk device, the operator account, the
//! residential group (tổ dân phố / thôn) an enrollment counts for, reason codes and setting names.
//!
//! They travel in the clear header of a sealed package and in the audit log, so they are
//! restricted to a short ASCII alphabet: no names, no ID numbers, no free text.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest identifier accepted.
pub const MAX_ID_LEN: usize = 64;

/// Why a string is not a valid identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Empty.
    #[error("{0} identifier is empty")]
    Empty(IdKind),
    /// Longer than [`MAX_ID_LEN`].
    #[error("{0} identifier is longer than 64 characters")]
    TooLong(IdKind),
    /// A character outside `A–Z a–z 0–9 . _ : -`.
    #[error("{0} identifier may only contain letters, digits and . _ : -")]
    BadCharacter(IdKind),
}

/// Which identifier an [`IdError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// [`DeviceId`].
    Device,
    /// [`OperatorId`].
    Operator,
    /// [`GroupId`].
    Group,
    /// [`ReasonCode`].
    Reason,
    /// [`SettingKey`].
    Setting,
}

impl fmt::Display for IdKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IdKind::Device => "device",
            IdKind::Operator => "operator",
            IdKind::Group => "residential group",
            IdKind::Reason => "reason code",
            IdKind::Setting => "setting",
        })
    }
}

fn check(kind: IdKind, s: &str) -> Result<(), IdError> {
    if s.is_empty() {
        return Err(IdError::Empty(kind));
    }
    if s.len() > MAX_ID_LEN {
        return Err(IdError::TooLong(kind));
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
    {
        return Err(IdError::BadCharacter(kind));
    }
    Ok(())
}

macro_rules! identifier {
    ($(#[$doc:meta])* $name:ident, $kind:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Validates and wraps an identifier.
            pub fn new(s: impl Into<String>) -> Result<Self, IdError> {
                let s = s.into();
                check($kind, &s)?;
                Ok(Self(s))
            }

            /// The identifier as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, IdError> {
                Self::new(s)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

identifier!(
    /// The kiosk device, as registered with the back office.
    DeviceId,
    IdKind::Device
);
identifier!(
    /// An operator account (or the self-service device account).
    OperatorId,
    IdKind::Operator
);
identifier!(
    /// A residential group (tổ dân phố / thôn) that enrollments count for in reports.
    GroupId,
    IdKind::Group
);
identifier!(
    /// A short machine-readable code: why an upload failed (`timeout`, `http-503`) or why the
    /// review rejected an application. Codes, never free text, so no personal data slips in.
    ReasonCode,
    IdKind::Reason
);
identifier!(
    /// The name of a device setting whose change the audit log records (`backoffice.package-key`,
    /// `residential-groups`, `operator:clerk-1.role`).
    SettingKey,
    IdKind::Setting
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_accept_short_ascii_labels() {
        assert_eq!(
            DeviceId::new("kiosk-07.hn:1").map(|d| d.to_string()),
            Ok("kiosk-07.hn:1".to_owned())
        );
    }

    #[test]
    fn identifiers_reject_empty_long_and_free_text() {
        assert_eq!(GroupId::new(""), Err(IdError::Empty(IdKind::Group)));
        assert_eq!(
            OperatorId::new("a".repeat(65)),
            Err(IdError::TooLong(IdKind::Operator))
        );
        assert_eq!(
            GroupId::new("Tổ dân phố 3"),
            Err(IdError::BadCharacter(IdKind::Group))
        );
    }
}
