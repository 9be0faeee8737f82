//! Portrait guidance on composed webcam frames of a public-domain portrait (see
//! `tests/data/README.md`): none, one and two faces, off-centre, small, dark, blurred.

use capture::portrait::{Guidance, Limits, PortraitChecker};
use capture::synth::{FaceInPhoto, Rng, Scene, Sitter, portrait_frame};
use image::RgbImage;

/// Where the detector finds the face in the test photo (fractions of the 512×512 photo).
const FACE: FaceInPhoto = FaceInPhoto {
    centre_x: 0.432,
    centre_y: 0.227,
    height: 0.197,
};

const CENTRED: Sitter = Sitter {
    face_x: 0.5,
    face_y: 0.45,
    face_height: 0.38,
};

fn photo() -> RgbImage {
    image::open(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/face-eileen-collins-nasa.jpg"
    ))
    .unwrap()
    .into_rgb8()
}

fn guidance(sitters: &[Sitter], scene: Scene) -> Vec<Guidance> {
    let checker = PortraitChecker::new(Limits::default()).unwrap();
    let frame = portrait_frame(&photo(), FACE, sitters, &scene, &mut Rng::new(4));
    checker.assess(&frame).guidance
}

fn plain() -> Scene {
    Scene::clean(640, 480)
}

#[test]
fn one_centred_sharp_well_lit_face_is_ok() {
    let checker = PortraitChecker::new(Limits::default()).unwrap();
    let frame = portrait_frame(&photo(), FACE, &[CENTRED], &plain(), &mut Rng::new(4));
    let assessment = checker.assess(&frame);
    assert!(assessment.is_ok(), "{:?}", assessment.guidance);
    let face = assessment.faces[0];
    assert!(
        (face.x + face.width / 2.0 - 320.0).abs() < 40.0,
        "face found where it was placed"
    );
}

#[test]
fn no_face_and_two_faces_are_named() {
    assert_eq!(guidance(&[], plain()), [Guidance::NoFace]);
    let two = [
        Sitter {
            face_x: 0.25,
            face_y: 0.45,
            face_height: 0.18,
        },
        Sitter {
            face_x: 0.75,
            face_y: 0.45,
            face_height: 0.18,
        },
    ];
    assert_eq!(guidance(&two, plain()), [Guidance::OneFaceOnly]);
}

#[test]
fn off_centre_face_asks_to_centre() {
    let left = Sitter {
        face_x: 0.24,
        ..CENTRED
    };
    assert_eq!(guidance(&[left], plain()), [Guidance::CentreFace]);
}

#[test]
fn small_face_asks_to_come_closer() {
    let far = Sitter {
        face_height: 0.15,
        ..CENTRED
    };
    assert_eq!(guidance(&[far], plain()), [Guidance::MoveCloser]);
}

#[test]
fn dark_face_asks_for_light_but_is_not_called_blurred() {
    let dark = Scene {
        gain: 0.3,
        ..plain()
    };
    assert_eq!(guidance(&[CENTRED], dark), [Guidance::MoreLight]);
}

#[test]
fn blurred_face_asks_to_hold_still() {
    let blurred = Scene {
        blur: 2.0,
        ..plain()
    };
    assert_eq!(guidance(&[CENTRED], blurred), [Guidance::HoldStill]);
}

#[test]
fn demo_portrait_frames_replay_with_the_guidance_their_names_promise() {
    use capture::{FrameSource, ReplaySource};
    let folder = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/frames/portrait"
    ));
    let mut replay = ReplaySource::from_folder(folder, 15).unwrap();
    let checker = PortraitChecker::new(Limits::default()).unwrap();
    let mut seen = Vec::new();
    while let Ok(frame) = replay.next_frame() {
        seen.push(checker.assess(&frame.image).guidance);
    }
    assert_eq!(
        seen,
        [
            vec![Guidance::Ok],
            vec![Guidance::MoveCloser],
            vec![Guidance::MoreLight]
        ]
    );
}
