//! The counter's "Báo cáo" area: progress reports (supervisor or administrator), follow-up lists
//! with contact notes (any signed-in operator), the activation guide, exports to the data
//! directory and printing through the system's print dialog. Thin: the figures, lists, tables
//! and files all come from the `reports` crate; these commands check the mode and the signed-in
//! operator's role, read the data directory, and map failures to a code the UI turns into a
//! sentence. Nothing here logs a name, a phone or a note.

use std::path::{Path, PathBuf};

use enroll::ids::GroupId;
use enroll::local_key::LocalKey;
use enroll::operators::{Permission, Session as OperatorSession};
use enroll::package::PackageId;
use enroll::queue::{Queue, QueueError};
use enroll::timestamp::Timestamp;
use kiosk_config::{Config, Mode};
use reports::calendar::{LocalDate, Period};
use reports::contacts::{ContactLog, ContactOutcome, Note, NotesKey};
use reports::export::{self, ExportError};
use reports::followup::{
    ContactDetails, FollowUpError, FollowUpKind, ListQuery, Sources, call_list_table,
    follow_up_count, follow_up_list, reason_text,
};
use reports::groups::{Commune, DirectoryError, GroupDirectory, ResidentialGroup};
use reports::locale::{Lang, Percent};
use reports::report::{ProgressReport, ReportRequest};
use reports::table::{Cell, Table, all_tables, heading, one_line};
use serde::{Deserialize, Serialize};

use crate::shell::Shell;

/// The residential groups with targets, phases and the commune header (format:
/// `crates/reports/FORMAT.md`); without it, the plain `residential-groups.txt` list is used,
/// with no targets.
pub const GROUPS_TOML: &str = "residential-groups.toml";
/// Who called whom, with encrypted notes (`reports::contacts`).
const CONTACTS_FILE: &str = "contacts.sqlite";
/// The contact notes' own local data key (`reports::contacts::NotesKey`).
pub const NOTES_KEY_FILE: &str = "contact-notes.key";
/// Where exports are written, inside the data directory.
pub const EXPORTS_DIR: &str = "exports";
/// The most entries one follow-up page shows.
const MAX_PAGE: u32 = 100;

/// A refusal or failure the UI shows as one sentence (vi and en) for its code.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct ScreenError {
    code: &'static str,
}

fn fail(code: &'static str) -> ScreenError {
    ScreenError { code }
}

fn queue_failed(err: &QueueError) -> ScreenError {
    tracing::warn!(error = %err, "reports: queue database error");
    fail(match err {
        QueueError::DiskFull => "queue.disk_full",
        QueueError::Corrupt(_) => "queue.corrupt",
        _ => "queue.database",
    })
}

fn followup_failed(err: FollowUpError) -> ScreenError {
    match err {
        FollowUpError::NotPermitted => fail("reports.followup_not_permitted"),
        FollowUpError::Queue(e) => queue_failed(&e),
        FollowUpError::Contacts(e) => {
            tracing::warn!(error = %e, "reports: contact log error");
            fail("reports.contacts_failed")
        }
    }
}

fn export_failed(err: ExportError) -> ScreenError {
    match err {
        ExportError::NotPermitted => fail("reports.export_not_permitted"),
        ExportError::Audit(e) => {
            tracing::warn!(error = %e, "reports: the export could not be audited");
            fail("reports.audit_failed")
        }
        other => {
            tracing::warn!(error = %other, "reports: the export could not be written");
            fail("reports.export_failed")
        }
    }
}

/// The signed-in counter operator, or why there is none (signed out, or the desk locked just
/// now: see `Shell::acting_operator`).
async fn operator(shell: &Shell) -> Result<OperatorSession, ScreenError> {
    if shell.config.mode != Mode::Counter {
        return Err(fail("reports.counter_only"));
    }
    shell
        .acting_operator(std::time::Instant::now())
        .await
        .map_err(|err| fail(err.code()))
}

fn queue(shell: &Shell) -> Result<&Queue, ScreenError> {
    shell.queue.as_ref().ok_or(fail("queue.unavailable"))
}

fn lang_of(lang: &str) -> Lang {
    if lang == "en" { Lang::En } else { Lang::Vi }
}

/// The directory reports count against: the TOML file when there is one, else the plain group
/// list with no targets under a letterhead named after the kiosk.
pub fn directory(config: &Config) -> Result<GroupDirectory, DirectoryError> {
    let toml = config.data_dir.join(GROUPS_TOML);
    if toml.exists() {
        return GroupDirectory::load(&toml);
    }
    let groups = crate::enrollment::load_groups(&config.data_dir)
        .into_iter()
        .filter_map(|g| {
            GroupId::new(g.id).ok().map(|id| ResidentialGroup {
                id,
                name: g.name,
                kind: Default::default(),
                target: 0,
                baseline: None,
            })
        })
        .collect();
    GroupDirectory {
        commune: Commune {
            authority: "ỦY BAN NHÂN DÂN".into(),
            name: config.device_name.to_uppercase(),
            place: config.device_name.clone(),
            baseline_date: None,
        },
        groups,
        phases: Vec::new(),
    }
    .validate()
}

fn load_directory(config: &Config) -> Result<GroupDirectory, ScreenError> {
    directory(config).map_err(|err| {
        tracing::warn!(error = %err, "reports: the residential groups file is invalid");
        fail("reports.groups_invalid")
    })
}

/// What the signed-in operator may see and do here.
#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Access {
    role: &'static str,
    reports: bool,
    exports: bool,
    follow_up: bool,
    /// Where exports are written (shown to the user).
    export_dir: String,
}

#[tauri::command]
pub async fn reports_access(shell: tauri::State<'_, Shell>) -> Result<Access, ScreenError> {
    let session = operator(&shell).await?;
    Ok(access(&session, &shell.config.data_dir))
}

fn access(session: &OperatorSession, data_dir: &Path) -> Access {
    let may = |p| session.role.permits(p);
    Access {
        role: session.role.as_str(),
        reports: may(Permission::Export),
        exports: may(Permission::Export),
        follow_up: may(Permission::ViewFollowUp),
        export_dir: data_dir.join(EXPORTS_DIR).display().to_string(),
    }
}

/// Which report: a phase of the directory, or a period with an optional cumulative start.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportInput {
    phase: Option<usize>,
    from: Option<String>,
    until: Option<String>,
    cumulative_from: Option<String>,
    lang: String,
}

fn date(s: &str) -> Result<LocalDate, ScreenError> {
    LocalDate::parse_iso(s).map_err(|_| fail("reports.bad_period"))
}

fn request(input: &ReportInput, directory: &GroupDirectory) -> Result<ReportRequest, ScreenError> {
    if let Some(i) = input.phase {
        return ReportRequest::for_phase(directory, i).ok_or(fail("reports.bad_period"));
    }
    let (Some(from), Some(until)) = (input.from.as_deref(), input.until.as_deref()) else {
        return Err(fail("reports.bad_period"));
    };
    let period = Period::new(date(from)?, date(until)?).map_err(|_| fail("reports.bad_period"))?;
    Ok(ReportRequest {
        period,
        cumulative_from: input.cumulative_from.as_deref().map(date).transpose()?,
        phase: None,
    })
}

/// A table as printed: one-line headers, cells as the seeds print them.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TableView {
    name: &'static str,
    title: String,
    bands: Vec<(String, usize, usize)>,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    numeric: Vec<bool>,
    total: Option<Vec<String>>,
}

fn table_view(t: &Table, lang: Lang) -> TableView {
    let show = |row: &Vec<Cell>| row.iter().map(|c| c.display(lang)).collect();
    TableView {
        name: t.name,
        title: t.title.clone(),
        bands: t.bands.clone(),
        headers: t.headers.iter().map(|h| one_line(h)).collect(),
        numeric: t
            .rows
            .first()
            .map(|r| r.iter().map(Cell::is_numeric).collect())
            .unwrap_or_default(),
        rows: t.rows.iter().map(show).collect(),
        total: t.total.as_ref().map(show),
    }
}

/// One bar of the progress chart.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupBar {
    name: String,
    target: u64,
    activated: u64,
    /// Progress in hundredths of a percent, truncated (None without a target).
    hundredths: Option<u64>,
    /// `83,89%` / `83.89%`.
    progress: Option<String>,
}

/// One day of the enrollments chart.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DayBar {
    /// `dd/mm`.
    day: String,
    enrolled: u64,
    approved: u64,
    activated: u64,
}

/// A configured phase, for the period picker.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhaseView {
    index: usize,
    name: String,
    from: String,
    until: String,
}

/// The report as the screen shows it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProgressView {
    title: String,
    subtitle: String,
    from: String,
    until: String,
    tables: Vec<TableView>,
    groups: Vec<GroupBar>,
    total: Option<GroupBar>,
    daily: Vec<DayBar>,
    phases: Vec<PhaseView>,
}

fn iso(d: LocalDate) -> String {
    let (y, m, day) = d.parts();
    format!("{y:04}-{m:02}-{day:02}")
}

fn bar(name: String, target: u64, activated: u64, lang: Lang) -> GroupBar {
    let p = Percent::of(activated, target);
    GroupBar {
        name,
        target,
        activated,
        hundredths: p.map(Percent::hundredths),
        progress: p.map(|p| p.format(lang)),
    }
}

/// The longest period the per-day chart covers (one bar a day).
const MAX_CHART_DAYS: i64 = 93;

fn view(
    report: &ProgressReport,
    daily: &[(LocalDate, reports::tally::Flow)],
    directory: &GroupDirectory,
    lang: Lang,
) -> ProgressView {
    let (title, subtitle) = heading(report, lang);
    let groups = report
        .groups
        .iter()
        .map(|g| bar(g.name.clone(), g.target, g.cumulative.activated(), lang))
        .collect();
    let total = bar(
        match lang {
            Lang::Vi => "Tổng".into(),
            Lang::En => "Total".into(),
        },
        report.total_target(),
        report.cumulative_total().activated(),
        lang,
    );
    ProgressView {
        title,
        subtitle,
        from: iso(report.period.from),
        until: iso(report.period.until),
        tables: all_tables(report, lang)
            .iter()
            .map(|t| table_view(t, lang))
            .collect(),
        groups,
        total: Some(total),
        daily: daily
            .iter()
            .map(|(d, f)| {
                let (_, m, day) = d.parts();
                DayBar {
                    day: format!("{day:02}/{m:02}"),
                    enrolled: f.enrolled,
                    approved: f.approved,
                    activated: f.activated,
                }
            })
            .collect(),
        phases: directory
            .phases
            .iter()
            .enumerate()
            .map(|(index, p)| PhaseView {
                index,
                name: p.name.clone(),
                from: iso(p.from),
                until: iso(p.until),
            })
            .collect(),
    }
}

async fn build_report(
    queue: &Queue,
    directory: &GroupDirectory,
    input: &ReportInput,
) -> Result<ProgressReport, ScreenError> {
    let request = request(input, directory)?;
    ProgressReport::from_queue(queue, directory, &request, Timestamp::now())
        .await
        .map_err(|e| queue_failed(&e))
}

#[tauri::command]
pub async fn reports_progress(
    shell: tauri::State<'_, Shell>,
    input: ReportInput,
) -> Result<ProgressView, ScreenError> {
    let session = operator(&shell).await?;
    session
        .require(Permission::Export)
        .map_err(|_| fail("reports.report_not_permitted"))?;
    let queue = queue(&shell)?;
    let directory = load_directory(&shell.config)?;
    let report = build_report(queue, &directory, &input).await?;
    let daily = if report.period.from.days_until(report.period.until) < MAX_CHART_DAYS {
        reports::daily::daily_flows(queue, report.period)
            .await
            .map_err(|e| queue_failed(&e))?
    } else {
        Vec::new()
    };
    Ok(view(&report, &daily, &directory, lang_of(&input.lang)))
}

fn kind_of(s: &str) -> Result<FollowUpKind, ScreenError> {
    match s {
        "approved-not-activated" => Ok(FollowUpKind::ApprovedNotActivated),
        "rejected" => Ok(FollowUpKind::Rejected),
        "not-acknowledged" => Ok(FollowUpKind::NotAcknowledged),
        _ => Err(fail("reports.unknown_list")),
    }
}

/// Which page of which list.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListInput {
    kind: String,
    group: Option<String>,
    page: u32,
    page_size: u32,
    lang: String,
}

/// One citizen on a list. Personal data: shown, never logged.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryView {
    package: String,
    name: Option<String>,
    phone: Option<String>,
    id_masked: Option<String>,
    /// `not_stored` / `unreadable` when the name cannot be shown.
    details: &'static str,
    group: String,
    since: String,
    enrolled: String,
    days_waiting: i64,
    reason: Option<String>,
    attempts: u32,
    last_contact: Option<ContactView>,
}

/// The latest contact attempt.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactView {
    outcome: String,
    day: String,
    operator: String,
    note: String,
}

/// A page of a list with the list's length.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListPage {
    total: u64,
    page: u32,
    page_size: u32,
    entries: Vec<EntryView>,
    outcomes: Vec<(&'static str, &'static str)>,
}

async fn contacts(config: &Config) -> Result<ContactLog, ScreenError> {
    let failed = |e: reports::contacts::ContactError| {
        tracing::warn!(error = %e, "reports: contact log unavailable");
        fail("reports.contacts_failed")
    };
    let (key, _) =
        NotesKey::load_or_create(&config.data_dir.join(NOTES_KEY_FILE)).map_err(failed)?;
    ContactLog::open(&config.data_dir.join(CONTACTS_FILE), key)
        .await
        .map_err(failed)
}

fn local_key(config: &Config) -> Result<LocalKey, ScreenError> {
    LocalKey::load_or_create(&config.data_dir.join(crate::enrollment::FOLLOWUP_KEY_FILE))
        .map(|(key, _)| key)
        .map_err(|_| fail("reports.key_unavailable"))
}

fn group_of(s: Option<&str>) -> Result<Option<GroupId>, ScreenError> {
    s.filter(|g| !g.is_empty())
        .map(|g| GroupId::new(g).map_err(|_| fail("reports.unknown_list")))
        .transpose()
}

fn entry_view(
    e: reports::followup::FollowUpEntry,
    directory: &GroupDirectory,
    lang: Lang,
) -> EntryView {
    let (name, phone, id_masked, details) = match e.details {
        ContactDetails::Known(f) => (
            Some(f.full_name.clone()),
            Some(f.phone.clone()),
            Some(f.id_masked.clone()),
            "known",
        ),
        ContactDetails::NotStored => (None, None, None, "not_stored"),
        ContactDetails::Unreadable => (None, None, None, "unreadable"),
    };
    EntryView {
        package: e.package.to_string(),
        name,
        phone,
        id_masked,
        details,
        group: directory
            .group(&e.group)
            .map(|g| g.name.clone())
            .unwrap_or_else(|| e.group.as_str().to_owned()),
        since: LocalDate::containing(e.since).dd_mm_yyyy(),
        enrolled: LocalDate::containing(e.enrolled_at).dd_mm_yyyy(),
        days_waiting: e.days_waiting,
        reason: e.reason.as_ref().map(|r| reason_text(r, lang)),
        attempts: e.attempts,
        last_contact: e.last_contact.map(|c| ContactView {
            outcome: c.outcome.label(lang).to_owned(),
            day: LocalDate::containing(c.at).dd_mm_yyyy(),
            operator: c.operator.as_str().to_owned(),
            note: c.note.as_str().to_owned(),
        }),
    }
}

#[tauri::command]
pub async fn reports_followup(
    shell: tauri::State<'_, Shell>,
    input: ListInput,
) -> Result<ListPage, ScreenError> {
    let session = operator(&shell).await?;
    let queue = queue(&shell)?;
    let kind = kind_of(&input.kind)?;
    let group = group_of(input.group.as_deref())?;
    let lang = lang_of(&input.lang);
    let directory = load_directory(&shell.config)?;
    let key = shell
        .keys
        .followup()
        .map_err(|_| fail("reports.key_unavailable"))?;
    let log = contacts(&shell.config).await?;
    let page_size = input.page_size.clamp(1, MAX_PAGE);
    let total = follow_up_count(&session, queue, kind, group.as_ref())
        .await
        .map_err(followup_failed)?;
    let entries = follow_up_list(
        &session,
        Sources {
            queue,
            key: &key,
            contacts: Some(&log),
        },
        &ListQuery {
            kind,
            group,
            limit: page_size,
            offset: u64::from(input.page) * u64::from(page_size),
            now: Timestamp::now(),
        },
    )
    .await
    .map_err(followup_failed)?;
    log.close().await;
    Ok(ListPage {
        total,
        page: input.page,
        page_size,
        entries: entries
            .into_iter()
            .map(|e| entry_view(e, &directory, lang))
            .collect(),
        outcomes: ContactOutcome::ALL
            .iter()
            .map(|o| (o.as_str(), o.label(lang)))
            .collect(),
    })
}

/// "Đã liên hệ": records a contact attempt with its outcome and note.
#[tauri::command]
pub async fn reports_contact(
    shell: tauri::State<'_, Shell>,
    package: String,
    outcome: String,
    note: String,
) -> Result<(), ScreenError> {
    let session = operator(&shell).await?;
    session
        .require(Permission::ViewFollowUp)
        .map_err(|_| fail("reports.followup_not_permitted"))?;
    let package: PackageId = package.parse().map_err(|_| fail("reports.unknown_list"))?;
    let outcome = ContactOutcome::ALL
        .into_iter()
        .find(|o| o.as_str() == outcome)
        .ok_or(fail("reports.unknown_outcome"))?;
    let note = Note::new(&note).map_err(|_| fail("reports.note_too_long"))?;
    queue(&shell)?.status(package).await.map_err(|e| match e {
        QueueError::NotFound(_) => fail("reports.unknown_list"),
        other => queue_failed(&other),
    })?;
    let log = contacts(&shell.config).await?;
    log.record(package, &session.operator, outcome, &note, Timestamp::now())
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "reports: contact not recorded");
            fail("reports.contacts_failed")
        })?;
    log.close().await;
    tracing::info!(outcome = outcome.as_str(), "follow-up contact recorded");
    Ok(())
}

/// One step of the activation guide.
#[derive(Debug, Serialize)]
pub struct GuideStepView {
    number: u8,
    title: &'static str,
    detail: String,
}

/// The seeds' activation guide, in the asked language.
#[tauri::command]
pub fn reports_guide(lang: String) -> (String, Vec<GuideStepView>) {
    let lang = lang_of(&lang);
    (
        reports::guide::title(lang).to_owned(),
        reports::guide::activation_steps(lang)
            .into_iter()
            .map(|s| GuideStepView {
                number: s.number,
                title: s.title,
                detail: s.detail,
            })
            .collect(),
    )
}

/// What to export.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportInput {
    /// `xlsx`, `csv` or `pdf`.
    format: String,
    /// `progress`, or a follow-up list's kind.
    what: String,
    report: ReportInput,
    group: Option<String>,
}

/// Where the export went.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportDone {
    path: String,
    bytes: u64,
}

/// The file's bytes; the grant proves the export was permitted and audited.
async fn export_bytes(
    config: &Config,
    queue: &Queue,
    grant: &export::ExportGrant,
    session: &OperatorSession,
    input: &ExportInput,
    directory: &GroupDirectory,
) -> Result<Vec<u8>, ScreenError> {
    let lang = lang_of(&input.report.lang);
    let (tables, head, day) = if input.what == "progress" {
        let report = build_report(queue, directory, &input.report).await?;
        let day = LocalDate::containing(report.generated_at);
        (all_tables(&report, lang), heading(&report, lang), day)
    } else {
        let kind = kind_of(&input.what)?;
        let key = local_key(config)?;
        let log = contacts(config).await?;
        let now = Timestamp::now();
        let entries = follow_up_list(
            session,
            Sources {
                queue,
                key: &key,
                contacts: Some(&log),
            },
            &ListQuery {
                kind,
                group: group_of(input.group.as_deref())?,
                limit: u32::MAX,
                offset: 0,
                now,
            },
        )
        .await
        .map_err(followup_failed)?;
        log.close().await;
        let day = LocalDate::containing(now);
        let title = kind.title(lang).to_owned();
        let subtitle = match lang {
            Lang::Vi => format!("Ngày {}", day.dd_mm_yyyy()),
            Lang::En => format!("As of {}", day.dd_mm_yyyy()),
        };
        (
            vec![call_list_table(kind, &entries, directory, lang)],
            (title, subtitle),
            day,
        )
    };
    match input.format.as_str() {
        "xlsx" => export::xlsx::write_tables(grant, &tables, &head, &directory.commune)
            .map_err(export_failed),
        "pdf" => export::pdf::write_tables(grant, &tables, &head, &directory.commune, day, lang)
            .map_err(export_failed),
        "csv" => Ok(tables
            .iter()
            .map(|t| export::csv::write(grant, t, lang, ','))
            .collect::<String>()
            .into_bytes()),
        _ => Err(fail("reports.unknown_format")),
    }
}

/// The export's name in the audit log and the file name's stem: what, and which period or
/// group, never a person's name.
fn export_name(input: &ExportInput) -> String {
    let period = match (
        input.what.as_str(),
        &input.report.phase,
        &input.report.from,
        &input.report.until,
    ) {
        ("progress", Some(i), _, _) => format!("phase-{}", i + 1),
        ("progress", None, Some(f), Some(u)) => format!("{f}_{u}"),
        ("progress", ..) => "all".into(),
        // A call list: its group (or all), as it stands today.
        _ => input.group.clone().unwrap_or_else(|| "all".into()),
    };
    let what: String = input
        .what
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let safe: String = period
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    format!("{what}-{safe}")
}

/// Writes `bytes` to `dir/name` (0600, written beside then renamed), creating `dir` (0700).
fn save(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
    use std::io::Write;
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    let path = dir.join(name);
    let tmp = dir.join(format!(".{name}.tmp"));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}

/// Exports a report or a call list into `exports/` under the data directory. Refused for the
/// operator role; every export is written to the audit log first.
#[tauri::command]
pub async fn reports_export(
    shell: tauri::State<'_, Shell>,
    input: ExportInput,
) -> Result<ExportDone, ScreenError> {
    let session = operator(&shell).await?;
    export_to(&shell.config, queue(&shell)?, &session, &input).await
}

async fn export_to(
    config: &Config,
    queue: &Queue,
    session: &OperatorSession,
    input: &ExportInput,
) -> Result<ExportDone, ScreenError> {
    let ext = match input.format.as_str() {
        f @ ("xlsx" | "csv" | "pdf") => f,
        _ => return Err(fail("reports.unknown_format")),
    };
    let directory = load_directory(config)?;
    let name = export_name(input);
    let now = Timestamp::now();
    let grant = export::authorize(session, &queue.audit(), &format!("{name}.{ext}"), now)
        .await
        .map_err(export_failed)?;
    let bytes = export_bytes(config, queue, &grant, session, input, &directory).await?;
    let stamp = now.unix_millis();
    let path = save(
        &config.data_dir.join(EXPORTS_DIR),
        &format!("{name}-{stamp}.{ext}"),
        &bytes,
    )
    .map_err(|e| {
        tracing::warn!(error = %e, "reports: the export file could not be written");
        fail("reports.export_failed")
    })?;
    tracing::info!(format = ext, bytes = bytes.len(), "report exported");
    Ok(ExportDone {
        path: path.display().to_string(),
        bytes: bytes.len() as u64,
    })
}

/// Opens the system's print dialog for what the window shows (the UI has laid out a print view
/// first). Counter mode only; the report and the lists need the export permission and are
/// audited like an export; the guide and the citizen's receipt need a signed-in operator.
#[tauri::command]
pub async fn print_view(
    shell: tauri::State<'_, Shell>,
    window: tauri::WebviewWindow,
    what: String,
) -> Result<(), ScreenError> {
    let session = operator(&shell).await?;
    match what.as_str() {
        "guide" | "receipt" => {}
        "progress" | "approved-not-activated" | "rejected" | "not-acknowledged" => {
            let audit = queue(&shell)?.audit();
            export::authorize(&session, &audit, &format!("print:{what}"), Timestamp::now())
                .await
                .map_err(export_failed)?;
        }
        _ => return Err(fail("reports.unknown_list")),
    }
    window.print().map_err(|e| {
        tracing::warn!(error = %e, "the print dialog could not open");
        fail("reports.print_failed")
    })?;
    tracing::info!(what = what.as_str(), "print dialog opened");
    Ok(())
}

/// Every code this module answers with, for the dictionary test.
#[cfg(test)]
const CODES: [&str; 18] = [
    "reports.counter_only",
    "reports.followup_not_permitted",
    "reports.report_not_permitted",
    "reports.export_not_permitted",
    "reports.audit_failed",
    "reports.export_failed",
    "reports.contacts_failed",
    "reports.groups_invalid",
    "reports.bad_period",
    "reports.unknown_list",
    "reports.unknown_outcome",
    "reports.unknown_format",
    "reports.note_too_long",
    "reports.key_unavailable",
    "reports.print_failed",
    "operators.signed_out",
    "operators.desk_locked",
    "queue.unavailable",
];

#[cfg(test)]
mod tests {
    use super::*;
    use enroll::ids::OperatorId;
    use enroll::operators::Role;

    #[test]
    fn every_code_has_a_sentence_in_both_languages() {
        let reports_text = include_str!("../../ui/src/screens/reports-text.ts");
        let dictionary = include_str!("../../ui/src/i18n.ts");
        for code in CODES {
            if code.starts_with("reports.") {
                assert!(
                    reports_text.contains(&format!("\"{code}\": {{")),
                    "no sentence for {code}"
                );
            } else {
                let entry = format!("\"{code}\": \"error.{code}\"");
                assert!(dictionary.contains(&entry), "no sentence for {code}");
            }
        }
    }

    fn session(role: Role) -> OperatorSession {
        OperatorSession {
            operator: OperatorId::new("cb-01").expect("id"),
            role,
        }
    }

    #[test]
    fn operators_see_follow_up_but_neither_reports_nor_exports() {
        let dir = Path::new("/data");
        let op = access(&session(Role::Operator), dir);
        assert_eq!((op.reports, op.exports, op.follow_up), (false, false, true));
        let sup = access(&session(Role::Supervisor), dir);
        assert_eq!(
            (sup.reports, sup.exports, sup.follow_up),
            (true, true, true)
        );
        assert_eq!(sup.export_dir, "/data/exports");
    }

    #[test]
    fn without_a_groups_toml_the_plain_list_is_a_directory_without_targets() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut config = Config::embedded().expect("defaults");
        config.data_dir = tmp.path().to_path_buf();
        std::fs::write(
            tmp.path().join(crate::enrollment::GROUPS_FILE),
            "# id name\nTDP01 Tổ dân phố số 1\nbad/id x\nTHON-DONG Thôn Đông\n",
        )
        .expect("write");
        let d = directory(&config).expect("directory");
        assert_eq!(
            d.groups.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(),
            ["Tổ dân phố số 1", "Thôn Đông"]
        );
        assert!(d.groups.iter().all(|g| g.target == 0));
        std::fs::write(
            tmp.path().join(GROUPS_TOML),
            include_str!("../../crates/reports/tests/fixtures/song_lieu.toml"),
        )
        .expect("write");
        let d = directory(&config).expect("toml directory");
        assert_eq!(d.groups.len(), 20);
        assert_eq!(d.commune.name, "PHƯỜNG SONG LIỄU");
    }

    #[test]
    fn export_names_hold_the_report_and_period_only() {
        let input = |what: &str, from: Option<&str>| ExportInput {
            format: "xlsx".into(),
            what: what.into(),
            report: ReportInput {
                phase: None,
                from: from.map(str::to_owned),
                until: Some("2025-12-10".into()),
                cumulative_from: None,
                lang: "vi".into(),
            },
            group: None,
        };
        assert_eq!(
            export_name(&input("progress", Some("2025-12-04"))),
            "progress-2025-12-04_2025-12-10"
        );
        assert_eq!(
            export_name(&input("progress", Some("2025/12"))),
            "progress-202512_2025-12-10"
        );
        assert_eq!(
            export_name(&input("../../etc/passwd", Some("2025-12-04"))),
            "etcpasswd-all"
        );
    }

    #[test]
    fn exports_are_written_owner_only_under_the_data_directory() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join(EXPORTS_DIR);
        let path = save(&dir, "progress-x.csv", b"STT\r\n").expect("saved");
        assert_eq!(path, dir.join("progress-x.csv"));
        assert_eq!(std::fs::read(&path).expect("read"), b"STT\r\n");
        let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!((mode(&dir), mode(&path)), (0o700, 0o600));
    }

    #[test]
    fn exports_need_a_supervisor_and_each_one_is_audited_before_it_is_written() {
        use enroll::audit::AuditAction;
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut config = Config::embedded().expect("defaults");
        config.data_dir = tmp.path().to_path_buf();
        std::fs::write(
            tmp.path().join(GROUPS_TOML),
            include_str!("../../crates/reports/tests/fixtures/song_lieu.toml"),
        )
        .expect("groups");
        let queue = tauri::async_runtime::block_on(Queue::open(&tmp.path().join("queue.sqlite")))
            .expect("queue");
        let input = |format: &str, what: &str| ExportInput {
            format: format.into(),
            what: what.into(),
            report: ReportInput {
                phase: Some(0),
                from: None,
                until: None,
                cumulative_from: None,
                lang: "vi".into(),
            },
            group: None,
        };
        let exports = || {
            tauri::async_runtime::block_on(queue.audit().entries())
                .expect("audit")
                .into_iter()
                .filter(|e| e.action == AuditAction::Export.as_str())
                .map(|e| (e.actor, e.subject.unwrap_or_default()))
                .collect::<Vec<_>>()
        };
        let run = |role, format: &str, what: &str| {
            tauri::async_runtime::block_on(export_to(
                &config,
                &queue,
                &session(role),
                &input(format, what),
            ))
        };
        assert_eq!(
            run(Role::Operator, "xlsx", "progress").err(),
            Some(fail("reports.export_not_permitted"))
        );
        assert_eq!(
            run(Role::Operator, "csv", "approved-not-activated").err(),
            Some(fail("reports.export_not_permitted"))
        );
        assert!(
            exports().is_empty(),
            "a refused export is not audited as one"
        );
        assert!(!tmp.path().join(EXPORTS_DIR).exists());
        for format in ["xlsx", "csv", "pdf"] {
            let done = run(Role::Supervisor, format, "progress").expect("exported");
            let bytes = std::fs::read(&done.path).expect("file");
            assert_eq!(bytes.len() as u64, done.bytes);
            assert!(
                done.path
                    .starts_with(&tmp.path().join(EXPORTS_DIR).display().to_string())
            );
            assert!(done.path.ends_with(&format!(".{format}")));
        }
        let list = run(Role::Administrator, "csv", "rejected").expect("call list");
        assert!(list.path.contains("rejected-all-"));
        assert_eq!(
            exports(),
            vec![
                ("cb-01".to_string(), "progress-phase-1.xlsx".to_string()),
                ("cb-01".to_string(), "progress-phase-1.csv".to_string()),
                ("cb-01".to_string(), "progress-phase-1.pdf".to_string()),
                ("cb-01".to_string(), "rejected-all.csv".to_string()),
            ]
        );
    }

    #[test]
    fn periods_are_checked_dates() {
        let directory = GroupDirectory::from_toml(include_str!(
            "../../crates/reports/tests/fixtures/song_lieu.toml"
        ))
        .expect("fixture");
        let input = |from: &str, until: &str| ReportInput {
            phase: None,
            from: Some(from.into()),
            until: Some(until.into()),
            cumulative_from: None,
            lang: "vi".into(),
        };
        assert!(request(&input("2025-12-01", "2025-12-10"), &directory).is_ok());
        for (f, u) in [
            ("2025-12-10", "2025-12-01"),
            ("2025-13-01", "2025-12-10"),
            ("x", "y"),
        ] {
            assert_eq!(
                request(&input(f, u), &directory).err(),
                Some(fail("reports.bad_period"))
            );
        }
        let phase = ReportInput {
            phase: Some(1),
            ..input("", "")
        };
        let r = request(&phase, &directory).expect("phase 2");
        assert_eq!(r.phase.as_deref(), Some("Giai đoạn 2"));
    }
}
