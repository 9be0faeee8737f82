//! The OS keyring of a Linux desktop: the freedesktop Secret Service (GNOME Keyring, KWallet)
//! on the D-Bus session bus, through the pure-Rust `secret-service` crate (zbus, RustCrypto;
//! the secret crosses the bus encrypted with the service's Diffie-Hellman session).
//!
//! Every call runs on a thread of its own with its own small runtime and a deadline, so a
//! missing, stuck or prompting keyring costs at most [`DEADLINE`] and never hangs the kiosk,
//! whether the caller is async or not. No call ever asks the keyring to unlock (that would pop
//! up a prompt nobody at a kiosk answers): a locked keyring is an error.

use secret_service::{EncryptionType, SecretService};
use std::collections::HashMap;
use std::future::Future;
use std::sync::mpsc;
use std::time::Duration;
use zeroize::Zeroizing;

/// The longest a keyring call may take before the kiosk gives up on it.
pub const DEADLINE: Duration = Duration::from_secs(3);

/// Why the keyring could not be used. Messages name the keyring's own errors, never the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyringError {
    /// No session bus, or no Secret Service on it.
    #[error("no OS keyring (Secret Service) is reachable: {0}")]
    Unavailable(String),
    /// The keyring (or the item) is locked; the kiosk does not prompt to unlock it.
    #[error("the OS keyring is locked")]
    Locked,
    /// The keyring did not answer in time.
    #[error("the OS keyring did not answer within {} s", DEADLINE.as_secs())]
    Timeout,
    /// The keyring answered with an error.
    #[error("the OS keyring refused the request: {0}")]
    Refused(String),
}

impl From<secret_service::Error> for KeyringError {
    fn from(e: secret_service::Error) -> Self {
        match e {
            secret_service::Error::Locked => Self::Locked,
            secret_service::Error::Unavailable => Self::Unavailable(e.to_string()),
            other => Self::Refused(other.to_string()),
        }
    }
}

/// A session with the Secret Service; any failure to reach it is [`KeyringError::Unavailable`].
async fn connect() -> Result<SecretService<'static>, KeyringError> {
    SecretService::connect(EncryptionType::Dh)
        .await
        .map_err(|e| KeyringError::Unavailable(e.to_string()))
}

/// One secret in the keyring, found by its attributes.
#[derive(Debug, Clone)]
pub(super) struct KeyringEntry {
    label: String,
    attributes: Vec<(&'static str, String)>,
}

impl KeyringEntry {
    /// The entry of the local data key that would otherwise live at `location`.
    pub(super) fn local_data_key(location: &str) -> Self {
        Self {
            label: "VNeID kiosk: local data key".to_owned(),
            attributes: vec![
                ("application", "vneid-kiosk".to_owned()),
                ("purpose", "local-data-key".to_owned()),
                ("location", location.to_owned()),
            ],
        }
    }

    /// The secret, if the keyring holds one for this entry.
    pub(super) fn find(&self) -> Result<Option<Zeroizing<Vec<u8>>>, KeyringError> {
        let attributes = self.attributes.clone();
        run(move || async move {
            let ss = connect().await?;
            let wanted: HashMap<&str, &str> =
                attributes.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let found = ss.search_items(wanted).await?;
            match found.unlocked.first() {
                Some(item) => Ok(Some(Zeroizing::new(item.get_secret().await?))),
                None if found.locked.is_empty() => Ok(None),
                None => Err(KeyringError::Locked),
            }
        })
    }

    /// Stores `secret` in the default collection (replacing an item with the same attributes).
    pub(super) fn store(&self, secret: Zeroizing<Vec<u8>>) -> Result<(), KeyringError> {
        let (label, attributes) = (self.label.clone(), self.attributes.clone());
        run(move || async move {
            let ss = connect().await?;
            let collection = ss.get_default_collection().await?;
            if collection.is_locked().await? {
                return Err(KeyringError::Locked);
            }
            let attrs: HashMap<&str, &str> =
                attributes.iter().map(|(k, v)| (*k, v.as_str())).collect();
            collection
                .create_item(&label, attrs, &secret, true, "application/octet-stream")
                .await?;
            Ok(())
        })
    }
}

/// Runs `call` on its own thread and runtime, within [`DEADLINE`].
fn run<T, F, Fut>(call: F) -> Result<T, KeyringError>
where
    T: Send + 'static,
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = Result<T, KeyringError>>,
{
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("keyring".into())
        .spawn(move || {
            let result = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt.block_on(async {
                    tokio::time::timeout(DEADLINE, call())
                        .await
                        .unwrap_or(Err(KeyringError::Timeout))
                }),
                Err(e) => Err(KeyringError::Unavailable(e.to_string())),
            };
            let _ = tx.send(result);
        });
    if let Err(e) = spawned {
        return Err(KeyringError::Unavailable(e.to_string()));
    }
    // The runtime enforces the deadline; this wait is a backstop if a call blocks the thread.
    rx.recv_timeout(DEADLINE + Duration::from_secs(1))
        .unwrap_or(Err(KeyringError::Timeout))
}
