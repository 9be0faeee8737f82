//! The enrollment domain of the kiosk, free of Tauri and of the card-reading crates.
//!
//! - [`citizen`], [`evidence`], [`portrait`], [`form`], [`consent`], [`enrollment`]: what one
//!   enrollment holds, each part validated on construction; personal data never shows in
//!   `Debug` and is wiped from memory on drop.
//! - [`state`]: the enrollment's life (draft → … → activated) as a checked state machine.
//! - [`package`]: the sealed, signed package (format in `FORMAT.md`) and its opening.
//! - [`queue`]: the SQLite outbox that only takes sealed packages; [`local_key`]: the key
//!   that protects what the follow-up screens need after purge.
//! - [`operators`]: accounts, roles, Argon2id PINs, lockout; [`desk`]: the counter's
//!   sign-in and its lock after a quiet spell; [`audit`]: the append-only, hash-chained audit
//!   log, in the same database.
//! - [`demo`]: fictitious enrollments for the demo, benchmarks and crash tests.
//! - [`ids`], [`timestamp`]: non-personal identifiers and times (callers pass the clock).

pub mod audit;
pub mod citizen;
pub mod consent;
pub mod demo;
pub mod desk;
pub mod enrollment;
pub mod evidence;
pub mod form;
pub mod ids;
pub mod local_key;
pub mod operators;
pub mod package;
pub mod portrait;
pub mod queue;
pub mod state;
pub mod timestamp;
mod write_tx;
