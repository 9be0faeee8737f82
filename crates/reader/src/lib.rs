//! PC/SC smart-card readers through pcsc-lite (`pcscd`): which readers exist, whether a card
//! sits on them, which model each is and what it can do, and (with the chip reader) the
//! transport to talk to that card.
//!
//! Nothing here knows about ICAO 9303; it moves bytes and reports reader state.

pub mod discovery;
pub mod events;
pub mod models;
pub mod transport;
