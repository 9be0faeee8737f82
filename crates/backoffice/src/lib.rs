//! The reference back office: the server side of the `sync` protocol.
//!
//! - [`store`]: the SQLite database (sqlx, runtime queries, migrations in `migrations/`):
//!   kiosks and tokens, nonces, uploads under way, stored packages, the status log.
//! - [`api`]: the axum routes; kiosk requests are authenticated by their signature, clock
//!   window and nonce; packages are verified (kiosk signature, sealing kiosk) and decrypted
//!   with the back office's key before they are stored, once, with a signed receipt.
//! - [`evidence`]: passive authentication of the chip evidence, re-run against the back
//!   office's own trust store.
//! - [`review`]: the simulated national review and activation.
//! - [`keys`]: the package key and the receipt key on disk.
//! - [`server`]: plain or TLS listener, the review ticking beside it.
//! - [`simulate`]: a simulated kiosk with synthetic citizens, for the demo and crash tests.
//!
//! The server listens on 127.0.0.1 unless told otherwise. No personal data is logged: packages
//! stay sealed at rest, logs carry ids and codes.

pub mod api;
pub mod error;
pub mod evidence;
pub mod keys;
pub mod review;
pub mod server;
pub mod simulate;
pub mod store;
