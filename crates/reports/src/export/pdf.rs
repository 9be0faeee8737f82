//! The report as a printable PDF (A4 landscape): the commune header and national motto as on
//! the seeds' letters, the title and period, every table with its header repeated on each
//! page, and a place for the preparer's signature ("Người lập").

use super::{ExportError, ExportGrant};
use crate::calendar::LocalDate;
use crate::groups::Commune;
use crate::locale::Lang;
pub use crate::print::PdfError;
use crate::print::{A4, Flow, Measure, Op, Weight, render};
use crate::report::ProgressReport;
use crate::table::{Table, all_tables, heading};

const BODY: f32 = 7.5;
const HEAD: f32 = 7.0;
const ROW_H: f32 = 11.0;
const PAD: f32 = 3.0;

/// The national motto block and the place-and-date line, in `lang`.
pub fn motto(lang: Lang) -> (&'static str, &'static str) {
    match lang {
        Lang::Vi => (
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
        ),
        Lang::En => (
            "SOCIALIST REPUBLIC OF VIETNAM",
            "Independence - Freedom - Happiness",
        ),
    }
}

/// `Song Liễu, ngày 04 tháng 12 năm 2025`.
pub fn place_and_date(commune: &Commune, day: LocalDate, lang: Lang) -> String {
    format!("{}, {}", commune.place, day.long(lang))
}

/// Draws the letterhead of the seeds' official letters at the top of the flow.
pub fn letterhead(flow: &mut Flow, commune: &Commune, day: LocalDate, lang: Lang) {
    let left = flow.margin + 120.0;
    let right = flow.width - flow.margin - 150.0;
    let (motto_1, motto_2) = motto(lang);
    flow.centred_at(left, 10.0, Weight::Bold, &commune.authority);
    flow.centred_at(right, 10.0, Weight::Bold, motto_1);
    flow.skip(13.0);
    flow.centred_at(left, 10.0, Weight::Bold, &commune.name);
    flow.centred_at(right, 10.0, Weight::Bold, motto_2);
    flow.skip(13.0);
    let rule = |cx: f32, w: f32| (cx - w / 2.0, 0.0, w, 0.0);
    let y = flow.y + 1.0;
    let lines = [
        rule(left, 60.0),
        rule(right, Measure.width(motto_2, 10.0, Weight::Bold)),
    ];
    flow.push(Op::Rects {
        rects: lines.iter().map(|&(x, _, w, _)| (x, y, w, 0.01)).collect(),
        filled: false,
        stroke: 0.6,
    });
    flow.skip(8.0);
    flow.centred_at(
        right,
        9.5,
        Weight::Regular,
        &place_and_date(commune, day, lang),
    );
    flow.skip(20.0);
}

struct Columns {
    x: Vec<f32>,
    w: Vec<f32>,
}

/// Each column as wide as its widest header line or cell (numbers at least 40 points); when
/// that overflows the page, the text columns give up the excess in proportion to their width
/// (and their cells are shortened with an ellipsis).
fn columns(flow: &Flow, table: &Table) -> Columns {
    let n = table.headers.len();
    let mut w: Vec<f32> = (0..n)
        .map(|c| {
            let header = table
                .headers
                .get(c)
                .map(|h| {
                    h.split('\n')
                        .map(|l| Measure.width(l, HEAD, Weight::Bold))
                        .fold(0.0, f32::max)
                })
                .unwrap_or(0.0);
            let cells = table
                .rows
                .iter()
                .chain(table.total.iter())
                .filter_map(|r| r.get(c))
                .map(|cell| {
                    let text = cell.display(Lang::Vi);
                    Measure
                        .width(&text, BODY, Weight::Regular)
                        .max(Measure.width(&text, BODY, Weight::Bold))
                })
                .fold(0.0, f32::max);
            header.max(cells) + 2.0 * PAD
        })
        .collect();
    let is_text = |c: usize| {
        c > 0
            && table
                .rows
                .iter()
                .chain(table.total.iter())
                .any(|r| r.get(c).is_some_and(|cell| !cell.is_numeric()))
    };
    for (c, width) in w.iter_mut().enumerate() {
        if c > 0 && !is_text(c) {
            *width = width.max(40.0);
        }
    }
    let excess = w.iter().sum::<f32>() - flow.content_width();
    let text_total: f32 = (0..n)
        .filter(|&c| is_text(c))
        .filter_map(|c| w.get(c))
        .sum();
    if excess > 0.0 && text_total > 0.0 {
        let factor = ((text_total - excess) / text_total).max(0.2);
        for (c, width) in w.iter_mut().enumerate() {
            if is_text(c) {
                *width *= factor;
            }
        }
    }
    let mut x = Vec::with_capacity(n);
    let mut at = flow.margin;
    for width in &w {
        x.push(at);
        at += width;
    }
    Columns { x, w }
}

fn fit(text: &str, max: f32, weight: Weight) -> String {
    if Measure.width(text, BODY, weight) <= max {
        return text.to_owned();
    }
    let mut s: String = text.to_owned();
    while !s.is_empty() && Measure.width(&format!("{s}…"), BODY, weight) > max {
        s.pop();
    }
    format!("{s}…")
}

fn header(flow: &mut Flow, table: &Table, cols: &Columns) {
    let mut rects = Vec::new();
    if !table.bands.is_empty() {
        for (label, first, span) in &table.bands {
            let last = (first + span).saturating_sub(1);
            let (Some(&x), Some(last_x), Some(last_w)) =
                (cols.x.get(*first), cols.x.get(last), cols.w.get(last))
            else {
                continue;
            };
            let w = last_x + last_w - x;
            rects.push((x, flow.y, w, ROW_H));
            let cx = x + w / 2.0;
            flow.centred_at(cx, HEAD, Weight::Bold, label);
        }
        flow.skip(ROW_H);
    }
    let lines = table
        .headers
        .iter()
        .map(|h| h.split('\n').count())
        .max()
        .unwrap_or(1);
    let h = lines as f32 * (HEAD + 2.0) + 2.0 * PAD;
    for ((text, &x), &w) in table.headers.iter().zip(&cols.x).zip(&cols.w) {
        rects.push((x, flow.y, w, h));
        let top = flow.y;
        for (i, line) in text.split('\n').enumerate() {
            flow.y = top + PAD + i as f32 * (HEAD + 2.0) - 1.0;
            flow.centred_at(x + w / 2.0, HEAD, Weight::Bold, line);
        }
        flow.y = top;
    }
    flow.push(Op::Rects {
        rects,
        filled: false,
        stroke: 0.5,
    });
    flow.skip(h);
}

fn table_block(flow: &mut Flow, table: &Table, lang: Lang) {
    let cols = columns(flow, table);
    flow.ensure(60.0);
    flow.text_at(flow.margin, 9.5, Weight::Bold, &table.title);
    flow.skip(15.0);
    header(flow, table, &cols);
    let rows = table.rows.iter().map(|r| (r, false));
    for (row, total) in rows.chain(table.total.iter().map(|r| (r, true))) {
        if flow.ensure(ROW_H) {
            header(flow, table, &cols);
        }
        let weight = if total { Weight::Bold } else { Weight::Regular };
        let mut rects = Vec::with_capacity(row.len());
        for ((cell, &x), &w) in row.iter().zip(&cols.x).zip(&cols.w) {
            rects.push((x, flow.y, w, ROW_H));
            let text = fit(&cell.display(lang), w - 2.0 * PAD, weight);
            let tx = if cell.is_numeric() {
                x + w - PAD - Measure.width(&text, BODY, weight)
            } else {
                x + PAD
            };
            let top = flow.y;
            flow.y = top + 0.5;
            flow.text_at(tx, BODY, weight, &text);
            flow.y = top;
        }
        flow.push(Op::Rects {
            rects,
            filled: false,
            stroke: 0.4,
        });
        flow.skip(ROW_H);
    }
    flow.skip(14.0);
}

/// The report as a PDF file's bytes.
pub fn write(
    grant: &ExportGrant,
    report: &ProgressReport,
    commune: &Commune,
    lang: Lang,
) -> Result<Vec<u8>, ExportError> {
    let day = LocalDate::containing(report.generated_at);
    write_tables(
        grant,
        &all_tables(report, lang),
        &heading(report, lang),
        commune,
        day,
        lang,
    )
}

/// Any tables (a report's, a follow-up list's) under the letterhead dated `day` and a
/// heading `(title, subtitle)`, as a PDF file's bytes (A4 landscape).
pub fn write_tables(
    _grant: &ExportGrant,
    tables: &[Table],
    head: &(String, String),
    commune: &Commune,
    day: LocalDate,
    lang: Lang,
) -> Result<Vec<u8>, ExportError> {
    let (portrait_w, portrait_h) = A4;
    let mut flow = Flow::new(portrait_h, portrait_w, 28.0);
    letterhead(&mut flow, commune, day, lang);
    flow.centred_paragraph(12.5, Weight::Bold, &head.0);
    flow.centred_paragraph(9.5, Weight::Regular, &head.1);
    flow.skip(10.0);
    for table in tables {
        table_block(&mut flow, table, lang);
    }
    flow.ensure(70.0);
    let signer_x = flow.width - flow.margin - 150.0;
    let preparer = match lang {
        Lang::Vi => "Người lập",
        Lang::En => "Prepared by",
    };
    flow.centred_at(signer_x, 10.0, Weight::Bold, preparer);
    let language = match lang {
        Lang::Vi => "vi",
        Lang::En => "en",
    };
    Ok(render(&flow.pages, &head.0, language)?)
}
