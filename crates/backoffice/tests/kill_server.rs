//! `kill -9` of the back office, repeatedly, while a kiosk drains its queue through it: the real
//! `backoffice` binary over a real database (a SQLite file, or PostgreSQL), killed at random
//! moments (mid-upload, mid-commit) and restarted on the same database and keys. Afterwards
//! every package is stored exactly once, in queue order, and SQLite passes its integrity check.

mod common;

use backoffice::store::{Engine, Store};
use common::{TestKiosk, rng};
use enroll::package::BackOfficePublicKey;
use enroll::state::EnrollmentState;
use rand_core::Rng;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use sync::client::{Backoff, SyncLoop};
use sync::receipt::ReceiptKey;

const BIN: &str = env!("CARGO_BIN_EXE_backoffice");

struct Running {
    child: Child,
    package_key: BackOfficePublicKey,
    receipt_key: ReceiptKey,
}

fn hex32(line: &str) -> [u8; 32] {
    let hex = line.rsplit(' ').next().unwrap_or_default();
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex.trim(), &mut out).expect("a 32-byte key in hex");
    out
}

/// Starts `backoffice serve` on `addr` and waits until it listens.
fn start(dir: &Path, db: &str, addr: SocketAddr) -> Running {
    let mut child = Command::new(BIN)
        .args(["--db", db, "serve", "--listen"])
        .arg(addr.to_string())
        .args(["--keys", &dir.join("keys").to_string_lossy()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("backoffice starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut package_key = None;
    let mut receipt_key = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("a line");
        if line.starts_with("package key") {
            package_key = BackOfficePublicKey::from_bytes(&hex32(&line)).ok();
        } else if line.starts_with("receipt key") {
            receipt_key = ReceiptKey::from_bytes(&hex32(&line)).ok();
        } else if line.starts_with("listening on") {
            break;
        }
    }
    Running {
        child,
        package_key: package_key.expect("package key printed"),
        receipt_key: receipt_key.expect("receipt key printed"),
    }
}

fn create_token(db: &str) -> String {
    let out = Command::new(BIN)
        .args(["--db", db, "create-kiosk-token"])
        .output()
        .expect("create-kiosk-token runs");
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_back_office_repeatedly_mid_upload_loses_and_duplicates_nothing() {
    let count = 60u32;
    let kills = 8;
    let dir = tempfile::tempdir().expect("tempdir");
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port");
    let db = common::test_database(dir.path()).await;
    let token = create_token(&db);
    let mut server = start(dir.path(), &db, addr);
    let kiosk = TestKiosk::new(dir.path(), "kiosk-k9").await;
    let url = format!("http://{addr}/");
    kiosk
        .client_for(&url, 256 * 1024)
        .register(&token)
        .await
        .expect("registers");
    let ids = kiosk.enqueue(&server.package_key, count).await;
    let sync = SyncLoop::new(
        kiosk.client_for(&url, 16 * 1024),
        kiosk.queue.clone(),
        server.receipt_key,
        Backoff {
            base: Duration::from_millis(10),
            max: Duration::from_millis(100),
        },
        rng(),
        kiosk.dir.join("cursor"),
    )
    .with_idle_poll(Duration::from_millis(20));
    let progress = sync.progress();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(sync.run(stopped));

    let mut killed_with_work_left = 0;
    for _ in 0..kills {
        tokio::time::sleep(Duration::from_millis(50 + rng().next_u64() % 250)).await;
        if progress.borrow().acknowledged < u64::from(count) {
            killed_with_work_left += 1;
        }
        server.child.kill().expect("SIGKILL");
        server.child.wait().expect("reaped");
        server = start(dir.path(), &db, addr);
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    while progress.borrow().acknowledged < u64::from(count) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = stop.send(true);
    let _ = task.await;
    server.child.kill().expect("SIGKILL");
    server.child.wait().expect("reaped");
    assert!(killed_with_work_left > 0, "every kill came after the drain");
    assert_eq!(progress.borrow().acknowledged, u64::from(count), "drained");

    let store = Store::connect(&db).await.expect("reopens");
    let stored = store.packages().await.expect("packages");
    let order: Vec<_> = stored.iter().map(|p| p.package_id).collect();
    assert_eq!(order, ids, "each stored once, in queue order");
    assert!(
        stored
            .iter()
            .enumerate()
            .all(|(i, p)| p.device_seq == i as i64 + 1)
    );
    let integrity = (store.engine() == Engine::Sqlite).then_some("ok");
    assert_eq!(
        store.integrity_check().await.expect("check").as_deref(),
        integrity
    );
    for id in &ids {
        assert_eq!(
            kiosk.queue.status(*id).await.expect("status").state,
            EnrollmentState::Acknowledged
        );
    }
    println!("{kills} kills, {killed_with_work_left} with packages still to send");
}
