//! The audit log: who did what when, append-only and hash-chained.
//!
//! Each entry's hash is SHA-256 over the previous entry's hash and the entry's fields, so
//! changing, removing or inserting a row anywhere but at the end breaks the chain, which
//! [`AuditLog::verify`] reports. Triggers refuse `UPDATE` and `DELETE` outright. Entries name
//! operators, packages and settings by id: never personal data.

use crate::ids::OperatorId;
use crate::queue::QueueError;
use crate::timestamp::Timestamp;
use crate::write_tx::WriteTx;
use sha2::{Digest, Sha256};
use sqlx::sqlite::SqlitePool;
use sqlx::{Row, SqliteConnection};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    /// A sealed enrollment entered the queue (subject: package id).
    EnrollmentQueued,
    /// A package body was purged after acknowledgement (subject: package id).
    PackagePurged,
    /// An operator logged in.
    Login,
    /// A login failed (wrong PIN, unknown account or locked).
    LoginFailed,
    /// An account was locked after repeated failures.
    LockedOut,
    /// An operator account was created (subject: the new operator).
    OperatorCreated,
    /// A report or list was exported (subject: the report's name).
    Export,
    /// A setting changed (subject: the setting's name).
    SettingChanged,
}

impl AuditAction {
    /// The stable name stored in the log.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EnrollmentQueued => "enrollment.queued",
            Self::PackagePurged => "package.purged",
            Self::Login => "operator.login",
            Self::LoginFailed => "operator.login-failed",
            Self::LockedOut => "operator.locked-out",
            Self::OperatorCreated => "operator.created",
            Self::Export => "report.export",
            Self::SettingChanged => "setting.changed",
        }
    }
}

/// One audit entry as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Position in the log, from 1.
    pub seq: i64,
    /// When.
    pub at: Timestamp,
    /// Who (an operator id, or `system`).
    pub actor: String,
    /// What (an [`AuditAction`] name).
    pub action: String,
    /// On what (package id, operator id, setting name).
    pub subject: Option<String>,
}

/// What [`AuditLog::verify`] found wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
    /// The entry at `seq` does not chain to the one before it, or its hash does not match its
    /// content: the log was altered there.
    #[error("the audit log was altered at entry {seq}")]
    Tampered {
        /// The first entry that fails.
        seq: i64,
    },
    /// Reading the log failed.
    #[error("the audit log could not be read: {0}")]
    Storage(String),
}

const GENESIS: [u8; 32] = [0; 32];

fn entry_hash(
    prev: &[u8],
    seq: i64,
    at: Timestamp,
    actor: &str,
    action: &str,
    subject: Option<&str>,
) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"vneid-kiosk/audit/v1");
    h.update(prev);
    h.update(seq.to_be_bytes());
    h.update(at.unix_millis().to_be_bytes());
    for field in [Some(actor), Some(action), subject] {
        match field {
            Some(f) => {
                h.update([1]);
                h.update((f.len() as u64).to_be_bytes());
                h.update(f.as_bytes());
            }
            None => h.update([0]),
        }
    }
    h.finalize().into()
}

/// The actor of entries the kiosk writes on its own (purges, sync).
pub const SYSTEM_ACTOR: &str = "system";

/// Appends an entry inside the caller's transaction, so the entry commits with what it records.
pub(crate) async fn append_in(
    conn: &mut SqliteConnection,
    at: Timestamp,
    actor: &str,
    action: AuditAction,
    subject: Option<&str>,
) -> Result<(), QueueError> {
    let last = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?;
    let (seq, prev) = match last {
        Some(row) => (
            row.try_get::<i64, _>("seq")? + 1,
            row.try_get::<Vec<u8>, _>("hash")?,
        ),
        None => (1, GENESIS.to_vec()),
    };
    let hash = entry_hash(&prev, seq, at, actor, action.as_str(), subject);
    sqlx::query(
        "INSERT INTO audit_log (seq, at_ms, actor, action, subject, prev_hash, hash) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(seq)
    .bind(at.unix_millis())
    .bind(actor)
    .bind(action.as_str())
    .bind(subject)
    .bind(prev)
    .bind(hash.as_slice())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The audit log of the kiosk database.
#[derive(Debug, Clone)]
pub struct AuditLog {
    pub(crate) pool: SqlitePool,
}

impl AuditLog {
    /// Appends an entry by `actor` on `subject`.
    pub async fn append(
        &self,
        at: Timestamp,
        actor: &OperatorId,
        action: AuditAction,
        subject: Option<&str>,
    ) -> Result<(), QueueError> {
        let mut tx = WriteTx::begin(&self.pool).await?;
        append_in(tx.conn(), at, actor.as_str(), action, subject).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every entry, oldest first.
    pub async fn entries(&self) -> Result<Vec<AuditEntry>, QueueError> {
        let rows =
            sqlx::query("SELECT seq, at_ms, actor, action, subject FROM audit_log ORDER BY seq")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    seq: r.try_get("seq")?,
                    at: Timestamp::from_unix_millis(r.try_get("at_ms")?),
                    actor: r.try_get("actor")?,
                    action: r.try_get("action")?,
                    subject: r.try_get("subject")?,
                })
            })
            .collect()
    }

    /// Walks the chain from the first entry: `Ok(n)` if all `n` entries chain and match their
    /// hashes, else the first entry that does not.
    pub async fn verify(&self) -> Result<u64, AuditError> {
        let storage = |e: sqlx::Error| AuditError::Storage(QueueError::from(e).to_string());
        let rows = sqlx::query(
            "SELECT seq, at_ms, actor, action, subject, prev_hash, hash FROM audit_log ORDER BY seq",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(storage)?;
        let mut prev = GENESIS.to_vec();
        for (expected_seq, row) in (1..).zip(rows.iter()) {
            let seq: i64 = row.try_get("seq").map_err(storage)?;
            let at = Timestamp::from_unix_millis(row.try_get("at_ms").map_err(storage)?);
            let actor: String = row.try_get("actor").map_err(storage)?;
            let action: String = row.try_get("action").map_err(storage)?;
            let subject: Option<String> = row.try_get("subject").map_err(storage)?;
            let prev_hash: Vec<u8> = row.try_get("prev_hash").map_err(storage)?;
            let hash: Vec<u8> = row.try_get("hash").map_err(storage)?;
            let recomputed = entry_hash(&prev, seq, at, &actor, &action, subject.as_deref());
            if seq != expected_seq || prev_hash != prev || hash != recomputed {
                return Err(AuditError::Tampered { seq });
            }
            prev = hash;
        }
        Ok(rows.len() as u64)
    }
}
