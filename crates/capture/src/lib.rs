//! The kiosk's camera: frames from a webcam or a replay, the QR code printed on the card,
//! and the quality of a live portrait.
//!
//! - [`frame`]: the one trait every frame source implements, and its errors.
//! - [`replay`]: a camera replayed from image files (tests, demo, benchmark).
//! - [`camera`]: choosing a webcam and its mode; capture through `nokhwa` with the cargo
//!   feature `device`.
//! - [`portrait`]: live portrait guidance (one face, centred, size, eye distance, head roll,
//!   sharpness, exposure, plain background).
//! - [`landmarks`]: five facial landmarks (dlib), eye distance and head roll.
//! - [`background`]: the plain-background measure.
//! - [`compare`]: the live portrait against the chip's photo (dlib's face descriptor).
//! - [`models`]: where dlib's model files are, and the error when they are missing.
//! - `dlib` (private): the C interface to dlib in `native/dlib_face.cpp`.
//! - [`record`]: saving a source's frames as fixtures the replay plays back.
//! - [`qr`]: reading the card's QR code from frames, then `cccd::qr` parses it.
//! - [`synth`] (cargo feature `synth`): CCCD-like card frames with real QR payloads and
//!   webcam degradations, for the demo frames, tests and the benchmark.

pub mod background;
pub mod camera;
pub mod compare;
mod dlib;
pub mod frame;
pub mod landmarks;
pub mod models;
pub mod portrait;
pub mod qr;
pub mod record;
pub mod replay;
#[cfg(feature = "synth")]
pub mod synth;

pub use dlib::DlibError;
pub use frame::{CaptureError, Encoding, Frame, FrameFormat, FrameSource};
pub use replay::{Pacing, ReplaySource};
