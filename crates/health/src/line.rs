//! The kiosk's health in one line, for the header and for `doctor`: OK, or the first finding a
//! technician or operator must act on, with what to do next.
//!
//! Both faces build the same [`Facts`] (the header from its probes and the sync loop, `doctor`
//! from its checks) and call [`summarise`], so their rules cannot drift apart. The rules take
//! the time as an argument: nothing here reads a clock, a device or a file.

use kiosk_config::Language;

use crate::probes::{CameraStatus, ReaderStatus};

/// Free space on the data directory below which the kiosk risks refusing enrollments.
pub const LOW_SPACE_BYTES: u64 = 500 * 1024 * 1024;
/// Packages waiting this long while the back office does not answer are a problem (1 h).
pub const UNREACHABLE_TOO_LONG_MS: i64 = 3600 * 1000;
/// Packages waiting this long, whatever the link says, are a problem (24 h).
pub const WAITING_TOO_LONG_MS: i64 = 24 * 3600 * 1000;
/// A restart after a crash is shown for this long (24 h).
pub const RECENT_CRASH_MS: i64 = 24 * 3600 * 1000;

/// The back-office link as the face that asks knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// The back office answered (the sync loop's last contact, or `doctor`'s connection).
    Reachable,
    /// Not known yet (the sync loop is starting, or waits on a retry from an earlier run).
    Unknown,
    /// No answer.
    Unreachable,
    /// The back office refuses this kiosk (unknown or revoked key, bad signature).
    Refused,
    /// The back office refuses this kiosk's clock.
    ClockSkew,
    /// The kiosk was never registered (no back-office keys in the data directory).
    NotRegistered,
    /// The sync loop could not start (a key file or the client failed; the log says which).
    NotStarted,
}

/// What reading the audit log's hash chain found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditChain {
    Intact,
    /// The chain breaks at this entry.
    Broken {
        seq: i64,
    },
    /// The log could not be read.
    Unreadable,
}

/// What the queue database says, when it could be opened and read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueFacts {
    /// Packages the back office has not acknowledged (queued, uploading, uploaded).
    pub unsent: u64,
    /// When the oldest of them was created (Unix milliseconds).
    pub oldest_unsent_at: Option<i64>,
    /// Packages the back office refused for good.
    pub quarantined: u64,
    /// When the kiosk last started after an unclean stop (Unix milliseconds).
    pub last_unclean_stop_at: Option<i64>,
    pub audit: AuditChain,
    /// Why the queue refuses new enrollments (the freeze rules), if it does.
    pub frozen: Option<Frozen>,
}

/// Why the queue takes no new enrollment until the back office acknowledges packages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frozen {
    /// This many packages wait, at or over the configured most.
    TooManyUnsent { count: u64 },
    /// The oldest unacknowledged package, created at `since` (Unix milliseconds), waited longer
    /// than the configured days.
    UnsentTooLong { since: i64 },
}

/// Everything the line is made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// Unix milliseconds now.
    pub now: i64,
    /// Free bytes on the data directory's file system; `None` when it is not writable.
    pub data_dir_free: Option<u64>,
    /// The queue database; `None` when it could not be opened or read.
    pub queue: Option<QueueFacts>,
    pub reader: ReaderStatus,
    pub camera: CameraStatus,
    /// CSCA certificate files in the trust store.
    pub trust_store_files: usize,
    pub link: Link,
}

/// How much the line asks of the person reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Ok,
    /// Worth knowing; the kiosk works.
    Notice,
    /// Someone must act.
    Problem,
}

impl Level {
    /// The level's name in the UI contract.
    pub fn code(self) -> &'static str {
        match self {
            Level::Ok => "ok",
            Level::Notice => "notice",
            Level::Problem => "problem",
        }
    }
}

/// The one finding the line shows, most urgent first (the order of [`summarise`]'s rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finding {
    Ok,
    AuditBroken {
        seq: Option<i64>,
    },
    DataDirUnwritable,
    QueueUnavailable,
    DiskLow {
        free_mb: u64,
    },
    ReaderServiceDown,
    NoReader,
    ReaderError,
    NoCamera,
    NoTrustStore,
    ClockSkew,
    Refused,
    NotRegistered,
    SyncNotStarted,
    /// New enrollments are refused: `count` packages wait for the back office.
    QueueFrozenTooMany {
        count: u64,
    },
    /// New enrollments are refused: a package has waited since `since`.
    QueueFrozenTooOld {
        since: i64,
    },
    Quarantined {
        count: u64,
    },
    /// The back office does not answer and packages have waited since `since`.
    BackOfficeUnreachable {
        count: u64,
        since: i64,
    },
    /// Packages have waited since `since` though the back office is not known to be down.
    PackagesWaiting {
        count: u64,
        since: i64,
    },
    /// The kiosk restarted after an unclean stop at `at`.
    RecoveredFromCrash {
        at: i64,
    },
    /// The back office does not answer; nothing has waited long.
    BackOfficeUnreachableBriefly,
}

/// Applies the rules to `facts`: the first that holds wins; problems come before notices.
pub fn summarise(facts: &Facts) -> Finding {
    let queue = facts.queue.as_ref();
    if let Some(q) = queue {
        match q.audit {
            AuditChain::Intact => {}
            AuditChain::Broken { seq } => return Finding::AuditBroken { seq: Some(seq) },
            AuditChain::Unreadable => return Finding::AuditBroken { seq: None },
        }
    }
    let Some(free) = facts.data_dir_free else {
        return Finding::DataDirUnwritable;
    };
    let Some(q) = queue else {
        return Finding::QueueUnavailable;
    };
    if free < LOW_SPACE_BYTES {
        return Finding::DiskLow {
            free_mb: free / 1_048_576,
        };
    }
    match facts.reader {
        ReaderStatus::ServiceDown => return Finding::ReaderServiceDown,
        ReaderStatus::NoReader => return Finding::NoReader,
        ReaderStatus::Error(_) => return Finding::ReaderError,
        ReaderStatus::Ready(_) | ReaderStatus::CardPresent(_) => {}
    }
    if facts.camera == CameraStatus::NoCamera {
        return Finding::NoCamera;
    }
    if facts.trust_store_files == 0 {
        return Finding::NoTrustStore;
    }
    match facts.link {
        Link::ClockSkew => return Finding::ClockSkew,
        Link::Refused => return Finding::Refused,
        Link::NotRegistered => return Finding::NotRegistered,
        Link::NotStarted => return Finding::SyncNotStarted,
        Link::Reachable | Link::Unknown | Link::Unreachable => {}
    }
    match q.frozen {
        Some(Frozen::TooManyUnsent { count }) => return Finding::QueueFrozenTooMany { count },
        Some(Frozen::UnsentTooLong { since }) => return Finding::QueueFrozenTooOld { since },
        None => {}
    }
    if q.quarantined > 0 {
        return Finding::Quarantined {
            count: q.quarantined,
        };
    }
    let waited = q
        .oldest_unsent_at
        .map(|at| (at, facts.now.saturating_sub(at)));
    if let Some((since, waited)) = waited {
        if facts.link == Link::Unreachable && waited > UNREACHABLE_TOO_LONG_MS {
            return Finding::BackOfficeUnreachable {
                count: q.unsent,
                since,
            };
        }
        if waited > WAITING_TOO_LONG_MS {
            return Finding::PackagesWaiting {
                count: q.unsent,
                since,
            };
        }
    }
    if let Some(at) = q.last_unclean_stop_at
        && facts.now.saturating_sub(at) < RECENT_CRASH_MS
    {
        return Finding::RecoveredFromCrash { at };
    }
    if facts.link == Link::Unreachable {
        return Finding::BackOfficeUnreachableBriefly;
    }
    Finding::Ok
}

impl Finding {
    /// The finding's name in the UI contract (`health.<code>` in its dictionary).
    pub fn code(self) -> &'static str {
        match self {
            Finding::Ok => "ok",
            Finding::AuditBroken { .. } => "audit_broken",
            Finding::DataDirUnwritable => "data_dir_unwritable",
            Finding::QueueUnavailable => "queue_unavailable",
            Finding::DiskLow { .. } => "disk_low",
            Finding::ReaderServiceDown => "reader_service_down",
            Finding::NoReader => "no_reader",
            Finding::ReaderError => "reader_error",
            Finding::NoCamera => "no_camera",
            Finding::NoTrustStore => "no_trust_store",
            Finding::ClockSkew => "clock_skew",
            Finding::Refused => "refused",
            Finding::NotRegistered => "not_registered",
            Finding::SyncNotStarted => "sync_not_started",
            Finding::QueueFrozenTooMany { .. } => "queue_frozen_too_many",
            Finding::QueueFrozenTooOld { .. } => "queue_frozen_too_old",
            Finding::Quarantined { .. } => "quarantined",
            Finding::BackOfficeUnreachable { .. } => "backoffice_unreachable",
            Finding::PackagesWaiting { .. } => "packages_waiting",
            Finding::RecoveredFromCrash { .. } => "recovered_from_crash",
            Finding::BackOfficeUnreachableBriefly => "backoffice_unreachable_briefly",
        }
    }

    pub fn level(self) -> Level {
        match self {
            Finding::Ok => Level::Ok,
            Finding::RecoveredFromCrash { .. } | Finding::BackOfficeUnreachableBriefly => {
                Level::Notice
            }
            _ => Level::Problem,
        }
    }

    /// The number the sentence names (packages, MB free, the audit entry), if any.
    pub fn number(self) -> Option<i64> {
        match self {
            Finding::AuditBroken { seq } => seq,
            Finding::DiskLow { free_mb } => i64::try_from(free_mb).ok(),
            Finding::Quarantined { count }
            | Finding::QueueFrozenTooMany { count }
            | Finding::BackOfficeUnreachable { count, .. }
            | Finding::PackagesWaiting { count, .. } => i64::try_from(count).ok(),
            _ => None,
        }
    }

    /// The time the sentence names (Unix milliseconds), if any.
    pub fn at(self) -> Option<i64> {
        match self {
            Finding::BackOfficeUnreachable { since, .. }
            | Finding::PackagesWaiting { since, .. }
            | Finding::QueueFrozenTooOld { since } => Some(since),
            Finding::RecoveredFromCrash { at } => Some(at),
            _ => None,
        }
    }

    /// The line for `doctor`, in `lang`: what is wrong and what to do next. Times are shown as
    /// `time` renders them (the caller's time zone).
    pub fn text(self, lang: Language, time: impl Fn(i64) -> String) -> String {
        let vi = matches!(lang, Language::Vi);
        let pick = |v: String, e: String| if vi { v } else { e };
        match self {
            Finding::Ok => pick("Mọi thứ hoạt động bình thường.".into(), "All is well.".into()),
            Finding::AuditBroken { seq } => {
                let at = seq.map(|s| format!(" ({s})")).unwrap_or_default();
                pick(
                    format!("Nhật ký kiểm toán bị sửa đổi hoặc không đọc được{at}: giữ nguyên máy và báo kỹ thuật viên (vneid-kiosk audit verify)."),
                    format!("The audit log was altered or cannot be read{at}: leave the kiosk as it is and call the technician (vneid-kiosk audit verify)."),
                )
            }
            Finding::DataDirUnwritable => pick(
                "Không ghi được thư mục dữ liệu: báo kỹ thuật viên kiểm tra ổ đĩa và quyền ghi.".into(),
                "The data directory is not writable: have the technician check the disk and its permissions.".into(),
            ),
            Finding::QueueUnavailable => pick(
                "Không mở được hàng đợi hồ sơ: khởi động lại máy; nếu vẫn lỗi, báo kỹ thuật viên.".into(),
                "The enrollment queue cannot be opened: restart the kiosk; if it persists, call the technician.".into(),
            ),
            Finding::DiskLow { free_mb } => pick(
                format!("Đĩa sắp đầy (còn {free_mb} MB): giải phóng dung lượng để không phải từ chối hồ sơ."),
                format!("Disk almost full ({free_mb} MB free): free some space so no enrollment is refused."),
            ),
            Finding::ReaderServiceDown => pick(
                "Dịch vụ đọc thẻ (pcscd) không chạy: khởi động lại máy hoặc dịch vụ pcscd.".into(),
                "The card reader service (pcscd) is not running: restart the kiosk or pcscd.".into(),
            ),
            Finding::NoReader => pick(
                "Không thấy đầu đọc thẻ: cắm lại cáp USB của đầu đọc.".into(),
                "No card reader: plug the reader's USB cable in again.".into(),
            ),
            Finding::ReaderError => pick(
                "Đầu đọc thẻ báo lỗi: rút và cắm lại đầu đọc; nếu vẫn lỗi, khởi động lại máy.".into(),
                "The card reader reports an error: unplug and replug it; if it persists, restart the kiosk.".into(),
            ),
            Finding::NoCamera => pick(
                "Không thấy camera: cắm lại cáp USB của camera.".into(),
                "No camera: plug the camera's USB cable in again.".into(),
            ),
            Finding::NoTrustStore => pick(
                "Chưa có kho chứng thư CSCA: thẻ sẽ hiện \"không rõ cơ quan cấp\"; báo quản trị viên cài kho chứng thư.".into(),
                "No CSCA trust store: cards will read \"issuer unknown\"; have the administrator install it.".into(),
            ),
            Finding::ClockSkew => pick(
                "Đồng hồ của máy sai giờ nên máy chủ từ chối: chỉnh ngày giờ (bật đồng bộ giờ tự động).".into(),
                "The kiosk's clock is off and the back office refuses it: set the date and time (turn on automatic time).".into(),
            ),
            Finding::Refused => pick(
                "Máy chủ tiếp nhận từ chối máy này: quản trị viên cần đăng ký lại máy.".into(),
                "The back office refuses this kiosk: the administrator must register it again.".into(),
            ),
            Finding::NotRegistered => pick(
                "Máy chưa đăng ký với máy chủ tiếp nhận: quản trị viên chạy bước thiết lập hoặc vneid-kiosk register.".into(),
                "The kiosk is not registered with the back office: the administrator runs the set-up or vneid-kiosk register.".into(),
            ),
            Finding::SyncNotStarted => pick(
                "Không khởi động được việc gửi hồ sơ: báo kỹ thuật viên (nhật ký ghi lý do).".into(),
                "Sending could not start: call the technician (the log says why).".into(),
            ),
            Finding::QueueFrozenTooMany { count } => pick(
                format!("Đã ngừng nhận hồ sơ mới: {count} hồ sơ chưa được máy chủ tiếp nhận. Kết nối máy với máy chủ tiếp nhận hoặc gọi kỹ thuật viên cấp huyện; các hồ sơ đã lưu vẫn an toàn."),
                format!("New enrollments stopped: {count} packages not yet acknowledged by the back office. Connect the kiosk to the back office or call the district technician; the stored packages are safe."),
            ),
            Finding::QueueFrozenTooOld { since } => pick(
                format!("Đã ngừng nhận hồ sơ mới: có hồ sơ chờ gửi từ {} quá lâu. Kết nối máy với máy chủ tiếp nhận hoặc gọi kỹ thuật viên cấp huyện; các hồ sơ đã lưu vẫn an toàn.", time(since)),
                format!("New enrollments stopped: a package has waited since {}, too long. Connect the kiosk to the back office or call the district technician; the stored packages are safe.", time(since)),
            ),
            Finding::Quarantined { count } => pick(
                format!("{count} hồ sơ bị máy chủ từ chối hẳn: xem danh sách \"chưa được tiếp nhận\" trong báo cáo và báo kỹ thuật viên."),
                format!("{count} packages refused for good by the back office: see the \"not yet acknowledged\" list in the reports and call the technician."),
            ),
            Finding::BackOfficeUnreachable { count, since } => pick(
                format!("Mất kết nối máy chủ, {count} hồ sơ chờ từ {}: kiểm tra mạng và địa chỉ máy chủ.", time(since)),
                format!("Back office unreachable, {count} packages waiting since {}: check the network and the back-office address.", time(since)),
            ),
            Finding::PackagesWaiting { count, since } => pick(
                format!("{count} hồ sơ chờ gửi từ {}: báo kỹ thuật viên kiểm tra việc đồng bộ.", time(since)),
                format!("{count} packages waiting since {}: have the technician check the sync.", time(since)),
            ),
            Finding::RecoveredFromCrash { at } => pick(
                format!("Máy đã tự khởi động lại sau sự cố lúc {}; hồ sơ đã lưu vẫn còn. Nếu lặp lại, tạo gói hỗ trợ (support-bundle) gửi kỹ thuật viên.", time(at)),
                format!("The kiosk restarted itself after a crash at {}; queued packages are kept. If it happens again, send a support bundle to the technician.", time(at)),
            ),
            Finding::BackOfficeUnreachableBriefly => pick(
                "Tạm mất kết nối máy chủ: hồ sơ được giữ lại và tự gửi khi có mạng.".into(),
                "Back office unreachable for now: packages are kept and sent when connected.".into(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;
    const HOUR: i64 = 3600 * 1000;

    fn healthy() -> Facts {
        Facts {
            now: NOW,
            data_dir_free: Some(10 * 1024 * 1024 * 1024),
            queue: Some(QueueFacts {
                unsent: 0,
                oldest_unsent_at: None,
                quarantined: 0,
                last_unclean_stop_at: None,
                audit: AuditChain::Intact,
                frozen: None,
            }),
            reader: ReaderStatus::Ready("Virtual PCD 00 00".into()),
            camera: CameraStatus::Ready("replay: camera".into()),
            trust_store_files: 2,
            link: Link::Reachable,
        }
    }

    fn with_queue(f: impl FnOnce(&mut QueueFacts)) -> Facts {
        let mut facts = healthy();
        if let Some(q) = facts.queue.as_mut() {
            f(q);
        }
        facts
    }

    #[test]
    fn a_healthy_kiosk_is_ok() {
        let finding = summarise(&healthy());
        assert_eq!(finding, Finding::Ok);
        assert_eq!((finding.code(), finding.level()), ("ok", Level::Ok));
    }

    #[test]
    fn each_fault_alone_gives_its_finding() {
        let cases: Vec<(Facts, &str)> = vec![
            (
                with_queue(|q| q.audit = AuditChain::Broken { seq: 7 }),
                "audit_broken",
            ),
            (
                Facts {
                    data_dir_free: None,
                    ..healthy()
                },
                "data_dir_unwritable",
            ),
            (
                Facts {
                    queue: None,
                    ..healthy()
                },
                "queue_unavailable",
            ),
            (
                Facts {
                    data_dir_free: Some(LOW_SPACE_BYTES - 1),
                    ..healthy()
                },
                "disk_low",
            ),
            (
                Facts {
                    reader: ReaderStatus::ServiceDown,
                    ..healthy()
                },
                "reader_service_down",
            ),
            (
                Facts {
                    reader: ReaderStatus::NoReader,
                    ..healthy()
                },
                "no_reader",
            ),
            (
                Facts {
                    camera: CameraStatus::NoCamera,
                    ..healthy()
                },
                "no_camera",
            ),
            (
                Facts {
                    trust_store_files: 0,
                    ..healthy()
                },
                "no_trust_store",
            ),
            (
                Facts {
                    link: Link::ClockSkew,
                    ..healthy()
                },
                "clock_skew",
            ),
            (
                Facts {
                    link: Link::Refused,
                    ..healthy()
                },
                "refused",
            ),
            (
                Facts {
                    link: Link::NotRegistered,
                    ..healthy()
                },
                "not_registered",
            ),
            (with_queue(|q| q.quarantined = 2), "quarantined"),
            (
                with_queue(|q| q.frozen = Some(Frozen::TooManyUnsent { count: 2 })),
                "queue_frozen_too_many",
            ),
            (
                with_queue(|q| q.frozen = Some(Frozen::UnsentTooLong { since: NOW })),
                "queue_frozen_too_old",
            ),
            (
                with_queue(|q| q.last_unclean_stop_at = Some(NOW - HOUR)),
                "recovered_from_crash",
            ),
            (
                Facts {
                    link: Link::Unreachable,
                    ..healthy()
                },
                "backoffice_unreachable_briefly",
            ),
        ];
        for (facts, code) in cases {
            assert_eq!(summarise(&facts).code(), code, "{facts:?}");
        }
    }

    #[test]
    fn waiting_packages_are_a_problem_after_an_hour_unreachable_or_a_day_in_any_case() {
        let waiting = |age: i64, link: Link| {
            let mut facts = with_queue(|q| {
                q.unsent = 3;
                q.oldest_unsent_at = Some(NOW - age);
            });
            facts.link = link;
            summarise(&facts)
        };
        assert_eq!(
            waiting(HOUR / 2, Link::Unreachable),
            Finding::BackOfficeUnreachableBriefly
        );
        let long = waiting(2 * HOUR, Link::Unreachable);
        assert_eq!(
            long,
            Finding::BackOfficeUnreachable {
                count: 3,
                since: NOW - 2 * HOUR
            }
        );
        assert_eq!((long.number(), long.at()), (Some(3), Some(NOW - 2 * HOUR)));
        assert_eq!(waiting(2 * HOUR, Link::Reachable), Finding::Ok);
        assert_eq!(waiting(2 * HOUR, Link::Unknown), Finding::Ok);
        assert_eq!(
            waiting(25 * HOUR, Link::Reachable).code(),
            "packages_waiting"
        );
        assert_eq!(
            waiting(25 * HOUR, Link::Unreachable).code(),
            "backoffice_unreachable"
        );
    }

    #[test]
    fn a_frozen_queue_is_a_problem_after_the_back_office_link_and_before_waiting_packages() {
        let mut facts = with_queue(|q| {
            q.unsent = 600;
            q.oldest_unsent_at = Some(NOW - 30 * HOUR);
            q.quarantined = 1;
            q.frozen = Some(Frozen::TooManyUnsent { count: 600 });
        });
        facts.link = Link::Unreachable;
        let frozen = summarise(&facts);
        assert_eq!(frozen, Finding::QueueFrozenTooMany { count: 600 });
        assert_eq!(
            (frozen.level(), frozen.number()),
            (Level::Problem, Some(600))
        );
        facts.link = Link::ClockSkew;
        assert_eq!(
            summarise(&facts),
            Finding::ClockSkew,
            "the cause's own fix first"
        );
        facts.link = Link::Reachable;
        facts.queue = facts.queue.map(|q| QueueFacts {
            frozen: Some(Frozen::UnsentTooLong {
                since: NOW - 30 * HOUR,
            }),
            ..q
        });
        let old = summarise(&facts);
        assert_eq!(old.at(), Some(NOW - 30 * HOUR));
        assert_eq!(old.code(), "queue_frozen_too_old");
        for lang in [Language::Vi, Language::En] {
            let text = old.text(lang, |_| "t".into());
            assert!(text.contains(lang.pick("an toàn", "safe")), "{text}");
        }
    }

    #[test]
    fn a_crash_is_a_notice_for_a_day_then_forgotten() {
        let crashed = |ago: i64| {
            summarise(&with_queue(|q| {
                q.last_unclean_stop_at = Some(NOW - ago);
            }))
        };
        let recent = crashed(23 * HOUR);
        assert_eq!(
            recent,
            Finding::RecoveredFromCrash {
                at: NOW - 23 * HOUR
            }
        );
        assert_eq!(recent.level(), Level::Notice);
        assert_eq!(crashed(25 * HOUR), Finding::Ok);
    }

    #[test]
    fn problems_come_before_notices_and_the_audit_before_everything() {
        let mut facts = with_queue(|q| {
            q.audit = AuditChain::Unreadable;
            q.last_unclean_stop_at = Some(NOW);
        });
        facts.reader = ReaderStatus::NoReader;
        facts.data_dir_free = Some(1);
        assert_eq!(summarise(&facts), Finding::AuditBroken { seq: None });
        facts.queue = facts.queue.map(|q| QueueFacts {
            audit: AuditChain::Intact,
            ..q
        });
        assert_eq!(summarise(&facts).code(), "disk_low");
        facts.data_dir_free = Some(LOW_SPACE_BYTES);
        assert_eq!(summarise(&facts), Finding::NoReader);
        facts.reader = ReaderStatus::CardPresent("R".into());
        assert_eq!(summarise(&facts).level(), Level::Notice);
    }

    #[test]
    fn every_finding_says_what_to_do_in_both_languages_with_its_number_and_time() {
        let time = |ms: i64| format!("t{ms}");
        let findings = [
            Finding::AuditBroken { seq: Some(12) },
            Finding::DiskLow { free_mb: 321 },
            Finding::Quarantined { count: 4 },
            Finding::QueueFrozenTooMany { count: 501 },
            Finding::QueueFrozenTooOld { since: 3 },
            Finding::BackOfficeUnreachable { count: 5, since: 9 },
            Finding::PackagesWaiting { count: 6, since: 8 },
            Finding::RecoveredFromCrash { at: 7 },
        ];
        for f in findings {
            for lang in [Language::Vi, Language::En] {
                let text = f.text(lang, time);
                if let Some(n) = f.number() {
                    assert!(text.contains(&n.to_string()), "{text}");
                }
                if let Some(at) = f.at() {
                    assert!(text.contains(&time(at)), "{text}");
                }
            }
        }
        assert!(
            Finding::NoReader
                .text(Language::Vi, time)
                .contains("đầu đọc")
        );
        assert!(
            Finding::NoReader
                .text(Language::En, time)
                .contains("reader")
        );
    }
}
