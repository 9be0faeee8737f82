//! The kiosk window and the commands its UI calls. Thin: each command parses, calls a library,
//! and maps failures to an error code the UI turns into a sentence in the current language.

use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cardread::keys::{KeyCandidates, KeyError};
use emrtd::passive_auth::TrustStore;

use enroll::audit::AuditAction;
use enroll::consent::Consent;
use enroll::desk::{Desk, DeskRefusal};
use enroll::form::{EnrollmentForm, Field, RawForm};
use enroll::ids::OperatorId;
use enroll::ids::{DeviceId, GroupId};
use enroll::operators::{OperatorError, Permission, Pin, Role, Session as OperatorSession};
use enroll::queue::{Queue, QueueError};
use enroll::timestamp::Timestamp;
use kiosk_config::{Config, Language, Mode};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use crate::backoffice_link::{Stopped, SyncHandle, SyncStatus};
use crate::enrollment::{Group, SubmitOutcome};

use crate::card::{CardState, CardWorker};
use crate::session::{Session, SessionError};

/// What the window's commands share.
pub(crate) struct Shell {
    pub(crate) config: Config,
    session: Arc<Mutex<Session>>,
    /// Set once the window exists (the worker emits to it).
    card: std::sync::OnceLock<CardWorker>,
    /// Set once the window exists, like the card worker.
    camera: std::sync::OnceLock<crate::camera::CameraWorker>,
    /// The queue database (operators, audit log, packages); `None` when it could not open.
    pub(crate) queue: Option<Queue>,
    /// The operator signed in at the counter: kept across citizens, until they sign out or
    /// the desk locks after `operator_lock_minutes` without activity ([`Shell::acting_operator`]).
    desk: Mutex<Desk>,
    /// The seal's keys, loaded at their first use and kept (following a new registration).
    pub(crate) keys: crate::enrollment::KeyCache,
    /// The background sync loop, or why none runs.
    sync: Result<SyncHandle, Stopped>,
    /// The header's health line, with the audit chain's last reading.
    health: crate::kiosk_health::HeaderHealth,
}

/// How often the core looks for a desk past its lock time when no command comes (the UI's
/// 2 s status poll usually finds it first).
const DESK_SWEEP: Duration = Duration::from_secs(30);

impl Shell {
    fn new(config: Config, queue: Option<Queue>, sync: Result<SyncHandle, Stopped>) -> Shell {
        let lock_after = Duration::from_secs(u64::from(config.operator_lock_minutes) * 60);
        Shell {
            sync,
            queue,
            desk: Mutex::new(Desk::new(lock_after)),
            keys: crate::enrollment::KeyCache::new(&config.data_dir),
            config,
            session: Arc::new(Mutex::new(Session::default())),
            card: std::sync::OnceLock::new(),
            camera: std::sync::OnceLock::new(),
            health: crate::kiosk_health::HeaderHealth::default(),
        }
    }

    /// The signed-in operator, for a command acting on their behalf at `now` (which renews
    /// their sign-in). Past the lock time the desk locks: the operator is signed out, the
    /// citizen's data wiped, the lock audited, and the command refused with
    /// `operators.desk_locked`.
    pub(crate) async fn acting_operator(&self, now: Instant) -> Result<OperatorSession, UiError> {
        let acted = lock(&self.desk).act(now);
        match acted {
            Ok(session) => Ok(session),
            Err(DeskRefusal::SignedOut) => Err(UiError::new("operators.signed_out")),
            Err(DeskRefusal::Locked(session)) => {
                self.desk_locked(&session).await;
                Err(UiError::new("operators.desk_locked"))
            }
        }
    }

    /// At the counter, the operator a citizen's step is done for (see
    /// [`Shell::acting_operator`]); a self-service station has none.
    async fn counter_operator(&self) -> Result<Option<OperatorSession>, UiError> {
        match self.config.mode {
            Mode::Counter => self.acting_operator(Instant::now()).await.map(Some),
            Mode::SelfService => Ok(None),
        }
    }

    /// The signed-in operator at `now` without renewing their sign-in (a status poll is not
    /// activity); locks the desk when past its time.
    async fn desk_operator(&self, now: Instant) -> Option<OperatorSession> {
        let checked = lock(&self.desk).check(now);
        match checked {
            Ok(session) => Some(session),
            Err(DeskRefusal::SignedOut) => None,
            Err(DeskRefusal::Locked(session)) => {
                self.desk_locked(&session).await;
                None
            }
        }
    }

    /// After the desk locked: wipes the citizen's data and audits the lock (the operator's id,
    /// nothing personal).
    async fn desk_locked(&self, session: &OperatorSession) {
        let wiped = self.wipe_citizen();
        tracing::info!(
            role = session.role.as_str(),
            wiped = wiped.is_ok(),
            "operator desk locked after no activity; citizen's session wiped"
        );
        let Some(queue) = &self.queue else {
            return;
        };
        if let Err(err) = queue
            .audit()
            .append(
                Timestamp::now(),
                &session.operator,
                AuditAction::DeskLocked,
                None,
            )
            .await
        {
            tracing::error!(error = %err, "desk lock not audited");
        }
    }

    /// Before anything is read from a citizen: refuses a new citizen's start while the queue is
    /// frozen (see [`crate::admission`]); a citizen who already consented goes on.
    async fn admit_new_citizen(&self, now: Timestamp) -> Result<(), UiError> {
        let in_progress = lock(&self.session).consented_at().is_some();
        if in_progress {
            return Ok(());
        }
        crate::admission::admit(self.queue.as_ref(), &self.config, now).await
    }

    /// The citizen accepts the consent notice at `now`: the start of their enrollment, refused
    /// while the queue is frozen.
    async fn consent(&self, now: Timestamp) -> Result<(), UiError> {
        self.counter_operator().await?;
        self.admit_new_citizen(now).await?;
        lock(&self.session).consent(now);
        tracing::info!(
            notice = crate::enrollment::CONSENT_NOTICE_VERSION,
            "consent given"
        );
        Ok(())
    }

    /// Stops the camera and any chip read, and wipes the citizen's session.
    fn wipe_citizen(&self) -> Result<(), UiError> {
        if let Some(camera) = self.camera.get() {
            let _ = camera.stop();
        }
        let mut session = lock(&self.session);
        let cancelled = self.card.get().map(CardWorker::cancel);
        let held_data = !session.is_empty();
        session.wipe();
        tracing::info!(held_data, "session wiped");
        match cancelled {
            Some(Err(_)) => Err(UiError::new("card.worker_stopped")),
            _ => Ok(()),
        }
    }
}

/// A device's state as the header shows it.
#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
struct DeviceStatus {
    state: &'static str,
    detail: Option<String>,
}

impl DeviceStatus {
    fn new(state: &'static str, detail: Option<&str>) -> DeviceStatus {
        DeviceStatus {
            state,
            detail: detail.map(str::to_string),
        }
    }
}

/// Everything the header and start screen need.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ShellState {
    device_id: String,
    device_name: String,
    mode: Mode,
    language: Language,
    idle_timeout_secs: u32,
    idle_warning_secs: u32,
    reader: DeviceStatus,
    camera: DeviceStatus,
    /// The back-office link, from the sync loop (changes also arrive as `sync-status`).
    sync: SyncStatus,
    /// Packages waiting to be sent; `None` until the queue exists.
    queue_waiting: Option<u64>,
    /// The operator signed in at the counter (their operator code), if any.
    operator: Option<String>,
    operator_lock_secs: u32,
    /// The health line (set from the probes of the same poll; `doctor` prints the same).
    health: Option<crate::kiosk_health::HealthLine>,
    version: &'static str,
}

/// An error the UI shows as one sentence from its dictionary.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub(crate) struct UiError {
    code: &'static str,
}

impl UiError {
    pub(crate) fn new(code: &'static str) -> UiError {
        UiError { code }
    }

    /// The code the UI's dictionary turns into a sentence.
    pub(crate) fn code(&self) -> &'static str {
        self.code
    }
}

fn probe_state(config: &Config, sync: SyncStatus) -> ShellState {
    let reader = health::probes::reader_status();
    let (camera_state, camera_detail) = crate::camera::header_state(&config.camera);
    ShellState {
        device_id: config.device_id.clone(),
        device_name: config.device_name.clone(),
        mode: config.mode,
        language: config.language,
        idle_timeout_secs: config.idle_timeout_secs,
        idle_warning_secs: config.idle_warning_secs,
        reader: DeviceStatus::new(reader.code(), reader.detail()),
        camera: DeviceStatus::new(camera_state, camera_detail.as_deref()),
        sync,
        queue_waiting: None,
        operator: None,
        operator_lock_secs: config.operator_lock_minutes.saturating_mul(60),
        health: None,
        version: env!("CARGO_PKG_VERSION"),
    }
}

#[tauri::command]
async fn shell_state(
    shell: tauri::State<'_, Shell>,
    camera: tauri::State<'_, crate::camera::CameraWorker>,
) -> Result<ShellState, UiError> {
    let config = shell.config.clone();
    let camera_failed = camera.status().state == "failed";
    let sync = match &shell.sync {
        Ok(handle) => handle.status(&config),
        Err(stopped) => stopped.status(&config),
    };
    let mut state = tauri::async_runtime::spawn_blocking(move || probe_state(&config, sync))
        .await
        .map_err(|_| UiError::new("internal.probe_failed"))?;
    if camera_failed {
        state.camera = DeviceStatus::new("failed", None);
    }
    if let Some(queue) = &shell.queue {
        state.queue_waiting = crate::backoffice_link::waiting(queue).await;
    }
    let devices = (state.reader.state, state.camera.state == "ready");
    let health = shell
        .health
        .line(&shell.config, shell.queue.as_ref(), devices, &state.sync);
    state.health = Some(health.await);
    state.operator = shell
        .desk_operator(Instant::now())
        .await
        .map(|s| s.operator.as_str().to_string());
    Ok(state)
}

#[tauri::command]
fn clear_session(shell: tauri::State<'_, Shell>) -> Result<(), UiError> {
    shell.wipe_citizen()
}

/// Ends the operator's sign-in (the "Đăng xuất" button or the UI's lock) and wipes the
/// citizen's session with it.
#[tauri::command]
fn operator_sign_out(shell: tauri::State<'_, Shell>, locked: bool) -> Result<(), UiError> {
    let signed_out = lock(&shell.desk).sign_out();
    if let Some(session) = signed_out {
        tracing::info!(role = session.role.as_str(), locked, "operator signed out");
    }
    shell.wipe_citizen()
}

/// The UI saw the operator's input (sent at most every few tens of seconds): renews the
/// sign-in, or answers `operators.desk_locked` when it had already lapsed.
#[tauri::command]
async fn operator_active(shell: tauri::State<'_, Shell>) -> Result<(), UiError> {
    shell.acting_operator(Instant::now()).await.map(|_| ())
}

/// The reader side now (the `card-state` event reports each change after this).
#[tauri::command]
fn card_state(shell: tauri::State<'_, Shell>) -> CardState {
    shell
        .card
        .get()
        .map_or_else(CardState::starting, CardWorker::state)
}

/// Starts a chip read with the typed ID number (kept in the session) and the typed birth and
/// expiry dates (`ddmmyyyy`); the result arrives as `card-result` with the returned id.
#[tauri::command]
async fn card_read_typed(
    shell: tauri::State<'_, Shell>,
    date_of_birth: String,
    date_of_expiry: String,
) -> Result<u64, UiError> {
    shell.counter_operator().await?;
    shell.admit_new_citizen(Timestamp::now()).await?;
    let keys = {
        let session = lock(&shell.session);
        let id = session
            .id_number()
            .ok_or(UiError::new("card.key.id_number"))?;
        KeyCandidates::from_typed(id, &date_of_birth, &date_of_expiry).map_err(key_error)?
    };
    start_read(&shell, keys)
}

/// Starts a chip read with the keys the card's QR payload gives; without a payload, the QR
/// code the camera read into the session.
#[tauri::command]
async fn card_read_qr(
    shell: tauri::State<'_, Shell>,
    payload: Option<String>,
) -> Result<u64, UiError> {
    shell.counter_operator().await?;
    shell.admit_new_citizen(Timestamp::now()).await?;
    let keys = match payload {
        Some(payload) => KeyCandidates::from_qr_payload(&payload),
        None => {
            let session = lock(&shell.session);
            let scanned = session.qr().ok_or(UiError::new("card.key.qr"))?;
            KeyCandidates::from_qr_payload(&scanned.payload)
        }
    }
    .map_err(key_error)?;
    start_read(&shell, keys)
}

/// The officer confirms an enrollment from the card's QR code alone (the chip could not be
/// read): counter mode only, signed in, with a QR code the camera read. The package is then
/// marked not chip-verified.
#[tauri::command]
async fn enrollment_confirm_qr_only(shell: tauri::State<'_, Shell>) -> Result<(), UiError> {
    if shell.config.mode != Mode::Counter {
        return Err(UiError::new("qr_only.self_service"));
    }
    shell.acting_operator(Instant::now()).await?;
    lock(&shell.session)
        .confirm_qr_only()
        .map_err(|_| UiError::new("qr_only.no_qr"))?;
    tracing::info!("officer confirmed a QR-only enrollment (not chip-verified)");
    Ok(())
}

fn start_read(shell: &Shell, keys: KeyCandidates) -> Result<u64, UiError> {
    let worker = shell
        .card
        .get()
        .ok_or(UiError::new("card.worker_stopped"))?;
    worker
        .read(keys)
        .map_err(|_| UiError::new("card.worker_stopped"))
}

fn key_error(err: KeyError) -> UiError {
    UiError::new(match err {
        KeyError::IdNumber(_) => "card.key.id_number",
        KeyError::DateOfBirth(_) => "card.key.date_of_birth",
        KeyError::DateOfExpiry(_) => "card.key.date_of_expiry",
        KeyError::Qr(_) => "card.key.qr",
        KeyError::Derivation(_) => "card.key.derivation",
    })
}

/// The CSCA trust store from the configured directory; a missing or unreadable one leaves the
/// store empty (every card then reads "issuer unknown") and says so in the log.
fn load_trust_store(dir: &Path) -> TrustStore {
    match TrustStore::load_directory(dir) {
        Ok((store, skipped)) => {
            for file in &skipped {
                tracing::warn!(path = %file.path.display(), reason = %file.reason, "trust store file skipped");
            }
            tracing::info!(path = %dir.display(), csca_certificates = store.len(), "trust store loaded");
            store
        }
        Err(err) => {
            tracing::warn!(path = %dir.display(), error = %err, "trust store unreadable: every card will read as issuer unknown");
            TrustStore::default()
        }
    }
}

#[tauri::command]
async fn session_set_id_number(
    shell: tauri::State<'_, Shell>,
    id_number: String,
) -> Result<(), UiError> {
    let id_number = Zeroizing::new(id_number);
    shell.counter_operator().await?;
    lock(&shell.session)
        .set_id_number(&id_number)
        .map_err(|err| match err {
            SessionError::IdNumberFormat => UiError::new("id.format"),
            SessionError::NoQr => UiError::new("qr_only.no_qr"),
        })
}

#[tauri::command]
async fn operator_sign_in(
    shell: tauri::State<'_, Shell>,
    operator_id: String,
    pin: String,
) -> Result<(), UiError> {
    let pin = Zeroizing::new(pin);
    let signed_in = sign_in(shell.queue.as_ref(), &operator_id, &pin, Timestamp::now()).await?;
    tracing::info!(role = signed_in.role.as_str(), "operator signed in");
    lock(&shell.desk).sign_in(signed_in, Instant::now());
    Ok(())
}

/// Checks an operator's PIN against the accounts in the kiosk's database. With no account
/// that signs in by PIN, the answer is `operators.none_configured`.
async fn sign_in(
    queue: Option<&Queue>,
    operator_id: &str,
    pin: &str,
    now: Timestamp,
) -> Result<OperatorSession, UiError> {
    let operators = queue.ok_or(UiError::new("queue.unavailable"))?.operators();
    let accounts = operators.list(now).await.map_err(operator_error)?;
    if accounts.iter().all(|a| a.role == Role::SelfService) {
        tracing::info!("operator sign-in refused: no operator accounts configured");
        return Err(UiError::new("operators.none_configured"));
    }
    let pin = Pin::new(pin).map_err(operator_error)?;
    let Ok(id) = OperatorId::new(operator_id.trim()) else {
        return Err(UiError::new("operators.wrong_credentials"));
    };
    let session = operators
        .login(&id, pin, now)
        .await
        .map_err(operator_error)?;
    session
        .require(Permission::Enroll)
        .map_err(operator_error)?;
    Ok(session)
}

fn operator_error(err: OperatorError) -> UiError {
    match err {
        OperatorError::PinFormat => UiError::new("operators.pin_format"),
        OperatorError::WrongCredentials => UiError::new("operators.wrong_credentials"),
        OperatorError::LockedOut { .. } => UiError::new("operators.locked_out"),
        OperatorError::AlreadyExists | OperatorError::NotPermitted => {
            UiError::new("operators.not_permitted")
        }
        OperatorError::Hash => UiError::new("operators.wrong_credentials"),
        OperatorError::Storage(err) => queue_error(&err),
    }
}

/// The UI code for a queue database failure (logged without any value).
fn queue_error(err: &QueueError) -> UiError {
    tracing::warn!(error = %err, "queue database error");
    UiError::new(match err {
        QueueError::DiskFull => "queue.disk_full",
        QueueError::Corrupt(_) => "queue.corrupt",
        _ => "queue.database",
    })
}

#[tauri::command]
async fn session_consent(shell: tauri::State<'_, Shell>) -> Result<(), UiError> {
    shell.consent(Timestamp::now()).await
}

#[tauri::command]
fn residential_groups(shell: tauri::State<'_, Shell>) -> Vec<Group> {
    crate::enrollment::load_groups(&shell.config.data_dir)
}

/// The form as the UI sends it: every field as typed, empty meaning "not given".
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FormInput {
    phone: String,
    email: String,
    health_insurance: String,
    driving_licence: String,
    vehicle_plates: Vec<String>,
    tax_code: String,
    group: String,
}

impl Drop for FormInput {
    fn drop(&mut self) {
        self.phone.zeroize();
        self.email.zeroize();
        self.health_insurance.zeroize();
        self.driving_licence.zeroize();
        self.vehicle_plates.iter_mut().for_each(Zeroize::zeroize);
        self.tax_code.zeroize();
    }
}

/// A form field's error, in both languages, from the enrollment domain's messages.
#[derive(Debug, Serialize, PartialEq, Eq)]
struct FieldError {
    field: &'static str,
    vi: &'static str,
    en: String,
}

/// What the review screen shows: the chip's holder data and the checked, normalised form.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Review {
    /// False for a QR-only enrollment: the review marks it "not chip-verified".
    chip_verified: bool,
    full_name: String,
    id_number: String,
    date_of_birth: String,
    phone: String,
    email: Option<String>,
    health_insurance: Option<String>,
    driving_licence: Option<String>,
    vehicle_plates: Vec<String>,
    tax_code: Option<String>,
    group: String,
}

/// The form check's answer.
#[derive(Debug, Serialize)]
#[serde(tag = "outcome", rename_all = "camelCase")]
enum FormCheck {
    Valid { review: Box<Review> },
    Invalid { errors: Vec<FieldError> },
}

fn field_name(field: Field) -> &'static str {
    match field {
        Field::Phone => "phone",
        Field::Email => "email",
        Field::HealthInsurance => "healthInsurance",
        Field::DrivingLicence => "drivingLicence",
        Field::VehiclePlate => "vehiclePlates",
        Field::TaxCode => "taxCode",
    }
}

/// Checks the form with the enrollment domain's rules; the group must be a configured one.
fn parse_form(
    input: &FormInput,
    groups: &[Group],
) -> Result<(EnrollmentForm, Group), Vec<FieldError>> {
    let raw = RawForm {
        phone: input.phone.clone(),
        email: input.email.clone(),
        health_insurance: input.health_insurance.clone(),
        driving_licence: input.driving_licence.clone(),
        vehicle_plates: input
            .vehicle_plates
            .iter()
            .filter(|p| !p.trim().is_empty())
            .cloned()
            .collect(),
        tax_code: input.tax_code.clone(),
    };
    let form = EnrollmentForm::parse(&raw);
    let group = groups.iter().find(|g| g.id == input.group).cloned();
    match (form, group) {
        (Ok(form), Some(group)) => Ok((form, group)),
        (form, group) => {
            let mut errors: Vec<FieldError> = form
                .err()
                .unwrap_or_default()
                .into_iter()
                .map(|e| FieldError {
                    field: field_name(e.field()),
                    vi: e.message_vi(),
                    en: e.to_string(),
                })
                .collect();
            if group.is_none() {
                errors.push(FieldError {
                    field: "group",
                    vi: "Hãy chọn tổ dân phố / thôn nơi công dân cư trú.",
                    en: "choose the residential group (tổ dân phố / thôn) the citizen lives in"
                        .into(),
                });
            }
            Err(errors)
        }
    }
}

#[tauri::command]
async fn enrollment_check_form(
    shell: tauri::State<'_, Shell>,
    form: FormInput,
) -> Result<FormCheck, UiError> {
    shell.counter_operator().await?;
    let groups = crate::enrollment::load_groups(&shell.config.data_dir);
    let (form, group) = match parse_form(&form, &groups) {
        Ok(parsed) => parsed,
        Err(errors) => return Ok(FormCheck::Invalid { errors }),
    };
    let identity = crate::enrollment::IdentitySource::of(&lock(&shell.session))
        .map_err(|e| UiError::new(e.code()))?;
    let (citizen, _) = identity.citizen().map_err(|e| UiError::new(e.code()))?;
    let (y, m, d) = citizen.date_of_birth().parts();
    Ok(FormCheck::Valid {
        review: Box::new(Review {
            chip_verified: citizen.is_chip_verified(),
            full_name: citizen.full_name().to_string(),
            id_number: citizen.id_number().as_str().to_string(),
            date_of_birth: format!("{d:02}/{m:02}/{y:04}"),
            phone: form.phone().as_str().to_string(),
            email: form.email().map(|v| v.as_str().to_string()),
            health_insurance: form.health_insurance().map(|v| v.as_str().to_string()),
            driving_licence: form.driving_licence().map(|v| v.as_str().to_string()),
            vehicle_plates: form
                .vehicle_plates()
                .iter()
                .map(|v| v.as_str().to_string())
                .collect(),
            tax_code: form.tax_code().map(|v| v.as_str().to_string()),
            group: group.name,
        }),
    })
}

/// What the done screen shows: the application number and its QR code (SVG).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Receipt {
    application_number: String,
    qr_svg: String,
}

/// Seals the session's enrollment and queues it, then wipes the session: the done screen needs
/// only the application number.
#[tauri::command]
async fn enrollment_submit(
    shell: tauri::State<'_, Shell>,
    form: FormInput,
) -> Result<Receipt, UiError> {
    let queue = shell
        .queue
        .as_ref()
        .ok_or(UiError::new("queue.unavailable"))?;
    queue.can_accept_enrollment().map_err(|e| queue_error(&e))?;
    let groups = crate::enrollment::load_groups(&shell.config.data_dir);
    let (form, group) =
        parse_form(&form, &groups).map_err(|_| UiError::new("enrollment.form_invalid"))?;
    let group = GroupId::new(group.id).map_err(|_| UiError::new("enrollment.unknown_group"))?;
    let operator = match shell.counter_operator().await? {
        Some(session) => session.operator,
        None => {
            let id = OperatorId::new(shell.config.device_id.clone())
                .map_err(|_| UiError::new("operators.self_service_missing"))?;
            queue
                .operators()
                .self_service_session(&id)
                .await
                .map_err(|_| UiError::new("operators.self_service_missing"))?
                .operator
        }
    };
    let device = DeviceId::new(shell.config.device_id.clone())
        .map_err(|_| UiError::new("enrollment.seal_failed"))?;
    let keys = shell.keys.keys().map_err(|e| UiError::new(e.code()))?;
    let (identity, portrait, consented_at) = {
        let session = lock(&shell.session);
        let identity =
            crate::enrollment::IdentitySource::of(&session).map_err(|e| UiError::new(e.code()))?;
        let portrait = session.portrait().cloned().ok_or(UiError::new(
            crate::enrollment::SubmitError::PortraitUnavailable.code(),
        ))?;
        let consented_at = session
            .consented_at()
            .ok_or(UiError::new("enrollment.no_consent"))?;
        (identity, portrait, consented_at)
    };
    let consent = Consent::given(
        crate::enrollment::CONSENT_NOTICE_VERSION,
        consented_at,
        operator,
        device,
    )
    .map_err(|_| UiError::new("enrollment.seal_failed"))?;
    let started = std::time::Instant::now();
    let id = crate::enrollment::submit(
        queue,
        &keys,
        &identity,
        portrait,
        form,
        consent,
        group,
        Timestamp::now(),
    )
    .await
    .map_err(|outcome| match outcome {
        SubmitOutcome::Refused(err) => {
            tracing::warn!(reason = %err, "enrollment refused");
            UiError::new(err.code())
        }
        SubmitOutcome::Queue(err) => queue_error(&err),
    })?;
    drop(identity);
    lock(&shell.session).wipe();
    if let Ok(sync) = &shell.sync {
        sync.wake();
    }
    tracing::info!(
        package = %id,
        millis = started.elapsed().as_millis() as u64,
        "enrollment sealed and queued; session wiped"
    );
    let application_number = id.to_string();
    let qr_svg = qrcode::QrCode::new(application_number.as_bytes())
        .map(|code| {
            code.render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(200, 200)
                .build()
        })
        .map_err(|_| UiError::new("enrollment.seal_failed"))?;
    Ok(Receipt {
        application_number,
        qr_svg,
    })
}

/// A poisoned lock still holds a session that must be wiped, so recover it.
pub(crate) fn lock<T>(session: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    session
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// What a configured kiosk runs on, opened before the window's state is made of it: the data
/// directory's run lock, the CSCA trust store and the queue database.
pub(crate) struct Opened {
    config: Config,
    run_lock: Option<crate::kiosk_mode::RunLock>,
    trust_store: TrustStore,
    queue: Option<Queue>,
}

/// Takes the data directory's run lock (recording in the audit log how the previous run
/// ended), loads the trust store and opens the queue; the exit code when another kiosk runs on
/// the directory or its lock cannot be used.
pub(crate) async fn open(config: Config) -> Result<Opened, ExitCode> {
    let (run_lock, previous_run) = crate::kiosk_mode::lock_for_run(&config.data_dir)?;
    let trust_store = load_trust_store(&config.trust_store);
    let queue = match crate::store::open(&config).await {
        Ok(queue) => Some(queue),
        Err(err) => {
            tracing::error!(error = %err, "queue database unavailable: sign-in and enrollment refused");
            None
        }
    };
    if let Some(queue) = &queue {
        crate::kiosk_mode::record_previous_run(queue, previous_run).await;
    }
    Ok(Opened {
        config,
        run_lock,
        trust_store,
        queue,
    })
}

/// Makes an opened kiosk the window's state: the shell with its card worker, the camera on
/// the configuration's camera, the back-office link and its `sync-status` events, the desk's
/// lock sweep at the counter. At start, or once the first-run set-up has written the file.
pub(crate) fn install(app: &tauri::AppHandle, opened: Opened) {
    use tauri::Manager;
    let Opened {
        config,
        run_lock,
        trust_store,
        queue,
    } = opened;
    app.state::<crate::kiosk_mode::KioskMode>().hold(run_lock);
    let camera = app.state::<crate::camera::CameraWorker>().inner().clone();
    if camera.reconfigure(&config).is_err() {
        tracing::error!("camera worker gone: the camera will not open");
    }
    let sync = match queue.clone() {
        Some(queue) => Ok(crate::backoffice_link::start(&config, queue)),
        None => Err(Stopped::SetupFailed),
    };
    // The camera worker was made first (the set-up shows its picture): share its session.
    let mut shell = Shell::new(config, queue, sync);
    shell.session = camera.session();
    let worker = CardWorker::start(app.clone(), Arc::clone(&shell.session), trust_store);
    if shell.card.set(worker).is_err() {
        tracing::error!("card worker started twice");
    }
    if shell.camera.set(camera).is_err() {
        tracing::error!("camera worker started twice");
    }
    if let (Ok(sync), Some(queue)) = (&shell.sync, &shell.queue) {
        sync.forward(app.clone(), queue.clone(), &shell.config);
    }
    let counter = shell.config.mode == Mode::Counter;
    app.manage(crate::kiosk_mode::KioskQueue(shell.queue.clone()));
    app.manage(shell);
    if counter {
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            loop {
                tokio::time::sleep(DESK_SWEEP).await;
                app.state::<Shell>().desk_operator(Instant::now()).await;
            }
        });
    }
}

/// Opens the kiosk window and runs until it closes.
pub fn run(config: Config, kiosk: bool, setup: Option<std::path::PathBuf>) -> ExitCode {
    let _log_guard = match crate::logging::init(&config.log_dir()) {
        Ok(guard) => Some(guard),
        Err(err) => {
            eprintln!(
                "Không ghi được nhật ký / cannot write logs in {}: {err}",
                config.log_dir().display()
            );
            None
        }
    };
    tracing::info!(
        device_id = %config.device_id,
        mode = ?config.mode,
        origin = %config.origin,
        version = env!("CARGO_PKG_VERSION"),
        "kiosk starting"
    );
    let setup_base = crate::first_run::SetupBase(config.clone());
    // In its first-run set-up the kiosk opens no data directory: the set-up opens the one it
    // configured once it has written the configuration (`first_run::setup_apply`).
    let opened = match setup {
        Some(_) => None,
        None => match tauri::async_runtime::block_on(open(config.clone())) {
            Ok(opened) => Some(opened),
            Err(code) => return code,
        },
    };
    let result = tauri::Builder::default()
        .manage(crate::kiosk_mode::KioskMode::new(kiosk, None))
        .manage(crate::first_run::FirstRun::new(setup))
        .manage(setup_base)
        .on_window_event(crate::kiosk_mode::on_window_event)
        .setup(move |app| {
            use tauri::Manager;
            crate::kiosk_mode::setup_window(app);
            let session = Arc::new(Mutex::new(Session::default()));
            app.manage(crate::camera::CameraWorker::start(
                app.handle().clone(),
                session,
                &config,
            ));
            if let Some(opened) = opened {
                install(app.handle(), opened);
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            shell_state,
            clear_session,
            session_set_id_number,
            operator_sign_in,
            operator_sign_out,
            operator_active,
            card_state,
            card_read_typed,
            card_read_qr,
            enrollment_confirm_qr_only,
            crate::camera::camera_start,
            crate::camera::camera_stop,
            crate::camera::camera_status,
            session_consent,
            residential_groups,
            enrollment_check_form,
            enrollment_submit,
            crate::reports_screen::reports_access,
            crate::reports_screen::reports_progress,
            crate::reports_screen::reports_followup,
            crate::reports_screen::reports_contact,
            crate::reports_screen::reports_guide,
            crate::reports_screen::reports_export,
            crate::reports_screen::print_view,
            crate::kiosk_mode::kiosk_mode,
            crate::kiosk_mode::kiosk_exit,
            crate::first_run::setup_status,
            crate::first_run::setup_device_key,
            crate::first_run::setup_apply,
            crate::first_run::setup_camera_start,
            crate::first_run::setup_card_check
        ])
        .run(tauri::generate_context!());
    match result {
        Ok(()) => {
            tracing::info!("kiosk stopped");
            ExitCode::SUCCESS
        }
        Err(err) => {
            tracing::error!(error = %err, "kiosk window failed");
            eprintln!("Không mở được cửa sổ / the window could not open: {err}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_state_serialises_to_the_ui_contract() {
        let config = Config::embedded().expect("defaults");
        let sync = Stopped::NotRegistered.status(&config);
        let json = serde_json::to_value(probe_state(&config, sync)).expect("json");
        for key in [
            "deviceId",
            "deviceName",
            "mode",
            "language",
            "idleTimeoutSecs",
            "idleWarningSecs",
            "operatorLockSecs",
            "version",
        ] {
            assert!(json.get(key).is_some(), "{key} missing: {json}");
        }
        assert_eq!(json["mode"], "counter");
        assert_eq!(json["language"], "vi");
        assert!(json["queueWaiting"].is_null());
        assert!(
            json["health"].is_null(),
            "set by shell_state after the probes"
        );
        assert!(json["operator"].is_null(), "nobody signed in yet");
        assert_eq!(json["sync"]["state"], "not_registered");
        for device in ["reader", "camera", "sync"] {
            assert!(json[device]["state"].is_string(), "{device}: {json}");
            assert!(
                json[device].get("detail").is_some(),
                "{device} detail must be present (null allowed)"
            );
        }
    }

    #[test]
    fn every_card_error_code_has_a_sentence_in_the_ui_dictionary() {
        use cardread::read::CardReadError;
        let dictionary = include_str!("../../ui/src/i18n.ts");
        let read_errors = [
            CardReadError::NoReader,
            CardReadError::CardNotPresent,
            CardReadError::CardRemoved,
            CardReadError::WrongAccessKey,
            CardReadError::AccessBlocked,
            CardReadError::ChipUnreadable("x"),
            CardReadError::ReaderFailure,
            CardReadError::UnsupportedSignature,
        ]
        .map(|e| e.code());
        let key_errors = [
            KeyCandidates::from_typed("1", "01011990", "01012030").map(|_| ()),
            KeyCandidates::from_typed("001090012345", "32011990", "01012030").map(|_| ()),
            KeyCandidates::from_typed("001090012345", "01011990", "2030").map(|_| ()),
            KeyCandidates::from_qr_payload("not a card").map(|_| ()),
        ]
        .map(|r| key_error(r.expect_err("refused")).code);
        let mut codes = read_errors.to_vec();
        codes.extend(key_errors);
        codes.extend(["card.key.derivation", "card.worker_stopped"]);
        for code in codes {
            let entry = format!("\"{code}\": \"error.{code}\"");
            assert!(dictionary.contains(&entry), "no sentence for {code}");
        }
        assert_eq!(
            key_errors,
            [
                "card.key.id_number",
                "card.key.date_of_birth",
                "card.key.date_of_expiry",
                "card.key.qr"
            ]
        );
    }

    fn queue_in(dir: &Path) -> Queue {
        tauri::async_runtime::block_on(Queue::open(&dir.join("queue.sqlite"))).expect("queue")
    }

    #[test]
    fn sign_in_is_refused_with_a_code_until_accounts_exist() {
        let dir = tempfile::tempdir().expect("tempdir");
        let queue = queue_in(dir.path());
        let now = Timestamp::now();
        assert_eq!(
            tauri::async_runtime::block_on(sign_in(Some(&queue), "op1", "123456", now)).err(),
            Some(UiError::new("operators.none_configured"))
        );
        assert_eq!(
            tauri::async_runtime::block_on(sign_in(None, "op1", "123456", now)).err(),
            Some(UiError::new("queue.unavailable"))
        );
    }

    #[test]
    fn sign_in_checks_the_pin_against_the_operator_store() {
        let dir = tempfile::tempdir().expect("tempdir");
        let queue = queue_in(dir.path());
        let now = Timestamp::now();
        let id = OperatorId::new("cb01").expect("id");
        let pin = Pin::new("246813").expect("pin");
        tauri::async_runtime::block_on(queue.operators().create(
            None,
            &id,
            Role::Administrator,
            Some(pin),
            now,
        ))
        .expect("first account");
        let attempt = |who: &str, pin: &str| {
            tauri::async_runtime::block_on(sign_in(Some(&queue), who, pin, now))
        };
        let session = attempt(" cb01 ", "246813").expect("signed in");
        assert_eq!((session.operator, session.role), (id, Role::Administrator));
        assert_eq!(
            attempt("cb01", "111111").err(),
            Some(UiError::new("operators.wrong_credentials"))
        );
        assert_eq!(
            attempt("nobody", "246813").err(),
            Some(UiError::new("operators.wrong_credentials"))
        );
        assert_eq!(
            attempt("cb01", "12").err(),
            Some(UiError::new("operators.pin_format"))
        );
        for _ in 0..enroll::operators::MAX_FAILED_ATTEMPTS {
            let _ = attempt("cb01", "000000");
        }
        assert_eq!(
            attempt("cb01", "246813").err(),
            Some(UiError::new("operators.locked_out"))
        );
    }

    /// A counter shell over a fresh queue, with `cb01` signed in at `start` and a citizen's
    /// typed ID number in the session.
    fn counter_desk(dir: &Path, start: Instant) -> (Shell, Queue) {
        let queue = queue_in(dir);
        let config = Config::embedded().expect("defaults");
        assert_eq!(
            (config.mode, config.operator_lock_minutes),
            (Mode::Counter, 15)
        );
        let shell = Shell::new(config, Some(queue.clone()), Err(Stopped::NotRegistered));
        let operator = OperatorSession {
            operator: OperatorId::new("cb01").expect("id"),
            role: Role::Operator,
        };
        lock(&shell.desk).sign_in(operator, start);
        lock(&shell.session)
            .set_id_number("001090123456")
            .expect("12 digits");
        (shell, queue)
    }

    /// Seals demo package `n`, created at `created`, and queues it.
    fn queue_package(queue: &Queue, n: u32, created: Timestamp) -> enroll::package::PackageId {
        let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
        let (_, office) = enroll::package::BackOfficeSecretKey::generate(&mut rng);
        let signer = enroll::package::DeviceSigningKey::generate(&mut rng);
        let device = DeviceId::new("kiosk-1").expect("id");
        let group = GroupId::new("to-1").expect("group");
        let enrollment =
            enroll::demo::demo_enrollment(n, 60_000, &device, &group, created).expect("demo");
        let package =
            enroll::package::seal(&enrollment, created, &signer, &office, &mut rng).expect("seal");
        tauri::async_runtime::block_on(queue.enqueue(&package, None, created)).expect("enqueue");
        package.id()
    }

    #[test]
    fn a_frozen_queue_refuses_a_new_citizen_before_anything_is_read_and_opens_once_acknowledged() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (mut shell, queue) = counter_desk(dir.path(), Instant::now());
        shell.config.freeze_max_unsent = 2;
        let t0 = Timestamp::now();
        let week_later = t0.plus_millis(7 * 24 * 3600 * 1000 + 1);
        let consent = |now| tauri::async_runtime::block_on(shell.consent(now));
        let first = queue_package(&queue, 1, t0);
        assert_eq!(consent(t0), Ok(()), "one waiting, under the limit of 2");
        assert_eq!(
            tauri::async_runtime::block_on(shell.admit_new_citizen(week_later)),
            Ok(()),
            "a citizen already in progress goes on"
        );
        shell.wipe_citizen().expect("wiped");
        assert_eq!(
            consent(week_later),
            Err(UiError::new("queue.frozen_too_old"))
        );
        let second = queue_package(&queue, 2, t0);
        let audit_before = tauri::async_runtime::block_on(queue.audit().entries()).expect("audit");
        let counts_before = tauri::async_runtime::block_on(queue.counts()).expect("counts");
        assert_eq!(consent(t0), Err(UiError::new("queue.frozen_too_many")));
        assert_eq!(
            tauri::async_runtime::block_on(shell.admit_new_citizen(t0)),
            Err(UiError::new("queue.frozen_too_many")),
            "the card reads ask the same before reading a chip"
        );
        assert_eq!(lock(&shell.session).consented_at(), None, "no consent kept");
        assert_eq!(
            tauri::async_runtime::block_on(queue.audit().entries()).expect("audit"),
            audit_before
        );
        assert_eq!(
            tauri::async_runtime::block_on(queue.counts()).expect("counts"),
            counts_before
        );
        for id in [first, second] {
            tauri::async_runtime::block_on(async {
                queue.begin_upload(id, t0).await?;
                queue.upload_done(id, t0).await?;
                queue.acknowledge(id, t0).await
            })
            .expect("acknowledged");
        }
        assert_eq!(consent(week_later), Ok(()), "open again once acknowledged");
        assert_eq!(lock(&shell.session).consented_at(), Some(week_later));
    }

    fn desk_locks(queue: &Queue) -> Vec<enroll::audit::AuditEntry> {
        tauri::async_runtime::block_on(queue.audit().entries())
            .expect("audit log")
            .into_iter()
            .filter(|e| e.action == AuditAction::DeskLocked.as_str())
            .collect()
    }

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn activity_within_the_lock_time_keeps_the_operator_and_the_citizen() {
        let dir = tempfile::tempdir().expect("tempdir");
        let start = Instant::now();
        let (shell, queue) = counter_desk(dir.path(), start);
        for minutes in [14, 28, 42] {
            let acting =
                tauri::async_runtime::block_on(shell.acting_operator(start + minutes * MINUTE));
            assert_eq!(
                acting.map(|s| s.operator.as_str().to_owned()),
                Ok("cb01".into())
            );
        }
        assert_eq!(lock(&shell.session).id_number(), Some("001090123456"));
        assert!(desk_locks(&queue).is_empty());
    }

    #[test]
    fn past_the_lock_time_a_command_is_refused_the_operator_signed_out_the_lock_audited_and_the_citizen_wiped()
     {
        let dir = tempfile::tempdir().expect("tempdir");
        let start = Instant::now();
        let (shell, queue) = counter_desk(dir.path(), start);
        let late = start + 15 * MINUTE;
        assert_eq!(
            tauri::async_runtime::block_on(shell.acting_operator(late)).err(),
            Some(UiError::new("operators.desk_locked"))
        );
        assert!(
            lock(&shell.session).is_empty(),
            "the citizen's data is wiped"
        );
        assert_eq!(
            tauri::async_runtime::block_on(shell.acting_operator(late)).err(),
            Some(UiError::new("operators.signed_out")),
            "nobody is signed in any more"
        );
        let locks = desk_locks(&queue);
        assert_eq!(locks.len(), 1, "the lock is audited once");
        assert_eq!(locks[0].actor, "cb01");
        assert_eq!(locks[0].subject, None, "nothing about the citizen");
        assert!(tauri::async_runtime::block_on(queue.audit().verify()).is_ok());
    }

    #[test]
    fn the_status_poll_is_not_activity_and_locks_a_lapsed_desk_by_itself() {
        let dir = tempfile::tempdir().expect("tempdir");
        let start = Instant::now();
        let (shell, queue) = counter_desk(dir.path(), start);
        let polled = tauri::async_runtime::block_on(shell.desk_operator(start + 14 * MINUTE));
        assert!(polled.is_some());
        assert!(
            tauri::async_runtime::block_on(shell.desk_operator(start + 15 * MINUTE)).is_none(),
            "the poll 14 minutes in did not renew the sign-in"
        );
        assert!(lock(&shell.session).is_empty());
        assert_eq!(desk_locks(&queue).len(), 1);
    }

    #[test]
    fn citizen_steps_at_the_counter_need_the_operator_and_at_a_self_service_station_none() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = Config::embedded().expect("defaults");
        let counter = Shell::new(
            config.clone(),
            Some(queue_in(dir.path())),
            Err(Stopped::NotRegistered),
        );
        assert_eq!(
            tauri::async_runtime::block_on(counter.counter_operator()).err(),
            Some(UiError::new("operators.signed_out"))
        );
        config.mode = Mode::SelfService;
        let station = Shell::new(config, None, Err(Stopped::NotRegistered));
        assert_eq!(
            tauri::async_runtime::block_on(station.counter_operator()),
            Ok(None)
        );
    }

    #[test]
    fn shell_state_tells_the_ui_the_configured_lock_time() {
        let mut config = Config::embedded().expect("defaults");
        config.operator_lock_minutes = 7;
        let sync = Stopped::NotRegistered.status(&config);
        assert_eq!(probe_state(&config, sync).operator_lock_secs, 420);
    }

    #[test]
    fn every_sign_in_error_code_has_a_sentence_in_the_ui_dictionary() {
        let dictionary = include_str!("../../ui/src/i18n.ts");
        let codes = [
            OperatorError::PinFormat,
            OperatorError::WrongCredentials,
            OperatorError::LockedOut {
                until: Timestamp::from_unix_millis(0),
            },
            OperatorError::NotPermitted,
            OperatorError::Storage(QueueError::DiskFull),
            OperatorError::Storage(QueueError::Corrupt(String::new())),
            OperatorError::Storage(QueueError::Migration(String::new())),
        ]
        .map(|e| operator_error(e).code);
        for code in codes.into_iter().chain([
            "operators.none_configured",
            "queue.unavailable",
            "operators.desk_locked",
            "queue.frozen_too_many",
            "queue.frozen_too_old",
            "queue.database",
        ]) {
            let entry = format!("\"{code}\": \"error.{code}\"");
            assert!(dictionary.contains(&entry), "no sentence for {code}");
        }
    }

    #[test]
    fn every_enrollment_error_code_has_a_sentence_in_the_ui_dictionary() {
        use crate::enrollment::SubmitError;
        let dictionary = include_str!("../../ui/src/i18n.ts");
        let codes = [
            SubmitError::NoHolderData,
            SubmitError::CardRefused,
            SubmitError::PortraitUnavailable,
            SubmitError::BackOfficeKey,
            SubmitError::DeviceKey,
            SubmitError::HolderData,
        ]
        .map(|e| e.code());
        for code in codes.into_iter().chain([
            "enrollment.no_card_reading",
            "enrollment.no_consent",
            "enrollment.unknown_group",
            "enrollment.form_invalid",
            "operators.signed_out",
            "operators.self_service_missing",
        ]) {
            let entry = format!("\"{code}\": \"error.{code}\"");
            assert!(dictionary.contains(&entry), "no sentence for {code}");
        }
    }

    fn input(phone: &str, email: &str, group: &str) -> FormInput {
        FormInput {
            phone: phone.into(),
            email: email.into(),
            health_insurance: String::new(),
            driving_licence: String::new(),
            vehicle_plates: vec![" ".into()],
            tax_code: String::new(),
            group: group.into(),
        }
    }

    #[test]
    fn form_errors_name_their_field_in_both_languages_and_the_group_must_be_configured() {
        let groups = [Group {
            id: "to-1".into(),
            name: "Tổ dân phố 1".into(),
        }];
        let errors = parse_form(&input("12", "not-mail", "to-9"), &groups).expect_err("refused");
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["phone", "email", "group"]);
        assert!(errors.iter().all(|e| !e.vi.is_empty() && !e.en.is_empty()));
        assert!(
            errors
                .iter()
                .all(|e| !e.vi.contains("12") && !e.en.contains("not-mail")),
            "messages never repeat the input"
        );
        let (form, group) = parse_form(&input("0912 345 678", "", "to-1"), &groups).expect("valid");
        assert_eq!(form.phone().as_str(), "0912345678");
        assert!(
            form.vehicle_plates().is_empty(),
            "blank plates are not given"
        );
        assert_eq!(group.name, "Tổ dân phố 1");
    }
}
