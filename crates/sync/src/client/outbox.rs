//! [`SyncLoop`]: drains the enroll queue's outbox to the back office, in creation order.
//!
//! - One package at a time, oldest first; the next starts only after the back office's receipt
//!   for the previous one verified, so packages arrive in order and each is acknowledged once.
//! - A transient failure (offline, timeout, reset, 5xx) puts the head package back with an
//!   exponential, jittered delay and ends the batch: later packages wait behind it, so order
//!   holds. An authorisation error ends the batch too, without burning through the queue.
//! - A conflict (same id, other bytes) or a package the back office finds invalid is
//!   quarantined (ODK's rule): the queue keeps it in its `quarantined` state with its body and
//!   the reason, never sends it again on its own, and the outbox moves on to the next package.
//! - After the outbox it pulls status changes since its cursor into the queue (approved,
//!   rejected, activated) and sends a heartbeat with the queue's health.
//! - Its state goes out through a `watch` channel (the UI reads the latest, the loop never
//!   waits for it). Each queue call is one short statement, so enrollment is never blocked.

use super::backoff::Backoff;
use super::http::{SyncClient, SyncError};
use crate::messages::{ApplicationStatus, ErrorCode, Heartbeat, StatusChange};
use crate::receipt::ReceiptKey;
use enroll::ids::ReasonCode;
use enroll::package::PackageId;
use enroll::queue::{PackageStatus, Queue, QueueError, ReviewOutcome};
use enroll::state::EnrollmentState;
use enroll::timestamp::Timestamp;
use rand_core::{CryptoRng, Rng};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};

/// Status changes asked for per request.
const STATUS_PAGE: u32 = 500;

/// What the sync loop is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncState {
    /// Nothing to send.
    Idle,
    /// Sending a package: `held` of `total` bytes are at the back office.
    Sending {
        /// The package.
        package: PackageId,
        /// Bytes the back office holds.
        held: u64,
        /// The package's length.
        total: u64,
    },
    /// The last attempt failed; the next one is at `until`.
    Waiting {
        /// When sending resumes.
        until: Timestamp,
    },
    /// The back office refused the kiosk's credentials; an administrator must act.
    Unauthorised {
        /// Why.
        code: ErrorCode,
    },
}

/// The sync loop's report to the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncProgress {
    /// What it is doing.
    pub state: SyncState,
    /// Packages acknowledged since the loop started.
    pub acknowledged: u64,
    /// Packages quarantined since the loop started.
    pub quarantined: u64,
    /// The last error, as a code.
    pub last_error: Option<ReasonCode>,
    /// When the back office last answered.
    pub last_contact: Option<Timestamp>,
    /// The back office's clock minus the kiosk's, from the last heartbeat.
    pub clock_offset_ms: Option<i64>,
    /// The last request that failed: the back office is unreachable (or refuses the kiosk)
    /// while this is later than `last_contact`.
    pub last_failure: Option<Failure>,
}

/// A failed request, as the kiosk's header tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    /// When it failed.
    pub at: Timestamp,
    /// The code when the back office refused the kiosk's credentials or clock (an
    /// administrator must act); `None` when it did not answer or failed on its side.
    pub refused: Option<ErrorCode>,
}

impl Default for SyncProgress {
    fn default() -> Self {
        Self {
            state: SyncState::Idle,
            acknowledged: 0,
            quarantined: 0,
            last_error: None,
            last_contact: None,
            clock_offset_ms: None,
            last_failure: None,
        }
    }
}

/// How one pass over the outbox ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PassOutcome {
    /// Everything sendable was sent.
    Drained,
    /// Sending stopped; try again at this time.
    RetryAt(Timestamp),
    /// The back office refused the kiosk's credentials.
    Unauthorised(ErrorCode),
}

/// The kiosk's sync loop. `R` makes request nonces, `J` the backoff jitter.
pub struct SyncLoop<R, J> {
    client: SyncClient<R>,
    queue: Queue,
    receipt_key: ReceiptKey,
    backoff: Backoff,
    jitter: J,
    cursor_path: PathBuf,
    idle_poll: Duration,
    progress: watch::Sender<SyncProgress>,
    wake: Arc<Notify>,
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl<R: CryptoRng + Send, J: Rng + Send> SyncLoop<R, J> {
    /// A loop sending `queue`'s outbox through `client`, trusting receipts signed by
    /// `receipt_key`, keeping its status cursor in the file `cursor_path`.
    pub fn new(
        client: SyncClient<R>,
        queue: Queue,
        receipt_key: ReceiptKey,
        backoff: Backoff,
        jitter: J,
        cursor_path: PathBuf,
    ) -> Self {
        Self {
            client,
            queue,
            receipt_key,
            backoff,
            jitter,
            cursor_path,
            idle_poll: Duration::from_secs(30),
            progress: watch::Sender::new(SyncProgress::default()),
            wake: Arc::new(Notify::new()),
        }
    }

    /// How long to wait between passes when there is nothing to send.
    pub fn with_idle_poll(mut self, idle_poll: Duration) -> Self {
        self.idle_poll = idle_poll;
        self
    }

    /// A receiver of the loop's progress.
    pub fn progress(&self) -> watch::Receiver<SyncProgress> {
        self.progress.subscribe()
    }

    /// A handle that wakes the loop at once (after an enqueue, or when the network returns).
    pub fn waker(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// The client.
    pub fn client(&self) -> &SyncClient<R> {
        &self.client
    }

    fn report(&self, f: impl FnOnce(&mut SyncProgress)) {
        self.progress.send_modify(f);
    }

    fn failed(&self, error: &SyncError, at: Timestamp) {
        let reason = error.reason();
        let refused = match error {
            SyncError::Unauthorised(code) => Some(*code),
            SyncError::ClockOff { .. } => Some(ErrorCode::ClockSkew),
            _ => None,
        };
        self.report(|p| {
            p.last_error = Some(reason);
            p.last_failure = Some(Failure { at, refused });
        });
    }

    /// Sends the outbox until it is empty or an attempt fails.
    pub async fn drain(&mut self) -> Result<PassOutcome, QueueError> {
        loop {
            let now = self.client.now();
            let Some(head) = self.queue.head().await? else {
                self.report(|p| p.state = SyncState::Idle);
                return Ok(PassOutcome::Drained);
            };
            if head.next_attempt_at > now {
                self.report(|p| {
                    p.state = SyncState::Waiting {
                        until: head.next_attempt_at,
                    }
                });
                return Ok(PassOutcome::RetryAt(head.next_attempt_at));
            }
            if let Some(stop) = self.send(&head, now).await? {
                return Ok(stop);
            }
        }
    }

    /// Sends one package; `Some` when the batch must stop.
    async fn send(
        &mut self,
        head: &PackageStatus,
        now: Timestamp,
    ) -> Result<Option<PassOutcome>, QueueError> {
        let id = head.id;
        self.queue.begin_upload(id, now).await?;
        let Some(package) = self.queue.package(id).await? else {
            return Err(QueueError::NotFound(id));
        };
        let progress = &self.progress;
        let result = self
            .client
            .upload(&package, &self.receipt_key, |held, total| {
                progress.send_modify(|p| {
                    p.state = SyncState::Sending {
                        package: id,
                        held,
                        total,
                    }
                });
            })
            .await;
        let after = self.client.now();
        match result {
            Ok(_receipt) => {
                self.queue.upload_done(id, after).await?;
                self.queue.acknowledge(id, after).await?;
                self.report(|p| {
                    p.acknowledged += 1;
                    p.last_contact = Some(after);
                });
                Ok(None)
            }
            Err(SyncError::Queue(e)) => Err(e),
            Err(e @ (SyncError::Conflict(_) | SyncError::Rejected(..))) => {
                tracing::warn!(package = %id, error = %e, "package quarantined");
                self.queue.quarantine(id, &e.reason(), after).await?;
                self.failed(&e, after);
                self.report(|p| {
                    p.quarantined += 1;
                    p.last_contact = Some(after);
                });
                Ok(None)
            }
            Err(e) => {
                let delay = self.backoff.delay(head.attempts + 1, &mut self.jitter);
                let retry_at = after.plus_millis(millis(delay));
                self.queue
                    .upload_failed(id, &e.reason(), retry_at, after)
                    .await?;
                tracing::info!(package = %id, error = %e, "upload attempt failed");
                self.failed(&e, after);
                if let SyncError::Unauthorised(code) = e {
                    self.report(|p| p.state = SyncState::Unauthorised { code });
                    Ok(Some(PassOutcome::Unauthorised(code)))
                } else if let SyncError::ClockOff { offset_ms } = e {
                    let code = ErrorCode::ClockSkew;
                    self.report(|p| {
                        p.state = SyncState::Unauthorised { code };
                        p.clock_offset_ms = Some(offset_ms);
                    });
                    Ok(Some(PassOutcome::Unauthorised(code)))
                } else {
                    self.report(|p| p.state = SyncState::Waiting { until: retry_at });
                    Ok(Some(PassOutcome::RetryAt(retry_at)))
                }
            }
        }
    }

    fn read_cursor(&self) -> u64 {
        std::fs::read_to_string(&self.cursor_path)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0)
    }

    fn write_cursor(&self, cursor: u64) -> std::io::Result<()> {
        let tmp = self.cursor_path.with_extension("tmp");
        std::fs::write(&tmp, cursor.to_string())?;
        std::fs::rename(&tmp, &self.cursor_path)
    }

    /// Applies one status change to the queue. Changes already applied (a page seen twice
    /// after a crash) and packages this queue does not hold are skipped.
    async fn apply(&self, change: &StatusChange) -> Result<(), QueueError> {
        let now = self.client.now();
        let outcome = match &change.status {
            ApplicationStatus::Received => {
                // A crash between the receipt and its bookkeeping leaves a package uploaded
                // but not acknowledged; the back office's log finishes the step.
                return match self.queue.status(change.package_id).await {
                    Ok(s) if s.state == EnrollmentState::Uploaded => {
                        self.queue.acknowledge(change.package_id, now).await
                    }
                    Ok(_) | Err(QueueError::NotFound(_)) => Ok(()),
                    Err(e) => Err(e),
                };
            }
            ApplicationStatus::Approved { .. } => ReviewOutcome::Approved,
            ApplicationStatus::Rejected { reason } => ReviewOutcome::Rejected(reason.clone()),
            ApplicationStatus::Activated => ReviewOutcome::Activated,
        };
        // Dated when the back office logged it, not when this kiosk heard of it, so reports
        // count an approval or activation on its own day even after days offline.
        match self
            .queue
            .record_review(change.package_id, &outcome, change.at)
            .await
        {
            Ok(()) | Err(QueueError::IllegalTransition(_) | QueueError::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Pulls status changes since the stored cursor into the queue; returns how many.
    pub async fn pull_statuses(&self) -> Result<u64, SyncError> {
        let mut cursor = self.read_cursor();
        let mut applied = 0;
        loop {
            let page = self.client.statuses(cursor, STATUS_PAGE).await?;
            for change in &page.changes {
                self.apply(change).await?;
                applied += 1;
            }
            cursor = page.next_cursor;
            if let Err(e) = self.write_cursor(cursor) {
                tracing::warn!(error = %e, "the status cursor could not be saved");
            }
            if !page.more {
                return Ok(applied);
            }
        }
    }

    /// Sends a heartbeat with the queue's health; records the back office's clock offset.
    pub async fn heartbeat(&self) -> Result<(), SyncError> {
        let counts = self.queue.counts().await?;
        let queue_depth = counts
            .iter()
            .filter(|(s, _)| s.holds_body())
            .map(|(_, n)| n)
            .sum();
        let oldest_unsent = self.queue.oldest_unsent().await?;
        let heartbeat = Heartbeat {
            software_version: self.client.config().software_version.clone(),
            queue_depth,
            oldest_unsent,
            last_error: self.progress.borrow().last_error.clone(),
        };
        let sent = self.client.now();
        let ack = self.client.heartbeat(&heartbeat).await?;
        let offset = ack.server_time.unix_millis() - sent.unix_millis();
        self.report(|p| {
            p.clock_offset_ms = Some(offset);
            p.last_contact = Some(sent);
        });
        Ok(())
    }

    /// One pass: the outbox, then (if the back office answered) statuses and a heartbeat.
    pub async fn pass(&mut self) -> Result<PassOutcome, QueueError> {
        let outcome = self.drain().await?;
        if matches!(outcome, PassOutcome::Drained) {
            for result in [
                self.pull_statuses().await.map(|_| ()),
                self.heartbeat().await,
            ] {
                match result {
                    Ok(()) => {}
                    Err(SyncError::Queue(e)) => return Err(e),
                    Err(e) => self.failed(&e, self.client.now()),
                }
            }
        }
        Ok(outcome)
    }

    /// Runs passes until `shutdown` turns true: after a drained pass it waits `idle_poll`,
    /// after a failure until the retry time, and wakes early through [`Self::waker`].
    pub async fn run(mut self, mut shutdown: watch::Receiver<bool>) {
        if let Err(e) = self
            .queue
            .recover_interrupted_uploads(self.client.now())
            .await
        {
            tracing::error!(error = %e, "interrupted uploads could not be recovered");
        }
        let mut failures = 0u32;
        loop {
            let wait = match self.pass().await {
                Ok(PassOutcome::Drained) => {
                    failures = 0;
                    self.idle_poll
                }
                Ok(PassOutcome::RetryAt(at)) => {
                    failures = 0;
                    let ms = at
                        .unix_millis()
                        .saturating_sub(self.client.now().unix_millis());
                    Duration::from_millis(u64::try_from(ms).unwrap_or(0))
                }
                Ok(PassOutcome::Unauthorised(_)) => {
                    failures = failures.saturating_add(1);
                    self.backoff.delay(failures, &mut self.jitter)
                }
                Err(e) => {
                    tracing::error!(error = %e, "the sync pass failed on the local queue");
                    failures = failures.saturating_add(1);
                    self.backoff.delay(failures, &mut self.jitter)
                }
            };
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = self.wake.notified() => {}
                changed = shutdown.changed() => {
                    if changed.is_err() || *shutdown.borrow() {
                        return;
                    }
                }
            }
        }
    }
}
