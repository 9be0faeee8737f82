//! The kiosk's side of sync.
//!
//! - [`http`]: [`SyncClient`], the protocol over HTTPS (rustls, the back office's CA pinned,
//!   plain HTTP only to a loopback address), every request signed by the device key.
//! - [`backoff`]: exponential backoff with jitter, the RNG passed in.
//! - [`outbox`]: [`SyncLoop`], which drains the enroll queue's outbox in creation order, pulls
//!   statuses back into the queue and sends heartbeats, reporting its state through a `watch`
//!   channel. It runs beside enrollment and never holds the queue longer than one statement.

pub mod backoff;
pub mod http;
pub mod outbox;

pub use backoff::Backoff;
pub use http::{ClientConfig, ClientError, SyncClient, SyncError};
pub use outbox::{Failure, PassOutcome, SyncLoop, SyncProgress, SyncState};
