//! The audit log: who did what when, append-only and hash-chained.
//!
//! Each entry's hash is SHA-256 over the previous entry's hash and the entry's fields, so
//! changing, removing or inserting a row anywhere but at the end breaks the chain, which
//! [`AuditLog::verify`] reports. Triggers refuse `UPDATE` and `DELETE` outright. Entries name
//! operators, packages and settings by id: never personal data. A setting change
//! ([`AuditLog::record_setting_change`]) also records its old and new value, as a public value
//! or as a fingerprint ([`SettingValue`]).
//!
//! The chain is unkeyed: it shows rows changed, removed or inserted by someone who did not also
//! recompute every later hash, and it cannot show the last rows cut off.

use crate::ids::{OperatorId, SettingKey};
use crate::queue::QueueError;
use crate::timestamp::Timestamp;
use crate::write_tx::WriteTx;
use sha2::{Digest, Sha256};
use sqlx::sqlite::SqlitePool;
use sqlx::{Row, SqliteConnection};
use std::fmt;

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
    /// The counter desk signed its operator out after the lock time without activity.
    DeskLocked,
    /// An operator account was created (subject: the new operator).
    OperatorCreated,
    /// A report or list was exported (subject: the report's name).
    Export,
    /// A setting changed (subject: the setting's name).
    SettingChanged,
    /// The kiosk started after its previous run ended without a clean stop (crash, kill,
    /// power cut); subject: the previous run's process id.
    UncleanStopRecovered,
    /// An administrator left the kiosk (full-screen) mode.
    KioskExit,
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
            Self::DeskLocked => "operator.desk-locked",
            Self::OperatorCreated => "operator.created",
            Self::Export => "report.export",
            Self::SettingChanged => "setting.changed",
            Self::UncleanStopRecovered => "app.unclean-stop-recovered",
            Self::KioskExit => "app.kiosk-exit",
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
    /// What changed, for a setting change: `old=… new=…` (see [`SettingValue`]).
    pub detail: Option<String>,
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

impl AuditError {
    /// What to tell the administrator, in Vietnamese (the `Display` text is English).
    pub fn message_vi(&self) -> String {
        match self {
            AuditError::Tampered { seq } => format!(
                "Nhật ký kiểm toán đã bị sửa đổi tại mục {seq}: giữ nguyên tệp cơ sở dữ liệu và báo cho cán bộ phụ trách."
            ),
            AuditError::Storage(_) => "Không đọc được nhật ký kiểm toán.".to_owned(),
        }
    }
}

/// The longest public value a setting change records as it is.
pub const MAX_PUBLIC_VALUE_CHARS: usize = 200;

/// A setting's value as the audit log records it. Only values that are public and never
/// personal (an address, a mode, a number) are kept as they are; anything else (keys, files,
/// lists) is kept as the first 64 bits of its SHA-256, enough to tell two values apart and to
/// check a value against the log, not to recover it.
#[derive(Clone, PartialEq, Eq)]
pub enum SettingValue {
    /// The setting had (or now has) no value.
    Unset,
    /// A public, non-personal value, recorded as it is.
    Public(String),
    /// A value recorded only by its fingerprint.
    Fingerprint([u8; 8]),
}

/// A public setting value that cannot be recorded as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "a public setting value must be 1 to 200 characters with no control characters; record it as a fingerprint instead"
)]
pub struct NotPublicValue;

impl SettingValue {
    /// A public value (1 to [`MAX_PUBLIC_VALUE_CHARS`] characters, no control characters).
    /// The caller vouches that it is not personal data.
    pub fn public(value: &str) -> Result<Self, NotPublicValue> {
        let chars = value.chars().count();
        if (1..=MAX_PUBLIC_VALUE_CHARS).contains(&chars) && !value.chars().any(char::is_control) {
            Ok(Self::Public(value.to_owned()))
        } else {
            Err(NotPublicValue)
        }
    }

    /// The fingerprint of `value`'s bytes.
    pub fn fingerprint(value: &[u8]) -> Self {
        let digest: [u8; 32] = Sha256::digest(value).into();
        let mut short = [0u8; 8];
        short.copy_from_slice(digest.get(..8).unwrap_or(&[0; 8]));
        Self::Fingerprint(short)
    }
}

impl fmt::Display for SettingValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unset => f.write_str("unset"),
            Self::Public(v) => write!(f, "{v:?}"),
            Self::Fingerprint(bytes) => {
                f.write_str("sha256:")?;
                bytes.iter().try_for_each(|b| write!(f, "{b:02x}"))
            }
        }
    }
}

impl fmt::Debug for SettingValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SettingValue({self})")
    }
}

const GENESIS: [u8; 32] = [0; 32];

fn entry_hash(
    prev: &[u8],
    seq: i64,
    at: Timestamp,
    actor: &str,
    action: &str,
    subject: Option<&str>,
    detail: Option<&str>,
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
    // Entries from before the detail column hash as they always did.
    if let Some(d) = detail {
        h.update([2]);
        h.update((d.len() as u64).to_be_bytes());
        h.update(d.as_bytes());
    }
    h.finalize().into()
}

/// The actor of entries the kiosk writes on its own (purges, sync).
pub const SYSTEM_ACTOR: &str = "system";
/// The actor of changes made from the machine's command line, where no operator signs in
/// (whoever runs it already holds the machine's account).
pub const CONSOLE_ACTOR: &str = "console";

/// Appends an entry inside the caller's transaction, so the entry commits with what it records.
pub(crate) async fn append_in(
    conn: &mut SqliteConnection,
    at: Timestamp,
    actor: &str,
    action: AuditAction,
    subject: Option<&str>,
) -> Result<(), QueueError> {
    append_detailed_in(conn, at, actor, action, subject, None).await
}

/// [`append_in`] with a detail.
async fn append_detailed_in(
    conn: &mut SqliteConnection,
    at: Timestamp,
    actor: &str,
    action: AuditAction,
    subject: Option<&str>,
    detail: Option<&str>,
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
    let hash = entry_hash(&prev, seq, at, actor, action.as_str(), subject, detail);
    sqlx::query(
        "INSERT INTO audit_log (seq, at_ms, actor, action, subject, detail, prev_hash, hash) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(seq)
    .bind(at.unix_millis())
    .bind(actor)
    .bind(action.as_str())
    .bind(subject)
    .bind(detail)
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

    /// Records that `actor` changed the setting `key` from `old` to `new`. This is the one
    /// call for every setting the kiosk changes: back-office keys at registration, residential
    /// groups, targets, trust store, operator roles, restored backups.
    pub async fn record_setting_change(
        &self,
        at: Timestamp,
        actor: &OperatorId,
        key: &SettingKey,
        old: &SettingValue,
        new: &SettingValue,
    ) -> Result<(), QueueError> {
        let detail = format!("old={old} new={new}");
        let mut tx = WriteTx::begin(&self.pool).await?;
        append_detailed_in(
            tx.conn(),
            at,
            actor.as_str(),
            AuditAction::SettingChanged,
            Some(key.as_str()),
            Some(&detail),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every entry, oldest first.
    pub async fn entries(&self) -> Result<Vec<AuditEntry>, QueueError> {
        let rows = sqlx::query(
            "SELECT seq, at_ms, actor, action, subject, detail FROM audit_log ORDER BY seq",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry_of).collect()
    }

    /// The latest `limit` entries, oldest of them first.
    pub async fn latest(&self, limit: u32) -> Result<Vec<AuditEntry>, QueueError> {
        let rows = sqlx::query(
            "SELECT * FROM (SELECT seq, at_ms, actor, action, subject, detail FROM audit_log \
             ORDER BY seq DESC LIMIT ?) ORDER BY seq",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry_of).collect()
    }

    /// Walks the chain from the first entry: `Ok(n)` if all `n` entries chain and match their
    /// hashes, else the first entry that does not.
    pub async fn verify(&self) -> Result<u64, AuditError> {
        let storage = |e: sqlx::Error| AuditError::Storage(QueueError::from(e).to_string());
        let rows = sqlx::query(
            "SELECT seq, at_ms, actor, action, subject, detail, prev_hash, hash FROM audit_log \
             ORDER BY seq",
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
            let detail: Option<String> = row.try_get("detail").map_err(storage)?;
            let prev_hash: Vec<u8> = row.try_get("prev_hash").map_err(storage)?;
            let hash: Vec<u8> = row.try_get("hash").map_err(storage)?;
            let recomputed = entry_hash(
                &prev,
                seq,
                at,
                &actor,
                &action,
                subject.as_deref(),
                detail.as_deref(),
            );
            if seq != expected_seq || prev_hash != prev || hash != recomputed {
                return Err(AuditError::Tampered { seq });
            }
            prev = hash;
        }
        Ok(rows.len() as u64)
    }
}

fn entry_of(r: &sqlx::sqlite::SqliteRow) -> Result<AuditEntry, QueueError> {
    Ok(AuditEntry {
        seq: r.try_get("seq")?,
        at: Timestamp::from_unix_millis(r.try_get("at_ms")?),
        actor: r.try_get("actor")?,
        action: r.try_get("action")?,
        subject: r.try_get("subject")?,
        detail: r.try_get("detail")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setting_values_show_public_text_or_a_fingerprint_never_the_secret() {
        assert_eq!(SettingValue::Unset.to_string(), "unset");
        assert_eq!(
            SettingValue::public("http://10.0.0.2:8443").map(|v| v.to_string()),
            Ok("\"http://10.0.0.2:8443\"".to_owned())
        );
        let key = [0x5au8; 32];
        let shown = SettingValue::fingerprint(&key).to_string();
        // SHA-256 of 32 bytes 0x5a, first 8 bytes.
        let full: [u8; 32] = Sha256::digest(key).into();
        let expected: String = full.iter().take(8).map(|b| format!("{b:02x}")).collect();
        assert_eq!(shown, format!("sha256:{expected}"));
        assert!(!shown.contains("5a5a5a5a"));
        assert_ne!(
            SettingValue::fingerprint(b"a"),
            SettingValue::fingerprint(b"b")
        );
    }

    #[test]
    fn public_setting_values_refuse_empty_long_and_control_text() {
        assert_eq!(SettingValue::public(""), Err(NotPublicValue));
        assert_eq!(SettingValue::public("a\nb"), Err(NotPublicValue));
        assert_eq!(SettingValue::public(&"ă".repeat(201)), Err(NotPublicValue));
        assert!(SettingValue::public(&"ă".repeat(200)).is_ok());
    }

    #[test]
    fn an_entry_without_detail_hashes_as_before_the_detail_column() {
        let at = Timestamp::from_unix_millis(5);
        let without = entry_hash(&GENESIS, 1, at, "a", "b", None, None);
        let with = entry_hash(&GENESIS, 1, at, "a", "b", None, Some(""));
        assert_ne!(without, with, "an empty detail is not the same as none");
        let mut h = Sha256::new();
        h.update(b"vneid-kiosk/audit/v1");
        h.update(GENESIS);
        h.update(1i64.to_be_bytes());
        h.update(5i64.to_be_bytes());
        for f in [b"a", b"b"] {
            h.update([1]);
            h.update(1u64.to_be_bytes());
            h.update(f);
        }
        h.update([0]);
        assert_eq!(without, <[u8; 32]>::from(h.finalize()));
    }

    #[test]
    fn tampering_is_reported_in_both_languages_with_the_entry() {
        let e = AuditError::Tampered { seq: 7 };
        assert!(e.to_string().contains("entry 7"));
        assert!(e.message_vi().contains("mục 7"));
    }
}
