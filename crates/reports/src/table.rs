//! The report as tables of cells, once, in Vietnamese or English: the XLSX, CSV and PDF
//! exports all render these, so the three always agree.
//!
//! Headers follow the seeds' wording (seed 003's appendix: STT, TÊN ĐƠN VỊ, CHƯA CẤP CĂN CƯỚC,
//! CHƯA KÍCH HOẠT ĐDĐT, CHƯA CẤP TÀI KHOẢN ĐDĐT, GHI CHÚ).

use crate::locale::{Lang, Percent, format_count};
use crate::report::{GroupLine, KeyLine, ProgressReport};
use crate::tally::{Flow, Tally};

/// One cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A count.
    Count(u64),
    /// A percentage (None: no target, shown empty).
    Percent(Option<Percent>),
}

impl Cell {
    /// The cell as printed (`4.922`, `83,89%`).
    pub fn display(&self, lang: Lang) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Count(n) => format_count(*n, lang),
            Cell::Percent(Some(p)) => p.format(lang),
            Cell::Percent(None) => String::new(),
        }
    }

    /// Whether the cell is a number (right-aligned when printed).
    pub fn is_numeric(&self) -> bool {
        !matches!(self, Cell::Text(_))
    }
}

/// A table: an optional band of grouped headers, the headers, the rows and a total row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Which table (also the XLSX sheet name, ≤ 31 characters).
    pub name: &'static str,
    /// The table's title.
    pub title: String,
    /// Header bands above the headers: `(label, first column, number of columns)`.
    pub bands: Vec<(String, usize, usize)>,
    /// Column headers (a `\n` marks where a printed header may wrap).
    pub headers: Vec<String>,
    /// The rows.
    pub rows: Vec<Vec<Cell>>,
    /// The total row, if any.
    pub total: Option<Vec<Cell>>,
}

/// A header on one line: a line ending in `-` joins the next without a space
/// (`Acknow-\nledged` → `Acknowledged`), other breaks become spaces.
pub fn one_line(header: &str) -> String {
    let mut out = String::with_capacity(header.len());
    for (i, part) in header.split('\n').enumerate() {
        if i > 0 && !out.ends_with('-') {
            out.push(' ');
        }
        if out.ends_with('-') {
            out.pop();
        }
        out.push_str(part);
    }
    out
}

fn t(vi: &str, en: &str, lang: Lang) -> String {
    match lang {
        Lang::Vi => vi.to_owned(),
        Lang::En => en.to_owned(),
    }
}

/// The six funnel figures (states at a date), in column order.
fn funnel_headers(lang: Lang) -> Vec<String> {
    vec![
        t("Thu nhận", "Enrolled", lang),
        t("Tiếp nhận", "Acknow-\nledged", lang),
        t("Phê duyệt", "Approved", lang),
        t("Kích hoạt", "Activated", lang),
        t("Đang chờ", "Pending", lang),
        t("Từ chối", "Rejected", lang),
    ]
}

fn funnel(t: &Tally) -> Vec<Cell> {
    [
        t.enrolled(),
        t.acknowledged(),
        t.approved(),
        t.activated(),
        t.pending(),
        t.rejected(),
    ]
    .into_iter()
    .map(Cell::Count)
    .collect()
}

/// The five figures of a period (what happened in it), in column order.
fn flow_headers(lang: Lang) -> Vec<String> {
    vec![
        t("Thu nhận", "Enrolled", lang),
        t("Tiếp nhận", "Acknow-\nledged", lang),
        t("Phê duyệt", "Approved", lang),
        t("Kích hoạt", "Activated", lang),
        t("Từ chối", "Rejected", lang),
    ]
}

fn flow(f: &Flow) -> Vec<Cell> {
    [
        f.enrolled,
        f.acknowledged,
        f.approved,
        f.activated,
        f.rejected,
    ]
    .into_iter()
    .map(Cell::Count)
    .collect()
}

fn progress_row(
    stt: Cell,
    name: String,
    target: u64,
    period: &Flow,
    cumulative: &Tally,
) -> Vec<Cell> {
    let mut row = vec![stt, Cell::Text(name), Cell::Count(target)];
    row.extend(flow(period));
    row.extend(funnel(cumulative));
    row.push(Cell::Count(cumulative.not_activated()));
    row.push(Cell::Percent(Percent::of(cumulative.activated(), target)));
    row
}

/// Per residential group: target, what happened in the period, the cumulative funnel at the
/// period's end, not activated, and progress against the target.
pub fn progress_table(report: &ProgressReport, lang: Lang) -> Table {
    let mut headers = vec![
        t("STT", "No.", lang),
        t("Tên đơn vị", "Residential group", lang),
        t("Chỉ tiêu", "Target", lang),
    ];
    headers.extend(flow_headers(lang));
    headers.extend(funnel_headers(lang));
    headers.push(t("Chưa\nkích hoạt", "Not\nactivated", lang));
    headers.push(t("Tỷ lệ đạt\n(%)", "Progress\n(%)", lang));
    let rows = report
        .groups
        .iter()
        .enumerate()
        .map(|(i, g): (usize, &GroupLine)| {
            progress_row(
                Cell::Count(i as u64 + 1),
                g.name.clone(),
                g.target,
                &g.period,
                &g.cumulative,
            )
        })
        .collect();
    let total = progress_row(
        Cell::Text(String::new()),
        t("Tổng", "Total", lang),
        report.total_target(),
        &report.period_total(),
        &report.cumulative_total(),
    );
    Table {
        name: match lang {
            Lang::Vi => "Tiến độ",
            Lang::En => "Progress",
        },
        title: t(
            "Tiến độ thu nhận, kích hoạt tài khoản định danh điện tử mức 2 theo đơn vị",
            "Level-2 electronic identification enrollment and activation by residential group",
            lang,
        ),
        bands: vec![
            (t("Trong kỳ", "In the period", lang), 3, 5),
            (
                t("Lũy kế đến cuối kỳ", "Cumulative to the period's end", lang),
                8,
                8,
            ),
        ],
        headers,
        rows,
        total: Some(total),
    }
}

fn key_table(
    name: &'static str,
    title: String,
    key_header: String,
    lines: &[KeyLine],
    lang: Lang,
) -> Table {
    let mut headers = vec![t("STT", "No.", lang), key_header];
    headers.extend(flow_headers(lang));
    let mut total = Flow::default();
    let rows = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            total += l.period;
            let mut row = vec![Cell::Count(i as u64 + 1), Cell::Text(l.key.clone())];
            row.extend(flow(&l.period));
            row
        })
        .collect();
    let mut total_row = vec![
        Cell::Text(String::new()),
        Cell::Text(t("Tổng", "Total", lang)),
    ];
    total_row.extend(flow(&total));
    Table {
        name,
        title,
        bands: vec![],
        headers,
        rows,
        total: Some(total_row),
    }
}

/// Enrollments made in the period, per operator.
pub fn operator_table(report: &ProgressReport, lang: Lang) -> Table {
    key_table(
        match lang {
            Lang::Vi => "Theo cán bộ",
            Lang::En => "By operator",
        },
        t(
            "Kết quả trong kỳ theo cán bộ thu nhận",
            "The period's enrollments by operator",
            lang,
        ),
        t("Cán bộ", "Operator", lang),
        &report.operators,
        lang,
    )
}

/// Enrollments made in the period, per kiosk device.
pub fn device_table(report: &ProgressReport, lang: Lang) -> Table {
    key_table(
        match lang {
            Lang::Vi => "Theo thiết bị",
            Lang::En => "By device",
        },
        t(
            "Kết quả trong kỳ theo thiết bị",
            "The period's enrollments by device",
            lang,
        ),
        t("Thiết bị", "Device", lang),
        &report.devices,
        lang,
    )
}

/// Seed 003's appendix: the baselines counted outside the kiosk, per group, with their total.
pub fn appendix_table(report: &ProgressReport, lang: Lang) -> Table {
    let headers = vec![
        t("STT", "No.", lang),
        t("TÊN ĐƠN VỊ", "RESIDENTIAL GROUP", lang),
        t("CHƯA CẤP\nCĂN CƯỚC", "NO ID\nCARD", lang),
        t("CHƯA KÍCH\nHOẠT ĐDĐT", "NOT\nACTIVATED", lang),
        t("CHƯA CẤP TÀI\nKHOẢN ĐDĐT", "NO LEVEL-2\nACCOUNT", lang),
        t("GHI CHÚ", "NOTE", lang),
    ];
    let rows = report
        .groups
        .iter()
        .filter_map(|g| g.baseline.map(|b| (g, b)))
        .enumerate()
        .map(|(i, (g, b))| {
            vec![
                Cell::Count(i as u64 + 1),
                Cell::Text(g.name.clone()),
                Cell::Count(b.no_id_card),
                Cell::Count(b.not_activated),
                Cell::Count(b.not_enrolled),
                Cell::Text(String::new()),
            ]
        })
        .collect();
    let b = report.total_baseline();
    Table {
        name: match lang {
            Lang::Vi => "Phụ lục",
            Lang::En => "Appendix",
        },
        title: t(
            "Thống kê chưa cấp căn cước, chưa cấp tài khoản, chưa kích hoạt ĐDĐT (số liệu của Công an)",
            "No ID card, no level-2 account, not activated (the police's counts)",
            lang,
        ),
        bands: vec![],
        headers,
        rows,
        total: Some(vec![
            Cell::Text(String::new()),
            Cell::Text(t("Tổng", "Total", lang)),
            Cell::Count(b.no_id_card),
            Cell::Count(b.not_activated),
            Cell::Count(b.not_enrolled),
            Cell::Text(String::new()),
        ]),
    }
}

/// Every table of the report, in print order (the appendix only when baselines exist).
pub fn all_tables(report: &ProgressReport, lang: Lang) -> Vec<Table> {
    let mut tables = vec![
        progress_table(report, lang),
        operator_table(report, lang),
        device_table(report, lang),
    ];
    if report.groups.iter().any(|g| g.baseline.is_some()) {
        tables.push(appendix_table(report, lang));
    }
    tables
}

/// The report's heading (`BÁO CÁO …`) and its period line.
pub fn heading(report: &ProgressReport, lang: Lang) -> (String, String) {
    let title = t(
        "BÁO CÁO TIẾN ĐỘ CẤP, KÍCH HOẠT TÀI KHOẢN ĐỊNH DANH ĐIỆN TỬ MỨC 2",
        "PROGRESS REPORT: LEVEL-2 ELECTRONIC IDENTIFICATION ACCOUNTS",
        lang,
    );
    let mut period = match lang {
        Lang::Vi => format!("Kỳ báo cáo: {}", report.period.describe(lang)),
        Lang::En => format!("Period: {}", report.period.describe(lang)),
    };
    if let Some(p) = &report.phase {
        period = format!("{p} – {period}");
    }
    match (report.cumulative_from, lang) {
        (Some(d), Lang::Vi) => period.push_str(&format!("; lũy kế từ {}", d.dd_mm_yyyy())),
        (Some(d), Lang::En) => period.push_str(&format!("; cumulative from {}", d.dd_mm_yyyy())),
        (None, Lang::Vi) => period.push_str("; lũy kế từ đầu"),
        (None, Lang::En) => period.push_str("; cumulative since the start"),
    }
    (title, period)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_headers_join_back_into_one_line() {
        assert_eq!(one_line("Acknow-\nledged"), "Acknowledged");
        assert_eq!(one_line("Chưa\nkích hoạt"), "Chưa kích hoạt");
        assert_eq!(one_line("STT"), "STT");
    }
}
