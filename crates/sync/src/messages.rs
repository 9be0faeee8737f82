//! The protocol's messages: paths, JSON request and response bodies, and error codes.
//!
//! Every body is JSON except an upload chunk (raw package bytes). Byte strings (keys, digests,
//! signatures) are lower-case hex; times are Unix milliseconds (UTC); package ids are UUIDs.

use crate::receipt::SignedReceipt;
use enroll::ids::{DeviceId, GroupId, ReasonCode};
use enroll::package::PackageId;
use enroll::timestamp::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The paths of the protocol.
pub mod paths {
    use enroll::package::PackageId;

    /// `POST`: register a kiosk's device key with an administrator's token.
    pub const KIOSKS: &str = "/v1/kiosks";
    /// `POST`: offer a package (id, hash, length); answers where its upload stands.
    pub const UPLOADS: &str = "/v1/uploads";
    /// `GET`: status changes of this kiosk's applications since a cursor.
    pub const STATUSES: &str = "/v1/statuses";
    /// `GET`: the configuration the back office holds for kiosks.
    pub const CONFIG: &str = "/v1/config";
    /// `POST`: the kiosk's health.
    pub const HEARTBEAT: &str = "/v1/heartbeat";
    /// `GET`: this protocol's OpenAPI document.
    pub const OPENAPI: &str = "/openapi.json";

    /// `GET` (offset query) and `PUT` (one chunk) of a package's upload.
    pub fn upload(id: PackageId) -> String {
        format!("{UPLOADS}/{id}")
    }
}

/// The header carrying an administrator's one-time kiosk token at registration
/// (`Authorization: Bearer <token>`).
pub const AUTHORIZATION: &str = "authorization";

/// `POST /v1/kiosks`: a kiosk asks to be registered. The request is also signed with the key it
/// registers (see [`crate::auth`]), proving the kiosk holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationRequest {
    /// The kiosk's id, as configured by the administrator.
    pub device: DeviceId,
    /// The kiosk's Ed25519 public key (32 bytes).
    #[serde(with = "crate::hex_serde")]
    pub device_key: [u8; 32],
    /// The kiosk software's version.
    pub software_version: String,
}

/// The back office's answer to a registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationResponse {
    /// The registered kiosk.
    pub device: DeviceId,
    /// The Ed25519 key that signs receipts (the kiosk pins it).
    #[serde(with = "crate::hex_serde")]
    pub receipt_key: [u8; 32],
    /// The X25519 key packages must be encrypted to (the kiosk checks its configured one).
    #[serde(with = "crate::hex_serde")]
    pub package_key: [u8; 32],
    /// The back office's clock, to check the kiosk's.
    pub server_time: Timestamp,
}

/// `POST /v1/uploads`: the manifest of a package the kiosk wants to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadOffer {
    /// The package id (the de-duplication key).
    pub package_id: PackageId,
    /// SHA-256 of the whole package.
    #[serde(with = "crate::hex_serde")]
    pub sha256: [u8; 32],
    /// The package's length in bytes.
    pub len: u64,
}

/// Where a package's upload stands: bytes received so far, and the receipt once the back
/// office has verified and stored it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadStatus {
    /// The package id.
    pub package_id: PackageId,
    /// The package's length.
    pub len: u64,
    /// Bytes received; the next chunk must start here.
    pub offset: u64,
    /// Present once the package is stored: the upload is complete.
    pub receipt: Option<SignedReceipt>,
}

/// An application's status as the back office reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// Verified and stored by the back office.
    Received,
    /// The national review approved it on `approved_on` (a calendar date, `YYYY-MM-DD`).
    Approved {
        /// The date of approval.
        approved_on: String,
    },
    /// The review rejected it.
    Rejected {
        /// Why, as a code.
        reason: ReasonCode,
    },
    /// The citizen activated the account.
    Activated,
}

/// One status change, numbered by a cursor that only grows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    /// Position in the back office's change log; ask for changes after the last one seen.
    pub cursor: u64,
    /// The application.
    pub package_id: PackageId,
    /// When the change happened.
    pub at: Timestamp,
    /// The new status.
    #[serde(flatten)]
    pub status: ApplicationStatus,
}

/// `GET /v1/statuses?since=<cursor>&limit=<n>`: the kiosk's changes after `since`, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusPage {
    /// The changes.
    pub changes: Vec<StatusChange>,
    /// The cursor to ask from next time (the last change's, or `since` when there were none).
    pub next_cursor: u64,
    /// Whether more changes wait beyond this page.
    pub more: bool,
}

/// A residential group (tổ dân phố / thôn) that enrollments count for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResidentialGroup {
    /// Its identifier.
    pub id: GroupId,
    /// Its display name (Vietnamese).
    pub name: String,
}

/// A target (chỉ tiêu): how many level-2 enrollments a group should reach in a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// The group.
    pub group: GroupId,
    /// The period, e.g. `2026-Q1` or `2026-05`.
    pub period: String,
    /// The number of level-2 accounts aimed at.
    pub level2_target: u32,
}

/// The trust store: CSCA certificates (DER, hex) that passive authentication chains to.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TrustStore {
    /// Changes whenever the certificate list changes.
    pub revision: u64,
    /// The certificates, DER as hex.
    pub csca_certificates: Vec<String>,
}

/// `GET /v1/config`: what the back office configures on every kiosk.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct KioskConfiguration {
    /// Changes whenever anything below changes.
    pub revision: u64,
    /// The residential groups.
    pub groups: Vec<ResidentialGroup>,
    /// The targets per group and period.
    pub targets: Vec<Target>,
    /// The trust store.
    pub trust_store: TrustStore,
}

/// `POST /v1/heartbeat`: the kiosk's health, for the fleet view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heartbeat {
    /// The kiosk software's version.
    pub software_version: String,
    /// Packages waiting to be sent.
    pub queue_depth: u64,
    /// Creation time of the oldest package not yet acknowledged.
    pub oldest_unsent: Option<Timestamp>,
    /// The last sync error, as a code.
    pub last_error: Option<ReasonCode>,
}

/// The back office's answer to a heartbeat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeartbeatAck {
    /// The back office's clock, to check the kiosk's.
    pub server_time: Timestamp,
}

/// What went wrong, as a code a client can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request carries no (or malformed) authentication headers.
    Unauthenticated,
    /// The request signature does not verify with the kiosk's registered key.
    BadSignature,
    /// The request's time is outside the accepted window: check the kiosk's clock.
    ClockSkew,
    /// The request's nonce was already used: a replay.
    ReplayedNonce,
    /// No kiosk is registered under this id.
    UnknownKiosk,
    /// The registration token is unknown, used by another kiosk, or expired.
    TokenInvalid,
    /// This id is already taken by different content (or a different key): never overwritten.
    Conflict,
    /// The chunk does not start where the upload stands.
    RangeMismatch,
    /// The bytes received do not hash to the offered SHA-256; the upload starts again.
    DigestMismatch,
    /// The package is not valid: layout, signature, encryption, or another kiosk's.
    PackageRejected,
    /// The request is malformed.
    BadRequest,
    /// The request or chunk is larger than allowed.
    TooLarge,
    /// No such package or upload.
    NotFound,
    /// The back office is temporarily unable to answer; retry later.
    Unavailable,
    /// The back office failed; retry later.
    Internal,
}

impl ErrorCode {
    /// The stable snake-case name (as in JSON).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unauthenticated => "unauthenticated",
            Self::BadSignature => "bad_signature",
            Self::ClockSkew => "clock_skew",
            Self::ReplayedNonce => "replayed_nonce",
            Self::UnknownKiosk => "unknown_kiosk",
            Self::TokenInvalid => "token_invalid",
            Self::Conflict => "conflict",
            Self::RangeMismatch => "range_mismatch",
            Self::DigestMismatch => "digest_mismatch",
            Self::PackageRejected => "package_rejected",
            Self::BadRequest => "bad_request",
            Self::TooLarge => "too_large",
            Self::NotFound => "not_found",
            Self::Unavailable => "unavailable",
            Self::Internal => "internal",
        }
    }

    /// The HTTP status that carries this code.
    pub fn http_status(self) -> u16 {
        match self {
            Self::Unauthenticated
            | Self::BadSignature
            | Self::ClockSkew
            | Self::ReplayedNonce
            | Self::UnknownKiosk
            | Self::TokenInvalid => 401,
            Self::Conflict => 409,
            Self::RangeMismatch => 416,
            Self::DigestMismatch | Self::PackageRejected => 422,
            Self::BadRequest => 400,
            Self::TooLarge => 413,
            Self::NotFound => 404,
            Self::Unavailable => 503,
            Self::Internal => 500,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The code.
    pub error: ErrorCode,
    /// A sentence for logs (ids and codes only, never personal data).
    pub message: String,
    /// For [`ErrorCode::RangeMismatch`]: where the upload stands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// For [`ErrorCode::ClockSkew`]: the back office's clock, so the kiosk can say how far off
    /// its own is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_time: Option<Timestamp>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_tagged_by_name_with_their_details() {
        let change = StatusChange {
            cursor: 7,
            package_id: "0190a5c4-1b2c-7d3e-8f40-123456789abc"
                .parse()
                .expect("uuid"),
            at: Timestamp::from_unix_millis(1_790_000_000_000),
            status: ApplicationStatus::Rejected {
                reason: ReasonCode::new("portrait-mismatch").expect("code"),
            },
        };
        let json = serde_json::to_value(&change).expect("serialises");
        assert_eq!(json["status"], "rejected");
        assert_eq!(json["reason"], "portrait-mismatch");
        assert_eq!(json["package_id"], "0190a5c4-1b2c-7d3e-8f40-123456789abc");
        assert_eq!(json["at"], 1_790_000_000_000_i64);
        let back: StatusChange = serde_json::from_value(json).expect("deserialises");
        assert_eq!(back, change);
    }

    #[test]
    fn byte_fields_travel_as_hex_and_wrong_lengths_are_refused() {
        let offer = UploadOffer {
            package_id: "0190a5c4-1b2c-7d3e-8f40-123456789abc"
                .parse()
                .expect("uuid"),
            sha256: [0xAB; 32],
            len: 61_000,
        };
        let json = serde_json::to_string(&offer).expect("serialises");
        assert!(json.contains(&"ab".repeat(32)));
        let short = json.replace(&"ab".repeat(32), &"ab".repeat(31));
        assert!(serde_json::from_str::<UploadOffer>(&short).is_err());
        let not_hex = json.replace(&"ab".repeat(32), &"zz".repeat(32));
        assert!(serde_json::from_str::<UploadOffer>(&not_hex).is_err());
    }

    #[test]
    fn error_codes_map_to_their_http_statuses() {
        assert_eq!(ErrorCode::Conflict.http_status(), 409);
        assert_eq!(ErrorCode::RangeMismatch.http_status(), 416);
        assert_eq!(ErrorCode::ClockSkew.http_status(), 401);
        assert_eq!(
            serde_json::to_string(&ErrorCode::ReplayedNonce).expect("serialises"),
            "\"replayed_nonce\""
        );
    }
}
