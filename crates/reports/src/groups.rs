//! Residential groups (tổ dân phố / thôn), their targets (chỉ tiêu) and the reporting phases
//! (giai đoạn), as the administrator configures them (a TOML file, format in `FORMAT.md`) or
//! as the back office sends them ([`GroupDirectory`] is a plain serde type the sync crate can
//! fill and hand to [`GroupDirectory::validate`]).
//!
//! Each enrollment counts for exactly one group: the [`GroupId`] in its package header.
//! A directory holds no personal data: group names, targets, counts and dates.

use crate::calendar::{DateError, LocalDate, Period};
use enroll::ids::GroupId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;
use unicode_normalization::UnicodeNormalization;

/// The longest name (of a group, phase or commune) accepted, in characters.
pub const MAX_NAME_CHARS: usize = 120;

/// Why a directory is refused. Names the offending entry by position or id, never by content
/// beyond the id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DirectoryError {
    /// The file could not be read.
    #[error("the residential groups file could not be read: {0}")]
    Io(std::io::ErrorKind),
    /// Not valid TOML, or fields missing, unknown or of the wrong type.
    #[error("the residential groups file is malformed: {0}")]
    Malformed(String),
    /// Two groups share an id.
    #[error("residential group {0} is listed twice")]
    DuplicateGroup(GroupId),
    /// A name is empty or longer than [`MAX_NAME_CHARS`].
    #[error("{0} has an empty or over-long name")]
    BadName(String),
    /// A phase is out of order, overlaps the previous one or ends before it starts.
    #[error("phase {0} ends before it starts or overlaps the phase before it")]
    PhaseOrder(usize),
}

/// The commune (xã / phường) the kiosk reports for: the header of printed reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Commune {
    /// First header line, e.g. `ỦY BAN NHÂN DÂN`.
    pub authority: String,
    /// Second header line, e.g. `PHƯỜNG SONG LIỄU`.
    pub name: String,
    /// The place written before the date: `Song Liễu, ngày 04 tháng 12 năm 2025`.
    pub place: String,
    /// The day the groups' baselines were counted (seed 003: 04/12/2025), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_date: Option<LocalDate>,
}

/// Whether a group is an urban tổ dân phố or a rural thôn (only the wording changes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum GroupKind {
    /// Tổ dân phố (ward).
    #[default]
    ToDanPho,
    /// Thôn (rural commune).
    Thon,
}

impl GroupKind {
    /// `Tổ dân phố` / `Thôn` (vi), `Residential group` / `Village` (en).
    pub fn label(self, lang: crate::locale::Lang) -> &'static str {
        use crate::locale::Lang;
        match (self, lang) {
            (GroupKind::ToDanPho, Lang::Vi) => "Tổ dân phố",
            (GroupKind::Thon, Lang::Vi) => "Thôn",
            (GroupKind::ToDanPho, Lang::En) => "Residential group",
            (GroupKind::Thon, Lang::En) => "Village",
        }
    }
}

/// Counts made outside the kiosk (by the commune police), as in seed 003's appendix: they are
/// reported beside the kiosk's own figures, never mixed into them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Chưa cấp căn cước: residents without an ID card.
    #[serde(default)]
    pub no_id_card: u64,
    /// Chưa kích hoạt ĐDĐT: level-2 accounts issued but never activated.
    #[serde(default)]
    pub not_activated: u64,
    /// Chưa cấp tài khoản ĐDĐT: residents with no level-2 enrollment.
    #[serde(default)]
    pub not_enrolled: u64,
}

impl std::ops::AddAssign for Baseline {
    fn add_assign(&mut self, o: Self) {
        self.no_id_card += o.no_id_card;
        self.not_activated += o.not_activated;
        self.not_enrolled += o.not_enrolled;
    }
}

/// One residential group and its target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResidentialGroup {
    /// The id enrollments carry (ASCII, e.g. `cong-ha`).
    pub id: GroupId,
    /// The name printed in reports, e.g. `Công Hà`.
    pub name: String,
    /// Tổ dân phố or thôn.
    #[serde(default)]
    pub kind: GroupKind,
    /// Chỉ tiêu: activated level-2 accounts expected (0 = no target: no percentage).
    #[serde(default)]
    pub target: u64,
    /// Counts from outside the kiosk, if the commune has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Baseline>,
}

/// A reporting phase (seed 004: "Giai đoạn 1: từ nay đến ngày 21/4/2023"). Phases follow each
/// other; each phase's figures are also reported cumulatively from the first phase's start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    /// `Giai đoạn 1`.
    pub name: String,
    /// The first day.
    pub from: LocalDate,
    /// The last day (included).
    pub until: LocalDate,
}

impl Phase {
    /// The phase's own days.
    pub fn period(&self) -> Period {
        Period {
            from: self.from,
            until: self.until,
        }
    }
}

/// Everything a report needs to know about the commune's groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupDirectory {
    /// The commune.
    pub commune: Commune,
    /// Its residential groups, in the order reports list them.
    #[serde(rename = "group", default)]
    pub groups: Vec<ResidentialGroup>,
    /// Reporting phases, in order (may be empty).
    #[serde(rename = "phase", default)]
    pub phases: Vec<Phase>,
}

fn clean_name(name: &mut String, what: impl FnOnce() -> String) -> Result<(), DirectoryError> {
    let n: String = name.trim().nfc().collect();
    let len = n.chars().count();
    if len == 0 || len > MAX_NAME_CHARS || n.chars().any(char::is_control) {
        return Err(DirectoryError::BadName(what()));
    }
    *name = n;
    Ok(())
}

impl GroupDirectory {
    /// Parses and validates a TOML directory.
    pub fn from_toml(text: &str) -> Result<Self, DirectoryError> {
        let dir: GroupDirectory =
            toml::from_str(text).map_err(|e| DirectoryError::Malformed(e.message().to_owned()))?;
        dir.validate()
    }

    /// Reads, parses and validates a TOML directory file.
    pub fn load(path: &Path) -> Result<Self, DirectoryError> {
        let text = std::fs::read_to_string(path).map_err(|e| DirectoryError::Io(e.kind()))?;
        Self::from_toml(&text)
    }

    /// The directory as TOML (what [`Self::from_toml`] reads back).
    pub fn to_toml(&self) -> Result<String, DirectoryError> {
        toml::to_string(self).map_err(|e| DirectoryError::Malformed(e.to_string()))
    }

    /// Checks a directory (from a file or from the back office) and normalises its names to
    /// NFC: unique group ids, non-empty names, phases in order without overlap.
    pub fn validate(mut self) -> Result<Self, DirectoryError> {
        clean_name(&mut self.commune.authority, || {
            "the commune authority".into()
        })?;
        clean_name(&mut self.commune.name, || "the commune".into())?;
        clean_name(&mut self.commune.place, || "the commune's place".into())?;
        let mut seen = BTreeSet::new();
        for g in &mut self.groups {
            if !seen.insert(g.id.clone()) {
                return Err(DirectoryError::DuplicateGroup(g.id.clone()));
            }
            clean_name(&mut g.name, || format!("residential group {}", g.id))?;
        }
        let mut previous_end: Option<LocalDate> = None;
        for (i, p) in self.phases.iter_mut().enumerate() {
            clean_name(&mut p.name, || format!("phase {}", i + 1))?;
            if p.until < p.from || previous_end.is_some_and(|end| p.from <= end) {
                return Err(DirectoryError::PhaseOrder(i + 1));
            }
            previous_end = Some(p.until);
        }
        Ok(self)
    }

    /// The group with this id, if configured.
    pub fn group(&self, id: &GroupId) -> Option<&ResidentialGroup> {
        self.groups.iter().find(|g| &g.id == id)
    }

    /// The sum of all groups' targets.
    pub fn total_target(&self) -> u64 {
        self.groups.iter().map(|g| g.target).sum()
    }

    /// The sum of all groups' baselines.
    pub fn total_baseline(&self) -> Baseline {
        let mut total = Baseline::default();
        for b in self.groups.iter().filter_map(|g| g.baseline) {
            total += b;
        }
        total
    }

    /// Phase `index` (0-based) and the cumulative period from the first phase's start to its
    /// end (seed 004: "Số liệu giai đoạn 2 được cộng dồn tiếp theo từ giai đoạn 1").
    pub fn phase_periods(&self, index: usize) -> Option<(Period, Period)> {
        let first = self.phases.first()?;
        let phase = self.phases.get(index)?;
        Some((
            phase.period(),
            Period {
                from: first.from,
                until: phase.until,
            },
        ))
    }
}

impl From<DateError> for DirectoryError {
    fn from(e: DateError) -> Self {
        DirectoryError::Malformed(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
[commune]
authority = "ỦY BAN NHÂN DÂN"
name = "XÃ CẨM NGỌC"
place = "Cẩm Ngọc"

[[group]]
id = "thon-1"
name = "Thôn 1"
kind = "thon"
target = 120

[[group]]
id = "thon-2"
name = "  Thôn 2 "
kind = "thon"
target = 80
baseline = { no_id_card = 3, not_enrolled = 17 }

[[phase]]
name = "Giai đoạn 1"
from = 2023-04-14
until = 2023-04-21

[[phase]]
name = "Giai đoạn 2"
from = "2023-04-22"
until = 2023-04-28
"#;

    #[test]
    fn a_directory_file_loads_with_targets_baselines_and_phases() {
        let d = GroupDirectory::from_toml(SAMPLE).expect("valid");
        assert_eq!(d.groups.len(), 2);
        assert_eq!(d.total_target(), 200);
        assert_eq!(d.groups[1].name, "Thôn 2");
        assert_eq!(d.groups[0].kind, GroupKind::Thon);
        assert_eq!(
            d.total_baseline(),
            Baseline {
                no_id_card: 3,
                not_activated: 0,
                not_enrolled: 17
            }
        );
        let (phase, cumulative) = d.phase_periods(1).expect("phase 2");
        assert_eq!(phase.from.to_string(), "2023-04-22");
        assert_eq!(cumulative.from.to_string(), "2023-04-14");
        assert_eq!(cumulative.until.to_string(), "2023-04-28");
        assert!(d.phase_periods(2).is_none());
    }

    #[test]
    fn seed_003_appendix_as_baselines_reproduces_its_totals() {
        let d = GroupDirectory::from_toml(include_str!("../tests/fixtures/song_lieu.toml"))
            .expect("the Song Liễu fixture is valid");
        assert_eq!(d.groups.len(), 20);
        assert_eq!(
            d.total_baseline(),
            Baseline {
                no_id_card: 681,
                not_activated: 977,
                not_enrolled: 4_922
            }
        );
        let doan_ha = d
            .group(&GroupId::new("doan-ha").expect("id"))
            .expect("Doãn Hạ");
        assert_eq!(doan_ha.name, "Doãn Hạ");
        assert_eq!(d.total_target(), 977 + 4_922);
    }

    #[test]
    fn a_directory_round_trips_through_toml() {
        let d = GroupDirectory::from_toml(SAMPLE).expect("valid");
        let again = GroupDirectory::from_toml(&d.to_toml().expect("toml")).expect("valid");
        assert_eq!(again, d);
    }

    #[test]
    fn a_directory_from_the_back_office_as_json_validates_like_a_file() {
        let json = r#"{
            "commune": {"authority": "ỦY BAN NHÂN DÂN", "name": "XÃ CẨM NGỌC", "place": "Cẩm Ngọc"},
            "group": [
                {"id": "thon-1", "name": "Thôn 1", "kind": "thon", "target": 1273},
                {"id": "thon-1", "name": "Thôn 1 bis"}
            ],
            "phase": [{"name": "Giai đoạn 1", "from": "2023-04-14", "until": "2023-04-21"}]
        }"#;
        let parsed: GroupDirectory = serde_json::from_str(json).expect("parses");
        assert_eq!(
            parsed.phases[0].until,
            LocalDate::new(2023, 4, 21).expect("d")
        );
        assert!(matches!(
            parsed.validate(),
            Err(DirectoryError::DuplicateGroup(_))
        ));
        let d = GroupDirectory::from_toml(SAMPLE).expect("valid");
        let back: GroupDirectory =
            serde_json::from_str(&serde_json::to_string(&d).expect("json")).expect("parses");
        assert_eq!(back.validate(), Ok(d));
    }

    #[test]
    fn names_are_normalised_to_nfc() {
        // "Thôn" with o + combining circumflex (NFD), as some keyboards type it.
        let text = SAMPLE.replace("Thôn 1", "Tho\u{0302}n 1");
        let d = GroupDirectory::from_toml(&text).expect("valid");
        assert_eq!(d.groups[0].name, "Thôn 1");
    }

    #[test]
    fn duplicate_groups_overlapping_phases_and_typos_are_refused() {
        let dup = SAMPLE.replace("id = \"thon-2\"", "id = \"thon-1\"");
        assert_eq!(
            GroupDirectory::from_toml(&dup),
            Err(DirectoryError::DuplicateGroup(
                GroupId::new("thon-1").expect("id")
            ))
        );
        let overlap = SAMPLE.replace("from = \"2023-04-22\"", "from = \"2023-04-21\"");
        assert_eq!(
            GroupDirectory::from_toml(&overlap),
            Err(DirectoryError::PhaseOrder(2))
        );
        let reversed = SAMPLE.replace("until = 2023-04-21", "until = 2023-04-13");
        assert_eq!(
            GroupDirectory::from_toml(&reversed),
            Err(DirectoryError::PhaseOrder(1))
        );
        let typo = SAMPLE.replace("target = 120", "taget = 120");
        assert!(matches!(
            GroupDirectory::from_toml(&typo),
            Err(DirectoryError::Malformed(_))
        ));
        let empty = SAMPLE.replace("\"  Thôn 2 \"", "\"   \"");
        assert!(matches!(
            GroupDirectory::from_toml(&empty),
            Err(DirectoryError::BadName(_))
        ));
        let bad_id = SAMPLE.replace("id = \"thon-1\"", "id = \"Thôn 1\"");
        assert!(matches!(
            GroupDirectory::from_toml(&bad_id),
            Err(DirectoryError::Malformed(_))
        ));
        let bad_date = SAMPLE.replace("2023-04-28", "2023-02-30");
        assert!(matches!(
            GroupDirectory::from_toml(&bad_date),
            Err(DirectoryError::Malformed(_))
        ));
    }
}
