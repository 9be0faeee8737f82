//! A minimal reader of BER-TLV with definite lengths, enough to walk DG13 without trusting any
//! offset. It tolerates non-minimal length encodings (cards are not always strict DER) and
//! refuses everything it cannot bound: indefinite lengths, lengths past the input, tags longer
//! than three bytes.

use thiserror::Error;

pub(crate) const INTEGER: u32 = 0x02;
pub(crate) const UTF8_STRING: u32 = 0x0C;
pub(crate) const PRINTABLE_STRING: u32 = 0x13;
pub(crate) const SEQUENCE: u32 = 0x30;

/// One data object: its tag (all tag bytes, big-endian) and its value bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tlv<'a> {
    pub tag: u32,
    pub value: &'a [u8],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum TlvError {
    #[error("data ends inside a tag or length")]
    Truncated,
    #[error("a length runs past the end of the data")]
    LengthOverrun,
    #[error("indefinite or over-long length encoding")]
    UnsupportedLength,
    #[error("tag longer than three bytes")]
    TagTooLong,
}

impl Tlv<'_> {
    pub fn is_constructed(&self) -> bool {
        let first = if self.tag > 0xFFFF {
            self.tag >> 16
        } else if self.tag > 0xFF {
            self.tag >> 8
        } else {
            self.tag
        };
        first & 0x20 != 0
    }
}

/// Iterates over the data objects that make up `input`, in order.
pub(crate) fn objects(input: &[u8]) -> Objects<'_> {
    Objects { rest: input }
}

pub(crate) struct Objects<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Objects<'a> {
    type Item = Result<Tlv<'a>, TlvError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        match read(self.rest) {
            Ok((tlv, rest)) => {
                self.rest = rest;
                Some(Ok(tlv))
            }
            Err(error) => {
                self.rest = &[];
                Some(Err(error))
            }
        }
    }
}

/// Reads one data object from the front of `input`, returning it and what follows.
pub(crate) fn read(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), TlvError> {
    let (&first, mut rest) = input.split_first().ok_or(TlvError::Truncated)?;
    let mut tag = u32::from(first);
    if first & 0x1F == 0x1F {
        loop {
            let (&next, after) = rest.split_first().ok_or(TlvError::Truncated)?;
            rest = after;
            if tag > 0xFFFF {
                return Err(TlvError::TagTooLong);
            }
            tag = (tag << 8) | u32::from(next);
            if next & 0x80 == 0 {
                break;
            }
        }
    }
    let (&length_byte, after) = rest.split_first().ok_or(TlvError::Truncated)?;
    rest = after;
    let length = match length_byte {
        0..=0x7F => usize::from(length_byte),
        0x81..=0x84 => {
            let count = usize::from(length_byte & 0x7F);
            let bytes = rest.get(..count).ok_or(TlvError::Truncated)?;
            rest = rest.get(count..).ok_or(TlvError::Truncated)?;
            bytes
                .iter()
                .try_fold(0usize, |acc, &b| {
                    acc.checked_mul(256).map(|a| a | usize::from(b))
                })
                .ok_or(TlvError::UnsupportedLength)?
        }
        _ => return Err(TlvError::UnsupportedLength),
    };
    let value = rest.get(..length).ok_or(TlvError::LengthOverrun)?;
    let rest = rest.get(length..).ok_or(TlvError::LengthOverrun)?;
    Ok((Tlv { tag, value }, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_short_long_and_non_minimal_lengths() {
        let (tlv, rest) = read(&[0x0C, 0x02, b'h', b'i', 0xFF]).unwrap();
        assert_eq!((tlv.tag, tlv.value, rest), (0x0C, &b"hi"[..], &[0xFF][..]));
        let (tlv, _) = read(&[0x0C, 0x81, 0x02, b'h', b'i']).unwrap();
        assert_eq!(tlv.value, b"hi");
        let (tlv, _) = read(&[0x0C, 0x82, 0x00, 0x02, b'h', b'i']).unwrap();
        assert_eq!(tlv.value, b"hi");
    }

    #[test]
    fn reads_multi_byte_tags_and_constructed_bit() {
        let (tlv, _) = read(&[0x7F, 0x61, 0x00]).unwrap();
        assert_eq!(tlv.tag, 0x7F61);
        assert!(tlv.is_constructed());
        let (tlv, _) = read(&[0x5F, 0x1F, 0x00]).unwrap();
        assert!(!tlv.is_constructed());
        assert!(read(&[0x6D, 0x00]).unwrap().0.is_constructed());
    }

    #[test]
    fn refuses_what_it_cannot_bound() {
        assert_eq!(read(&[]), Err(TlvError::Truncated));
        assert_eq!(read(&[0x30]), Err(TlvError::Truncated));
        assert_eq!(
            read(&[0x30, 0x80, 0x00, 0x00]),
            Err(TlvError::UnsupportedLength)
        );
        assert_eq!(
            read(&[0x30, 0x85, 0, 0, 0, 0, 1]),
            Err(TlvError::UnsupportedLength)
        );
        assert_eq!(read(&[0x30, 0x82, 0x01]), Err(TlvError::Truncated));
        assert_eq!(read(&[0x30, 0x03, 0x00]), Err(TlvError::LengthOverrun));
        assert_eq!(
            read(&[0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF]),
            Err(TlvError::LengthOverrun)
        );
        assert_eq!(
            read(&[0x7F, 0x81, 0x82, 0x83, 0x01]),
            Err(TlvError::TagTooLong)
        );
        assert_eq!(read(&[0x7F, 0x81]), Err(TlvError::Truncated));
    }
}
