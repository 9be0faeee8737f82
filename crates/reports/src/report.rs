//! Progress reports: per residential group and in total, for a chosen period and cumulatively,
//! with progress against the target; per operator and per device.
//!
//! Counting rules, from the queue's state history:
//! - **in the period** ([`Flow`]): the enrollments made in it, and the packages acknowledged,
//!   approved, rejected or activated in it, whenever they were made ("đã phê duyệt trong kỳ");
//! - **cumulative** ([`Tally`]): every enrollment made from the start (the first phase's first
//!   day, or the kiosk's first enrollment) to the period's last day, at the state it had at the
//!   end of that day, as seed 004 asks ("số liệu giai đoạn 2 được cộng dồn tiếp theo từ giai
//!   đoạn 1"). A report printed again later for the same period gives the same figures.
//!
//! Packages queued before the history existed carry only the milestones their status row
//! kept (see `enroll`'s migration 0010): their earlier approvals are not in any period.
//!
//! Progress is activated accounts over the target (the seeds count an account only once it is
//! activated), truncated to two decimals like the seeds.

use crate::calendar::{LocalDate, Period};
use crate::groups::{Baseline, GroupDirectory, GroupKind};
use crate::locale::Percent;
use crate::tally::{Flow, Tally};
use enroll::ids::GroupId;
use enroll::queue::{Dimension, KeyedCount, Queue, QueueError};
use enroll::state::EnrollmentState;
use enroll::timestamp::Timestamp;
use std::collections::BTreeMap;

/// One residential group's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupLine {
    /// The group's id.
    pub id: GroupId,
    /// Its printed name (the id itself for a group enrollments name but the directory lacks).
    pub name: String,
    /// Tổ dân phố or thôn.
    pub kind: GroupKind,
    /// Whether the directory lists it.
    pub configured: bool,
    /// Its target (0: none).
    pub target: u64,
    /// Counts from outside the kiosk, if configured.
    pub baseline: Option<Baseline>,
    /// What happened in the period.
    pub period: Flow,
    /// Enrollments made from the start to the period's end, as they stood at its end.
    pub cumulative: Tally,
}

impl GroupLine {
    /// Cumulative activations over the target (None without a target).
    pub fn progress(&self) -> Option<Percent> {
        Percent::of(self.cumulative.activated(), self.target)
    }
}

/// A line per operator or device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyLine {
    /// The operator or device id.
    pub key: String,
    /// What happened in the period to the enrollments it made.
    pub period: Flow,
}

/// A full report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressReport {
    /// The period's days.
    pub period: Period,
    /// The first day the cumulative columns count from (None: from the first enrollment).
    pub cumulative_from: Option<LocalDate>,
    /// The phase's name when the report is for a phase.
    pub phase: Option<String>,
    /// When the report was made.
    pub generated_at: Timestamp,
    /// Configured groups in directory order, then unconfigured ones by id.
    pub groups: Vec<GroupLine>,
    /// Per operator, by id.
    pub operators: Vec<KeyLine>,
    /// Per device, by id.
    pub devices: Vec<KeyLine>,
}

impl ProgressReport {
    /// The total of the period column.
    pub fn period_total(&self) -> Flow {
        let mut t = Flow::default();
        for g in &self.groups {
            t += g.period;
        }
        t
    }

    /// The total of the cumulative column.
    pub fn cumulative_total(&self) -> Tally {
        let mut t = Tally::default();
        for g in &self.groups {
            t += g.cumulative;
        }
        t
    }

    /// The sum of the targets.
    pub fn total_target(&self) -> u64 {
        self.groups.iter().map(|g| g.target).sum()
    }

    /// Cumulative activations over the total target.
    pub fn total_progress(&self) -> Option<Percent> {
        Percent::of(self.cumulative_total().activated(), self.total_target())
    }

    /// The sum of the baselines.
    pub fn total_baseline(&self) -> Baseline {
        let mut b = Baseline::default();
        for x in self.groups.iter().filter_map(|g| g.baseline) {
            b += x;
        }
        b
    }
}

/// The queue's raw counts: `(key, state, n)` rows as [`Queue::counts_by`] returns them.
pub type Counts = [(String, EnrollmentState, u64)];

fn tallies(counts: &Counts) -> BTreeMap<&str, Tally> {
    let mut m: BTreeMap<&str, Tally> = BTreeMap::new();
    for (key, state, n) in counts {
        m.entry(key.as_str()).or_default().add_state(*state, *n);
    }
    m
}

/// Flows from the enrollments made (any state) and the states reached in the period.
fn flows<'a>(enrolled: &'a Counts, reached: &'a Counts) -> BTreeMap<&'a str, Flow> {
    let mut m: BTreeMap<&str, Flow> = BTreeMap::new();
    for (key, _, n) in enrolled {
        m.entry(key.as_str()).or_default().enrolled += n;
    }
    for (key, state, n) in reached {
        m.entry(key.as_str()).or_default().add_reached(*state, *n);
    }
    m
}

fn key_lines(enrolled: &Counts, reached: &Counts) -> Vec<KeyLine> {
    flows(enrolled, reached)
        .into_iter()
        .map(|(k, f)| KeyLine {
            key: k.to_owned(),
            period: f,
        })
        .collect()
}

/// What to report on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRequest {
    /// The period.
    pub period: Period,
    /// Where the cumulative columns start (None: from the first enrollment).
    pub cumulative_from: Option<LocalDate>,
    /// The phase's name, for the title.
    pub phase: Option<String>,
}

impl ReportRequest {
    /// A report for `period`, cumulative from the very first enrollment.
    pub fn for_period(period: Period) -> Self {
        Self {
            period,
            cumulative_from: None,
            phase: None,
        }
    }

    /// A report for phase `index` (0-based) of the directory, cumulative from the first
    /// phase's start; None if there is no such phase.
    pub fn for_phase(directory: &GroupDirectory, index: usize) -> Option<Self> {
        let (period, cumulative) = directory.phase_periods(index)?;
        Some(Self {
            period,
            cumulative_from: Some(cumulative.from),
            phase: directory.phases.get(index).map(|p| p.name.clone()),
        })
    }
}

/// The raw counts a report is built from: per key, enrollments made in the period
/// (`*_enrolled`), states reached in the period (`*_reached`), and for groups the cumulative
/// states at the period's end. Rows may repeat a key and state: they add up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawCounts {
    /// Per group, enrollments made in the period (by current state; only their number counts).
    pub groups_enrolled: Vec<(String, EnrollmentState, u64)>,
    /// Per group, packages that reached each state in the period.
    pub groups_reached: Vec<(String, EnrollmentState, u64)>,
    /// Per group, enrollments made from the cumulative start to the period's end, by their
    /// state at the period's end.
    pub groups_cumulative: Vec<(String, EnrollmentState, u64)>,
    /// Per operator, enrollments made in the period.
    pub operators_enrolled: Vec<(String, EnrollmentState, u64)>,
    /// Per operator, states reached in the period.
    pub operators_reached: Vec<(String, EnrollmentState, u64)>,
    /// Per device, enrollments made in the period.
    pub devices_enrolled: Vec<(String, EnrollmentState, u64)>,
    /// Per device, states reached in the period.
    pub devices_reached: Vec<(String, EnrollmentState, u64)>,
}

impl RawCounts {
    /// Reads the counts for `request` from the queue and its state history: the period's
    /// enrollments and its history each in one pass for all three dimensions, and the
    /// cumulative states (three queries).
    pub async fn from_queue(queue: &Queue, request: &ReportRequest) -> Result<Self, QueueError> {
        let (from, until) = request.period.bounds();
        let cumulative_start = request
            .cumulative_from
            .map(LocalDate::start)
            .unwrap_or(Timestamp::from_unix_millis(i64::MIN));
        let enrolled = queue.created_all(from, until).await?;
        let reached = queue.reached_all(from, until).await?;
        let by = |rows: &[KeyedCount], key: fn(&KeyedCount) -> &String| {
            rows.iter()
                .map(|r| (key(r).clone(), r.state, r.n))
                .collect::<Vec<_>>()
        };
        Ok(Self {
            groups_enrolled: by(&enrolled, |r| &r.group),
            groups_reached: by(&reached, |r| &r.group),
            groups_cumulative: queue
                .counts_as_of(Dimension::Group, cumulative_start, until, until)
                .await?,
            operators_enrolled: by(&enrolled, |r| &r.operator),
            operators_reached: by(&reached, |r| &r.operator),
            devices_enrolled: by(&enrolled, |r| &r.device),
            devices_reached: by(&reached, |r| &r.device),
        })
    }
}

impl ProgressReport {
    /// Builds the report from raw counts and the directory (pure; no I/O).
    pub fn build(
        directory: &GroupDirectory,
        request: &ReportRequest,
        raw: &RawCounts,
        generated_at: Timestamp,
    ) -> Self {
        let mut period = flows(&raw.groups_enrolled, &raw.groups_reached);
        let mut cumulative = tallies(&raw.groups_cumulative);
        let mut groups: Vec<GroupLine> = directory
            .groups
            .iter()
            .map(|g| GroupLine {
                id: g.id.clone(),
                name: g.name.clone(),
                kind: g.kind,
                configured: true,
                target: g.target,
                baseline: g.baseline,
                period: period.remove(g.id.as_str()).unwrap_or_default(),
                cumulative: cumulative.remove(g.id.as_str()).unwrap_or_default(),
            })
            .collect();
        let unknown: std::collections::BTreeSet<&str> =
            period.keys().chain(cumulative.keys()).copied().collect();
        for key in unknown {
            let Ok(id) = GroupId::new(key) else { continue };
            groups.push(GroupLine {
                name: key.to_owned(),
                id,
                kind: GroupKind::default(),
                configured: false,
                target: 0,
                baseline: None,
                period: period.get(key).copied().unwrap_or_default(),
                cumulative: cumulative.get(key).copied().unwrap_or_default(),
            });
        }
        Self {
            period: request.period,
            cumulative_from: request.cumulative_from,
            phase: request.phase.clone(),
            generated_at,
            groups,
            operators: key_lines(&raw.operators_enrolled, &raw.operators_reached),
            devices: key_lines(&raw.devices_enrolled, &raw.devices_reached),
        }
    }

    /// Reads the queue and builds the report.
    pub async fn from_queue(
        queue: &Queue,
        directory: &GroupDirectory,
        request: &ReportRequest,
        now: Timestamp,
    ) -> Result<Self, QueueError> {
        let raw = RawCounts::from_queue(queue, request).await?;
        Ok(Self::build(directory, request, &raw, now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use EnrollmentState::*;

    fn directory() -> GroupDirectory {
        GroupDirectory::from_toml(
            r#"
[commune]
authority = "ỦY BAN NHÂN DÂN"
name = "XÃ CẨM NGỌC"
place = "Cẩm Ngọc"
[[group]]
id = "thon-1"
name = "Thôn 1"
kind = "thon"
target = 1273
[[group]]
id = "thon-2"
name = "Thôn 2"
kind = "thon"
target = 0
"#,
        )
        .expect("directory")
    }

    fn request() -> ReportRequest {
        let d = LocalDate::new(2023, 5, 31).expect("d");
        ReportRequest::for_period(Period::day(d))
    }

    #[test]
    fn seed_001_level_2_progress_comes_out_as_83_89_percent() {
        let raw = RawCounts {
            groups_cumulative: vec![
                ("thon-1".into(), Activated, 1068),
                ("thon-1".into(), Approved, 40),
                ("thon-1".into(), Rejected, 5),
            ],
            ..RawCounts::default()
        };
        let r = ProgressReport::build(
            &directory(),
            &request(),
            &raw,
            Timestamp::from_unix_millis(0),
        );
        let line = &r.groups[0];
        assert_eq!(line.cumulative.enrolled(), 1113);
        assert_eq!(
            line.progress()
                .map(|p| p.format(crate::locale::Lang::Vi))
                .as_deref(),
            Some("83,89%")
        );
        assert_eq!(r.groups[1].progress(), None);
        assert_eq!(r.total_target(), 1273);
        assert_eq!(r.total_progress().map(|p| p.hundredths()), Some(8389));
    }

    #[test]
    fn groups_the_directory_lacks_are_listed_after_it_and_counted_in_totals() {
        let raw = RawCounts {
            groups_enrolled: vec![("thon-9".into(), Queued, 2), ("thon-1".into(), Approved, 1)],
            groups_reached: vec![("thon-1".into(), Approved, 4), ("thon-1".into(), Queued, 9)],
            groups_cumulative: vec![
                ("thon-9".into(), Queued, 2),
                ("thon-1".into(), Activated, 3),
            ],
            operators_enrolled: vec![("op-b".into(), Queued, 2), ("op-a".into(), Queued, 1)],
            devices_enrolled: vec![("kiosk-1".into(), Queued, 3)],
            devices_reached: vec![("kiosk-1".into(), Activated, 2)],
            ..RawCounts::default()
        };
        let r = ProgressReport::build(
            &directory(),
            &request(),
            &raw,
            Timestamp::from_unix_millis(0),
        );
        assert_eq!(r.groups.len(), 3);
        assert_eq!(r.groups[2].id.as_str(), "thon-9");
        assert!(!r.groups[2].configured);
        assert_eq!(r.period_total().enrolled, 3);
        assert_eq!(r.groups[0].period.approved, 4, "approvals in the period");
        assert_eq!(r.groups[2].period.approved, 0);
        assert_eq!(r.cumulative_total().enrolled(), 5);
        assert_eq!(
            r.operators
                .iter()
                .map(|l| l.key.as_str())
                .collect::<Vec<_>>(),
            vec!["op-a", "op-b"]
        );
        assert_eq!(
            (r.devices[0].period.enrolled, r.devices[0].period.activated),
            (3, 2)
        );
    }
}
