//! The kiosk's link to the back office: registration of its device key (which also brings the
//! back office's package and receipt keys into the data directory), the sync loop that sends
//! the queue's outbox in the background, never in an enrollment's way, and the link's state as
//! the header shows it, taken from the loop's own outcome and pushed to the window as the
//! `sync-status` event.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use enroll::ids::DeviceId;
use enroll::queue::Queue;
use getrandom::SysRng;
use kiosk_config::Config;
use rand_core::UnwrapErr;
use serde::Serialize;
use sync::client::{Backoff, ClientConfig, Failure, SyncClient, SyncLoop, SyncProgress, SyncState};
use sync::messages::ErrorCode;
use sync::receipt::ReceiptKey;
use tauri::{AppHandle, Emitter};
use tokio::sync::{Notify, watch};

use crate::enrollment::{BACKOFFICE_KEY_FILE, DEVICE_KEY_FILE, SubmitError, device_key};

/// The back office's receipt key (hex) in the data directory, written at registration.
pub const RECEIPT_KEY_FILE: &str = "backoffice-receipt-ed25519.pub";
/// Where the sync loop keeps its status cursor.
const CURSOR_FILE: &str = "sync-status-cursor";

/// Why registration failed (no personal data in any of them).
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("the device key could not be read or created")]
    DeviceKey,
    #[error("the device id is not a valid kiosk id")]
    DeviceId,
    #[error(transparent)]
    Client(#[from] sync::client::ClientError),
    #[error(transparent)]
    Sync(#[from] sync::client::SyncError),
    #[error("writing the back office's keys failed: {0}")]
    Write(std::io::Error),
}

fn client(config: &Config) -> Result<SyncClient<UnwrapErr<SysRng>>, LinkError> {
    let key = device_key(&config.data_dir.join(DEVICE_KEY_FILE))
        .map_err(|_: SubmitError| LinkError::DeviceKey)?;
    let device = DeviceId::new(config.device_id.clone()).map_err(|_| LinkError::DeviceId)?;
    let signer = sync::auth::RequestSigner::new(device, &key);
    // The back office's CA, written by the first-run set-up (an https back office needs it).
    let ca = std::fs::read(config.data_dir.join(crate::first_run::BACKOFFICE_CA_FILE)).ok();
    Ok(SyncClient::new(
        ClientConfig::new(config.backoffice_url.clone(), ca),
        signer,
        UnwrapErr(SysRng),
    )?)
}

/// Registers this kiosk's device key with the one-time `token` and keeps the back office's
/// package and receipt keys in the data directory.
pub async fn register(config: &Config, token: &str) -> Result<(), LinkError> {
    std::fs::create_dir_all(&config.data_dir).map_err(LinkError::Write)?;
    let answer = client(config)?.register(token).await?;
    write_key(&config.data_dir, BACKOFFICE_KEY_FILE, &answer.package_key)?;
    write_key(&config.data_dir, RECEIPT_KEY_FILE, &answer.receipt_key)?;
    tracing::info!(device = %answer.device, "kiosk registered with the back office");
    Ok(())
}

fn write_key(dir: &Path, file: &str, key: &[u8; 32]) -> Result<(), LinkError> {
    let tmp = dir.join(format!("{file}.tmp"));
    std::fs::write(&tmp, format!("{}\n", hex::encode(key))).map_err(LinkError::Write)?;
    std::fs::rename(&tmp, dir.join(file)).map_err(LinkError::Write)
}

/// The back-office link: wake it after an enrollment is queued; dropping this stops it.
pub struct SyncHandle {
    waker: Arc<Notify>,
    link: watch::Receiver<Link>,
    _shutdown: watch::Sender<bool>,
}

impl SyncHandle {
    /// Asks the loop to send now instead of at its next poll (or, before the kiosk is
    /// registered, to look for the registration now).
    pub fn wake(&self) {
        self.waker.notify_one();
    }

    /// The link's state now, from the loop's latest report.
    pub fn status(&self, config: &Config) -> SyncStatus {
        self.link.borrow().status(endpoint(config))
    }
}

/// The link as its supervisor last saw it: waiting for a registration, or the loop's report.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Link {
    Stopped(Stopped),
    Running(SyncProgress),
}

impl Link {
    fn status(&self, detail: Option<String>) -> SyncStatus {
        match self {
            Link::Stopped(stopped) => stopped.status_of(detail),
            Link::Running(progress) => SyncStatus::of(progress, detail),
        }
    }
}

/// Why no sync loop runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// The kiosk has not been registered (no receipt key in the data directory).
    NotRegistered,
    /// The queue, a key file or the client could not be set up (the log says which).
    SetupFailed,
}

impl Stopped {
    /// The header's state for it.
    pub fn status(self, config: &Config) -> SyncStatus {
        self.status_of(endpoint(config))
    }

    fn status_of(self, detail: Option<String>) -> SyncStatus {
        let state = match self {
            Stopped::NotRegistered => "not_registered",
            Stopped::SetupFailed => "not_started",
        };
        SyncStatus {
            state,
            detail,
            last_sync_at: None,
            retry_at: None,
        }
    }
}

/// The back-office link as the header shows it, from the sync loop's outcome (never personal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    /// `not_registered`, `not_started`, `starting`, `synced`, `sending`, `waiting` (a retry
    /// left from an earlier run), `unreachable`, `refused` (credentials) or `clock_skew`.
    pub state: &'static str,
    /// The back office's host and port.
    pub detail: Option<String>,
    /// When the back office last answered (Unix milliseconds).
    pub last_sync_at: Option<i64>,
    /// When the next attempt is due (Unix milliseconds), while sending waits.
    pub retry_at: Option<i64>,
}

impl SyncStatus {
    fn of(progress: &SyncProgress, detail: Option<String>) -> SyncStatus {
        let contact = progress.last_contact;
        // A failure counts until the back office answers again.
        let failing = progress
            .last_failure
            .filter(|f| contact.is_none_or(|c| c < f.at));
        let retry = match progress.state {
            SyncState::Waiting { until } => Some(until.unix_millis()),
            _ => None,
        };
        let state = match (&progress.state, failing) {
            (SyncState::Sending { .. }, _) => "sending",
            (
                _,
                Some(Failure {
                    refused: Some(ErrorCode::ClockSkew),
                    ..
                }),
            ) => "clock_skew",
            (
                _,
                Some(Failure {
                    refused: Some(_), ..
                }),
            ) => "refused",
            (_, Some(_)) => "unreachable",
            (SyncState::Waiting { .. }, None) => "waiting",
            (SyncState::Unauthorised { code }, None) if *code == ErrorCode::ClockSkew => {
                "clock_skew"
            }
            (SyncState::Unauthorised { .. }, None) => "refused",
            (SyncState::Idle, None) if contact.is_some() => "synced",
            (SyncState::Idle, None) => "starting",
        };
        SyncStatus {
            state,
            detail,
            last_sync_at: contact.map(|c| c.unix_millis()),
            retry_at: retry.filter(|_| matches!(state, "unreachable" | "waiting")),
        }
    }
}

/// The back office's host and port, as the header names it.
fn endpoint(config: &Config) -> Option<String> {
    let url = &config.backoffice_url;
    let host = url.host_str()?;
    Some(match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    })
}

/// One `sync-status` event: the link and the packages the back office has not acknowledged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
struct SyncUpdate {
    sync: SyncStatus,
    queue_waiting: Option<u64>,
}

/// Packages not yet acknowledged by the back office (queued, uploading, uploaded); `None`
/// (shown as "queue not set up") when the count cannot be read.
pub async fn waiting(queue: &Queue) -> Option<u64> {
    use enroll::state::EnrollmentState::{Queued, Uploaded, Uploading};
    match queue.counts().await {
        Ok(counts) => Some(
            counts
                .iter()
                .filter(|(state, _)| matches!(state, Queued | Uploading | Uploaded))
                .map(|(_, n)| n)
                .sum(),
        ),
        Err(err) => {
            tracing::warn!(error = %err, "queue counts unreadable");
            None
        }
    }
}

impl SyncHandle {
    /// Emits `sync-status` to the window at each change of the loop's state or of the number
    /// of packages waiting, until the loop stops.
    pub fn forward(&self, app: AppHandle, queue: Queue, config: &Config) {
        let mut link = self.link.clone();
        let detail = endpoint(config);
        tauri::async_runtime::spawn(async move {
            let mut last: Option<SyncUpdate> = None;
            loop {
                let sync = link.borrow_and_update().status(detail.clone());
                let update = SyncUpdate {
                    sync,
                    queue_waiting: waiting(&queue).await,
                };
                if last.as_ref() != Some(&update) {
                    if let Err(err) = app.emit("sync-status", update.clone()) {
                        tracing::warn!(error = %err, "sync-status not delivered to the window");
                    }
                    last = Some(update);
                }
                if link.changed().await.is_err() {
                    return;
                }
            }
        });
    }
}

/// How often a kiosk not yet registered looks for its registration: the set-up screen or
/// `vneid-kiosk register` writes the back office's keys into the data directory while the app
/// runs, and the loop then starts without a restart.
const REGISTRATION_POLL: Duration = Duration::from_secs(3);

/// The back office's receipt key from the data directory: `Ok(None)` while the kiosk is not
/// registered, `Err` when the file is there but malformed.
fn registration(config: &Config) -> Result<Option<ReceiptKey>, Stopped> {
    let Ok(receipt) = std::fs::read_to_string(config.data_dir.join(RECEIPT_KEY_FILE)) else {
        return Ok(None);
    };
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(receipt.trim(), &mut bytes)
        .ok()
        .and_then(|()| ReceiptKey::from_bytes(&bytes).ok())
        .map(Some)
        .ok_or(Stopped::SetupFailed)
}

/// Starts the link over `queue`: the sync loop runs as soon as this kiosk is registered (the
/// receipt key is in the data directory), now or when a registration appears later; until
/// then the header says why not, and the log says it once.
pub fn start(config: &Config, queue: Queue) -> SyncHandle {
    let waker = Arc::new(Notify::new());
    let (shutdown, stop) = watch::channel(false);
    let (link, watched) = watch::channel(Link::Stopped(Stopped::NotRegistered));
    tauri::async_runtime::spawn(supervise(
        config.clone(),
        queue,
        Arc::clone(&waker),
        link,
        stop,
    ));
    SyncHandle {
        waker,
        link: watched,
        _shutdown: shutdown,
    }
}

/// Waits for the registration, then runs the sync loop, passing wake-ups to it and its
/// progress to the handle, until the handle is dropped.
async fn supervise(
    config: Config,
    queue: Queue,
    waker: Arc<Notify>,
    link: watch::Sender<Link>,
    mut stop: watch::Receiver<bool>,
) {
    let mut told = None;
    let receipt_key = loop {
        let stopped = match registration(&config) {
            Ok(Some(key)) => break key,
            Ok(None) => Stopped::NotRegistered,
            Err(stopped) => stopped,
        };
        if told != Some(stopped) {
            match stopped {
                Stopped::NotRegistered => tracing::warn!(
                    "kiosk not registered with the back office: packages stay queued until it is"
                ),
                Stopped::SetupFailed => tracing::error!(
                    "the back office's receipt key file is malformed: sync waits for a new registration"
                ),
            }
            told = Some(stopped);
            link.send_replace(Link::Stopped(stopped));
        }
        tokio::select! {
            () = waker.notified() => {}
            () = tokio::time::sleep(REGISTRATION_POLL) => {}
            _ = stop.changed() => return,
        }
    };
    let client = match client(&config) {
        Ok(client) => client,
        Err(err) => {
            tracing::error!(error = %err, "sync client could not start");
            link.send_replace(Link::Stopped(Stopped::SetupFailed));
            return;
        }
    };
    let sync = SyncLoop::new(
        client,
        queue,
        receipt_key,
        Backoff {
            base: Duration::from_millis(500),
            max: Duration::from_secs(60),
        },
        UnwrapErr(SysRng),
        config.data_dir.join(CURSOR_FILE),
    )
    .with_idle_poll(Duration::from_secs(15));
    let loop_waker = sync.waker();
    let mut progress = sync.progress();
    tauri::async_runtime::spawn(sync.run(stop.clone()));
    tracing::info!(backoffice = %config.backoffice_url, "sync loop started");
    loop {
        link.send_replace(Link::Running(progress.borrow_and_update().clone()));
        tokio::select! {
            () = waker.notified() => loop_waker.notify_one(),
            changed = progress.changed() => {
                if changed.is_err() {
                    return;
                }
            }
            _ = stop.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use enroll::timestamp::Timestamp;

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_unix_millis(ms)
    }

    fn progress(
        state: SyncState,
        contact: Option<i64>,
        failure: Option<(i64, Option<ErrorCode>)>,
    ) -> SyncProgress {
        SyncProgress {
            state,
            last_contact: contact.map(at),
            last_failure: failure.map(|(ms, refused)| Failure {
                at: at(ms),
                refused,
            }),
            ..SyncProgress::default()
        }
    }

    fn state_of(p: &SyncProgress) -> &'static str {
        SyncStatus::of(p, None).state
    }

    #[test]
    fn the_header_state_follows_the_sync_loops_outcome() {
        assert_eq!(state_of(&progress(SyncState::Idle, None, None)), "starting");
        assert_eq!(
            state_of(&progress(SyncState::Idle, Some(10), None)),
            "synced"
        );
        let sending = SyncState::Sending {
            package: enroll::package::PackageId::from_bytes([7; 16]),
            held: 0,
            total: 10,
        };
        assert_eq!(
            state_of(&progress(sending, None, Some((5, None)))),
            "sending"
        );
        let waiting = SyncState::Waiting { until: at(90_000) };
        let down = SyncStatus::of(&progress(waiting.clone(), Some(10), Some((20, None))), None);
        assert_eq!(
            (down.state, down.last_sync_at, down.retry_at),
            ("unreachable", Some(10), Some(90_000))
        );
        // A drained queue whose heartbeat fails is unreachable too, not "synced".
        assert_eq!(
            state_of(&progress(SyncState::Idle, Some(10), Some((20, None)))),
            "unreachable"
        );
        // Answered again since the failure: synced.
        assert_eq!(
            state_of(&progress(SyncState::Idle, Some(30), Some((20, None)))),
            "synced"
        );
        // A retry time left by an earlier run, with no failure in this one.
        assert_eq!(state_of(&progress(waiting.clone(), None, None)), "waiting");
    }

    #[test]
    fn a_refusal_of_the_kiosk_is_told_apart_from_an_outage() {
        let waiting = SyncState::Waiting { until: at(90_000) };
        let refused = SyncStatus::of(
            &progress(waiting, None, Some((20, Some(ErrorCode::UnknownKiosk)))),
            None,
        );
        assert_eq!((refused.state, refused.retry_at), ("refused", None));
        assert_eq!(
            state_of(&progress(
                SyncState::Idle,
                None,
                Some((20, Some(ErrorCode::ClockSkew)))
            )),
            "clock_skew"
        );
        assert_eq!(
            state_of(&progress(
                SyncState::Unauthorised {
                    code: ErrorCode::BadSignature
                },
                Some(5),
                Some((20, Some(ErrorCode::BadSignature)))
            )),
            "refused"
        );
    }

    #[test]
    fn sync_status_serialises_to_the_ui_contract() {
        let config = Config::embedded().expect("defaults");
        let json = serde_json::to_value(SyncUpdate {
            sync: Stopped::NotRegistered.status(&config),
            queue_waiting: Some(2),
        })
        .expect("json");
        assert_eq!(json["sync"]["state"], "not_registered");
        assert!(json["sync"]["detail"].is_string());
        assert!(json["sync"]["lastSyncAt"].is_null());
        assert!(json["sync"]["retryAt"].is_null());
        assert_eq!(json["queueWaiting"], 2);
    }

    /// Polls the handle's state until `want` (10 s at most).
    fn wait_for_state(handle: &SyncHandle, config: &Config, want: &[&str]) -> &'static str {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let state = handle.status(config).state;
            if want.contains(&state) || std::time::Instant::now() > deadline {
                return state;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    #[test]
    fn a_registration_made_while_the_app_runs_starts_the_sync_loop() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = Config::embedded().expect("defaults");
        config.data_dir = dir.path().to_path_buf();
        config.backoffice_url = "http://127.0.0.1:9".parse().expect("url");
        let queue = tauri::async_runtime::block_on(Queue::open(&dir.path().join("queue.sqlite")))
            .expect("queue");
        let handle = start(&config, queue);
        assert_eq!(handle.status(&config).state, "not_registered");
        let receipt = dir.path().join(RECEIPT_KEY_FILE);
        std::fs::write(&receipt, "not a key\n").expect("write");
        handle.wake();
        assert_eq!(
            wait_for_state(&handle, &config, &["not_started"]),
            "not_started"
        );
        let key = sync::receipt::ReceiptSigner::generate(&mut UnwrapErr(SysRng)).key();
        std::fs::write(&receipt, hex::encode(key.to_bytes())).expect("write");
        handle.wake();
        let running = ["starting", "unreachable", "waiting", "sending"];
        let state = wait_for_state(&handle, &config, &running);
        assert!(running.contains(&state), "still {state}");
    }

    #[test]
    fn the_header_counts_packages_the_back_office_has_not_acknowledged() {
        let dir = tempfile::tempdir().expect("tempdir");
        let queue = tauri::async_runtime::block_on(Queue::open(&dir.path().join("queue.sqlite")))
            .expect("queue");
        assert_eq!(tauri::async_runtime::block_on(waiting(&queue)), Some(0));
        let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
        let (_, office) = enroll::package::BackOfficeSecretKey::generate(&mut rng);
        let signer = enroll::package::DeviceSigningKey::generate(&mut rng);
        let device = DeviceId::new("kiosk-1").expect("id");
        let group = enroll::ids::GroupId::new("to-1").expect("group");
        let now = Timestamp::now();
        let mut ids = Vec::new();
        for n in 0..3 {
            let enrollment =
                enroll::demo::demo_enrollment(n, 60_000, &device, &group, now).expect("demo");
            let package =
                enroll::package::seal(&enrollment, now, &signer, &office, &mut rng).expect("seal");
            ids.push(package.id());
            tauri::async_runtime::block_on(queue.enqueue(&package, None, now)).expect("enqueue");
        }
        assert_eq!(tauri::async_runtime::block_on(waiting(&queue)), Some(3));
        let first = ids.first().copied().expect("three");
        tauri::async_runtime::block_on(async {
            queue.begin_upload(first, now).await?;
            queue.upload_done(first, now).await?;
            queue.acknowledge(first, now).await
        })
        .expect("acknowledged");
        assert_eq!(tauri::async_runtime::block_on(waiting(&queue)), Some(2));
    }
}
