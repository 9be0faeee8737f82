//! Structured logs (JSON lines) to a daily-rotating file in the data directory.
//!
//! Log events carry codes, states and counts, never personal data: no ID numbers, names,
//! addresses, phone numbers or images, in any field.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::EnvFilter;

/// Days of log files kept.
const KEPT_FILES: usize = 14;

/// Starts file logging; keep the guard alive for the program's life so lines are flushed.
pub fn init(log_dir: &Path) -> Result<WorkerGuard, String> {
    std::fs::create_dir_all(log_dir).map_err(|e| e.to_string())?;
    let appender = Builder::new()
        .rotation(Rotation::DAILY)
        .filename_prefix("kiosk")
        .filename_suffix("log")
        .max_log_files(KEPT_FILES)
        .build(log_dir)
        .map_err(|e| e.to_string())?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter =
        EnvFilter::try_from_env("VNEID_KIOSK_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_writer(writer)
        .try_init()
        .map_err(|e| e.to_string())?;
    Ok(guard)
}
