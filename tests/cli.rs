//! The command-line face of the real binary: `--help`, `check-config`, `doctor`.

use std::process::Command;

fn kiosk() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vneid-kiosk"));
    cmd.env_remove("VNEID_KIOSK_CONFIG");
    cmd
}

#[test]
fn help_lists_the_support_commands() {
    let out = kiosk().arg("--help").output().expect("run");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for command in ["doctor", "check-config", "default-config"] {
        assert!(
            text.contains(command),
            "{command} missing from --help:\n{text}"
        );
    }
}

#[test]
fn bad_config_key_is_named_in_both_languages_and_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("kiosk.toml");
    std::fs::write(&path, "idle_timeout_secs = 2\n").expect("write");
    let out = kiosk()
        .arg("--config")
        .arg(&path)
        .arg("check-config")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Lỗi cấu hình") && err.contains("Configuration error"),
        "{err}"
    );
    assert!(err.contains("`idle_timeout_secs`"), "{err}");
}

#[test]
fn config_from_the_environment_is_used() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("kiosk.toml");
    std::fs::write(&path, "device_id = \"post-office-7\"\n").expect("write");
    let out = kiosk()
        .env("VNEID_KIOSK_CONFIG", &path)
        .arg("check-config")
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("post-office-7"));
}

#[test]
fn doctor_reports_every_dependency_and_fails_when_one_is_missing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("kiosk.toml");
    // Port 9 (discard) is closed on loopback, and the trust store folder does not exist.
    std::fs::write(
        &path,
        "data_dir = \"data\"\ntrust_store = \"no-trust\"\nbackoffice_url = \"http://127.0.0.1:9\"\n",
    )
    .expect("write");
    let out = kiosk()
        .arg("--config")
        .arg(&path)
        .args(["doctor", "--lang", "en"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let report = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines.len(), 6, "{report}");
    assert!(lines[0].starts_with("OK      config"), "{report}");
    assert!(lines[1].starts_with("OK      data_dir"), "{report}");
    assert!(lines[2].starts_with("PROBLEM trust_store"), "{report}");
    assert!(
        lines[5].starts_with("PROBLEM back_office") && lines[5].contains("127.0.0.1:9"),
        "{report}"
    );
    assert!(
        dir.path().join("data").is_dir(),
        "doctor creates the data directory"
    );
}

#[test]
fn default_config_prints_the_documented_defaults() {
    let out = kiosk().arg("default-config").output().expect("run");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("idle_timeout_secs = 90") && text.contains("mode = \"counter\""));
}

/// Runs `vneid-kiosk --config CONFIG operator ARGS` with `stdin` as standard input.
fn operator(config: &std::path::Path, args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = kiosk()
        .arg("--config")
        .arg(config)
        .arg("operator")
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write PIN");
    child.wait_with_output().expect("wait")
}

#[test]
fn operator_accounts_are_added_from_stdin_pins_and_listed_without_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("kiosk.toml");
    std::fs::write(&config, "data_dir = \"data\"\n").expect("write");
    let first = operator(
        &config,
        &["add", "--id", "op1", "--role", "operator"],
        "135790\n",
    );
    assert_eq!(
        first.status.code(),
        Some(1),
        "the first account must be an administrator"
    );
    assert!(String::from_utf8_lossy(&first.stderr).contains("không có quyền"));
    let admin = operator(
        &config,
        &["add", "--id", "admin", "--role", "administrator"],
        "24681357\n",
    );
    assert!(admin.status.success(), "{admin:?}");
    let unsigned = operator(
        &config,
        &["add", "--id", "op1", "--role", "operator"],
        "135790\n",
    );
    assert_eq!(unsigned.status.code(), Some(1), "later accounts need --by");
    let wrong = operator(
        &config,
        &["add", "--id", "op1", "--role", "operator", "--by", "admin"],
        "135790\n11111111\n",
    );
    assert_eq!(wrong.status.code(), Some(1), "the creator's PIN is checked");
    let no_pin = operator(&config, &["add", "--id", "op2", "--role", "operator"], "");
    assert!(String::from_utf8_lossy(&no_pin.stderr).contains("no PIN on standard input"));
    let added = operator(
        &config,
        &["add", "--id", "op1", "--role", "operator", "--by", "admin"],
        "135790\n24681357\n",
    );
    assert!(added.status.success(), "{added:?}");
    let list = operator(&config, &["list"], "");
    assert!(list.status.success());
    let text = String::from_utf8_lossy(&list.stdout);
    assert_eq!(text, "admin\tadministrator\nop1\toperator\n");
    assert!(dir.path().join("data/queue.sqlite").exists());
}

#[test]
fn queue_status_prints_a_count_for_every_state_and_nothing_else() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("kiosk.toml");
    std::fs::write(&config, "data_dir = \"data\"\n").expect("write");
    let out = kiosk()
        .arg("--config")
        .arg(&config)
        .args(["queue", "status"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 9, "{text}");
    assert!(lines.contains(&"queued\t0"), "{text}");
    assert!(lines.iter().all(|l| l.ends_with("\t0")), "{text}");
}

#[test]
fn the_self_service_account_takes_no_pin() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("kiosk.toml");
    std::fs::write(&config, "data_dir = \"data\"\n").expect("write");
    let admin = operator(
        &config,
        &["add", "--id", "admin", "--role", "administrator"],
        "24681357\n",
    );
    assert!(admin.status.success());
    let station = operator(
        &config,
        &[
            "add",
            "--id",
            "kiosk-demo-01",
            "--role",
            "self-service",
            "--by",
            "admin",
        ],
        "24681357\n",
    );
    assert!(station.status.success(), "{station:?}");
    let list = operator(&config, &["list"], "");
    assert!(String::from_utf8_lossy(&list.stdout).contains("kiosk-demo-01\tself-service\n"));
}

#[test]
fn register_with_an_unreachable_back_office_fails_in_both_languages_and_writes_no_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("kiosk.toml");
    std::fs::write(
        &config,
        "data_dir = \"data\"\nbackoffice_url = \"http://127.0.0.1:9\"\n",
    )
    .expect("write");
    let out = kiosk()
        .arg("--config")
        .arg(&config)
        .args(["register", "--token", "0123abcd"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("registration failed") && err.contains("Không đăng ký được"),
        "{err}"
    );
    assert!(!err.contains("0123abcd"), "the token is not echoed");
    assert!(
        !dir.path()
            .join("data/backoffice-receipt-ed25519.pub")
            .exists()
    );
}
