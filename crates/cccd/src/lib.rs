//! Vietnamese specifics of the chip ID card (CCCD, since 2024 "thẻ căn cước"), free of I/O.
//!
//! What the ICAO 9303 reader (`emrtd`) does not know about Vietnam lives here: the 12-digit
//! personal identification number ([`id_number`]), the proprietary data group DG13 with the
//! holder's personal data ([`dg13`]), the QR code printed on the card ([`qr`]) and the BAC/PACE
//! access keys a kiosk can derive from what it has ([`access_key`]), and the checks that the
//! chip and the printed card describe the same person ([`cross_check`]).
//!
//! Every type that holds personal data masks it in `Debug`, has no `Display`, and wipes its
//! memory on drop; error messages never carry personal data.

pub mod access_key;
pub mod cross_check;
pub mod date;
pub mod dg13;
pub mod id_number;
pub mod personal;
pub mod qr;
