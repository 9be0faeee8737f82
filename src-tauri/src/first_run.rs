//! First-run set-up: when the kiosk is started with `--config PATH` (or `VNEID_KIOSK_CONFIG`)
//! naming a file that does not exist yet, the window opens the administrator's set-up screen
//! instead of the start screen. It takes the device's name and id, its mode, the commune's
//! residential groups, the back office's address and CA certificate, the camera (tested with
//! a live picture), a one-time registration token, the first administrator and further
//! operator accounts; a test card read proves the reader and a card without reading anything
//! personal. It registers the device key (whose fingerprint the screen shows) and then writes
//! the configuration file: the file is the set-up's result, never something to edit by hand.
//! Each setting and each account is also recorded in the audit log. The kiosk then opens its
//! data directory and runs on the new configuration in the same process (`shell::open`,
//! `shell::install`): the first enrollment can follow, and sync, without a restart.

use std::io::Write;
use std::path::{Path, PathBuf};

use enroll::audit::SettingValue;
use enroll::ids::{GroupId, OperatorId, SettingKey};
use enroll::operators::{Pin, Role};
use enroll::timestamp::Timestamp;
use kiosk_config::{Camera, Config, Language, Mode};
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

/// Where the set-up writes the configuration, while the window is in its set-up.
pub struct FirstRun {
    config_path: std::sync::Mutex<Option<PathBuf>>,
}

impl FirstRun {
    pub fn new(config_path: Option<PathBuf>) -> FirstRun {
        FirstRun {
            config_path: std::sync::Mutex::new(config_path),
        }
    }

    /// The configuration file the set-up will write; `None` once the kiosk is configured.
    fn path(&self) -> Option<PathBuf> {
        crate::shell::lock(&self.config_path).clone()
    }

    /// The set-up is over: the kiosk runs on the file it wrote.
    fn finish(&self) {
        *crate::shell::lock(&self.config_path) = None;
    }

    fn required(&self) -> Result<PathBuf, SetupError> {
        self.path()
            .ok_or(SetupError::new("setup.not_first_run", None))
    }
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
    camera: String,
}

/// The configuration file's spelling of a camera setting.
fn camera_setting(camera: &Camera) -> String {
    match camera {
        Camera::First => "auto".to_string(),
        Camera::Index(index) => format!("index:{index}"),
        Camera::Name(name) => format!("name:{name}"),
        Camera::Replay(folder) => format!("replay:{}", folder.display()),
    }
}

#[tauri::command]
pub fn setup_status(
    first_run: tauri::State<'_, FirstRun>,
    config: tauri::State<'_, SetupBase>,
) -> SetupStatus {
    let config = &config.0;
    let config_path = first_run.path();
    let needed = config_path.is_some();
    if needed {
        tracing::info!("set-up screen shown: no configuration file yet");
    }
    SetupStatus {
        needed,
        config_path: config_path.map(|p| p.display().to_string()),
        device_id: config.device_id.clone(),
        device_name: config.device_name.clone(),
        data_dir: config.data_dir.display().to_string(),
        backoffice_url: config.backoffice_url.to_string(),
        trust_store: config.trust_store.display().to_string(),
        camera: camera_setting(&config.camera),
    }
}

/// The camera a set-up camera setting names (a relative replay folder is relative to the
/// configuration's folder, as in the file).
fn setup_camera(setting: &str, path: &Path) -> Result<Camera, SetupError> {
    let mut table = toml::Table::new();
    table.insert(
        "camera".into(),
        toml::Value::String(setting.trim().to_string()),
    );
    let text = toml::to_string(&table).unwrap_or_default();
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    Config::from_toml(Some(&text), Some(path), base)
        .map(|config| config.camera)
        .map_err(|_| SetupError::new("setup.camera", Some("camera")))
}

/// Shows the live picture of the camera the set-up form names (the camera view's
/// `camera-frame` events, nothing analysed); the run's id. Set-up only: no citizen is filmed.
#[tauri::command]
pub fn setup_camera_start(
    first_run: tauri::State<'_, FirstRun>,
    camera: tauri::State<'_, crate::camera::CameraWorker>,
    setting: String,
) -> Result<u64, SetupError> {
    let path = first_run.required()?;
    let chosen = setup_camera(&setting, &path)?;
    camera
        .start_preview(chosen)
        .map_err(|_| SetupError::new("camera.worker_stopped", Some("camera")))
}

/// A passed test card read, as the set-up screen shows it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CardCheckView {
    reader: String,
    atr: String,
    /// `contactless-iso14443-4`, `contactless-storage` or `other`.
    atr_kind: Option<&'static str>,
    /// The model the reader's name identifies, with what it can do.
    model: Option<ReaderModelView>,
    /// The driver's own word on extended-length APDUs, when it gives one.
    driver_extended_apdu: Option<bool>,
}

/// A known reader model's notes.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReaderModelView {
    name: &'static str,
    /// `verified`, `vendor_claim` or `unknown`.
    extended_apdu: &'static str,
    max_kbps: Option<u32>,
    tested_on_hardware: bool,
}

impl CardCheckView {
    fn of(check: cardread::card_check::CardCheck) -> CardCheckView {
        use reader::models::Claim;
        let facts = check.facts;
        CardCheckView {
            atr: hex::encode_upper(&check.atr),
            reader: check.reader,
            atr_kind: facts.atr.map(reader::models::AtrKind::as_str),
            model: facts.model.map(|m| ReaderModelView {
                name: m.name,
                extended_apdu: match m.extended_apdu {
                    Claim::Verified => "verified",
                    Claim::VendorClaim => "vendor_claim",
                    Claim::Unknown => "unknown",
                },
                max_kbps: m.max_kbps,
                tested_on_hardware: m.tested_on_hardware,
            }),
            driver_extended_apdu: facts.ccid.and_then(|c| c.extended_apdu()),
        }
    }
}

/// The test card read (`cardread::card_check`): reader, card, ATR and the eMRTD application,
/// nothing personal. Set-up only.
#[tauri::command]
pub async fn setup_card_check(
    first_run: tauri::State<'_, FirstRun>,
) -> Result<CardCheckView, SetupError> {
    first_run.required()?;
    let check = tauri::async_runtime::spawn_blocking(cardread::card_check::check_first_card)
        .await
        .map_err(|_| SetupError::new("check.reader_failure", None))?;
    match check {
        Ok(check) => {
            let view = CardCheckView::of(check);
            tracing::info!(
                atr_kind = view.atr_kind,
                model = view.model.as_ref().map(|m| m.name),
                "set-up: test card read passed"
            );
            Ok(view)
        }
        Err(err) => {
            tracing::info!(reason = %err, "set-up: test card read failed");
            Err(SetupError::new(err.code(), None))
        }
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
    first_run.path()?;
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
    /// `auto`, `index:N`, `name:TEXT` or `replay:FOLDER`, as in the configuration file.
    camera: String,
    token: String,
    admin_id: String,
    admin_pin: String,
    /// Operator accounts besides the first administrator.
    operators: Vec<OperatorInput>,
}

/// One further account the set-up creates.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperatorInput {
    id: String,
    /// `operator` or `supervisor`.
    role: String,
    pin: String,
}

impl Drop for SetupInput {
    fn drop(&mut self) {
        self.token.zeroize();
        self.admin_pin.zeroize();
        for operator in &mut self.operators {
            operator.pin.zeroize();
        }
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
        ("camera", &input.camera),
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
    operators: Vec<(OperatorId, Role, Pin)>,
}

/// Checks the further accounts: valid ids other than each other's and the administrator's,
/// the operator or supervisor role, and a PIN each.
fn parse_operators(
    input: &[OperatorInput],
    admin: &OperatorId,
) -> Result<Vec<(OperatorId, Role, Pin)>, SetupError> {
    let fail = |code| SetupError::new(code, Some("operators"));
    let mut accounts: Vec<(OperatorId, Role, Pin)> = Vec::new();
    for operator in input {
        let id = OperatorId::new(operator.id.trim()).map_err(|_| fail("setup.operator_id"))?;
        if &id == admin || accounts.iter().any(|(other, _, _)| other == &id) {
            return Err(fail("setup.operator_duplicate"));
        }
        let role = match operator.role.as_str() {
            "operator" => Role::Operator,
            "supervisor" => Role::Supervisor,
            _ => return Err(fail("setup.operator_role")),
        };
        let pin = Pin::new(operator.pin.trim()).map_err(|_| fail("setup.operator_pin"))?;
        accounts.push((id, role, pin));
    }
    Ok(accounts)
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
    let operators = parse_operators(&input.operators, &admin)?;
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
        operators,
    })
}

/// Runs the set-up: checks the form, registers with the back office, writes the CA, the groups
/// and the first administrator into the data directory, records each setting in the audit log,
/// and writes the configuration file last (so a failed set-up starts the set-up again).
#[tauri::command]
pub async fn setup_apply(
    app: tauri::AppHandle,
    first_run: tauri::State<'_, FirstRun>,
    input: SetupInput,
) -> Result<SetupDone, SetupError> {
    let path = first_run.required()?;
    let Checked {
        config,
        groups,
        admin,
        pin,
        operators,
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
    let mut accounts: Vec<Account> = operators
        .into_iter()
        .map(|(id, role, pin)| (id, role, Some(pin)))
        .collect();
    if config.mode == Mode::SelfService {
        // The touchscreen station's own account, named after the device, with no PIN.
        let station = OperatorId::new(config.device_id.clone())
            .map_err(|_| SetupError::new("setup.operator_create", Some("deviceId")))?;
        accounts.push((station, Role::SelfService, None));
    }
    if let Err(err) = create_operators(&queue, &admin, &input.admin_pin, accounts, now).await {
        queue.close().await;
        return Err(err);
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
    // The kiosk starts on the file just written, in this process: its sync loop finds the
    // registration, the accounts can sign in, nothing needs a restart.
    let written =
        Config::load_file(&path).map_err(|_| SetupError::new("setup.config_write", None))?;
    let opened = crate::shell::open(written)
        .await
        .map_err(|_| SetupError::new("setup.open", Some("dataDir")))?;
    crate::shell::install(&app, opened);
    first_run.finish();
    Ok(SetupDone {
        config_path: path.display().to_string(),
        device_key_fingerprint: fingerprint,
        groups: groups.len(),
    })
}

/// An account the set-up creates after the administrator: id, role, PIN (none for the
/// self-service station's account).
type Account = (OperatorId, Role, Option<Pin>);

/// Creates the further accounts as the administrator just made (signed in with their PIN, so
/// each account's creation is audited under their name).
async fn create_operators(
    queue: &enroll::queue::Queue,
    admin: &OperatorId,
    admin_pin: &str,
    operators: Vec<Account>,
    now: Timestamp,
) -> Result<(), SetupError> {
    if operators.is_empty() {
        return Ok(());
    }
    let fail = |code| SetupError::new(code, Some("operators"));
    let pin = Pin::new(admin_pin.trim()).map_err(|_| fail("setup.admin_pin"))?;
    let session = queue
        .operators()
        .login(admin, pin, now)
        .await
        .map_err(|_| fail("setup.operator_create"))?;
    for (id, role, pin) in operators {
        if let Err(err) = queue
            .operators()
            .create(Some(&session), &id, role, pin, now)
            .await
        {
            tracing::warn!(error = %err, "set-up: an operator account was not created");
            return Err(fail("setup.operator_create"));
        }
    }
    Ok(())
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
            camera: "replay:frames".into(),
            token: "0123abcd".into(),
            admin_id: "admin".into(),
            admin_pin: "135790".into(),
            operators: vec![operator("cb01", "operator", "246810")],
        }
    }

    fn operator(id: &str, role: &str, pin: &str) -> OperatorInput {
        OperatorInput {
            id: id.into(),
            role: role.into(),
            pin: pin.into(),
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
            operators,
            ..
        } = validate(&input(), &path).expect("valid");
        assert_eq!(config.camera, Camera::Replay(dir.path().join("frames")));
        assert_eq!(operators.len(), 1);
        assert_eq!(
            (operators[0].0.as_str(), operators[0].1),
            ("cb01", Role::Operator)
        );
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
        let mut bad = input();
        bad.camera = "webcam".into();
        assert_eq!(
            field(bad),
            Some(("setup.config", Some("camera".to_string())))
        );
    }

    #[test]
    fn further_operators_need_distinct_ids_a_counter_role_and_a_pin() {
        let path = PathBuf::from("/nonexistent/kiosk.toml");
        let code = |operators: Vec<OperatorInput>| {
            let mut form = input();
            form.operators = operators;
            validate(&form, &path).err().map(|e| (e.code, e.field))
        };
        let at = |code: &'static str| Some((code, Some("operators".to_string())));
        assert_eq!(
            code(vec![operator("bad id", "operator", "246810")]),
            at("setup.operator_id")
        );
        assert_eq!(
            code(vec![operator("admin", "operator", "246810")]),
            at("setup.operator_duplicate")
        );
        assert_eq!(
            code(vec![
                operator("cb01", "operator", "246810"),
                operator("cb01", "supervisor", "135791")
            ]),
            at("setup.operator_duplicate")
        );
        assert_eq!(
            code(vec![operator("cb02", "administrator", "246810")]),
            at("setup.operator_role")
        );
        assert_eq!(
            code(vec![operator("cb02", "operator", "12ab")]),
            at("setup.operator_pin")
        );
        assert_eq!(code(vec![operator("gs01", "supervisor", "97531864")]), None);
    }

    #[test]
    fn operators_are_created_by_the_administrator_and_audited() {
        let dir = tempfile::tempdir().expect("tempdir");
        let queue = tauri::async_runtime::block_on(enroll::queue::Queue::open(
            &dir.path().join("queue.sqlite"),
        ))
        .expect("queue");
        let now = Timestamp::now();
        let admin = OperatorId::new("admin").expect("id");
        let pin = || Pin::new("135790").expect("pin");
        tauri::async_runtime::block_on(queue.operators().create(
            None,
            &admin,
            Role::Administrator,
            Some(pin()),
            now,
        ))
        .expect("administrator");
        let mut accounts: Vec<Account> = parse_operators(
            &[
                operator("cb01", "operator", "246810"),
                operator("gs01", "supervisor", "97531864"),
            ],
            &admin,
        )
        .expect("valid")
        .into_iter()
        .map(|(id, role, pin)| (id, role, Some(pin)))
        .collect();
        let station = OperatorId::new("xa-cam-ngoc-01").expect("id");
        accounts.push((station.clone(), Role::SelfService, None));
        tauri::async_runtime::block_on(create_operators(&queue, &admin, "135790", accounts, now))
            .expect("created");
        let listed = tauri::async_runtime::block_on(queue.operators().list(now)).expect("list");
        let roles: Vec<_> = listed.iter().map(|a| (a.id.as_str(), a.role)).collect();
        assert!(roles.contains(&("cb01", Role::Operator)), "{roles:?}");
        assert!(roles.contains(&("gs01", Role::Supervisor)), "{roles:?}");
        let session = tauri::async_runtime::block_on(queue.operators().login(
            &OperatorId::new("cb01").expect("id"),
            Pin::new("246810").expect("pin"),
            now,
        ))
        .expect("the operator signs in with their PIN");
        assert_eq!(session.role, Role::Operator);
        let station_session =
            tauri::async_runtime::block_on(queue.operators().self_service_session(&station))
                .expect("the station's account enrolls without a PIN");
        assert_eq!(station_session.role, Role::SelfService);
        let audit = tauri::async_runtime::block_on(queue.audit().entries()).expect("audit");
        let created: Vec<_> = audit
            .iter()
            .filter(|e| e.action == "operator.created")
            .map(|e| (e.actor.as_str(), e.subject.as_deref()))
            .collect();
        assert_eq!(
            created,
            [
                ("admin", Some("admin")),
                ("admin", Some("cb01")),
                ("admin", Some("gs01")),
                ("admin", Some("xa-cam-ngoc-01"))
            ]
        );
        let wrong = vec![(
            OperatorId::new("cb02").expect("id"),
            Role::Operator,
            Some(Pin::new("246810").expect("pin")),
        )];
        assert_eq!(
            tauri::async_runtime::block_on(create_operators(&queue, &admin, "000000", wrong, now))
                .err()
                .map(|e| e.code),
            Some("setup.operator_create"),
            "a wrong administrator PIN creates nobody"
        );
    }

    #[test]
    fn every_set_up_error_code_has_a_sentence_on_the_set_up_screen() {
        let screen = include_str!("../../ui/src/screens/setup.ts");
        let checks = [
            cardread::card_check::CheckError::ServiceDown,
            cardread::card_check::CheckError::NoReader,
            cardread::card_check::CheckError::NoCard,
            cardread::card_check::CheckError::NotIdCard,
            cardread::card_check::CheckError::CardRemoved,
            cardread::card_check::CheckError::ReaderFailure,
        ]
        .map(|e| e.code());
        for code in checks.into_iter().chain([
            "setup.camera",
            "setup.operator_id",
            "setup.operator_duplicate",
            "setup.operator_role",
            "setup.operator_pin",
            "setup.operator_create",
            "setup.open",
        ]) {
            assert!(
                screen.contains(&format!("\"{code}\": [")),
                "no sentence for {code}"
            );
        }
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
