//! One trait for every source of camera frames, so the QR and portrait analysis run the same
//! code path on a real webcam and on replayed files.
//!
//! A [`FrameSource`] hands out [`Frame`]s in order, each with its capture time measured from
//! the moment the source started, and reports the end of a camera (unplugged, closed) as a
//! [`CaptureError`] the UI can turn into one sentence. Error messages never carry image data.

use std::path::PathBuf;
use std::time::Duration;

use image::RgbImage;
use thiserror::Error;

/// One captured picture.
#[derive(Clone)]
pub struct Frame {
    /// Position in the stream, from 0.
    pub sequence: u64,
    /// Capture time since the source started.
    pub timestamp: Duration,
    pub image: RgbImage,
}

impl std::fmt::Debug for Frame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Frame")
            .field("sequence", &self.sequence)
            .field("timestamp", &self.timestamp)
            .field("width", &self.image.width())
            .field("height", &self.image.height())
            .finish()
    }
}

/// How the source encodes frames before they are decoded to RGB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Motion JPEG from a webcam.
    Mjpeg,
    /// Uncompressed YUYV 4:2:2 from a webcam.
    Yuyv,
    /// Other uncompressed formats a webcam may offer (grey, NV12, RGB).
    Raw,
    /// Still image files (JPEG, PNG) replayed from disk or memory.
    ImageFile,
}

/// What a source delivers: the negotiated resolution, encoding and frame rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameFormat {
    pub width: u32,
    pub height: u32,
    pub encoding: Encoding,
    pub frames_per_second: u32,
}

/// Why a source gave no frame.
#[derive(Debug, Error)]
pub enum CaptureError {
    #[error("no camera is connected")]
    NoCamera,
    #[error("no camera matches the configured choice")]
    CameraNotFound,
    #[error("the camera could not be opened (busy or not permitted): {0}")]
    Open(String),
    #[error("the camera offers no usable format: {0}")]
    Format(String),
    #[error("the camera was unplugged or stopped delivering frames")]
    Disconnected,
    #[error("a camera frame could not be decoded")]
    BadFrame,
    #[error("camera support is not built into this program (cargo feature `device`)")]
    DeviceSupportNotBuilt,
    #[error("the replay has no more frames")]
    EndOfStream,
    #[error("the replay folder {0} holds no JPEG or PNG images")]
    EmptyReplay(PathBuf),
    #[error("replay image {0} could not be read")]
    ReplayImage(PathBuf),
    #[error("replay frame rate must be between 1 and 240 frames per second")]
    FrameRate,
    #[error("I/O error on the replay folder: {0}")]
    Io(#[from] std::io::Error),
}

impl CaptureError {
    /// True when the source is gone for good and must be reopened (or another chosen).
    pub fn is_fatal(&self) -> bool {
        !matches!(self, CaptureError::BadFrame)
    }
}

/// A source of camera frames: a webcam or a replay.
pub trait FrameSource: Send {
    /// The format frames arrive in.
    fn format(&self) -> FrameFormat;

    /// Waits for and returns the next frame. [`CaptureError::Disconnected`] reports an
    /// unplugged camera, [`CaptureError::EndOfStream`] the end of a replay; after either, the
    /// source gives no more frames. [`CaptureError::BadFrame`] skips one broken frame.
    fn next_frame(&mut self) -> Result<Frame, CaptureError>;
}

impl<S: FrameSource + ?Sized> FrameSource for Box<S> {
    fn format(&self) -> FrameFormat {
        (**self).format()
    }

    fn next_frame(&mut self) -> Result<Frame, CaptureError> {
        (**self).next_frame()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_bad_frame_lets_the_source_go_on() {
        assert!(!CaptureError::BadFrame.is_fatal());
        for gone in [
            CaptureError::Disconnected,
            CaptureError::EndOfStream,
            CaptureError::NoCamera,
        ] {
            assert!(gone.is_fatal(), "{gone}");
        }
    }

    #[test]
    fn error_messages_name_no_image_content() {
        let message = CaptureError::ReplayImage(PathBuf::from("frames/0001.jpg")).to_string();
        assert_eq!(message, "replay image frames/0001.jpg could not be read");
    }
}
