//! The demo frames shipped in `assets/frames/` play through the replay source like a camera.

use std::path::Path;

use capture::{CaptureError, FrameSource, ReplaySource};

fn demo_folder() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/frames/qr"
    ))
}

#[test]
fn demo_qr_frames_replay_at_webcam_sizes_then_end() {
    let mut replay = ReplaySource::from_folder(demo_folder(), 15).unwrap();
    let mut sizes = Vec::new();
    loop {
        match replay.next_frame() {
            Ok(frame) => sizes.push(frame.image.dimensions()),
            Err(CaptureError::EndOfStream) => break,
            Err(other) => panic!("demo frame failed: {other}"),
        }
    }
    assert_eq!(sizes.len(), 7);
    assert!(sizes.contains(&(640, 480)));
    assert!(sizes.contains(&(1280, 720)));
    assert!(sizes.contains(&(1920, 1080)));
}
