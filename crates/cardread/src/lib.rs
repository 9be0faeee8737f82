//! Read and verify a Vietnamese chip ID card (CCCD) over any [`CardTransport`]: the card step
//! of the enrollment flow, free of Tauri, PC/SC and clocks.
//!
//! - [`keys`]: the access-key candidates a kiosk has (the card's QR payload, or the typed ID,
//!   birth date and expiry), in the order to try them.
//! - [`read`]: [`read::CardRead`] tries the candidates without locking the chip, reads EF.COM,
//!   DG1, DG13, EF.SOD, DG14, DG15 and DG2 with progress, resumes after the card left the
//!   reader, and runs passive authentication and the clone check.
//! - [`field_support`]: what the `cccd-tool` binary (field support: read a card through
//!   PC/SC, parse a chip file, verify EF.SOD against a trust store) prints, as text or JSON.
//! - [`card_check`]: the set-up's test read: reader, card, ATR and the eMRTD application's
//!   SELECT, reading nothing personal.
//! - [`verdict`]: the outcome in the officer's words (genuine, issuer unknown, invalid, clone
//!   suspected) and what to do for each.
//!
//! Nothing here logs, and no error's `Display` carries personal data.
//!
//! [`CardTransport`]: emrtd::transport::CardTransport

pub mod card_check;
pub mod field_support;
pub mod keys;
pub mod read;
pub mod verdict;
