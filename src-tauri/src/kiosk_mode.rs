//! Unattended operation: the `--kiosk` window (full screen, no decorations, no way out but an
//! administrator), the data directory's run lock that tells a clean stop from a crash, and the
//! `supervise` loop that starts the kiosk again after a crash.
//!
//! The run lock is `kiosk.lock` in the data directory, held with `flock` while the kiosk runs
//! and holding its process id. The kernel drops the lock when the process dies however it dies,
//! so a second kiosk on the same data directory is refused, and a lock file that still names a
//! process at start means the previous run never stopped cleanly: the audit log records it.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use enroll::audit::{AuditAction, SYSTEM_ACTOR};
use enroll::ids::OperatorId;
use enroll::operators::{Pin, Role};
use enroll::queue::Queue;
use enroll::timestamp::Timestamp;
use zeroize::Zeroizing;

use crate::store::LOCK_FILE;

/// How the previous run of the kiosk on this data directory ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreviousRun {
    /// It stopped cleanly, or there was none.
    Clean,
    /// It ended without releasing its lock (crash, `kill -9`, power cut); its process id.
    Unclean { pid: u32 },
}

/// Why the run lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("another kiosk is running on this data directory")]
    AlreadyRunning,
    #[error("cannot use the run lock {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The kiosk's run lock; dropping it (or [`RunLock::release`]) marks a clean stop.
#[derive(Debug)]
pub struct RunLock {
    file: File,
}

impl RunLock {
    /// Takes the lock of `data_dir` and says how the previous run ended.
    pub fn acquire(data_dir: &Path) -> Result<(RunLock, PreviousRun), LockError> {
        use std::os::unix::fs::OpenOptionsExt;
        let path = data_dir.join(LOCK_FILE);
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(data_dir).map_err(io)?;
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)
            .map_err(io)?;
        match rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => {}
            Err(rustix::io::Errno::WOULDBLOCK) => return Err(LockError::AlreadyRunning),
            Err(err) => return Err(io(err.into())),
        }
        let mut previous = String::new();
        file.read_to_string(&mut previous).map_err(io)?;
        let previous = match previous.trim() {
            "" => PreviousRun::Clean,
            text => PreviousRun::Unclean {
                pid: text.parse().unwrap_or(0),
            },
        };
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        writeln!(file, "{}", std::process::id()).map_err(io)?;
        file.sync_all().map_err(io)?;
        Ok((RunLock { file }, previous))
    }

    /// Whether a kiosk holds the lock of `data_dir` now.
    pub fn is_held(data_dir: &Path) -> bool {
        let Ok(file) = File::open(data_dir.join(LOCK_FILE)) else {
            return false;
        };
        match rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockShared) {
            Ok(()) => false,
            Err(err) => err == rustix::io::Errno::WOULDBLOCK,
        }
    }

    /// Marks a clean stop (an empty lock file) and lets the lock go.
    pub fn release(self) {
        drop(self);
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        // An empty file is a clean stop; the lock itself goes with the file descriptor.
        if self
            .file
            .set_len(0)
            .and_then(|()| self.file.sync_all())
            .is_ok()
        {
            tracing::info!("run lock released: clean stop");
        }
    }
}

/// Takes the run lock for the kiosk window: another kiosk on the same data directory stops this
/// one (exit code 3); a lock that cannot be used at all (unwritable directory) is logged and the
/// kiosk runs without it.
pub fn lock_for_run(data_dir: &Path) -> Result<(Option<RunLock>, PreviousRun), ExitCode> {
    match RunLock::acquire(data_dir) {
        Ok((lock, previous)) => Ok((Some(lock), previous)),
        Err(LockError::AlreadyRunning) => {
            tracing::error!("another kiosk is running on this data directory: not starting");
            eprintln!(
                "Một phiên bản ki-ốt khác đang chạy trên thư mục dữ liệu này / another kiosk is already running on this data directory"
            );
            Err(ExitCode::from(3))
        }
        Err(err) => {
            tracing::error!(error = %err, "run lock unavailable: crashes will not be detected");
            Ok((None, PreviousRun::Clean))
        }
    }
}

/// Records an unclean previous run in the audit log (the restart after a crash).
pub async fn record_previous_run(queue: &Queue, previous: PreviousRun) {
    let PreviousRun::Unclean { pid } = previous else {
        return;
    };
    tracing::warn!(
        previous_pid = pid,
        "the previous run did not stop cleanly (crash, kill or power cut); queue checked at open"
    );
    let Ok(system) = OperatorId::new(SYSTEM_ACTOR) else {
        return;
    };
    let subject = format!("pid:{pid}");
    if let Err(err) = queue
        .audit()
        .append(
            Timestamp::now(),
            &system,
            AuditAction::UncleanStopRecovered,
            Some(&subject),
        )
        .await
    {
        tracing::error!(error = %err, "the unclean stop could not be written to the audit log");
    }
}

/// What the window side of kiosk mode shares: whether it is on, whether an administrator has
/// allowed the exit, and the run lock to release when the window goes.
pub struct KioskMode {
    pub enabled: bool,
    exit_allowed: AtomicBool,
    lock: Mutex<Option<RunLock>>,
}

impl KioskMode {
    pub fn new(enabled: bool, lock: Option<RunLock>) -> KioskMode {
        KioskMode {
            enabled,
            exit_allowed: AtomicBool::new(false),
            lock: Mutex::new(lock),
        }
    }

    /// Holds the run lock of the data directory the kiosk opened (after its set-up, when the
    /// window started without one).
    pub fn hold(&self, lock: Option<RunLock>) {
        *self
            .lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = lock;
    }

    /// Marks the clean stop now: the event loop ends the process without running destructors.
    pub fn release_lock(&self) {
        let lock = self
            .lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(lock) = lock {
            lock.release();
        }
    }
}

/// Makes the main window a kiosk: full screen, no decorations, above other windows.
pub fn setup_window(app: &tauri::App) {
    use tauri::Manager;
    let kiosk = app.state::<KioskMode>();
    let Some(window) = app.get_webview_window("main").filter(|_| kiosk.enabled) else {
        return;
    };
    let results = [
        window.set_decorations(false),
        window.set_fullscreen(true),
        window.set_always_on_top(true),
        window.set_resizable(false),
    ];
    if results.iter().any(Result::is_err) {
        tracing::warn!("the window manager refused part of the kiosk window set-up");
    }
    tracing::info!("kiosk mode: full screen, no decorations; exit needs an administrator");
}

/// In kiosk mode a close request (Alt+F4, the window manager) is refused unless an
/// administrator allowed it; when the window is gone the run lock is released (clean stop).
pub fn on_window_event(window: &tauri::Window, event: &tauri::WindowEvent) {
    use tauri::Manager;
    let kiosk = window.state::<KioskMode>();
    match event {
        tauri::WindowEvent::CloseRequested { api, .. }
            if kiosk.enabled && !kiosk.exit_allowed.load(Ordering::SeqCst) =>
        {
            api.prevent_close();
            tracing::info!("close request refused in kiosk mode");
        }
        tauri::WindowEvent::Destroyed => kiosk.release_lock(),
        _ => {}
    }
}

/// Whether the window runs in kiosk mode; the UI asks once its start screen is up, and arms
/// the exit gesture when it is.
#[tauri::command]
pub fn kiosk_mode(kiosk: tauri::State<'_, KioskMode>) -> bool {
    tracing::info!(kiosk = kiosk.enabled, "start screen shown");
    kiosk.enabled
}

/// Leaves kiosk mode (closes the app) when `operator_id` is an administrator with this PIN.
#[tauri::command]
pub async fn kiosk_exit(
    app: tauri::AppHandle,
    kiosk: tauri::State<'_, KioskMode>,
    queue: tauri::State<'_, KioskQueue>,
    operator_id: String,
    pin: String,
) -> Result<(), String> {
    let pin = Zeroizing::new(pin);
    let queue = queue.0.as_ref().ok_or("queue.unavailable")?;
    let id = OperatorId::new(operator_id.trim()).map_err(|_| "operators.wrong_credentials")?;
    let pin = Pin::new(&pin).map_err(|_| "operators.pin_format")?;
    let now = Timestamp::now();
    let session = queue
        .operators()
        .login(&id, pin, now)
        .await
        .map_err(|_| "operators.wrong_credentials")?;
    if session.role != Role::Administrator {
        tracing::info!(
            role = session.role.as_str(),
            "kiosk exit refused: not an administrator"
        );
        return Err("operators.not_permitted".into());
    }
    queue
        .audit()
        .append(now, &session.operator, AuditAction::KioskExit, None)
        .await
        .map_err(|_| "queue.database")?;
    tracing::info!("kiosk exit allowed by an administrator");
    kiosk.exit_allowed.store(true, Ordering::SeqCst);
    kiosk.release_lock();
    app.exit(0);
    Ok(())
}

/// The queue the exit command checks PINs against (`None` when it could not open).
pub struct KioskQueue(pub Option<Queue>);

/// Set by [`supervise`] on the kiosk it runs.
pub const SUPERVISED_ENV: &str = "VNEID_KIOSK_SUPERVISED";

/// Crashes closer together than this count towards giving up.
const CRASH_WINDOW: Duration = Duration::from_secs(120);
/// Crashes within [`CRASH_WINDOW`] after which the supervisor gives up (something is broken
/// that a restart will not fix; a technician must look).
const MAX_CRASHES: usize = 5;

/// Runs the kiosk (`--kiosk` when `kiosk`) as a child process and starts it again whenever it
/// ends without success (a crash, a kill, a failed start), waiting a little longer each time;
/// returns when it ends cleanly, or after [`MAX_CRASHES`] crashes within [`CRASH_WINDOW`].
pub fn supervise(config_path: Option<&Path>, kiosk: bool) -> ExitCode {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(err) => {
            eprintln!("supervise: cannot find the kiosk binary: {err}");
            return ExitCode::FAILURE;
        }
    };
    let mut crashes: Vec<Instant> = Vec::new();
    loop {
        let mut command = std::process::Command::new(&exe);
        command.env(SUPERVISED_ENV, "1");
        if let Some(path) = config_path {
            command.arg("--config").arg(path);
        }
        if kiosk {
            command.arg("--kiosk");
        }
        let started = Instant::now();
        let status = command.status();
        match status {
            Ok(status) if status.success() => {
                eprintln!("supervise: the kiosk stopped cleanly");
                return ExitCode::SUCCESS;
            }
            Ok(status) => eprintln!("supervise: the kiosk ended ({status}); starting it again"),
            Err(err) => eprintln!("supervise: the kiosk could not start ({err})"),
        }
        let now = Instant::now();
        crashes.retain(|at| now.duration_since(*at) < CRASH_WINDOW);
        crashes.push(now);
        if crashes.len() >= MAX_CRASHES {
            eprintln!(
                "supervise: {MAX_CRASHES} crashes within {} s: giving up; run `vneid-kiosk doctor` and send a support bundle",
                CRASH_WINDOW.as_secs()
            );
            return ExitCode::FAILURE;
        }
        let ran = started.elapsed();
        std::thread::sleep(restart_delay(crashes.len(), ran));
    }
}

/// The wait before a restart: short after the first crash, doubling with each recent one.
fn restart_delay(recent_crashes: usize, ran: Duration) -> Duration {
    if ran > CRASH_WINDOW {
        return Duration::from_millis(500);
    }
    let doublings = u32::try_from(recent_crashes.saturating_sub(1)).unwrap_or(u32::MAX);
    Duration::from_millis(500)
        .saturating_mul(2u32.saturating_pow(doublings))
        .min(Duration::from_secs(15))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_left_by_a_dead_run_is_an_unclean_stop_and_a_released_one_is_clean() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (lock, previous) = RunLock::acquire(dir.path()).expect("first run");
        assert_eq!(previous, PreviousRun::Clean);
        assert!(RunLock::is_held(dir.path()));
        assert!(matches!(
            RunLock::acquire(dir.path()),
            Err(LockError::AlreadyRunning)
        ));
        lock.release();
        assert!(!RunLock::is_held(dir.path()));
        let (lock, previous) = RunLock::acquire(dir.path()).expect("second run");
        assert_eq!(previous, PreviousRun::Clean, "released means clean");
        drop(lock);
        // What a killed run leaves: its pid in the file, and no flock (the kernel dropped it).
        std::fs::write(dir.path().join(LOCK_FILE), "4242\n").expect("pid");
        let (_lock, previous) = RunLock::acquire(dir.path()).expect("after the crash");
        assert_eq!(previous, PreviousRun::Unclean { pid: 4242 });
        let text = std::fs::read_to_string(dir.path().join(LOCK_FILE)).expect("read");
        assert_eq!(text, format!("{}\n", std::process::id()));
    }

    #[test]
    fn restarts_wait_longer_after_each_recent_crash_and_not_after_a_long_run() {
        let short = Duration::from_secs(1);
        assert_eq!(restart_delay(1, short), Duration::from_millis(500));
        assert_eq!(restart_delay(2, short), Duration::from_secs(1));
        assert_eq!(restart_delay(3, short), Duration::from_secs(2));
        assert_eq!(restart_delay(40, short), Duration::from_secs(15));
        assert_eq!(
            restart_delay(4, Duration::from_secs(600)),
            Duration::from_millis(500)
        );
    }
}
