//! The card-reading worker: one thread owns the PC/SC side (reader crate), watches readers and
//! cards, and runs the chip read (cardread crate) when the UI asked for one and a card is on a
//! reader. It tells the window what happens through three events: `card-state` (no PC/SC
//! service, no reader, waiting for a card, card present), `card-progress` (which file, bytes
//! done/total, the names once DG13 is in) and `card-result` (the verdict, or an error code).
//!
//! A card taken off mid-read is reported (`card.removed`) and the read resumes by itself when a
//! card is placed again. The reading is kept in the session only if the session that asked for
//! it is still the current one (a wipe in between discards it).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cardread::keys::KeyCandidates;
use cardread::read::{CardRead, CardReadError, CardReading, ReadEvent};
use emrtd::dg2::ImageFormat;
use emrtd::passive_auth::TrustStore;
use emrtd::read::CardProfile;
use reader::events::{CardMonitor, EventError, Waker};
use reader::transport::{ConnectError, PcscTransport};
use serde::Serialize;
use tauri::{AppHandle, Emitter};

use crate::session::Session;

/// How long the worker waits for reader events before looking at its commands again.
const WAIT: Duration = Duration::from_millis(500);
/// How long it waits before retrying a PC/SC service that is down.
const SERVICE_RETRY: Duration = Duration::from_secs(1);

/// What the UI asks of the worker.
pub enum Command {
    /// Read the next card with these keys; `id` names the read in its events.
    Read { id: u64, keys: KeyCandidates },
    /// Forget the read under way (the session was wiped).
    Cancel,
}

/// The reader side as the card screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CardState {
    /// `service_down`, `no_reader`, `waiting` or `present`.
    pub state: &'static str,
    /// The reader's name (public device data).
    pub reader: Option<String>,
}

impl CardState {
    /// Before the worker has looked at PC/SC.
    pub fn starting() -> Self {
        Self::new("no_reader", None)
    }

    fn new(state: &'static str, reader: Option<&str>) -> Self {
        Self {
            state,
            reader: reader.map(str::to_string),
        }
    }
}

/// The handle the commands use.
pub struct CardWorker {
    commands: Sender<Command>,
    state: Arc<Mutex<CardState>>,
    waker: Arc<Mutex<Option<Waker>>>,
    /// The read whose result the session may keep (0: none).
    pub current_read: Arc<AtomicU64>,
    next_id: AtomicU64,
}

impl CardWorker {
    /// Starts the worker thread.
    pub fn start(app: AppHandle, session: Arc<Mutex<Session>>, trust_store: TrustStore) -> Self {
        let (commands, receiver) = std::sync::mpsc::channel();
        let state = Arc::new(Mutex::new(CardState::new("no_reader", None)));
        let waker = Arc::new(Mutex::new(None));
        let current_read = Arc::new(AtomicU64::new(0));
        let worker = Worker {
            app,
            session,
            trust_store,
            commands: receiver,
            state: Arc::clone(&state),
            waker: Arc::clone(&waker),
            current_read: Arc::clone(&current_read),
            pending: None,
            limits: CardProfile::default(),
            wait_for_reinsert: false,
        };
        std::thread::Builder::new()
            .name("card-reader".into())
            .spawn(move || worker.run())
            .map_err(|err| tracing::error!(error = %err, "card worker did not start"))
            .ok();
        Self {
            commands,
            state,
            waker,
            current_read,
            next_id: AtomicU64::new(1),
        }
    }

    /// The reader side now.
    pub fn state(&self) -> CardState {
        lock(&self.state).clone()
    }

    /// Asks for a read with these keys; returns the read's id.
    pub fn read(&self, keys: KeyCandidates) -> Result<u64, WorkerGone> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.current_read.store(id, Ordering::SeqCst);
        self.send(Command::Read { id, keys })?;
        Ok(id)
    }

    /// Drops the read under way (call with the session lock held, before wiping).
    pub fn cancel(&self) -> Result<(), WorkerGone> {
        self.current_read.store(0, Ordering::SeqCst);
        self.send(Command::Cancel)
    }

    fn send(&self, command: Command) -> Result<(), WorkerGone> {
        self.commands.send(command).map_err(|_| WorkerGone)?;
        if let Some(waker) = lock(&self.waker).as_ref() {
            // A wait that is not woken ends by itself within `WAIT`.
            let _ = waker.wake();
        }
        Ok(())
    }
}

/// The worker thread stopped.
#[derive(Debug)]
pub struct WorkerGone;

struct Worker {
    app: AppHandle,
    session: Arc<Mutex<Session>>,
    trust_store: TrustStore,
    commands: Receiver<Command>,
    state: Arc<Mutex<CardState>>,
    waker: Arc<Mutex<Option<Waker>>>,
    current_read: Arc<AtomicU64>,
    pending: Option<(u64, CardRead)>,
    /// What the last card taught (block size, extended length, SFI) for the next one.
    limits: CardProfile,
    /// The card left mid-read: resume only once a card is placed again.
    wait_for_reinsert: bool,
}

impl Worker {
    fn run(mut self) {
        let mut monitor: Option<CardMonitor> = None;
        loop {
            if !self.take_commands() {
                return;
            }
            let Some(watch) = monitor.as_mut() else {
                match CardMonitor::new() {
                    Ok(m) => {
                        *lock(&self.waker) = Some(m.waker());
                        monitor = Some(m);
                    }
                    Err(_) => {
                        self.publish(CardState::new("service_down", None));
                        std::thread::sleep(SERVICE_RETRY);
                    }
                }
                continue;
            };
            let state = reader_side(&watch.cards_present());
            if state.state != "present" {
                self.wait_for_reinsert = false;
            }
            self.publish(state.clone());
            if let (Some(reader), false, true) = (
                state.reader.as_deref().filter(|_| state.state == "present"),
                self.wait_for_reinsert,
                self.pending.is_some(),
            ) && self.read_on(reader)
            {
                *lock(&self.waker) = None;
                monitor = None;
                continue;
            }
            match watch.wait(Some(WAIT)) {
                Ok(_) | Err(EventError::Cancelled | EventError::Timeout) => {}
                Err(_) => {
                    *lock(&self.waker) = None;
                    monitor = None;
                }
            }
        }
    }

    /// Applies the UI's commands; `false` once the app has gone.
    fn take_commands(&mut self) -> bool {
        loop {
            match self.commands.try_recv() {
                Ok(Command::Read { id, keys }) => {
                    self.pending = Some((id, CardRead::new(keys, self.limits.clone())));
                    self.wait_for_reinsert = false;
                }
                Ok(Command::Cancel) => self.pending = None,
                Err(std::sync::mpsc::TryRecvError::Empty) => return true,
                Err(std::sync::mpsc::TryRecvError::Disconnected) => return false,
            }
        }
    }

    fn publish(&self, state: CardState) {
        let mut current = lock(&self.state);
        if *current != state {
            *current = state.clone();
            drop(current);
            emit(&self.app, "card-state", &state);
        }
    }

    /// Runs the pending read on the card in `reader`; `true` when the PC/SC service went away.
    fn read_on(&mut self, reader: &str) -> bool {
        let Some((id, mut read)) = self.pending.take() else {
            return false;
        };
        let mut transport = match PcscTransport::connect(reader) {
            Ok(t) => t,
            Err(ConnectError::NoCard | ConnectError::UnknownReader) => {
                self.pending = Some((id, read));
                return false;
            }
            Err(ConnectError::ServiceDown) => {
                self.pending = Some((id, read));
                return true;
            }
            Err(ConnectError::Pcsc(_)) => {
                self.finish(id, Err(CardReadError::ReaderFailure));
                return false;
            }
        };
        let facts = transport.facts(reader);
        tracing::info!(
            reader,
            reader_model = facts.model.map_or("unknown", |m| m.id),
            extended_apdu = facts.model.map(|m| m.extended_apdu.as_str()),
            max_kbps = facts.model.and_then(|m| m.max_kbps),
            atr = facts.atr.map(reader::models::AtrKind::as_str),
            ccid = facts.ccid.map(|c| c.to_string()),
            "reading a card"
        );
        let app = self.app.clone();
        let started = std::time::Instant::now();
        let result = read.run(
            &mut transport,
            &mut getrandom::SysRng,
            &self.trust_store,
            &mut |event| emit(&app, "card-progress", &ProgressView::new(id, &event)),
        );
        drop(transport);
        match &result {
            Ok(reading) => {
                self.limits = read.transport_limits();
                tracing::info!(
                    verdict = reading.verdict.code(),
                    access = access_kind(&reading.access),
                    document_signer_issuer = reading
                        .passive_auth
                        .document_signer
                        .as_ref()
                        .map(|s| s.issuer.as_str()),
                    millis = started.elapsed().as_millis() as u64,
                    "card read"
                );
            }
            Err(CardReadError::CardRemoved) => {
                tracing::info!("card removed mid-read; waiting for it to resume");
                self.pending = Some((id, read));
                self.wait_for_reinsert = true;
            }
            Err(error) => tracing::info!(error = error.code(), "card read failed"),
        }
        self.finish(id, result);
        false
    }

    /// Keeps the reading in the session if that session still wants it, and tells the window.
    fn finish(&self, id: u64, result: Result<CardReading, CardReadError>) {
        let view = match result {
            Ok(reading) => {
                let view = ResultView::reading(id, &reading, vietnam_today());
                let mut session = lock(&self.session);
                if self.current_read.load(Ordering::SeqCst) != id {
                    return;
                }
                session.set_card_reading(reading);
                view
            }
            Err(error) => ResultView::error(id, &error),
        };
        emit(&self.app, "card-result", &view);
    }
}

/// What the card screen shows for the readers pcscd knows: the first reader with a card, else
/// the first reader waiting, else no reader.
fn reader_side(readers: &[(String, bool)]) -> CardState {
    match readers.iter().find(|(_, on)| *on) {
        Some((name, _)) => CardState::new("present", Some(name)),
        None => match readers.first() {
            Some((name, _)) => CardState::new("waiting", Some(name)),
            None => CardState::new("no_reader", None),
        },
    }
}

/// The access method's name for the log (which method real cards accept is field data).
fn access_kind(access: &emrtd::access::AccessMethod) -> &'static str {
    use emrtd::access::{AccessMethod, PasswordKind};
    match access {
        AccessMethod::Bac => "bac",
        AccessMethod::Pace {
            password: PasswordKind::Mrz,
            ..
        } => "pace-mrz",
        AccessMethod::Pace {
            password: PasswordKind::Can,
            ..
        } => "pace-can",
    }
}

fn emit<T: Serialize + Clone>(app: &AppHandle, event: &str, payload: &T) {
    if let Err(err) = app.emit(event, payload.clone()) {
        tracing::warn!(event, error = %err, "event not delivered to the window");
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The holder's data the card screen shows (from DG13).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HolderView {
    full_name: String,
    id_number: String,
    date_of_birth: String,
    gender: Option<&'static str>,
    place_of_origin: Option<String>,
    place_of_residence: Option<String>,
    date_of_expiry: Option<String>,
}

impl HolderView {
    fn new(dg13: &cccd::dg13::Dg13) -> Self {
        let date = |d: cccd::date::Date| format!("{:02}/{:02}/{:04}", d.day(), d.month(), d.year());
        let text =
            |t: &Option<cccd::personal::PersonalText>| t.as_ref().map(|t| t.expose().to_string());
        Self {
            full_name: dg13.full_name.expose().to_string(),
            id_number: dg13.id_number.expose().to_string(),
            date_of_birth: date(dg13.date_of_birth),
            gender: dg13.gender.map(|g| match g {
                cccd::personal::Gender::Male => "male",
                cccd::personal::Gender::Female => "female",
            }),
            place_of_origin: text(&dg13.place_of_origin),
            place_of_residence: text(&dg13.place_of_residence),
            date_of_expiry: dg13.date_of_expiry.as_ref().map(|e| match e {
                cccd::dg13::Expiry::Date(d) => date(*d),
                cccd::dg13::Expiry::Wording(w) => w.clone(),
            }),
        }
    }
}

/// One `card-progress` event.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase", tag = "stage")]
enum ProgressView {
    #[serde(rename = "opening", rename_all = "camelCase")]
    Opening {
        read_id: u64,
        attempt: usize,
        of: usize,
    },
    #[serde(rename = "file", rename_all = "camelCase")]
    File {
        read_id: u64,
        file: String,
        read: usize,
        total: Option<usize>,
    },
    #[serde(rename = "holder", rename_all = "camelCase")]
    Holder { read_id: u64, holder: HolderView },
    #[serde(rename = "verifying", rename_all = "camelCase")]
    Verifying { read_id: u64 },
}

impl ProgressView {
    fn new(read_id: u64, event: &ReadEvent<'_>) -> Self {
        match *event {
            ReadEvent::Opening { attempt, of } => Self::Opening {
                read_id,
                attempt,
                of,
            },
            ReadEvent::File { file, read, total } => Self::File {
                read_id,
                file: file.to_string(),
                read,
                total,
            },
            ReadEvent::Holder(dg13) => Self::Holder {
                read_id,
                holder: HolderView::new(dg13),
            },
            ReadEvent::Verifying => Self::Verifying { read_id },
        }
    }
}

/// The DG2 portrait for the screen: JPEG bytes to show, or the format it cannot preview.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct PortraitView {
    /// `jpeg` or `jpeg2000`.
    format: &'static str,
    mime: &'static str,
    width: u16,
    height: u16,
    /// The image bytes, only for formats the web view can show (JPEG).
    bytes: Option<Vec<u8>>,
}

/// One `card-result` event.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultView {
    read_id: u64,
    /// The error code when the read failed (`card.removed` resumes by itself).
    error: Option<&'static str>,
    verdict: Option<&'static str>,
    /// The officer's next step for the verdict.
    action: Option<&'static str>,
    holder: Option<HolderView>,
    portrait: Option<PortraitView>,
    /// DG13's expiry date has passed (Vietnam time).
    expired: bool,
}

impl ResultView {
    fn error(read_id: u64, error: &CardReadError) -> Self {
        Self {
            read_id,
            error: Some(error.code()),
            verdict: None,
            action: None,
            holder: None,
            portrait: None,
            expired: false,
        }
    }

    fn reading(read_id: u64, reading: &CardReading, today: Option<cccd::date::Date>) -> Self {
        Self {
            read_id,
            error: None,
            verdict: Some(reading.verdict.code()),
            action: Some(reading.verdict.action().code()),
            holder: reading.dg13.as_ref().map(HolderView::new),
            portrait: reading.portrait.as_ref().map(|p| match p.format {
                ImageFormat::Jpeg => PortraitView {
                    format: "jpeg",
                    mime: p.format.mime_type(),
                    width: p.width,
                    height: p.height,
                    bytes: Some(p.image.clone()),
                },
                ImageFormat::Jpeg2000 => PortraitView {
                    format: "jpeg2000",
                    mime: p.format.mime_type(),
                    width: p.width,
                    height: p.height,
                    bytes: None,
                },
            }),
            expired: reading
                .dg13
                .as_ref()
                .and_then(|d| d.date_of_expiry.as_ref())
                .zip(today)
                .is_some_and(|(expiry, today)| expiry.has_passed(today)),
        }
    }
}

/// Today's date in Vietnam (UTC+7, no daylight saving), from the system clock.
fn vietnam_today() -> Option<cccd::date::Date> {
    const VIETNAM_OFFSET_SECS: u64 = 7 * 3600;
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs()
        + VIETNAM_OFFSET_SECS;
    civil_date(i64::try_from(secs / 86_400).ok()?)
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's civil-from-days).
fn civil_date(days: i64) -> Option<cccd::date::Date> {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    cccd::date::Date::new(
        u16::try_from(year).ok()?,
        u8::try_from(month).ok()?,
        u8::try_from(day).ok()?,
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_since_the_epoch_become_civil_dates() {
        let date = |y, m, d| cccd::date::Date::new(y, m, d).ok();
        assert_eq!(civil_date(0), date(1970, 1, 1));
        assert_eq!(civil_date(11_016), date(2000, 2, 29));
        assert_eq!(civil_date(20_419), date(2025, 11, 27));
        assert_eq!(civil_date(-1), date(1969, 12, 31));
        assert!(vietnam_today().is_some());
    }

    #[test]
    fn the_reader_with_a_card_is_the_one_shown() {
        let pcd = |n: &str, on: bool| (format!("Virtual PCD 00 {n}"), on);
        assert_eq!(reader_side(&[]), CardState::new("no_reader", None));
        assert_eq!(
            reader_side(&[pcd("00", false), pcd("01", false)]),
            CardState::new("waiting", Some("Virtual PCD 00 00"))
        );
        assert_eq!(
            reader_side(&[pcd("00", false), pcd("01", true)]),
            CardState::new("present", Some("Virtual PCD 00 01"))
        );
    }

    #[test]
    fn events_serialise_to_the_ui_contract() {
        let file = ProgressView::new(
            7,
            &ReadEvent::File {
                file: emrtd::lds::LdsFile::Sod,
                read: 100,
                total: Some(2000),
            },
        );
        assert_eq!(
            serde_json::to_value(file).expect("json"),
            serde_json::json!({"stage": "file", "readId": 7, "file": "EF.SOD", "read": 100, "total": 2000})
        );
        let opening = ProgressView::new(7, &ReadEvent::Opening { attempt: 1, of: 3 });
        assert_eq!(
            serde_json::to_value(opening).expect("json"),
            serde_json::json!({"stage": "opening", "readId": 7, "attempt": 1, "of": 3})
        );
        let removed = ResultView::error(7, &CardReadError::CardRemoved);
        let json = serde_json::to_value(removed).expect("json");
        assert_eq!(json["error"], "card.removed");
        assert!(json["verdict"].is_null());
        assert_eq!(
            serde_json::to_value(CardState::new("waiting", Some("Virtual PCD 00 00")))
                .expect("json"),
            serde_json::json!({"state": "waiting", "reader": "Virtual PCD 00 00"})
        );
    }
}
