//! Report generation from a real queue (SQLite file, `synchronous=FULL`, on tmpfs when there
//! is one) holding a generated history of N enrollments across seed 003's 20 groups: the
//! progress report (seven grouped queries over the queue and its state history, plus building), the approved-not-activated list (with
//! every follow-up record decrypted), the per-day series of a month, and the XLSX, CSV and PDF
//! exports (time and size).
//!
//! Writes `bench/results/reports.json` and `bench/results/reports.md`. Run:
//! `cargo bench -p reports --bench report_generation` (`REPORTS_BENCH_SIZES=10000,100000`
//! changes the history sizes; default 10,000).

#[path = "../tests/common/mod.rs"]
mod common;

use enroll::ids::OperatorId;
use enroll::operators::{Role, Session};
use reports::calendar::LocalDate;
use reports::export;
use reports::followup::{FollowUpKind, ListQuery, Sources, follow_up_list};
use reports::groups::GroupDirectory;
use reports::locale::Lang;
use reports::report::{ProgressReport, ReportRequest};
use std::fmt::Write as _;
use std::time::Instant;

const RUNS: usize = 7;

fn median_ms(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples.get(samples.len() / 2).copied().unwrap_or(f64::NAN)
}

struct Figures {
    enrollments: u32,
    fill_s: f64,
    db_bytes: u64,
    report_ms: f64,
    followup_ms: f64,
    followup_rows: usize,
    page_ms: f64,
    daily_ms: f64,
    xlsx_ms: f64,
    xlsx_bytes: usize,
    csv_ms: f64,
    csv_bytes: usize,
    pdf_ms: f64,
    pdf_bytes: usize,
}

async fn measure(n: u32, dir: &GroupDirectory) -> Figures {
    let kiosk = common::TestKiosk::new().await;
    let t = Instant::now();
    common::generate(&kiosk, dir, n).await;
    let fill_s = t.elapsed().as_secs_f64();
    let now = LocalDate::new(2025, 12, 16).expect("day").start();
    let request = ReportRequest::for_phase(dir, 1).expect("phase 2");
    let mut report = None;
    let mut samples = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        report = Some(
            ProgressReport::from_queue(&kiosk.queue, dir, &request, now)
                .await
                .expect("report"),
        );
        samples.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let report = report.expect("a report");
    let report_ms = median_ms(samples);

    let session = Session {
        operator: OperatorId::new("bench").expect("id"),
        role: Role::Supervisor,
    };
    let sources = Sources {
        queue: &kiosk.queue,
        key: &kiosk.local,
        contacts: None,
    };
    let query = ListQuery {
        kind: FollowUpKind::ApprovedNotActivated,
        group: None,
        limit: u32::MAX,
        offset: 0,
        now,
    };
    let grant = export::authorize(&session, &kiosk.queue.audit(), "bench", now)
        .await
        .expect("audited");
    let mut samples = Vec::new();
    let mut followup_rows = 0;
    for _ in 0..3 {
        let t = Instant::now();
        followup_rows = follow_up_list(&session, sources, &query)
            .await
            .expect("list")
            .len();
        samples.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let followup_ms = median_ms(samples);
    let page = ListQuery { limit: 50, ..query };
    let mut samples = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let rows = follow_up_list(&session, sources, &page)
            .await
            .expect("page")
            .len();
        assert_eq!(rows, 50.min(followup_rows));
        samples.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let page_ms = median_ms(samples);

    let month = reports::calendar::Period::new(
        LocalDate::new(2025, 12, 1).expect("day"),
        LocalDate::new(2025, 12, 31).expect("day"),
    )
    .expect("period");
    let mut samples = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let days = reports::daily::daily_flows(&kiosk.queue, month)
            .await
            .expect("daily");
        assert_eq!(days.len(), 31);
        samples.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let daily_ms = median_ms(samples);

    let time = |f: &mut dyn FnMut() -> usize| {
        let mut samples = Vec::new();
        let mut size = 0;
        for _ in 0..RUNS {
            let t = Instant::now();
            size = f();
            samples.push(t.elapsed().as_secs_f64() * 1e3);
        }
        (median_ms(samples), size)
    };
    let (xlsx_ms, xlsx_bytes) = time(&mut || {
        export::xlsx::write(&grant, &report, &dir.commune, Lang::Vi)
            .expect("xlsx")
            .len()
    });
    let (csv_ms, csv_bytes) = time(&mut || {
        let table = reports::table::progress_table(&report, Lang::Vi);
        export::csv::write(&grant, &table, Lang::Vi, ',').len()
    });
    let (pdf_ms, pdf_bytes) = time(&mut || {
        export::pdf::write(&grant, &report, &dir.commune, Lang::Vi)
            .expect("pdf")
            .len()
    });
    let db_bytes = ["queue.db", "queue.db-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(kiosk.dir.path().join(f)).ok())
        .map(|m| m.len())
        .sum();
    Figures {
        enrollments: n,
        fill_s,
        db_bytes,
        report_ms,
        followup_ms,
        followup_rows,
        page_ms,
        daily_ms,
        xlsx_ms,
        xlsx_bytes,
        csv_ms,
        csv_bytes,
        pdf_ms,
        pdf_bytes,
    }
}

fn main() {
    let sizes: Vec<u32> = std::env::var("REPORTS_BENCH_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000]);
    let dir = GroupDirectory::from_toml(include_str!("../tests/fixtures/song_lieu.toml"))
        .expect("fixture");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let figures: Vec<Figures> = sizes
        .iter()
        .map(|&n| rt.block_on(measure(n, &dir)))
        .collect();

    let mut json = String::from(
        "{\"benchmark\":\"reports: generation and exports from the real queue\",\"groups\":20,\"runs\":[",
    );
    let mut md = String::from(
        "# Report generation (release build, real SQLite queue, synchronous=FULL, shared 2-core machine)\n\n\
         Phase-2 progress report of seed 003's 20 groups from the state history (what happened in the period, and states at its end, per group, per operator, per device) \
         from a queue holding the whole generated history; medians of 7 runs (3 for the list).\n\n\
         | enrollments | queue DB | report | approved-not-activated list, all (decrypted) | its first 50 | per day, 31 days | XLSX | CSV | PDF |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    for (i, f) in figures.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        let _ = write!(
            json,
            "{{\"enrollments\":{},\"fill_seconds\":{:.1},\"queue_db_bytes\":{},\"report_ms\":{:.2},\"followup_ms\":{:.1},\"followup_rows\":{},\"followup_first_50_ms\":{:.1},\"daily_ms\":{:.1},\"xlsx_ms\":{:.2},\"xlsx_bytes\":{},\"csv_ms\":{:.3},\"csv_bytes\":{},\"pdf_ms\":{:.2},\"pdf_bytes\":{}}}",
            f.enrollments,
            f.fill_s,
            f.db_bytes,
            f.report_ms,
            f.followup_ms,
            f.followup_rows,
            f.page_ms,
            f.daily_ms,
            f.xlsx_ms,
            f.xlsx_bytes,
            f.csv_ms,
            f.csv_bytes,
            f.pdf_ms,
            f.pdf_bytes
        );
        let _ = writeln!(
            md,
            "| {} | {:.1} MB | {:.1} ms | {:.0} ms ({} rows) | {:.0} ms | {:.0} ms | {:.1} ms, {} B | {:.2} ms, {} B | {:.1} ms, {} B |",
            f.enrollments,
            f.db_bytes as f64 / 1e6,
            f.report_ms,
            f.followup_ms,
            f.followup_rows,
            f.page_ms,
            f.daily_ms,
            f.xlsx_ms,
            f.xlsx_bytes,
            f.csv_ms,
            f.csv_bytes,
            f.pdf_ms,
            f.pdf_bytes
        );
    }
    json.push_str("]}\n");
    let _ = writeln!(
        md,
        "\nFilling the queue (seal, sign, enqueue, then upload/acknowledge/review/activate steps, each its own transaction): {}.",
        figures
            .iter()
            .map(|f| format!("{} enrollments in {:.0} s", f.enrollments, f.fill_s))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/results");
    std::fs::create_dir_all(&root).expect("results dir");
    std::fs::write(root.join("reports.json"), &json).expect("json");
    std::fs::write(root.join("reports.md"), &md).expect("md");
    print!("{md}");
}
