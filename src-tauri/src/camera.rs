//! The camera worker: one thread owns the frame source (a webcam through `capture`'s
//! `DeviceSource`, or a looping `ReplaySource` for the demo and tests), another analyses.
//!
//! The camera runs only while a screen needs it (`camera_start` / `camera_stop`): the card
//! step, to read the card's QR code, and the portrait step. The capture thread keeps the
//! newest frame in a one-slot mailbox and sends a downscaled JPEG preview to the window at
//! [`PREVIEW_FPS`] (`camera-frame`); the analysis thread takes whatever frame is newest when
//! it is free, so a slow analysis drops frames instead of slowing the preview. For the QR it
//! reads the card's code (`camera-qr`) and keeps it in the session; for the portrait it runs
//! the quality checks (`camera-guidance`) and, once they hold for [`STEADY_FRAMES`] frames in
//! a row, crops the ICAO portrait, keeps it in the session and shows it (`camera-captured`)
//! with its comparison to the chip's photo (dlib's face descriptors, `capture::compare`) when
//! the face models are installed; without them the event says why and no score is made up.
//! `camera-status` reports the camera running, stopped or failing (with an error code).
//! No event and no log line carries a frame or a QR payload except to the window itself.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use capture::camera::{CameraChoice, CameraMode};
use capture::compare::FaceComparer;
use capture::portrait::{
    Assessment, AutoCapture, FaceBox, Guidance, Limits, PortraitChecker, crop_icao, encode_within,
};
use capture::qr::{QrReader, QrScanError};
use capture::{CaptureError, Encoding, Frame, FrameSource, Pacing, ReplaySource};
use enroll::evidence::FaceMatchScore;
use enroll::portrait::Portrait;
use image::RgbImage;
use kiosk_config::{Camera, Config};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter};
use zeroize::Zeroizing;

use crate::session::{ScannedQr, Session};

/// Preview frames sent to the window per second.
pub const PREVIEW_FPS: u32 = 10;
/// Width of a preview frame (height keeps the camera's aspect).
const PREVIEW_WIDTH: u32 = 480;
/// JPEG quality of a preview frame.
const PREVIEW_QUALITY: u8 = 70;
/// The least time between two analysed frames: a frame is analysed at most this often
/// (~8 a second), which is plenty for a QR code held up or a person posing, and leaves the
/// rest of the processor to the preview and the window.
const ANALYSIS_INTERVAL: Duration = Duration::from_millis(120);
/// Assessed frames in a row whose checks must all hold before the portrait is taken.
pub const STEADY_FRAMES: u32 = 4;
/// The captured portrait's JPEG budget (enroll accepts up to 512 KiB; a chip's DG2 is ~20 KB).
const PORTRAIT_BUDGET: usize = 96 * 1024;
/// The resolution asked of a webcam: 720p keeps a card's QR modules above 2.5 px.
const WANTED_WIDTH: u32 = 1280;
const WANTED_HEIGHT: u32 = 720;

/// What a screen wants the camera for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Purpose {
    /// Read the card's QR code.
    Qr,
    /// Guide and capture the portrait.
    Portrait,
    /// Only show the picture: the set-up's camera test.
    Preview,
}

enum Command {
    Start {
        run: u64,
        purpose: Purpose,
        /// The camera to open instead of the configured one (the set-up's choice).
        camera: Option<Camera>,
    },
    Stop,
    /// The configuration's camera and rate from now on (the set-up just wrote them).
    Configure {
        camera: Camera,
        fps: u32,
    },
}

/// The camera as the header and the screens see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CameraStatus {
    /// The run the status is about (0 before any).
    pub run: u64,
    /// `running`, `stopped` or `failed`.
    pub state: &'static str,
    /// Why it failed: a UI error code.
    pub error: Option<&'static str>,
}

/// The UI code for a camera that gave no frame.
pub fn error_code(err: &CaptureError) -> &'static str {
    match err {
        CaptureError::NoCamera => "camera.no_camera",
        CaptureError::CameraNotFound => "camera.not_found",
        CaptureError::Open(_) | CaptureError::Format(_) => "camera.busy",
        CaptureError::Disconnected | CaptureError::BadFrame => "camera.unplugged",
        CaptureError::DeviceSupportNotBuilt => "camera.not_built",
        CaptureError::EndOfStream
        | CaptureError::EmptyReplay(_)
        | CaptureError::ReplayImage(_)
        | CaptureError::FrameRate
        | CaptureError::Io(_) => "camera.replay",
    }
}

/// The newest frame, for the analysis thread.
#[derive(Default)]
struct Mailbox {
    /// The run the camera serves now (0: stopped).
    run: u64,
    purpose: Option<Purpose>,
    frame: Option<Arc<Frame>>,
}

struct Shared {
    mailbox: Mutex<Mailbox>,
    arrived: Condvar,
}

/// The handle the commands use (clones share the worker).
#[derive(Clone)]
pub struct CameraWorker {
    commands: Sender<Command>,
    status: Arc<Mutex<CameraStatus>>,
    next_run: Arc<AtomicU64>,
    session: Arc<Mutex<Session>>,
    /// Face models the analysis is to load instead of the ones it has (see `reconfigure`).
    models: Arc<Mutex<Option<std::path::PathBuf>>>,
}

/// The header's camera state from the configuration (`doctor` and the health line read it the
/// same way): a replay folder with images is `ready` (named as a replay), a webcam is what the
/// system lists (`ready` with its name, or `no_camera`).
pub fn header_state(camera: &Camera) -> (&'static str, Option<String>) {
    let status = health::probes::configured_camera_status(
        camera,
        std::path::Path::new(health::probes::V4L_SYSFS),
    );
    (status.code(), status.detail().map(str::to_string))
}

/// Opens the camera for a screen (the card step's QR, or the portrait); returns the run id
/// its events carry. Nothing is filmed before the citizen consented. A portrait run forgets the
/// portrait taken before (a retake).
#[tauri::command]
pub fn camera_start(
    camera: tauri::State<'_, CameraWorker>,
    purpose: Purpose,
) -> Result<u64, crate::shell::UiError> {
    {
        let mut session = lock(&camera.session);
        if session.consented_at().is_none() {
            return Err(crate::shell::UiError::new("enrollment.no_consent"));
        }
        if purpose == Purpose::Portrait {
            session.set_portrait(None, None);
        }
    }
    camera
        .start_run(purpose)
        .map_err(|_| crate::shell::UiError::new("camera.worker_stopped"))
}

/// Closes the camera (the screen that needed it was left).
#[tauri::command]
pub fn camera_stop(camera: tauri::State<'_, CameraWorker>) -> Result<(), crate::shell::UiError> {
    camera
        .stop()
        .map_err(|_| crate::shell::UiError::new("camera.worker_stopped"))
}

/// The camera now (`camera-status` reports each change after this).
#[tauri::command]
pub fn camera_status(camera: tauri::State<'_, CameraWorker>) -> CameraStatus {
    camera.status()
}

impl CameraWorker {
    /// Starts the capture and analysis threads (the camera itself opens on `start`).
    pub fn start(app: AppHandle, session: Arc<Mutex<Session>>, config: &Config) -> Self {
        let (commands, receiver) = std::sync::mpsc::channel();
        let status = Arc::new(Mutex::new(CameraStatus {
            run: 0,
            state: "stopped",
            error: None,
        }));
        let shared = Arc::new(Shared {
            mailbox: Mutex::new(Mailbox::default()),
            arrived: Condvar::new(),
        });
        let capture = Capture {
            app: app.clone(),
            camera: config.camera.clone(),
            fps: config.camera_fps,
            commands: receiver,
            status: Arc::clone(&status),
            shared: Arc::clone(&shared),
        };
        let models = Arc::new(Mutex::new(None));
        let analysis = Analysis {
            app,
            session: Arc::clone(&session),
            shared,
            face_models: config.face_models.clone(),
            new_models: Arc::clone(&models),
            comparer: None,
        };
        spawn("camera", move || capture.run());
        spawn("camera-analysis", move || analysis.run());
        Self {
            commands,
            status,
            next_run: Arc::new(AtomicU64::new(1)),
            session,
            models,
        }
    }

    /// The citizen's session the camera fills (QR data, portrait).
    pub fn session(&self) -> Arc<Mutex<Session>> {
        Arc::clone(&self.session)
    }

    /// Uses `config`'s camera, rate and face models from the next run on: the set-up started
    /// the worker on the defaults and has just written the kiosk's configuration.
    pub fn reconfigure(&self, config: &Config) -> Result<(), WorkerGone> {
        *lock(&self.models) = Some(config.face_models.clone());
        self.commands
            .send(Command::Configure {
                camera: config.camera.clone(),
                fps: config.camera_fps,
            })
            .map_err(|_| WorkerGone)
    }

    /// Opens the camera for `purpose`; returns the run's id, which its events carry.
    pub fn start_run(&self, purpose: Purpose) -> Result<u64, WorkerGone> {
        self.send_start(purpose, None)
    }

    /// Shows `camera`'s picture, not the configured camera's, with nothing analysed: the
    /// set-up's camera test, before any configuration exists.
    pub fn start_preview(&self, camera: Camera) -> Result<u64, WorkerGone> {
        self.send_start(Purpose::Preview, Some(camera))
    }

    fn send_start(&self, purpose: Purpose, camera: Option<Camera>) -> Result<u64, WorkerGone> {
        let run = self.next_run.fetch_add(1, Ordering::Relaxed);
        self.commands
            .send(Command::Start {
                run,
                purpose,
                camera,
            })
            .map_err(|_| WorkerGone)?;
        Ok(run)
    }

    /// Closes the camera.
    pub fn stop(&self) -> Result<(), WorkerGone> {
        self.commands.send(Command::Stop).map_err(|_| WorkerGone)
    }

    /// The camera now.
    pub fn status(&self) -> CameraStatus {
        lock(&self.status).clone()
    }
}

/// The worker threads stopped.
#[derive(Debug)]
pub struct WorkerGone;

fn spawn(name: &str, body: impl FnOnce() + Send + 'static) {
    if let Err(err) = std::thread::Builder::new().name(name.into()).spawn(body) {
        tracing::error!(thread = name, error = %err, "camera thread did not start");
    }
}

/// Opens the configured camera.
fn open(camera: &Camera, fps: u32) -> Result<Box<dyn FrameSource>, CaptureError> {
    let choice = match camera {
        Camera::Replay(folder) => {
            let replay = ReplaySource::from_folder(folder, fps)?
                .with_pacing(Pacing::RealTime)
                .looping(true);
            return Ok(Box::new(replay));
        }
        Camera::First => CameraChoice::First,
        Camera::Index(index) => CameraChoice::Index(*index),
        Camera::Name(name) => CameraChoice::Name(name.clone()),
    };
    let wanted = CameraMode {
        width: WANTED_WIDTH,
        height: WANTED_HEIGHT,
        encoding: Encoding::Mjpeg,
        frames_per_second: fps,
    };
    capture::camera::DeviceSource::open(&choice, wanted)
        .map(|source| Box::new(source) as Box<dyn FrameSource>)
}

/// The capture thread: owns the source, fills the mailbox, sends the preview.
struct Capture {
    app: AppHandle,
    camera: Camera,
    fps: u32,
    commands: Receiver<Command>,
    status: Arc<Mutex<CameraStatus>>,
    shared: Arc<Shared>,
}

impl Capture {
    fn run(mut self) {
        let mut next = None;
        loop {
            let command = match next.take() {
                Some(command) => command,
                None => match self.commands.recv() {
                    Ok(command) => command,
                    Err(_) => return,
                },
            };
            let (run, purpose, camera) = match command {
                Command::Start {
                    run,
                    purpose,
                    camera,
                } => (run, purpose, camera),
                Command::Configure { camera, fps } => {
                    self.camera = camera;
                    self.fps = fps;
                    continue;
                }
                Command::Stop => continue,
            };
            next = self.serve(run, purpose, camera.as_ref().unwrap_or(&self.camera));
            self.set_mailbox(0, None);
        }
    }

    /// Runs the camera for one run until a command ends it; returns a new start, if that was
    /// the command.
    fn serve(&self, run: u64, purpose: Purpose, camera: &Camera) -> Option<Command> {
        let started = Instant::now();
        let mut source = match open(camera, self.fps) {
            Ok(source) => source,
            Err(err) => {
                tracing::warn!(error = %err, "camera did not open");
                self.publish(run, "failed", Some(error_code(&err)));
                return None;
            }
        };
        let format = source.format();
        tracing::info!(
            ?purpose,
            width = format.width,
            height = format.height,
            fps = format.frames_per_second,
            millis = started.elapsed().as_millis() as u64,
            "camera started"
        );
        // A preview leaves the analysis thread asleep.
        self.set_mailbox(run, (purpose != Purpose::Preview).then_some(purpose));
        self.publish(run, "running", None);
        let interval = Duration::from_secs(1) / PREVIEW_FPS;
        // A frame within half a frame period of the preview's due time is sent, so a 15 or
        // 30 frames/s camera gives a steady 10 previews a second, not one every other frame.
        let slack = Duration::from_secs(1) / (2 * format.frames_per_second.max(1));
        let mut due = Instant::now();
        let mut previews = 0u64;
        let mut preview_time = Duration::ZERO;
        let mut after = None;
        loop {
            match self.commands.try_recv() {
                Ok(Command::Stop) => break,
                Ok(configure @ Command::Configure { .. }) => {
                    after = Some(configure);
                    break;
                }
                Ok(start @ Command::Start { .. }) => {
                    drop(source);
                    return Some(start);
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => {}
                Err(std::sync::mpsc::TryRecvError::Disconnected) => return None,
            }
            let frame = match source.next_frame() {
                Ok(frame) => Arc::new(frame),
                Err(CaptureError::BadFrame) => continue,
                Err(err) => {
                    tracing::warn!(error = %err, "camera stopped delivering frames");
                    self.publish(run, "failed", Some(error_code(&err)));
                    return None;
                }
            };
            {
                let mut mailbox = lock(&self.shared.mailbox);
                if mailbox.run == run {
                    mailbox.frame = Some(Arc::clone(&frame));
                }
            }
            self.shared.arrived.notify_all();
            let now = Instant::now();
            if now + slack >= due {
                due = (due + interval).max(now.checked_sub(interval).unwrap_or(now));
                let t0 = Instant::now();
                if let Some(preview) = preview(run, &frame.image) {
                    emit(&self.app, "camera-frame", &preview);
                }
                preview_time += t0.elapsed();
                previews += 1;
            }
        }
        tracing::info!(
            previews,
            preview_ms_each = preview_time.as_millis() as u64 / previews.max(1),
            seconds = started.elapsed().as_secs(),
            "camera stopped"
        );
        self.publish(run, "stopped", None);
        after
    }

    fn set_mailbox(&self, run: u64, purpose: Option<Purpose>) {
        let mut mailbox = lock(&self.shared.mailbox);
        *mailbox = Mailbox {
            run,
            purpose,
            frame: None,
        };
        drop(mailbox);
        self.shared.arrived.notify_all();
    }

    fn publish(&self, run: u64, state: &'static str, error: Option<&'static str>) {
        let status = CameraStatus { run, state, error };
        *lock(&self.status) = status.clone();
        emit(&self.app, "camera-status", &status);
    }
}

/// One `camera-frame` event: a downscaled JPEG as a data URL.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct PreviewFrame {
    run: u64,
    jpeg: String,
    width: u32,
    height: u32,
}

fn preview(run: u64, image: &RgbImage) -> Option<PreviewFrame> {
    let (width, height) = image.dimensions();
    let small_height = (u64::from(height) * u64::from(PREVIEW_WIDTH) / u64::from(width.max(1)))
        .clamp(1, u64::from(u32::MAX));
    let small = image::imageops::thumbnail(
        image,
        PREVIEW_WIDTH.min(width),
        u32::try_from(small_height).ok()?.min(height),
    );
    let jpeg = jpeg_data_url(&small, PREVIEW_QUALITY)?;
    Some(PreviewFrame {
        run,
        jpeg,
        width: small.width(),
        height: small.height(),
    })
}

fn jpeg_data_url(image: &RgbImage, quality: u8) -> Option<String> {
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality)
        .encode_image(image)
        .ok()?;
    Some(data_url(&bytes))
}

fn data_url(jpeg: &[u8]) -> String {
    format!(
        "data:image/jpeg;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(jpeg)
    )
}

/// The analysis thread: QR reading or portrait checks on the newest frame.
struct Analysis {
    app: AppHandle,
    session: Arc<Mutex<Session>>,
    shared: Arc<Shared>,
    face_models: std::path::PathBuf,
    /// Face models to use instead, set by [`CameraWorker::reconfigure`].
    new_models: Arc<Mutex<Option<std::path::PathBuf>>>,
    /// The face comparer, loaded on the first capture (or why it could not be).
    comparer: Option<Result<FaceComparer, &'static str>>,
}

/// What the analysis keeps from frame to frame within one run.
enum Job {
    Qr {
        reader: QrReader,
        /// When a code that is not a card's was last reported (once a second at most).
        told_not_card: Option<Instant>,
    },
    Portrait {
        auto: AutoCapture,
        steady: u32,
    },
    /// The run's work is done (QR read, portrait taken): frames are no longer analysed.
    Done,
}

impl Analysis {
    fn run(mut self) {
        let checker = match PortraitChecker::new(Limits::default()) {
            Ok(checker) => Some(checker),
            Err(err) => {
                tracing::error!(error = %err, "face model did not load: no portrait guidance");
                None
            }
        };
        let mut job: Option<(u64, Job)> = None;
        let mut last_sequence = None;
        let mut last_start: Option<Instant> = None;
        loop {
            if let Some(wait) =
                last_start.and_then(|at| ANALYSIS_INTERVAL.checked_sub(at.elapsed()))
            {
                std::thread::sleep(wait);
            }
            let (run, purpose, frame) = {
                let mut mailbox = lock(&self.shared.mailbox);
                loop {
                    let fresh = mailbox.frame.as_ref().filter(|f| {
                        Some(f.sequence) != last_sequence
                            || job.as_ref().map(|j| j.0) != Some(mailbox.run)
                    });
                    if let (Some(frame), Some(purpose)) = (fresh, mailbox.purpose) {
                        break (mailbox.run, purpose, Arc::clone(frame));
                    }
                    mailbox = self
                        .shared
                        .arrived
                        .wait(mailbox)
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                }
            };
            last_sequence = Some(frame.sequence);
            last_start = Some(Instant::now());
            if job.as_ref().map(|j| j.0) != Some(run) {
                job = Some((run, new_job(purpose)));
            }
            if let Some((_, work)) = job.as_mut() {
                self.analyse(run, work, &frame, checker.as_ref());
            }
        }
    }

    fn analyse(
        &mut self,
        run: u64,
        job: &mut Job,
        frame: &Frame,
        checker: Option<&PortraitChecker>,
    ) {
        match job {
            Job::Done => {}
            Job::Qr {
                reader,
                told_not_card,
            } => {
                let Some(read) = reader.read(&frame.image) else {
                    return;
                };
                let payload = Zeroizing::new(String::from_utf8_lossy(&read.payload).into_owned());
                match cccd::qr::CardQr::parse(&payload) {
                    Ok(card) => {
                        let view = QrView::new(run, &card);
                        if !self.still_current(run) {
                            return;
                        }
                        lock(&self.session).set_qr(ScannedQr { payload, card });
                        tracing::info!(stage = ?read.stage, "card QR read by the camera");
                        emit(&self.app, "camera-qr", &view);
                        *job = Job::Done;
                    }
                    Err(err) => {
                        if told_not_card.is_none_or(|at| at.elapsed() >= Duration::from_secs(1)) {
                            *told_not_card = Some(Instant::now());
                            tracing::info!(reason = %QrScanError::NotCardQr(err), "a QR code that is not a card's");
                            emit(&self.app, "camera-qr", &QrView::not_card(run));
                        }
                    }
                }
            }
            Job::Portrait { auto, steady } => {
                let Some(checker) = checker else {
                    emit(
                        &self.app,
                        "camera-guidance",
                        &GuidanceView::unavailable(run),
                    );
                    *job = Job::Done;
                    return;
                };
                let assessment = checker.assess(&frame.image);
                let take = auto.observe(&assessment);
                *steady = if assessment.is_ok() { *steady + 1 } else { 0 };
                emit(
                    &self.app,
                    "camera-guidance",
                    &GuidanceView::new(
                        run,
                        &assessment.guidance,
                        &assessment.faces,
                        frame.image.dimensions(),
                        *steady,
                    ),
                );
                if take && let Some(captured) = self.take_portrait(run, &assessment, &frame.image) {
                    emit(&self.app, "camera-captured", &captured);
                    *job = Job::Done;
                }
            }
        }
    }

    /// Crops, encodes and keeps the portrait, compares it with the chip's photo; the event
    /// shows both.
    fn take_portrait(
        &mut self,
        run: u64,
        assessment: &Assessment,
        image: &RgbImage,
    ) -> Option<CapturedView> {
        let face = assessment.faces.first()?;
        let crop = crop_icao(image, face);
        let jpeg = match encode_within(&crop, PORTRAIT_BUDGET) {
            Ok(jpeg) => jpeg,
            Err(err) => {
                tracing::warn!(error = %err, "portrait not encoded");
                return None;
            }
        };
        let chip_photo = lock(&self.session)
            .card_reading()
            .and_then(|reading| reading.portrait.as_ref())
            .map(|p| (p.format, p.image.clone()));
        let comparison = match chip_photo {
            None => Err("no_chip_photo"),
            Some((emrtd::dg2::ImageFormat::Jpeg2000, _)) => Err("chip_photo_jpeg2000"),
            Some((emrtd::dg2::ImageFormat::Jpeg, chip)) => self.compare(&jpeg, &chip),
        };
        let view = CapturedView {
            run,
            jpeg: data_url(&jpeg),
            width: crop.width(),
            height: crop.height(),
            comparison: comparison.as_ref().ok().map(ComparisonView::new),
            comparison_unavailable: comparison.as_ref().err().copied(),
        };
        let portrait = match Portrait::from_jpeg(jpeg) {
            Ok(portrait) => portrait,
            Err(err) => {
                tracing::warn!(error = %err, "portrait refused by the enrollment's rules");
                return None;
            }
        };
        if !self.still_current(run) {
            return None;
        }
        let score = comparison.ok().and_then(|c| {
            FaceMatchScore::per_mille((c.score.clamp(0.0, 1.0) * 1000.0).round() as u16)
        });
        lock(&self.session).set_portrait(Some(portrait), score);
        tracing::info!(
            width = view.width,
            height = view.height,
            "portrait captured"
        );
        Some(view)
    }

    /// Compares the live portrait with the chip's JPEG photo; the error is a UI code.
    fn compare(
        &mut self,
        live: &[u8],
        chip: &[u8],
    ) -> Result<capture::compare::Comparison, &'static str> {
        if let Some(models) = lock(&self.new_models).take() {
            self.face_models = models;
            self.comparer = None;
        }
        compare_photos(&self.face_models, &mut self.comparer, live, chip)
    }

    fn still_current(&self, run: u64) -> bool {
        lock(&self.shared.mailbox).run == run
    }
}

/// Compares the live portrait with the chip's photo with the comparer in `slot`, loaded from
/// `models` the first time; the error is a UI code (`face_models_missing`, `no_face_chip`…).
fn compare_photos(
    models: &std::path::Path,
    slot: &mut Option<Result<FaceComparer, &'static str>>,
    live: &[u8],
    chip: &[u8],
) -> Result<capture::compare::Comparison, &'static str> {
    let comparer = slot.get_or_insert_with(|| {
        FaceComparer::load(models).map_err(|err| {
            tracing::warn!(error = %err, "face comparison unavailable");
            err.code()
        })
    });
    let comparer = comparer.as_ref().map_err(|code| *code)?;
    let started = Instant::now();
    let result = comparer.compare_encoded(live, chip);
    match &result {
        Ok(c) => tracing::info!(
            same_person = c.same_person(),
            millis = started.elapsed().as_millis() as u64,
            "portrait compared with the chip photo"
        ),
        Err(err) => tracing::info!(reason = err.code(), "portrait not compared"),
    }
    result.map_err(|err| err.code())
}

fn new_job(purpose: Purpose) -> Job {
    match purpose {
        Purpose::Qr => Job::Qr {
            reader: QrReader::new(),
            told_not_card: None,
        },
        Purpose::Portrait => Job::Portrait {
            auto: AutoCapture::new(STEADY_FRAMES),
            steady: 0,
        },
        Purpose::Preview => Job::Done,
    }
}

/// One `camera-qr` event: the card's QR data for the screen, or `card.key.qr` for a code that
/// is not a card's. Personal data: shown on screen, never logged.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QrView {
    run: u64,
    error: Option<&'static str>,
    holder: Option<QrHolder>,
}

/// The fields of the card's QR code the screen shows.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QrHolder {
    full_name: String,
    id_number: String,
    date_of_birth: String,
    gender: &'static str,
    address: String,
    date_of_issue: String,
}

fn dmy(date: cccd::date::Date) -> String {
    format!("{:02}/{:02}/{:04}", date.day(), date.month(), date.year())
}

impl QrView {
    fn new(run: u64, card: &cccd::qr::CardQr) -> Self {
        Self {
            run,
            error: None,
            holder: Some(QrHolder {
                full_name: card.full_name.expose().to_string(),
                id_number: card.id_number.expose().to_string(),
                date_of_birth: dmy(card.date_of_birth),
                gender: match card.gender {
                    cccd::personal::Gender::Male => "male",
                    cccd::personal::Gender::Female => "female",
                },
                address: card.address.expose().to_string(),
                date_of_issue: dmy(card.date_of_issue),
            }),
        }
    }

    fn not_card(run: u64) -> Self {
        Self {
            run,
            error: Some("card.key.qr"),
            holder: None,
        }
    }
}

/// A face box as fractions of the frame, for drawing over the preview.
#[derive(Debug, Clone, Copy, Serialize)]
struct FaceView {
    x: f64,
    y: f64,
    width: f64,
    height: f64,
}

/// One `camera-guidance` event: the failed checks (or `ok`), the face, the steady run.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct GuidanceView {
    run: u64,
    guidance: Vec<&'static str>,
    face: Option<FaceView>,
    steady: u32,
    needed: u32,
    /// The face model could not load: the portrait cannot be taken here.
    unavailable: bool,
}

impl GuidanceView {
    fn new(
        run: u64,
        guidance: &[Guidance],
        faces: &[FaceBox],
        (width, height): (u32, u32),
        steady: u32,
    ) -> Self {
        let (w, h) = (f64::from(width.max(1)), f64::from(height.max(1)));
        Self {
            run,
            guidance: guidance.iter().map(|g| g.code()).collect(),
            face: match faces {
                [face] => Some(FaceView {
                    x: face.x / w,
                    y: face.y / h,
                    width: face.width / w,
                    height: face.height / h,
                }),
                _ => None,
            },
            steady: steady.min(STEADY_FRAMES),
            needed: STEADY_FRAMES,
            unavailable: false,
        }
    }

    fn unavailable(run: u64) -> Self {
        Self {
            run,
            guidance: vec![Guidance::NoFace.code()],
            face: None,
            steady: 0,
            needed: STEADY_FRAMES,
            unavailable: true,
        }
    }
}

/// One `camera-captured` event: the portrait taken, as the package will carry it, and its
/// comparison with the chip photo or why there is none.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct CapturedView {
    run: u64,
    jpeg: String,
    width: u32,
    height: u32,
    comparison: Option<ComparisonView>,
    comparison_unavailable: Option<&'static str>,
}

/// The face comparison as the officer sees it: a score against its threshold and the verdict.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct ComparisonView {
    score: f64,
    threshold: f64,
    same_person: bool,
}

impl ComparisonView {
    fn new(comparison: &capture::compare::Comparison) -> Self {
        Self {
            score: comparison.score,
            threshold: comparison.threshold,
            same_person: comparison.same_person(),
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    fn frames(folder: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("assets/frames")
            .join(folder)
    }

    #[test]
    fn a_replay_folder_opens_as_a_camera_and_a_missing_one_says_replay() {
        let mut source = open(&Camera::Replay(frames("portrait")), 30).expect("opens");
        assert_eq!(source.format().width, 960);
        assert!(source.next_frame().is_ok());
        let missing = open(&Camera::Replay(frames("no-such-folder")), 30).err();
        assert_eq!(missing.as_ref().map(error_code), Some("camera.replay"));
    }

    #[test]
    fn a_replay_folder_taken_away_mid_use_is_a_camera_unplugged() {
        let parent = tempfile::tempdir().expect("temporary folder");
        let folder = parent.path().join("camera");
        std::fs::create_dir(&folder).expect("camera folder");
        std::fs::copy(
            frames("portrait").join("0-ok-960x540.jpg"),
            folder.join("0.jpg"),
        )
        .expect("a frame");
        let mut source = open(&Camera::Replay(folder.clone()), 30).expect("opens");
        assert!(source.next_frame().is_ok());
        std::fs::rename(&folder, parent.path().join("unplugged")).expect("taken away");
        let lost = source.next_frame().err();
        assert_eq!(lost.as_ref().map(error_code), Some("camera.unplugged"));
    }

    #[test]
    fn every_camera_error_has_a_code_with_a_sentence_in_the_ui_dictionary() {
        let dictionary = include_str!("../../ui/src/i18n.ts");
        for err in [
            CaptureError::NoCamera,
            CaptureError::CameraNotFound,
            CaptureError::Open(String::new()),
            CaptureError::Disconnected,
            CaptureError::DeviceSupportNotBuilt,
            CaptureError::EmptyReplay(PathBuf::new()),
        ] {
            let code = error_code(&err);
            let entry = format!("\"{code}\": \"error.{code}\"");
            assert!(dictionary.contains(&entry), "no sentence for {code}");
        }
    }

    #[test]
    fn the_preview_is_a_small_jpeg_with_the_frames_aspect() {
        let frame = RgbImage::from_fn(1280, 720, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        });
        let mut times: Vec<Duration> = (0..5)
            .map(|_| {
                let started = Instant::now();
                let _ = preview(3, &frame);
                started.elapsed()
            })
            .collect();
        times.sort();
        let preview = preview(3, &frame).expect("encoded");
        assert_eq!((preview.width, preview.height), (480, 270));
        assert!(preview.jpeg.starts_with("data:image/jpeg;base64,/9j/"));
        assert!(
            preview.jpeg.len() < 60_000,
            "a preview frame stays small: {} bytes",
            preview.jpeg.len()
        );
        eprintln!("preview of a 1280x720 frame: median {:?}", times[2]);
    }

    #[test]
    fn guidance_gives_the_face_as_fractions_of_the_frame() {
        let face = FaceBox {
            x: 400.0,
            y: 100.0,
            width: 200.0,
            height: 250.0,
            score: 9.0,
        };
        let view = GuidanceView::new(
            1,
            &[Guidance::MoveCloser, Guidance::HoldStill],
            &[face],
            (1000, 500),
            9,
        );
        let json = serde_json::to_value(&view).expect("json");
        assert_eq!(
            json["guidance"],
            serde_json::json!(["move_closer", "hold_still"])
        );
        assert_eq!(
            json["face"],
            serde_json::json!({"x": 0.4, "y": 0.2, "width": 0.2, "height": 0.5})
        );
        assert_eq!(json["steady"], STEADY_FRAMES, "capped at what is needed");
    }

    #[test]
    fn the_portrait_taken_is_compared_with_the_chip_photo_when_the_face_models_are_installed() {
        let frame = image::load_from_memory(include_bytes!(
            "../../assets/frames/portrait/0-ok-960x540.jpg"
        ))
        .expect("frame")
        .into_rgb8();
        let checker = PortraitChecker::new(Limits::default()).expect("model");
        let assessment = checker.assess(&frame);
        let face = assessment.faces.first().expect("one face");
        let live = encode_within(&crop_icao(&frame, face), PORTRAIT_BUDGET).expect("jpeg");
        let chip = include_bytes!("../../assets/identities/nguyen-van-a.jpg");
        let models =
            Path::new(env!("CARGO_MANIFEST_DIR")).join(capture::models::ModelFiles::DEFAULT_DIR);
        let mut slot = None;
        let installed = models
            .join(capture::models::ModelFiles::DESCRIPTOR)
            .is_file();
        match compare_photos(&models, &mut slot, &live, chip) {
            Ok(comparison) => {
                assert!(installed);
                assert!(
                    comparison.same_person(),
                    "the same face: score {:.2} against {:.2}",
                    comparison.score,
                    comparison.threshold
                );
            }
            Err(code) => {
                assert!(!installed, "models installed but no comparison: {code}");
                assert_eq!(code, "face_models_missing");
            }
        }
        let mut missing = None;
        assert_eq!(
            compare_photos(Path::new("/nonexistent"), &mut missing, &live, chip).err(),
            Some("face_models_missing"),
            "no models, no score"
        );
    }

    #[test]
    fn the_qr_view_shows_the_cards_fields_and_a_foreign_code_only_its_error() {
        let payload = cardsim::identity::Identity::builtin("nguyen-van-a")
            .expect("shipped")
            .qr_payload();
        let card = cccd::qr::CardQr::parse(&payload).expect("card");
        let json = serde_json::to_value(QrView::new(2, &card)).expect("json");
        assert_eq!(json["holder"]["idNumber"], "001090012345");
        assert_eq!(json["holder"]["dateOfBirth"], "01/01/1990");
        assert!(json["error"].is_null());
        let foreign = serde_json::to_value(QrView::not_card(2)).expect("json");
        assert_eq!(foreign["error"], "card.key.qr");
        assert!(foreign["holder"].is_null());
    }
}
