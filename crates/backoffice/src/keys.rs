//! The back office's two secrets: the X25519 key packages are encrypted to, and the Ed25519 key
//! that signs receipts. Kept as hex files readable only by the server's user, generated on
//! first start.

use enroll::package::BackOfficeSecretKey;
use getrandom::SysRng;
use rand_core::UnwrapErr;
use std::fs;
use std::io::Write;
use std::path::Path;
use sync::receipt::ReceiptSigner;
use zeroize::Zeroizing;

const PACKAGE_KEY_FILE: &str = "package-x25519.key";
const RECEIPT_KEY_FILE: &str = "receipt-ed25519.key";

/// Why the keys could not be loaded or created.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// Reading or writing a key file failed.
    #[error("key file {file}: {source}")]
    Io {
        /// The file name.
        file: &'static str,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A key file does not hold a key.
    #[error("key file {0} does not hold a 32-byte key in hex")]
    Malformed(&'static str),
}

/// The back office's keys.
pub struct OfficeKeys {
    /// Opens packages.
    pub package: BackOfficeSecretKey,
    /// Signs receipts.
    pub receipt: ReceiptSigner,
}

impl std::fmt::Debug for OfficeKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OfficeKeys")
            .field("receipt", &self.receipt)
            .finish_non_exhaustive()
    }
}

impl OfficeKeys {
    /// Fresh keys.
    pub fn generate() -> Self {
        let mut rng = UnwrapErr(SysRng);
        let (package, _) = BackOfficeSecretKey::generate(&mut rng);
        Self {
            package,
            receipt: ReceiptSigner::generate(&mut rng),
        }
    }

    /// Loads the keys from `dir`, creating them (mode 0600) when absent.
    pub fn load_or_create(dir: &Path) -> Result<Self, KeyFileError> {
        let io = |file| move |source| KeyFileError::Io { file, source };
        fs::create_dir_all(dir).map_err(io("key directory"))?;
        let package_path = dir.join(PACKAGE_KEY_FILE);
        let receipt_path = dir.join(RECEIPT_KEY_FILE);
        if !package_path.exists() && !receipt_path.exists() {
            let keys = Self::generate();
            write_secret(&package_path, &keys.package.to_bytes()).map_err(io(PACKAGE_KEY_FILE))?;
            write_secret(&receipt_path, &keys.receipt.to_seed()).map_err(io(RECEIPT_KEY_FILE))?;
            return Ok(keys);
        }
        let package = read_secret(&package_path, PACKAGE_KEY_FILE)?;
        let receipt = read_secret(&receipt_path, RECEIPT_KEY_FILE)?;
        Ok(Self {
            package: BackOfficeSecretKey::from_bytes(package.as_slice())
                .map_err(|_| KeyFileError::Malformed(PACKAGE_KEY_FILE))?,
            receipt: ReceiptSigner::from_seed(&receipt),
        })
    }
}

pub(crate) fn write_secret(path: &Path, bytes: &[u8; 32]) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(Zeroizing::new(hex::encode(bytes)).as_bytes())?;
    file.sync_all()
}

pub(crate) fn read_secret(
    path: &Path,
    file: &'static str,
) -> Result<Zeroizing<[u8; 32]>, KeyFileError> {
    let text = Zeroizing::new(
        fs::read_to_string(path).map_err(|source| KeyFileError::Io { file, source })?,
    );
    let mut out = Zeroizing::new([0u8; 32]);
    hex::decode_to_slice(text.trim(), out.as_mut_slice())
        .map_err(|_| KeyFileError::Malformed(file))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_created_once_then_loaded_unchanged() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = OfficeKeys::load_or_create(dir.path()).expect("created");
        let again = OfficeKeys::load_or_create(dir.path()).expect("loaded");
        assert_eq!(first.receipt.key(), again.receipt.key());
        assert_eq!(first.package.public_key(), again.package.public_key());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join(PACKAGE_KEY_FILE))
                .expect("exists")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_damaged_key_file_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        OfficeKeys::load_or_create(dir.path()).expect("created");
        fs::write(dir.path().join(RECEIPT_KEY_FILE), "not hex").expect("write");
        assert!(matches!(
            OfficeKeys::load_or_create(dir.path()),
            Err(KeyFileError::Malformed(RECEIPT_KEY_FILE))
        ));
    }
}
