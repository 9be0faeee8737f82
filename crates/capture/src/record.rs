//! Recording what a camera sees as fixtures: frames from any source pass through unchanged
//! and are also written as numbered JPEGs that [`crate::ReplaySource`] plays back.
//!
//! Frames of a card or a face are sensitive personal data: record only with the person's
//! consent, on a machine set up for it, and never by default.

use std::path::{Path, PathBuf};

use image::codecs::jpeg::JpegEncoder;

use crate::frame::{CaptureError, Frame, FrameFormat, FrameSource};

/// JPEG quality of recorded frames: close to a webcam's MJPEG.
const QUALITY: u8 = 90;

/// A source whose frames are also saved to a folder.
pub struct Recorder<S> {
    source: S,
    folder: PathBuf,
}

impl<S: FrameSource> Recorder<S> {
    /// Records `source` into `folder` (created if missing).
    pub fn new(source: S, folder: &Path) -> Result<Self, CaptureError> {
        std::fs::create_dir_all(folder)?;
        Ok(Self {
            source,
            folder: folder.to_path_buf(),
        })
    }
}

impl<S: FrameSource> FrameSource for Recorder<S> {
    fn format(&self) -> FrameFormat {
        self.source.format()
    }

    fn next_frame(&mut self) -> Result<Frame, CaptureError> {
        let frame = self.source.next_frame()?;
        let mut bytes = Vec::new();
        JpegEncoder::new_with_quality(&mut bytes, QUALITY)
            .encode_image(&frame.image)
            .map_err(|_| CaptureError::BadFrame)?;
        std::fs::write(
            self.folder.join(format!("{:06}.jpg", frame.sequence)),
            bytes,
        )?;
        Ok(frame)
    }
}

#[cfg(test)]
mod tests {
    use image::{Rgb, RgbImage};

    use super::*;
    use crate::ReplaySource;

    #[test]
    fn recorded_frames_replay_in_order_and_close_to_the_originals() {
        let images: Vec<RgbImage> = (0..3u8)
            .map(|n| RgbImage::from_fn(64, 48, |x, _| Rgb([n * 80, (x * 4) as u8, 100])))
            .collect();
        let folder = tempfile::tempdir().unwrap();
        let mut recorder = Recorder::new(
            ReplaySource::from_images(images.clone(), 30).unwrap(),
            folder.path(),
        )
        .unwrap();
        while recorder.next_frame().is_ok() {}
        let mut replay = ReplaySource::from_folder(folder.path(), 30).unwrap();
        for original in &images {
            let replayed = replay.next_frame().unwrap().image;
            let difference = original
                .as_raw()
                .iter()
                .zip(replayed.as_raw())
                .map(|(a, b)| a.abs_diff(*b) as u32)
                .max()
                .unwrap();
            assert!(difference < 16, "JPEG keeps the frame close: {difference}");
        }
        assert!(matches!(
            replay.next_frame(),
            Err(CaptureError::EndOfStream)
        ));
    }

    #[test]
    fn recorder_passes_the_end_of_the_source_through() {
        let folder = tempfile::tempdir().unwrap();
        let source = ReplaySource::from_images(vec![RgbImage::new(8, 8)], 30).unwrap();
        let mut recorder = Recorder::new(source, folder.path()).unwrap();
        assert_eq!(recorder.next_frame().unwrap().sequence, 0);
        assert!(matches!(
            recorder.next_frame(),
            Err(CaptureError::EndOfStream)
        ));
        assert_eq!(std::fs::read_dir(folder.path()).unwrap().count(), 1);
    }
}
