//! Face comparison through the real dlib models: the shipped DG2 portraits against webcam
//! frames of the same face, two different photos of one person, different people, and the
//! errors a kiosk must show instead of a score. Needs `scripts/setup.sh` (models and photos).

use capture::compare::{CompareError, FaceComparer, Photo, THRESHOLD, Verdict};
use capture::models::{FaceModelError, ModelFiles};
use image::RgbImage;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn comparer() -> FaceComparer {
    FaceComparer::load(format!("{ROOT}/.cache/face-models"))
        .unwrap_or_else(|error| panic!("{error}"))
}

fn open(path: &str) -> RgbImage {
    image::open(format!("{ROOT}/{path}"))
        .unwrap_or_else(|error| panic!("{path}: {error} (run scripts/setup.sh)"))
        .into_rgb8()
}

#[test]
fn a_webcam_frame_matches_the_chip_portrait_of_the_same_face() {
    let comparison = comparer()
        .compare(
            &open("assets/frames/portrait/0-ok-960x540.jpg"),
            &open("assets/identities/nguyen-van-a.jpg"),
        )
        .unwrap();
    assert_eq!(comparison.verdict, Verdict::SamePerson);
    assert_eq!(comparison.threshold, THRESHOLD);
    assert!(comparison.score > THRESHOLD + 0.1, "{comparison:?}");
}

#[test]
fn two_different_photos_of_one_person_match() {
    let comparison = comparer()
        .compare(
            &open(".cache/face-test-images/obama.jpg"),
            &open(".cache/face-test-images/obama3.jpg"),
        )
        .unwrap();
    assert!(comparison.same_person(), "{comparison:?}");
}

#[test]
fn different_people_do_not_match() {
    let comparer = comparer();
    for (live, chip) in [
        (
            ".cache/face-test-images/obama2.jpg",
            "assets/identities/le-van-cuong.jpg",
        ),
        (
            ".cache/face-test-images/biden.jpg",
            ".cache/face-test-images/obama.jpg",
        ),
    ] {
        let comparison = comparer.compare(&open(live), &open(chip)).unwrap();
        assert_eq!(
            comparison.verdict,
            Verdict::DifferentPerson,
            "{live} / {chip}"
        );
        assert!(comparison.score < THRESHOLD - 0.1, "{comparison:?}");
    }
}

#[test]
fn encoded_photos_compare_and_an_undecodable_chip_photo_is_named() {
    let comparer = comparer();
    let live = std::fs::read(format!("{ROOT}/assets/frames/portrait/0-ok-960x540.jpg")).unwrap();
    let chip = std::fs::read(format!("{ROOT}/assets/identities/tran-thi-bich-ngoc.jpg")).unwrap();
    assert!(
        comparer
            .compare_encoded(&live, &chip)
            .unwrap()
            .same_person()
    );
    let jpeg2000_signature = [
        0, 0, 0, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A,
    ];
    let error = comparer
        .compare_encoded(&live, &jpeg2000_signature)
        .unwrap_err();
    assert!(matches!(error, CompareError::Undecodable(Photo::Chip)));
    assert_eq!(error.code(), "undecodable_chip");
}

#[test]
fn a_photo_without_a_face_gives_no_score() {
    let wall = RgbImage::from_pixel(480, 640, image::Rgb([200, 196, 188]));
    let error = comparer()
        .compare(&wall, &open("assets/identities/nguyen-van-a.jpg"))
        .unwrap_err();
    assert!(matches!(error, CompareError::NoFace(Photo::Live)));
    assert_eq!(error.code(), "no_face_live");
    assert!(!error.to_string().is_empty());
}

#[test]
fn a_missing_descriptor_model_is_a_clear_error() {
    let folder = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(
        format!("{ROOT}/.cache/face-models/{}", ModelFiles::LANDMARKS),
        folder.path().join(ModelFiles::LANDMARKS),
    )
    .unwrap();
    let Err(error) = FaceComparer::load(folder.path()) else {
        panic!("loaded without the descriptor model");
    };
    assert!(matches!(
        error,
        FaceModelError::Missing {
            file: ModelFiles::DESCRIPTOR,
            ..
        }
    ));
    assert_eq!(error.code(), "face_models_missing");
    assert!(error.to_string().contains(ModelFiles::DESCRIPTOR));
}

#[test]
fn the_comparers_landmarker_serves_the_live_portrait_checks_too() {
    use capture::portrait::{Guidance, Limits, PortraitChecker};
    let comparer = comparer();
    let checker = PortraitChecker::new(Limits::default())
        .unwrap()
        .with_landmarker(comparer.landmarker());
    let assessment = checker.assess(&open("assets/frames/portrait/0-ok-960x540.jpg"));
    assert_eq!(assessment.guidance, [Guidance::Ok]);
    assert!(assessment.eye_distance.is_some() && assessment.roll_degrees.is_some());
}
