//! First-run set-up: when the kiosk is started with `--config PATH` (or `VNEID_KIOSK_CONFIG`)
//! naming a file that does not exist yet, the window opens the administrator's set-up screen
//! instead of the start screen. It takes the device's name and id, its mode, the commune's
//! residential groups, the back office's address and CA certificate, a one-time registration
//! token and the first administrator account; it registers the device key (whose fingerprint
//! the screen shows) and then writes the configuration file: the file is the set-up's result,
//! never something to edit by hand. Each setting is also recorded in the audit log.

use std::io::Write;
use std::path::{Path, PathBuf};

use enroll::audit::SettingValue;
use enroll::ids::{GroupId, OperatorId, SettingKey};
use enroll::operators::{Pin, Role};
use enroll::timestamp::Timestamp;
use kiosk_config::{Config, Language};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

use crate::enrollment::{DEVICE_KEY_FILE, GROUPS_FILE};

/// The back office's CA certificate (PEM) in the data directory, written by the set-up.
pub const BACKOFFICE_CA_FILE: &str = "backoffice-ca.pem";

/// Where the Debian package installs dlib's face models (see tauri.conf.json); the set-up points
/// `face_models` there when they are present, so an installed kiosk compares faces.
pub const INSTALLED_FACE_MODELS: &str = "/usr/share/vneid-kiosk/face-models";

/// The installed face models' folder, when this machine has it.
fn installed_face_models() -> Option<&'static Path> {
    let dir = Path::new(INSTALLED_FACE_MODELS);
    dir.is_dir().then_some(dir)
}

/// Where the set-up writes the configuration, when the window starts in set-up.
pub struct FirstRun {
    pub config_path: Option<PathBuf>,
}

/// The configuration for the window: the named file, or, when the named file does not exist,
/// the embedded defaults and the path the set-up screen will write.
pub fn window_config(
    path: Option<&Path>,
) -> Result<(Config, Option<PathBuf>), kiosk_config::ConfigError> {
    let named = path.map(Path::to_path_buf).or_else(|| {
        std::env::var_os(kiosk_config::CONFIG_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    });
    match named {
        Some(file) if !file.exists() => {
            let absolute = std::path::absolute(&file).unwrap_or(file);
            Ok((Config::embedded()?, Some(absolute)))
        }
        _ => Ok((Config::load(path)?, None)),
    }
}

/// The device key's fingerprint as the set-up screen shows it: the first 16 bytes of the
/// SHA-256 of the Ed25519 public key, in groups of four hex digits.
pub fn fingerprint(public_key: &[u8; 32]) -> String {
    let digest = Sha256::digest(public_key);
    digest
        .get(..16)
        .unwrap_or_default()
        .chunks(2)
        .map(hex::encode)
        .collect::<Vec<_>>()
        .join(" ")
}

/// What the set-up screen starts from.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetupStatus {
    /// The set-up screen must be shown.
    needed: bool,
    /// Where the configuration will be written.
    config_path: Option<String>,
    /// The defaults the form starts with.
    device_id: String,
    device_name: String,
    data_dir: String,
    backoffice_url: String,
    trust_store: String,
}

#[tauri::command]
pub fn setup_status(
    first_run: tauri::State<'_, FirstRun>,
    config: tauri::State<'_, SetupBase>,
) -> SetupStatus {
    let config = &config.0;
    let needed = first_run.config_path.is_some();
    if needed {
        tracing::info!("set-up screen shown: no configuration file yet");
    }
    SetupStatus {
        needed,
        config_path: first_run
            .config_path
            .as_ref()
            .map(|p| p.display().to_string()),
        device_id: config.device_id.clone(),
        device_name: config.device_name.clone(),
        data_dir: config.data_dir.display().to_string(),
        backoffice_url: config.backoffice_url.to_string(),
        trust_store: config.trust_store.display().to_string(),
    }
}

/// The fingerprint of the device key in `data_dir`, making the key there when `create` (the
/// set-up screen asks once the administrator has chosen the data directory); `None` when there
/// is no key (and `create` is false) or it cannot be made.
#[tauri::command]
pub fn setup_device_key(
    first_run: tauri::State<'_, FirstRun>,
    data_dir: String,
    create: bool,
) -> Option<String> {
    first_run.config_path.as_ref()?;
    let dir = PathBuf::from(data_dir.trim());
    if !dir.is_absolute() || (!create && !dir.join(DEVICE_KEY_FILE).exists()) {
        return None;
    }
    device_fingerprint(&dir)
}

/// The configuration the window started with (the defaults, in set-up).
pub struct SetupBase(pub Config);

/// The data directory's device key fingerprint, making the key if needed.
fn device_fingerprint(data_dir: &Path) -> Option<String> {
    std::fs::create_dir_all(data_dir).ok()?;
    let key = crate::enrollment::device_key(&data_dir.join(DEVICE_KEY_FILE)).ok()?;
    Some(fingerprint(&key.verifying_key().to_bytes()))
}

/// The set-up form as the screen sends it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetupInput {
    device_id: String,
    device_name: String,
    mode: String,
    language: String,
    data_dir: String,
    trust_store: String,
    backoffice_url: String,
    /// PEM; empty for a loopback `http://` back office.
    backoffice_ca: String,
    /// One group a line: `ID Name`.
    groups: String,
    token: String,
    admin_id: String,
    admin_pin: String,
}

impl Drop for SetupInput {
    fn drop(&mut self) {
        self.token.zeroize();
        self.admin_pin.zeroize();
    }
}

/// Why the set-up did not finish: a UI code, and the configuration key or field at fault.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct SetupError {
    code: &'static str,
    field: Option<String>,
    /// The configuration check's sentence in both languages, when it is one.
    message: Option<String>,
}

impl SetupError {
    fn new(code: &'static str, field: Option<&str>) -> SetupError {
        SetupError {
            code,
            field: field.map(str::to_string),
            message: None,
        }
    }
}

/// What the screen shows when the set-up is done.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetupDone {
    config_path: String,
    device_key_fingerprint: String,
    groups: usize,
}

/// The configuration file's text from the form (every value quoted by the TOML writer), with
/// `face_models` when the models' folder is known.
fn config_text(input: &SetupInput, face_models: Option<&Path>) -> String {
    let mut table = toml::Table::new();
    for (key, value) in [
        ("device_id", &input.device_id),
        ("device_name", &input.device_name),
        ("mode", &input.mode),
        ("language", &input.language),
        ("data_dir", &input.data_dir),
        ("trust_store", &input.trust_store),
        ("backoffice_url", &input.backoffice_url),
    ] {
        table.insert(key.into(), toml::Value::String(value.trim().to_string()));
    }
    if let Some(dir) = face_models {
        let dir = dir.display().to_string();
        table.insert("face_models".into(), toml::Value::String(dir));
    }
    format!(
        "# VNeID enrollment kiosk — written by the set-up screen on {}.\n\
         # Change settings through the set-up and the `vneid-kiosk` commands, not by hand.\n{}",
        Timestamp::now(),
        toml::to_string(&table).unwrap_or_default()
    )
}

/// Parses the groups field: one `ID Name` a line, blank lines and `#` comments skipped.
fn parse_groups(text: &str) -> Result<Vec<(String, String)>, SetupError> {
    let groups: Vec<(String, String)> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|line| {
            let (id, name) = line.split_once(char::is_whitespace).unwrap_or((line, line));
            GroupId::new(id)
                .map(|_| (id.to_string(), name.trim().to_string()))
                .map_err(|_| SetupError::new("setup.group_id", Some("groups")))
        })
        .collect::<Result<_, _>>()?;
    if groups.is_empty() {
        return Err(SetupError::new("setup.no_groups", Some("groups")));
    }
    Ok(groups)
}

/// A set-up form that passed every check.
struct Checked {
    config: Config,
    /// Residential groups: id, name.
    groups: Vec<(String, String)>,
    admin: OperatorId,
    pin: Pin,
}

/// Checks everything that can be checked before anything is written or sent.
fn validate(input: &SetupInput, path: &Path) -> Result<Checked, SetupError> {
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let config = Config::from_toml(
        Some(&config_text(input, installed_face_models())),
        Some(path),
        base,
    )
    .map_err(|err| SetupError {
        code: "setup.config",
        field: err.key().map(str::to_string),
        message: Some(format!(
            "{} / {}",
            err.message(Language::Vi),
            err.message(Language::En)
        )),
    })?;
    let groups = parse_groups(&input.groups)?;
    let admin = OperatorId::new(input.admin_id.trim())
        .map_err(|_| SetupError::new("setup.admin_id", Some("adminId")))?;
    let pin = Pin::new(input.admin_pin.trim())
        .map_err(|_| SetupError::new("setup.admin_pin", Some("adminPin")))?;
    let ca = input.backoffice_ca.trim();
    if config.backoffice_url.scheme() == "https" && !ca.contains("-----BEGIN CERTIFICATE-----") {
        return Err(SetupError::new("setup.ca", Some("backofficeCa")));
    }
    if input.token.trim().is_empty() {
        return Err(SetupError::new("setup.token", Some("token")));
    }
    Ok(Checked {
        config,
        groups,
        admin,
        pin,
    })
}

/// Runs the set-up: checks the form, registers with the back office, writes the CA, the groups
/// and the first administrator into the data directory, records each setting in the audit log,
/// and writes the configuration file last (so a failed set-up starts the set-up again).
#[tauri::command]
pub async fn setup_apply(
    first_run: tauri::State<'_, FirstRun>,
    input: SetupInput,
) -> Result<SetupDone, SetupError> {
    let path = first_run
        .config_path
        .clone()
        .ok_or(SetupError::new("setup.not_first_run", None))?;
    let Checked {
        config,
        groups,
        admin,
        pin,
    } = validate(&input, &path)?;
    let data = &config.data_dir;
    std::fs::create_dir_all(data)
        .map_err(|_| SetupError::new("setup.data_dir", Some("dataDir")))?;
    let ca = input.backoffice_ca.trim();
    if !ca.is_empty() {
        write_file(&data.join(BACKOFFICE_CA_FILE), format!("{ca}\n").as_bytes())
            .map_err(|_| SetupError::new("setup.data_dir", Some("dataDir")))?;
    }
    crate::backoffice_link::register(&config, input.token.trim())
        .await
        .map_err(|err| {
            tracing::warn!(error = %err, "set-up: registration failed");
            SetupError::new("setup.register", Some("token"))
        })?;
    let fingerprint = device_fingerprint(data).ok_or(SetupError::new("setup.device_key", None))?;
    let groups_text: String = groups
        .iter()
        .map(|(id, name)| format!("{id} {name}\n"))
        .collect();
    write_file(&data.join(GROUPS_FILE), groups_text.as_bytes())
        .map_err(|_| SetupError::new("setup.data_dir", Some("dataDir")))?;
    let queue = crate::store::open(&config)
        .await
        .map_err(|_| SetupError::new("queue.database", None))?;
    let now = Timestamp::now();
    let created = queue
        .operators()
        .create(None, &admin, Role::Administrator, Some(pin), now)
        .await;
    if let Err(err) = created {
        tracing::warn!(error = %err, "set-up: first administrator not created");
        queue.close().await;
        return Err(SetupError::new("setup.admin_exists", Some("adminId")));
    }
    let settings = [
        ("device-id", SettingValue::public(&config.device_id)),
        ("device-name", SettingValue::public(&config.device_name)),
        ("mode", SettingValue::public(input.mode.trim())),
        (
            "backoffice.url",
            SettingValue::public(config.backoffice_url.as_str()),
        ),
        (
            "backoffice.ca",
            Ok(SettingValue::fingerprint(ca.as_bytes())),
        ),
        (
            "residential-groups",
            Ok(SettingValue::fingerprint(groups_text.as_bytes())),
        ),
        ("device-key", SettingValue::public(&fingerprint)),
    ];
    for (key, value) in settings {
        let (Ok(key), Ok(value)) = (SettingKey::new(key), value) else {
            continue;
        };
        if let Err(err) = queue
            .audit()
            .record_setting_change(now, &admin, &key, &SettingValue::Unset, &value)
            .await
        {
            tracing::error!(error = %err, "set-up: audit entry not written");
        }
    }
    queue.close().await;
    write_file(
        &path,
        config_text(&input, installed_face_models()).as_bytes(),
    )
    .map_err(|_| SetupError::new("setup.config_write", None))?;
    tracing::info!(
        groups = groups.len(),
        "first-run set-up done; kiosk registered"
    );
    Ok(SetupDone {
        config_path: path.display().to_string(),
        device_key_fingerprint: fingerprint,
        groups: groups.len(),
    })
}

/// The exit code that asks a supervisor (`vneid-kiosk supervise`, systemd's
/// `Restart=on-failure`) to start the kiosk again: EX_TEMPFAIL.
pub const EXIT_RESTART: i32 = 75;

/// Starts the app again, now with its configuration: under a supervisor by exiting with
/// [`EXIT_RESTART`] (a process started from here would be killed with the service), else by
/// starting a new process itself.
#[tauri::command]
pub fn setup_restart(app: tauri::AppHandle, kiosk: tauri::State<'_, crate::kiosk_mode::KioskMode>) {
    kiosk.release_lock();
    let supervised = std::env::var_os(crate::kiosk_mode::SUPERVISED_ENV).is_some()
        || std::env::var_os("INVOCATION_ID").is_some();
    tracing::info!(supervised, "restarting after the set-up");
    if supervised {
        app.exit(EXIT_RESTART);
    } else {
        app.restart();
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename.
fn write_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> SetupInput {
        SetupInput {
            device_id: "xa-cam-ngoc-01".into(),
            device_name: "UBND xã Cẩm Ngọc".into(),
            mode: "counter".into(),
            language: "vi".into(),
            data_dir: "/var/lib/vneid-kiosk".into(),
            trust_store: "/usr/share/vneid-kiosk/trust".into(),
            backoffice_url: "http://127.0.0.1:8787".into(),
            backoffice_ca: String::new(),
            groups: "# thôn\nTHON-1 Thôn 1\n\nTHON-2 Thôn Đông\n".into(),
            token: "0123abcd".into(),
            admin_id: "admin".into(),
            admin_pin: "135790".into(),
        }
    }

    #[test]
    fn a_valid_form_becomes_a_configuration_the_loader_accepts() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("kiosk.toml");
        let Checked {
            config,
            groups,
            admin,
            ..
        } = validate(&input(), &path).expect("valid");
        assert_eq!(config.device_id, "xa-cam-ngoc-01");
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[1], ("THON-2".to_string(), "Thôn Đông".to_string()));
        assert_eq!(admin.as_str(), "admin");
        let models = Path::new(INSTALLED_FACE_MODELS);
        std::fs::write(&path, config_text(&input(), Some(models))).expect("write");
        let loaded = Config::load_file(&path).expect("the written file loads");
        assert_eq!(loaded.device_name, "UBND xã Cẩm Ngọc");
        assert_eq!(loaded.data_dir, PathBuf::from("/var/lib/vneid-kiosk"));
        assert_eq!(loaded.face_models, models);
    }

    #[test]
    fn bad_fields_are_named_before_anything_is_written() {
        let path = PathBuf::from("/nonexistent/kiosk.toml");
        let field = |input: SetupInput| validate(&input, &path).err().map(|e| (e.code, e.field));
        let mut bad = input();
        bad.mode = "kiosk".into();
        assert_eq!(field(bad), Some(("setup.config", Some("mode".to_string()))));
        let mut bad = input();
        bad.backoffice_url = "https://bo.example.vn".into();
        assert_eq!(
            field(bad),
            Some(("setup.ca", Some("backofficeCa".to_string())))
        );
        let mut bad = input();
        bad.groups = "THON-1 Thôn 1\nbad/id Thôn".into();
        assert_eq!(
            field(bad),
            Some(("setup.group_id", Some("groups".to_string())))
        );
        let mut bad = input();
        bad.groups = "# none\n".into();
        assert_eq!(field(bad).map(|f| f.0), Some("setup.no_groups"));
        let mut bad = input();
        bad.admin_pin = "12".into();
        assert_eq!(field(bad).map(|f| f.0), Some("setup.admin_pin"));
        let mut bad = input();
        bad.token = " ".into();
        assert_eq!(field(bad).map(|f| f.0), Some("setup.token"));
    }

    #[test]
    fn a_named_config_that_does_not_exist_starts_the_set_up() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = dir.path().join("kiosk.toml");
        let (config, setup) = window_config(Some(&missing)).expect("defaults");
        assert_eq!(setup, Some(missing.clone()));
        assert_eq!(config.origin, kiosk_config::Origin::Embedded);
        std::fs::write(&missing, "device_id = \"k-2\"\n").expect("write");
        let (config, setup) = window_config(Some(&missing)).expect("file");
        assert_eq!((config.device_id.as_str(), setup), ("k-2", None));
    }

    #[test]
    fn the_fingerprint_is_sixteen_bytes_in_groups_of_four_hex_digits() {
        let f = fingerprint(&[7u8; 32]);
        assert_eq!(f.len(), 16 * 2 + 7);
        assert_eq!(f.split(' ').count(), 8);
        assert_ne!(f, fingerprint(&[8u8; 32]));
    }
}
