//! The local data key in a real OS keyring: a Secret Service (GNOME Keyring) on a private
//! D-Bus session. Ignored by plain `cargo test`; `crates/enroll/tests/with-secret-service.sh`
//! starts the session and the keyring and runs it.

use enroll::local_key::{KeyOrigin, KeyStore, LocalKey, LocalKeyError};
use secret_service::{EncryptionType, SecretService};
use std::collections::HashMap;

/// The keyring items holding the local data key for `path`, as another client sees them.
async fn items_for(path: &std::path::Path) -> Vec<Vec<u8>> {
    let ss = SecretService::connect(EncryptionType::Dh)
        .await
        .expect("the test's Secret Service");
    let location = path.to_string_lossy().into_owned();
    let found = ss
        .search_items(HashMap::from([
            ("application", "vneid-kiosk"),
            ("purpose", "local-data-key"),
            ("location", location.as_str()),
        ]))
        .await
        .expect("search");
    assert!(found.locked.is_empty());
    let mut secrets = Vec::new();
    for item in &found.unlocked {
        secrets.push(item.get_secret().await.expect("secret"));
    }
    secrets
}

async fn delete_items_for(path: &std::path::Path) {
    let ss = SecretService::connect(EncryptionType::Dh)
        .await
        .expect("the test's Secret Service");
    let location = path.to_string_lossy().into_owned();
    let found = ss
        .search_items(HashMap::from([("location", location.as_str())]))
        .await
        .expect("search");
    for item in &found.unlocked {
        item.delete().await.expect("delete");
    }
}

#[tokio::test]
#[ignore = "needs a Secret Service: run crates/enroll/tests/with-secret-service.sh"]
async fn the_local_key_round_trips_through_the_os_keyring_and_no_key_file_is_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("followup.key");
    let (key, origin) = LocalKey::load_or_create(&path).expect("created in the keyring");
    assert_eq!(
        (key.store(), origin),
        (KeyStore::SecretService, KeyOrigin::Created)
    );
    assert!(!path.exists(), "no key file is written");
    let marker = std::fs::read(dir.path().join("followup.key.in-keyring")).expect("marker");
    let stored = items_for(&path).await;
    assert_eq!(stored.len(), 1, "one keyring item for this data directory");
    let secret = stored.first().cloned().unwrap_or_default();
    assert_eq!(secret.len(), 32);
    assert!(
        !marker.windows(8).any(|w| secret.windows(8).any(|s| s == w)),
        "the marker holds none of the key"
    );

    let sealed = key
        .seal_bytes(b"vneid-kiosk/test/v1", b"follow-up data")
        .expect("seal");
    let (again, origin) = LocalKey::load_or_create(&path).expect("loaded from the keyring");
    assert_eq!(
        (again.store(), origin),
        (KeyStore::SecretService, KeyOrigin::Loaded)
    );
    assert_eq!(
        again
            .open_bytes(b"vneid-kiosk/test/v1", &sealed)
            .expect("the keyring's key opens what the first one sealed")
            .as_slice(),
        b"follow-up data"
    );
    assert!(!path.exists());

    // Another data directory gets its own key.
    let other = dir.path().join("other.key");
    let (third, _) = LocalKey::load_or_create(&other).expect("second key");
    assert!(third.open_bytes(b"vneid-kiosk/test/v1", &sealed).is_err());

    // If the keyring loses the key, the kiosk says so instead of making a new one.
    delete_items_for(&path).await;
    assert!(matches!(
        LocalKey::load_or_create(&path),
        Err(LocalKeyError::KeyringKeyMissing)
    ));
    assert!(!path.exists());
}

#[tokio::test]
#[ignore = "needs a Secret Service: run crates/enroll/tests/with-secret-service.sh"]
async fn a_key_in_the_keyring_is_exported_under_a_passphrase_and_imported_into_another_data_directory()
 {
    use enroll::local_key::transport;
    let old_pc = tempfile::tempdir().expect("tempdir");
    let path = old_pc.path().join("followup.key");
    let (key, _) = LocalKey::load_or_create(&path).expect("created in the keyring");
    assert_eq!(key.store(), KeyStore::SecretService);
    let sealed = key
        .seal_bytes(b"vneid-kiosk/test/v1", b"follow-up data")
        .expect("seal");
    let exported = transport::export(&path, "mật khẩu chuyển máy 2026").expect("exported");
    assert!(!path.exists(), "the export writes no key file");

    // The new PC's data directory holds only the marker a backup carried.
    let new_pc = tempfile::tempdir().expect("tempdir");
    let moved = new_pc.path().join("followup.key");
    std::fs::copy(
        old_pc.path().join("followup.key.in-keyring"),
        new_pc.path().join("followup.key.in-keyring"),
    )
    .expect("marker");
    assert!(matches!(
        LocalKey::load_or_create(&moved),
        Err(LocalKeyError::KeyringKeyMissing)
    ));
    assert!(matches!(
        transport::import(&moved, &exported, "not the passphrase"),
        Err(LocalKeyError::ExportUnreadable)
    ));
    // A data directory whose place in this keyring already holds another key is refused at the
    // check, before a restore writes anything.
    let taken = new_pc.path().join("taken.key");
    LocalKey::load_or_create(&taken).expect("another key in the keyring");
    assert!(matches!(
        transport::check(&taken, &exported, "mật khẩu chuyển máy 2026"),
        Err(LocalKeyError::KeyAlreadyKept)
    ));
    transport::check(&moved, &exported, "mật khẩu chuyển máy 2026").expect("free place");
    assert_eq!(
        transport::import(&moved, &exported, "mật khẩu chuyển máy 2026").expect("imported"),
        KeyStore::SecretService
    );
    assert!(!moved.exists(), "kept in the keyring, not in a file");
    assert_eq!(items_for(&moved).await.len(), 1);
    let (imported, origin) = LocalKey::load_or_create(&moved).expect("loaded");
    assert_eq!(
        (imported.store(), origin),
        (KeyStore::SecretService, KeyOrigin::Loaded)
    );
    assert_eq!(
        imported
            .open_bytes(b"vneid-kiosk/test/v1", &sealed)
            .expect("the imported key opens what the old PC sealed")
            .as_slice(),
        b"follow-up data"
    );
    delete_items_for(&path).await;
    delete_items_for(&moved).await;
    delete_items_for(&taken).await;
}
