//! Five facial landmarks (the corners of both eyes, the base of the nose) from dlib's 5-point
//! model, and what the portrait checks read from them: the eye centres, the distance between
//! them in pixels, and the head's roll (in-plane tilt).
//!
//! The model was trained on boxes of dlib's own face detectors; SeetaFace's boxes (what
//! [`crate::portrait`] finds) sit a little higher and are a little larger, so a box is moved
//! to dlib's framing first ([`dlib_box`], fitted on 8 photos where both detectors ran:
//! sides 0.87–1.02 of SeetaFace's, centres 5–15 % of the side lower). Only the region around
//! the face is handed to dlib, so a 1280×720 frame costs about 2 ms.

use image::RgbImage;

use crate::dlib::{self, DlibError, Landmarker};
use crate::models::{FaceModelError, ModelFiles};
use crate::portrait::FaceBox;

/// A point in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// The five landmarks of one face, in frame pixels, in dlib's order: the outer and inner
/// corner of the eye on the image's right, the outer and inner corner of the other eye, the
/// base of the nose.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaceLandmarks {
    pub points: [Point; 5],
}

impl FaceLandmarks {
    fn from_raw(raw: &dlib::Points, offset: Point) -> Self {
        let at = |i: usize| Point {
            x: raw.get(2 * i).copied().unwrap_or(0.0) + offset.x,
            y: raw.get(2 * i + 1).copied().unwrap_or(0.0) + offset.y,
        };
        Self {
            points: [at(0), at(1), at(2), at(3), at(4)],
        }
    }

    /// The centres of the two eyes (midpoints of their corners), the image's left eye first.
    pub fn eye_centres(&self) -> (Point, Point) {
        let [a0, a1, b0, b1, _] = self.points;
        let a = Point {
            x: (a0.x + a1.x) / 2.0,
            y: (a0.y + a1.y) / 2.0,
        };
        let b = Point {
            x: (b0.x + b1.x) / 2.0,
            y: (b0.y + b1.y) / 2.0,
        };
        if a.x <= b.x { (a, b) } else { (b, a) }
    }

    /// Distance between the eye centres in pixels (ISO/IEC 19794-5's inter-eye distance).
    pub fn eye_distance(&self) -> f64 {
        let (left, right) = self.eye_centres();
        (right.x - left.x).hypot(right.y - left.y)
    }

    /// The head's roll in degrees: the angle of the line through the eye centres against the
    /// horizontal, positive when the image's right eye is lower (head tilted clockwise on
    /// screen).
    pub fn roll_degrees(&self) -> f64 {
        let (left, right) = self.eye_centres();
        (right.y - left.y).atan2(right.x - left.x).to_degrees()
    }
}

/// The 5-point landmark model, loaded once; shareable between threads.
pub struct FaceLandmarker {
    model: Landmarker,
}

impl FaceLandmarker {
    /// Loads `shape_predictor_5_face_landmarks.dat` from `models`.
    pub fn load(models: &ModelFiles) -> Result<Self, FaceModelError> {
        let path = models.path(ModelFiles::LANDMARKS)?;
        let model = Landmarker::load(&path).map_err(|error| FaceModelError::Unreadable {
            file: ModelFiles::LANDMARKS,
            reason: error.to_string(),
        })?;
        Ok(Self { model })
    }

    /// The landmarks of the face found at `face` in `frame`.
    pub fn landmarks(&self, frame: &RgbImage, face: &FaceBox) -> Result<FaceLandmarks, DlibError> {
        let (region, offset) = around(frame, face);
        let [left, top, width, height] = dlib_box(face);
        let local = [left - offset.x, top - offset.y, width, height];
        let raw = self.model.landmarks(&region, local)?;
        Ok(FaceLandmarks::from_raw(&raw, offset))
    }
}

/// `face` (a SeetaFace box) moved to the framing dlib's landmark and descriptor models were
/// trained on: the same centre line, 9 % of the side lower, 92 % of the side.
pub fn dlib_box(face: &FaceBox) -> dlib::Box4 {
    let side = face.width.max(face.height);
    let centre_x = face.x + face.width / 2.0;
    let centre_y = face.y + face.height / 2.0 + 0.09 * side;
    let adjusted = 0.92 * side;
    [
        centre_x - adjusted / 2.0,
        centre_y - adjusted / 2.0,
        adjusted,
        adjusted,
    ]
}

/// The part of `frame` around `face` (the box grown by its own size on every side, clipped to
/// the frame) and where it starts.
pub(crate) fn around(frame: &RgbImage, face: &FaceBox) -> (RgbImage, Point) {
    let side = face.width.max(face.height);
    let (frame_w, frame_h) = (f64::from(frame.width()), f64::from(frame.height()));
    let left = (face.x - side).clamp(0.0, frame_w);
    let top = (face.y - side).clamp(0.0, frame_h);
    let right = (face.x + face.width + side).clamp(left, frame_w);
    let bottom = (face.y + face.height + side).clamp(top, frame_h);
    let region = image::imageops::crop_imm(
        frame,
        left as u32,
        top as u32,
        ((right - left) as u32).max(1),
        ((bottom - top) as u32).max(1),
    )
    .to_image();
    (
        region,
        Point {
            x: f64::from(left as u32),
            y: f64::from(top as u32),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn landmarks(left_eye: (f64, f64), right_eye: (f64, f64)) -> FaceLandmarks {
        let p = |(x, y): (f64, f64)| Point { x, y };
        // dlib's order: the image-right eye's two corners first.
        FaceLandmarks {
            points: [
                p((right_eye.0 + 10.0, right_eye.1)),
                p((right_eye.0 - 10.0, right_eye.1)),
                p((left_eye.0 - 10.0, left_eye.1)),
                p((left_eye.0 + 10.0, left_eye.1)),
                p(((left_eye.0 + right_eye.0) / 2.0, left_eye.1 + 40.0)),
            ],
        }
    }

    #[test]
    fn level_eyes_have_no_roll_and_their_distance_is_measured_between_centres() {
        let level = landmarks((100.0, 200.0), (200.0, 200.0));
        assert_eq!(level.eye_distance(), 100.0);
        assert_eq!(level.roll_degrees(), 0.0);
        let (left, right) = level.eye_centres();
        assert_eq!((left.x, right.x), (100.0, 200.0));
    }

    #[test]
    fn a_lower_right_eye_is_a_positive_roll_and_a_lower_left_eye_a_negative_one() {
        let clockwise = landmarks(
            (100.0, 200.0),
            (200.0, 200.0 + 100.0 * 10f64.to_radians().tan()),
        );
        assert!((clockwise.roll_degrees() - 10.0).abs() < 1e-9);
        let anticlockwise = landmarks((100.0, 217.0), (200.0, 200.0));
        assert!(anticlockwise.roll_degrees() < -9.0);
    }

    #[test]
    fn the_region_around_a_face_stays_inside_the_frame() {
        let frame = RgbImage::new(300, 200);
        let face = FaceBox {
            x: 250.0,
            y: -20.0,
            width: 80.0,
            height: 80.0,
            score: 1.0,
        };
        let (region, offset) = around(&frame, &face);
        assert_eq!((offset.x, offset.y), (170.0, 0.0));
        assert_eq!(region.dimensions(), (130, 140));
    }
}
