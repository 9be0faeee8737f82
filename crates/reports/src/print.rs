//! Printable pages as PDF, with the shipped Noto Sans (OFL, `assets/fonts`) embedded and
//! subset by krilla, so Vietnamese prints the same on every machine without system fonts.
//!
//! Layout first, drawing second: callers lay out [`Page`]s of simple operations (text at a
//! baseline, rectangles) with [`Flow`], which measures text with the font's own advances and
//! breaks pages; [`render`] then turns them into PDF bytes. Coordinates are PDF points from
//! the top-left corner. Text is normalised to NFC, and a character the font lacks is an error
//! (naming only its code point), never a silently missing glyph.

use krilla::Document;
use krilla::geom::{PathBuilder, Point, Rect, Size};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use skrifa::instance::{LocationRef, Size as FontSize};
use skrifa::{FontRef, MetadataProvider};
use unicode_normalization::UnicodeNormalization;

/// Noto Sans Regular, subset (see `assets/fonts/README.md`).
pub static REGULAR_TTF: &[u8] = include_bytes!("../../../assets/fonts/NotoSans-Regular.ttf");
/// Noto Sans Bold, subset.
pub static BOLD_TTF: &[u8] = include_bytes!("../../../assets/fonts/NotoSans-Bold.ttf");

/// A4 in points.
pub const A4: (f32, f32) = (595.0, 842.0);
/// A5 in points.
pub const A5: (f32, f32) = (420.0, 595.0);

/// Why a PDF could not be made. Never carries document text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    /// The embedded font did not load (a build problem).
    #[error("the embedded font could not be loaded")]
    Font,
    /// The text holds a character the font cannot print.
    #[error("the font has no glyph for character U+{0:04X}")]
    MissingGlyph(u32),
    /// A shape had no area or a page had no size.
    #[error("a page or shape has an invalid size")]
    Geometry,
    /// krilla refused the document.
    #[error("the PDF could not be written: {0}")]
    Krilla(String),
}

/// Regular or bold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    /// Noto Sans Regular.
    Regular,
    /// Noto Sans Bold.
    Bold,
}

impl Weight {
    fn bytes(self) -> &'static [u8] {
        match self {
            Weight::Regular => REGULAR_TTF,
            Weight::Bold => BOLD_TTF,
        }
    }
}

/// A rectangle `(x, y, width, height)` in points.
pub type Rectangle = (f32, f32, f32, f32);

/// One drawing operation.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Text whose baseline starts at (`x`, `y`).
    Text {
        /// Left edge.
        x: f32,
        /// Baseline.
        y: f32,
        /// Font size in points.
        size: f32,
        /// Weight.
        weight: Weight,
        /// The text (one line).
        text: String,
    },
    /// Rectangles `(x, y, w, h)`, filled black or stroked with `stroke` points.
    Rects {
        /// The rectangles.
        rects: Vec<Rectangle>,
        /// Filled when true, else outlined.
        filled: bool,
        /// Outline width.
        stroke: f32,
    },
}

/// One page.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Width in points.
    pub width: f32,
    /// Height in points.
    pub height: f32,
    /// What is drawn, in order.
    pub ops: Vec<Op>,
}

/// Measures text with the embedded fonts.
#[derive(Debug, Clone, Copy, Default)]
pub struct Measure;

impl Measure {
    /// The advance width of `text` at `size` points.
    pub fn width(self, text: &str, size: f32, weight: Weight) -> f32 {
        let Ok(font) = FontRef::new(weight.bytes()) else {
            return 0.0;
        };
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(FontSize::new(size), LocationRef::default());
        text.nfc()
            .filter_map(|c| charmap.map(c))
            .filter_map(|g| metrics.advance_width(g))
            .sum()
    }

    /// Greedy word wrap of `text` into lines no wider than `max` (a single over-long word
    /// stays on its own line).
    pub fn wrap(self, text: &str, size: f32, weight: Weight, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if !line.is_empty() && self.width(&candidate, size, weight) > max {
                lines.push(std::mem::replace(&mut line, word.to_owned()));
            } else {
                line = candidate;
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }
}

/// Lays out content top to bottom over as many pages as it needs.
#[derive(Debug)]
pub struct Flow {
    /// Pages laid out so far (the last is the current one).
    pub pages: Vec<Page>,
    /// Page width.
    pub width: f32,
    /// Page height.
    pub height: f32,
    /// Margin on all four sides.
    pub margin: f32,
    /// The current vertical position (top of the next line).
    pub y: f32,
}

impl Flow {
    /// A flow on pages of `width` × `height` points.
    pub fn new(width: f32, height: f32, margin: f32) -> Self {
        Self {
            pages: vec![Page {
                width,
                height,
                ops: Vec::new(),
            }],
            width,
            height,
            margin,
            y: margin,
        }
    }

    /// The usable width between the margins.
    pub fn content_width(&self) -> f32 {
        self.width - 2.0 * self.margin
    }

    /// Starts a new page if less than `needed` points remain; returns whether it did.
    pub fn ensure(&mut self, needed: f32) -> bool {
        if self.y + needed <= self.height - self.margin {
            return false;
        }
        self.pages.push(Page {
            width: self.width,
            height: self.height,
            ops: Vec::new(),
        });
        self.y = self.margin;
        true
    }

    /// Adds an operation to the current page.
    pub fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.ops.push(op);
        }
    }

    /// Text at `x` on the line starting at the current position (not advancing).
    pub fn text_at(&mut self, x: f32, size: f32, weight: Weight, text: &str) {
        let y = self.y + size;
        self.push(Op::Text {
            x,
            y,
            size,
            weight,
            text: text.to_owned(),
        });
    }

    /// Text centred on `cx` on the current line (not advancing).
    pub fn centred_at(&mut self, cx: f32, size: f32, weight: Weight, text: &str) {
        let w = Measure.width(text, size, weight);
        self.text_at(cx - w / 2.0, size, weight, text);
    }

    /// A wrapped paragraph from `x`, at most `max` wide, advancing past it.
    pub fn paragraph(&mut self, x: f32, max: f32, size: f32, weight: Weight, text: &str) {
        for line in Measure.wrap(text, size, weight, max) {
            self.ensure(size * 1.4);
            self.text_at(x, size, weight, &line);
            self.y += size * 1.4;
        }
    }

    /// A centred, wrapped paragraph across the content width, advancing past it.
    pub fn centred_paragraph(&mut self, size: f32, weight: Weight, text: &str) {
        let cx = self.width / 2.0;
        for line in Measure.wrap(text, size, weight, self.content_width()) {
            self.ensure(size * 1.4);
            self.centred_at(cx, size, weight, &line);
            self.y += size * 1.4;
        }
    }

    /// Moves down by `dy`.
    pub fn skip(&mut self, dy: f32) {
        self.y += dy;
    }
}

fn load(weight: Weight) -> Result<Font, PdfError> {
    Font::new(weight.bytes().into(), 0).ok_or(PdfError::Font)
}

fn check_coverage(text: &str, weight: Weight) -> Result<(), PdfError> {
    let font = FontRef::new(weight.bytes()).map_err(|_| PdfError::Font)?;
    let charmap = font.charmap();
    match text.chars().find(|&c| charmap.map(c).is_none()) {
        Some(c) => Err(PdfError::MissingGlyph(u32::from(c))),
        None => Ok(()),
    }
}

/// Renders laid-out pages into a PDF with the fonts embedded (subset), titled `title`, in
/// language `lang` (`vi`, `en`).
pub fn render(pages: &[Page], title: &str, lang: &str) -> Result<Vec<u8>, PdfError> {
    let regular = load(Weight::Regular)?;
    let bold = load(Weight::Bold)?;
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(title.nfc().collect())
            .language(lang.to_owned())
            .creator("vneid-kiosk reports".to_owned()),
    );
    for page in pages {
        let size = Size::from_wh(page.width, page.height).ok_or(PdfError::Geometry)?;
        let mut pdf_page = document.start_page_with(PageSettings::new(size));
        let mut surface = pdf_page.surface();
        for op in &page.ops {
            match op {
                Op::Text {
                    x,
                    y,
                    size,
                    weight,
                    text,
                } => {
                    let text: String = text.nfc().collect();
                    check_coverage(&text, *weight)?;
                    let font = match weight {
                        Weight::Regular => regular.clone(),
                        Weight::Bold => bold.clone(),
                    };
                    surface.draw_text(
                        Point::from_xy(*x, *y),
                        font,
                        *size,
                        &text,
                        false,
                        TextDirection::Auto,
                    );
                }
                Op::Rects {
                    rects,
                    filled,
                    stroke,
                } => {
                    let mut pb = PathBuilder::new();
                    for &(x, y, w, h) in rects {
                        pb.push_rect(Rect::from_xywh(x, y, w, h).ok_or(PdfError::Geometry)?);
                    }
                    let Some(path) = pb.finish() else { continue };
                    if *filled {
                        surface.set_stroke(None);
                        surface.set_fill(Some(Fill::default()));
                    } else {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            width: *stroke,
                            ..Stroke::default()
                        }));
                    }
                    surface.draw_path(&path);
                    surface.set_stroke(None);
                    surface.set_fill(Some(Fill::default()));
                }
            }
        }
        surface.finish();
        pdf_page.finish();
    }
    document
        .finish()
        .map_err(|e| PdfError::Krilla(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_text_is_covered_and_measured() {
        let text = "Ủy ban nhân dân phường Song Liễu: Đã kích hoạt ₫ – “ngày”";
        assert_eq!(check_coverage(text, Weight::Regular), Ok(()));
        assert_eq!(check_coverage(text, Weight::Bold), Ok(()));
        let w = Measure.width("Đã kích hoạt", 10.0, Weight::Regular);
        assert!(w > 40.0 && w < 80.0, "{w}");
        assert!(Measure.width("Đã kích hoạt", 10.0, Weight::Bold) > w);
        // NFD input measures like its NFC form.
        assert_eq!(
            Measure.width("Đa\u{0303}", 10.0, Weight::Regular),
            Measure.width("Đã", 10.0, Weight::Regular)
        );
    }

    #[test]
    fn a_character_the_font_lacks_is_an_error_naming_only_its_code_point() {
        let page = Page {
            width: 100.0,
            height: 100.0,
            ops: vec![Op::Text {
                x: 1.0,
                y: 10.0,
                size: 8.0,
                weight: Weight::Regular,
                text: "ok \u{4E2D}".into(),
            }],
        };
        assert_eq!(
            render(&[page], "t", "vi"),
            Err(PdfError::MissingGlyph(0x4E2D))
        );
    }

    #[test]
    fn wrapping_keeps_lines_within_the_width() {
        let text = "Nhập mã OTP được gửi bằng tin nhắn SMS đến số điện thoại vừa nhập. Mã có hiệu lực trong thời gian ngắn.";
        let lines = Measure.wrap(text, 10.0, Weight::Regular, 150.0);
        assert!(lines.len() >= 3);
        for l in &lines {
            assert!(Measure.width(l, 10.0, Weight::Regular) <= 150.0, "{l}");
        }
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn flow_breaks_pages_when_full() {
        let mut flow = Flow::new(200.0, 200.0, 20.0);
        for _ in 0..30 {
            flow.paragraph(20.0, 160.0, 10.0, Weight::Regular, "dòng");
        }
        assert!(flow.pages.len() >= 3);
        let pdf = render(&flow.pages, "t", "vi").expect("pdf");
        assert!(pdf.starts_with(b"%PDF-"));
    }
}
