//! The kiosk's configuration: one TOML file, validated at start.
//!
//! Every key has a documented default in `assets/config.default.toml`, which is embedded in the
//! binary so the app starts with no file at all. A file given by the administrator overrides
//! keys one by one. Validation names the bad key and says, in Vietnamese and English, what a
//! good value looks like; unknown keys are refused so a typo never passes silently.

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde::Serialize;
use toml::{Table, Value};

/// The documented defaults, embedded so the app starts with no configuration file.
pub const DEFAULT_TOML: &str = include_str!("../../../assets/config.default.toml");

/// Environment variable naming the configuration file when `--config` is not given.
pub const CONFIG_ENV: &str = "VNEID_KIOSK_CONFIG";

const KEYS: [&str; 15] = [
    "device_id",
    "device_name",
    "mode",
    "language",
    "data_dir",
    "backoffice_url",
    "trust_store",
    "idle_timeout_secs",
    "idle_warning_secs",
    "operator_lock_minutes",
    "freeze_max_unsent",
    "freeze_max_unsent_days",
    "camera",
    "camera_fps",
    "face_models",
];

/// How the kiosk is used, which decides its start screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// An operator signs in and assists (commune office, post office).
    Counter,
    /// A touchscreen station the citizen uses alone.
    SelfService,
}

/// The language of screens and messages. Vietnamese is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Vi,
    En,
}

impl Language {
    /// Picks the sentence for this language.
    pub fn pick<'a>(self, vi: &'a str, en: &'a str) -> &'a str {
        match self {
            Language::Vi => vi,
            Language::En => en,
        }
    }
}

/// Which camera the kiosk uses for the card's QR code and the portrait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Camera {
    /// The first webcam the system lists (`"auto"`).
    First,
    /// The webcam with this system index, the N of `/dev/videoN` (`"index:N"`).
    Index(u32),
    /// The webcam whose name is, or uniquely contains, this text (`"name:TEXT"`).
    Name(String),
    /// Image files played in a loop as a camera would deliver them (`"replay:FOLDER"`): the
    /// demo and the tests.
    Replay(PathBuf),
}

/// Where the configuration came from, for `doctor` and the logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Embedded,
    File(PathBuf),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Embedded => f.write_str("embedded defaults"),
            Origin::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// A validated configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub device_id: String,
    pub device_name: String,
    pub mode: Mode,
    pub language: Language,
    pub data_dir: PathBuf,
    pub backoffice_url: url::Url,
    pub trust_store: PathBuf,
    pub idle_timeout_secs: u32,
    pub idle_warning_secs: u32,
    /// Counter mode: minutes without activity after which the core signs the operator out.
    pub operator_lock_minutes: u32,
    /// New enrollments stop when this many packages wait for the back office's acknowledgement.
    pub freeze_max_unsent: u64,
    /// New enrollments stop when the oldest unacknowledged package is older than this many days.
    pub freeze_max_unsent_days: u32,
    pub camera: Camera,
    /// Frames per second asked of the webcam, or played by a replay.
    pub camera_fps: u32,
    /// The folder of dlib's face models that compare the portrait with the chip photo.
    pub face_models: PathBuf,
    pub origin: Origin,
}

/// What is wrong with a configuration, naming the key where there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file that was read, if any.
    pub file: Option<PathBuf>,
    pub problem: Problem,
}

/// The kinds of configuration mistakes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The file could not be read.
    Unreadable(String),
    /// The file is not valid TOML.
    Syntax(String),
    /// A key this version does not know.
    UnknownKey(String),
    /// A key holds the wrong TOML type (e.g. text where a number is expected).
    WrongType {
        key: &'static str,
        expected: Expected,
    },
    /// A key's value breaks a rule.
    Invalid { key: &'static str, rule: Rule },
}

/// The TOML type a key needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    Text,
    WholeNumber,
}

/// The rule a value broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    DeviceIdChars,
    NotEmpty,
    ModeName,
    LanguageName,
    UrlSyntax,
    PlainHttpOnlyLoopback,
    IdleTimeoutRange,
    IdleWarningRange,
    OperatorLockRange,
    FreezeMaxUnsentRange,
    FreezeMaxUnsentDaysRange,
    NoHomeForDataDir,
    CameraChoice,
    CameraFpsRange,
}

impl ConfigError {
    /// The key the problem is about, if it is about one.
    pub fn key(&self) -> Option<&str> {
        match &self.problem {
            Problem::UnknownKey(key) => Some(key),
            Problem::WrongType { key, .. } | Problem::Invalid { key, .. } => Some(key),
            Problem::Unreadable(_) | Problem::Syntax(_) => None,
        }
    }

    /// One sentence (or two) in the given language saying what is wrong and what to do.
    pub fn message(&self, lang: Language) -> String {
        let file = match &self.file {
            Some(path) => path.display().to_string(),
            None => lang
                .pick("cấu hình mặc định", "embedded defaults")
                .to_string(),
        };
        let what = match &self.problem {
            Problem::Unreadable(err) => format!(
                "{} ({err}). {}",
                lang.pick(
                    "Không đọc được tệp cấu hình",
                    "Cannot read the configuration file"
                ),
                lang.pick(
                    "Kiểm tra đường dẫn và quyền đọc tệp.",
                    "Check the path and that the file is readable."
                )
            ),
            Problem::Syntax(detail) => format!(
                "{}: {detail}. {}",
                lang.pick(
                    "Tệp cấu hình sai cú pháp TOML",
                    "The configuration file is not valid TOML"
                ),
                lang.pick("Sửa dòng được chỉ ra.", "Fix the line shown.")
            ),
            Problem::UnknownKey(key) => format!(
                "{} `{key}`. {} {}",
                lang.pick("Khoá không được hỗ trợ", "Unknown key"),
                lang.pick("Các khoá hợp lệ:", "Valid keys:"),
                KEYS.join(", ")
            ),
            Problem::WrongType { key, expected } => format!(
                "`{key}`: {}",
                match expected {
                    Expected::Text => lang.pick(
                        "phải là chuỗi văn bản trong dấu ngoặc kép.",
                        "must be text in double quotes."
                    ),
                    Expected::WholeNumber => lang.pick(
                        "phải là số nguyên, không có dấu ngoặc kép.",
                        "must be a whole number without quotes."
                    ),
                }
            ),
            Problem::Invalid { key, rule } => format!("`{key}`: {}", rule_text(*rule, lang)),
        };
        format!(
            "{} ({file}): {what}",
            lang.pick("Lỗi cấu hình", "Configuration error")
        )
    }
}

fn rule_text(rule: Rule, lang: Language) -> &'static str {
    match rule {
        Rule::DeviceIdChars => lang.pick(
            "chỉ dùng chữ cái không dấu, chữ số, '-' và '_' (1–64 ký tự).",
            "use only ASCII letters, digits, '-' and '_' (1–64 characters).",
        ),
        Rule::NotEmpty => lang.pick("không được để trống.", "must not be empty."),
        Rule::ModeName => lang.pick(
            "phải là \"counter\" (quầy có cán bộ) hoặc \"self-service\" (tự phục vụ).",
            "must be \"counter\" or \"self-service\".",
        ),
        Rule::LanguageName => lang.pick(
            "phải là \"vi\" (Tiếng Việt) hoặc \"en\" (English).",
            "must be \"vi\" (Vietnamese) or \"en\" (English).",
        ),
        Rule::UrlSyntax => lang.pick(
            "phải là địa chỉ http:// hoặc https:// hợp lệ, ví dụ https://backoffice.example.vn.",
            "must be a valid http:// or https:// address, e.g. https://backoffice.example.vn.",
        ),
        Rule::PlainHttpOnlyLoopback => lang.pick(
            "chỉ được dùng http:// với máy cục bộ (127.0.0.1, localhost); hãy dùng https://.",
            "plain http:// is allowed only for loopback (127.0.0.1, localhost); use https://.",
        ),
        Rule::IdleTimeoutRange => lang.pick(
            "phải từ 10 đến 3600 giây.",
            "must be between 10 and 3600 seconds.",
        ),
        Rule::IdleWarningRange => lang.pick(
            "phải từ 3 giây trở lên và nhỏ hơn idle_timeout_secs.",
            "must be at least 3 seconds and less than idle_timeout_secs.",
        ),
        Rule::OperatorLockRange => lang.pick(
            "phải từ 1 đến 240 phút.",
            "must be between 1 and 240 minutes.",
        ),
        Rule::FreezeMaxUnsentRange => lang.pick(
            "phải từ 1 đến 100000 hồ sơ.",
            "must be between 1 and 100000 packages.",
        ),
        Rule::FreezeMaxUnsentDaysRange => lang.pick(
            "phải từ 1 đến 90 ngày.",
            "must be between 1 and 90 days.",
        ),
        Rule::CameraChoice => lang.pick(
            "phải là \"auto\" (camera đầu tiên), \"index:N\" (camera /dev/videoN), \"name:TÊN\" (theo tên camera) hoặc \"replay:THƯ_MỤC\" (phát lại ảnh, chỉ để thử nghiệm).",
            "must be \"auto\" (the first webcam), \"index:N\" (/dev/videoN), \"name:TEXT\" (by the camera's name) or \"replay:FOLDER\" (images played back, for tests and the demo).",
        ),
        Rule::CameraFpsRange => lang.pick(
            "phải từ 1 đến 60 khung hình mỗi giây.",
            "must be between 1 and 60 frames per second.",
        ),
        Rule::NoHomeForDataDir => lang.pick(
            "không xác định được thư mục mặc định (thiếu HOME); hãy đặt đường dẫn cụ thể.",
            "no default location (HOME is not set); set an explicit path.",
        ),
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Language::En))
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// The embedded defaults, as a newly installed kiosk starts with.
    pub fn embedded() -> Result<Config, ConfigError> {
        Self::from_toml(None, None, std::env::current_dir().unwrap_or_default())
    }

    /// Loads `path`, or the file named by [`CONFIG_ENV`], or the embedded defaults.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let from_env = std::env::var_os(CONFIG_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from);
        match path.map(Path::to_path_buf).or(from_env) {
            Some(path) => Self::load_file(&path),
            None => Self::embedded(),
        }
    }

    /// Loads one file over the embedded defaults.
    pub fn load_file(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|err| ConfigError {
            file: Some(path.to_path_buf()),
            problem: Problem::Unreadable(err.kind().to_string()),
        })?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let base = std::path::absolute(&base).unwrap_or(base);
        Self::from_toml(Some(&text), Some(path), base)
    }

    /// Parses `text` (if any) over the defaults; relative paths are resolved against `base`.
    pub fn from_toml(
        text: Option<&str>,
        file: Option<&Path>,
        base: PathBuf,
    ) -> Result<Config, ConfigError> {
        let fail = |problem| ConfigError {
            file: file.map(Path::to_path_buf),
            problem,
        };
        let mut table = parse_table(DEFAULT_TOML).map_err(fail)?;
        if let Some(text) = text {
            for (key, value) in parse_table(text).map_err(fail)? {
                if !KEYS.contains(&key.as_str()) {
                    return Err(fail(Problem::UnknownKey(key)));
                }
                table.insert(key, value);
            }
        }
        let origin = match file {
            Some(path) => Origin::File(path.to_path_buf()),
            None => Origin::Embedded,
        };
        validate(&table, base, origin).map_err(fail)
    }

    /// The directory where rotating log files are written.
    pub fn log_dir(&self) -> PathBuf {
        self.data_dir.join("logs")
    }
}

fn parse_table(text: &str) -> Result<Table, Problem> {
    text.parse::<Table>()
        .map_err(|err| Problem::Syntax(err.message().to_string() + &line_of(text, &err)))
}

fn line_of(text: &str, err: &toml::de::Error) -> String {
    match err.span() {
        Some(span) => {
            let line = text.get(..span.start).unwrap_or("").matches('\n').count() + 1;
            format!(" (line {line})")
        }
        None => String::new(),
    }
}

fn text<'t>(table: &'t Table, key: &'static str) -> Result<&'t str, Problem> {
    match table.get(key) {
        Some(Value::String(s)) => Ok(s.trim()),
        _ => Err(Problem::WrongType {
            key,
            expected: Expected::Text,
        }),
    }
}

fn number(table: &Table, key: &'static str) -> Result<i64, Problem> {
    match table.get(key) {
        Some(Value::Integer(n)) => Ok(*n),
        _ => Err(Problem::WrongType {
            key,
            expected: Expected::WholeNumber,
        }),
    }
}

fn invalid(key: &'static str, rule: Rule) -> Problem {
    Problem::Invalid { key, rule }
}

fn validate(table: &Table, base: PathBuf, origin: Origin) -> Result<Config, Problem> {
    let device_id = text(table, "device_id")?;
    let id_ok = (1..=64).contains(&device_id.len())
        && device_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !id_ok {
        return Err(invalid("device_id", Rule::DeviceIdChars));
    }
    let device_name = text(table, "device_name")?;
    if device_name.is_empty() {
        return Err(invalid("device_name", Rule::NotEmpty));
    }
    let mode = match text(table, "mode")? {
        "counter" => Mode::Counter,
        "self-service" => Mode::SelfService,
        _ => return Err(invalid("mode", Rule::ModeName)),
    };
    let language = match text(table, "language")? {
        "vi" => Language::Vi,
        "en" => Language::En,
        _ => return Err(invalid("language", Rule::LanguageName)),
    };
    let data_dir = match text(table, "data_dir")? {
        "" => default_data_dir().ok_or(invalid("data_dir", Rule::NoHomeForDataDir))?,
        dir => base.join(dir),
    };
    let backoffice_url = backoffice_url(text(table, "backoffice_url")?)?;
    let trust_store = match text(table, "trust_store")? {
        "" => return Err(invalid("trust_store", Rule::NotEmpty)),
        dir => base.join(dir),
    };
    let idle_timeout = number(table, "idle_timeout_secs")?;
    if !(10..=3600).contains(&idle_timeout) {
        return Err(invalid("idle_timeout_secs", Rule::IdleTimeoutRange));
    }
    let idle_warning = number(table, "idle_warning_secs")?;
    if !(3..idle_timeout).contains(&idle_warning) {
        return Err(invalid("idle_warning_secs", Rule::IdleWarningRange));
    }
    let operator_lock = number(table, "operator_lock_minutes")?;
    if !(1..=240).contains(&operator_lock) {
        return Err(invalid("operator_lock_minutes", Rule::OperatorLockRange));
    }
    let freeze_max_unsent = number(table, "freeze_max_unsent")?;
    if !(1..=100_000).contains(&freeze_max_unsent) {
        return Err(invalid("freeze_max_unsent", Rule::FreezeMaxUnsentRange));
    }
    let freeze_max_unsent_days = number(table, "freeze_max_unsent_days")?;
    if !(1..=90).contains(&freeze_max_unsent_days) {
        return Err(invalid(
            "freeze_max_unsent_days",
            Rule::FreezeMaxUnsentDaysRange,
        ));
    }
    let camera = camera(text(table, "camera")?, &base)?;
    let camera_fps = number(table, "camera_fps")?;
    if !(1..=60).contains(&camera_fps) {
        return Err(invalid("camera_fps", Rule::CameraFpsRange));
    }
    let face_models = match text(table, "face_models")? {
        "" => return Err(invalid("face_models", Rule::NotEmpty)),
        dir => base.join(dir),
    };
    Ok(Config {
        device_id: device_id.to_string(),
        device_name: device_name.to_string(),
        mode,
        language,
        data_dir,
        backoffice_url,
        trust_store,
        // These were range-checked above, so they fit.
        idle_timeout_secs: u32::try_from(idle_timeout).unwrap_or(u32::MAX),
        idle_warning_secs: u32::try_from(idle_warning).unwrap_or(u32::MAX),
        operator_lock_minutes: u32::try_from(operator_lock).unwrap_or(u32::MAX),
        freeze_max_unsent: u64::try_from(freeze_max_unsent).unwrap_or(1),
        freeze_max_unsent_days: u32::try_from(freeze_max_unsent_days).unwrap_or(1),
        camera,
        camera_fps: u32::try_from(camera_fps).unwrap_or(1),
        face_models,
        origin,
    })
}

/// `auto`, `index:N`, `name:TEXT` or `replay:FOLDER` (relative to `base`).
fn camera(raw: &str, base: &Path) -> Result<Camera, Problem> {
    let bad = || invalid("camera", Rule::CameraChoice);
    if raw == "auto" {
        return Ok(Camera::First);
    }
    let (kind, value) = raw.split_once(':').ok_or_else(bad)?;
    let value = value.trim();
    if value.is_empty() {
        return Err(bad());
    }
    match kind.trim() {
        "index" => value.parse().map(Camera::Index).map_err(|_| bad()),
        "name" => Ok(Camera::Name(value.to_string())),
        "replay" => Ok(Camera::Replay(base.join(value))),
        _ => Err(bad()),
    }
}

fn backoffice_url(raw: &str) -> Result<url::Url, Problem> {
    const KEY: &str = "backoffice_url";
    let url = url::Url::parse(raw).map_err(|_| invalid(KEY, Rule::UrlSyntax))?;
    let host = url.host_str().ok_or(invalid(KEY, Rule::UrlSyntax))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(host) => Ok(url),
        "http" => Err(invalid(KEY, Rule::PlainHttpOnlyLoopback)),
        _ => Err(invalid(KEY, Rule::UrlSyntax)),
    }
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost" || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn default_data_dir() -> Option<PathBuf> {
    let xdg = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let home = || {
        std::env::var_os("HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    xdg.or_else(|| home().map(|h| h.join(".local/share")))
        .map(|dir| dir.join("vneid-kiosk"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::from_toml(
            Some(text),
            Some(Path::new("/etc/kiosk.toml")),
            PathBuf::from("/etc"),
        )
    }

    #[test]
    fn embedded_defaults_are_valid_and_documented() {
        let config = Config::embedded().expect("embedded defaults must validate");
        assert_eq!(config.mode, Mode::Counter);
        assert_eq!(config.language, Language::Vi);
        assert_eq!(config.idle_timeout_secs, 90);
        assert_eq!(config.operator_lock_minutes, 15);
        assert_eq!(config.freeze_max_unsent, 500);
        assert_eq!(config.freeze_max_unsent_days, 7);
        assert_eq!(config.origin, Origin::Embedded);
        for key in KEYS {
            assert!(
                DEFAULT_TOML.contains(&format!("\n{key} = ")),
                "{key} is missing from the documented defaults"
            );
        }
    }

    #[test]
    fn file_overrides_keys_one_by_one() {
        let config = parse("mode = \"self-service\"\nlanguage = \"en\"\ndata_dir = \"data\"\n")
            .expect("valid");
        assert_eq!(config.mode, Mode::SelfService);
        assert_eq!(config.language, Language::En);
        assert_eq!(config.data_dir, PathBuf::from("/etc/data"));
        assert_eq!(
            config.device_id, "kiosk-demo-01",
            "untouched keys keep their default"
        );
        assert_eq!(config.log_dir(), PathBuf::from("/etc/data/logs"));
    }

    #[test]
    fn unknown_key_is_named() {
        let err = parse("idle_timeout = 30\n").expect_err("typo must be refused");
        assert_eq!(err.key(), Some("idle_timeout"));
        assert!(
            err.message(Language::En)
                .contains("Unknown key `idle_timeout`")
        );
        assert!(
            err.message(Language::Vi)
                .contains("Khoá không được hỗ trợ `idle_timeout`")
        );
    }

    #[test]
    fn wrong_type_names_the_key_and_the_type() {
        let err = parse("idle_timeout_secs = \"90\"\n").expect_err("text is not a number");
        assert_eq!(err.key(), Some("idle_timeout_secs"));
        assert!(err.message(Language::En).contains("must be a whole number"));
        let err = parse("mode = 1\n").expect_err("number is not text");
        assert_eq!(err.key(), Some("mode"));
    }

    #[test]
    fn each_rule_names_its_key() {
        let cases = [
            ("device_id = \"kiosk 1\"", "device_id"),
            ("device_name = \"  \"", "device_name"),
            ("mode = \"kiosk\"", "mode"),
            ("language = \"fr\"", "language"),
            ("backoffice_url = \"not a url\"", "backoffice_url"),
            ("backoffice_url = \"ftp://127.0.0.1\"", "backoffice_url"),
            (
                "backoffice_url = \"http://backoffice.example.vn\"",
                "backoffice_url",
            ),
            ("trust_store = \"\"", "trust_store"),
            ("idle_timeout_secs = 5", "idle_timeout_secs"),
            ("idle_timeout_secs = 4000", "idle_timeout_secs"),
            ("idle_warning_secs = 90", "idle_warning_secs"),
            ("idle_warning_secs = 2", "idle_warning_secs"),
            ("operator_lock_minutes = 0", "operator_lock_minutes"),
            ("operator_lock_minutes = 241", "operator_lock_minutes"),
            ("freeze_max_unsent = 0", "freeze_max_unsent"),
            ("freeze_max_unsent = 100001", "freeze_max_unsent"),
            ("freeze_max_unsent_days = 0", "freeze_max_unsent_days"),
            ("freeze_max_unsent_days = 91", "freeze_max_unsent_days"),
            ("camera = \"webcam\"", "camera"),
            ("camera = \"index:one\"", "camera"),
            ("camera = \"replay:\"", "camera"),
            ("camera = \"usb:0\"", "camera"),
            ("camera = 0", "camera"),
            ("camera_fps = 0", "camera_fps"),
            ("camera_fps = 61", "camera_fps"),
        ];
        for (line, key) in cases {
            let err = parse(line).expect_err(line);
            assert_eq!(err.key(), Some(key), "{line}");
            assert!(
                err.message(Language::Vi).contains(&format!("`{key}`")),
                "{line}"
            );
        }
    }

    #[test]
    fn camera_is_a_webcam_by_index_or_name_or_a_replay_folder_beside_the_file() {
        assert_eq!(Config::embedded().expect("defaults").camera, Camera::First);
        let choose = |line: &str| parse(line).expect(line).camera;
        assert_eq!(choose("camera = \"index:2\""), Camera::Index(2));
        assert_eq!(
            choose("camera = \"name: Logitech BRIO\""),
            Camera::Name("Logitech BRIO".into())
        );
        assert_eq!(
            choose("camera = \"replay:frames/enrollment\""),
            Camera::Replay(PathBuf::from("/etc/frames/enrollment"))
        );
        let config = parse("camera_fps = 10\nface_models = \"models\"").expect("valid");
        assert_eq!(config.camera_fps, 10);
        assert_eq!(config.face_models, PathBuf::from("/etc/models"));
        let err = parse("camera = \"usb\"").expect_err("unknown choice");
        assert!(err.message(Language::En).contains("replay:FOLDER"));
        assert!(err.message(Language::Vi).contains("`camera`"));
    }

    #[test]
    fn plain_http_is_allowed_only_on_loopback() {
        for url in [
            "http://127.0.0.1:8787",
            "http://localhost:1",
            "http://[::1]:8080/api",
        ] {
            assert!(
                parse(&format!("backoffice_url = \"{url}\"")).is_ok(),
                "{url}"
            );
        }
        let err = parse("backoffice_url = \"http://10.0.0.5\"").expect_err("LAN http");
        assert_eq!(
            err.problem,
            invalid("backoffice_url", Rule::PlainHttpOnlyLoopback)
        );
        assert!(parse("backoffice_url = \"https://10.0.0.5\"").is_ok());
    }

    #[test]
    fn syntax_error_reports_the_line() {
        let err = parse("mode = \"counter\"\nlanguage = \n").expect_err("broken TOML");
        let Problem::Syntax(detail) = &err.problem else {
            panic!("{err:?}")
        };
        assert!(detail.contains("line 2"), "{detail}");
        assert!(err.message(Language::Vi).contains("sai cú pháp"));
    }

    #[test]
    fn missing_file_is_a_clear_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = Config::load_file(&dir.path().join("absent.toml")).expect_err("absent");
        assert!(matches!(err.problem, Problem::Unreadable(_)));
        assert!(
            err.message(Language::En)
                .contains("Cannot read the configuration file")
        );
    }

    #[test]
    fn load_file_resolves_relative_paths_against_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("kiosk.toml");
        std::fs::write(&path, "data_dir = \"d\"\ntrust_store = \"t\"\n").expect("write");
        let config = Config::load_file(&path).expect("valid");
        assert_eq!(config.data_dir, dir.path().join("d"));
        assert_eq!(config.trust_store, dir.path().join("t"));
        assert_eq!(config.origin, Origin::File(path));
    }
}
