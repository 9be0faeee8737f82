//! The local data key carried to another PC. A backup copies a key file as it is, but a key
//! kept in the OS keyring leaves only its marker in the data directory, so what it sealed
//! (follow-up names, contact notes) would not open on a replacement PC. [`export`] seals the
//! key under a passphrase the technician chooses; [`import`] puts it back on the new PC, into
//! its OS keyring where one is reachable (with the marker), else into a 0600 key file.
//!
//! Format (108 bytes): `VNEIDLK1`; Argon2id's memory in KiB, passes and lanes (u32
//! little-endian each); a 16-byte salt; then the key sealed as [`LocalKey::seal_bytes`] does
//! (24-byte nonce, XChaCha20-Poly1305) under the 32-byte Argon2id output of the passphrase and
//! salt, with everything before the nonce as associated data. The passphrase is never stored.

use super::keyring::KeyringEntry;
use super::{
    KEY_LEN, KeyStore, LocalKey, LocalKeyError, LocalSealed, MARKER_TEXT, NONCE_LEN, location,
    marker_path, read_key_file, write_private,
};
use argon2::{Algorithm, Argon2, Params, Version};
use std::fs;
use std::io;
use std::path::Path;
use zeroize::Zeroizing;

/// The shortest passphrase an export takes.
pub const MIN_PASSPHRASE_CHARS: usize = 12;

const MAGIC: &[u8; 8] = b"VNEIDLK1";
const SALT_LEN: usize = 16;
const HEADER_LEN: usize = MAGIC.len() + 12 + SALT_LEN;
/// An export's Argon2id cost: 64 MiB, 3 passes, 1 lane (well over a second of an attacker's
/// work per guess on a kiosk PC's class of processor).
const COST: (u32, u32, u32) = (64 * 1024, 3, 1);
/// The most an import spends, whatever a file claims: 1 GiB, 16 passes, 8 lanes.
const MAX_COST: (u32, u32, u32) = (1024 * 1024, 16, 8);

/// A key's bytes and where they are kept.
type KeptKey = (Zeroizing<Vec<u8>>, KeyStore);

/// The key kept for the key file `path` (the file, or the OS keyring its marker points to),
/// sealed under `passphrase` for transport. Nothing is created: no key is [`LocalKeyError::NoKey`].
pub fn export(path: &Path, passphrase: &str) -> Result<Vec<u8>, LocalKeyError> {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(LocalKeyError::PassphraseTooShort);
    }
    let key = kept_key(path)?.ok_or(LocalKeyError::NoKey)?;
    let mut salt = [0u8; SALT_LEN];
    getrandom::fill(&mut salt).map_err(|_| LocalKeyError::Random)?;
    let mut out = Vec::with_capacity(HEADER_LEN + NONCE_LEN + KEY_LEN + 16);
    out.extend_from_slice(MAGIC);
    for n in [COST.0, COST.1, COST.2] {
        out.extend_from_slice(&n.to_le_bytes());
    }
    out.extend_from_slice(&salt);
    let sealed = transport_key(passphrase, &salt, COST)?.seal_bytes(&out, &key)?;
    out.extend_from_slice(sealed.nonce());
    out.extend_from_slice(sealed.ciphertext());
    Ok(out)
}

/// Puts the key `exported` holds back for the key file `path` on this PC: into the OS keyring
/// where one is reachable (and the marker beside `path`), else into the 0600 file `path` (and
/// any marker a restore brought is removed). The same key already kept there is fine; a
/// different one is [`LocalKeyError::KeyAlreadyKept`] and nothing changes.
pub fn import(path: &Path, exported: &[u8], passphrase: &str) -> Result<KeyStore, LocalKeyError> {
    let key = open(exported, passphrase)?;
    let marker = marker_path(path);
    if let Some((kept, store)) = kept_key_with_store(path)? {
        return if kept.as_slice() == key.as_slice() {
            Ok(store)
        } else {
            Err(LocalKeyError::KeyAlreadyKept)
        };
    }
    let entry = KeyringEntry::local_data_key(&location(path));
    match entry.store(key.clone()).and_then(|()| entry.find()) {
        Ok(Some(back)) if back.as_slice() == key.as_slice() => {
            write_private(&marker, MARKER_TEXT.as_bytes())?;
            tracing::info!(
                store = "secret-service",
                "local data key imported into the OS keyring"
            );
            Ok(KeyStore::SecretService)
        }
        outcome => {
            let reason = match outcome {
                Err(e) => e.to_string(),
                Ok(_) => "the stored key did not read back".to_owned(),
            };
            write_private(path, &key)?;
            match fs::remove_file(&marker) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e.into()),
                _ => {}
            }
            tracing::info!(
                store = "file-0600",
                %reason,
                "no usable OS keyring: local data key imported into a file readable only by this user"
            );
            Ok(KeyStore::File)
        }
    }
}

/// `Ok` when `passphrase` opens `exported` and the OS keyring holds no different key for the
/// key file `path`: what [`import`] needs beyond `path`'s own directory, checked before a
/// restore moves or writes anything.
pub fn check(path: &Path, exported: &[u8], passphrase: &str) -> Result<(), LocalKeyError> {
    let key = open(exported, passphrase)?;
    match KeyringEntry::local_data_key(&location(path)).find() {
        Ok(Some(kept)) if kept.as_slice() != key.as_slice() => Err(LocalKeyError::KeyAlreadyKept),
        _ => Ok(()),
    }
}

/// The 32 key bytes `exported` holds, if `passphrase` opens it.
fn open(exported: &[u8], passphrase: &str) -> Result<Zeroizing<Vec<u8>>, LocalKeyError> {
    let unreadable = || LocalKeyError::ExportUnreadable;
    let header = exported.get(..HEADER_LEN).ok_or_else(unreadable)?;
    if header.get(..MAGIC.len()) != Some(MAGIC.as_slice()) {
        return Err(unreadable());
    }
    let word = |i: usize| -> Result<u32, LocalKeyError> {
        let at = MAGIC.len() + 4 * i;
        let bytes = header.get(at..at + 4).ok_or_else(unreadable)?;
        Ok(u32::from_le_bytes(
            bytes.try_into().map_err(|_| unreadable())?,
        ))
    };
    let cost = (word(0)?, word(1)?, word(2)?);
    if cost.0 > MAX_COST.0 || cost.1 > MAX_COST.1 || cost.2 > MAX_COST.2 {
        return Err(unreadable());
    }
    let salt = header.get(HEADER_LEN - SALT_LEN..).ok_or_else(unreadable)?;
    let rest = exported.get(HEADER_LEN..).ok_or_else(unreadable)?;
    let nonce = rest.get(..NONCE_LEN).ok_or_else(unreadable)?;
    let ciphertext = rest.get(NONCE_LEN..).ok_or_else(unreadable)?.to_vec();
    let sealed = LocalSealed::from_parts(nonce, ciphertext).ok_or_else(unreadable)?;
    let key = transport_key(passphrase, salt, cost)?
        .open_bytes(header, &sealed)
        .map_err(|_| unreadable())?;
    if key.len() != KEY_LEN {
        return Err(unreadable());
    }
    Ok(key)
}

/// The key that seals an export: Argon2id of the passphrase and salt at `cost`.
fn transport_key(
    passphrase: &str,
    salt: &[u8],
    (memory, passes, lanes): (u32, u32, u32),
) -> Result<LocalKey, LocalKeyError> {
    let params = Params::new(memory, passes, lanes, Some(KEY_LEN))
        .map_err(|_| LocalKeyError::ExportUnreadable)?;
    let mut derived = Zeroizing::new([0u8; KEY_LEN]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), salt, derived.as_mut_slice())
        .map_err(|_| LocalKeyError::ExportUnreadable)?;
    LocalKey::from_bytes(derived.as_slice(), KeyStore::File)
}

/// The key kept for `path`, if any.
fn kept_key(path: &Path) -> Result<Option<Zeroizing<Vec<u8>>>, LocalKeyError> {
    Ok(kept_key_with_store(path)?.map(|(key, _)| key))
}

/// The key kept for `path` and where: its file, else the OS keyring when its marker is there
/// (a marked key the keyring cannot give is an error, as for [`LocalKey::load_or_create`]),
/// else the keyring's entry for `path` if one is reachable and holds it.
fn kept_key_with_store(path: &Path) -> Result<Option<KeptKey>, LocalKeyError> {
    match fs::OpenOptions::new().read(true).open(path) {
        Ok(file) => return Ok(Some((read_key_file(file)?, KeyStore::File))),
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e.into()),
        Err(_) => {}
    }
    let marked = fs::symlink_metadata(marker_path(path)).is_ok();
    match KeyringEntry::local_data_key(&location(path)).find() {
        Ok(found) => Ok(found.map(|key| (key, KeyStore::SecretService))),
        Err(e) if marked => Err(LocalKeyError::KeyringUnavailable(e)),
        Err(_) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSPHRASE: &str = "ca-sáng thứ hai 2026";

    /// A key file in a fresh directory (the OS keyring is not consulted).
    fn key_file() -> (tempfile::TempDir, std::path::PathBuf, LocalKey) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("followup.key");
        let (key, _) = LocalKey::load_or_create_file(&path).expect("key file");
        (dir, path, key)
    }

    #[test]
    fn an_export_opens_only_with_its_passphrase_and_holds_the_key() {
        let (dir, path, key) = key_file();
        let exported = export(&path, PASSPHRASE).expect("exported");
        assert_eq!(exported.len(), HEADER_LEN + NONCE_LEN + KEY_LEN + 16);
        let file_bytes = fs::read(&path).expect("key file");
        assert!(
            !exported
                .windows(KEY_LEN)
                .any(|w| w == file_bytes.as_slice()),
            "the key is not in the clear"
        );
        let opened = open(&exported, PASSPHRASE).expect("opens");
        assert_eq!(opened.as_slice(), file_bytes.as_slice());
        let record = key.seal_bytes(b"test", b"Nguyen Van A").expect("sealed");
        let again = LocalKey::from_bytes(&opened, KeyStore::File).expect("key");
        assert_eq!(
            again
                .open_bytes(b"test", &record)
                .expect("opens")
                .as_slice(),
            b"Nguyen Van A"
        );
        let elsewhere = dir.path().join("elsewhere.key");
        assert!(matches!(
            check(&elsewhere, &exported, "another passphrase"),
            Err(LocalKeyError::ExportUnreadable)
        ));
        assert!(check(&elsewhere, &exported, PASSPHRASE).is_ok());
    }

    #[test]
    fn a_short_passphrase_or_no_key_is_refused() {
        let (_dir, path, _) = key_file();
        assert!(matches!(
            export(&path, "short"),
            Err(LocalKeyError::PassphraseTooShort)
        ));
        let empty = tempfile::tempdir().expect("tempdir");
        let missing = empty.path().join("followup.key");
        assert!(matches!(
            export(&missing, PASSPHRASE),
            Err(LocalKeyError::NoKey) | Err(LocalKeyError::KeyringUnavailable(_))
        ));
    }

    #[test]
    fn altered_truncated_or_costly_exports_are_refused_without_panicking() {
        let (_dir, path, _) = key_file();
        let exported = export(&path, PASSPHRASE).expect("exported");
        for cut in [0, 7, HEADER_LEN, HEADER_LEN + NONCE_LEN, exported.len() - 1] {
            let short = exported.get(..cut).expect("prefix");
            assert!(
                matches!(
                    open(short, PASSPHRASE),
                    Err(LocalKeyError::ExportUnreadable)
                ),
                "{cut}"
            );
        }
        for at in [0, HEADER_LEN - 1, HEADER_LEN + 3, exported.len() - 1] {
            let mut altered = exported.clone();
            if let Some(b) = altered.get_mut(at) {
                *b ^= 0x01;
            }
            assert!(
                matches!(
                    open(&altered, PASSPHRASE),
                    Err(LocalKeyError::ExportUnreadable)
                ),
                "byte {at}"
            );
        }
        let mut costly = exported.clone();
        if let Some(m) = costly.get_mut(MAGIC.len()..MAGIC.len() + 4) {
            m.copy_from_slice(&u32::MAX.to_le_bytes());
        }
        assert!(matches!(
            open(&costly, PASSPHRASE),
            Err(LocalKeyError::ExportUnreadable)
        ));
    }

    #[test]
    fn an_import_keeps_a_different_key_already_there() {
        let (_dir, path, _) = key_file();
        let (_other_dir, other, _) = key_file();
        let exported = export(&other, PASSPHRASE).expect("exported");
        let before = fs::read(&path).expect("key");
        assert!(matches!(
            import(&path, &exported, PASSPHRASE),
            Err(LocalKeyError::KeyAlreadyKept)
        ));
        assert_eq!(fs::read(&path).expect("key"), before, "nothing replaced");
        let own = export(&path, PASSPHRASE).expect("exported");
        assert_eq!(
            import(&path, &own, PASSPHRASE).expect("the same key"),
            KeyStore::File
        );
    }
}
