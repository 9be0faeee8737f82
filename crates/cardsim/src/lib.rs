//! A software CCCD chip: the card side of ICAO 9303 (file system, BAC, PACE, secure
//! messaging) written from the card's point of view, and a vpcd adapter so pcscd sees it as a
//! real card in a real reader.
//!
//! This crate never calls the reader's protocol code (crate `emrtd`): it shares only the
//! one-method transport trait, so reader and card check each other instead of agreeing on a
//! shared mistake.

pub mod apdu;
pub mod asn1;
pub mod bac;
pub mod chip;
pub mod chip_auth;
pub mod crypto;
pub mod entropy;
pub mod faults;
pub mod files;
pub mod identity;
pub mod pace;
pub mod pki;
pub mod sm;
pub mod soft_card;
pub mod tlv;
pub mod vpcd;

#[cfg(test)]
mod test_terminal;

pub use chip::{Chip, ChipProfile, ReadLimits};
pub use entropy::{Entropy, OsEntropy, ScriptedEntropy};
pub use faults::{AirModel, Faults};
pub use files::{Ef, Files};
pub use soft_card::SoftCard;
pub use vpcd::{DEFAULT_VPCD_ADDR, InsertedCard};
