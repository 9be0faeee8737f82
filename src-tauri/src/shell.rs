//! The kiosk window and the commands its UI calls. Thin: each command parses, calls a library,
//! and maps failures to an error code the UI turns into a sentence in the current language.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Duration;

use kiosk_config::{Config, Language, Mode};
use serde::Serialize;

use crate::session::{Session, SessionError};

/// What the window's commands share.
struct Shell {
    config: Config,
    session: Mutex<Session>,
}

/// A device's state as the header shows it.
#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
struct DeviceStatus {
    state: &'static str,
    detail: Option<String>,
}

impl DeviceStatus {
    fn new(state: &'static str, detail: Option<&str>) -> DeviceStatus {
        DeviceStatus {
            state,
            detail: detail.map(str::to_string),
        }
    }
}

/// Everything the header and start screen need.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ShellState {
    device_id: String,
    device_name: String,
    mode: Mode,
    language: Language,
    idle_timeout_secs: u32,
    idle_warning_secs: u32,
    reader: DeviceStatus,
    camera: DeviceStatus,
    sync: DeviceStatus,
    /// Packages waiting to be sent; `None` until the queue exists.
    queue_waiting: Option<u64>,
    version: &'static str,
}

/// An error the UI shows as one sentence from its dictionary.
#[derive(Debug, Serialize, PartialEq, Eq)]
struct UiError {
    code: &'static str,
}

impl UiError {
    fn new(code: &'static str) -> UiError {
        UiError { code }
    }
}

fn probe_state(config: &Config) -> ShellState {
    let reader = health::probes::reader_status();
    let camera = health::probes::camera_status(Path::new(health::probes::V4L_SYSFS));
    let sync =
        health::probes::back_office_status(&config.backoffice_url, Duration::from_millis(800));
    ShellState {
        device_id: config.device_id.clone(),
        device_name: config.device_name.clone(),
        mode: config.mode,
        language: config.language,
        idle_timeout_secs: config.idle_timeout_secs,
        idle_warning_secs: config.idle_warning_secs,
        reader: DeviceStatus::new(reader.code(), reader.detail()),
        camera: DeviceStatus::new(camera.code(), camera.detail()),
        sync: DeviceStatus::new(sync.code(), sync.detail()),
        queue_waiting: None,
        version: env!("CARGO_PKG_VERSION"),
    }
}

#[tauri::command]
async fn shell_state(shell: tauri::State<'_, Shell>) -> Result<ShellState, UiError> {
    let config = shell.config.clone();
    tauri::async_runtime::spawn_blocking(move || probe_state(&config))
        .await
        .map_err(|_| UiError::new("internal.probe_failed"))
}

#[tauri::command]
fn clear_session(shell: tauri::State<'_, Shell>) {
    let mut session = lock(&shell.session);
    let held_data = !session.is_empty();
    session.wipe();
    tracing::info!(held_data, "session wiped");
}

#[tauri::command]
fn session_set_id_number(shell: tauri::State<'_, Shell>, id_number: String) -> Result<(), UiError> {
    lock(&shell.session)
        .set_id_number(&id_number)
        .map_err(|err| match err {
            SessionError::IdNumberFormat => UiError::new("id.format"),
        })
}

#[tauri::command]
fn operator_sign_in(operator_id: String, pin: String) -> Result<(), UiError> {
    // Operator accounts arrive with the enrollment-domain issue; until then nobody can sign in.
    drop((operator_id, pin));
    tracing::info!("operator sign-in refused: no operator accounts configured");
    Err(UiError::new("operators.none_configured"))
}

/// A poisoned lock still holds a session that must be wiped, so recover it.
fn lock(session: &Mutex<Session>) -> std::sync::MutexGuard<'_, Session> {
    session
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Opens the kiosk window and runs until it closes.
pub fn run(config: Config) -> ExitCode {
    let _log_guard = match crate::logging::init(&config.log_dir()) {
        Ok(guard) => Some(guard),
        Err(err) => {
            eprintln!(
                "Không ghi được nhật ký / cannot write logs in {}: {err}",
                config.log_dir().display()
            );
            None
        }
    };
    tracing::info!(
        device_id = %config.device_id,
        mode = ?config.mode,
        origin = %config.origin,
        version = env!("CARGO_PKG_VERSION"),
        "kiosk starting"
    );
    let shell = Shell {
        config,
        session: Mutex::new(Session::default()),
    };
    let result = tauri::Builder::default()
        .manage(shell)
        .invoke_handler(tauri::generate_handler![
            shell_state,
            clear_session,
            session_set_id_number,
            operator_sign_in
        ])
        .run(tauri::generate_context!());
    match result {
        Ok(()) => {
            tracing::info!("kiosk stopped");
            ExitCode::SUCCESS
        }
        Err(err) => {
            tracing::error!(error = %err, "kiosk window failed");
            eprintln!("Không mở được cửa sổ / the window could not open: {err}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_state_serialises_to_the_ui_contract() {
        let config = Config::embedded().expect("defaults");
        let json = serde_json::to_value(probe_state(&config)).expect("json");
        for key in [
            "deviceId",
            "deviceName",
            "mode",
            "language",
            "idleTimeoutSecs",
            "idleWarningSecs",
            "version",
        ] {
            assert!(json.get(key).is_some(), "{key} missing: {json}");
        }
        assert_eq!(json["mode"], "counter");
        assert_eq!(json["language"], "vi");
        assert!(json["queueWaiting"].is_null());
        for device in ["reader", "camera", "sync"] {
            assert!(json[device]["state"].is_string(), "{device}: {json}");
            assert!(
                json[device].get("detail").is_some(),
                "{device} detail must be present (null allowed)"
            );
        }
    }

    #[test]
    fn operator_sign_in_is_refused_with_a_code_until_accounts_exist() {
        assert_eq!(
            operator_sign_in("op1".into(), "1234".into()),
            Err(UiError::new("operators.none_configured"))
        );
    }
}
