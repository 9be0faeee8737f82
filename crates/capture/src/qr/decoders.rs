//! The QR decoders: a grey image in, the code's raw payload bytes and where it was found out.
//!
//! `rxing` (a port of ZXing) won the measurement (`bench/results/qr.md`): about twice the
//! decode rate of `rqrr` at a quarter of the time. `rqrr` (a port of quirc) still reads about
//! 1 % of frames `rxing` misses, so it is the pipeline's last resort. Neither decoder's guess
//! of the text encoding is trusted: `rxing` is told to hand byte segments over as bytes
//! ("binary", one char per byte) and `rqrr` writes the bytes it decodes; turning bytes into
//! text is the payload parser's job.

use image::GrayImage;
use rxing::{BarcodeFormat, DecodeHints};

/// A decoded code: its payload bytes and the points that locate it in the decoded image.
/// `Debug` shows the payload's length only.
#[derive(Clone, PartialEq)]
pub struct Decoded {
    pub payload: Vec<u8>,
    pub points: Vec<(f32, f32)>,
}

impl std::fmt::Debug for Decoded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoded")
            .field("payload_bytes", &self.payload.len())
            .field("points", &self.points)
            .finish()
    }
}

/// Decodes with `rxing`: hybrid (local) binarisation, finder-pattern detection with
/// "try harder", Reed–Solomon correction.
pub fn decode_rxing(image: &GrayImage) -> Option<Decoded> {
    if image.width() < 21 || image.height() < 21 {
        return None;
    }
    let mut hints = DecodeHints {
        CharacterSet: Some("binary".into()),
        TryHarder: Some(true),
        ..DecodeHints::default()
    };
    let result = rxing::helpers::detect_in_luma_slice_with_hints(
        image.as_raw(),
        image.width(),
        image.height(),
        Some(BarcodeFormat::QR_CODE),
        &mut hints,
    )
    .ok()?;
    Some(Decoded {
        payload: payload_bytes(result.getText()),
        points: result.getPoints().iter().map(|p| (p.x, p.y)).collect(),
    })
}

/// The payload bytes from rxing's text decoded as "binary": every char of a byte, numeric or
/// alphanumeric segment is one byte. A char above U+00FF means the code itself declared a
/// character set (an ECI) that rxing applied; that text is then taken as UTF-8.
fn payload_bytes(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect::<Option<Vec<u8>>>()
        .unwrap_or_else(|| text.as_bytes().to_vec())
}

/// Decodes with `rqrr`: global-threshold capstone detection, perspective grid sampling.
pub fn decode_rqrr(image: &GrayImage) -> Option<Decoded> {
    let mut prepared = rqrr::PreparedImage::prepare(image.clone());
    prepared.detect_grids().iter().find_map(|grid| {
        let mut payload = Vec::new();
        grid.decode_to(&mut payload).ok()?;
        Some(Decoded {
            payload,
            points: grid
                .bounds
                .iter()
                .map(|p| (p.x as f32, p.y as f32))
                .collect(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_text_maps_back_to_the_exact_bytes() {
        let utf8 = "Nguyễn Văn A|Nữ".as_bytes();
        let as_binary: String = utf8.iter().map(|b| char::from(*b)).collect();
        assert_eq!(payload_bytes(&as_binary), utf8);
        assert_eq!(
            payload_bytes("Nguyễn"),
            "Nguyễn".as_bytes(),
            "ECI-decoded text stays UTF-8"
        );
    }

    #[test]
    fn tiny_or_blank_images_decode_to_nothing() {
        assert!(decode_rxing(&GrayImage::new(10, 10)).is_none());
        assert!(decode_rqrr(&GrayImage::new(10, 10)).is_none());
        assert!(decode_rqrr(&GrayImage::from_pixel(200, 100, image::Luma([128]))).is_none());
        assert!(decode_rxing(&GrayImage::from_pixel(200, 100, image::Luma([128]))).is_none());
    }
}
