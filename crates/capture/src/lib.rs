//! The kiosk's camera: frames from a webcam or a replay, the QR code printed on the card,
//! and the quality of a live portrait.
//!
//! - [`frame`]: the one trait every frame source implements, and its errors.
//! - [`replay`]: a camera replayed from image files (tests, demo, benchmark).
//! - [`camera`]: choosing a webcam and its mode; capture through `nokhwa` with the cargo
//!   feature `device`.
//! - [`portrait`]: live portrait guidance (one face, centred, size, sharpness, exposure).
//! - [`record`]: saving a source's frames as fixtures the replay plays back.
//! - [`qr`]: reading the card's QR code from frames, then `cccd::qr` parses it.
//! - [`synth`] (cargo feature `synth`): CCCD-like card frames with real QR payloads and
//!   webcam degradations, for the demo frames, tests and the benchmark.

pub mod camera;
pub mod frame;
pub mod portrait;
pub mod qr;
pub mod record;
pub mod replay;
#[cfg(feature = "synth")]
pub mod synth;

pub use frame::{CaptureError, Encoding, Frame, FrameFormat, FrameSource};
pub use replay::{Pacing, ReplaySource};
