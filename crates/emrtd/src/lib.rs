//! ICAO 9303 eMRTD reader protocol, deterministic and free of I/O.
//!
//! This crate owns no socket, no reader, no clock and no global RNG: it talks to a chip through
//! a [`transport::CardTransport`] and takes randomness from the caller, so the ICAO test vectors
//! replay bit for bit and the same code runs over PC/SC, the in-process software card, or a
//! future phone NFC bridge.

pub mod access;
pub mod active_authentication;
pub mod apdu;
pub mod bac;
pub mod chip_authentication;
pub mod clone_detection;
pub mod cms;
pub mod crypto;
pub mod dg2;
pub mod lds;
pub mod mrz;
pub mod pace;
pub mod passive_auth;
pub mod public_key;
pub mod read;
pub mod secure_messaging;
pub mod security_infos;
pub mod sod;
pub mod tlv;
pub mod transport;

#[cfg(test)]
mod test_chip;
#[cfg(test)]
mod test_support;
