//! The command-line face for operations and support, in the same binary as the kiosk.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use enroll::audit::{AuditError, CONSOLE_ACTOR, SettingValue};
use enroll::ids::{IdError, OperatorId, SettingKey};
use enroll::operators::{OperatorError, Pin, Role};
use enroll::queue::{Queue, QueueError};
use enroll::state::EnrollmentState;
use enroll::timestamp::Timestamp;
use kiosk_config::{Config, Language};
use zeroize::Zeroizing;

/// VNeID enrollment kiosk. Without a command, opens the kiosk window.
#[derive(Debug, Parser)]
#[command(version, about)]
pub struct Args {
    /// Configuration file (TOML). Default: $VNEID_KIOSK_CONFIG, else the embedded defaults.
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Kiosk mode: full screen, no window decorations, closed only by an administrator (a long
    /// press on the header's title, then an administrator's id and PIN).
    #[arg(long)]
    pub kiosk: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Support commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The kiosk's health line (as the header shows it: OK or the first problem, with what to
    /// do), then the configuration, data directory, trust store, reader, camera and back
    /// office, one OK/PROBLEM line each. Exits 1 when the line or any check finds a problem.
    Doctor {
        /// Language of the report (default: the configured one).
        #[arg(long, value_parser = ["vi", "en"])]
        lang: Option<String>,
    },
    /// Validates the configuration and exits (0 when valid, 2 with the bad key named).
    CheckConfig,
    /// Prints the documented default configuration, to start a new file from.
    DefaultConfig,
    /// Operator accounts of this kiosk (in the data directory's database).
    Operator {
        #[command(subcommand)]
        action: OperatorCommand,
    },
    /// Registers this kiosk's device key with the back office (backoffice_url) using a one-time
    /// token from `backoffice create-kiosk-token`, and keeps the back office's keys.
    Register {
        #[arg(long)]
        token: String,
    },
    /// The enrollment queue in the data directory.
    Queue {
        #[command(subcommand)]
        action: QueueCommand,
    },
    /// The audit log in the data directory's database (ids and codes only, no personal data).
    Audit {
        #[command(subcommand)]
        action: AuditCommand,
    },
    /// Copies the data directory (a consistent snapshot of the queue, the key files, a
    /// manifest of hashes) into a new directory, while the kiosk may keep running. The backup
    /// holds the device key: keep it where only the technician can reach it.
    Backup {
        /// The directory to create (it must not exist or be empty).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Carry the local data keys (follow-up names, contact notes) sealed under a passphrase
        /// read from standard input (first line, 12 characters or more), so they open on another
        /// PC even when this one keeps them in the OS keyring. `restore` asks for it.
        #[arg(long)]
        seal_keys: bool,
    },
    /// Restores a backup into the data directory, after checking its hashes, the database's
    /// integrity and the audit chain. Refuses a non-empty data directory unless --force (the
    /// old one is then kept beside it, renamed).
    Restore {
        /// The backup directory.
        #[arg(long, value_name = "DIR")]
        from: PathBuf,
        /// Replace a non-empty data directory (kept as `<data_dir>.replaced-<time>`).
        #[arg(long)]
        force: bool,
    },
    /// Runs the kiosk window and starts it again whenever it crashes or is killed (not after a
    /// clean exit); for autostart sessions without systemd (see assets/autostart/).
    Supervise {
        /// Start the window in kiosk mode.
        #[arg(long)]
        kiosk: bool,
    },
    /// Writes a zip for a technician: the configuration (secrets removed), versions, logs,
    /// the doctor report and the queue's counts. No personal data, no keys.
    SupportBundle {
        /// The zip file to write.
        #[arg(long, value_name = "FILE.zip")]
        out: PathBuf,
    },
}

/// What to do with the audit log.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Checks the hash chain: exits 0 when every entry is intact, 1 naming the first entry that
    /// was altered, removed or inserted.
    Verify,
    /// The latest entries, one `seq<TAB>time<TAB>actor<TAB>action<TAB>subject<TAB>detail` line
    /// each, oldest first.
    List {
        /// How many entries.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
}

/// What to show of the queue.
#[derive(Debug, Subcommand)]
pub enum QueueCommand {
    /// Packages per state (counts only, nothing personal), one `state<TAB>count` line each.
    Status,
}

/// What to do with operator accounts.
#[derive(Debug, Subcommand)]
pub enum OperatorCommand {
    /// Creates an account. Its PIN (6 to 12 digits) is the first line of standard input (the
    /// self-service account, named after the kiosk's device_id, has none). The kiosk's first
    /// account must be an administrator; later ones are created `--by` a supervisor or
    /// administrator, whose PIN is the next line.
    Add {
        /// The account's id (letters, digits, '.', '_', ':', '-').
        #[arg(long)]
        id: String,
        /// operator, supervisor, administrator, or self-service (the touchscreen station's account).
        #[arg(long, value_parser = ["operator", "supervisor", "administrator", "self-service"])]
        role: String,
        /// The supervisor or administrator creating it (not needed for the first account).
        #[arg(long, value_name = "ID")]
        by: Option<String>,
    },
    /// Lists the accounts: id, role, and whether wrong PINs have locked it.
    List,
}

/// Runs a support command with an already validated configuration.
pub fn run(command: Command, config: &Config) -> ExitCode {
    match command {
        Command::Doctor { lang } => {
            let lang = match lang.as_deref() {
                Some("en") => Language::En,
                Some(_) => Language::Vi,
                None => config.language,
            };
            let report = tauri::async_runtime::block_on(crate::kiosk_health::doctor_report(config));
            print(&report.render(lang));
            if report.fine() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Command::CheckConfig => {
            print(&format!("OK {} ({})\n", config.origin, config.device_id));
            ExitCode::SUCCESS
        }
        Command::DefaultConfig => {
            print(kiosk_config::DEFAULT_TOML);
            ExitCode::SUCCESS
        }
        Command::Register { token } => {
            let before = backoffice_keys(config);
            match tauri::async_runtime::block_on(crate::backoffice_link::register(config, &token)) {
                Ok(()) => {
                    print(&format!("OK registered {}\n", config.device_id));
                    let audited = tauri::async_runtime::block_on(audit_key_changes(
                        config,
                        before,
                        backoffice_keys(config),
                    ));
                    if let Err(err) = audited {
                        eprintln!("{}", err.message_vi());
                        eprintln!("the new back-office keys could not be audited: {err}");
                        return ExitCode::FAILURE;
                    }
                    ExitCode::SUCCESS
                }
                Err(err) => {
                    eprintln!(
                        "Không đăng ký được với máy chủ tiếp nhận / registration failed: {err}"
                    );
                    ExitCode::FAILURE
                }
            }
        }
        Command::Queue {
            action: QueueCommand::Status,
        } => match tauri::async_runtime::block_on(queue_status(config)) {
            Ok(text) => {
                print(&text);
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("{}", err.message_vi());
                eprintln!("{err}");
                ExitCode::FAILURE
            }
        },
        Command::Backup { out, seal_keys } => {
            let passphrase = seal_keys.then(read_passphrase);
            match crate::backup::backup(config, &out, passphrase.as_deref().map(|p| p.as_str())) {
                Ok(summary) => {
                    print(&format!(
                        "OK {} ({} files, {} packages, {} not yet acknowledged, audit chain of {} verified, {} local keys sealed)\n",
                        out.display(),
                        summary.files,
                        summary.packages,
                        summary.unsent,
                        summary.audit_entries,
                        summary.sealed_keys
                    ));
                    if summary.keys_left_in_keyring > 0 {
                        eprintln!(
                            "Chú ý: khoá dữ liệu cục bộ nằm trong kho khoá của hệ điều hành, không có trong bản sao lưu; dùng --seal-keys để mang theo.\nwarning: {} local data key(s) stay in the OS keyring, not in the backup: follow-up lists and contact notes will not open on another PC; use --seal-keys",
                            summary.keys_left_in_keyring
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(err) => {
                    eprintln!("Không sao lưu được / backup failed: {err}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Restore { from, force } => {
            let passphrase = match crate::backup::sealed_keys(&from) {
                Ok(keys) if !keys.is_empty() => Some(read_passphrase()),
                _ => None,
            };
            match crate::backup::restore(
                config,
                &from,
                force,
                passphrase.as_deref().map(|p| p.as_str()),
            ) {
                Ok((summary, kept)) => {
                    print(&format!(
                        "OK {} ({} files, {} packages, {} not yet acknowledged, audit chain of {} verified, {} local keys sealed)\n",
                        config.data_dir.display(),
                        summary.files,
                        summary.packages,
                        summary.unsent,
                        summary.audit_entries,
                        summary.sealed_keys
                    ));
                    if let Some(kept) = kept {
                        print(&format!(
                            "the previous data directory is kept at {}\n",
                            kept.display()
                        ));
                    }
                    ExitCode::SUCCESS
                }
                Err(err) => {
                    eprintln!("Không khôi phục được / restore failed: {err}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Supervise { kiosk } => {
            let path = match &config.origin {
                kiosk_config::Origin::File(path) => Some(path.as_path()),
                kiosk_config::Origin::Embedded => None,
            };
            crate::kiosk_mode::supervise(path, kiosk)
        }
        Command::SupportBundle { out } => match crate::support::write(config, &out) {
            Ok(bundle) => {
                print(&format!(
                    "OK {} ({} files)\n",
                    out.display(),
                    bundle.entries.len()
                ));
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("Không tạo được gói hỗ trợ / support bundle failed: {err}");
                ExitCode::FAILURE
            }
        },
        Command::Audit { action } => match tauri::async_runtime::block_on(audit(action, config)) {
            Ok(text) => {
                print(&text);
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("{}", err.message_vi());
                eprintln!("{err}");
                ExitCode::FAILURE
            }
        },
        Command::Operator { action } => {
            let lines = std::io::stdin().lines().map_while(Result::ok);
            match tauri::async_runtime::block_on(operator(action, config, lines)) {
                Ok(text) => {
                    print(&text);
                    ExitCode::SUCCESS
                }
                Err(err) => {
                    eprintln!("{}", err.message_vi());
                    eprintln!("{err}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// Why an operator command failed: the account store's error, or input refused before it.
#[derive(Debug, thiserror::Error)]
enum OperatorCliError {
    #[error(transparent)]
    Store(#[from] OperatorError),
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error("the operator id may hold only letters, digits, '.', '_', ':' and '-' (1 to 64)")]
    Id,
    #[error("no PIN on standard input (one line per PIN)")]
    NoPin,
}

impl OperatorCliError {
    fn message_vi(&self) -> &'static str {
        match self {
            OperatorCliError::Store(err) => err.message_vi(),
            OperatorCliError::Queue(err) => err.message_vi(),
            OperatorCliError::Id => {
                "Mã cán bộ chỉ gồm chữ cái, chữ số và các dấu '.', '_', ':', '-' (1 đến 64 ký tự)."
            }
            OperatorCliError::NoPin => "Không có mã PIN ở đầu vào chuẩn (mỗi mã PIN một dòng).",
        }
    }
}

/// Counts of packages per state, every state listed (0 included).
async fn queue_status(config: &Config) -> Result<String, QueueError> {
    let queue = crate::store::open(config).await?;
    let text = queue_counts(&queue).await;
    queue.close().await;
    text
}

/// One `state<TAB>count` line per state of `queue`.
pub(crate) async fn queue_counts(queue: &Queue) -> Result<String, QueueError> {
    let counts = queue.counts().await?;
    Ok(EnrollmentState::ALL
        .iter()
        .map(|state| {
            let n = counts
                .iter()
                .find(|(s, _)| s == state)
                .map_or(0, |(_, n)| *n);
            format!("{state}\t{n}\n")
        })
        .collect())
}

/// Why an audit command failed: the chain is broken, or the database could not be read.
#[derive(Debug, thiserror::Error)]
enum AuditCliError {
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error(transparent)]
    Name(#[from] IdError),
}

impl AuditCliError {
    fn message_vi(&self) -> String {
        match self {
            AuditCliError::Audit(err) => err.message_vi(),
            AuditCliError::Queue(err) => err.message_vi().to_owned(),
            AuditCliError::Name(_) => "Tên thiết lập hoặc người thực hiện không hợp lệ.".to_owned(),
        }
    }
}

/// Runs an audit command: the verdict or the listing, as text.
async fn audit(action: AuditCommand, config: &Config) -> Result<String, AuditCliError> {
    let queue = crate::store::open(config).await?;
    let log = queue.audit();
    let result = match action {
        AuditCommand::Verify => log.verify().await.map(|n| {
            format!("OK nhật ký kiểm toán nguyên vẹn, {n} mục / audit log intact, {n} entries\n")
        })?,
        AuditCommand::List { limit } => log
            .latest(limit)
            .await?
            .iter()
            .map(|e| {
                format!(
                    "{}\t{}\t{}\t{}\t{}\t{}\n",
                    e.seq,
                    e.at,
                    e.actor,
                    e.action,
                    e.subject.as_deref().unwrap_or("-"),
                    e.detail.as_deref().unwrap_or("-")
                )
            })
            .collect(),
    };
    queue.close().await;
    Ok(result)
}

/// The back office's package and receipt keys as the data directory holds them now, by the
/// setting name the audit log records them under.
fn backoffice_keys(config: &Config) -> [(&'static str, SettingValue); 2] {
    let value = |file: &str| match std::fs::read_to_string(config.data_dir.join(file)) {
        Ok(text) => {
            let bytes = hex::decode(text.trim()).unwrap_or_else(|_| text.into_bytes());
            SettingValue::fingerprint(&bytes)
        }
        Err(_) => SettingValue::Unset,
    };
    [
        (
            "backoffice.package-key",
            value(crate::enrollment::BACKOFFICE_KEY_FILE),
        ),
        (
            "backoffice.receipt-key",
            value(crate::backoffice_link::RECEIPT_KEY_FILE),
        ),
    ]
}

/// Writes a setting change to the audit log for each back-office key that registration changed.
async fn audit_key_changes(
    config: &Config,
    before: [(&'static str, SettingValue); 2],
    after: [(&'static str, SettingValue); 2],
) -> Result<(), AuditCliError> {
    let console = OperatorId::new(CONSOLE_ACTOR)?;
    let queue = crate::store::open(config).await?;
    let log = queue.audit();
    let now = Timestamp::now();
    for ((name, old), (_, new)) in before.into_iter().zip(after) {
        if old != new {
            let key = SettingKey::new(name)?;
            log.record_setting_change(now, &console, &key, &old, &new)
                .await?;
        }
    }
    queue.close().await;
    Ok(())
}

/// Runs an operator command; `pins` yields the standard input's lines (the PINs, in order).
async fn operator(
    action: OperatorCommand,
    config: &Config,
    mut pins: impl Iterator<Item = String>,
) -> Result<String, OperatorCliError> {
    let queue = crate::store::open(config).await?;
    let operators = queue.operators();
    let now = Timestamp::now();
    let mut next_pin = || -> Result<Pin, OperatorCliError> {
        let line = Zeroizing::new(pins.next().ok_or(OperatorCliError::NoPin)?);
        Ok(Pin::new(line.trim())?)
    };
    let text = match action {
        OperatorCommand::Add { id, role, by } => {
            let id = OperatorId::new(id).map_err(|_| OperatorCliError::Id)?;
            let role = Role::parse(&role).ok_or(OperatorError::NotPermitted)?;
            let pin = match role {
                Role::SelfService => None,
                _ => Some(next_pin()?),
            };
            let session = match by {
                Some(by) => {
                    let by = OperatorId::new(by).map_err(|_| OperatorCliError::Id)?;
                    Some(operators.login(&by, next_pin()?, now).await?)
                }
                None => None,
            };
            operators
                .create(session.as_ref(), &id, role, pin, now)
                .await?;
            format!("OK {} ({})\n", id, role.as_str())
        }
        OperatorCommand::List => operators
            .list(now)
            .await?
            .iter()
            .map(|account| {
                let lock = if account.locked { "\tlocked" } else { "" };
                format!("{}\t{}{lock}\n", account.id, account.role.as_str())
            })
            .collect(),
    };
    queue.close().await;
    Ok(text)
}

/// The passphrase sealing the local data keys: the first line of standard input (the prompt
/// goes to standard error, so a pipe works too).
fn read_passphrase() -> Zeroizing<String> {
    eprintln!("Mật khẩu niêm phong khoá / key passphrase:");
    let line = std::io::stdin().lines().next().and_then(Result::ok);
    Zeroizing::new(line.unwrap_or_default().trim_end_matches('\r').to_string())
}

fn print(text: &str) {
    // A closed pipe (e.g. `| head`) is not an error worth a panic.
    let _ = std::io::stdout().write_all(text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_audits_each_back_office_key_it_changed_by_fingerprint() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = Config::embedded().expect("defaults");
        config.data_dir = dir.path().to_path_buf();
        let package = dir.path().join(crate::enrollment::BACKOFFICE_KEY_FILE);
        let receipt = dir.path().join(crate::backoffice_link::RECEIPT_KEY_FILE);
        std::fs::write(&receipt, format!("{}\n", hex::encode([1u8; 32]))).expect("write");
        let before = backoffice_keys(&config);
        std::fs::write(&package, format!("{}\n", hex::encode([2u8; 32]))).expect("write");
        let after = backoffice_keys(&config);
        tauri::async_runtime::block_on(async {
            audit_key_changes(&config, before, after)
                .await
                .expect("audited");
            let queue = crate::store::open(&config).await.expect("queue");
            let entries = queue.audit().entries().await.expect("entries");
            assert_eq!(entries.len(), 1, "the unchanged receipt key is not logged");
            assert_eq!(entries[0].actor, CONSOLE_ACTOR);
            assert_eq!(entries[0].action, "setting.changed");
            assert_eq!(
                entries[0].subject.as_deref(),
                Some("backoffice.package-key")
            );
            assert_eq!(
                entries[0].detail.as_deref(),
                Some(format!("old=unset new={}", SettingValue::fingerprint(&[2u8; 32])).as_str())
            );
            assert_eq!(queue.audit().verify().await, Ok(1));
        });
    }
}
