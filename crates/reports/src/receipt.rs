//! The citizen's receipt (giấy biên nhận) as a printable A5 PDF: the application number and its
//! QR code, date and time, place, the ID number masked, and what happens next. It names no
//! one: the masked ID (last three digits) is the only personal data on it.

use crate::calendar::{LocalDate, time_of_day};
use crate::export::pdf::letterhead;
use crate::groups::Commune;
use crate::guide;
use crate::locale::Lang;
use crate::print::{A5, Flow, Measure, Op, PdfError, Rectangle, Weight, render};
use enroll::package::PackageId;
use enroll::timestamp::Timestamp;

/// What the receipt shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The application number (the package id).
    pub application: PackageId,
    /// When the enrollment was made.
    pub enrolled_at: Timestamp,
    /// Where: the counter, post office or station (e.g. `Bộ phận một cửa UBND phường`).
    pub place: String,
    /// The ID number masked as `enroll` masks it (`*********456`).
    pub id_masked: String,
    /// False for a QR-only enrollment (not chip-verified): the receipt says so.
    pub chip_verified: bool,
}

/// Why a receipt could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    /// The masked ID shows more than its last three digits (it must never print in full).
    #[error("the ID number on a receipt must be masked")]
    IdNotMasked,
    /// The QR code could not be made.
    #[error("the QR code could not be made")]
    Qr,
    /// The PDF could not be made.
    #[error(transparent)]
    Pdf(#[from] PdfError),
}

fn is_masked(id: &str) -> bool {
    let shown = id.chars().filter(|c| c.is_ascii_digit()).count();
    shown <= 3 && id.chars().all(|c| c == '*' || c.is_ascii_digit())
}

fn labels(lang: Lang) -> [&'static str; 7] {
    match lang {
        Lang::Vi => [
            "GIẤY BIÊN NHẬN HỒ SƠ ĐĂNG KÝ TÀI KHOẢN ĐỊNH DANH ĐIỆN TỬ MỨC 2",
            "Số hồ sơ",
            "Thời gian",
            "Nơi thu nhận",
            "Số định danh cá nhân",
            "Các bước tiếp theo",
            "Thu nhận bằng mã QR trên thẻ (không đọc được chip): cơ quan Công an sẽ đối chiếu thêm.",
        ],
        Lang::En => [
            "RECEIPT: LEVEL-2 ELECTRONIC IDENTIFICATION APPLICATION",
            "Application number",
            "Time",
            "Place",
            "Personal ID number",
            "What happens next",
            "Enrolled from the card's QR code (chip not read): the police will check further.",
        ],
    }
}

fn next_steps(lang: Lang) -> [&'static str; 4] {
    match lang {
        Lang::Vi => [
            "Hồ sơ được gửi đến cơ quan Công an để xét duyệt; giữ giấy biên nhận này để tra cứu.",
            "Khi hồ sơ được phê duyệt, bạn nhận tin nhắn SMS đề nghị kích hoạt tài khoản.",
            "Kích hoạt trên ứng dụng VNeID theo các bước dưới đây; tài khoản chỉ được tính khi đã kích hoạt.",
            "Nếu đổi số điện thoại hoặc không nhận được tin nhắn, hãy liên hệ bộ phận một cửa hoặc Công an xã, phường.",
        ],
        Lang::En => [
            "The application goes to the police for review; keep this receipt to refer to it.",
            "Once approved, you receive an SMS asking you to activate the account.",
            "Activate in the VNeID app with the steps below; the account only counts once activated.",
            "If you change your phone number or get no SMS, contact the one-stop desk or the commune police.",
        ],
    }
}

/// The dark modules of the QR code of `text`, as squares of `module` points from (`x`, `y`).
pub fn qr_squares(
    text: &str,
    x: f32,
    y: f32,
    module: f32,
) -> Result<(Vec<Rectangle>, f32), ReceiptError> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|_| ReceiptError::Qr)?;
    let width = code.width();
    let squares = code
        .to_colors()
        .into_iter()
        .enumerate()
        .filter(|(_, c)| *c == qrcode::Color::Dark)
        .map(|(i, _)| {
            let (col, row) = ((i % width) as f32, (i / width) as f32);
            (x + col * module, y + row * module, module, module)
        })
        .collect();
    Ok((squares, width as f32 * module))
}

/// The receipt as a PDF file's bytes.
pub fn write(receipt: &Receipt, commune: &Commune, lang: Lang) -> Result<Vec<u8>, ReceiptError> {
    if !is_masked(&receipt.id_masked) {
        return Err(ReceiptError::IdNotMasked);
    }
    let (w, h) = A5;
    let mut flow = Flow::new(w, h, 24.0);
    let day = LocalDate::containing(receipt.enrolled_at);
    small_letterhead(&mut flow, commune);
    let [title, number, time, place, id, next, qr_only] = labels(lang);
    flow.centred_paragraph(10.5, Weight::Bold, title);
    flow.skip(6.0);
    let (hh, mm) = time_of_day(receipt.enrolled_at);
    let application = receipt.application.to_string();
    let fields = [
        (number, application.clone()),
        (time, format!("{hh:02}:{mm:02} {}", day.dd_mm_yyyy())),
        (place, receipt.place.clone()),
        (id, receipt.id_masked.clone()),
    ];
    let indent = flow.margin
        + 8.0
        + fields
            .iter()
            .map(|(label, _)| Measure.width(&format!("{label}:"), 9.0, Weight::Bold))
            .fold(0.0, f32::max);
    for (label, value) in &fields {
        flow.text_at(flow.margin, 9.0, Weight::Bold, &format!("{label}:"));
        let max = flow.width - flow.margin - indent;
        flow.paragraph(indent, max, 9.0, Weight::Regular, value);
    }
    if !receipt.chip_verified {
        flow.paragraph(
            flow.margin,
            flow.content_width(),
            8.5,
            Weight::Bold,
            qr_only,
        );
    }
    flow.skip(6.0);
    let module = 3.2;
    let side =
        qrcode::QrCode::with_error_correction_level(application.as_bytes(), qrcode::EcLevel::M)
            .map(|c| c.width() as f32 * module)
            .map_err(|_| ReceiptError::Qr)?;
    flow.ensure(side + 10.0);
    let (squares, side) = qr_squares(&application, (flow.width - side) / 2.0, flow.y, module)?;
    flow.push(Op::Rects {
        rects: squares,
        filled: true,
        stroke: 0.0,
    });
    flow.skip(side + 12.0);
    flow.ensure(30.0);
    flow.text_at(flow.margin, 9.5, Weight::Bold, next);
    flow.skip(14.0);
    for (i, step) in next_steps(lang).iter().enumerate() {
        flow.paragraph(
            flow.margin,
            flow.content_width(),
            8.5,
            Weight::Regular,
            &format!("{}. {step}", i + 1),
        );
    }
    flow.skip(6.0);
    flow.paragraph(
        flow.margin,
        flow.content_width(),
        8.5,
        Weight::Bold,
        guide::title(lang),
    );
    for step in guide::activation_steps(lang) {
        flow.paragraph(
            flow.margin + 8.0,
            flow.content_width() - 8.0,
            8.0,
            Weight::Regular,
            &format!("{}. {}: {}", step.number, step.title, step.detail),
        );
    }
    Ok(render(
        &flow.pages,
        title,
        match lang {
            Lang::Vi => "vi",
            Lang::En => "en",
        },
    )?)
}

fn small_letterhead(flow: &mut Flow, commune: &Commune) {
    let cx = flow.width / 2.0;
    flow.centred_at(cx, 9.0, Weight::Bold, &commune.authority);
    flow.skip(12.0);
    flow.centred_at(cx, 9.0, Weight::Bold, &commune.name);
    flow.skip(18.0);
}

/// The activation guide alone, as a printable A4 sheet for a citizen approved but not
/// activated, with the commune letterhead.
pub fn guide_sheet(commune: &Commune, today: LocalDate, lang: Lang) -> Result<Vec<u8>, PdfError> {
    let (w, h) = crate::print::A4;
    let mut flow = Flow::new(w, h, 40.0);
    letterhead(&mut flow, commune, today, lang);
    flow.centred_paragraph(13.0, Weight::Bold, guide::title(lang));
    flow.skip(10.0);
    for step in guide::activation_steps(lang) {
        flow.ensure(40.0);
        let label = match lang {
            Lang::Vi => format!("Bước {}: {}", step.number, step.title),
            Lang::En => format!("Step {}: {}", step.number, step.title),
        };
        flow.paragraph(
            flow.margin,
            flow.content_width(),
            11.0,
            Weight::Bold,
            &label,
        );
        flow.paragraph(
            flow.margin + 14.0,
            flow.content_width() - 14.0,
            10.5,
            Weight::Regular,
            &step.detail,
        );
        flow.skip(6.0);
    }
    render(
        &flow.pages,
        guide::title(lang),
        match lang {
            Lang::Vi => "vi",
            Lang::En => "en",
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_masked_ids_may_be_printed() {
        assert!(is_masked("*********456"));
        assert!(!is_masked("001234567456"));
        assert!(!is_masked("****56789456"));
        assert!(!is_masked("NGUYEN***456"));
    }

    fn commune() -> Commune {
        Commune {
            authority: "ỦY BAN NHÂN DÂN".into(),
            name: "XÃ CẨM NGỌC".into(),
            place: "Cẩm Ngọc".into(),
            baseline_date: None,
        }
    }

    fn receipt(id_masked: &str) -> Receipt {
        Receipt {
            application: PackageId::from_bytes([7; 16]),
            enrolled_at: Timestamp::from_unix_millis(1_764_547_200_000),
            place: "Điểm bưu điện văn hóa xã Cẩm Ngọc".into(),
            id_masked: id_masked.into(),
            chip_verified: true,
        }
    }

    #[test]
    fn receipts_and_guide_sheets_are_pdfs_in_both_languages() {
        for lang in [Lang::Vi, Lang::En] {
            let pdf = write(&receipt("*********123"), &commune(), lang).expect("receipt");
            assert!(pdf.starts_with(b"%PDF-"));
            let day = LocalDate::new(2025, 12, 4).expect("day");
            let sheet = guide_sheet(&commune(), day, lang).expect("guide");
            assert!(sheet.starts_with(b"%PDF-"));
            assert!(sheet.windows(10).any(|w| w == b"/FontFile2"));
        }
    }

    #[test]
    fn a_receipt_with_the_full_id_number_is_refused() {
        assert_eq!(
            write(&receipt("001090012345"), &commune(), Lang::Vi),
            Err(ReceiptError::IdNotMasked)
        );
    }

    #[test]
    fn qr_squares_lie_within_the_code_and_scale_with_the_module() {
        let (squares, side) =
            qr_squares("0190b9c2-4f7e-7a10-8000-000000000001", 10.0, 20.0, 2.0).expect("qr");
        assert!(!squares.is_empty());
        for &(x, y, w, h) in &squares {
            assert!(x >= 10.0 && y >= 20.0 && x + w <= 10.0 + side && y + h <= 20.0 + side);
        }
        // Finder pattern: the top-left module is dark.
        assert!(squares.iter().any(|&(x, y, ..)| x == 10.0 && y == 20.0));
    }
}
