//! The follow-up lists the commune officer works through (issue 8): citizens **approved but
//! not activated** (the bottleneck the seeds describe: days since approval and the phone to
//! call), **rejected** (with the reason, to invite them back) and **enrolled but not yet
//! acknowledged** by the back office (to check the kiosk's sync).
//!
//! Names and phones come from the follow-up records the queue keeps encrypted under the local
//! key; they are decrypted only here, for a session allowed to see them, and never logged.

use crate::calendar::LocalDate;
use crate::contacts::{ContactEntry, ContactError, ContactLog};
use crate::groups::GroupDirectory;
use crate::locale::Lang;
use crate::table::{Cell, Table};
use enroll::ids::{GroupId, ReasonCode};
use enroll::local_key::{FollowUp, LocalKey};
use enroll::operators::{Permission, Session};
use enroll::package::PackageId;
use enroll::queue::{PackageStatus, PageOrder, Queue, QueueError};
use enroll::state::EnrollmentState;
use enroll::timestamp::Timestamp;

/// Why a list could not be made.
#[derive(Debug, thiserror::Error)]
pub enum FollowUpError {
    /// The session's role may not see names and phones.
    #[error("this account may not see the follow-up lists")]
    NotPermitted,
    /// The queue failed.
    #[error(transparent)]
    Queue(#[from] QueueError),
    /// The contact log failed.
    #[error(transparent)]
    Contacts(#[from] ContactError),
}

/// Which list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FollowUpKind {
    /// Approved, never activated: call and guide them through activation.
    ApprovedNotActivated,
    /// Rejected by the review: invite them back with the reason.
    Rejected,
    /// Queued, uploading, uploaded or quarantined (refused for good by the back office, with its
    /// reason): not acknowledged.
    NotAcknowledged,
}

impl FollowUpKind {
    /// The states the list shows.
    pub fn states(self) -> &'static [EnrollmentState] {
        match self {
            Self::ApprovedNotActivated => &[EnrollmentState::Approved],
            Self::Rejected => &[EnrollmentState::Rejected],
            Self::NotAcknowledged => &[
                EnrollmentState::Queued,
                EnrollmentState::Uploading,
                EnrollmentState::Uploaded,
                EnrollmentState::Quarantined,
            ],
        }
    }

    /// The list's title.
    pub fn title(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Self::ApprovedNotActivated, Lang::Vi) => "Đã phê duyệt, chưa kích hoạt",
            (Self::Rejected, Lang::Vi) => "Bị từ chối, cần mời công dân quay lại",
            (Self::NotAcknowledged, Lang::Vi) => "Đã thu nhận, chưa được tiếp nhận",
            (Self::ApprovedNotActivated, Lang::En) => "Approved, not activated",
            (Self::Rejected, Lang::En) => "Rejected: invite the citizen back",
            (Self::NotAcknowledged, Lang::En) => "Enrolled, not yet acknowledged",
        }
    }
}

/// The citizen's name, phone and masked ID, if the kiosk kept them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactDetails {
    /// Decrypted from the queue's follow-up record.
    Known(FollowUp),
    /// No follow-up record was stored with this package.
    NotStored,
    /// The record does not decrypt with this kiosk's local key (key replaced or data altered).
    Unreadable,
}

/// One citizen on a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpEntry {
    /// The application.
    pub package: PackageId,
    /// The residential group it counts for.
    pub group: GroupId,
    /// Its state.
    pub state: EnrollmentState,
    /// When it was enrolled.
    pub enrolled_at: Timestamp,
    /// When it entered its state (approval, rejection, or last upload step).
    pub since: Timestamp,
    /// Calendar days (Vietnam time) from `since` to now.
    pub days_waiting: i64,
    /// Why the review rejected it, or why the last upload failed.
    pub reason: Option<ReasonCode>,
    /// Upload attempts (for the not-acknowledged list).
    pub attempts: u32,
    /// Name, phone, masked ID.
    pub details: ContactDetails,
    /// The latest contact attempt, if any.
    pub last_contact: Option<ContactEntry>,
}

fn t(vi: &str, en: &str, lang: Lang) -> String {
    match lang {
        Lang::Vi => vi.to_owned(),
        Lang::En => en.to_owned(),
    }
}

/// A list as a printable call list (for [`crate::export`]: it holds names and phones, so it is
/// exported only with a grant, like any report). Contact notes stay on screen: only the latest
/// outcome and its date are printed.
pub fn call_list_table(
    kind: FollowUpKind,
    entries: &[FollowUpEntry],
    directory: &GroupDirectory,
    lang: Lang,
) -> Table {
    let since = match kind {
        FollowUpKind::ApprovedNotActivated => t("Ngày phê duyệt", "Approved on", lang),
        FollowUpKind::Rejected => t("Ngày từ chối", "Rejected on", lang),
        FollowUpKind::NotAcknowledged => t("Ngày thu nhận", "Enrolled on", lang),
    };
    let headers = vec![
        t("STT", "No.", lang),
        t("Họ và tên", "Full name", lang),
        t("Số điện thoại", "Phone", lang),
        t("Số định danh", "ID number", lang),
        t("Tổ dân phố / thôn", "Residential group", lang),
        since,
        t("Số ngày\nchờ", "Days\nwaiting", lang),
        t("Lý do", "Reason", lang),
        t("Liên hệ gần nhất", "Last contact", lang),
    ];
    let rows = entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let (name, phone, id) = match &e.details {
                ContactDetails::Known(f) => {
                    (f.full_name.clone(), f.phone.clone(), f.id_masked.clone())
                }
                ContactDetails::NotStored => (
                    t("(không lưu)", "(not kept)", lang),
                    String::new(),
                    String::new(),
                ),
                ContactDetails::Unreadable => (
                    t("(không đọc được)", "(unreadable)", lang),
                    String::new(),
                    String::new(),
                ),
            };
            let group = directory
                .group(&e.group)
                .map(|g| g.name.clone())
                .unwrap_or_else(|| e.group.as_str().to_owned());
            let day = match kind {
                FollowUpKind::NotAcknowledged => e.enrolled_at,
                _ => e.since,
            };
            let contact = e
                .last_contact
                .as_ref()
                .map(|c| {
                    format!(
                        "{} ({})",
                        c.outcome.label(lang),
                        LocalDate::containing(c.at).dd_mm_yyyy()
                    )
                })
                .unwrap_or_default();
            vec![
                Cell::Count(i as u64 + 1),
                Cell::Text(name),
                Cell::Text(phone),
                Cell::Text(id),
                Cell::Text(group),
                Cell::Text(LocalDate::containing(day).dd_mm_yyyy()),
                Cell::Count(u64::try_from(e.days_waiting).unwrap_or(0)),
                Cell::Text(
                    e.reason
                        .as_ref()
                        .map(|r| reason_text(r, lang))
                        .unwrap_or_default(),
                ),
                Cell::Text(contact),
            ]
        })
        .collect();
    Table {
        name: match lang {
            Lang::Vi => "Danh sách",
            Lang::En => "List",
        },
        title: kind.title(lang).to_owned(),
        bands: vec![],
        headers,
        rows,
        total: None,
    }
}

/// Explains a rejection code from the back office's review in words; unknown codes are shown
/// as they are.
pub fn reason_text(code: &ReasonCode, lang: Lang) -> String {
    let known = match (code.as_str(), lang) {
        ("portrait-mismatch", Lang::Vi) => "Ảnh chân dung không khớp; cần chụp lại ảnh",
        ("data-mismatch-national-db", Lang::Vi) => {
            "Thông tin không khớp Cơ sở dữ liệu quốc gia về dân cư; cần điều chỉnh thông tin"
        }
        ("duplicate-application", Lang::Vi) => "Hồ sơ trùng với hồ sơ đã nộp",
        ("document-unreadable", Lang::Vi) => "Giấy tờ không đọc được; cần mang thẻ đến đọc lại",
        ("chip-data-not-authentic", Lang::Vi) => {
            "Dữ liệu chip không xác thực được; cần đến cơ quan Công an kiểm tra thẻ"
        }
        ("portrait-mismatch", Lang::En) => "The portrait does not match; a new photo is needed",
        ("data-mismatch-national-db", Lang::En) => {
            "The data does not match the national population database; it must be corrected"
        }
        ("duplicate-application", Lang::En) => "A duplicate of an earlier application",
        ("document-unreadable", Lang::En) => "The document was unreadable; bring the card again",
        ("chip-data-not-authentic", Lang::En) => {
            "The chip data could not be authenticated; the card must be checked by the police"
        }
        _ => return code.as_str().to_owned(),
    };
    known.to_owned()
}

/// Days between the Vietnamese calendar days of `since` and `now`.
pub fn days_between(since: Timestamp, now: Timestamp) -> i64 {
    LocalDate::containing(since).days_until(LocalDate::containing(now))
}

fn details(
    key: &LocalKey,
    id: PackageId,
    sealed: Option<enroll::local_key::LocalSealed>,
) -> ContactDetails {
    match sealed {
        None => ContactDetails::NotStored,
        Some(s) => match key.open(id, &s) {
            Ok(f) => ContactDetails::Known(f),
            Err(_) => ContactDetails::Unreadable,
        },
    }
}

/// Which list to make, and which page of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    /// Which list.
    pub kind: FollowUpKind,
    /// Only this residential group, or all.
    pub group: Option<GroupId>,
    /// At most this many entries (oldest waiting first).
    pub limit: u32,
    /// Entries skipped before the page (0: the first page).
    pub offset: u64,
    /// Now, for the days waiting.
    pub now: Timestamp,
}

/// Where the lists come from: the queue, the local key of its follow-up records, and the
/// contact log (optional).
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    /// The kiosk's queue.
    pub queue: &'a Queue,
    /// The key of the queue's follow-up records.
    pub key: &'a LocalKey,
    /// Who called whom.
    pub contacts: Option<&'a ContactLog>,
}

/// How many entries the list has in all (for paging). Needs the follow-up permission too.
pub async fn follow_up_count(
    session: &Session,
    queue: &Queue,
    kind: FollowUpKind,
    group: Option<&GroupId>,
) -> Result<u64, FollowUpError> {
    session
        .require(Permission::ViewFollowUp)
        .map_err(|_| FollowUpError::NotPermitted)?;
    Ok(queue.count_in_states(kind.states(), group).await?)
}

/// The page of the list the query asks for: one indexed page read, one batch read of the
/// page's follow-up records. Needs a session allowed to see follow-up data.
pub async fn follow_up_list(
    session: &Session,
    sources: Sources<'_>,
    query: &ListQuery,
) -> Result<Vec<FollowUpEntry>, FollowUpError> {
    let Sources {
        queue,
        key,
        contacts,
    } = sources;
    let (kind, now) = (query.kind, query.now);
    session
        .require(Permission::ViewFollowUp)
        .map_err(|_| FollowUpError::NotPermitted)?;
    // Not acknowledged: oldest enrollment first (the outbox order); the others: whoever has
    // waited longest since approval or rejection.
    let order = match kind {
        FollowUpKind::NotAcknowledged => PageOrder::Created,
        FollowUpKind::ApprovedNotActivated | FollowUpKind::Rejected => PageOrder::StateChanged,
    };
    let rows: Vec<PackageStatus> = queue
        .page_in_states(
            kind.states(),
            query.group.as_ref(),
            order,
            query.limit,
            query.offset,
        )
        .await?;
    let ids: Vec<PackageId> = rows.iter().map(|r| r.id).collect();
    let mut sealed = queue.followups(&ids).await?;
    let mut last = match contacts {
        Some(log) => log.latest_all().await?,
        None => Default::default(),
    };
    Ok(rows
        .into_iter()
        .map(|r| FollowUpEntry {
            package: r.id,
            details: details(key, r.id, sealed.remove(&r.id)),
            last_contact: last.remove(&r.id),
            group: r.group,
            state: r.state,
            enrolled_at: r.created_at,
            since: r.state_changed_at,
            days_waiting: days_between(r.state_changed_at, now),
            reason: r.reason.or(r.last_error),
            attempts: r.attempts,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_rejection_codes_read_as_sentences_and_unknown_ones_as_codes() {
        let code = ReasonCode::new("portrait-mismatch").expect("code");
        assert!(reason_text(&code, Lang::Vi).starts_with("Ảnh chân dung"));
        assert!(reason_text(&code, Lang::En).starts_with("The portrait"));
        let other = ReasonCode::new("new-rule-17").expect("code");
        assert_eq!(reason_text(&other, Lang::Vi), "new-rule-17");
    }

    #[test]
    fn days_waiting_counts_vietnamese_calendar_days() {
        // Approved 23:30 on 1 Dec (Vietnam), now 00:30 on 2 Dec: one calendar day.
        let approved = LocalDate::new(2025, 12, 1)
            .expect("d")
            .start()
            .plus_millis(23 * 3_600_000 + 1_800_000);
        let now = approved.plus_millis(3_600_000);
        assert_eq!(days_between(approved, now), 1);
        assert_eq!(days_between(approved, approved), 0);
        assert_eq!(
            days_between(approved, approved.plus_millis(10 * 86_400_000)),
            10
        );
    }
}
