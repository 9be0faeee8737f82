//! The kiosk's outbox: sealed packages in an embedded SQLite database, never lost.
//!
//! - Only [`SealedPackage`]s (and follow-up records sealed under the local key) can be
//!   written: there is no API that takes plaintext.
//! - WAL journal with `synchronous=FULL`: when [`Queue::enqueue`] returns, the package is on
//!   disk and survives a crash or power cut. `secure_delete` overwrites purged bodies.
//! - Packages leave in creation order ([`Queue::outbox`]) with retry bookkeeping (attempts,
//!   next attempt time, last error code); every state change goes through
//!   [`EnrollmentState::advance`] and a conditional `UPDATE`, so two writers cannot both win.
//! - Bodies are purged when the back office acknowledges; a minimal status row stays for the
//!   follow-up lists and reports. A package the back office refuses for good is quarantined
//!   with its body ([`Queue::quarantine`]) and no longer holds up the outbox ([`Queue::head`]).
//! - Every state change is also written to a state history in the same transaction
//!   (the `history` submodule: counts by the date a state was reached, states as of a date).
//! - On open, `PRAGMA integrity_check` runs first: a damaged file is [`QueueError::Corrupt`] and
//!   is left untouched for a technician, never recreated.
//!
//! Queries are runtime queries with bound parameters (no compile-time `query!`, so no
//! database is needed to build).

use crate::audit::{self, AuditAction, AuditLog};
use crate::ids::{DeviceId, GroupId, OperatorId, ReasonCode};
use crate::local_key::LocalSealed;
use crate::operators::Operators;
use crate::package::{PackageError, PackageId, SealedPackage};
use crate::state::{EnrollmentState, IllegalTransition};
use crate::timestamp::Timestamp;
use crate::write_tx::WriteTx;
use sqlx::Row;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// SQLite's primary result codes the queue tells apart.
const SQLITE_CORRUPT: i64 = 11;
const SQLITE_FULL: i64 = 13;
const SQLITE_NOTADB: i64 = 26;

/// Why a queue operation failed. Messages carry codes and ids, never personal data.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// The database file is damaged (or is not a database): left as it is, not recreated.
    #[error("the queue database is damaged: {0}; keep the file and call a technician")]
    Corrupt(String),
    /// The disk (or the database's size limit) is full: nothing was written.
    #[error("the disk is full: the enrollment was not saved; free space and try again")]
    DiskFull,
    /// No package with this id.
    #[error("no package {0} in the queue")]
    NotFound(PackageId),
    /// A package with this id but different bytes is already queued: never overwritten.
    #[error("package {0} is already queued with different content")]
    Conflict(PackageId),
    /// The package's state does not allow this step.
    #[error(transparent)]
    IllegalTransition(#[from] IllegalTransition),
    /// The stored body no longer reads as a package.
    #[error("the stored package {0} is unreadable: {1}")]
    BadBody(PackageId, PackageError),
    /// Any other database error.
    #[error("queue database error (code {code}): {message}")]
    Database {
        /// SQLite's extended result code, if any.
        code: String,
        /// SQLite's message (SQL and column names, no values).
        message: String,
    },
    /// The migrations could not be applied.
    #[error("the queue database schema could not be migrated: {0}")]
    Migration(String),
}

impl QueueError {
    /// What to tell the person at the kiosk, in Vietnamese (the `Display` text is English).
    pub fn message_vi(&self) -> &'static str {
        match self {
            QueueError::DiskFull => {
                "Bộ nhớ của máy đã đầy: hồ sơ chưa được lưu. Hãy giải phóng dung lượng rồi thử lại."
            }
            QueueError::Corrupt(_) => {
                "Cơ sở dữ liệu hàng đợi bị hỏng. Giữ nguyên tệp và liên hệ kỹ thuật viên."
            }
            QueueError::Conflict(_) => {
                "Hồ sơ này đã có trong hàng đợi với nội dung khác; không ghi đè. Liên hệ kỹ thuật viên."
            }
            QueueError::NotFound(_)
            | QueueError::IllegalTransition(_)
            | QueueError::BadBody(..) => "Trạng thái hồ sơ không cho phép thao tác này.",
            QueueError::Database { .. } | QueueError::Migration(_) => {
                "Lỗi cơ sở dữ liệu của máy. Thử lại; nếu vẫn lỗi, liên hệ kỹ thuật viên."
            }
        }
    }
}

impl From<sqlx::Error> for QueueError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(db) => {
                let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
                let primary = code.parse::<i64>().map(|c| c & 0xFF).unwrap_or(-1);
                match primary {
                    SQLITE_FULL => QueueError::DiskFull,
                    SQLITE_CORRUPT | SQLITE_NOTADB => QueueError::Corrupt(db.message().to_owned()),
                    _ => QueueError::Database {
                        code,
                        message: db.message().to_owned(),
                    },
                }
            }
            other => QueueError::Database {
                code: String::new(),
                message: other.to_string(),
            },
        }
    }
}

/// What [`Queue::enqueue`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enqueued {
    /// The package is now in the queue.
    Added,
    /// The same package (same id, same bytes) was already there: nothing changed.
    AlreadyPresent,
}

/// When the kiosk must stop taking new enrollments until it has synced: too many packages
/// waiting, or waiting too long (a kiosk that never syncs must not keep collecting data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FreezeRules {
    /// The most packages not yet acknowledged.
    pub max_unsent: u64,
    /// How long the oldest unacknowledged package may wait, in milliseconds.
    pub max_unsent_age_millis: i64,
}

impl Default for FreezeRules {
    fn default() -> Self {
        Self {
            max_unsent: 500,
            max_unsent_age_millis: 7 * 24 * 3600 * 1000,
        }
    }
}

/// Whether a new enrollment may start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Yes.
    Open,
    /// No: the disk is too full to queue one more package above the reserve.
    DiskFull,
    /// No: this many packages wait for the back office (over the rule's limit).
    TooManyUnsent(u64),
    /// No: the oldest unsent package was created at this time, too long ago.
    UnsentTooLong(Timestamp),
}

/// What [`Queue::counts_by`] groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    /// Residential group (tổ dân phố / thôn).
    Group,
    /// Operator account.
    Operator,
    /// Kiosk device.
    Device,
}

/// What the back office reports about an acknowledged application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewOutcome {
    /// The review approved it; the citizen must now activate.
    Approved,
    /// The review rejected it, for this reason.
    Rejected(ReasonCode),
    /// The citizen activated the account.
    Activated,
}

/// The status row of a package: what stays after the body is purged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageStatus {
    /// Outbox position (creation order).
    pub seq: i64,
    /// The package id.
    pub id: PackageId,
    /// When the kiosk sealed it.
    pub created_at: Timestamp,
    /// The kiosk.
    pub device: DeviceId,
    /// The operator.
    pub operator: OperatorId,
    /// The residential group.
    pub group: GroupId,
    /// Where it is in its life.
    pub state: EnrollmentState,
    /// When it entered that state.
    pub state_changed_at: Timestamp,
    /// Upload attempts started.
    pub attempts: u32,
    /// Not to be tried again before this time.
    pub next_attempt_at: Timestamp,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<ReasonCode>,
    /// When the back office acknowledged it.
    pub acknowledged_at: Option<Timestamp>,
    /// Why the review rejected it, if it did.
    pub reason: Option<ReasonCode>,
    /// SHA-256 of the package bytes.
    pub digest: [u8; 32],
    /// Size of the package bytes.
    pub len: u64,
    /// Whether the body is still stored (until acknowledgement).
    pub body_present: bool,
}

/// Settings of the queue database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueOptions {
    /// Free disk space (bytes) the queue keeps in reserve: below it, new packages are refused
    /// with [`QueueError::DiskFull`] before SQLite itself runs out of room. `None` skips the
    /// check and relies on SQLite's own full-disk error alone (which also never damages the
    /// database, but lets the disk fill to the last byte).
    pub reserve_free_bytes: Option<u64>,
}

impl Default for QueueOptions {
    fn default() -> Self {
        Self {
            reserve_free_bytes: Some(64 * 1024 * 1024),
        }
    }
}

/// The room one more enrollment may need: its package written to the WAL, then to the
/// database at checkpoint, with its follow-up record and indexes.
const ROOM_PER_PACKAGE_FACTOR: u64 = 3;
/// The largest package expected, for [`Queue::can_accept_enrollment`].
const TYPICAL_MAX_PACKAGE: u64 = 1024 * 1024;

/// The kiosk's queue database.
#[derive(Debug, Clone)]
pub struct Queue {
    pool: SqlitePool,
    dir: PathBuf,
    options: QueueOptions,
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// `SELECT` of a status row, followed by the rest of the query (a literal, so SQL stays static).
macro_rules! select_status {
    ($rest:literal) => {
        concat!(
            "SELECT seq, package_id, created_at_ms, device_id, operator_id, group_id, state, \
             state_changed_at_ms, attempts, next_attempt_at_ms, last_error_code, \
             acknowledged_at_ms, reason_code, body_sha256, body_len, \
             body IS NOT NULL AS body_present FROM packages ",
            $rest
        )
    };
}

mod history;
pub use history::{KeyedCount, PageOrder, StateChange};

/// A value bound after the fixed parameters of a state change (`?5`, `?6`, …).
enum Extra<'a> {
    Text(Option<&'a str>),
    Int(i64),
}

fn corrupt(what: &str) -> QueueError {
    QueueError::Corrupt(format!("a stored {what} is invalid"))
}

fn package_id_of(row: &SqliteRow) -> Result<PackageId, QueueError> {
    let raw: Vec<u8> = row.try_get("package_id")?;
    <[u8; 16]>::try_from(raw.as_slice())
        .map(PackageId::from_bytes)
        .map_err(|_| corrupt("package id"))
}

fn reason_of(row: &SqliteRow, column: &str) -> Result<Option<ReasonCode>, QueueError> {
    let raw: Option<String> = row.try_get(column)?;
    raw.map(|r| ReasonCode::new(r).map_err(|_| corrupt("reason code")))
        .transpose()
}

fn status_of(row: &SqliteRow) -> Result<PackageStatus, QueueError> {
    let digest: Vec<u8> = row.try_get("body_sha256")?;
    let state: String = row.try_get("state")?;
    Ok(PackageStatus {
        seq: row.try_get("seq")?,
        id: package_id_of(row)?,
        created_at: Timestamp::from_unix_millis(row.try_get("created_at_ms")?),
        device: DeviceId::new(row.try_get::<String, _>("device_id")?)
            .map_err(|_| corrupt("device id"))?,
        operator: OperatorId::new(row.try_get::<String, _>("operator_id")?)
            .map_err(|_| corrupt("operator id"))?,
        group: GroupId::new(row.try_get::<String, _>("group_id")?)
            .map_err(|_| corrupt("group id"))?,
        state: state.parse().map_err(|_| corrupt("state"))?,
        state_changed_at: Timestamp::from_unix_millis(row.try_get("state_changed_at_ms")?),
        attempts: u32::try_from(row.try_get::<i64, _>("attempts")?)
            .map_err(|_| corrupt("attempt count"))?,
        next_attempt_at: Timestamp::from_unix_millis(row.try_get("next_attempt_at_ms")?),
        last_error: reason_of(row, "last_error_code")?,
        acknowledged_at: row
            .try_get::<Option<i64>, _>("acknowledged_at_ms")?
            .map(Timestamp::from_unix_millis),
        reason: reason_of(row, "reason_code")?,
        digest: <[u8; 32]>::try_from(digest.as_slice()).map_err(|_| corrupt("digest"))?,
        len: u64::try_from(row.try_get::<i64, _>("body_len")?).map_err(|_| corrupt("length"))?,
        body_present: row.try_get("body_present")?,
    })
}

impl Queue {
    /// Opens (or creates) the queue database at `path` with the default options: checks its
    /// integrity, then applies pending migrations.
    pub async fn open(path: &Path) -> Result<Self, QueueError> {
        Self::open_with(path, QueueOptions::default()).await
    }

    /// [`Self::open`] with explicit options.
    pub async fn open_with(path: &Path, options: QueueOptions) -> Result<Self, QueueError> {
        let connect = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("secure_delete", "ON");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(connect)
            .await?;
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let queue = Self { pool, dir, options };
        queue.integrity_check().await?;
        MIGRATOR.run(&queue.pool).await.map_err(|e| match e {
            sqlx::migrate::MigrateError::Execute(inner) => QueueError::from(inner),
            other => QueueError::Migration(other.to_string()),
        })?;
        Ok(queue)
    }

    /// Runs `PRAGMA integrity_check`; anything but `ok` is [`QueueError::Corrupt`].
    pub async fn integrity_check(&self) -> Result<(), QueueError> {
        let rows = sqlx::query("PRAGMA integrity_check")
            .fetch_all(&self.pool)
            .await?;
        let verdicts: Vec<String> = rows
            .iter()
            .map(|r| r.try_get::<String, _>(0))
            .collect::<Result<_, _>>()?;
        if verdicts.len() == 1 && verdicts.first().map(String::as_str) == Some("ok") {
            Ok(())
        } else {
            Err(QueueError::Corrupt(format!(
                "integrity check found {} problem(s)",
                verdicts.len()
            )))
        }
    }

    /// The audit log kept in the same database.
    pub fn audit(&self) -> AuditLog {
        AuditLog {
            pool: self.pool.clone(),
        }
    }

    /// The operator accounts kept in the same database.
    pub fn operators(&self) -> Operators {
        Operators {
            pool: self.pool.clone(),
        }
    }

    /// Free bytes on the queue's file system, for an unprivileged process.
    pub fn free_bytes(&self) -> Result<u64, QueueError> {
        let st = rustix::fs::statvfs(&self.dir).map_err(|e| QueueError::Database {
            code: String::new(),
            message: format!("cannot read free space: {e}"),
        })?;
        Ok(st.f_bavail.saturating_mul(st.f_frsize))
    }

    fn check_room(&self, needed: u64) -> Result<(), QueueError> {
        let Some(reserve) = self.options.reserve_free_bytes else {
            return Ok(());
        };
        let wanted = reserve.saturating_add(needed);
        if self.free_bytes()? < wanted {
            Err(QueueError::DiskFull)
        } else {
            Ok(())
        }
    }

    /// Whether a new enrollment may start: refused ([`QueueError::DiskFull`]) when the disk is
    /// too full to queue one more large package above the reserve. The UI asks this before
    /// it reads a card, so no citizen fills in a form that cannot be saved.
    pub fn can_accept_enrollment(&self) -> Result<(), QueueError> {
        self.check_room(TYPICAL_MAX_PACKAGE * ROOM_PER_PACKAGE_FACTOR)
    }

    /// Closes every connection (checkpointing the WAL).
    pub async fn close(self) {
        self.pool.close().await;
    }

    /// Adds a sealed package (and its sealed follow-up record) to the outbox in one durable
    /// transaction, unless the disk is too full (above the reserve) to take it. The same package again is [`Enqueued::AlreadyPresent`]; the same id with
    /// other bytes is [`QueueError::Conflict`].
    pub async fn enqueue(
        &self,
        package: &SealedPackage,
        followup: Option<&LocalSealed>,
        now: Timestamp,
    ) -> Result<Enqueued, QueueError> {
        let id = package.id();
        let header = package.header();
        let digest = package.digest();
        let len = i64::try_from(package.as_bytes().len()).map_err(|_| QueueError::DiskFull)?;
        self.check_room(package.as_bytes().len() as u64 * ROOM_PER_PACKAGE_FACTOR)?;
        let mut tx = WriteTx::begin(&self.pool).await?;
        let inserted = sqlx::query(
            "INSERT INTO packages (package_id, created_at_ms, device_id, operator_id, group_id, \
             state, state_changed_at_ms, body, body_sha256, body_len, next_attempt_at_ms) \
             VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?) \
             ON CONFLICT (package_id) DO NOTHING",
        )
        .bind(id.to_bytes().as_slice())
        .bind(header.created_at.unix_millis())
        .bind(header.device.as_str())
        .bind(header.operator.as_str())
        .bind(header.group.as_str())
        .bind(now.unix_millis())
        .bind(package.as_bytes())
        .bind(digest.as_slice())
        .bind(len)
        .bind(now.unix_millis())
        .execute(tx.conn())
        .await?
        .rows_affected();
        if inserted == 0 {
            let stored: Vec<u8> =
                sqlx::query_scalar("SELECT body_sha256 FROM packages WHERE package_id = ?")
                    .bind(id.to_bytes().as_slice())
                    .fetch_one(tx.conn())
                    .await?;
            tx.rollback().await?;
            return if stored == digest {
                Ok(Enqueued::AlreadyPresent)
            } else {
                Err(QueueError::Conflict(id))
            };
        }
        audit::append_in(
            tx.conn(),
            now,
            header.operator.as_str(),
            AuditAction::EnrollmentQueued,
            Some(&id.to_string()),
        )
        .await?;
        history::record(tx.conn(), id, None, EnrollmentState::Queued, now).await?;
        if let Some(f) = followup {
            sqlx::query("INSERT INTO followup (package_id, nonce, ciphertext) VALUES (?, ?, ?)")
                .bind(id.to_bytes().as_slice())
                .bind(f.nonce())
                .bind(f.ciphertext())
                .execute(tx.conn())
                .await?;
        }
        tx.commit().await?;
        Ok(Enqueued::Added)
    }

    /// Up to `limit` queued packages due at `now`, oldest first.
    pub async fn outbox(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<PackageStatus>, QueueError> {
        let rows = sqlx::query(select_status!(
            "WHERE state = 'queued' AND next_attempt_at_ms <= ? ORDER BY seq LIMIT ?"
        ))
        .bind(now.unix_millis())
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(status_of).collect()
    }

    /// The package the outbox sends next: the oldest queued one, due or not (`None` when
    /// nothing is queued). Quarantined packages are not queued, so they never block it.
    pub async fn head(&self) -> Result<Option<PackageStatus>, QueueError> {
        let row = sqlx::query(select_status!(
            "WHERE state = 'queued' ORDER BY seq LIMIT 1"
        ))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(status_of).transpose()
    }

    /// The status row of a package.
    pub async fn status(&self, id: PackageId) -> Result<PackageStatus, QueueError> {
        let row = sqlx::query(select_status!("WHERE package_id = ?"))
            .bind(id.to_bytes().as_slice())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(QueueError::NotFound(id))?;
        status_of(&row)
    }

    /// The stored package, while its body is kept (`None` once purged).
    pub async fn package(&self, id: PackageId) -> Result<Option<SealedPackage>, QueueError> {
        let body: Option<Option<Vec<u8>>> =
            sqlx::query_scalar("SELECT body FROM packages WHERE package_id = ?")
                .bind(id.to_bytes().as_slice())
                .fetch_optional(&self.pool)
                .await?;
        match body {
            None => Err(QueueError::NotFound(id)),
            Some(None) => Ok(None),
            Some(Some(bytes)) => SealedPackage::from_bytes(bytes)
                .map(Some)
                .map_err(|e| QueueError::BadBody(id, e)),
        }
    }

    /// The sealed follow-up record of a package, if one was stored.
    pub async fn followup(&self, id: PackageId) -> Result<Option<LocalSealed>, QueueError> {
        let row = sqlx::query("SELECT nonce, ciphertext FROM followup WHERE package_id = ?")
            .bind(id.to_bytes().as_slice())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            let nonce: Vec<u8> = r.try_get("nonce")?;
            let ciphertext: Vec<u8> = r.try_get("ciphertext")?;
            LocalSealed::from_parts(&nonce, ciphertext).ok_or_else(|| corrupt("follow-up nonce"))
        })
        .transpose()
    }

    /// Number of packages in each state, for the heartbeat and the screens.
    pub async fn counts(&self) -> Result<Vec<(EnrollmentState, u64)>, QueueError> {
        let rows = sqlx::query("SELECT state, count(*) AS n FROM packages GROUP BY state")
            .fetch_all(&self.pool)
            .await?;
        let mut counts = Vec::new();
        for row in rows {
            let state: String = row.try_get("state")?;
            let n: i64 = row.try_get("n")?;
            counts.push((
                state.parse().map_err(|_| corrupt("state"))?,
                u64::try_from(n).unwrap_or(0),
            ));
        }
        counts.sort_by_key(|(s, _)| EnrollmentState::ALL.iter().position(|x| x == s));
        Ok(counts)
    }

    /// Whether a new enrollment may start now under `rules`; the UI asks before reading a card.
    pub async fn admission(
        &self,
        now: Timestamp,
        rules: &FreezeRules,
    ) -> Result<Admission, QueueError> {
        match self.can_accept_enrollment() {
            Err(QueueError::DiskFull) => return Ok(Admission::DiskFull),
            other => other?,
        }
        let unsent: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM packages WHERE state IN ('queued', 'uploading', 'uploaded')",
        )
        .fetch_one(&self.pool)
        .await?;
        let unsent = u64::try_from(unsent).unwrap_or(0);
        if unsent >= rules.max_unsent {
            return Ok(Admission::TooManyUnsent(unsent));
        }
        if let Some(oldest) = self.oldest_unsent().await?
            && now.unix_millis().saturating_sub(oldest.unix_millis()) > rules.max_unsent_age_millis
        {
            return Ok(Admission::UnsentTooLong(oldest));
        }
        Ok(Admission::Open)
    }

    /// The creation time of the oldest package not yet acknowledged (queued, uploading or
    /// uploaded), for the heartbeat and the freeze rule; `None` when everything was delivered.
    pub async fn oldest_unsent(&self) -> Result<Option<Timestamp>, QueueError> {
        let oldest: Option<i64> = sqlx::query_scalar(
            "SELECT min(created_at_ms) FROM packages \
             WHERE state IN ('queued', 'uploading', 'uploaded')",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(oldest.map(Timestamp::from_unix_millis))
    }

    /// Status rows in `state`, oldest state change first (e.g. approved but not activated, for
    /// the follow-up list).
    pub async fn in_state(
        &self,
        state: EnrollmentState,
        limit: u32,
    ) -> Result<Vec<PackageStatus>, QueueError> {
        let rows = sqlx::query(select_status!(
            "WHERE state = ? ORDER BY state_changed_at_ms, seq LIMIT ?"
        ))
        .bind(state.as_str())
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(status_of).collect()
    }

    /// How many packages created in `[from, until)` are in each state, per residential group,
    /// operator or device: the raw numbers of the progress reports.
    pub async fn counts_by(
        &self,
        dimension: Dimension,
        from: Timestamp,
        until: Timestamp,
    ) -> Result<Vec<(String, EnrollmentState, u64)>, QueueError> {
        let sql = match dimension {
            Dimension::Group => {
                "SELECT group_id AS key, state, count(*) AS n FROM packages \
                 WHERE created_at_ms >= ? AND created_at_ms < ? GROUP BY key, state ORDER BY key"
            }
            Dimension::Operator => {
                "SELECT operator_id AS key, state, count(*) AS n FROM packages \
                 WHERE created_at_ms >= ? AND created_at_ms < ? GROUP BY key, state ORDER BY key"
            }
            Dimension::Device => {
                "SELECT device_id AS key, state, count(*) AS n FROM packages \
                 WHERE created_at_ms >= ? AND created_at_ms < ? GROUP BY key, state ORDER BY key"
            }
        };
        let rows = sqlx::query(sql)
            .bind(from.unix_millis())
            .bind(until.unix_millis())
            .fetch_all(&self.pool)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let state: String = row.try_get("state")?;
            let n: i64 = row.try_get("n")?;
            out.push((
                row.try_get("key")?,
                state.parse().map_err(|_| corrupt("state"))?,
                u64::try_from(n).unwrap_or(0),
            ));
        }
        Ok(out)
    }

    /// Moves `id` to `to` with `sql`, an `UPDATE` whose parameters are `?1` the new state,
    /// `?2` now, `?3` the id, `?4` the state the move was checked from (in its `WHERE`, so the
    /// update only matches while that is still the state), then `extra`.
    async fn step(
        &self,
        id: PackageId,
        to: EnrollmentState,
        now: Timestamp,
        sql: &'static str,
        extra: &[Extra<'_>],
        audit: Option<AuditAction>,
    ) -> Result<(), QueueError> {
        let mut tx = WriteTx::begin(&self.pool).await?;
        let current: String = sqlx::query_scalar("SELECT state FROM packages WHERE package_id = ?")
            .bind(id.to_bytes().as_slice())
            .fetch_optional(tx.conn())
            .await?
            .ok_or(QueueError::NotFound(id))?;
        let from: EnrollmentState = current.parse().map_err(|_| corrupt("state"))?;
        from.advance(to)?;
        let mut query = sqlx::query(sql)
            .bind(to.as_str())
            .bind(now.unix_millis())
            .bind(id.to_bytes().to_vec())
            .bind(from.as_str());
        for e in extra {
            query = match e {
                Extra::Text(t) => query.bind(*t),
                Extra::Int(i) => query.bind(*i),
            };
        }
        let changed = query.execute(tx.conn()).await?.rows_affected();
        if changed != 1 {
            return Err(QueueError::IllegalTransition(IllegalTransition {
                from,
                to,
            }));
        }
        history::record(tx.conn(), id, Some(from), to, now).await?;
        if let Some(action) = audit {
            let subject = id.to_string();
            audit::append_in(tx.conn(), now, audit::SYSTEM_ACTOR, action, Some(&subject)).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// queued → uploading: an upload attempt starts (counted).
    pub async fn begin_upload(&self, id: PackageId, now: Timestamp) -> Result<(), QueueError> {
        self.step(
            id,
            EnrollmentState::Uploading,
            now,
            "UPDATE packages SET state = ?1, state_changed_at_ms = ?2, attempts = attempts + 1 \
             WHERE package_id = ?3 AND state = ?4",
            &[],
            None,
        )
        .await
    }

    /// uploading → queued: the attempt failed with `error`; retry not before `retry_at`.
    pub async fn upload_failed(
        &self,
        id: PackageId,
        error: &ReasonCode,
        retry_at: Timestamp,
        now: Timestamp,
    ) -> Result<(), QueueError> {
        self.step(
            id,
            EnrollmentState::Queued,
            now,
            "UPDATE packages SET state = ?1, state_changed_at_ms = ?2, last_error_code = ?5, \
             next_attempt_at_ms = ?6 WHERE package_id = ?3 AND state = ?4",
            &[
                Extra::Text(Some(error.as_str())),
                Extra::Int(retry_at.unix_millis()),
            ],
            None,
        )
        .await
    }

    /// uploading → quarantined: the back office refused the package for good (`reason`: its
    /// id is held there with other bytes, or the package is invalid). The body stays for a
    /// technician; the outbox moves on to the next package.
    pub async fn quarantine(
        &self,
        id: PackageId,
        reason: &ReasonCode,
        now: Timestamp,
    ) -> Result<(), QueueError> {
        self.step(
            id,
            EnrollmentState::Quarantined,
            now,
            "UPDATE packages SET state = ?1, state_changed_at_ms = ?2, last_error_code = ?5 \
             WHERE package_id = ?3 AND state = ?4",
            &[Extra::Text(Some(reason.as_str()))],
            None,
        )
        .await
    }

    /// uploading → uploaded: the back office received the bytes.
    pub async fn upload_done(&self, id: PackageId, now: Timestamp) -> Result<(), QueueError> {
        self.step(
            id,
            EnrollmentState::Uploaded,
            now,
            "UPDATE packages SET state = ?1, state_changed_at_ms = ?2, last_error_code = NULL \
             WHERE package_id = ?3 AND state = ?4",
            &[],
            None,
        )
        .await
    }

    /// uploaded → acknowledged: the back office verified and stored the package. The body is
    /// purged in the same statement; the status row and follow-up record stay.
    pub async fn acknowledge(&self, id: PackageId, now: Timestamp) -> Result<(), QueueError> {
        self.step(
            id,
            EnrollmentState::Acknowledged,
            now,
            "UPDATE packages SET state = ?1, state_changed_at_ms = ?2, acknowledged_at_ms = ?2, \
             body = NULL WHERE package_id = ?3 AND state = ?4",
            &[],
            Some(AuditAction::PackagePurged),
        )
        .await
    }

    /// acknowledged → approved | rejected, approved → activated: the review's outcome as the
    /// back office reports it.
    pub async fn record_review(
        &self,
        id: PackageId,
        outcome: &ReviewOutcome,
        now: Timestamp,
    ) -> Result<(), QueueError> {
        let (to, reason) = match outcome {
            ReviewOutcome::Approved => (EnrollmentState::Approved, None),
            ReviewOutcome::Rejected(reason) => (EnrollmentState::Rejected, Some(reason.as_str())),
            ReviewOutcome::Activated => (EnrollmentState::Activated, None),
        };
        self.step(
            id,
            to,
            now,
            "UPDATE packages SET state = ?1, state_changed_at_ms = ?2, reason_code = ?5 \
             WHERE package_id = ?3 AND state = ?4",
            &[Extra::Text(reason)],
            None,
        )
        .await
    }

    /// After a crash or kill mid-upload, packages left `uploading` go back to `queued` (the
    /// back office de-duplicates by id, so sending again is safe). Returns how many.
    pub async fn recover_interrupted_uploads(&self, now: Timestamp) -> Result<u64, QueueError> {
        let mut tx = WriteTx::begin(&self.pool).await?;
        sqlx::query(
            "INSERT INTO state_history (package_id, from_state, to_state, at_ms) \
             SELECT package_id, 'uploading', 'queued', ? FROM packages \
             WHERE state = 'uploading' ORDER BY seq",
        )
        .bind(now.unix_millis())
        .execute(tx.conn())
        .await?;
        let n = sqlx::query(
            "UPDATE packages SET state = 'queued', state_changed_at_ms = ?, \
             last_error_code = 'interrupted' WHERE state = 'uploading'",
        )
        .bind(now.unix_millis())
        .execute(tx.conn())
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(n)
    }
}
