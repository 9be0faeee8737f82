//! What the commune officer gets out of the kiosk's local queue (issue 8): follow-up lists,
//! progress reports against targets per residential group, exports, and the citizen's receipt.
//!
//! - [`groups`]: residential groups (tổ dân phố / thôn), targets, baselines and phases.
//! - [`calendar`]: days and periods in Vietnam time; [`locale`]: numbers and percentages as
//!   the seeds print them (`83,89%`, truncated).
//!
//! Everything works offline from what the queue stores; no Tauri, no network.

pub mod calendar;
pub mod groups;
pub mod locale;
