//! The kiosk's local data key, and the follow-up data it protects.
//!
//! After the back office acknowledges a package its body is purged, but the commune officer
//! still needs to call citizens who were approved and never activated (issue 8). What those
//! screens need — name, phone, masked ID — is kept in the queue encrypted under a local AEAD key
//! (XChaCha20-Poly1305, random 192-bit nonces, the package id as associated data).
//!
//! Where the key lives: **an OS keyring (Secret Service, Windows DPAPI/Credential Manager, macOS
//! Keychain, or a TPM-sealed blob) is the better home where one exists**; this module keeps it
//! in a 32-byte file created with mode 0600 (readable only by the app's user), refuses a file
//! others can read, and logs which choice was made.

use crate::enrollment::Enrollment;
use crate::package::PackageId;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::fs;
use std::io::{self, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// The key length in bytes.
const KEY_LEN: usize = 32;
/// The nonce length in bytes.
pub const NONCE_LEN: usize = 24;

/// Why the local key or a follow-up record could not be used.
#[derive(Debug, thiserror::Error)]
pub enum LocalKeyError {
    /// Reading or writing the key file failed.
    #[error("the local data key file could not be read or written: {0}")]
    Io(io::ErrorKind),
    /// The key file is readable or writable by group or others.
    #[error("the local data key file is accessible to other users (mode {0:o}); it must be 0600")]
    TooOpen(u32),
    /// The key file is not exactly 32 bytes.
    #[error("the local data key file is not a 32-byte key")]
    Malformed,
    /// The operating system's random source failed.
    #[error("the system random source failed")]
    Random,
    /// Decryption failed: another key, another package id, or altered bytes.
    #[error("the follow-up record cannot be decrypted with this key")]
    DecryptionFailed,
    /// The record decrypted but is not a follow-up record.
    #[error("the follow-up record is malformed")]
    MalformedRecord,
}

impl From<io::Error> for LocalKeyError {
    fn from(e: io::Error) -> Self {
        Self::Io(e.kind())
    }
}

/// Whether [`LocalKey::load_or_create`] found a key or made one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOrigin {
    /// An existing key file was loaded.
    Loaded,
    /// No key file existed; a new key was generated and written.
    Created,
}

/// The local data key.
pub struct LocalKey(XChaCha20Poly1305);

impl LocalKey {
    /// Loads the key from `path`, or creates it there (mode 0600) if no file exists.
    pub fn load_or_create(path: &Path) -> Result<(Self, KeyOrigin), LocalKeyError> {
        match fs::OpenOptions::new().read(true).open(path) {
            Ok(file) => {
                let key = Self::read(file)?;
                tracing::info!(
                    store = "file-0600",
                    "local data key loaded from a file readable only by this user (no OS keyring used)"
                );
                Ok((key, KeyOrigin::Loaded))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let key = Self::create(path)?;
                tracing::info!(
                    store = "file-0600",
                    "local data key created in a file readable only by this user (no OS keyring used)"
                );
                Ok((key, KeyOrigin::Created))
            }
            Err(e) => Err(e.into()),
        }
    }

    fn read(mut file: fs::File) -> Result<Self, LocalKeyError> {
        let mode = file.metadata()?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(LocalKeyError::TooOpen(mode));
        }
        let mut bytes = Zeroizing::new(Vec::with_capacity(KEY_LEN + 1));
        Read::take(&mut file, KEY_LEN as u64 + 1).read_to_end(&mut bytes)?;
        if bytes.len() != KEY_LEN {
            return Err(LocalKeyError::Malformed);
        }
        XChaCha20Poly1305::new_from_slice(&bytes)
            .map(Self)
            .map_err(|_| LocalKeyError::Malformed)
    }

    fn create(path: &Path) -> Result<Self, LocalKeyError> {
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        getrandom::fill(key.as_mut_slice()).map_err(|_| LocalKeyError::Random)?;
        // Write beside, flush to disk, then rename: a crash leaves either no key file or a
        // whole one, never a short key that would lock the follow-up data away.
        let tmp = path.with_extension("tmp");
        let _ = fs::remove_file(&tmp);
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        file.write_all(key.as_slice())?;
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::File::open(dir)?.sync_all()?;
        }
        XChaCha20Poly1305::new_from_slice(key.as_slice())
            .map(Self)
            .map_err(|_| LocalKeyError::Malformed)
    }

    /// Encrypts `record` for the package `id`.
    pub fn seal(&self, id: PackageId, record: &FollowUp) -> Result<LocalSealed, LocalKeyError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|_| LocalKeyError::Random)?;
        let mut plaintext = Zeroizing::new(Vec::with_capacity(512));
        ciborium::into_writer(record, &mut *plaintext)
            .map_err(|_| LocalKeyError::MalformedRecord)?;
        let aad = id.to_bytes();
        let ciphertext = self
            .0
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: &plaintext,
                    aad: &aad,
                },
            )
            .map_err(|_| LocalKeyError::DecryptionFailed)?;
        Ok(LocalSealed { nonce, ciphertext })
    }

    /// Decrypts the follow-up record of package `id`.
    pub fn open(&self, id: PackageId, sealed: &LocalSealed) -> Result<FollowUp, LocalKeyError> {
        let aad = id.to_bytes();
        let plaintext = Zeroizing::new(
            self.0
                .decrypt(
                    &XNonce::from(sealed.nonce),
                    Payload {
                        msg: &sealed.ciphertext,
                        aad: &aad,
                    },
                )
                .map_err(|_| LocalKeyError::DecryptionFailed)?,
        );
        ciborium::from_reader(plaintext.as_slice()).map_err(|_| LocalKeyError::MalformedRecord)
    }
}

impl fmt::Debug for LocalKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LocalKey(<secret>)")
    }
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

/// A follow-up record encrypted under the local key: what the queue stores.
#[derive(Clone, PartialEq, Eq)]
pub struct LocalSealed {
    nonce: [u8; NONCE_LEN],
    ciphertext: Vec<u8>,
}

impl LocalSealed {
    /// From stored parts.
    pub(crate) fn from_parts(nonce: &[u8], ciphertext: Vec<u8>) -> Option<Self> {
        let nonce = <[u8; NONCE_LEN]>::try_from(nonce).ok()?;
        Some(Self { nonce, ciphertext })
    }

    pub(crate) fn nonce(&self) -> &[u8] {
        &self.nonce
    }

    pub(crate) fn ciphertext(&self) -> &[u8] {
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
        let (key, origin) = LocalKey::load_or_create(&path).expect("creates");
        assert_eq!(origin, KeyOrigin::Created);
        let mode = fs::metadata(&path).map(|m| m.permissions().mode() & 0o777);
        assert_eq!(mode.ok(), Some(0o600));
        let record = FollowUp::of(&sample_enrollment(DataSource::Chip));
        let id = id();
        let sealed = key.seal(id, &record).expect("seals");
        let (again, origin) = LocalKey::load_or_create(&path).expect("loads");
        assert_eq!(origin, KeyOrigin::Loaded);
        assert_eq!(again.open(id, &sealed).expect("opens"), record);
        assert_eq!(record.id_masked, "*********456");
    }

    #[test]
    fn a_key_file_others_can_read_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("local.key");
        LocalKey::load_or_create(&path).expect("creates");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).expect("chmod");
        assert!(matches!(
            LocalKey::load_or_create(&path),
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
            LocalKey::load_or_create(&path),
            Err(LocalKeyError::Malformed)
        ));
    }

    #[test]
    fn a_record_opens_only_for_its_package_and_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (key, _) = LocalKey::load_or_create(&dir.path().join("a.key")).expect("creates");
        let (other, _) = LocalKey::load_or_create(&dir.path().join("b.key")).expect("creates");
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
}
