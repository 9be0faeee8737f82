//! Who called which citizen, when, with what outcome, and the officer's note: the follow-up
//! lists show the latest contact beside each citizen.
//!
//! Stored in its own SQLite file next to the queue (the queue's schema belongs to `enroll` and
//! is not touched), created on open with `CREATE TABLE IF NOT EXISTS`: no migrations. The note
//! is free text and may hold personal data, so it is stored only sealed under the kiosk's local
//! data key (`enroll::local_key`: OS keyring or 0600 file; XChaCha20-Poly1305 with a random
//! nonce), the associated data binding it to its package, time, operator and outcome, so a note
//! cannot be moved to another row. The other columns are ids, codes and times.

use enroll::ids::OperatorId;
use enroll::local_key::{LocalKey, LocalKeyError, LocalSealed};
use enroll::package::PackageId;
use enroll::timestamp::Timestamp;
use sqlx::Row;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::time::Duration;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// The longest note kept, in characters.
pub const MAX_NOTE_CHARS: usize = 500;

/// Why the contact log failed. Never carries a note's text.
#[derive(Debug, thiserror::Error)]
pub enum ContactError {
    /// The notes key could not be loaded, or sealing failed.
    #[error("contact notes key: {0}")]
    Key(LocalKeyError),
    /// A note does not decrypt (another key, or altered bytes).
    #[error("a contact note cannot be decrypted with this key")]
    Undecryptable,
    /// A note longer than [`MAX_NOTE_CHARS`].
    #[error("the note is longer than 500 characters")]
    NoteTooLong,
    /// A stored row is invalid.
    #[error("a stored contact entry is invalid")]
    Corrupt,
    /// The database failed.
    #[error("contact log database error: {0}")]
    Database(String),
}

impl From<sqlx::Error> for ContactError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::Database(db) => ContactError::Database(db.message().to_owned()),
            other => ContactError::Database(other.to_string()),
        }
    }
}

impl From<LocalKeyError> for ContactError {
    fn from(e: LocalKeyError) -> Self {
        match e {
            LocalKeyError::DecryptionFailed => ContactError::Undecryptable,
            other => ContactError::Key(other),
        }
    }
}

/// The key that seals contact notes: a kiosk local data key. Pass the kiosk's follow-up key
/// (`NotesKey::from`) so one key serves both.
#[derive(Debug)]
pub struct NotesKey(LocalKey);

impl From<LocalKey> for NotesKey {
    fn from(key: LocalKey) -> Self {
        Self(key)
    }
}

impl NotesKey {
    /// A local data key of its own at `path` (`enroll::local_key::LocalKey::load_or_create`:
    /// the OS keyring where one is reachable, else a 0600 file). Returns whether it was created.
    pub fn load_or_create(path: &Path) -> Result<(Self, bool), ContactError> {
        let (key, origin) = LocalKey::load_or_create(path)?;
        Ok((Self(key), origin == enroll::local_key::KeyOrigin::Created))
    }
}

/// How a contact attempt went (a code, so no personal data hides in it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContactOutcome {
    /// Spoke to the citizen.
    Reached,
    /// No answer; try again.
    NoAnswer,
    /// The number is wrong or out of service (seed 001: changed phone or SIM).
    WrongNumber,
    /// The citizen will come to the counter (to activate with help, or to enroll again).
    WillVisit,
    /// The citizen says it is done (activated elsewhere; the back office will confirm).
    ReportsDone,
}

impl ContactOutcome {
    /// Every outcome.
    pub const ALL: [ContactOutcome; 5] = [
        Self::Reached,
        Self::NoAnswer,
        Self::WrongNumber,
        Self::WillVisit,
        Self::ReportsDone,
    ];

    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reached => "reached",
            Self::NoAnswer => "no-answer",
            Self::WrongNumber => "wrong-number",
            Self::WillVisit => "will-visit",
            Self::ReportsDone => "reports-done",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// The label on screen and in lists.
    pub fn label(self, lang: crate::locale::Lang) -> &'static str {
        use crate::locale::Lang::*;
        match (self, lang) {
            (Self::Reached, Vi) => "Đã liên hệ được",
            (Self::NoAnswer, Vi) => "Không nghe máy",
            (Self::WrongNumber, Vi) => "Sai số / thuê bao",
            (Self::WillVisit, Vi) => "Hẹn đến bộ phận một cửa",
            (Self::ReportsDone, Vi) => "Công dân báo đã kích hoạt",
            (Self::Reached, En) => "Reached",
            (Self::NoAnswer, En) => "No answer",
            (Self::WrongNumber, En) => "Wrong or dead number",
            (Self::WillVisit, En) => "Will come to the counter",
            (Self::ReportsDone, En) => "Says it is activated",
        }
    }
}

/// An officer's free-text note: personal data, hidden from `Debug`, wiped on drop.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Note(String);

impl Note {
    /// A note of at most [`MAX_NOTE_CHARS`] characters (trimmed).
    pub fn new(text: &str) -> Result<Self, ContactError> {
        let t = text.trim();
        if t.chars().count() > MAX_NOTE_CHARS {
            return Err(ContactError::NoteTooLong);
        }
        Ok(Self(t.to_owned()))
    }

    /// The text, for the screen that shows it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Note(<redacted>)")
    }
}

/// One contact attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactEntry {
    /// The application.
    pub package: PackageId,
    /// When.
    pub at: Timestamp,
    /// Who called.
    pub operator: OperatorId,
    /// How it went.
    pub outcome: ContactOutcome,
    /// The note.
    pub note: Note,
}

/// The contact log.
#[derive(Debug)]
pub struct ContactLog {
    pool: SqlitePool,
    key: NotesKey,
}

fn aad(
    package: PackageId,
    at: Timestamp,
    operator: &OperatorId,
    outcome: ContactOutcome,
) -> Vec<u8> {
    let mut a = Vec::with_capacity(64);
    a.extend_from_slice(b"vneid-kiosk/reports/contact-note/v1\0");
    a.extend_from_slice(&package.to_bytes());
    a.extend_from_slice(&at.unix_millis().to_be_bytes());
    a.extend_from_slice(operator.as_str().as_bytes());
    a.push(0);
    a.extend_from_slice(outcome.as_str().as_bytes());
    a
}

impl ContactLog {
    /// Opens (or creates) the contact log database at `path`, with `key` for the notes.
    pub async fn open(path: &Path, key: NotesKey) -> Result<Self, ContactError> {
        let connect = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10))
            .pragma("secure_delete", "ON");
        let pool = SqlitePoolOptions::new()
            .max_connections(2)
            .connect_with(connect)
            .await?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS contact_notes (
                 seq         INTEGER PRIMARY KEY,
                 package_id  BLOB    NOT NULL CHECK (length(package_id) = 16),
                 at_ms       INTEGER NOT NULL,
                 operator_id TEXT    NOT NULL,
                 outcome     TEXT    NOT NULL,
                 nonce       BLOB    NOT NULL CHECK (length(nonce) = 24),
                 ciphertext  BLOB    NOT NULL
             )",
        )
        .execute(&pool)
        .await?;
        sqlx::query(
            "CREATE INDEX IF NOT EXISTS contact_notes_package ON contact_notes (package_id, seq)",
        )
        .execute(&pool)
        .await?;
        Ok(Self { pool, key })
    }

    /// Records a contact attempt with its note (encrypted before it is written).
    pub async fn record(
        &self,
        package: PackageId,
        operator: &OperatorId,
        outcome: ContactOutcome,
        note: &Note,
        now: Timestamp,
    ) -> Result<(), ContactError> {
        let sealed = self
            .key
            .0
            .seal_bytes(&aad(package, now, operator, outcome), note.0.as_bytes())?;
        sqlx::query(
            "INSERT INTO contact_notes (package_id, at_ms, operator_id, outcome, nonce, ciphertext) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(package.to_bytes().as_slice())
        .bind(now.unix_millis())
        .bind(operator.as_str())
        .bind(outcome.as_str())
        .bind(sealed.nonce())
        .bind(sealed.ciphertext())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    fn entry(&self, row: &SqliteRow) -> Result<ContactEntry, ContactError> {
        let id: Vec<u8> = row.try_get("package_id")?;
        let package = PackageId::from_bytes(
            <[u8; 16]>::try_from(id.as_slice()).map_err(|_| ContactError::Corrupt)?,
        );
        let at = Timestamp::from_unix_millis(row.try_get("at_ms")?);
        let operator = OperatorId::new(row.try_get::<String, _>("operator_id")?)
            .map_err(|_| ContactError::Corrupt)?;
        let outcome = ContactOutcome::parse(&row.try_get::<String, _>("outcome")?)
            .ok_or(ContactError::Corrupt)?;
        let nonce: Vec<u8> = row.try_get("nonce")?;
        let sealed = LocalSealed::from_parts(&nonce, row.try_get("ciphertext")?)
            .ok_or(ContactError::Corrupt)?;
        let plain = self
            .key
            .0
            .open_bytes(&aad(package, at, &operator, outcome), &sealed)?;
        let text = std::str::from_utf8(&plain).map_err(|_| ContactError::Corrupt)?;
        Ok(ContactEntry {
            package,
            at,
            operator,
            outcome,
            note: Note(text.to_owned()),
        })
    }

    /// Every contact attempt for `package`, oldest first.
    pub async fn history(&self, package: PackageId) -> Result<Vec<ContactEntry>, ContactError> {
        let rows = sqlx::query("SELECT * FROM contact_notes WHERE package_id = ? ORDER BY seq")
            .bind(package.to_bytes().as_slice())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| self.entry(r)).collect()
    }

    /// The latest contact attempt of every package that has one.
    pub async fn latest_all(&self) -> Result<HashMap<PackageId, ContactEntry>, ContactError> {
        let rows = sqlx::query(
            "SELECT * FROM contact_notes WHERE seq IN \
             (SELECT max(seq) FROM contact_notes GROUP BY package_id)",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = HashMap::with_capacity(rows.len());
        for r in &rows {
            let e = self.entry(r)?;
            out.insert(e.package, e);
        }
        Ok(out)
    }

    /// Closes the database.
    pub async fn close(self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A notes key from a 0600 file only (tests leave the user's keyring alone).
    fn file_key(path: &Path) -> NotesKey {
        let (key, _) = LocalKey::load_or_create_file(path).expect("key");
        NotesKey::from(key)
    }

    fn pid(n: u8) -> PackageId {
        PackageId::from_bytes([n; 16])
    }

    #[tokio::test]
    async fn notes_are_stored_encrypted_and_read_back_latest_first() {
        let dir = tempfile::tempdir().expect("tempdir");
        let key = file_key(&dir.path().join("notes.key"));
        let db = dir.path().join("contacts.db");
        let log = ContactLog::open(&db, key).await.expect("open");
        let op = OperatorId::new("op-1").expect("op");
        let secret = "Gọi lúc 9h, chị Lan đổi số 0987654321";
        log.record(
            pid(1),
            &op,
            ContactOutcome::NoAnswer,
            &Note::new("lần 1").expect("n"),
            Timestamp::from_unix_millis(1_000),
        )
        .await
        .expect("record");
        log.record(
            pid(1),
            &op,
            ContactOutcome::Reached,
            &Note::new(secret).expect("n"),
            Timestamp::from_unix_millis(2_000),
        )
        .await
        .expect("record");
        log.record(
            pid(2),
            &op,
            ContactOutcome::WillVisit,
            &Note::new("").expect("n"),
            Timestamp::from_unix_millis(3_000),
        )
        .await
        .expect("record");
        let hist = log.history(pid(1)).await.expect("history");
        assert_eq!(hist.len(), 2);
        assert_eq!(hist[1].note.as_str(), secret);
        let latest = log.latest_all().await.expect("latest");
        assert_eq!(latest.len(), 2);
        assert_eq!(
            latest.get(&pid(1)).map(|e| e.outcome),
            Some(ContactOutcome::Reached)
        );
        assert_eq!(format!("{:?}", hist[1].note), "Note(<redacted>)");
        log.close().await;
        for f in ["contacts.db", "contacts.db-wal"] {
            if let Ok(bytes) = std::fs::read(dir.path().join(f)) {
                assert!(
                    !bytes.windows(10).any(|w| w == b"0987654321"),
                    "{f} holds the note in clear"
                );
            }
        }
        let key = file_key(&dir.path().join("notes.key"));
        let log = ContactLog::open(&db, key).await.expect("reopen");
        assert_eq!(
            log.history(pid(1)).await.expect("history")[1].note.as_str(),
            secret
        );
    }

    #[tokio::test]
    async fn another_key_cannot_read_the_notes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("contacts.db");
        let key = file_key(&dir.path().join("a.key"));
        let log = ContactLog::open(&db, key).await.expect("open");
        let op = OperatorId::new("op-1").expect("op");
        log.record(
            pid(1),
            &op,
            ContactOutcome::Reached,
            &Note::new("x").expect("n"),
            Timestamp::from_unix_millis(1),
        )
        .await
        .expect("record");
        log.close().await;
        let other = file_key(&dir.path().join("b.key"));
        let log = ContactLog::open(&db, other).await.expect("open");
        assert!(matches!(
            log.history(pid(1)).await,
            Err(ContactError::Undecryptable)
        ));
    }

    #[test]
    fn open_key_files_and_long_notes_are_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("notes.key");
        file_key(&path);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        assert!(matches!(
            NotesKey::load_or_create(&path),
            Err(ContactError::Key(LocalKeyError::TooOpen(0o640)))
        ));
        assert!(matches!(
            Note::new(&"a".repeat(501)),
            Err(ContactError::NoteTooLong)
        ));
        assert!(Note::new(&"ă".repeat(500)).is_ok());
    }
}
