//! The admin command line end to end: `create-kiosk-token`, `serve` with a trust-store
//! directory and a kiosk configuration file (both reach kiosks over `/v1/config`),
//! `simulate-kiosk`, then `list-kiosks` and `export` showing what arrived — and nothing personal.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use sync::auth::RequestSigner;
use sync::client::{ClientConfig, SyncClient};

const BIN: &str = env!("CARGO_BIN_EXE_backoffice");

fn run(db: &str, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .args(["--db", db])
        .args(args)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_cli_serves_configures_lists_and_exports() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = common::test_database(dir.path()).await;
    let trust = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/test-csca");
    let config = dir.path().join("kiosk-config.json");
    std::fs::write(
        &config,
        r#"{"revision": 3,
            "groups": [{"id": "to-dan-pho-1", "name": "Tổ dân phố 1"}],
            "targets": [{"group": "to-dan-pho-1", "period": "2026-Q1", "level2_target": 120}],
            "trust_store": {"revision": 0, "csca_certificates": []}}"#,
    )
    .expect("config file");
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port");
    let mut server = Command::new(BIN)
        .args(["--db", &db, "serve", "--listen", &addr.to_string()])
        .arg("--keys")
        .arg(dir.path().join("keys"))
        .arg("--trust-store")
        .arg(&trust)
        .arg("--kiosk-config")
        .arg(&config)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serves");
    let stdout = server.stdout.take().expect("stdout");
    let mut lines = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("line");
        let done = line.starts_with("listening on");
        lines.push(line);
        if done {
            break;
        }
    }
    assert!(
        lines
            .iter()
            .any(|l| l == "trust store: 2 CSCA certificates"),
        "{lines:?}"
    );

    let url = format!("http://{addr}/");
    let token = run(&db, &["create-kiosk-token"]).trim().to_owned();
    assert_eq!(token.len(), 64);
    let kiosk_dir = dir.path().join("kiosk");
    let out = Command::new(BIN)
        .args([
            "simulate-kiosk",
            "--url",
            &url,
            "--token",
            &token,
            "--count",
            "6",
        ])
        .arg("--dir")
        .arg(&kiosk_dir)
        .output()
        .expect("simulated kiosk runs");
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "6 packages acknowledged"
    );

    // The configuration a kiosk pulls: the file's groups and targets, the directory's CSCAs.
    let other = common::TestKiosk::new(dir.path(), "kiosk-config-reader").await;
    let client = SyncClient::new(
        ClientConfig::new(url.parse().expect("url"), None),
        RequestSigner::new(other.device.clone(), &other.key),
        common::rng(),
    )
    .expect("client");
    client
        .register(run(&db, &["create-kiosk-token"]).trim())
        .await
        .expect("registers");
    let pulled = client.configuration().await.expect("configuration");
    assert_eq!(pulled.revision, 3);
    assert_eq!(
        pulled.groups.first().map(|g| g.name.as_str()),
        Some("Tổ dân phố 1")
    );
    assert_eq!(pulled.targets.first().map(|t| t.level2_target), Some(120));
    assert_eq!(pulled.trust_store.csca_certificates.len(), 2);
    assert_ne!(pulled.trust_store.revision, 0);

    let kiosks = run(&db, &["list-kiosks"]);
    let sim = kiosks
        .lines()
        .find(|l| l.starts_with("kiosk-sim-1\t"))
        .expect("the simulated kiosk is listed");
    let fields: Vec<&str> = sim.split('\t').collect();
    assert_eq!(
        fields.get(4),
        Some(&"0"),
        "queue depth from its heartbeat: {sim}"
    );
    assert_eq!(fields.last(), Some(&"6"), "packages received: {sim}");

    let export = run(&db, &["export"]);
    let rows: Vec<&str> = export.lines().skip(1).collect();
    assert_eq!(rows.len(), 6);
    assert!(rows.iter().all(|r| r.contains(",kiosk-sim-1,")));
    assert_eq!(rows.iter().filter(|r| r.contains(",chip,")).count(), 2);
    for personal in ["NGUYỄN", "0912345678", "001090000"] {
        assert!(!export.contains(personal), "{personal} in the export");
    }
    server.kill().expect("stopped");
    server.wait().expect("reaped");
}
