//! What the commune officer gets out of the kiosk's local queue (issue 8): follow-up lists,
//! progress reports against targets per residential group, exports, and the citizen's receipt.
//!
//! - [`groups`]: residential groups (tổ dân phố / thôn), targets, baselines and phases.
//! - [`calendar`]: days and periods in Vietnam time; [`locale`]: numbers and percentages as
//!   the seeds print them (`83,89%`, truncated).
//! - [`followup`]: approved-not-activated, rejected and not-acknowledged lists with names and
//!   phones from the encrypted follow-up records; [`contacts`]: who called whom, with an
//!   encrypted note.
//! - [`guide`]: the seeds' activation guide (vi, en); [`password`]: the password and passcode
//!   rules it states, as checkers.
//! - [`tally`]: the funnel of states; [`report`]: per group and total, period and cumulative,
//!   progress against targets, per operator and per device; [`daily`]: enrollments per day.
//! - [`table`]: the report as tables of cells (vi or en), which every export renders;
//!   [`export`]: XLSX, CSV (UTF-8 with BOM) and PDF, behind a permission check and an audit
//!   entry; [`print`]: PDF pages with the shipped Noto Sans embedded.
//! - [`receipt`]: the citizen's receipt (application number, QR code, next steps) and the
//!   printable activation guide.
//!
//! Everything works offline from what the queue stores; no Tauri, no network.

pub mod calendar;
pub mod contacts;
pub mod daily;
pub mod export;
pub mod followup;
pub mod groups;
pub mod guide;
pub mod locale;
pub mod password;
pub mod print;
pub mod receipt;
pub mod report;
pub mod table;
pub mod tally;
