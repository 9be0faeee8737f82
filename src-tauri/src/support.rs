//! The support bundle: one zip a district technician can ask for when a kiosk misbehaves.
//!
//! It holds what explains a kiosk's state and nothing that identifies a citizen or unlocks the
//! kiosk: the configuration with secrets removed, the versions of the app and of what it runs
//! on, the logs (which never hold personal data), the `doctor` report, the queue's counts per
//! state, whether the audit chain verifies, and the data directory's file names and modes. The
//! queue database and the key files are never read into it.

use std::io::Write;
use std::path::{Path, PathBuf};

use kiosk_config::{Config, Language, Origin};
use toml::{Table, Value};

/// Files larger than this (a runaway log) are cut to their last this-many bytes.
const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// What replaces a secret's value.
const REMOVED: &str = "<removed>";

/// Why the bundle could not be written (names paths and I/O errors only).
#[derive(Debug, thiserror::Error)]
pub enum SupportError {
    #[error("cannot write the bundle {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot build the zip: {0}")]
    Zip(#[from] zip::result::ZipError),
}

/// What went into the bundle.
#[derive(Debug)]
pub struct Bundle {
    pub entries: Vec<String>,
}

/// Writes the bundle to `out` (through a temporary file, so a half-written zip never stays).
pub fn write(config: &Config, out: &Path) -> Result<Bundle, SupportError> {
    let failed = |source| SupportError::Write {
        path: out.to_path_buf(),
        source,
    };
    let mut entries: Vec<(String, Vec<u8>)> = vec![
        ("config.toml".into(), redacted_config(config).into_bytes()),
        ("versions.txt".into(), versions().into_bytes()),
        ("doctor.txt".into(), doctor_report(config).into_bytes()),
        ("queue.txt".into(), queue_report(config).into_bytes()),
        (
            "data-dir.txt".into(),
            data_dir_listing(&config.data_dir).into_bytes(),
        ),
    ];
    entries.extend(logs(&config.log_dir()));
    let tmp = out.with_extension(format!("tmp-{}", std::process::id()));
    let file = std::fs::File::create(&tmp).map_err(failed)?;
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644);
    for (name, bytes) in &entries {
        zip.start_file(name.as_str(), options)?;
        zip.write_all(bytes).map_err(failed)?;
    }
    let file = zip.finish()?;
    file.sync_all().map_err(failed)?;
    std::fs::rename(&tmp, out).map_err(failed)?;
    tracing::info!(entries = entries.len(), "support bundle written");
    Ok(Bundle {
        entries: entries.into_iter().map(|(name, _)| name).collect(),
    })
}

/// The configuration as the kiosk reads it (the file, or the embedded defaults), every secret
/// value replaced by `<removed>`.
fn redacted_config(config: &Config) -> String {
    let (origin, text) = match &config.origin {
        Origin::Embedded => (
            "embedded defaults".to_string(),
            kiosk_config::DEFAULT_TOML.to_string(),
        ),
        Origin::File(path) => (
            path.display().to_string(),
            std::fs::read_to_string(path).unwrap_or_default(),
        ),
    };
    let body = match text.parse::<Table>() {
        Ok(mut table) => {
            redact(&mut table);
            toml::to_string(&table).unwrap_or_default()
        }
        Err(_) => "# the file is not valid TOML (see doctor.txt)\n".to_string(),
    };
    format!(
        "# configuration from {origin}; secrets (tokens, keys, passwords, PINs, credentials in\n\
         # addresses) removed\n# effective data_dir = {}\n{body}",
        config.data_dir.display()
    )
}

/// A key whose name says it holds a secret.
fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    [
        "token",
        "secret",
        "password",
        "passwd",
        "pin",
        "key",
        "credential",
    ]
    .iter()
    .any(|word| key.split(['_', '-', '.']).any(|part| part == *word))
}

/// Replaces secret values in place: values of secret-named keys, and user names, passwords and
/// query strings of URLs (where tokens hide).
fn redact(table: &mut Table) {
    for (key, value) in table.iter_mut() {
        if is_secret_key(key) {
            *value = Value::String(REMOVED.into());
            continue;
        }
        redact_value(value);
    }
}

fn redact_value(value: &mut Value) {
    match value {
        Value::String(text) => {
            if let Ok(mut url) = url::Url::parse(text)
                && url.has_host()
            {
                if !url.username().is_empty() || url.password().is_some() {
                    let _ = url.set_username("");
                    let _ = url.set_password(None);
                }
                if url.query().is_some() {
                    url.set_query(Some(REMOVED));
                }
                *text = url.to_string();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_value),
        Value::Table(table) => redact(table),
        _ => {}
    }
}

/// The app's version and those of the system parts it runs on.
fn versions() -> String {
    let os = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|v| v.trim().to_string())
        .unwrap_or_else(|_| "unknown".into());
    let mut text = format!(
        "vneid-kiosk\t{}\nos\t{os}\nkernel\t{kernel}\n",
        env!("CARGO_PKG_VERSION")
    );
    for package in [
        "pcscd",
        "libccid",
        "libpcsclite1",
        "libwebkit2gtk-4.1-0",
        "vsmartcard-vpcd",
    ] {
        text.push_str(&format!("{package}\t{}\n", debian_version(package)));
    }
    text
}

/// The installed version of a Debian package, or why there is none.
fn debian_version(package: &str) -> String {
    let out = std::process::Command::new("dpkg-query")
        .args(["-W", "-f", "${Status}\t${Version}", package])
        .output();
    match out {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            match text.split_once('\t') {
                Some((status, version)) if status.ends_with(" installed") => version.to_string(),
                _ => "not installed".into(),
            }
        }
        Ok(_) => "not installed".into(),
        Err(_) => "unknown (no dpkg-query)".into(),
    }
}

fn doctor_report(config: &Config) -> String {
    let report = tauri::async_runtime::block_on(crate::kiosk_health::doctor_report(config));
    format!(
        "{}\n{}",
        report.render(Language::En),
        report.render(Language::Vi)
    )
}

/// Counts per state and the audit chain's verdict; the database is only opened if it exists.
fn queue_report(config: &Config) -> String {
    let path = crate::store::queue_path(config);
    if !path.exists() {
        return "no queue database yet\n".into();
    }
    tauri::async_runtime::block_on(async {
        let queue = match crate::store::open(config).await {
            Ok(queue) => queue,
            Err(err) => return format!("queue database unreadable: {err}\n"),
        };
        let mut text = match crate::cli::queue_counts(&queue).await {
            Ok(counts) => counts,
            Err(err) => format!("counts unreadable: {err}\n"),
        };
        text.push_str(&match queue.audit().verify().await {
            Ok(n) => format!("audit_chain\tverified ({n} entries)\n"),
            Err(err) => format!("audit_chain\t{err}\n"),
        });
        queue.close().await;
        text
    })
}

/// Names, sizes and modes of the data directory's top-level files (never their contents).
fn data_dir_listing(dir: &Path) -> String {
    use std::os::unix::fs::PermissionsExt;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return format!("{}: not readable\n", dir.display());
    };
    let mut lines: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            let kind = if meta.is_dir() { "dir" } else { "file" };
            Some(format!(
                "{}\t{kind}\t{}\t{:o}\n",
                e.file_name().to_string_lossy(),
                meta.len(),
                meta.permissions().mode() & 0o7777
            ))
        })
        .collect();
    lines.sort();
    format!("{}\n{}", dir.display(), lines.concat())
}

/// The log files, each under `logs/`, a too large one cut to its end.
fn logs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
        .iter()
        .filter_map(|path| {
            let name = path.file_name()?.to_string_lossy().into_owned();
            Some((format!("logs/{name}"), tail(path).ok()?))
        })
        .collect()
}

fn tail(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    if len > MAX_FILE_BYTES {
        file.seek(SeekFrom::Start(len - MAX_FILE_BYTES))?;
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES).read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys_and_url_credentials_are_removed_and_the_rest_kept() {
        let mut table: Table = r#"
device_id = "kiosk-7"
registration_token = "tok-123"
backoffice_url = "https://tech:hunter2@bo.example.vn/api?token=abc"
[pins]
admin_pin = "135790"
api-key = "k-456"
keypad = "on"
"#
        .parse()
        .expect("toml");
        redact(&mut table);
        let text = toml::to_string(&table).expect("toml");
        for secret in ["tok-123", "hunter2", "tech", "abc", "135790", "k-456"] {
            assert!(!text.contains(secret), "{secret} left in:\n{text}");
        }
        assert!(text.contains("kiosk-7") && text.contains("bo.example.vn/api"));
        assert!(
            text.contains("keypad = \"on\""),
            "a word containing 'key' is not a key"
        );
    }

    #[test]
    fn a_runaway_log_is_cut_to_its_end() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("kiosk.log");
        let file = std::fs::File::create(&path).expect("create");
        file.set_len(MAX_FILE_BYTES + 10).expect("grow");
        drop(file);
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .and_then(|mut f| f.write_all(b"last line\n"))
            .expect("append");
        let bytes = tail(&path).expect("tail");
        assert_eq!(bytes.len() as u64, MAX_FILE_BYTES);
        assert!(bytes.ends_with(b"last line\n"));
    }
}
