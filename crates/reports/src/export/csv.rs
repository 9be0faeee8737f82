//! One table as CSV: UTF-8 with a byte-order mark (so Excel opens Vietnamese text correctly),
//! CRLF line ends, fields quoted as RFC 4180 says. Numbers are printed as in the report
//! (`4.922`, `83,89%` in Vietnamese), so the file reads like the printed table; the XLSX export
//! is the one to compute with.

use super::ExportGrant;
use crate::locale::Lang;
use crate::table::{Table, one_line};

/// The UTF-8 byte-order mark.
pub const BOM: &str = "\u{FEFF}";

fn field(out: &mut String, value: &str, delimiter: char) {
    if value.contains([delimiter, '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

fn line(out: &mut String, values: impl IntoIterator<Item = String>, delimiter: char) {
    for (i, v) in values.into_iter().enumerate() {
        if i > 0 {
            out.push(delimiter);
        }
        field(out, &v, delimiter);
    }
    out.push_str("\r\n");
}

/// `table` as CSV text with `delimiter` (`,` by default; `;` suits spreadsheets set to a
/// Vietnamese or other comma-decimal locale). Header bands prefix the headers they span
/// (`Lũy kế: Kích hoạt`).
pub fn write(_grant: &ExportGrant, table: &Table, lang: Lang, delimiter: char) -> String {
    let mut out = String::from(BOM);
    let headers = table.headers.iter().enumerate().map(|(i, h)| {
        let h = one_line(h);
        match table
            .bands
            .iter()
            .find(|(_, first, span)| (*first..first.saturating_add(*span)).contains(&i))
        {
            Some((band, ..)) => format!("{band}: {h}"),
            None => h,
        }
    });
    line(&mut out, headers, delimiter);
    for row in table.rows.iter().chain(table.total.iter()) {
        line(&mut out, row.iter().map(|c| c.display(lang)), delimiter);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::Cell;

    #[test]
    fn fields_with_delimiters_quotes_or_newlines_are_quoted() {
        let table = Table {
            name: "t",
            title: String::new(),
            bands: vec![("Lũy kế".into(), 1, 2)],
            headers: vec!["STT".into(), "Tỷ lệ\nđạt".into(), "Ghi \"chú\"".into()],
            rows: vec![vec![
                Cell::Count(4922),
                Cell::Percent(crate::locale::Percent::of(1068, 1273)),
                Cell::Text("a;b".into()),
            ]],
            total: None,
        };
        let grant = ExportGrant { _private: () };
        let csv = write(&grant, &table, Lang::Vi, ',');
        assert!(csv.starts_with('\u{FEFF}'));
        assert_eq!(
            csv.trim_start_matches('\u{FEFF}'),
            "STT,Lũy kế: Tỷ lệ đạt,\"Lũy kế: Ghi \"\"chú\"\"\"\r\n4.922,\"83,89%\",a;b\r\n"
        );
        let semi = write(&grant, &table, Lang::Vi, ';');
        assert!(semi.ends_with("4.922;83,89%;\"a;b\"\r\n"), "{semi}");
    }
}
