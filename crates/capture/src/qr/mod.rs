//! Reading the card's QR code from webcam frames, 640×480 up to 1920×1080.
//!
//! A [`QrReader`] tries cheap views of a frame first and dear ones only when they fail: the
//! region where the code was last seen (a citizen holds the card still), then, for 1080p
//! frames, the frame halved (one level of a scale pyramid: a card held in the guide box still
//! has modules of 3 px or more there), then the whole frame in grey, all decoded by `rxing`
//! with its own local (hybrid) binarisation; last, `rqrr` on the frame, halved and adaptively
//! thresholded (on the first frame without a code, then one in four, to keep live rates). Stages were kept or dropped by measurement (`bench/results/qr.md`): halving
//! first pays at 1920×1080 only; our threshold adds nothing to `rxing` but lets `rqrr` read
//! ~1 % of frames `rxing` misses; a doubled view read nothing more and was dropped. The
//! payload bytes go to `cccd::qr` as bytes: no decoder's guess of the character set is trusted.

pub mod decoders;
pub mod luma;

use cccd::qr::{CardQr, QrError};
use image::{GrayImage, RgbImage};
use thiserror::Error;

pub use decoders::Decoded;
pub use luma::Region;

/// Which view of the frame gave the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    LastRegion,
    Halved,
    FullFrame,
    /// `rqrr` on the frame, halved or adaptively thresholded.
    RqrrFallback,
}

/// A code read from a frame. Its `Debug` shows the payload's length, never its content
/// (a card's payload is personal data).
#[derive(Clone, PartialEq)]
pub struct QrRead {
    /// The raw payload bytes.
    pub payload: Vec<u8>,
    /// Where the code is in the frame (grown by a margin), for the next frame and the UI.
    pub region: Region,
    pub stage: Stage,
}

impl std::fmt::Debug for QrRead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QrRead")
            .field("payload_bytes", &self.payload.len())
            .field("region", &self.region)
            .field("stage", &self.stage)
            .finish()
    }
}

/// Why a frame gave no card QR. Never carries the payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum QrScanError {
    #[error("no readable QR code in the frame")]
    NoCode,
    #[error("the QR code is not a card's: {0}")]
    NotCardQr(QrError),
}

/// How many frames in a row may miss before the last region is forgotten.
const REGION_MEMORY: u32 = 8;

/// Frames wider than this are tried halved before in full (at 1280×720 halving first costs
/// more than it saves).
const HALVE_ABOVE: u32 = 1600;

/// While no code is found, `rqrr` runs on the first missed frame and then on every
/// `RQRR_EVERY`th: it rescues ~1 % of frames but costs 15–90 ms on each frame without a
/// readable code, and a held card gives many near-identical frames anyway.
const RQRR_EVERY: u32 = 4;

/// Whether the `rqrr` fallback runs after `misses` frames in a row without a code.
fn rqrr_due(misses: u32) -> bool {
    misses % RQRR_EVERY == 0
}

/// Reads the card's QR code frame after frame, remembering where it was last found.
#[derive(Debug, Default)]
pub struct QrReader {
    last_region: Option<Region>,
    misses: u32,
}

impl QrReader {
    pub fn new() -> Self {
        Self::default()
    }

    /// Where the code was last found, if recently.
    pub fn last_region(&self) -> Option<Region> {
        self.last_region
    }

    /// Reads any QR code in `frame` and returns its raw payload.
    pub fn read(&mut self, frame: &RgbImage) -> Option<QrRead> {
        let gray = luma::grayscale(frame);
        let found = self.read_gray(&gray);
        match &found {
            Some(read) => {
                self.last_region = Some(read.region);
                self.misses = 0;
            }
            None => {
                self.misses += 1;
                if self.misses >= REGION_MEMORY {
                    self.last_region = None;
                }
            }
        }
        found
    }

    /// Reads the card's QR code in `frame` and parses it.
    pub fn read_card(&mut self, frame: &RgbImage) -> Result<CardQr, QrScanError> {
        let read = self.read(frame).ok_or(QrScanError::NoCode)?;
        CardQr::parse_bytes(&read.payload).map_err(QrScanError::NotCardQr)
    }

    fn read_gray(&self, gray: &GrayImage) -> Option<QrRead> {
        let (width, height) = gray.dimensions();
        let found = |decoded: Decoded, scale: f32, offset: (u32, u32), stage| {
            let points: Vec<(f32, f32)> = decoded
                .points
                .iter()
                .map(|(x, y)| (x * scale + offset.0 as f32, y * scale + offset.1 as f32))
                .collect();
            let region = Region::around(&points, 0.5, width, height)?;
            Some(QrRead {
                payload: decoded.payload,
                region,
                stage,
            })
        };
        if let Some(region) = self.last_region
            && let Some(decoded) = decoders::decode_rxing(&luma::crop(gray, region))
        {
            return found(decoded, 1.0, (region.x, region.y), Stage::LastRegion);
        }
        if width > HALVE_ABOVE
            && let Some(decoded) = decoders::decode_rxing(&luma::halve(gray))
        {
            return found(decoded, 2.0, (0, 0), Stage::Halved);
        }
        if let Some(decoded) = decoders::decode_rxing(gray) {
            return found(decoded, 1.0, (0, 0), Stage::FullFrame);
        }
        if !rqrr_due(self.misses) {
            return None;
        }
        if let Some(decoded) = decoders::decode_rqrr(gray) {
            return found(decoded, 1.0, (0, 0), Stage::RqrrFallback);
        }
        if let Some(decoded) = decoders::decode_rqrr(&luma::halve(gray)) {
            return found(decoded, 2.0, (0, 0), Stage::RqrrFallback);
        }
        let window = (width.max(height) / 40).max(15) | 1;
        decoders::decode_rqrr(&luma::adaptive_threshold(gray, window, 8))
            .and_then(|decoded| found(decoded, 1.0, (0, 0), Stage::RqrrFallback))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_payload() {
        let read = QrRead {
            payload: "001090012345|012345678|Nguyễn Văn A".as_bytes().to_vec(),
            region: Region {
                x: 1,
                y: 2,
                width: 3,
                height: 4,
            },
            stage: Stage::FullFrame,
        };
        let debug = format!("{read:?}");
        assert!(
            !debug.contains("001090012345") && !debug.contains("48, 48, 49"),
            "{debug}"
        );
        assert!(debug.contains("payload_bytes"));
        let decoded = Decoded {
            payload: read.payload.clone(),
            points: Vec::new(),
        };
        assert!(!format!("{decoded:?}").contains("48, 48, 49"));
    }

    #[test]
    fn rqrr_fallback_runs_on_the_first_miss_then_one_frame_in_four() {
        let due: Vec<u32> = (0..10).filter(|misses| rqrr_due(*misses)).collect();
        assert_eq!(due, [0, 4, 8]);
    }

    #[test]
    fn a_blank_frame_counts_a_miss_and_keeps_no_region() {
        let mut reader = QrReader::new();
        let blank = RgbImage::from_pixel(320, 240, image::Rgb([90, 90, 90]));
        assert!(reader.read(&blank).is_none());
        assert_eq!(reader.misses, 1);
        assert!(reader.last_region().is_none());
    }
}
