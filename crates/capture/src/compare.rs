//! Face comparison of the live portrait with the photo read from the chip (DG2): is it the
//! same person? A similarity score, the threshold it is judged against, and the verdict.
//!
//! Each photo's one face is found by SeetaFace ([`PortraitChecker::detect`]), placed by dlib's
//! 5-point landmarks ([`FaceLandmarker`]), cut to a 150×150 chip aligned on them, and turned
//! into a 128-D descriptor by dlib's ResNet model. The score is `1 − d`, `d` the Euclidean
//! distance between the two descriptors (the model was trained so that one person's faces lie
//! within 0.6 of each other). [`THRESHOLD`] was chosen on the labelled set of
//! `examples/compare_bench.rs` (README, `bench/results/face-compare.md`).
//!
//! The score informs the officer, who sees both photos; it never decides alone. Descriptors
//! are biometric data: they are never logged and their `Debug` shows no values.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use image::RgbImage;
use thiserror::Error;

use crate::dlib::{DESCRIPTOR_LEN, Encoder};
use crate::landmarks::{FaceLandmarker, dlib_box};
use crate::models::{FaceModelError, ModelFiles};
use crate::portrait::{FaceBox, Limits, PortraitChecker};

/// Scores at or above this are the same person. Chosen on the labelled set (see the module
/// doc; 10 people, 1,059 genuine and 7,986 impostor pairs): the middle of the gap between the
/// worst genuine distance (0.490, two different photos of one person) and the best impostor
/// distance (0.568), so 0.529 → score 0.47; FAR and FRR 0 on that set. Stricter than dlib's
/// usual 0.6 distance (score 0.4), which accepted 0.28 % of the impostor pairs here.
pub const THRESHOLD: f64 = 0.47;

/// Which of the two photos an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Photo {
    Live,
    Chip,
}

impl Photo {
    fn code(self) -> &'static str {
        match self {
            Photo::Live => "live",
            Photo::Chip => "chip",
        }
    }
}

/// Why two photos could not be compared. The text names the photo, never its content.
#[derive(Debug, Error)]
pub enum CompareError {
    #[error(transparent)]
    Models(#[from] FaceModelError),
    #[error("no face was found in the {} photo", .0.code())]
    NoFace(Photo),
    #[error("more than one face was found in the {} photo", .0.code())]
    SeveralFaces(Photo),
    #[error("the {} photo is not a JPEG or PNG image this kiosk can decode", .0.code())]
    Undecodable(Photo),
    #[error("the face in the {} photo could not be described: {reason}", photo.code())]
    Descriptor { photo: Photo, reason: String },
}

impl CompareError {
    /// The stable code the UI maps to a sentence in Vietnamese and English.
    pub fn code(&self) -> &'static str {
        match self {
            CompareError::Models(error) => error.code(),
            CompareError::NoFace(Photo::Live) => "no_face_live",
            CompareError::NoFace(Photo::Chip) => "no_face_chip",
            CompareError::SeveralFaces(Photo::Live) => "several_faces_live",
            CompareError::SeveralFaces(Photo::Chip) => "several_faces_chip",
            CompareError::Undecodable(Photo::Live) => "undecodable_live",
            CompareError::Undecodable(Photo::Chip) => "undecodable_chip",
            CompareError::Descriptor { .. } => "descriptor_failed",
        }
    }
}

/// The 128-D descriptor of one face. Biometric data: `Debug` shows no values.
#[derive(Clone, PartialEq)]
pub struct FaceDescriptor([f32; DESCRIPTOR_LEN]);

impl FaceDescriptor {
    /// Euclidean distance to `other`: 0 for the same image, about 0.6 between two people.
    pub fn distance(&self, other: &FaceDescriptor) -> f64 {
        self.0
            .iter()
            .zip(other.0.iter())
            .map(|(a, b)| f64::from(a - b).powi(2))
            .sum::<f64>()
            .sqrt()
    }
}

impl std::fmt::Debug for FaceDescriptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FaceDescriptor({DESCRIPTOR_LEN} values)")
    }
}

/// The verdict on a pair of photos.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    SamePerson,
    DifferentPerson,
}

/// The comparison of a live portrait with the chip photo.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    /// `1 − distance`, at most 1; higher is more alike.
    pub score: f64,
    /// The Euclidean distance between the two descriptors.
    pub distance: f64,
    /// The score at or above which the verdict is [`Verdict::SamePerson`].
    pub threshold: f64,
    pub verdict: Verdict,
}

impl Comparison {
    /// Judges a descriptor distance against `threshold` (a score).
    pub fn from_distance(distance: f64, threshold: f64) -> Self {
        let score = 1.0 - distance;
        Self {
            score,
            distance,
            threshold,
            verdict: if score >= threshold {
                Verdict::SamePerson
            } else {
                Verdict::DifferentPerson
            },
        }
    }

    pub fn same_person(&self) -> bool {
        self.verdict == Verdict::SamePerson
    }
}

/// The face detector, the landmark model and the descriptor model, loaded once (about 0.1 s)
/// and shared: `compare` may be called from any thread, one comparison at a time.
pub struct FaceComparer {
    detector: PortraitChecker,
    landmarker: Arc<FaceLandmarker>,
    encoder: Mutex<Encoder>,
    threshold: f64,
}

impl FaceComparer {
    /// Loads both dlib models from `models_dir` (see [`ModelFiles`]); a missing or damaged
    /// file is a [`FaceModelError`], never a comparer that guesses.
    pub fn load(models_dir: impl AsRef<Path>) -> Result<Self, FaceModelError> {
        let files = ModelFiles::in_dir(models_dir.as_ref());
        let landmarker = Arc::new(FaceLandmarker::load(&files)?);
        let path = files.path(ModelFiles::DESCRIPTOR)?;
        let encoder = Encoder::load(&path).map_err(|error| FaceModelError::Unreadable {
            file: ModelFiles::DESCRIPTOR,
            reason: error.to_string(),
        })?;
        let detector = PortraitChecker::new(Limits::default()).map_err(|error| {
            FaceModelError::Unreadable {
                file: "seeta_fd_frontal_v1.0.bin",
                reason: error.to_string(),
            }
        })?;
        Ok(Self {
            detector,
            landmarker,
            encoder: Mutex::new(encoder),
            threshold: THRESHOLD,
        })
    }

    /// The landmark model, to share with a [`PortraitChecker`] for the eye checks.
    pub fn landmarker(&self) -> Arc<FaceLandmarker> {
        Arc::clone(&self.landmarker)
    }

    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// Compares the face of the live portrait with the face of the chip photo.
    pub fn compare(&self, live: &RgbImage, chip: &RgbImage) -> Result<Comparison, CompareError> {
        let live = self.describe(live, Photo::Live)?;
        let chip = self.describe(chip, Photo::Chip)?;
        Ok(Comparison::from_distance(
            live.distance(&chip),
            self.threshold,
        ))
    }

    /// As [`FaceComparer::compare`], from encoded files: the live JPEG and the chip's image
    /// (JPEG or PNG; a JPEG 2000 DG2 must be decoded by the caller).
    pub fn compare_encoded(&self, live: &[u8], chip: &[u8]) -> Result<Comparison, CompareError> {
        let decode = |bytes: &[u8], photo| {
            image::load_from_memory(bytes)
                .map(|image| image.into_rgb8())
                .map_err(|_| CompareError::Undecodable(photo))
        };
        self.compare(&decode(live, Photo::Live)?, &decode(chip, Photo::Chip)?)
    }

    /// The descriptor of the one face in `image`.
    pub fn describe(&self, image: &RgbImage, photo: Photo) -> Result<FaceDescriptor, CompareError> {
        let faces = self.detector.detect(image);
        match faces.as_slice() {
            [] => Err(CompareError::NoFace(photo)),
            [face] => self.describe_face(image, face, photo),
            _ => Err(CompareError::SeveralFaces(photo)),
        }
    }

    /// The descriptor of the face at `face` in `image` (a box from [`PortraitChecker::detect`]).
    pub fn describe_face(
        &self,
        image: &RgbImage,
        face: &FaceBox,
        photo: Photo,
    ) -> Result<FaceDescriptor, CompareError> {
        let failed = |error: crate::dlib::DlibError| CompareError::Descriptor {
            photo,
            reason: error.to_string(),
        };
        let landmarks = self.landmarker.landmarks(image, face).map_err(failed)?;
        let mut points = [0.0; 10];
        for (i, point) in landmarks.points.iter().enumerate() {
            if let Some(pair) = points.get_mut(2 * i..2 * i + 2) {
                pair.copy_from_slice(&[point.x, point.y]);
            }
        }
        let mut encoder = self.encoder.lock().unwrap_or_else(PoisonError::into_inner);
        let descriptor = encoder
            .descriptor(image, dlib_box(face), &points)
            .map_err(failed)?;
        Ok(FaceDescriptor(descriptor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verdict_follows_the_score_against_the_threshold() {
        let near = Comparison::from_distance(0.3, 0.45);
        assert!((near.score - 0.7).abs() < 1e-12);
        assert_eq!(near.verdict, Verdict::SamePerson);
        let far = Comparison::from_distance(0.8, 0.45);
        assert_eq!(far.verdict, Verdict::DifferentPerson);
        assert!(!far.same_person());
        assert!(
            Comparison::from_distance(0.5, 0.5).same_person(),
            "at the threshold"
        );
    }

    #[test]
    fn descriptors_never_show_their_values() {
        let descriptor = FaceDescriptor([0.125; DESCRIPTOR_LEN]);
        assert_eq!(descriptor.distance(&descriptor), 0.0);
        assert!(!format!("{descriptor:?}").contains("0.125"));
    }

    #[test]
    fn a_comparer_can_be_shared_between_threads() {
        fn shared<T: Send + Sync>() {}
        shared::<FaceComparer>();
        shared::<FaceLandmarker>();
    }

    #[test]
    fn missing_models_are_a_clear_error_not_a_comparer() {
        let folder = tempfile::tempdir().unwrap();
        let Err(error) = FaceComparer::load(folder.path()) else {
            panic!("loaded without models");
        };
        assert_eq!(error.code(), "face_models_missing");
        assert!(error.to_string().contains(ModelFiles::LANDMARKS));
    }
}
