//! Live portrait guidance: is there exactly one face, centred, of the right size, sharp and
//! well lit? Each check is a named result ([`Guidance`]) the UI turns into one sentence.
//!
//! Faces are found by the SeetaFace frontal detector (funnel-structured cascade) through
//! `rustface`; the model is copied from the `rustface` crate package into `models/` (BSD
//! 2-Clause, see `models/README.md`) and compiled in, so it loads offline. The detector is
//! slow on full frames, so it runs on the frame downscaled to [`DETECTION_HEIGHT`] pixels
//! high. Sharpness is the variance of the Laplacian over the face, relative to the face's own
//! contrast so a dark face is not called blurred; exposure is the face's mean grey level. The model gives no eye positions: eye distance and head roll are not checked.

use image::imageops::FilterType;
use image::{GrayImage, RgbImage};
use rustface::{ImageData, Model};
use thiserror::Error;

use crate::qr::luma;

/// The SeetaFace frontal face model, from the `rustface` 0.1.7 crate package.
static MODEL: &[u8] = include_bytes!("../models/seeta_fd_frontal_v1.0.bin");

/// Frames are downscaled to this height before detection.
pub const DETECTION_HEIGHT: u32 = 320;

/// Thresholds of the checks, as fractions of the frame or grey levels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Face height over frame height: below is too far, above too close.
    pub min_face_height: f64,
    pub max_face_height: f64,
    /// Largest offset of the face centre from the frame centre, over the frame width/height.
    pub max_offset_x: f64,
    pub max_offset_y: f64,
    /// Least sharpness of the face (variance of its Laplacian over the variance of its grey
    /// levels, ×1000, on the face resampled to 96×96). Measured on the test portrait at
    /// 1280×720 (`bench/results/portrait.md`): 78–91 in focus at any size or light, 55 at a
    /// Gaussian blur of σ = 1 px, 27 at σ = 2, 13 at σ = 3.
    pub min_sharpness: f64,
    /// Mean grey level of the face.
    pub min_brightness: f64,
    pub max_brightness: f64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            min_face_height: 0.22,
            max_face_height: 0.7,
            max_offset_x: 0.12,
            max_offset_y: 0.15,
            min_sharpness: 40.0,
            min_brightness: 70.0,
            max_brightness: 210.0,
        }
    }
}

/// What the citizen should do, one code per failed check (or `Ok`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Guidance {
    NoFace,
    OneFaceOnly,
    CentreFace,
    MoveCloser,
    MoveBack,
    MoreLight,
    LessLight,
    HoldStill,
    Ok,
}

impl Guidance {
    /// The stable code the UI maps to a sentence.
    pub fn code(self) -> &'static str {
        match self {
            Guidance::NoFace => "no_face",
            Guidance::OneFaceOnly => "one_face_only",
            Guidance::CentreFace => "centre_face",
            Guidance::MoveCloser => "move_closer",
            Guidance::MoveBack => "move_back",
            Guidance::MoreLight => "more_light",
            Guidance::LessLight => "less_light",
            Guidance::HoldStill => "hold_still",
            Guidance::Ok => "ok",
        }
    }
}

/// A face box in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaceBox {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    /// The detector's confidence.
    pub score: f64,
}

/// The checks on one frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub faces: Vec<FaceBox>,
    /// Sharpness of the face (see [`Limits::min_sharpness`]), when there is one face.
    pub sharpness: Option<f64>,
    /// Mean grey level of the face, when there is one face.
    pub brightness: Option<f64>,
    /// Every failed check, most important first; `[Ok]` when all hold.
    pub guidance: Vec<Guidance>,
}

impl Assessment {
    pub fn is_ok(&self) -> bool {
        self.guidance == [Guidance::Ok]
    }
}

/// Why the face detector could not be made.
#[derive(Debug, Error)]
pub enum PortraitError {
    #[error("the face model could not be loaded: {0}")]
    Model(String),
}

/// The face detector and the checks.
#[derive(Clone)]
pub struct PortraitChecker {
    model: Model,
    limits: Limits,
}

impl PortraitChecker {
    /// Loads the compiled-in model.
    pub fn new(limits: Limits) -> Result<Self, PortraitError> {
        let model =
            rustface::read_model(MODEL).map_err(|err| PortraitError::Model(err.to_string()))?;
        Ok(Self { model, limits })
    }

    /// Finds frontal faces in `frame`, in frame pixels, most confident first.
    pub fn detect(&self, frame: &RgbImage) -> Vec<FaceBox> {
        let (small, scale) = downscale(frame);
        detect_gray(&self.model, &small)
            .into_iter()
            .map(|face| FaceBox {
                x: face.x * scale,
                y: face.y * scale,
                width: face.width * scale,
                height: face.height * scale,
                score: face.score,
            })
            .collect()
    }

    /// Runs every check on `frame`.
    pub fn assess(&self, frame: &RgbImage) -> Assessment {
        let gray = luma::grayscale(frame);
        let (small, scale) = downscale_gray(&gray);
        let found = detect_gray(&self.model, &small);
        let faces: Vec<FaceBox> = found
            .iter()
            .map(|face| FaceBox {
                x: face.x * scale,
                y: face.y * scale,
                width: face.width * scale,
                height: face.height * scale,
                score: face.score,
            })
            .collect();
        let [face] = found.as_slice() else {
            let guidance = if faces.is_empty() {
                Guidance::NoFace
            } else {
                Guidance::OneFaceOnly
            };
            return Assessment {
                faces,
                sharpness: None,
                brightness: None,
                guidance: vec![guidance],
            };
        };
        let (width, height) = (f64::from(small.width()), f64::from(small.height()));
        let region = luma::Region {
            x: (face.x * scale).max(0.0) as u32,
            y: (face.y * scale).max(0.0) as u32,
            width: (face.width * scale).max(1.0) as u32,
            height: (face.height * scale).max(1.0) as u32,
        };
        let face_pixels = luma::crop(&gray, region);
        let brightness = mean(&face_pixels);
        let sharpness = sharpness(&face_pixels);
        let limits = &self.limits;
        let mut guidance = Vec::new();
        let (centre_x, centre_y) = (face.x + face.width / 2.0, face.y + face.height / 2.0);
        if (centre_x / width - 0.5).abs() > limits.max_offset_x
            || (centre_y / height - 0.5).abs() > limits.max_offset_y
        {
            guidance.push(Guidance::CentreFace);
        }
        if face.height / height < limits.min_face_height {
            guidance.push(Guidance::MoveCloser);
        } else if face.height / height > limits.max_face_height {
            guidance.push(Guidance::MoveBack);
        }
        if brightness < limits.min_brightness {
            guidance.push(Guidance::MoreLight);
        } else if brightness > limits.max_brightness {
            guidance.push(Guidance::LessLight);
        }
        if sharpness < limits.min_sharpness {
            guidance.push(Guidance::HoldStill);
        }
        if guidance.is_empty() {
            guidance.push(Guidance::Ok);
        }
        Assessment {
            faces,
            sharpness: Some(sharpness),
            brightness: Some(brightness),
            guidance,
        }
    }
}

/// A face at detection scale.
struct Detected {
    x: f64,
    y: f64,
    width: f64,
    height: f64,
    score: f64,
}

fn detect_gray(model: &Model, gray: &GrayImage) -> Vec<Detected> {
    let mut detector = rustface::create_detector_with_model(model.clone());
    detector.set_min_face_size(40);
    detector.set_score_thresh(2.0);
    detector.set_pyramid_scale_factor(0.8);
    detector.set_slide_window_step(4, 4);
    let image = ImageData::new(gray.as_raw(), gray.width(), gray.height());
    let mut faces: Vec<Detected> = detector
        .detect(&image)
        .iter()
        .map(|face| {
            let bbox = face.bbox();
            Detected {
                x: f64::from(bbox.x()),
                y: f64::from(bbox.y()),
                width: f64::from(bbox.width()),
                height: f64::from(bbox.height()),
                score: face.score(),
            }
        })
        .collect();
    faces.sort_by(|a, b| b.score.total_cmp(&a.score));
    faces
}

/// The frame in grey, [`DETECTION_HEIGHT`] high (never enlarged), and the factor back to
/// frame pixels.
fn downscale(frame: &RgbImage) -> (GrayImage, f64) {
    downscale_gray(&luma::grayscale(frame))
}

fn downscale_gray(gray: &GrayImage) -> (GrayImage, f64) {
    if gray.height() <= DETECTION_HEIGHT || gray.height() == 0 {
        return (gray.clone(), 1.0);
    }
    let scale = f64::from(gray.height()) / f64::from(DETECTION_HEIGHT);
    let width = (f64::from(gray.width()) / scale).round().max(1.0) as u32;
    let small = image::imageops::resize(gray, width, DETECTION_HEIGHT, FilterType::Triangle);
    (small, scale)
}

/// Sharpness of a face independent of its size and lighting: the face (cut from the
/// full-resolution frame) resampled to
/// [`SHARPNESS_SIDE`] pixels square, then the variance of its Laplacian over the variance of
/// its grey levels (both scale with contrast squared).
fn sharpness(face: &GrayImage) -> f64 {
    let face = image::imageops::resize(face, SHARPNESS_SIDE, SHARPNESS_SIDE, FilterType::Triangle);
    let average = mean(&face);
    let raw = face.as_raw();
    let variance = raw
        .iter()
        .map(|v| (f64::from(*v) - average).powi(2))
        .sum::<f64>()
        / raw.len().max(1) as f64;
    if variance < 1.0 {
        return 0.0;
    }
    1000.0 * laplacian_variance(&face) / variance
}

/// The side of the square a face is resampled to before its sharpness is measured.
const SHARPNESS_SIDE: u32 = 96;

fn mean(image: &GrayImage) -> f64 {
    let raw = image.as_raw();
    raw.iter().map(|v| f64::from(*v)).sum::<f64>() / raw.len().max(1) as f64
}

/// Variance of the 4-neighbour Laplacian: high on sharp detail, low when blurred.
pub fn laplacian_variance(image: &GrayImage) -> f64 {
    let (width, height) = image.dimensions();
    if width < 3 || height < 3 {
        return 0.0;
    }
    let at = |x: u32, y: u32| {
        image
            .get_pixel_checked(x, y)
            .map_or(0.0, |p| f64::from(p.0[0]))
    };
    let mut values = Vec::with_capacity(((width - 2) * (height - 2)) as usize);
    for y in 1..height - 1 {
        for x in 1..width - 1 {
            values.push(at(x - 1, y) + at(x + 1, y) + at(x, y - 1) + at(x, y + 1) - 4.0 * at(x, y));
        }
    }
    let average = values.iter().sum::<f64>() / values.len() as f64;
    values.iter().map(|v| (v - average).powi(2)).sum::<f64>() / values.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn laplacian_variance_is_high_on_detail_and_zero_on_flat_grey() {
        let flat = GrayImage::from_pixel(20, 20, image::Luma([128]));
        let checker = GrayImage::from_fn(20, 20, |x, y| {
            image::Luma([if (x + y) % 2 == 0 { 0 } else { 255 }])
        });
        assert_eq!(laplacian_variance(&flat), 0.0);
        assert!(laplacian_variance(&checker) > 10_000.0);
        assert_eq!(laplacian_variance(&GrayImage::new(2, 2)), 0.0);
    }

    #[test]
    fn guidance_codes_are_stable_snake_case() {
        assert_eq!(Guidance::MoveCloser.code(), "move_closer");
        assert_eq!(Guidance::CentreFace.code(), "centre_face");
        assert_eq!(Guidance::MoreLight.code(), "more_light");
        assert_eq!(Guidance::HoldStill.code(), "hold_still");
        assert_eq!(Guidance::Ok.code(), "ok");
    }

    #[test]
    fn compiled_in_model_loads() {
        assert!(PortraitChecker::new(Limits::default()).is_ok());
    }
}
