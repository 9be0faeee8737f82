//! The checks that need dlib's landmarks (eye distance, head roll) and the plain-background
//! check, on the shipped demo portrait frames, the same frames turned, and composed frames
//! with bookshelves behind the sitter. Needs the model files `scripts/setup.sh` installs.

use std::sync::Arc;

use capture::landmarks::FaceLandmarker;
use capture::models::{FaceModelError, ModelFiles};
use capture::portrait::{Assessment, Guidance, Limits, PortraitChecker};
use capture::synth::{
    FaceInPhoto, Rng, Scene, Sitter, portrait_frame, rotate_about, shelves_beside,
};
use image::RgbImage;

const MODELS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../.cache/face-models");
const PORTRAITS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/frames/portrait");

const FACE: FaceInPhoto = FaceInPhoto {
    centre_x: 0.432,
    centre_y: 0.227,
    height: 0.197,
};

const CENTRED: Sitter = Sitter {
    face_x: 0.5,
    face_y: 0.45,
    face_height: 0.35,
};

fn checker() -> PortraitChecker {
    let landmarker =
        FaceLandmarker::load(&ModelFiles::in_dir(MODELS)).unwrap_or_else(|error| panic!("{error}"));
    PortraitChecker::new(Limits::default())
        .unwrap()
        .with_landmarker(Arc::new(landmarker))
}

fn demo_frame(name: &str) -> RgbImage {
    image::open(format!("{PORTRAITS}/{name}"))
        .unwrap()
        .into_rgb8()
}

fn photo() -> RgbImage {
    image::open(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/face-eileen-collins-nasa.jpg"
    ))
    .unwrap()
    .into_rgb8()
}

/// The demo frame turned by `degrees` about the centre of its face.
fn turned(frame: &RgbImage, assessment: &Assessment, degrees: f64) -> RgbImage {
    let face = assessment.faces[0];
    let centre = (face.x + face.width / 2.0, face.y + face.height / 2.0);
    rotate_about(frame, centre, degrees)
}

#[test]
fn shipped_ok_frame_has_landmarks_on_the_face_level_eyes_and_a_plain_background() {
    let assessment = checker().assess(&demo_frame("0-ok-960x540.jpg"));
    assert_eq!(assessment.guidance, [Guidance::Ok]);
    let face = assessment.faces[0];
    let landmarks = assessment.landmarks.unwrap();
    for point in landmarks.points {
        assert!(
            point.x > face.x
                && point.x < face.x + face.width
                && point.y > face.y
                && point.y < face.y + face.height,
            "{point:?} outside {face:?}"
        );
    }
    let (left, right) = landmarks.eye_centres();
    let nose = landmarks.points[4];
    assert!(
        nose.y > left.y + 20.0 && nose.y > right.y + 20.0,
        "nose below the eyes"
    );
    assert!(nose.x > left.x && nose.x < right.x, "nose between the eyes");
    let eyes = assessment.eye_distance.unwrap();
    assert!((70.0..95.0).contains(&eyes), "eye distance {eyes}");
    let roll = assessment.roll_degrees.unwrap();
    assert!(roll.abs() < 5.0, "roll {roll}");
    let clutter = assessment.background_clutter.unwrap();
    assert!(
        clutter < Limits::default().max_background_clutter,
        "clutter {clutter}"
    );
}

#[test]
fn shipped_far_frame_is_short_of_eye_distance_too() {
    let assessment = checker().assess(&demo_frame("1-move-closer-960x540.jpg"));
    assert_eq!(assessment.guidance, [Guidance::MoveCloser]);
    let eyes = assessment.eye_distance.unwrap();
    assert!(
        eyes < Limits::default().min_eye_distance,
        "eye distance {eyes}"
    );
}

#[test]
fn a_tilted_head_asks_to_straighten_and_the_roll_follows_the_turn() {
    let checker = checker();
    let frame = demo_frame("0-ok-960x540.jpg");
    let upright = checker.assess(&frame);
    let base = upright.roll_degrees.unwrap();
    for degrees in [-12.0, 12.0] {
        let assessment = checker.assess(&turned(&frame, &upright, degrees));
        assert!(
            assessment.guidance.contains(&Guidance::StraightenHead),
            "turned {degrees}°: {:?}",
            assessment.guidance
        );
        let roll = assessment.roll_degrees.unwrap();
        assert!(
            (roll - base - degrees).abs() < 2.5,
            "turned {degrees}°, measured {roll} from {base}"
        );
    }
    let slight = checker.assess(&turned(&frame, &upright, -3.0));
    assert_eq!(slight.guidance, [Guidance::Ok], "3° is within ICAO's 8°");
}

#[test]
fn bookshelves_behind_the_sitter_ask_for_a_plain_background() {
    let checker = checker();
    let scene = Scene {
        noise: 4.0,
        jpeg_quality: 80,
        ..Scene::clean(1280, 720)
    };
    let mut frame = portrait_frame(&photo(), FACE, &[CENTRED], &scene, &mut Rng::new(3));
    let plain = checker.assess(&frame);
    assert_eq!(plain.guidance, [Guidance::Ok]);
    let eyes = plain.eye_distance.unwrap();
    assert!(
        eyes >= 90.0,
        "ISO full frontal eye distance at 720p: {eyes}"
    );
    shelves_beside(
        &mut frame,
        (640.0, 0.45 * 720.0),
        0.35 * 720.0,
        &mut Rng::new(9),
    );
    let cluttered = checker.assess(&frame);
    assert_eq!(cluttered.guidance, [Guidance::PlainBackground]);
    assert!(cluttered.background_clutter.unwrap() > 2.0 * plain.background_clutter.unwrap());
}

#[test]
fn without_the_landmark_model_eyes_are_not_measured_but_the_background_is() {
    let checker = PortraitChecker::new(Limits::default()).unwrap();
    let assessment = checker.assess(&demo_frame("0-ok-960x540.jpg"));
    assert_eq!(assessment.landmarks, None);
    assert_eq!(assessment.eye_distance, None);
    assert_eq!(assessment.roll_degrees, None);
    assert!(assessment.background_clutter.is_some());
}

#[test]
fn a_missing_landmark_model_is_a_clear_error() {
    let folder = tempfile::tempdir().unwrap();
    let Err(error) = FaceLandmarker::load(&ModelFiles::in_dir(folder.path())) else {
        panic!("loaded a model from an empty folder");
    };
    assert!(matches!(error, FaceModelError::Missing { .. }));
    assert!(error.to_string().contains("scripts/setup.sh"));
}

#[test]
fn a_damaged_landmark_model_is_a_clear_error_not_a_crash() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(
        folder.path().join(ModelFiles::LANDMARKS),
        b"not a dlib model",
    )
    .unwrap();
    let Err(error) = FaceLandmarker::load(&ModelFiles::in_dir(folder.path())) else {
        panic!("loaded a damaged model");
    };
    assert_eq!(error.code(), "face_models_unreadable");
}
