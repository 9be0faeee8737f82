//! The report as an Excel workbook (rust_xlsxwriter): one sheet per table, the commune header
//! and the period above it, counts as numbers (`#,##0`) and progress as a percentage cell
//! (`0.00%`) holding the truncated ratio, so Excel shows the seeds' figure (83.89 %, never a
//! rounded-up 83.90 %) in the user's own decimal mark.

use super::{ExportError, ExportGrant};
use crate::groups::Commune;
use crate::locale::Lang;
use crate::report::ProgressReport;
use crate::table::{Cell, Table, all_tables, heading, one_line};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

fn err(e: XlsxError) -> ExportError {
    ExportError::Xlsx(e.to_string())
}

struct Formats {
    bold: Format,
    header: Format,
    text: Format,
    count: Format,
    percent: Format,
    total_text: Format,
    total_count: Format,
    total_percent: Format,
}

impl Formats {
    fn new() -> Self {
        let cell = Format::new().set_border(FormatBorder::Thin);
        Self {
            bold: Format::new().set_bold(),
            header: cell
                .clone()
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_text_wrap(),
            text: cell.clone(),
            count: cell.clone().set_num_format("#,##0"),
            percent: cell.clone().set_num_format("0.00%"),
            total_text: cell.clone().set_bold(),
            total_count: cell.clone().set_bold().set_num_format("#,##0"),
            total_percent: cell.set_bold().set_num_format("0.00%"),
        }
    }
}

fn write_cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    cell: &Cell,
    total: bool,
    f: &Formats,
) -> Result<(), XlsxError> {
    let (text, count, percent) = if total {
        (&f.total_text, &f.total_count, &f.total_percent)
    } else {
        (&f.text, &f.count, &f.percent)
    };
    match cell {
        Cell::Text(s) => ws.write_string_with_format(row, col, s, text)?,
        Cell::Count(n) => ws.write_number_with_format(row, col, *n as f64, count)?,
        Cell::Percent(Some(p)) => {
            ws.write_number_with_format(row, col, p.as_fraction(), percent)?
        }
        Cell::Percent(None) => ws.write_blank(row, col, percent)?,
    };
    Ok(())
}

fn write_sheet(
    ws: &mut Worksheet,
    table: &Table,
    commune: &Commune,
    head: &(String, String),
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.set_name(table.name)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.write_string_with_format(0, 0, &commune.authority, &f.bold)?;
    ws.write_string_with_format(1, 0, &commune.name, &f.bold)?;
    ws.write_string_with_format(3, 0, &head.0, &f.bold)?;
    ws.write_string(4, 0, &head.1)?;
    ws.write_string_with_format(5, 0, &table.title, &f.bold)?;
    let mut row: u32 = 7;
    if !table.bands.is_empty() {
        for (label, first, span) in &table.bands {
            let first = u16::try_from(*first).unwrap_or(u16::MAX);
            let last = first.saturating_add(u16::try_from(*span).unwrap_or(1).saturating_sub(1));
            if first == last {
                ws.write_string_with_format(row, first, label, &f.header)?;
            } else {
                ws.merge_range(row, first, row, last, label, &f.header)?;
            }
        }
        row += 1;
    }
    for (col, h) in (0u16..).zip(&table.headers) {
        ws.write_string_with_format(row, col, one_line(h), &f.header)?;
    }
    ws.set_row_height(row, 32)?;
    row += 1;
    for cells in &table.rows {
        for (col, c) in (0u16..).zip(cells) {
            write_cell(ws, row, col, c, false, f)?;
        }
        row += 1;
    }
    if let Some(total) = &table.total {
        for (col, c) in (0u16..).zip(total) {
            write_cell(ws, row, col, c, true, f)?;
        }
    }
    ws.set_column_width(0, 5)?;
    ws.set_column_width(1, 22)?;
    for col in 2..u16::try_from(table.headers.len()).unwrap_or(2) {
        ws.set_column_width(col, 11)?;
    }
    Ok(())
}

/// The report as an `.xlsx` file's bytes, every table on its own sheet.
pub fn write(
    grant: &ExportGrant,
    report: &ProgressReport,
    commune: &Commune,
    lang: Lang,
) -> Result<Vec<u8>, ExportError> {
    write_tables(
        grant,
        &all_tables(report, lang),
        &heading(report, lang),
        commune,
    )
}

/// Any tables (a report's, a follow-up list's) under the commune header and a heading
/// `(title, subtitle)`, one sheet each, as an `.xlsx` file's bytes.
pub fn write_tables(
    _grant: &ExportGrant,
    tables: &[Table],
    head: &(String, String),
    commune: &Commune,
) -> Result<Vec<u8>, ExportError> {
    let formats = Formats::new();
    let mut wb = Workbook::new();
    for table in tables {
        write_sheet(wb.add_worksheet(), table, commune, head, &formats).map_err(err)?;
    }
    wb.save_to_buffer().map_err(err)
}
