//! Without an OS keyring the local data key falls back to its 0600 file, at once, and a key
//! that was kept in a keyring is never silently replaced when the keyring is gone.
//!
//! One test in this binary: it points the session bus at a socket that does not exist before
//! any other thread runs.

use enroll::local_key::{KeyOrigin, KeyStore, LocalKey, LocalKeyError};
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

#[test]
fn with_no_session_bus_the_key_falls_back_to_a_0600_file_quickly_and_a_keyring_key_is_not_replaced()
{
    let dir = tempfile::tempdir().expect("tempdir");
    let nowhere = format!("unix:path={}", dir.path().join("no-bus").display());
    // SAFETY: this binary's only test sets the variable before it starts any thread.
    unsafe { std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &nowhere) };

    let path = dir.path().join("followup.key");
    let started = Instant::now();
    let (key, origin) = LocalKey::load_or_create(&path).expect("falls back to the file");
    let took = started.elapsed();
    assert_eq!((key.store(), origin), (KeyStore::File, KeyOrigin::Created));
    assert!(took < Duration::from_secs(2), "fallback took {took:?}");
    let mode = std::fs::metadata(&path).map(|m| m.permissions().mode() & 0o777);
    assert_eq!(mode.ok(), Some(0o600));
    assert!(!dir.path().join("followup.key.in-keyring").exists());
    let sealed = key.seal_bytes(b"test", b"secret").expect("seal");
    let (again, origin) = LocalKey::load_or_create(&path).expect("loads the file");
    assert_eq!((again.store(), origin), (KeyStore::File, KeyOrigin::Loaded));
    assert!(again.open_bytes(b"test", &sealed).is_ok());

    // A kiosk whose key went to the keyring, started where the keyring cannot be reached.
    let kept = dir.path().join("kept.key");
    std::fs::write(dir.path().join("kept.key.in-keyring"), "marker\n").expect("marker");
    match LocalKey::load_or_create(&kept) {
        Err(e @ LocalKeyError::KeyringUnavailable(_)) => {
            assert!(e.to_string().contains("OS keyring"), "{e}")
        }
        other => panic!("expected KeyringUnavailable, got {other:?}"),
    }
    assert!(!kept.exists(), "no new key file replaces the keyring's key");
}
