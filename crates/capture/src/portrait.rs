//! Live portrait guidance: is there exactly one face, centred, of the right size, with enough
//! pixels between the eyes, the head straight, sharp, well lit, on a plain background? Each
//! check is a named result ([`Guidance`]) the UI turns into one sentence.
//!
//! Faces are found by the SeetaFace frontal detector (funnel-structured cascade) through
//! `rustface`; the model is copied from the `rustface` crate package into `models/` (BSD
//! 2-Clause, see `models/README.md`) and compiled in, so it loads offline. The detector is
//! slow on full frames, so it runs on the frame downscaled to [`DETECTION_HEIGHT`] pixels
//! high. Sharpness is the variance of the Laplacian over the face, relative to the face's own
//! contrast so a dark face is not called blurred; exposure is the face's mean grey level. The
//! background is measured by [`crate::background`]. Eye distance and head roll come from
//! dlib's 5-point landmarks ([`crate::landmarks`]), whose model file is loaded from disk: a
//! checker made with [`PortraitChecker::with_landmarker`] runs them, one made with
//! [`PortraitChecker::new`] alone reports them as not measured (`None`).

use std::sync::Arc;

use image::imageops::FilterType;
use image::{GrayImage, RgbImage};
use rustface::{ImageData, Model};
use thiserror::Error;

use crate::background::background_clutter;
use crate::landmarks::{FaceLandmarker, FaceLandmarks};
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
    /// Least distance between the eye centres, in frame pixels (the crop keeps frame pixels).
    /// 60 is ISO/IEC 19794-5's minimum for a token frontal image (240 px wide), the size
    /// [`encode_within`] may scale the portrait down to; its full frontal minimum, 90, is what
    /// a 1280×720 camera gives with the face at a third of the frame's height (108 measured).
    pub min_eye_distance: f64,
    /// Largest head roll (in-plane tilt of the eye line), degrees; ISO/IEC 19794-5 allows ±8°.
    pub max_roll_degrees: f64,
    /// Largest background clutter (share of background pixels on an edge, see
    /// [`crate::background`]); the head's outline alone gives some. Measured
    /// (`bench/results/portrait.md`): 0.07–0.14 on the test portrait's studio backdrop at any
    /// size, light, noise or blur; 0.23–0.38 with bookshelves beside the head.
    pub max_background_clutter: f64,
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
            min_eye_distance: 60.0,
            max_roll_degrees: 8.0,
            max_background_clutter: 0.18,
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
    StraightenHead,
    PlainBackground,
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
            Guidance::StraightenHead => "straighten_head",
            Guidance::PlainBackground => "plain_background",
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
    /// The face's landmarks, when there is one face and the checker has the landmark model.
    pub landmarks: Option<FaceLandmarks>,
    /// Distance between the eye centres in frame pixels, with the landmarks.
    pub eye_distance: Option<f64>,
    /// Head roll in degrees (see [`FaceLandmarks::roll_degrees`]), with the landmarks.
    pub roll_degrees: Option<f64>,
    /// Background clutter (see [`crate::background`]), when there is one face and background.
    pub background_clutter: Option<f64>,
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
    #[error("the portrait does not fit in {0} bytes even at the lowest quality and size")]
    OverBudget(usize),
    #[error("the portrait could not be encoded as JPEG")]
    Encode,
}

/// The face detector and the checks.
#[derive(Clone)]
pub struct PortraitChecker {
    model: Model,
    limits: Limits,
    landmarker: Option<Arc<FaceLandmarker>>,
}

impl PortraitChecker {
    /// Loads the compiled-in face detector; eye distance and roll are not measured until a
    /// landmarker is given ([`PortraitChecker::with_landmarker`]).
    pub fn new(limits: Limits) -> Result<Self, PortraitError> {
        let model =
            rustface::read_model(MODEL).map_err(|err| PortraitError::Model(err.to_string()))?;
        Ok(Self {
            model,
            limits,
            landmarker: None,
        })
    }

    /// Also checks eye distance and head roll with `landmarker`.
    pub fn with_landmarker(mut self, landmarker: Arc<FaceLandmarker>) -> Self {
        self.landmarker = Some(landmarker);
        self
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
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
                landmarks: None,
                eye_distance: None,
                roll_degrees: None,
                background_clutter: None,
                guidance: vec![guidance],
            };
        };
        let found_face = FaceBox {
            x: face.x * scale,
            y: face.y * scale,
            width: face.width * scale,
            height: face.height * scale,
            score: face.score,
        };
        let landmarks = match &self.landmarker {
            None => None,
            Some(landmarker) => match landmarker.landmarks(frame, &found_face) {
                Ok(landmarks) => Some(landmarks),
                Err(_) => {
                    return Assessment {
                        faces,
                        sharpness: None,
                        brightness: None,
                        landmarks: None,
                        eye_distance: None,
                        roll_degrees: None,
                        background_clutter: None,
                        guidance: vec![Guidance::NoFace],
                    };
                }
            },
        };
        let eye_distance = landmarks.as_ref().map(FaceLandmarks::eye_distance);
        let roll_degrees = landmarks.as_ref().map(FaceLandmarks::roll_degrees);
        let background_clutter = background_clutter(&gray, &found_face);
        let (width, height) = (f64::from(small.width()), f64::from(small.height()));
        let region = luma::Region {
            x: found_face.x.max(0.0) as u32,
            y: found_face.y.max(0.0) as u32,
            width: found_face.width.max(1.0) as u32,
            height: found_face.height.max(1.0) as u32,
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
        if face.height / height < limits.min_face_height
            || eye_distance.is_some_and(|d| d < limits.min_eye_distance)
        {
            guidance.push(Guidance::MoveCloser);
        } else if face.height / height > limits.max_face_height {
            guidance.push(Guidance::MoveBack);
        }
        if roll_degrees.is_some_and(|roll| roll.abs() > limits.max_roll_degrees) {
            guidance.push(Guidance::StraightenHead);
        }
        if brightness < limits.min_brightness {
            guidance.push(Guidance::MoreLight);
        } else if brightness > limits.max_brightness {
            guidance.push(Guidance::LessLight);
        }
        if sharpness < limits.min_sharpness {
            guidance.push(Guidance::HoldStill);
        }
        if background_clutter.is_some_and(|clutter| clutter > limits.max_background_clutter) {
            guidance.push(Guidance::PlainBackground);
        }
        if guidance.is_empty() {
            guidance.push(Guidance::Ok);
        }
        Assessment {
            faces,
            sharpness: Some(sharpness),
            brightness: Some(brightness),
            landmarks,
            eye_distance,
            roll_degrees,
            background_clutter,
            guidance,
        }
    }
}

/// Decides when to take the picture: when every check has held for `steady_frames` frames in
/// a row (a citizen holding still), not on one lucky frame.
#[derive(Debug, Clone)]
pub struct AutoCapture {
    steady_frames: u32,
    run: u32,
}

impl AutoCapture {
    pub fn new(steady_frames: u32) -> Self {
        Self {
            steady_frames: steady_frames.max(1),
            run: 0,
        }
    }

    /// Counts one assessed frame; true when this frame should be taken.
    pub fn observe(&mut self, assessment: &Assessment) -> bool {
        if assessment.is_ok() {
            self.run += 1;
        } else {
            self.run = 0;
        }
        if self.run >= self.steady_frames {
            self.run = 0;
            true
        } else {
            false
        }
    }
}

/// The detector's box (brows to chin) over the portrait's height: leaves room for the crown,
/// the neck and shoulders, so the head takes about 70–80 % of the height as ICAO 9303 asks.
const FACE_BOX_OF_HEIGHT: f64 = 0.42;

/// Cuts the ICAO 35:45 (width:height) portrait around `face` (see [`icao_region`]).
pub fn crop_icao(frame: &RgbImage, face: &FaceBox) -> RgbImage {
    let (left, top, width, height) = icao_region(frame.width(), frame.height(), face);
    image::imageops::crop_imm(frame, left, top, width, height).to_image()
}

/// Where the ICAO 35:45 (width:height) portrait around `face` lies in a frame of
/// `frame_width` × `frame_height`: left, top, width, height in pixels, the face's centre at
/// 45 % of the height from the top, shifted (and if need be shrunk) to stay inside the frame.
pub fn icao_region(frame_width: u32, frame_height: u32, face: &FaceBox) -> (u32, u32, u32, u32) {
    let (frame_w, frame_h) = (f64::from(frame_width), f64::from(frame_height));
    let mut height = (face.height / FACE_BOX_OF_HEIGHT).min(frame_h);
    let mut width = height * 35.0 / 45.0;
    if width > frame_w {
        width = frame_w;
        height = width * 45.0 / 35.0;
    }
    let left = (face.x + face.width / 2.0 - width / 2.0).clamp(0.0, (frame_w - width).max(0.0));
    let top = (face.y + face.height / 2.0 - 0.45 * height).clamp(0.0, (frame_h - height).max(0.0));
    (
        left.round() as u32,
        top.round() as u32,
        (width.round() as u32).max(1),
        (height.round() as u32).max(1),
    )
}

/// Encodes `portrait` as JPEG in at most `max_bytes`: quality 90 down to 50, then the image
/// scaled down by steps of 0.8 (not below 240 px high, ICAO's minimum for the face region).
pub fn encode_within(portrait: &RgbImage, max_bytes: usize) -> Result<Vec<u8>, PortraitError> {
    let mut image = portrait.clone();
    loop {
        for quality in [90u8, 80, 70, 60, 50] {
            let mut bytes = Vec::new();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality)
                .encode_image(&image)
                .map_err(|_| PortraitError::Encode)?;
            if bytes.len() <= max_bytes {
                return Ok(bytes);
            }
        }
        let height = (f64::from(image.height()) * 0.8).round() as u32;
        if height < 240 {
            return Err(PortraitError::OverBudget(max_bytes));
        }
        let width = ((f64::from(image.width()) * 0.8).round() as u32).max(1);
        image = image::imageops::resize(&image, width, height, FilterType::Triangle);
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
        assert_eq!(Guidance::StraightenHead.code(), "straighten_head");
        assert_eq!(Guidance::PlainBackground.code(), "plain_background");
        assert_eq!(Guidance::Ok.code(), "ok");
    }

    fn assessment(guidance: Guidance) -> Assessment {
        Assessment {
            faces: Vec::new(),
            sharpness: None,
            brightness: None,
            landmarks: None,
            eye_distance: None,
            roll_degrees: None,
            background_clutter: None,
            guidance: vec![guidance],
        }
    }

    #[test]
    fn auto_capture_needs_a_steady_run_and_restarts_after_a_failed_check() {
        let mut auto = AutoCapture::new(3);
        let ok = assessment(Guidance::Ok);
        assert!(!auto.observe(&ok));
        assert!(!auto.observe(&ok));
        assert!(!auto.observe(&assessment(Guidance::HoldStill)));
        assert!(!auto.observe(&ok));
        assert!(!auto.observe(&ok));
        assert!(auto.observe(&ok));
        assert!(!auto.observe(&ok), "a new run starts after a capture");
    }

    #[test]
    fn icao_crop_is_35_by_45_around_the_face_and_inside_the_frame() {
        let frame = RgbImage::from_fn(1280, 720, |x, _| image::Rgb([(x % 256) as u8, 0, 0]));
        let face = FaceBox {
            x: 560.0,
            y: 200.0,
            width: 160.0,
            height: 160.0,
            score: 10.0,
        };
        let crop = crop_icao(&frame, &face);
        let ratio = f64::from(crop.width()) / f64::from(crop.height());
        assert!((ratio - 35.0 / 45.0).abs() < 0.01, "ratio {ratio}");
        assert!((f64::from(crop.height()) - 160.0 / FACE_BOX_OF_HEIGHT).abs() < 2.0);
        let near_edge = FaceBox {
            x: 1200.0,
            y: 10.0,
            ..face
        };
        let edge_crop = crop_icao(&frame, &near_edge);
        assert_eq!(
            edge_crop.dimensions(),
            crop.dimensions(),
            "shifted inside, not cut"
        );
    }

    #[test]
    fn encoding_keeps_within_the_budget_or_says_it_cannot() {
        let noisy = RgbImage::from_fn(420, 540, |x, y| {
            let v = ((x * 7919 + y * 104729) % 251) as u8;
            image::Rgb([v, v.wrapping_mul(3), v.wrapping_mul(7)])
        });
        let bytes = encode_within(&noisy, 60_000).unwrap();
        assert!(bytes.len() <= 60_000 && bytes.starts_with(&[0xFF, 0xD8]));
        assert!(matches!(
            encode_within(&noisy, 2_000),
            Err(PortraitError::OverBudget(2_000))
        ));
    }

    #[test]
    fn compiled_in_model_loads() {
        assert!(PortraitChecker::new(Limits::default()).is_ok());
    }
}
