//! Crash restart of the real app: `vneid-kiosk supervise --kiosk` under a display, the kiosk
//! killed with SIGKILL, back at its start screen with its queue intact and the restart in the
//! audit log. Needs an X display: runs when `VNEID_APP_E2E=1` and `DISPLAY` is set (CI's Xvfb
//! step); run it inside `flock /tmp/vneid-realstack.lock` on a shared machine.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use enroll::ids::{DeviceId, GroupId};
use enroll::package::{BackOfficeSecretKey, DeviceSigningKey};
use enroll::queue::Queue;
use enroll::state::EnrollmentState;
use enroll::timestamp::Timestamp;

/// The messages the kiosk logs when its start screen is up.
const START_SCREEN: &str = "start screen shown";

fn log_count(data: &Path, message: &str) -> usize {
    let Ok(entries) = std::fs::read_dir(data.join("logs")) else {
        return 0;
    };
    entries
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .map(|text| text.matches(message).count())
        .sum()
}

fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn lock_pid(data: &Path) -> Option<i32> {
    std::fs::read_to_string(data.join("kiosk.lock"))
        .ok()?
        .trim()
        .parse()
        .ok()
}

fn kill9(pid: i32) {
    // SAFETY: kill(2) with a pid this test started (the kiosk or its supervisor).
    unsafe {
        libc::kill(pid, libc::SIGKILL);
    }
}

fn queue_one_package(db: &Path) {
    let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
    let (_, office) = BackOfficeSecretKey::generate(&mut rng);
    let signer = DeviceSigningKey::generate(&mut rng);
    let now = Timestamp::now();
    let device = DeviceId::new("kiosk-demo-01").expect("device");
    let group = GroupId::new("TDP01").expect("group");
    let enrollment =
        enroll::demo::demo_enrollment(77, 8_000, &device, &group, now).expect("enrollment");
    let package =
        enroll::package::seal(&enrollment, now, &signer, &office, &mut rng).expect("seal");
    tauri::async_runtime::block_on(async {
        let queue = Queue::open(db).await.expect("queue");
        queue.enqueue(&package, None, now).await.expect("enqueue");
        queue.close().await;
    });
}

#[test]
fn a_killed_kiosk_comes_back_to_its_start_screen_with_its_queue_and_the_restart_audited() {
    if std::env::var_os("VNEID_APP_E2E").is_none() || std::env::var_os("DISPLAY").is_none() {
        eprintln!("skipped: set VNEID_APP_E2E=1 with an X display (DISPLAY) to run the real app");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("kiosk.toml");
    std::fs::write(
        &config,
        "data_dir = \"data\"\ntrust_store = \"no-trust\"\nbackoffice_url = \"http://127.0.0.1:9\"\n",
    )
    .expect("config");
    let data: PathBuf = dir.path().join("data");
    std::fs::create_dir_all(&data).expect("data");
    queue_one_package(&data.join("queue.sqlite"));

    let mut supervisor = Command::new(env!("CARGO_BIN_EXE_vneid-kiosk"))
        .env_remove("VNEID_KIOSK_CONFIG")
        .arg("--config")
        .arg(&config)
        .args(["supervise", "--kiosk"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("supervisor");
    let result = std::panic::catch_unwind(|| {
        wait_for("the start screen", Duration::from_secs(90), || {
            log_count(&data, START_SCREEN) >= 1
        });
        let first = lock_pid(&data).expect("the running kiosk's pid in its lock");
        kill9(first);
        wait_for(
            "the restarted start screen",
            Duration::from_secs(90),
            || log_count(&data, START_SCREEN) >= 2,
        );
        let second = lock_pid(&data).expect("the restarted kiosk's pid");
        assert_ne!(first, second, "a new process holds the lock");
        (first, second)
    });
    // The supervisor first (or it would start the kiosk again), then the kiosk, which holds the
    // supervisor's stderr pipe open.
    let _ = supervisor.kill();
    if let Some(pid) = lock_pid(&data) {
        kill9(pid);
    }
    let stderr = supervisor
        .wait_with_output()
        .map(|o| o.stderr)
        .unwrap_or_default();
    let (first, _) =
        result.unwrap_or_else(|_| panic!("supervisor said:\n{}", String::from_utf8_lossy(&stderr)));
    assert!(
        String::from_utf8_lossy(&stderr).contains("starting it again"),
        "{}",
        String::from_utf8_lossy(&stderr)
    );
    tauri::async_runtime::block_on(async {
        let queue = Queue::open(&data.join("queue.sqlite"))
            .await
            .expect("queue");
        let counts = queue.counts().await.expect("counts");
        assert_eq!(
            counts,
            vec![(EnrollmentState::Queued, 1)],
            "the queue is intact"
        );
        queue.audit().verify().await.expect("audit chain verifies");
        let entries = queue.audit().entries().await.expect("audit");
        let restart = entries
            .iter()
            .find(|e| e.action == "app.unclean-stop-recovered")
            .expect("the restart is in the audit log");
        assert_eq!(
            restart.subject.as_deref(),
            Some(format!("pid:{first}").as_str())
        );
        assert_eq!(restart.actor, "system");
        queue.close().await;
    });
}
