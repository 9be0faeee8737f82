//! The camera tools from the command line, JSON out: decode the card QR in image files, assess
//! portraits, compare two face photos, list cameras. Personal data stays masked unless
//! `--reveal` is given.
//!
//! `capture decode-qr FILE_OR_FOLDER...`, `capture assess [--models DIR] FILE_OR_FOLDER...`
//! (alias `assess-portrait`), `capture compare [--models DIR] LIVE CHIP`,
//! `capture list-cameras`, `capture record --out FOLDER [--frames N] [--camera NAME_OR_INDEX]`

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use capture::CaptureError;
use capture::camera::list_cameras;
use capture::compare::FaceComparer;
use capture::landmarks::FaceLandmarker;
use capture::models::ModelFiles;
use capture::portrait::{Limits, PortraitChecker};
use capture::qr::QrReader;
use cccd::date::Date;
use clap::{Parser, Subcommand};
use serde_json::{Value, json};

#[derive(Parser)]
#[command(about = "Kiosk camera tools: card QR codes, portrait checks, cameras")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Reads the card QR code in each image (files, or the JPEG/PNG files of folders).
    DecodeQr {
        paths: Vec<PathBuf>,
        /// Print the holder's data instead of a masked ID number.
        #[arg(long)]
        reveal: bool,
    },
    /// Runs the portrait checks on each image (eye distance and head roll with dlib's
    /// landmark model from `--models`).
    #[command(alias = "assess-portrait")]
    Assess {
        paths: Vec<PathBuf>,
        /// Folder of dlib's face models (scripts/setup.sh puts them in .cache/face-models).
        #[arg(long, default_value = ModelFiles::DEFAULT_DIR)]
        models: PathBuf,
    },
    /// Compares the face in a live portrait with the face in a chip (DG2) photo.
    Compare {
        live: PathBuf,
        chip: PathBuf,
        /// Folder of dlib's face models (scripts/setup.sh puts them in .cache/face-models).
        #[arg(long, default_value = ModelFiles::DEFAULT_DIR)]
        models: PathBuf,
    },
    /// Lists the cameras the system sees.
    ListCameras,
    /// Saves frames of a camera as JPEG fixtures for the replay source. Frames of cards and
    /// faces are personal data: record only with the person's consent.
    Record {
        /// Folder for the frames (created if missing).
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 30)]
        frames: u32,
        /// Camera index or name (default: the first).
        #[arg(long)]
        camera: Option<String>,
    },
}

fn main() -> ExitCode {
    let result: Result<Value, String> = match Cli::parse().command {
        Command::DecodeQr { paths, reveal } => Ok(images(&paths).iter().map(|path| decode_qr(path, reveal)).collect()),
        Command::Assess { paths, models } => checker(&models)
            .map(|checker| images(&paths).iter().map(|path| assess(&checker, path)).collect()),
        Command::Compare { live, chip, models } => compare(&models, &live, &chip),
        Command::ListCameras => list_cameras()
            .map(|cameras| {
                cameras
                    .iter()
                    .map(|c| json!({ "index": c.index, "name": c.name, "description": c.description }))
                    .collect()
            })
            .map_err(|err| err.to_string()),
        Command::Record { out, frames, camera } => record(&out, frames, camera).map_err(|err| err.to_string()),
    };
    match result {
        Ok(value) => {
            println!("{value}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The files named, with folders replaced by their JPEG/PNG files in name order.
fn images(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(path)
                .into_iter()
                .flatten()
                .filter_map(|entry| entry.ok().map(|entry| entry.path()))
                .filter(|file| {
                    file.extension()
                        .and_then(|ext| ext.to_str())
                        .is_some_and(|ext| {
                            matches!(ext.to_ascii_lowercase().as_str(), "jpg" | "jpeg" | "png")
                        })
                })
                .collect();
            inside.sort();
            files.extend(inside);
        } else {
            files.push(path.clone());
        }
    }
    files
}

#[cfg(feature = "device")]
fn record(out: &Path, frames: u32, camera: Option<String>) -> Result<Value, CaptureError> {
    use capture::camera::{CameraChoice, CameraMode, DeviceSource};
    use capture::record::Recorder;
    use capture::{Encoding, FrameSource};
    let choice = match camera {
        None => CameraChoice::First,
        Some(text) => text
            .parse()
            .map_or(CameraChoice::Name(text), CameraChoice::Index),
    };
    let wanted = CameraMode {
        width: 1280,
        height: 720,
        encoding: Encoding::Mjpeg,
        frames_per_second: 30,
    };
    let mut recorder = Recorder::new(DeviceSource::open(&choice, wanted)?, out)?;
    for _ in 0..frames {
        recorder.next_frame()?;
    }
    Ok(json!([{ "recorded": frames, "folder": out.display().to_string() }]))
}

#[cfg(not(feature = "device"))]
fn record(_out: &Path, _frames: u32, _camera: Option<String>) -> Result<Value, CaptureError> {
    Err(CaptureError::DeviceSupportNotBuilt)
}

fn date(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

fn decode_qr(path: &Path, reveal: bool) -> Value {
    let file = path.display().to_string();
    let frame = match image::open(path) {
        Ok(image) => image.into_rgb8(),
        Err(_) => return json!({ "file": file, "error": "not a readable image" }),
    };
    let mut reader = QrReader::new();
    let Some(read) = reader.read(&frame) else {
        return json!({ "file": file, "found": false });
    };
    let region = json!({ "x": read.region.x, "y": read.region.y, "width": read.region.width, "height": read.region.height });
    let card = match cccd::qr::CardQr::parse_bytes(&read.payload) {
        Err(err) => json!({ "error": err.to_string() }),
        Ok(qr) if reveal => json!({
            "id_number": qr.id_number.expose(),
            "old_id_number": qr.old_id_number.as_ref().map(|old| old.expose().to_string()),
            "full_name": qr.full_name.expose(),
            "date_of_birth": date(qr.date_of_birth),
            "address": qr.address.expose(),
            "date_of_issue": date(qr.date_of_issue),
            "extra_fields": qr.extra_fields.len(),
        }),
        Ok(qr) => json!({
            "id_number": format!("********{}", qr.id_number.expose().get(8..).unwrap_or_default()),
            "extra_fields": qr.extra_fields.len(),
        }),
    };
    json!({ "file": file, "found": true, "stage": format!("{:?}", read.stage), "region": region, "payload_bytes": read.payload.len(), "card": card })
}

/// The portrait checker with dlib's landmark model from `models`.
fn checker(models: &Path) -> Result<PortraitChecker, String> {
    let landmarker =
        FaceLandmarker::load(&ModelFiles::in_dir(models)).map_err(|err| err.to_string())?;
    PortraitChecker::new(Limits::default())
        .map(|checker| checker.with_landmarker(Arc::new(landmarker)))
        .map_err(|err| err.to_string())
}

/// One JSON object: the score, the threshold and the verdict; a failure is an error exit
/// with the error's code, and the files are read but never echoed.
fn compare(models: &Path, live: &Path, chip: &Path) -> Result<Value, String> {
    let comparer = FaceComparer::load(models).map_err(|err| err.to_string())?;
    let read =
        |path: &Path| std::fs::read(path).map_err(|err| format!("{}: {err}", path.display()));
    let comparison = comparer
        .compare_encoded(&read(live)?, &read(chip)?)
        .map_err(|err| format!("{err} ({})", err.code()))?;
    Ok(json!({
        "score": comparison.score,
        "distance": comparison.distance,
        "threshold": comparison.threshold,
        "same_person": comparison.same_person(),
    }))
}

fn assess(checker: &PortraitChecker, path: &Path) -> Value {
    let file = path.display().to_string();
    let frame = match image::open(path) {
        Ok(image) => image.into_rgb8(),
        Err(_) => return json!({ "file": file, "error": "not a readable image" }),
    };
    let assessment = checker.assess(&frame);
    let faces: Vec<Value> = assessment
        .faces
        .iter()
        .map(|f| json!({ "x": f.x.round(), "y": f.y.round(), "width": f.width.round(), "height": f.height.round(), "score": f.score }))
        .collect();
    json!({
        "file": file,
        "guidance": assessment.guidance.iter().map(|g| g.code()).collect::<Vec<_>>(),
        "faces": faces,
        "sharpness": assessment.sharpness,
        "brightness": assessment.brightness,
        "eye_distance": assessment.eye_distance,
        "roll_degrees": assessment.roll_degrees,
        "background_clutter": assessment.background_clutter,
    })
}
