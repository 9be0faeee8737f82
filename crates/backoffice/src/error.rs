//! [`ApiError`]: a refusal or failure as the protocol's error body, with its HTTP status.
//! Messages name ids and codes only, never personal data.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sync::messages::{ErrorBody, ErrorCode};

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    /// The protocol's code.
    pub code: ErrorCode,
    /// A sentence for the log and the kiosk's log.
    pub message: String,
    /// For a range mismatch: where the upload stands.
    pub offset: Option<u64>,
    /// For a clock skew: the back office's clock.
    pub server_time: Option<enroll::timestamp::Timestamp>,
}

impl ApiError {
    /// An error with `code` and `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            offset: None,
            server_time: None,
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        tracing::error!(error = %e, "database error");
        let busy = matches!(&e, sqlx::Error::PoolTimedOut)
            || matches!(&e, sqlx::Error::Database(db) if db.code().is_some_and(|c| c == "5" || c == "6"));
        if busy {
            Self::new(
                ErrorCode::Unavailable,
                "the back office is busy; retry later",
            )
        } else {
            Self::new(ErrorCode::Internal, "the back office's database failed")
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.code.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = ErrorBody {
            error: self.code,
            message: self.message,
            offset: self.offset,
            server_time: self.server_time,
        };
        (status, Json(body)).into_response()
    }
}
