//! Backup and restore of the kiosk's data directory, safe while the kiosk runs.
//!
//! A backup is a directory: `queue.sqlite` as a consistent snapshot taken with SQLite's
//! `VACUUM INTO` (readers never block the kiosk's writers in WAL mode, so enrollments go on
//! while it runs), every other top-level file of the data directory (the device signing key,
//! the back office's keys, the follow-up key, the residential groups, the sync cursor), and a
//! `MANIFEST.txt` with each file's size and SHA-256. It holds the device key: whoever has it
//! can sign packages as this kiosk. Every file is written 0600 in a 0700 directory; keep
//! backups on media only the technician holds.
//!
//! The local data keys (follow-up names, contact notes) may live in the OS keyring, which a
//! file copy cannot reach: with a passphrase, a backup carries each of them sealed under it
//! (`<key file>.sealed`, `enroll::local_key::transport`) instead of the key file or its keyring
//! marker, and restore puts them into the new PC's keyring, or 0600 files where it has none.
//!
//! Restore checks the manifest, copies into a staging directory beside the data directory,
//! opens the copy (SQLite integrity check, migrations) and verifies the audit chain, and only
//! then moves it into place, so a failed restore leaves the data directory as it was.

use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use enroll::audit::AuditError;
use enroll::local_key::{LocalKeyError, transport};
use enroll::queue::{Queue, QueueError};
use enroll::state::EnrollmentState;
use kiosk_config::Config;
use sha2::{Digest, Sha256};

use crate::store::QUEUE_FILE;

/// The manifest's file name inside a backup.
pub const MANIFEST_FILE: &str = "MANIFEST.txt";
/// The manifest's first line (format version).
const MANIFEST_HEADER: &str = "vneid-kiosk backup 1";
/// The local data key files a backup can carry sealed under a passphrase.
const LOCAL_KEYS: [&str; 2] = [
    crate::enrollment::FOLLOWUP_KEY_FILE,
    crate::reports_screen::NOTES_KEY_FILE,
];
/// What a sealed key's file name adds to its key file's.
const SEALED: &str = ".sealed";
/// What a keyring marker's file name adds to its key file's.
const IN_KEYRING: &str = ".in-keyring";

/// Why a backup or restore did not happen (no personal data: names of files and counts).
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("there is no queue database in the data directory {0}")]
    NoQueue(PathBuf),
    #[error("{0} is not empty: choose a new directory for the backup")]
    OutNotEmpty(PathBuf),
    #[error("the data directory {0} is not empty: restore refuses to overwrite it without --force")]
    DataDirNotEmpty(PathBuf),
    #[error("a kiosk is running on the data directory {0}: stop it before restoring")]
    KioskRunning(PathBuf),
    #[error("the backup's manifest is missing or malformed: {0}")]
    Manifest(String),
    #[error("the backup's file {0} is missing or does not match its manifest")]
    Damaged(String),
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
    #[error("the queue database: {0}")]
    Queue(#[from] QueueError),
    #[error("the queue database copy: {0}")]
    Snapshot(#[from] sqlx::Error),
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error("the backup holds local data keys sealed under a passphrase: give the passphrase")]
    PassphraseNeeded,
    #[error("local data key {file}: {source}")]
    LocalKey { file: String, source: LocalKeyError },
}

impl BackupError {
    fn io(what: impl std::fmt::Display, path: &Path) -> impl FnOnce(std::io::Error) -> Self {
        let what = format!("{what} {}", path.display());
        move |source| BackupError::Io { what, source }
    }
}

/// What a backup or restore holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Files, the queue database included.
    pub files: usize,
    /// Packages in the queue.
    pub packages: u64,
    /// Packages the back office has not acknowledged yet (queued, uploading, uploaded).
    pub unsent: u64,
    /// Audit log entries, the chain verified.
    pub audit_entries: u64,
    /// Local data keys carried (or put back) sealed under the passphrase.
    pub sealed_keys: usize,
    /// Local data keys that stayed in the OS keyring (a backup without a passphrase holds only
    /// their markers): what they sealed will not open on another PC.
    pub keys_left_in_keyring: usize,
}

/// One file of a backup, as its manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    name: String,
    len: u64,
    sha256: String,
}

/// Takes a backup of `config`'s data directory into `out` (a new or empty directory); with a
/// `passphrase`, the local data keys travel sealed under it.
pub fn backup(
    config: &Config,
    out: &Path,
    passphrase: Option<&str>,
) -> Result<Summary, BackupError> {
    let data = &config.data_dir;
    let queue = data.join(QUEUE_FILE);
    if !queue.is_file() {
        return Err(BackupError::NoQueue(data.clone()));
    }
    make_private_dir(out)?;
    let snapshot = out.join(QUEUE_FILE);
    tauri::async_runtime::block_on(vacuum_into(&queue, &snapshot))?;
    // Checked before it is hashed: opening it may set WAL mode; closing folds the WAL back in.
    let summary = tauri::async_runtime::block_on(check_queue(&snapshot))?;
    for journal in ["-wal", "-shm"] {
        let path = out.join(format!("{QUEUE_FILE}{journal}"));
        if path.exists() {
            std::fs::remove_file(&path).map_err(BackupError::io("cannot remove", &path))?;
        }
    }
    set_private(&snapshot)?;
    let mut entries = vec![entry_of(&snapshot)?];
    let mut sealed_keys = 0;
    let mut carried_sealed = Vec::new();
    if let Some(passphrase) = passphrase {
        for key in LOCAL_KEYS {
            let exported = match transport::export(&data.join(key), passphrase) {
                Err(LocalKeyError::NoKey) => continue,
                exported => exported.map_err(local_key_error(key))?,
            };
            let name = format!("{key}{SEALED}");
            write_private(&out.join(&name), &exported)?;
            entries.push(entry_of(&out.join(&name))?);
            carried_sealed.extend([key.to_string(), format!("{key}{IN_KEYRING}")]);
            sealed_keys += 1;
        }
    }
    for name in state_files(data)? {
        if !carried_sealed.contains(&name) {
            entries.push(copy_private(&data.join(&name), &out.join(&name))?);
        }
    }
    let manifest = render_manifest(config, &entries);
    write_private(&out.join(MANIFEST_FILE), manifest.as_bytes())?;
    sync_dir(out)?;
    let keys_left_in_keyring = LOCAL_KEYS
        .iter()
        .filter(|key| {
            entries
                .iter()
                .any(|e| e.name == format!("{key}{IN_KEYRING}"))
        })
        .count();
    let summary = Summary {
        files: entries.len(),
        sealed_keys,
        keys_left_in_keyring,
        ..summary
    };
    tracing::info!(
        files = summary.files,
        packages = summary.packages,
        unsent = summary.unsent,
        sealed_keys,
        keys_left_in_keyring,
        "backup written"
    );
    Ok(summary)
}

fn local_key_error(file: &str) -> impl FnOnce(LocalKeyError) -> BackupError {
    let file = file.to_string();
    move |source| BackupError::LocalKey { file, source }
}

/// The local data keys `from` holds sealed under a passphrase (their key file names).
pub fn sealed_keys(from: &Path) -> Result<Vec<&'static str>, BackupError> {
    let entries = read_manifest(from)?;
    Ok(LOCAL_KEYS
        .into_iter()
        .filter(|key| entries.iter().any(|e| e.name == format!("{key}{SEALED}")))
        .collect())
}

/// Restores the backup in `from` into `config`'s data directory, which must be empty or
/// missing unless `force` (then the old one is kept beside it, renamed, and its new name
/// returned). Local data keys the backup holds sealed need the `passphrase` they were sealed
/// under; it is checked before anything is written.
pub fn restore(
    config: &Config,
    from: &Path,
    force: bool,
    passphrase: Option<&str>,
) -> Result<(Summary, Option<PathBuf>), BackupError> {
    let data = &config.data_dir;
    let entries = read_manifest(from)?;
    for entry in &entries {
        if entry_of(&from.join(&entry.name)).ok().as_ref() != Some(entry) {
            return Err(BackupError::Damaged(entry.name.clone()));
        }
    }
    let mut sealed = Vec::new();
    for key in sealed_keys(from)? {
        let passphrase = passphrase.ok_or(BackupError::PassphraseNeeded)?;
        let path = from.join(format!("{key}{SEALED}"));
        let bytes = std::fs::read(&path).map_err(BackupError::io("cannot read", &path))?;
        transport::check(&data.join(key), &bytes, passphrase).map_err(local_key_error(key))?;
        sealed.push((key, bytes, passphrase));
    }
    if crate::kiosk_mode::RunLock::is_held(data) {
        return Err(BackupError::KioskRunning(data.clone()));
    }
    let occupied = std::fs::read_dir(data).is_ok_and(|mut d| d.next().is_some());
    if occupied && !force {
        return Err(BackupError::DataDirNotEmpty(data.clone()));
    }
    let staging = sibling(data, &format!("restore-{}", std::process::id()))?;
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(BackupError::io("cannot clear", &staging))?;
    }
    make_private_dir(&staging)?;
    let staged = (|| {
        for entry in entries.iter().filter(|e| !e.name.ends_with(SEALED)) {
            if copy_private(&from.join(&entry.name), &staging.join(&entry.name))? != *entry {
                return Err(BackupError::Damaged(entry.name.clone()));
            }
        }
        sync_dir(&staging)?;
        tauri::async_runtime::block_on(async {
            let summary = check_queue(&staging.join(QUEUE_FILE)).await?;
            record_restore(&staging.join(QUEUE_FILE), from).await?;
            Ok(summary)
        })
    })();
    let summary = match staged {
        Ok(summary) => summary,
        Err(err) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(err);
        }
    };
    let kept = if data.exists() {
        if occupied {
            let millis = enroll::timestamp::Timestamp::now().unix_millis();
            let kept = sibling(data, &format!("replaced-{millis}"))?;
            std::fs::rename(data, &kept).map_err(BackupError::io("cannot move aside", data))?;
            Some(kept)
        } else {
            std::fs::remove_dir(data).map_err(BackupError::io("cannot replace", data))?;
            None
        }
    } else {
        None
    };
    std::fs::rename(&staging, data).map_err(BackupError::io("cannot move into place", data))?;
    if let Some(parent) = data.parent() {
        sync_dir(parent)?;
    }
    for (key, bytes, passphrase) in &sealed {
        transport::import(&data.join(key), bytes, passphrase).map_err(local_key_error(key))?;
    }
    let summary = Summary {
        files: entries.len(),
        sealed_keys: sealed.len(),
        ..summary
    };
    tracing::info!(
        files = summary.files,
        packages = summary.packages,
        unsent = summary.unsent,
        replaced = kept.is_some(),
        "data directory restored from a backup"
    );
    Ok((summary, kept))
}

/// `dir` with `.suffix` added to its last component (same parent, so renames stay atomic).
fn sibling(dir: &Path, suffix: &str) -> Result<PathBuf, BackupError> {
    let name = dir
        .file_name()
        .ok_or_else(|| BackupError::Manifest(format!("{} has no folder name", dir.display())))?;
    Ok(dir.with_file_name(format!("{}.{suffix}", name.to_string_lossy())))
}

/// A consistent copy of the live database at `to`, while the kiosk may be writing to it.
async fn vacuum_into(from: &Path, to: &Path) -> Result<(), BackupError> {
    use sqlx::ConnectOptions;
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(from)
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(30))
        .connect()
        .await?;
    let target = to
        .to_str()
        .ok_or_else(|| BackupError::Manifest("the backup path is not UTF-8".into()))?;
    sqlx::query("VACUUM INTO ?")
        .bind(target)
        .execute(&mut conn)
        .await?;
    use sqlx::Connection;
    conn.close().await?;
    Ok(())
}

/// Records the restore in the restored database's audit log: the setting `data-dir.restore`,
/// its new value the backup's device and time (from its manifest).
async fn record_restore(db: &Path, from: &Path) -> Result<(), BackupError> {
    use enroll::audit::{SYSTEM_ACTOR, SettingValue};
    use enroll::ids::{OperatorId, SettingKey};
    let manifest = std::fs::read_to_string(from.join(MANIFEST_FILE)).unwrap_or_default();
    let field = |name: &str| {
        manifest
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
            .unwrap_or("unknown")
            .to_string()
    };
    let value = format!(
        "backup of {} taken at {} ms",
        field("device_id"),
        field("created_at_ms")
    );
    let new = SettingValue::public(&value).unwrap_or(SettingValue::fingerprint(value.as_bytes()));
    let (Ok(actor), Ok(key)) = (
        OperatorId::new(SYSTEM_ACTOR),
        SettingKey::new("data-dir.restore"),
    ) else {
        return Err(BackupError::Manifest("audit identifiers".into()));
    };
    let queue = Queue::open(db).await?;
    let recorded = queue
        .audit()
        .record_setting_change(
            enroll::timestamp::Timestamp::now(),
            &actor,
            &key,
            &SettingValue::Unset,
            &new,
        )
        .await;
    queue.close().await;
    Ok(recorded?)
}

/// Opens the database (integrity check, migrations), verifies the audit chain, counts.
async fn check_queue(path: &Path) -> Result<Summary, BackupError> {
    use EnrollmentState::{Queued, Uploaded, Uploading};
    let queue = Queue::open(path).await?;
    let checked = async {
        let audit_entries = queue.audit().verify().await?;
        let counts = queue.counts().await?;
        Ok::<_, BackupError>(Summary {
            files: 1,
            packages: counts.iter().map(|(_, n)| n).sum(),
            unsent: counts
                .iter()
                .filter(|(s, _)| matches!(s, Queued | Uploading | Uploaded))
                .map(|(_, n)| n)
                .sum(),
            audit_entries,
            sealed_keys: 0,
            keys_left_in_keyring: 0,
        })
    }
    .await;
    queue.close().await;
    checked
}

/// The data directory's state files: every top-level regular file but the database and its
/// journals, temporary files and the running kiosk's lock.
fn state_files(data: &Path) -> Result<Vec<String>, BackupError> {
    let mut names: Vec<String> = std::fs::read_dir(data)
        .map_err(BackupError::io("cannot list", data))?
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|name| {
            !name.starts_with(QUEUE_FILE)
                && !name.starts_with('.')
                && !name.contains(".tmp")
                && name != crate::store::LOCK_FILE
        })
        .collect();
    names.sort();
    Ok(names)
}

fn make_private_dir(dir: &Path) -> Result<(), BackupError> {
    if std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some()) {
        return Err(BackupError::OutNotEmpty(dir.to_path_buf()));
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(BackupError::io("cannot create", dir))?;
    set_private_mode(dir, 0o700)
}

fn set_private(path: &Path) -> Result<(), BackupError> {
    set_private_mode(path, 0o600)
}

fn set_private_mode(path: &Path, mode: u32) -> Result<(), BackupError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(BackupError::io("cannot restrict", path))
}

/// Copies `from` to the new file `to` (mode 0600), returning its manifest entry.
fn copy_private(from: &Path, to: &Path) -> Result<Entry, BackupError> {
    let mut target = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(to)
        .map_err(BackupError::io("cannot create", to))?;
    let (len, sha256) = digest(from, Some((&mut target, to)))?;
    target
        .sync_all()
        .map_err(BackupError::io("cannot write", to))?;
    Ok(Entry {
        name: file_name(to)?,
        len,
        sha256,
    })
}

/// The manifest entry of the file at `path`.
fn entry_of(path: &Path) -> Result<Entry, BackupError> {
    let (len, sha256) = digest(path, None)?;
    Ok(Entry {
        name: file_name(path)?,
        len,
        sha256,
    })
}

/// Size and SHA-256 (hex) of the file at `from`, written on to `copy` as it is read.
fn digest(
    from: &Path,
    mut copy: Option<(&mut std::fs::File, &Path)>,
) -> Result<(u64, String), BackupError> {
    let mut source = std::fs::File::open(from).map_err(BackupError::io("cannot read", from))?;
    let mut hash = Sha256::new();
    let mut len = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = source
            .read(&mut buf)
            .map_err(BackupError::io("cannot read", from))?;
        let Some(chunk) = buf.get(..n).filter(|c| !c.is_empty()) else {
            break;
        };
        hash.update(chunk);
        if let Some((file, path)) = copy.as_mut() {
            file.write_all(chunk)
                .map_err(BackupError::io("cannot write", path))?;
        }
        len += n as u64;
    }
    Ok((len, hex::encode(hash.finalize())))
}

fn file_name(path: &Path) -> Result<String, BackupError> {
    path.file_name()
        .and_then(|n| n.to_str())
        .map(str::to_string)
        .ok_or_else(|| BackupError::Manifest(format!("bad file name {}", path.display())))
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), BackupError> {
    crate::enrollment::write_private(path, bytes).map_err(BackupError::io("cannot write", path))
}

fn sync_dir(dir: &Path) -> Result<(), BackupError> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(BackupError::io("cannot flush", dir))
}

fn render_manifest(config: &Config, entries: &[Entry]) -> String {
    let mut text = format!(
        "{MANIFEST_HEADER}\napp_version {}\ndevice_id {}\ncreated_at_ms {}\n",
        env!("CARGO_PKG_VERSION"),
        config.device_id,
        enroll::timestamp::Timestamp::now().unix_millis()
    );
    for e in entries {
        text.push_str(&format!("file {} {} {}\n", e.sha256, e.len, e.name));
    }
    text
}

/// The files a backup's manifest lists; `queue.sqlite` must be one, and every name a plain
/// file name (no folder, no `..`).
fn read_manifest(dir: &Path) -> Result<Vec<Entry>, BackupError> {
    let path = dir.join(MANIFEST_FILE);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| BackupError::Manifest(format!("{}: {e}", path.display())))?;
    parse_manifest(&text)
}

fn parse_manifest(text: &str) -> Result<Vec<Entry>, BackupError> {
    let bad = |why: &str| BackupError::Manifest(why.to_string());
    let mut lines = text.lines();
    if lines.next() != Some(MANIFEST_HEADER) {
        return Err(bad("not a kiosk backup (first line)"));
    }
    let mut entries = Vec::new();
    for line in lines {
        let Some(rest) = line.strip_prefix("file ") else {
            continue;
        };
        let mut parts = rest.splitn(3, ' ');
        let (Some(sha256), Some(len), Some(name)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad("a file line needs a hash, a size and a name"));
        };
        let len = len
            .parse()
            .map_err(|_| bad("a file size is not a number"))?;
        let plain = !name.is_empty()
            && !name.contains('/')
            && name != "."
            && name != ".."
            && name != MANIFEST_FILE;
        if !plain || sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad("a file line has a bad name or hash"));
        }
        entries.push(Entry {
            name: name.to_string(),
            len,
            sha256: sha256.to_ascii_lowercase(),
        });
    }
    if !entries.iter().any(|e| e.name == QUEUE_FILE) {
        return Err(bad("no queue database listed"));
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    #[test]
    fn manifest_lists_plain_file_names_with_hashes_and_needs_the_queue() {
        let text = format!(
            "{MANIFEST_HEADER}\napp_version 0.1.0\nfile {HASH} 12 queue.sqlite\nfile {HASH} 64 device-ed25519.key\n"
        );
        let entries = parse_manifest(&text).expect("manifest");
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[1].name, "device-ed25519.key");
        assert_eq!(entries[1].len, 64);
        for bad in [
            format!("{MANIFEST_HEADER}\nfile {HASH} 64 device-ed25519.key\n"),
            format!(
                "{MANIFEST_HEADER}\nfile {HASH} 12 queue.sqlite\nfile {HASH} 1 ../etc/passwd\n"
            ),
            format!("{MANIFEST_HEADER}\nfile abc 12 queue.sqlite\n"),
            format!("{MANIFEST_HEADER}\nfile {HASH} many queue.sqlite\n"),
            format!("{MANIFEST_HEADER}\nfile {HASH} 12\n"),
            format!("other header\nfile {HASH} 12 queue.sqlite\n"),
        ] {
            assert!(
                matches!(parse_manifest(&bad), Err(BackupError::Manifest(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn state_files_leave_out_the_database_journals_temporaries_and_the_lock() {
        let dir = tempfile::tempdir().expect("tempdir");
        for name in [
            "queue.sqlite",
            "queue.sqlite-wal",
            "queue.sqlite-shm",
            "followup.key",
            "followup.tmp",
            "device-ed25519.key",
            ".write-probe-1",
            crate::store::LOCK_FILE,
        ] {
            std::fs::write(dir.path().join(name), b"x").expect("write");
        }
        std::fs::create_dir(dir.path().join("logs")).expect("logs");
        assert_eq!(
            state_files(dir.path()).expect("list"),
            ["device-ed25519.key", "followup.key"]
        );
    }
}
