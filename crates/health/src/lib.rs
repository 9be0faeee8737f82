//! Probes of what the kiosk depends on: the PC/SC reader, the camera, the back office and the
//! data directory. The header shows their state and `doctor` prints one OK/problem line each;
//! both show the same health line, summarised from them by [`line::summarise`].
//!
//! Every probe reports what it really saw: "no reader found" is a state, not a placeholder.
//! No probe reads personal data.

pub mod doctor;
pub mod line;
pub mod probes;

pub use probes::{BackOfficeStatus, CameraStatus, ReaderStatus};
