//! The kiosk's database in its data directory: the enrollment queue with its operator accounts
//! and audit log (one SQLite file, see `crates/enroll`).

use std::path::PathBuf;

use enroll::queue::{Queue, QueueError};
use kiosk_config::Config;

/// The queue database's file name inside the data directory.
pub const QUEUE_FILE: &str = "queue.sqlite";
/// The running kiosk's lock file in the data directory (its process id while it runs).
pub const LOCK_FILE: &str = "kiosk.lock";

/// Where the queue database lives for this configuration.
pub fn queue_path(config: &Config) -> PathBuf {
    config.data_dir.join(QUEUE_FILE)
}

/// Opens (creating it and the data directory when missing) the kiosk's queue database.
pub async fn open(config: &Config) -> Result<Queue, QueueError> {
    std::fs::create_dir_all(&config.data_dir).map_err(|err| QueueError::Database {
        code: String::new(),
        message: format!("cannot create the data directory: {err}"),
    })?;
    Queue::open(&queue_path(config)).await
}
