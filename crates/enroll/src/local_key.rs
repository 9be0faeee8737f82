//! The kiosk's local data key, and the follow-up data it protects.
//!
//! After the back office acknowledges a package its body is purged, but the commune officer
//! still needs to call citizens who were approved and never activated (issue 8). What those
//! screens need — name, phone, masked ID — is kept in the queue encrypted under a local AEAD key
//! (XChaCha20-Poly1305, random 192-bit nonces, the package id as associated data). Other local
//! data (the reports' contact notes) is sealed under the same key with
//! [`LocalKey::seal_bytes`], each use naming itself in its associated data.
//!
//! Where the key lives ([`LocalKey::load_or_create`]): **in the OS keyring where one exists**
//! (the freedesktop Secret Service: GNOME Keyring, KWallet; see [`keyring`]), else in a
//! 32-byte file created with mode 0600 (readable only by the app's user); the choice, and why,
//! is logged. A key kept in the keyring leaves a marker file (no secret in it) where the key
//! file would be, so a later start that cannot reach the keyring reports it instead of quietly
//! making a new key that could not open the data sealed before. A key file, once there, is
//! always used: a kiosk that started on a file keeps it.

pub mod keyring;
pub mod transport;

use crate::enrollment::Enrollment;
use crate::package::PackageId;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use keyring::{KeyringEntry, KeyringError};
use serde::{Deserialize, Serialize};
use std::ffi::OsString;
use std::fmt;
use std::fs;
use std::io::{self, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// The key length in bytes.
const KEY_LEN: usize = 32;
/// The nonce length in bytes.
pub const NONCE_LEN: usize = 24;
/// What the marker of a key kept in the keyring says (it holds no secret).
const MARKER_TEXT: &str =
    "The local data key of this kiosk is kept in the OS keyring (Secret Service), not here.\n";

/// Why the local key or a follow-up record could not be used.
#[derive(Debug, thiserror::Error)]
pub enum LocalKeyError {
    /// Reading or writing the key file failed.
    #[error("the local data key file could not be read or written: {0}")]
    Io(io::ErrorKind),
    /// The key file is readable or writable by group or others.
    #[error("the local data key file is accessible to other users (mode {0:o}); it must be 0600")]
    TooOpen(u32),
    /// The key file (or the keyring's secret) is not exactly 32 bytes.
    #[error("the local data key is not a 32-byte key")]
    Malformed,
    /// The key is kept in the OS keyring (its marker file says so) and the keyring cannot be
    /// used now: no new key is made, since it could not open what the old one sealed.
    #[error(
        "the local data key is kept in the OS keyring, which cannot be used now ({0}); start the kiosk in the desktop session that unlocks it"
    )]
    KeyringUnavailable(KeyringError),
    /// The marker file says the key is in the OS keyring, and the keyring no longer has it.
    #[error(
        "the OS keyring no longer holds the local data key: data sealed under it cannot be read; remove the marker file to start a new key"
    )]
    KeyringKeyMissing,
    /// The operating system's random source failed.
    #[error("the system random source failed")]
    Random,
    /// Decryption failed: another key, another package id or label, or altered bytes.
    #[error("the local record cannot be decrypted with this key")]
    DecryptionFailed,
    /// The record decrypted but is not a follow-up record.
    #[error("the follow-up record is malformed")]
    MalformedRecord,
    /// A key export's passphrase is shorter than [`transport::MIN_PASSPHRASE_CHARS`].
    #[error(
        "the passphrase must have at least {} characters",
        transport::MIN_PASSPHRASE_CHARS
    )]
    PassphraseTooShort,
    /// An exported key does not open: another passphrase, or a damaged or foreign file.
    #[error("the exported key does not open with this passphrase (or the file is damaged)")]
    ExportUnreadable,
    /// There is no key to export: no key file, and no marker of a key in the OS keyring.
    #[error("there is no local data key to export")]
    NoKey,
    /// A key import would replace the key already kept here (in its file or the OS keyring).
    #[error("a different local data key is already kept here; it is not replaced")]
    KeyAlreadyKept,
}

impl From<io::Error> for LocalKeyError {
    fn from(e: io::Error) -> Self {
        Self::Io(e.kind())
    }
}

/// Whether [`LocalKey::load_or_create`] found a key or made one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOrigin {
    /// An existing key was loaded.
    Loaded,
    /// No key existed; a new key was generated and stored.
    Created,
}

/// Where the local data key is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyStore {
    /// The OS keyring (freedesktop Secret Service).
    SecretService,
    /// A 32-byte file with mode 0600.
    File,
}

/// The local data key.
#[derive(Clone)]
pub struct LocalKey {
    cipher: XChaCha20Poly1305,
    store: KeyStore,
}

impl LocalKey {
    /// The key for the data directory's key file `path`: from the OS keyring where one is
    /// reachable (created there on first use), else from the 0600 file at `path` (created if
    /// missing). An existing key file is always used. The choice is logged.
    pub fn load_or_create(path: &Path) -> Result<(Self, KeyOrigin), LocalKeyError> {
        match fs::OpenOptions::new().read(true).open(path) {
            Ok(file) => return Self::loaded_from_file(file),
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e.into()),
            Err(_) => {}
        }
        let marker = marker_path(path);
        let marked = fs::symlink_metadata(&marker).is_ok();
        let entry = KeyringEntry::local_data_key(&location(path));
        match entry.find() {
            Ok(Some(secret)) => {
                let key = Self::from_bytes(&secret, KeyStore::SecretService)?;
                if !marked {
                    write_private(&marker, MARKER_TEXT.as_bytes())?;
                }
                tracing::info!(
                    store = "secret-service",
                    "local data key loaded from the OS keyring"
                );
                Ok((key, KeyOrigin::Loaded))
            }
            Ok(None) if marked => Err(LocalKeyError::KeyringKeyMissing),
            Err(e) if marked => Err(LocalKeyError::KeyringUnavailable(e)),
            Ok(None) => match Self::create_in_keyring(&entry) {
                Ok(key) => {
                    write_private(&marker, MARKER_TEXT.as_bytes())?;
                    tracing::info!(
                        store = "secret-service",
                        "local data key created in the OS keyring"
                    );
                    Ok((key, KeyOrigin::Created))
                }
                Err(e) => Self::created_in_file(path, &e),
            },
            Err(e) => Self::created_in_file(path, &e),
        }
    }

    /// The key from the 0600 file at `path` only, created there if missing; the OS keyring is
    /// not consulted. For tools and tests that must not touch the user's keyring.
    pub fn load_or_create_file(path: &Path) -> Result<(Self, KeyOrigin), LocalKeyError> {
        match fs::OpenOptions::new().read(true).open(path) {
            Ok(file) => Self::loaded_from_file(file),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let key = Self::create_file(path)?;
                tracing::info!(
                    store = "file-0600",
                    "local data key created in a file readable only by this user (OS keyring not consulted)"
                );
                Ok((key, KeyOrigin::Created))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Where this key is kept.
    pub fn store(&self) -> KeyStore {
        self.store
    }

    fn loaded_from_file(file: fs::File) -> Result<(Self, KeyOrigin), LocalKeyError> {
        let key = Self::read(file)?;
        tracing::info!(
            store = "file-0600",
            "local data key loaded from a file readable only by this user"
        );
        Ok((key, KeyOrigin::Loaded))
    }

    fn created_in_file(
        path: &Path,
        keyring: &KeyringError,
    ) -> Result<(Self, KeyOrigin), LocalKeyError> {
        let key = Self::create_file(path)?;
        tracing::info!(
            store = "file-0600",
            reason = %keyring,
            "no usable OS keyring: local data key created in a file readable only by this user"
        );
        Ok((key, KeyOrigin::Created))
    }

    fn from_bytes(bytes: &[u8], store: KeyStore) -> Result<Self, LocalKeyError> {
        if bytes.len() != KEY_LEN {
            return Err(LocalKeyError::Malformed);
        }
        XChaCha20Poly1305::new_from_slice(bytes)
            .map(|cipher| Self { cipher, store })
            .map_err(|_| LocalKeyError::Malformed)
    }

    fn read(file: fs::File) -> Result<Self, LocalKeyError> {
        Self::from_bytes(&read_key_file(file)?, KeyStore::File)
    }

    fn random_key() -> Result<Zeroizing<Vec<u8>>, LocalKeyError> {
        let mut key = Zeroizing::new(vec![0u8; KEY_LEN]);
        getrandom::fill(key.as_mut_slice()).map_err(|_| LocalKeyError::Random)?;
        Ok(key)
    }

    /// A new key stored in the keyring, kept only once the keyring gives the same bytes back.
    fn create_in_keyring(entry: &KeyringEntry) -> Result<Self, KeyringError> {
        let key = Self::random_key().map_err(|e| KeyringError::Refused(e.to_string()))?;
        entry.store(key.clone())?;
        match entry.find()? {
            Some(back) if back.as_slice() == key.as_slice() => {
                Self::from_bytes(&key, KeyStore::SecretService)
                    .map_err(|e| KeyringError::Refused(e.to_string()))
            }
            _ => Err(KeyringError::Refused(
                "the stored key did not read back".to_owned(),
            )),
        }
    }

    fn create_file(path: &Path) -> Result<Self, LocalKeyError> {
        let key = Self::random_key()?;
        write_private(path, &key)?;
        Self::from_bytes(&key, KeyStore::File)
    }

    /// Encrypts `plaintext` bound to `associated_data`: opening needs the same associated data,
    /// so each use names itself there (and what the record belongs to), and a record cannot be
    /// moved to another place or use.
    pub fn seal_bytes(
        &self,
        associated_data: &[u8],
        plaintext: &[u8],
    ) -> Result<LocalSealed, LocalKeyError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|_| LocalKeyError::Random)?;
        let ciphertext = self
            .cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad: associated_data,
                },
            )
            .map_err(|_| LocalKeyError::DecryptionFailed)?;
        Ok(LocalSealed { nonce, ciphertext })
    }

    /// Decrypts what [`Self::seal_bytes`] sealed with the same `associated_data`.
    pub fn open_bytes(
        &self,
        associated_data: &[u8],
        sealed: &LocalSealed,
    ) -> Result<Zeroizing<Vec<u8>>, LocalKeyError> {
        self.cipher
            .decrypt(
                &XNonce::from(sealed.nonce),
                Payload {
                    msg: &sealed.ciphertext,
                    aad: associated_data,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| LocalKeyError::DecryptionFailed)
    }

    /// Encrypts `record` for the package `id`.
    pub fn seal(&self, id: PackageId, record: &FollowUp) -> Result<LocalSealed, LocalKeyError> {
        let mut plaintext = Zeroizing::new(Vec::with_capacity(512));
        ciborium::into_writer(record, &mut *plaintext)
            .map_err(|_| LocalKeyError::MalformedRecord)?;
        self.seal_bytes(&id.to_bytes(), &plaintext)
    }

    /// Decrypts the follow-up record of package `id`.
    pub fn open(&self, id: PackageId, sealed: &LocalSealed) -> Result<FollowUp, LocalKeyError> {
        let plaintext = self.open_bytes(&id.to_bytes(), sealed)?;
        ciborium::from_reader(plaintext.as_slice()).map_err(|_| LocalKeyError::MalformedRecord)
    }
}

impl fmt::Debug for LocalKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LocalKey(<secret>, {:?})", self.store)
    }
}

/// The bytes of a key file, refused when others may read it.
fn read_key_file(mut file: fs::File) -> Result<Zeroizing<Vec<u8>>, LocalKeyError> {
    let mode = file.metadata()?.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(LocalKeyError::TooOpen(mode));
    }
    let mut bytes = Zeroizing::new(Vec::with_capacity(KEY_LEN + 1));
    Read::take(&mut file, KEY_LEN as u64 + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The marker left where the key file would be when the key is in the keyring.
fn marker_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".in-keyring");
    PathBuf::from(name)
}

/// The keyring entry's `location` attribute: the key file's absolute path, so two data
/// directories on one machine keep two keys.
fn location(path: &Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .to_string_lossy()
        .into_owned()
}

/// Writes `bytes` to `path` with mode 0600: beside it first, flushed, then renamed, so a
/// crash leaves no file or a whole one, never a short key.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), LocalKeyError> {
    let mut tmp: OsString = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let _ = fs::remove_file(&tmp);
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// What the follow-up screens show for one enrollment. Personal data: masked in `Debug`,
/// wiped on drop, stored only as [`LocalSealed`].
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
pub struct FollowUp {
    /// Full name.
    pub full_name: String,
    /// Mobile phone, 10 digits.
    pub phone: String,
    /// The ID number with all but its last three digits hidden.
    pub id_masked: String,
}

impl FollowUp {
    /// The follow-up data of an enrollment.
    pub fn of(enrollment: &Enrollment) -> Self {
        Self {
            full_name: enrollment.citizen().full_name().to_owned(),
            phone: enrollment.form().phone().as_str().to_owned(),
            id_masked: enrollment.citizen().id_number().masked(),
        }
    }
}

impl fmt::Debug for FollowUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FollowUp(<redacted>)")
    }
}

/// Bytes sealed under the local key (a follow-up record, a contact note): what is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct LocalSealed {
    nonce: [u8; NONCE_LEN],
    ciphertext: Vec<u8>,
}

impl LocalSealed {
    /// From stored parts; `None` if the nonce is not [`NONCE_LEN`] bytes.
    pub fn from_parts(nonce: &[u8], ciphertext: Vec<u8>) -> Option<Self> {
        let nonce = <[u8; NONCE_LEN]>::try_from(nonce).ok()?;
        Some(Self { nonce, ciphertext })
    }

    /// The random nonce, to store beside the ciphertext.
    pub fn nonce(&self) -> &[u8] {
        &self.nonce
    }

    /// The ciphertext with its authentication tag.
    pub fn ciphertext(&self) -> &[u8] {
        &self.ciphertext
    }
}

impl fmt::Debug for LocalSealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LocalSealed({} bytes)", self.ciphertext.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::citizen::DataSource;
    use crate::enrollment::tests::sample_enrollment;
    use crate::package::PackageId;
    use crate::timestamp::Timestamp;

    fn id() -> PackageId {
        PackageId::new(
            Timestamp::from_unix_millis(1_790_000_000_000),
            &mut rand_core::UnwrapErr(getrandom::SysRng),
        )
    }

    #[test]
    fn key_file_is_created_0600_and_loaded_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("local.key");
        let (key, origin) = LocalKey::load_or_create_file(&path).expect("creates");
        assert_eq!(origin, KeyOrigin::Created);
        let mode = fs::metadata(&path).map(|m| m.permissions().mode() & 0o777);
        assert_eq!(mode.ok(), Some(0o600));
        let record = FollowUp::of(&sample_enrollment(DataSource::Chip));
        let id = id();
        let sealed = key.seal(id, &record).expect("seals");
        let (again, origin) = LocalKey::load_or_create_file(&path).expect("loads");
        assert_eq!(origin, KeyOrigin::Loaded);
        assert_eq!(again.open(id, &sealed).expect("opens"), record);
        assert_eq!(record.id_masked, "*********456");
    }

    #[test]
    fn a_key_file_others_can_read_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("local.key");
        LocalKey::load_or_create_file(&path).expect("creates");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).expect("chmod");
        assert!(matches!(
            LocalKey::load_or_create_file(&path),
            Err(LocalKeyError::TooOpen(0o644))
        ));
    }

    #[test]
    fn a_short_key_file_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("local.key");
        fs::write(&path, [7u8; 31]).expect("write");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).expect("chmod");
        assert!(matches!(
            LocalKey::load_or_create_file(&path),
            Err(LocalKeyError::Malformed)
        ));
    }

    #[test]
    fn a_record_opens_only_for_its_package_and_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (key, _) = LocalKey::load_or_create_file(&dir.path().join("a.key")).expect("creates");
        let (other, _) = LocalKey::load_or_create_file(&dir.path().join("b.key")).expect("creates");
        let record = FollowUp::of(&sample_enrollment(DataSource::QrOnly));
        let id = id();
        let sealed = key.seal(id, &record).expect("seals");
        assert!(matches!(
            other.open(id, &sealed),
            Err(LocalKeyError::DecryptionFailed)
        ));
        assert!(matches!(
            key.open(super::tests::id(), &sealed),
            Err(LocalKeyError::DecryptionFailed)
        ));
        let plain = sealed.ciphertext();
        assert!(!plain.windows(10).any(|w| w == b"0912345678"));
        assert_eq!(format!("{record:?}"), "FollowUp(<redacted>)");
    }

    #[test]
    fn sealed_bytes_open_only_with_the_same_associated_data() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (key, _) = LocalKey::load_or_create_file(&dir.path().join("a.key")).expect("creates");
        assert_eq!(key.store(), KeyStore::File);
        let sealed = key
            .seal_bytes(b"vneid-kiosk/test/v1\0row-7", b"chi Lan 0987654321")
            .expect("seals");
        assert!(!sealed.ciphertext().windows(10).any(|w| w == b"0987654321"));
        assert_eq!(
            key.open_bytes(b"vneid-kiosk/test/v1\0row-7", &sealed)
                .expect("opens")
                .as_slice(),
            b"chi Lan 0987654321"
        );
        assert!(matches!(
            key.open_bytes(b"vneid-kiosk/test/v1\0row-8", &sealed),
            Err(LocalKeyError::DecryptionFailed)
        ));
        let copy = key.clone();
        assert!(
            copy.open_bytes(b"vneid-kiosk/test/v1\0row-7", &sealed)
                .is_ok()
        );
        assert_eq!(format!("{key:?}"), "LocalKey(<secret>, File)");
    }

    #[test]
    fn the_keyring_marker_sits_beside_the_key_file_and_holds_no_secret() {
        assert_eq!(
            marker_path(Path::new("/data/followup.key")),
            PathBuf::from("/data/followup.key.in-keyring")
        );
        assert!(!MARKER_TEXT.is_empty() && MARKER_TEXT.is_ascii());
        assert!(location(Path::new("rel/followup.key")).starts_with('/'));
    }
}
