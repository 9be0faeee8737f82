//! The live portrait captured at the kiosk: a JPEG, bounded in size, checked for the JPEG
//! start and end markers so a truncated or foreign file is refused before it is sealed.

use serde::{Deserialize, Serialize};
use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// The smallest portrait accepted (a real 480×640 face photo is far larger).
pub const MIN_PORTRAIT_LEN: usize = 2 * 1024;
/// The largest portrait accepted.
pub const MAX_PORTRAIT_LEN: usize = 512 * 1024;

/// Why a portrait was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PortraitError {
    /// Smaller than [`MIN_PORTRAIT_LEN`].
    #[error("the portrait is too small to be a photo; retake it")]
    TooSmall,
    /// Larger than [`MAX_PORTRAIT_LEN`].
    #[error("the portrait is larger than 512 KiB; retake it at a lower quality")]
    TooLarge,
    /// No JPEG start-of-image / end-of-image marker.
    #[error("the portrait is not a complete JPEG image; retake it")]
    NotJpeg,
}

impl PortraitError {
    /// The message in Vietnamese.
    pub fn message_vi(self) -> &'static str {
        match self {
            PortraitError::TooSmall => "Ảnh chân dung quá nhỏ; vui lòng chụp lại.",
            PortraitError::TooLarge => "Ảnh chân dung lớn hơn 512 KiB; vui lòng chụp lại.",
            PortraitError::NotJpeg => {
                "Ảnh chân dung không phải ảnh JPEG hoàn chỉnh; vui lòng chụp lại."
            }
        }
    }
}

/// A JPEG portrait.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(try_from = "serde_bytes::ByteBuf")]
pub struct Portrait(#[serde(with = "serde_bytes")] Vec<u8>);

impl Portrait {
    /// Checks size and JPEG markers.
    pub fn from_jpeg(bytes: Vec<u8>) -> Result<Self, PortraitError> {
        let mut bytes = bytes;
        let verdict = if bytes.len() < MIN_PORTRAIT_LEN {
            Err(PortraitError::TooSmall)
        } else if bytes.len() > MAX_PORTRAIT_LEN {
            Err(PortraitError::TooLarge)
        } else if !(bytes.starts_with(&[0xFF, 0xD8, 0xFF]) && bytes.ends_with(&[0xFF, 0xD9])) {
            Err(PortraitError::NotJpeg)
        } else {
            Ok(())
        };
        match verdict {
            Ok(()) => Ok(Self(bytes)),
            Err(e) => {
                bytes.zeroize();
                Err(e)
            }
        }
    }

    /// The JPEG bytes.
    pub fn jpeg(&self) -> &[u8] {
        &self.0
    }
}

impl TryFrom<serde_bytes::ByteBuf> for Portrait {
    type Error = PortraitError;
    fn try_from(b: serde_bytes::ByteBuf) -> Result<Self, PortraitError> {
        Self::from_jpeg(b.into_vec())
    }
}

impl fmt::Debug for Portrait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Portrait({} bytes)", self.0.len())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A JPEG-shaped buffer of `len` bytes (markers right, content filler).
    pub(crate) fn jpeg_of_len(len: usize) -> Vec<u8> {
        let mut b = vec![0x5A; len];
        if let Some(head) = b.get_mut(..4) {
            head.copy_from_slice(&[0xFF, 0xD8, 0xFF, 0xE0]);
        }
        if let Some(tail) = b.get_mut(len.saturating_sub(2)..) {
            tail.copy_from_slice(&[0xFF, 0xD9]);
        }
        b
    }

    #[test]
    fn portrait_accepts_a_bounded_complete_jpeg() {
        assert!(Portrait::from_jpeg(jpeg_of_len(60 * 1024)).is_ok());
    }

    #[test]
    fn oversized_tiny_or_truncated_portraits_are_refused() {
        assert_eq!(
            Portrait::from_jpeg(jpeg_of_len(MAX_PORTRAIT_LEN + 1)).err(),
            Some(PortraitError::TooLarge)
        );
        assert_eq!(
            Portrait::from_jpeg(jpeg_of_len(100)).err(),
            Some(PortraitError::TooSmall)
        );
        let mut truncated = jpeg_of_len(10_000);
        truncated.truncate(9_000);
        assert_eq!(
            Portrait::from_jpeg(truncated).err(),
            Some(PortraitError::NotJpeg)
        );
        let png = [b"\x89PNG\r\n\x1a\n".as_slice(), &[0; 4000]].concat();
        assert_eq!(Portrait::from_jpeg(png).err(), Some(PortraitError::NotJpeg));
    }
}
