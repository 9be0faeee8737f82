//! Exports of a progress report: XLSX ([`xlsx`]), CSV ([`csv`]) and a printable PDF ([`pdf`]),
//! each rendering the same [`Table`](crate::table::Table)s.
//!
//! [`authorize`] is the gate every export passes: the session must hold the export permission
//! (supervisor or administrator), and the export is written to the audit log before the bytes
//! are handed out. The writers take the [`ExportGrant`] it returns, so no code path can export
//! without both.

pub mod csv;
pub mod pdf;
pub mod xlsx;

use enroll::audit::{AuditAction, AuditLog};
use enroll::operators::{Permission, Session};
use enroll::queue::QueueError;
use enroll::timestamp::Timestamp;

/// Why an export was refused.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The session's role may not export.
    #[error("this account may not export reports")]
    NotPermitted,
    /// The audit entry could not be written, so nothing was exported.
    #[error("the export could not be audited: {0}")]
    Audit(#[from] QueueError),
    /// The spreadsheet library failed.
    #[error("the spreadsheet could not be written: {0}")]
    Xlsx(String),
    /// The PDF could not be made.
    #[error(transparent)]
    Pdf(#[from] pdf::PdfError),
}

/// Proof that an export was permitted and audited; only [`authorize`] makes one.
#[derive(Debug)]
pub struct ExportGrant {
    _private: (),
}

/// Checks that `session` may export and records `what` (a report name such as
/// `progress.xlsx:2025-12-04..2025-12-10`, never personal data) in the audit log.
pub async fn authorize(
    session: &Session,
    audit: &AuditLog,
    what: &str,
    now: Timestamp,
) -> Result<ExportGrant, ExportError> {
    session
        .require(Permission::Export)
        .map_err(|_| ExportError::NotPermitted)?;
    audit
        .append(now, &session.operator, AuditAction::Export, Some(what))
        .await?;
    Ok(ExportGrant { _private: () })
}
