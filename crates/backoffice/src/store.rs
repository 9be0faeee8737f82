//! The back office's database: kiosks and their tokens, request nonces, uploads under way,
//! stored packages, the status log. SQLite by default, PostgreSQL by URL: sqlx's `Any` driver
//! with runtime queries (`$n` parameters, portable SQL) and one migration set per engine
//! (`migrations/sqlite`, `migrations/postgres`).
//!
//! All writes go through one connection, so two requests for the same package (a duplicate
//! delivery, a retry racing its original) are serialised and the second sees the first's
//! result: a package id is stored once and never overwritten. Reads use their own connections.
//! On SQLite: WAL, `synchronous=FULL` (a receipt is only signed for a committed package).

use crate::error::ApiError;
use crate::evidence::passive_authentication;
use crate::keys::OfficeKeys;
use emrtd::passive_auth::TrustStore;
use enroll::citizen::DataSource;
use enroll::ids::{DeviceId, ReasonCode};
use enroll::package::{DeviceVerifyingKey, PackageId, SealedPackage};
use enroll::timestamp::Timestamp;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::pool::PoolOptions;
use sqlx::{Any, Executor, Pool, Row, Transaction};
use std::path::Path;
use sync::messages::{ApplicationStatus, ErrorCode, StatusChange, UploadOffer, UploadStatus};
use sync::receipt::{Receipt, SignedReceipt};
use sync::upload::{ChunkPlacement, ContentRange, MAX_CHUNK_LEN, MAX_PACKAGE_LEN, place};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The database engines the store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// An embedded SQLite file (the default).
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl Engine {
    /// The engine a database URL names.
    pub fn of_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Self::Postgres)
        } else {
            None
        }
    }
}

/// The store could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed.
    #[error("the back-office database failed: {0}")]
    Database(#[from] sqlx::Error),
    /// The migrations failed.
    #[error("the back-office database could not be migrated: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// Neither a `sqlite:` nor a `postgres://` URL.
    #[error("the database must be a SQLite file or a sqlite:/postgres:// URL")]
    UnknownEngine,
}

/// A registered kiosk and its health, for the fleet view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KioskHealth {
    /// The kiosk.
    pub device: String,
    /// When it registered.
    pub registered_at: Timestamp,
    /// Its software version.
    pub software_version: String,
    /// Its last heartbeat.
    pub last_seen: Option<Timestamp>,
    /// Packages waiting on it, per its last heartbeat.
    pub queue_depth: Option<i64>,
    /// Its oldest package not yet acknowledged.
    pub oldest_unsent: Option<Timestamp>,
    /// Its last sync error code.
    pub last_error: Option<String>,
    /// Packages stored from it.
    pub packages_received: i64,
}

/// A stored package's bookkeeping (no content), for exports and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPackage {
    /// The package.
    pub package_id: PackageId,
    /// The kiosk.
    pub device: String,
    /// Its place among that kiosk's packages (1, 2, …).
    pub device_seq: i64,
    /// SHA-256 of the package bytes.
    pub sha256: [u8; 32],
    /// When the kiosk sealed it.
    pub created_at: Timestamp,
    /// When the back office stored it.
    pub received_at: Timestamp,
    /// The residential group.
    pub group: String,
    /// `chip` or `qr_only`.
    pub source: String,
    /// The back office's passive authentication verdict (chip enrollments only).
    pub passive_auth: Option<String>,
    /// `received`, `approved`, `rejected` or `activated`.
    pub review: String,
}

/// What the back office checks a completed package with: its keys (to decrypt, and to sign
/// the receipt) and its CSCA trust store (to re-run passive authentication).
#[derive(Debug, Clone, Copy)]
pub struct PackageCheck<'a> {
    /// The package and receipt keys.
    pub keys: &'a OfficeKeys,
    /// The CSCA certificates.
    pub trust_store: &'a TrustStore,
}

/// Why a registration was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registration {
    /// Registered now (or again with the same key).
    Registered,
    /// The token is unknown, expired, or was used by another kiosk.
    TokenInvalid,
    /// The device id is registered with another key.
    KeyConflict,
}

fn blob32(row: &AnyRow, column: &str) -> Result<[u8; 32], ApiError> {
    let raw: Vec<u8> = row.try_get(column)?;
    <[u8; 32]>::try_from(raw.as_slice())
        .map_err(|_| ApiError::new(ErrorCode::Internal, "a stored hash is malformed"))
}

fn package_id_of(row: &AnyRow) -> Result<PackageId, ApiError> {
    let raw: Vec<u8> = row.try_get("package_id")?;
    <[u8; 16]>::try_from(raw.as_slice())
        .map(PackageId::from_bytes)
        .map_err(|_| ApiError::new(ErrorCode::Internal, "a stored package id is malformed"))
}

fn len_i64(n: u64) -> Result<i64, ApiError> {
    i64::try_from(n).map_err(|_| ApiError::new(ErrorCode::TooLarge, "length out of range"))
}

fn len_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// The database.
#[derive(Debug, Clone)]
pub struct Store {
    engine: Engine,
    write: Pool<Any>,
    read: Pool<Any>,
}

impl Store {
    /// Opens the database named by `location`: a `sqlite:` or `postgres://` URL, or else the
    /// path of a SQLite file (created if missing). Applies the engine's migrations.
    pub async fn open_location(location: &str) -> Result<Self, StoreError> {
        if Engine::of_url(location).is_some() {
            Self::connect(location).await
        } else {
            Self::open(Path::new(location)).await
        }
    }

    /// Opens (or creates) the SQLite file at `path` and applies the migrations.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        Self::connect(&format!("sqlite://{}?mode=rwc", path.display())).await
    }

    /// Connects to the database at `url` (`sqlite:` or `postgres://`) and applies the
    /// migrations.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let engine = Engine::of_url(url).ok_or(StoreError::UnknownEngine)?;
        let write = PoolOptions::<Any>::new()
            .max_connections(1)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if engine == Engine::Sqlite {
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = FULL").await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await?;
        match engine {
            Engine::Sqlite => SQLITE_MIGRATIONS.run(&write).await?,
            Engine::Postgres => POSTGRES_MIGRATIONS.run(&write).await?,
        }
        let read_url = match engine {
            Engine::Sqlite => url.replace("mode=rwc", "mode=ro"),
            Engine::Postgres => url.to_owned(),
        };
        let read = PoolOptions::<Any>::new()
            .max_connections(4)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if engine == Engine::Sqlite {
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                    }
                    Ok(())
                })
            })
            .connect(&read_url)
            .await?;
        Ok(Self {
            engine,
            write,
            read,
        })
    }

    /// The engine underneath.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// On SQLite, runs `PRAGMA integrity_check`: `ok`, or SQLite's list of problems. PostgreSQL
    /// has no such check (`None`).
    pub async fn integrity_check(&self) -> Result<Option<String>, ApiError> {
        if self.engine != Engine::Sqlite {
            return Ok(None);
        }
        let rows: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&self.read)
            .await?;
        Ok(Some(rows.join("; ")))
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }

    /// Stores a registration token (by its SHA-256) valid until `expires_at`.
    pub async fn create_token(
        &self,
        token: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<(), ApiError> {
        sqlx::query(
            "INSERT INTO kiosk_tokens (token_sha256, created_at_ms, expires_at_ms) \
             VALUES ($1, $2, $3)",
        )
        .bind(Sha256::digest(token.as_bytes()).as_slice())
        .bind(now.unix_millis())
        .bind(expires_at.unix_millis())
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Registers `device` with `key` against `token`. The same device and key again (a lost
    /// answer) registers again; another key under a registered id is a conflict.
    pub async fn register(
        &self,
        token: &str,
        device: &DeviceId,
        key: &[u8; 32],
        software_version: &str,
        now: Timestamp,
    ) -> Result<Registration, ApiError> {
        let mut tx = self.write.begin().await?;
        let token_row =
            sqlx::query("SELECT expires_at_ms, used_by FROM kiosk_tokens WHERE token_sha256 = $1")
                .bind(Sha256::digest(token.as_bytes()).as_slice())
                .fetch_optional(&mut *tx)
                .await?;
        let Some(token_row) = token_row else {
            return Ok(Registration::TokenInvalid);
        };
        let expires: i64 = token_row.try_get("expires_at_ms")?;
        let used_by: Option<String> = token_row.try_get("used_by")?;
        if expires <= now.unix_millis() || used_by.as_deref().is_some_and(|u| u != device.as_str())
        {
            return Ok(Registration::TokenInvalid);
        }
        let existing: Option<Vec<u8>> =
            sqlx::query_scalar("SELECT device_key FROM kiosks WHERE device_id = $1")
                .bind(device.as_str())
                .fetch_optional(&mut *tx)
                .await?;
        match existing {
            Some(k) if k.as_slice() != key.as_slice() => return Ok(Registration::KeyConflict),
            Some(_) => {}
            None => {
                sqlx::query(
                    "INSERT INTO kiosks (device_id, device_key, registered_at_ms, software_version) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(device.as_str())
                .bind(key.as_slice())
                .bind(now.unix_millis())
                .bind(software_version)
                .execute(&mut *tx)
                .await?;
            }
        }
        sqlx::query(
            "UPDATE kiosk_tokens SET used_by = $1, used_at_ms = $2 WHERE token_sha256 = $3",
        )
        .bind(device.as_str())
        .bind(now.unix_millis())
        .bind(Sha256::digest(token.as_bytes()).as_slice())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Registration::Registered)
    }

    /// The registered key of `device`.
    pub async fn kiosk_key(&self, device: &DeviceId) -> Result<Option<[u8; 32]>, ApiError> {
        let key: Option<Vec<u8>> =
            sqlx::query_scalar("SELECT device_key FROM kiosks WHERE device_id = $1")
                .bind(device.as_str())
                .fetch_optional(&self.read)
                .await?;
        Ok(key.and_then(|k| <[u8; 32]>::try_from(k.as_slice()).ok()))
    }

    /// Records a request nonce; `false` when it was seen before (a replay).
    pub async fn record_nonce(
        &self,
        device: &DeviceId,
        nonce: &[u8; 16],
        now: Timestamp,
    ) -> Result<bool, ApiError> {
        let inserted = sqlx::query(
            "INSERT INTO request_nonces (device_id, nonce, seen_at_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (device_id, nonce) DO NOTHING",
        )
        .bind(device.as_str())
        .bind(nonce.as_slice())
        .bind(now.unix_millis())
        .execute(&self.write)
        .await?
        .rows_affected();
        Ok(inserted == 1)
    }

    /// Forgets nonces seen before `before`.
    pub async fn purge_nonces(&self, before: Timestamp) -> Result<u64, ApiError> {
        Ok(
            sqlx::query("DELETE FROM request_nonces WHERE seen_at_ms < $1")
                .bind(before.unix_millis())
                .execute(&self.write)
                .await?
                .rows_affected(),
        )
    }

    /// Forgets uploads started before `before` and never completed (a kiosk that was wiped or
    /// replaced); a kiosk that comes back simply starts them again from byte 0.
    pub async fn purge_stale_uploads(&self, before: Timestamp) -> Result<u64, ApiError> {
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "DELETE FROM upload_chunks WHERE package_id IN \
             (SELECT package_id FROM uploads WHERE started_at_ms < $1)",
        )
        .bind(before.unix_millis())
        .execute(&mut *tx)
        .await?;
        let n = sqlx::query("DELETE FROM uploads WHERE started_at_ms < $1")
            .bind(before.unix_millis())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(n)
    }

    /// Records a heartbeat.
    pub async fn heartbeat(
        &self,
        device: &DeviceId,
        heartbeat: &sync::messages::Heartbeat,
        now: Timestamp,
    ) -> Result<(), ApiError> {
        sqlx::query(
            "UPDATE kiosks SET last_seen_ms = $1, software_version = $2, queue_depth = $3, \
             oldest_unsent_ms = $4, last_error = $5 WHERE device_id = $6",
        )
        .bind(now.unix_millis())
        .bind(&heartbeat.software_version)
        .bind(i64::try_from(heartbeat.queue_depth).unwrap_or(i64::MAX))
        .bind(heartbeat.oldest_unsent.map(Timestamp::unix_millis))
        .bind(heartbeat.last_error.as_ref().map(|r| r.as_str().to_owned()))
        .bind(device.as_str())
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// The kiosks and their health.
    pub async fn kiosks(&self) -> Result<Vec<KioskHealth>, ApiError> {
        let rows = sqlx::query(
            "SELECT device_id, registered_at_ms, software_version, last_seen_ms, queue_depth, \
             oldest_unsent_ms, last_error, packages_received FROM kiosks ORDER BY device_id",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(KioskHealth {
                    device: r.try_get("device_id")?,
                    registered_at: Timestamp::from_unix_millis(r.try_get("registered_at_ms")?),
                    software_version: r.try_get("software_version")?,
                    last_seen: r
                        .try_get::<Option<i64>, _>("last_seen_ms")?
                        .map(Timestamp::from_unix_millis),
                    queue_depth: r.try_get("queue_depth")?,
                    oldest_unsent: r
                        .try_get::<Option<i64>, _>("oldest_unsent_ms")?
                        .map(Timestamp::from_unix_millis),
                    last_error: r.try_get("last_error")?,
                    packages_received: r.try_get("packages_received")?,
                })
            })
            .collect()
    }

    /// The stored packages, by kiosk then kiosk order.
    pub async fn packages(&self) -> Result<Vec<StoredPackage>, ApiError> {
        let rows = sqlx::query(
            "SELECT package_id, device_id, device_seq, sha256, created_at_ms, received_at_ms, \
             group_id, source, passive_auth, review FROM packages ORDER BY device_id, device_seq",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredPackage {
                    package_id: package_id_of(r)?,
                    device: r.try_get("device_id")?,
                    device_seq: r.try_get("device_seq")?,
                    sha256: blob32(r, "sha256")?,
                    created_at: Timestamp::from_unix_millis(r.try_get("created_at_ms")?),
                    received_at: Timestamp::from_unix_millis(r.try_get("received_at_ms")?),
                    group: r.try_get("group_id")?,
                    source: r.try_get("source")?,
                    passive_auth: r.try_get("passive_auth")?,
                    review: r.try_get("review")?,
                })
            })
            .collect()
    }

    /// The receipt of a stored package, re-signed identically (Ed25519 is deterministic).
    async fn stored_receipt(
        tx: &mut Transaction<'_, Any>,
        id: PackageId,
    ) -> Result<Option<(String, u64, SignedReceipt)>, ApiError> {
        let row = sqlx::query(
            "SELECT device_id, device_seq, sha256, len, received_at_ms, receipt_signature \
             FROM packages WHERE package_id = $1",
        )
        .bind(id.to_bytes().as_slice())
        .fetch_optional(&mut **tx)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let device: String = row.try_get("device_id")?;
        let signature: Vec<u8> = row.try_get("receipt_signature")?;
        let receipt = Receipt {
            package_id: id,
            sha256: blob32(&row, "sha256")?,
            device: DeviceId::new(device.clone())
                .map_err(|_| ApiError::new(ErrorCode::Internal, "a stored device id is invalid"))?,
            received_at: Timestamp::from_unix_millis(row.try_get("received_at_ms")?),
            sequence: len_u64(row.try_get("device_seq")?),
        };
        let signature = <[u8; 64]>::try_from(signature.as_slice())
            .map_err(|_| ApiError::new(ErrorCode::Internal, "a stored signature is malformed"))?;
        let len = len_u64(row.try_get("len")?);
        Ok(Some((device, len, SignedReceipt { receipt, signature })))
    }

    async fn log_conflict(
        tx: &mut Transaction<'_, Any>,
        id: PackageId,
        device: &DeviceId,
        sha256: &[u8; 32],
        now: Timestamp,
    ) -> Result<ApiError, ApiError> {
        sqlx::query(
            "INSERT INTO conflicts (package_id, device_id, offered_sha256, at_ms) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id.to_bytes().as_slice())
        .bind(device.as_str())
        .bind(sha256.as_slice())
        .bind(now.unix_millis())
        .execute(&mut **tx)
        .await?;
        tracing::warn!(package = %id, device = %device, "conflicting offer refused");
        Ok(ApiError::new(
            ErrorCode::Conflict,
            format!("package {id} is already held with other content or from another kiosk"),
        ))
    }

    /// Handles an offer from `device`: answers where the upload stands, starting it if new.
    pub async fn offer(
        &self,
        device: &DeviceId,
        offer: &UploadOffer,
        now: Timestamp,
    ) -> Result<UploadStatus, ApiError> {
        if offer.len == 0 || offer.len > MAX_PACKAGE_LEN {
            return Err(ApiError::new(
                ErrorCode::TooLarge,
                "a package must hold 1 byte to 9 MiB",
            ));
        }
        let id = offer.package_id;
        let mut tx = self.write.begin().await?;
        if let Some((owner, _, receipt)) = Self::stored_receipt(&mut tx, id).await? {
            if owner != device.as_str() || receipt.receipt.sha256 != offer.sha256 {
                let e = Self::log_conflict(&mut tx, id, device, &offer.sha256, now).await?;
                tx.commit().await?;
                return Err(e);
            }
            let len = offer.len;
            return Ok(UploadStatus {
                package_id: id,
                len,
                offset: len,
                receipt: Some(receipt),
            });
        }
        let upload = sqlx::query(
            "SELECT device_id, sha256, len, received FROM uploads WHERE package_id = $1",
        )
        .bind(id.to_bytes().as_slice())
        .fetch_optional(&mut *tx)
        .await?;
        let offset = match upload {
            Some(row) => {
                let owner: String = row.try_get("device_id")?;
                let len: i64 = row.try_get("len")?;
                if owner != device.as_str()
                    || blob32(&row, "sha256")? != offer.sha256
                    || len_u64(len) != offer.len
                {
                    let e = Self::log_conflict(&mut tx, id, device, &offer.sha256, now).await?;
                    tx.commit().await?;
                    return Err(e);
                }
                len_u64(row.try_get("received")?)
            }
            None => {
                sqlx::query(
                    "INSERT INTO uploads (package_id, device_id, sha256, len, started_at_ms) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id.to_bytes().as_slice())
                .bind(device.as_str())
                .bind(offer.sha256.as_slice())
                .bind(len_i64(offer.len)?)
                .bind(now.unix_millis())
                .execute(&mut *tx)
                .await?;
                0
            }
        };
        tx.commit().await?;
        Ok(UploadStatus {
            package_id: id,
            len: offer.len,
            offset,
            receipt: None,
        })
    }

    /// Where `device`'s upload of `id` stands.
    pub async fn upload_status(
        &self,
        device: &DeviceId,
        id: PackageId,
    ) -> Result<UploadStatus, ApiError> {
        let mut tx = self.write.begin().await?;
        if let Some((owner, len, receipt)) = Self::stored_receipt(&mut tx, id).await?
            && owner == device.as_str()
        {
            return Ok(UploadStatus {
                package_id: id,
                len,
                offset: len,
                receipt: Some(receipt),
            });
        }
        let row = sqlx::query(
            "SELECT len, received FROM uploads WHERE package_id = $1 AND device_id = $2",
        )
        .bind(id.to_bytes().as_slice())
        .bind(device.as_str())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("no upload of {id}")))?;
        Ok(UploadStatus {
            package_id: id,
            len: len_u64(row.try_get("len")?),
            offset: len_u64(row.try_get("received")?),
            receipt: None,
        })
    }

    /// Takes one chunk of `device`'s upload of `id`; the last one completes it (verify,
    /// decrypt, store, sign the receipt) in the same transaction.
    pub async fn put_chunk(
        &self,
        device: &DeviceId,
        id: PackageId,
        range: &ContentRange,
        chunk: &[u8],
        check: PackageCheck<'_>,
        now: Timestamp,
    ) -> Result<UploadStatus, ApiError> {
        if range.len() > MAX_CHUNK_LEN {
            return Err(ApiError::new(
                ErrorCode::TooLarge,
                "a chunk may hold at most 1 MiB",
            ));
        }
        if u64::try_from(chunk.len()).ok() != Some(range.len()) {
            return Err(ApiError::new(
                ErrorCode::BadRequest,
                "the chunk's length differs from its Content-Range",
            ));
        }
        let mut tx = self.write.begin().await?;
        if let Some((owner, len, receipt)) = Self::stored_receipt(&mut tx, id).await?
            && owner == device.as_str()
            && range.total == len
        {
            return Ok(UploadStatus {
                package_id: id,
                len: range.total,
                offset: range.total,
                receipt: Some(receipt),
            });
        }
        let row = sqlx::query(
            "SELECT sha256, len, received FROM uploads WHERE package_id = $1 AND device_id = $2",
        )
        .bind(id.to_bytes().as_slice())
        .bind(device.as_str())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::NotFound,
                format!("no upload of {id}: offer it first"),
            )
        })?;
        let len = len_u64(row.try_get("len")?);
        let mut received = len_u64(row.try_get("received")?);
        let sha256 = blob32(&row, "sha256")?;
        if range.total != len {
            return Err(ApiError::new(
                ErrorCode::BadRequest,
                "the Content-Range total differs from the offered length",
            ));
        }
        match place(range, received) {
            ChunkPlacement::AlreadyHeld => {}
            ChunkPlacement::Mismatch => {
                return Err(ApiError {
                    offset: Some(received),
                    ..ApiError::new(
                        ErrorCode::RangeMismatch,
                        format!("the upload of {id} stands at byte {received}"),
                    )
                });
            }
            ChunkPlacement::Append => {
                sqlx::query(
                    "INSERT INTO upload_chunks (package_id, offset_bytes, bytes) VALUES ($1, $2, $3)",
                )
                .bind(id.to_bytes().as_slice())
                .bind(len_i64(range.first)?)
                .bind(chunk)
                .execute(&mut *tx)
                .await?;
                received = range.end();
                sqlx::query("UPDATE uploads SET received = $1 WHERE package_id = $2")
                    .bind(len_i64(received)?)
                    .bind(id.to_bytes().as_slice())
                    .execute(&mut *tx)
                    .await?;
            }
        }
        if received < len {
            tx.commit().await?;
            return Ok(UploadStatus {
                package_id: id,
                len,
                offset: received,
                receipt: None,
            });
        }
        let outcome = Self::complete(&mut tx, device, id, &sha256, check, now).await;
        match outcome {
            Ok(receipt) => {
                tx.commit().await?;
                Ok(UploadStatus {
                    package_id: id,
                    len,
                    offset: len,
                    receipt: Some(receipt),
                })
            }
            Err(refusal) => {
                // A bad package is not kept, half or whole: the kiosk starts again or
                // quarantines it.
                for sql in [
                    "DELETE FROM upload_chunks WHERE package_id = $1",
                    "DELETE FROM uploads WHERE package_id = $1",
                ] {
                    sqlx::query(sql)
                        .bind(id.to_bytes().as_slice())
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                tracing::warn!(package = %id, device = %device, code = %refusal.code, "upload refused");
                Err(refusal)
            }
        }
    }

    /// Assembles, checks and stores a fully received package; returns its signed receipt.
    async fn complete(
        tx: &mut Transaction<'_, Any>,
        device: &DeviceId,
        id: PackageId,
        sha256: &[u8; 32],
        check: PackageCheck<'_>,
        now: Timestamp,
    ) -> Result<SignedReceipt, ApiError> {
        let PackageCheck { keys, trust_store } = check;
        let chunks: Vec<Vec<u8>> = sqlx::query_scalar(
            "SELECT bytes FROM upload_chunks WHERE package_id = $1 ORDER BY offset_bytes",
        )
        .bind(id.to_bytes().as_slice())
        .fetch_all(&mut **tx)
        .await?;
        let bytes = chunks.concat();
        if Sha256::digest(&bytes).as_slice() != sha256.as_slice() {
            return Err(ApiError::new(
                ErrorCode::DigestMismatch,
                format!("the bytes of {id} do not match the offered SHA-256; send it again"),
            ));
        }
        let rejected =
            |what: &str| ApiError::new(ErrorCode::PackageRejected, format!("package {id}: {what}"));
        let len = len_i64(u64::try_from(bytes.len()).unwrap_or(u64::MAX))?;
        let package = SealedPackage::from_bytes(bytes).map_err(|e| rejected(&e.to_string()))?;
        let header = package.header().clone();
        if header.package_id != id {
            return Err(rejected("the header names another package id"));
        }
        if &header.device != device {
            return Err(rejected("the package was sealed by another kiosk"));
        }
        let key: Vec<u8> = sqlx::query_scalar("SELECT device_key FROM kiosks WHERE device_id = $1")
            .bind(device.as_str())
            .fetch_one(&mut **tx)
            .await?;
        let key = <[u8; 32]>::try_from(key.as_slice())
            .ok()
            .and_then(|k| DeviceVerifyingKey::from_bytes(&k).ok())
            .ok_or_else(|| ApiError::new(ErrorCode::Internal, "a stored kiosk key is malformed"))?;
        let opened = enroll::package::open(&package, &key, &keys.package)
            .map_err(|e| rejected(&e.to_string()))?;
        let passive_auth = opened
            .enrollment
            .chip()
            .map(|chip| passive_authentication(&chip.evidence, trust_store));
        let source = match opened.manifest.source {
            DataSource::Chip => "chip",
            DataSource::QrOnly => "qr_only",
        };
        let seq: i64 = sqlx::query_scalar(
            "UPDATE kiosks SET packages_received = packages_received + 1 WHERE device_id = $1 \
             RETURNING packages_received",
        )
        .bind(device.as_str())
        .fetch_one(&mut **tx)
        .await?;
        let receipt = keys.receipt.sign(Receipt {
            package_id: id,
            sha256: *sha256,
            device: device.clone(),
            received_at: now,
            sequence: len_u64(seq),
        });
        sqlx::query(
            "INSERT INTO packages (package_id, device_id, device_seq, sha256, len, sealed, \
             created_at_ms, received_at_ms, group_id, operator_id, source, receipt_signature, \
             passive_auth) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(id.to_bytes().as_slice())
        .bind(device.as_str())
        .bind(seq)
        .bind(sha256.as_slice())
        .bind(len)
        .bind(package.as_bytes())
        .bind(header.created_at.unix_millis())
        .bind(now.unix_millis())
        .bind(header.group.as_str())
        .bind(header.operator.as_str())
        .bind(source)
        .bind(receipt.signature.as_slice())
        .bind(passive_auth)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO status_log (package_id, device_id, status, at_ms) \
             VALUES ($1, $2, 'received', $3)",
        )
        .bind(id.to_bytes().as_slice())
        .bind(device.as_str())
        .bind(now.unix_millis())
        .execute(&mut **tx)
        .await?;
        for sql in [
            "DELETE FROM upload_chunks WHERE package_id = $1",
            "DELETE FROM uploads WHERE package_id = $1",
        ] {
            sqlx::query(sql)
                .bind(id.to_bytes().as_slice())
                .execute(&mut **tx)
                .await?;
        }
        Ok(receipt)
    }

    /// `device`'s status changes after `since`, at most `limit`.
    pub async fn status_changes(
        &self,
        device: &DeviceId,
        since: u64,
        limit: u32,
    ) -> Result<Vec<StatusChange>, ApiError> {
        let rows = sqlx::query(
            "SELECT cursor, package_id, status, at_ms, approved_on, reason FROM status_log \
             WHERE device_id = $1 AND cursor > $2 ORDER BY cursor LIMIT $3",
        )
        .bind(device.as_str())
        .bind(i64::try_from(since).unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(&self.read)
        .await?;
        let bad = || ApiError::new(ErrorCode::Internal, "a stored status is malformed");
        rows.iter()
            .map(|r| {
                let status: String = r.try_get("status")?;
                let status = match status.as_str() {
                    "received" => ApplicationStatus::Received,
                    "approved" => ApplicationStatus::Approved {
                        approved_on: r
                            .try_get::<Option<String>, _>("approved_on")?
                            .ok_or_else(bad)?,
                    },
                    "rejected" => ApplicationStatus::Rejected {
                        reason: r
                            .try_get::<Option<String>, _>("reason")?
                            .and_then(|c| ReasonCode::new(c).ok())
                            .ok_or_else(bad)?,
                    },
                    "activated" => ApplicationStatus::Activated,
                    _ => return Err(bad()),
                };
                Ok(StatusChange {
                    cursor: len_u64(r.try_get("cursor")?),
                    package_id: package_id_of(r)?,
                    at: Timestamp::from_unix_millis(r.try_get("at_ms")?),
                    status,
                })
            })
            .collect()
    }

    /// The write pool, for the review simulation.
    pub(crate) fn writer(&self) -> &Pool<Any> {
        &self.write
    }
}
