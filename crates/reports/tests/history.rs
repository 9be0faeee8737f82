//! A generated history of thousands of enrollments across seed 003's 20 residential groups,
//! written into a real queue (SQLite file) through `enroll`'s API and driven through uploads,
//! acknowledgements, reviews and activations. The reports must equal counts made here
//! independently from the generator's own record; the exports must carry the same numbers.

mod common;

use calamine::{Data, Reader, Xlsx};
use common::{Made, TestKiosk, generate};
use enroll::audit::AuditAction;
use enroll::ids::OperatorId;
use enroll::operators::{Role, Session};
use enroll::state::EnrollmentState;
use enroll::timestamp::Timestamp;
use reports::calendar::{LocalDate, Period};
use reports::export::{self, ExportError};
use reports::followup::{FollowUpKind, ListQuery, Sources, follow_up_list};
use reports::groups::GroupDirectory;
use reports::locale::Lang;
use reports::receipt::{self, Receipt};
use reports::report::{ProgressReport, ReportRequest};

fn song_lieu() -> GroupDirectory {
    GroupDirectory::from_toml(include_str!("fixtures/song_lieu.toml")).expect("fixture")
}
use reports::table::{Cell, all_tables};
use std::io::Cursor;
use std::path::Path;
use std::process::Command;

/// The funnel counted from the generator's record, each enrollment at the state it stood in just
/// before `t`: enrolled, acknowledged, approved, activated, pending, rejected, not activated.
fn count_before<'a>(made: impl Iterator<Item = &'a Made>, t: Timestamp) -> [u64; 7] {
    use EnrollmentState::*;
    let mut c = [0u64; 7];
    for m in made {
        let state = m.state_before(t);
        let acknowledged = matches!(state, Acknowledged | Approved | Rejected | Activated);
        let approved = matches!(state, Approved | Activated);
        let rejected = state == Rejected;
        c[0] += 1;
        c[1] += u64::from(acknowledged);
        c[2] += u64::from(approved);
        c[3] += u64::from(state == Activated);
        c[4] += u64::from(!approved && !rejected);
        c[5] += u64::from(rejected);
        c[6] += u64::from(state == Approved);
    }
    c
}

/// What happened in `[from, until)` by the generator's record: enrolled, acknowledged,
/// approved, activated, rejected.
fn flow_in<'a>(
    made: impl Iterator<Item = &'a Made>,
    from: Timestamp,
    until: Timestamp,
) -> [u64; 5] {
    use EnrollmentState::*;
    let mut c = [0u64; 5];
    for m in made {
        c[0] += u64::from(in_range(m, from, until));
        for (state, at) in m.steps() {
            let slot = match state {
                Acknowledged => 1,
                Approved => 2,
                Activated => 3,
                Rejected => 4,
                _ => continue,
            };
            c[slot] += u64::from(from <= at && at < until);
        }
    }
    c
}

fn funnel(t: &reports::tally::Tally) -> [u64; 7] {
    [
        t.enrolled(),
        t.acknowledged(),
        t.approved(),
        t.activated(),
        t.pending(),
        t.rejected(),
        t.not_activated(),
    ]
}

fn flow(f: &reports::tally::Flow) -> [u64; 5] {
    [
        f.enrolled,
        f.acknowledged,
        f.approved,
        f.activated,
        f.rejected,
    ]
}

fn in_range(m: &Made, from: Timestamp, until: Timestamp) -> bool {
    from <= m.at && m.at < until
}

fn check_report(report: &ProgressReport, made: &[Made], request: &ReportRequest) {
    let (from, until) = request.period.bounds();
    let cum_from = request
        .cumulative_from
        .map(LocalDate::start)
        .unwrap_or(Timestamp::from_unix_millis(i64::MIN));
    for line in &report.groups {
        let mine = || made.iter().filter(|m| m.group == line.id.as_str());
        assert_eq!(
            flow(&line.period),
            flow_in(mine(), from, until),
            "period, {}",
            line.id
        );
        let cumulative = count_before(mine().filter(|m| in_range(m, cum_from, until)), until);
        assert_eq!(
            funnel(&line.cumulative),
            cumulative,
            "cumulative, {}",
            line.id
        );
        // Progress, computed by hand: activated × 10000 / target, truncated.
        let expected = (line.target > 0).then(|| cumulative[3] * 10_000 / line.target);
        assert_eq!(
            line.progress().map(|p| p.hundredths()),
            expected,
            "progress, {}",
            line.id
        );
    }
    assert_eq!(
        report.groups.len(),
        21,
        "seed 003's 20 groups and one unknown"
    );
    assert!(
        report
            .groups
            .iter()
            .any(|g| g.id.as_str() == "thon-cu" && !g.configured)
    );
    assert_eq!(
        flow(&report.period_total()),
        flow_in(made.iter(), from, until)
    );
    for line in &report.operators {
        let c = flow_in(made.iter().filter(|m| m.operator == line.key), from, until);
        assert_eq!(flow(&line.period), c, "operator {}", line.key);
    }
    for line in &report.devices {
        let c = flow_in(made.iter().filter(|m| m.device == line.key), from, until);
        assert_eq!(flow(&line.period), c, "device {}", line.key);
    }
    let op_total: u64 = report.operators.iter().map(|l| l.period.enrolled).sum();
    let dev_total: u64 = report.devices.iter().map(|l| l.period.enrolled).sum();
    assert_eq!(op_total, report.period_total().enrolled);
    assert_eq!(dev_total, report.period_total().enrolled);
}

fn xlsx_matches_tables(bytes: &[u8], report: &ProgressReport, lang: Lang) {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("the XLSX opens");
    let tables = all_tables(report, lang);
    assert_eq!(
        book.sheet_names(),
        tables.iter().map(|t| t.name.to_owned()).collect::<Vec<_>>()
    );
    for table in &tables {
        let range = book.worksheet_range(table.name).expect("sheet");
        let header_row = (0..range.height())
            .find(|&r| range.get((r, 0)) == Some(&Data::String(table.headers[0].clone())))
            .expect("header row");
        for (c, h) in table.headers.iter().enumerate() {
            assert_eq!(
                range.get((header_row, c)),
                Some(&Data::String(reports::table::one_line(h)))
            );
        }
        for (i, row) in table.rows.iter().chain(table.total.iter()).enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let got = range.get((header_row + 1 + i, c));
                match cell {
                    Cell::Text(t) if t.is_empty() => {
                        assert!(
                            matches!(got, None | Some(Data::Empty) | Some(Data::String(_))),
                            "{got:?}"
                        )
                    }
                    Cell::Text(t) => assert_eq!(got, Some(&Data::String(t.clone()))),
                    Cell::Count(n) => assert_eq!(
                        got,
                        Some(&Data::Float(*n as f64)),
                        "{} row {i} col {c}",
                        table.name
                    ),
                    Cell::Percent(Some(p)) => assert_eq!(got, Some(&Data::Float(p.as_fraction()))),
                    Cell::Percent(None) => assert!(matches!(got, None | Some(Data::Empty))),
                }
            }
        }
    }
}

fn tool(name: &str) -> bool {
    Command::new(name).arg("-v").output().is_ok()
}

fn pdf_text(pdf: &[u8], dir: &Path, name: &str) -> String {
    assert!(
        tool("pdftotext"),
        "pdftotext is missing: scripts/setup.sh installs poppler-utils"
    );
    let path = dir.join(name);
    std::fs::write(&path, pdf).expect("write pdf");
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 text")
}

fn render_png(pdf_path: &Path, out_prefix: &Path) {
    let status = Command::new("pdftoppm")
        .args(["-png", "-r", "80", "-f", "1", "-l", "1"])
        .arg(pdf_path)
        .arg(out_prefix)
        .status()
        .expect("pdftoppm runs");
    assert!(status.success());
}

fn assert_embedded_font(pdf: &[u8]) {
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    let has = |needle: &[u8]| pdf.windows(needle.len()).any(|w| w == needle);
    assert!(has(b"/FontFile2"), "no embedded TrueType font");
    assert!(has(b"NotoSans"), "the embedded font is not Noto Sans");
    assert!(
        has(b"/ToUnicode"),
        "no ToUnicode map: text would not be searchable"
    );
    assert!(has(b"%%EOF"));
}

/// Reads a binary PGM (P5) as pdftoppm writes it.
fn read_pgm(bytes: &[u8]) -> (usize, usize, Vec<u8>) {
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..i]).into_owned());
    }
    assert_eq!(fields[0], "P5");
    let (w, h): (usize, usize) = (fields[1].parse().expect("w"), fields[2].parse().expect("h"));
    (w, h, bytes[i + 1..i + 1 + w * h].to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_from_a_real_queue_equal_independent_counts_and_every_export_agrees() {
    let n: u32 = std::env::var("REPORTS_HISTORY_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3_000);
    let dir = song_lieu();
    let kiosk = TestKiosk::new().await;
    let started = std::time::Instant::now();
    let made = generate(&kiosk, &dir, n).await;
    eprintln!(
        "generated {n} enrollments through the queue in {:?}",
        started.elapsed()
    );
    let now = LocalDate::new(2025, 12, 16)
        .expect("d")
        .start()
        .plus_millis(10 * 3_600_000);

    // Phases 1 and 2 (seed 004's scheme on seed 003's ward), and a free period.
    let phase1 = ReportRequest::for_phase(&dir, 0).expect("phase 1");
    let phase2 = ReportRequest::for_phase(&dir, 1).expect("phase 2");
    let free = ReportRequest::for_period(
        Period::new(
            LocalDate::new(2025, 12, 2).expect("d"),
            LocalDate::new(2025, 12, 9).expect("d"),
        )
        .expect("p"),
    );
    let mut reports = Vec::new();
    for request in [&phase1, &phase2, &free] {
        let report = ProgressReport::from_queue(&kiosk.queue, &dir, request, now)
            .await
            .expect("report");
        check_report(&report, &made, request);
        reports.push(report);
    }
    // Seed 004: phase 2's cumulative column continues phase 1's: every enrollment of phase 1
    // and of phase 2 is in it.
    for (p1, p2) in reports[0].groups.iter().zip(&reports[1].groups) {
        assert_eq!(
            p2.cumulative.enrolled(),
            p1.period.enrolled + p2.period.enrolled,
            "{}",
            p1.id
        );
    }
    // The enrollments before phase 1 count in the free period's cumulative column only.
    assert!(reports[2].cumulative_total().enrolled() > reports[2].period_total().enrolled);
    // Approvals in phase 2 include enrollments made in phase 1 (the history dates them).
    assert!(reports[1].period_total().approved > 0);

    // What happened on each day of the whole history equals the generator's own per-day counts.
    let all_days = Period::new(
        LocalDate::new(2025, 11, 30).expect("d"),
        LocalDate::new(2025, 12, 16).expect("d"),
    )
    .expect("p");
    let daily = reports::daily::daily_flows(&kiosk.queue, all_days)
        .await
        .expect("daily");
    assert_eq!(daily.len(), 17);
    for (day, f) in &daily {
        let (from, until) = Period::day(*day).bounds();
        assert_eq!(flow(f), flow_in(made.iter(), from, until), "{day}");
    }
    assert_eq!(
        daily.iter().map(|(_, f)| f.enrolled).sum::<u64>(),
        u64::from(n)
    );
    assert_eq!(daily.first().map(|(_, f)| f.enrolled), Some(0));

    // The follow-up list is exactly the approved-not-activated enrollments.
    let supervisor = Session {
        operator: OperatorId::new("truong-ca").expect("id"),
        role: Role::Supervisor,
    };
    let sources = Sources {
        queue: &kiosk.queue,
        key: &kiosk.local,
        contacts: None,
    };
    let list = follow_up_list(
        &supervisor,
        sources,
        &ListQuery {
            kind: FollowUpKind::ApprovedNotActivated,
            group: None,
            limit: u32::MAX,
            offset: 0,
            now,
        },
    )
    .await
    .expect("list");
    assert_eq!(list.len() as u64, count_before(made.iter(), now)[6]);
    assert!(
        list.windows(2).all(|w| w[0].since <= w[1].since),
        "oldest approval first"
    );

    let report = &reports[1];
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("reports-history");
    std::fs::create_dir_all(&out).expect("out dir");

    // Exports: only a supervisor, and each one audited.
    let officer = Session {
        operator: OperatorId::new("op-lan").expect("id"),
        role: Role::Operator,
    };
    assert!(matches!(
        export::authorize(&officer, &kiosk.queue.audit(), "progress.xlsx", now).await,
        Err(ExportError::NotPermitted)
    ));
    let grant = export::authorize(
        &supervisor,
        &kiosk.queue.audit(),
        "progress.xlsx:giai-doan-2",
        now,
    )
    .await
    .expect("audited");
    let audit = kiosk.queue.audit().entries().await.expect("entries");
    let last = audit.last().expect("an entry");
    assert_eq!(
        (last.action.as_str(), last.subject.as_deref()),
        (
            AuditAction::Export.as_str(),
            Some("progress.xlsx:giai-doan-2")
        )
    );
    assert_eq!(last.actor, "truong-ca");
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == AuditAction::Export.as_str())
            .count(),
        1
    );

    for lang in [Lang::Vi, Lang::En] {
        let xlsx = export::xlsx::write(&grant, report, &dir.commune, lang).expect("xlsx");
        xlsx_matches_tables(&xlsx, report, lang);
        std::fs::write(out.join(format!("progress-{lang:?}.xlsx")), &xlsx).expect("write");
    }

    // CSV: BOM, one line per row plus header and total, totals as printed.
    let progress = reports::table::progress_table(report, Lang::Vi);
    let csv = export::csv::write(&grant, &progress, Lang::Vi, ',');
    assert!(csv.starts_with('\u{FEFF}'));
    let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), progress.rows.len() + 2);
    assert!(
        lines[0]
            .trim_start_matches('\u{FEFF}')
            .starts_with("STT,Tên đơn vị,Chỉ tiêu,Trong kỳ: Thu nhận")
    );
    let total_progress = report.total_progress().expect("a target").format(Lang::Vi);
    assert!(
        lines
            .last()
            .expect("total")
            .ends_with(&format!(",\"{total_progress}\"")),
        "{}",
        lines.last().expect("l")
    );

    // PDF: a real PDF with the font embedded, and its text as pdftotext reads it.
    let pdf = export::pdf::write(&grant, report, &dir.commune, Lang::Vi).expect("pdf");
    assert_embedded_font(&pdf);
    let text = pdf_text(&pdf, &out, "progress-vi.pdf");
    for expected in [
        "ỦY BAN NHÂN DÂN",
        "PHƯỜNG SONG LIỄU",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Song Liễu, ngày 16 tháng 12 năm 2025",
        "Giai đoạn 2",
        "Doãn Thượng",
        "Tỷ lệ đạt",
        "CĂN CƯỚC",
        "Người lập",
        total_progress.as_str(),
    ] {
        assert!(text.contains(expected), "the PDF's text lacks {expected:?}");
    }
    // The appendix reproduces seed 003's totals: 681, 977, 4.922.
    assert!(text.lines().any(|l| l.contains("Tổng")
        && l.contains("681")
        && l.contains("977")
        && l.contains("4.922")));
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../screenshots");
    std::fs::create_dir_all(&shots).expect("screenshots dir");
    render_png(
        &out.join("progress-vi.pdf"),
        &shots.join("reports-progress-vi"),
    );

    // Receipt: the QR code scans back to the application number.
    let first = list.first().expect("someone to follow up");
    let receipt_pdf = receipt::write(
        &Receipt {
            application: first.package,
            enrolled_at: first.enrolled_at,
            place: "Bộ phận một cửa UBND phường Song Liễu".into(),
            id_masked: "*********042".into(),
            chip_verified: false,
        },
        &dir.commune,
        Lang::Vi,
    )
    .expect("receipt");
    assert_embedded_font(&receipt_pdf);
    let text = pdf_text(&receipt_pdf, &out, "receipt-vi.pdf");
    for expected in [
        "Số hồ sơ",
        &first.package.to_string(),
        "*********042",
        "Các bước tiếp theo",
        "không đọc được chip",
    ] {
        assert!(
            text.contains(expected),
            "the receipt's text lacks {expected:?}"
        );
    }
    let status = Command::new("pdftoppm")
        .args(["-gray", "-r", "150", "-singlefile"])
        .arg(out.join("receipt-vi.pdf"))
        .arg(out.join("receipt-vi"))
        .status()
        .expect("pdftoppm");
    assert!(status.success());
    let (w, h, pixels) = read_pgm(&std::fs::read(out.join("receipt-vi.pgm")).expect("pgm"));
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| pixels[y * w + x]);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on the receipt");
    let (_, content) = grids[0].decode().expect("the QR code decodes");
    assert_eq!(content, first.package.to_string());
    render_png(
        &out.join("receipt-vi.pdf"),
        &shots.join("reports-receipt-vi"),
    );
}
