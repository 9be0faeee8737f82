//! The kiosk's link to the back office: registration of its device key (which also brings the
//! back office's package and receipt keys into the data directory), and the sync loop that
//! sends the queue's outbox in the background, never in an enrollment's way.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use enroll::ids::DeviceId;
use enroll::queue::Queue;
use getrandom::SysRng;
use kiosk_config::Config;
use rand_core::UnwrapErr;
use sync::client::{Backoff, ClientConfig, SyncClient, SyncLoop};
use sync::receipt::ReceiptKey;
use tokio::sync::{Notify, watch};

use crate::enrollment::{BACKOFFICE_KEY_FILE, DEVICE_KEY_FILE, SubmitError, device_key};

/// The back office's receipt key (hex) in the data directory, written at registration.
pub const RECEIPT_KEY_FILE: &str = "backoffice-receipt-ed25519.pub";
/// Where the sync loop keeps its status cursor.
const CURSOR_FILE: &str = "sync-status-cursor";

/// Why registration failed (no personal data in any of them).
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("the device key could not be read or created")]
    DeviceKey,
    #[error("the device id is not a valid kiosk id")]
    DeviceId,
    #[error(transparent)]
    Client(#[from] sync::client::ClientError),
    #[error(transparent)]
    Sync(#[from] sync::client::SyncError),
    #[error("writing the back office's keys failed: {0}")]
    Write(std::io::Error),
}

fn client(config: &Config) -> Result<SyncClient<UnwrapErr<SysRng>>, LinkError> {
    let key = device_key(&config.data_dir.join(DEVICE_KEY_FILE))
        .map_err(|_: SubmitError| LinkError::DeviceKey)?;
    let device = DeviceId::new(config.device_id.clone()).map_err(|_| LinkError::DeviceId)?;
    let signer = sync::auth::RequestSigner::new(device, &key);
    Ok(SyncClient::new(
        ClientConfig::new(config.backoffice_url.clone(), None),
        signer,
        UnwrapErr(SysRng),
    )?)
}

/// Registers this kiosk's device key with the one-time `token` and keeps the back office's
/// package and receipt keys in the data directory.
pub async fn register(config: &Config, token: &str) -> Result<(), LinkError> {
    std::fs::create_dir_all(&config.data_dir).map_err(LinkError::Write)?;
    let answer = client(config)?.register(token).await?;
    write_key(&config.data_dir, BACKOFFICE_KEY_FILE, &answer.package_key)?;
    write_key(&config.data_dir, RECEIPT_KEY_FILE, &answer.receipt_key)?;
    tracing::info!(device = %answer.device, "kiosk registered with the back office");
    Ok(())
}

fn write_key(dir: &Path, file: &str, key: &[u8; 32]) -> Result<(), LinkError> {
    let tmp = dir.join(format!("{file}.tmp"));
    std::fs::write(&tmp, format!("{}\n", hex::encode(key))).map_err(LinkError::Write)?;
    std::fs::rename(&tmp, dir.join(file)).map_err(LinkError::Write)
}

/// The running sync loop: wake it after an enrollment is queued; dropping this stops it.
pub struct SyncHandle {
    waker: Arc<Notify>,
    _shutdown: watch::Sender<bool>,
}

impl SyncHandle {
    /// Asks the loop to send now instead of at its next poll.
    pub fn wake(&self) {
        self.waker.notify_one();
    }
}

/// Starts the sync loop over `queue` when this kiosk is registered (the receipt key is in the
/// data directory); `None` otherwise, said in the log.
pub fn start(config: &Config, queue: Queue) -> Option<SyncHandle> {
    let receipt = std::fs::read_to_string(config.data_dir.join(RECEIPT_KEY_FILE)).ok();
    let Some(receipt) = receipt else {
        tracing::warn!("kiosk not registered with the back office: packages stay queued");
        return None;
    };
    let mut bytes = [0u8; 32];
    let receipt_key = hex::decode_to_slice(receipt.trim(), &mut bytes)
        .ok()
        .and_then(|()| ReceiptKey::from_bytes(&bytes).ok());
    let Some(receipt_key) = receipt_key else {
        tracing::error!("the back office's receipt key file is malformed: sync not started");
        return None;
    };
    let client = match client(config) {
        Ok(client) => client,
        Err(err) => {
            tracing::error!(error = %err, "sync client could not start");
            return None;
        }
    };
    let sync = SyncLoop::new(
        client,
        queue,
        receipt_key,
        Backoff {
            base: Duration::from_millis(500),
            max: Duration::from_secs(60),
        },
        UnwrapErr(SysRng),
        config.data_dir.join(CURSOR_FILE),
    )
    .with_idle_poll(Duration::from_secs(15));
    let waker = sync.waker();
    let (shutdown, stop) = watch::channel(false);
    tauri::async_runtime::spawn(sync.run(stop));
    tracing::info!(backoffice = %config.backoffice_url, "sync loop started");
    Some(SyncHandle {
        waker,
        _shutdown: shutdown,
    })
}
