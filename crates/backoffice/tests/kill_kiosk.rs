//! `kill -9` of the kiosk, repeatedly, in the middle of its uploads: a simulated kiosk process
//! (`backoffice simulate-kiosk`: the real queue file, the real sync client) is killed whenever
//! its uploads are under way and started again on the same state. Afterwards the back office
//! holds every package exactly once, in the kiosk's queue order, and the queue is intact.

mod common;

use backoffice::api::Faults;
use common::{TestServer, rng};
use enroll::queue::Queue;
use enroll::state::EnrollmentState;
use rand_core::Rng;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_backoffice");
const COUNT: usize = 60;

fn start_kiosk(dir: &Path, url: &str, token: &str) -> Child {
    Command::new(BIN)
        .arg("simulate-kiosk")
        .arg("--dir")
        .arg(dir)
        .args(["--url", url, "--device", "kiosk-k9", "--token", token])
        .args(["--count", &COUNT.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the simulated kiosk starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_kiosk_mid_upload_loses_and_duplicates_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(dir.path(), Faults::default()).await;
    let token = server.token().await;
    let kiosk_dir = dir.path().join("kiosk");
    let mut kiosk = start_kiosk(&kiosk_dir, &server.url(), &token);
    let mut kills_mid_drain = 0;
    for _ in 0..6 {
        let before = server.store().packages().await.expect("packages").len();
        if before >= COUNT {
            break;
        }
        // Wait for uploads to be under way, then kill at a random moment.
        let waited = Instant::now();
        while server.store().packages().await.expect("packages").len() == before
            && waited.elapsed() < Duration::from_secs(30)
        {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(Duration::from_millis(rng().next_u64() % 120)).await;
        kiosk.kill().expect("SIGKILL");
        kiosk.wait().expect("reaped");
        if server.store().packages().await.expect("packages").len() < COUNT {
            kills_mid_drain += 1;
        }
        kiosk = start_kiosk(&kiosk_dir, &server.url(), &token);
    }
    let deadline = Instant::now() + Duration::from_secs(180);
    let status = loop {
        if let Some(status) = kiosk.try_wait().expect("status") {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = kiosk.kill();
            break None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        status.is_some_and(|s| s.success()),
        "the last run finished: {status:?}"
    );
    assert!(
        kills_mid_drain >= 3,
        "only {kills_mid_drain} kills hit a drain under way"
    );

    let stored = server.store().packages().await.expect("packages");
    assert_eq!(stored.len(), COUNT, "none lost, none stored twice");
    let queue = Queue::open(&kiosk_dir.join("queue.sqlite"))
        .await
        .expect("queue reopens");
    let mut last_seq = 0;
    for (i, p) in stored.iter().enumerate() {
        assert_eq!(p.device_seq, i as i64 + 1);
        let local = queue
            .status(p.package_id)
            .await
            .expect("known to the kiosk");
        assert!(local.seq > last_seq, "stored in the kiosk's queue order");
        last_seq = local.seq;
        assert_eq!(local.state, EnrollmentState::Acknowledged);
    }
    println!("{kills_mid_drain} kills mid-drain");
    server.stop().await;
}
