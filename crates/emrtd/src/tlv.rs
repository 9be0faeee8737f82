//! BER-TLV as ICAO 9303 and ISO 7816-4 use it: multi-byte tags, short and long-form lengths,
//! strict bounds. Parsing borrows from the input and never reads past it; anything that does
//! not fit is a [`TlvError`], never a panic.
//!
//! Tags are kept as the number their bytes spell (`0x5F1F`, `0x7F49`), as the specifications
//! print them.

use thiserror::Error;

/// Longest tag accepted, in bytes (ICAO uses at most two; ISO 7816-4 allows three).
const MAX_TAG_BYTES: usize = 4;
/// Longest length field accepted after the `8x` byte (lengths up to 2^32 - 1).
const MAX_LENGTH_BYTES: usize = 4;

/// Why bytes are not well-formed BER-TLV.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
pub enum TlvError {
    /// The input ended inside a tag or a length field.
    #[error("TLV header truncated")]
    TruncatedHeader,
    /// A tag runs on for more bytes than any ICAO structure uses.
    #[error("TLV tag longer than {MAX_TAG_BYTES} bytes")]
    TagTooLong,
    /// The indefinite length form (`80`), which ICAO 9303 does not use.
    #[error("indefinite TLV length")]
    IndefiniteLength,
    /// A length field of more than four bytes (`85`..`FF`).
    #[error("TLV length field too long")]
    LengthFieldTooLong,
    /// The length says more bytes follow than the input holds.
    #[error("TLV value of {declared} bytes but only {available} present")]
    ValueTruncated {
        /// Length the TLV declares.
        declared: usize,
        /// Bytes actually left in the input.
        available: usize,
    },
    /// Bytes left over after the single TLV that was expected.
    #[error("{0} bytes after the TLV")]
    TrailingData(usize),
    /// A different tag than the structure requires.
    #[error("tag {found:X} where {expected:X} was expected")]
    UnexpectedTag {
        /// Tag required here.
        expected: u32,
        /// Tag found.
        found: u32,
    },
    /// A tag the structure requires is absent.
    #[error("tag {0:X} missing")]
    MissingTag(u32),
}

/// A BER tag, as the number its bytes spell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tag(pub u32);

impl Tag {
    /// Whether the tag marks a constructed encoding (bit 6 of its first byte).
    pub fn is_constructed(self) -> bool {
        let bytes = self.0.to_be_bytes();
        let first = bytes.iter().copied().find(|b| *b != 0).unwrap_or(0);
        first & 0x20 != 0
    }

    /// Appends the tag bytes.
    pub fn encode_into(self, out: &mut Vec<u8>) {
        let bytes = self.0.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count().min(3);
        out.extend_from_slice(bytes.get(skip..).unwrap_or(&[]));
    }
}

/// One parsed TLV, borrowing its value from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The tag.
    pub tag: Tag,
    /// The value bytes (for a constructed tag, the nested TLVs).
    pub value: &'a [u8],
}

impl<'a> Tlv<'a> {
    /// Parses the nested TLVs of a constructed value.
    pub fn children(&self) -> Result<Vec<Tlv<'a>>, TlvError> {
        parse_all(self.value)
    }

    /// Checks the tag and returns the value.
    pub fn expect_tag(self, expected: u32) -> Result<&'a [u8], TlvError> {
        if self.tag.0 == expected {
            Ok(self.value)
        } else {
            Err(TlvError::UnexpectedTag {
                expected,
                found: self.tag.0,
            })
        }
    }
}

/// A TLV header: the tag, the declared value length and how many bytes the header took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// The tag.
    pub tag: Tag,
    /// Declared length of the value.
    pub length: usize,
    /// Bytes the tag and length fields occupy.
    pub header_len: usize,
}

impl Header {
    /// Header plus value: the whole TLV's size.
    pub fn total_len(&self) -> Option<usize> {
        self.header_len.checked_add(self.length)
    }
}

/// Parses a tag and a length without requiring the value to be present (used to learn a file's
/// size from its first bytes).
pub fn parse_header(input: &[u8]) -> Result<Header, TlvError> {
    let (tag, tag_len) = parse_tag(input)?;
    let rest = input.get(tag_len..).ok_or(TlvError::TruncatedHeader)?;
    let (length, len_len) = parse_length(rest)?;
    Ok(Header {
        tag,
        length,
        header_len: tag_len + len_len,
    })
}

fn parse_tag(input: &[u8]) -> Result<(Tag, usize), TlvError> {
    let first = *input.first().ok_or(TlvError::TruncatedHeader)?;
    let mut value = u32::from(first);
    if first & 0x1F != 0x1F {
        return Ok((Tag(value), 1));
    }
    let mut used = 1;
    loop {
        let next = *input.get(used).ok_or(TlvError::TruncatedHeader)?;
        used += 1;
        if used > MAX_TAG_BYTES {
            return Err(TlvError::TagTooLong);
        }
        value = (value << 8) | u32::from(next);
        if next & 0x80 == 0 {
            return Ok((Tag(value), used));
        }
    }
}

fn parse_length(input: &[u8]) -> Result<(usize, usize), TlvError> {
    let first = *input.first().ok_or(TlvError::TruncatedHeader)?;
    if first < 0x80 {
        return Ok((usize::from(first), 1));
    }
    let count = usize::from(first & 0x7F);
    if count == 0 {
        return Err(TlvError::IndefiniteLength);
    }
    if count > MAX_LENGTH_BYTES {
        return Err(TlvError::LengthFieldTooLong);
    }
    let bytes = input.get(1..=count).ok_or(TlvError::TruncatedHeader)?;
    let length = bytes
        .iter()
        .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
    Ok((length, 1 + count))
}

/// Parses the first TLV of `input` and returns it with the bytes after it.
pub fn parse_one(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), TlvError> {
    let header = parse_header(input)?;
    let body = input.get(header.header_len..).unwrap_or(&[]);
    if header.length > body.len() {
        return Err(TlvError::ValueTruncated {
            declared: header.length,
            available: body.len(),
        });
    }
    let (value, rest) = body.split_at(header.length);
    Ok((
        Tlv {
            tag: header.tag,
            value,
        },
        rest,
    ))
}

/// Parses exactly one TLV filling all of `input`.
pub fn parse_single(input: &[u8]) -> Result<Tlv<'_>, TlvError> {
    let (tlv, rest) = parse_one(input)?;
    if rest.is_empty() {
        Ok(tlv)
    } else {
        Err(TlvError::TrailingData(rest.len()))
    }
}

/// Parses a concatenation of TLVs filling all of `input`.
pub fn parse_all(mut input: &[u8]) -> Result<Vec<Tlv<'_>>, TlvError> {
    let mut out = Vec::new();
    while !input.is_empty() {
        let (tlv, rest) = parse_one(input)?;
        out.push(tlv);
        input = rest;
    }
    Ok(out)
}

/// Finds the value of the first TLV with `tag` among the TLVs of `input` (one level deep).
pub fn find(input: &[u8], tag: u32) -> Result<Option<&[u8]>, TlvError> {
    Ok(parse_all(input)?
        .into_iter()
        .find(|t| t.tag.0 == tag)
        .map(|t| t.value))
}

/// Appends a definite length field in its shortest form.
pub fn encode_length_into(length: usize, out: &mut Vec<u8>) {
    if length < 0x80 {
        out.push(length as u8);
        return;
    }
    let bytes = length.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    let significant = bytes.get(skip..).unwrap_or(&[]);
    out.push(0x80 | significant.len() as u8);
    out.extend_from_slice(significant);
}

/// Encodes one TLV.
pub fn encode(tag: u32, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 8);
    encode_into(tag, value, &mut out);
    out
}

/// Appends one TLV.
pub fn encode_into(tag: u32, value: &[u8], out: &mut Vec<u8>) {
    Tag(tag).encode_into(out);
    encode_length_into(value.len(), out);
    out.extend_from_slice(value);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_ef_com_with_two_byte_tags() {
        // EF.COM from ICAO 9303-11 Appendix D.4.
        let com = [
            0x60, 0x14, 0x5F, 0x01, 0x04, 0x30, 0x31, 0x30, 0x36, 0x5F, 0x36, 0x06, 0x30, 0x34,
            0x30, 0x30, 0x30, 0x30, 0x5C, 0x02, 0x61, 0x75,
        ];
        let outer = parse_single(&com).unwrap();
        assert_eq!(outer.tag, Tag(0x60));
        assert!(outer.tag.is_constructed());
        let children = outer.children().unwrap();
        let tags: Vec<u32> = children.iter().map(|t| t.tag.0).collect();
        assert_eq!(tags, [0x5F01, 0x5F36, 0x5C]);
        assert_eq!(find(outer.value, 0x5C).unwrap(), Some(&[0x61, 0x75][..]));
    }

    #[test]
    fn long_form_lengths_parse_and_encode() {
        let mut encoded = encode(0x75, &[0xAA; 300]);
        assert_eq!(&encoded[..4], &[0x75, 0x82, 0x01, 0x2C]);
        let header = parse_header(&encoded).unwrap();
        assert_eq!(header.length, 300);
        assert_eq!(header.header_len, 4);
        assert_eq!(header.total_len(), Some(304));
        encoded = encode(0x7F49, &[0; 0x81]);
        assert_eq!(&encoded[..4], &[0x7F, 0x49, 0x81, 0x81]);
        // A non-minimal long form is still valid BER.
        assert_eq!(
            parse_single(&[0x04, 0x82, 0x00, 0x01, 0xFF]).unwrap().value,
            [0xFF]
        );
    }

    #[test]
    fn truncated_and_over_long_lengths_are_named() {
        assert_eq!(
            parse_one(&[0x61, 0x05, 0x01]),
            Err(TlvError::ValueTruncated {
                declared: 5,
                available: 1
            })
        );
        assert_eq!(
            parse_one(&[0x61, 0x82, 0x01]),
            Err(TlvError::TruncatedHeader)
        );
        assert_eq!(
            parse_one(&[0x61, 0x80, 0x00]),
            Err(TlvError::IndefiniteLength)
        );
        assert_eq!(
            parse_one(&[0x61, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
            Err(TlvError::LengthFieldTooLong)
        );
        assert_eq!(parse_one(&[0x5F]), Err(TlvError::TruncatedHeader));
        assert_eq!(
            parse_one(&[0x5F, 0x81, 0x82, 0x83, 0x04, 0x00]),
            Err(TlvError::TagTooLong)
        );
        assert_eq!(
            parse_single(&[0x01, 0x00, 0x02]),
            Err(TlvError::TrailingData(1))
        );
        assert_eq!(parse_one(&[]), Err(TlvError::TruncatedHeader));
    }

    #[test]
    fn a_four_gigabyte_length_is_refused_not_allocated() {
        let input = [0x04, 0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0x00];
        assert!(matches!(
            parse_one(&input),
            Err(TlvError::ValueTruncated { available: 1, .. })
        ));
    }

    fn arb_tag() -> impl Strategy<Value = u32> {
        prop_oneof![
            (0u32..=0xFF).prop_filter("single-byte", |t| t & 0x1F != 0x1F),
            (0u32..=0xFF, 0u32..0x80).prop_map(|(a, b)| ((a | 0x1F) << 8) | b),
            (0u32..=0xFF, 0x80u32..=0xFF, 0u32..0x80)
                .prop_map(|(a, b, c)| ((a | 0x1F) << 16) | (b << 8) | c),
        ]
    }

    proptest! {
        #[test]
        fn encode_then_parse_round_trips(tag in arb_tag(), value in proptest::collection::vec(any::<u8>(), 0..1000)) {
            let encoded = encode(tag, &value);
            let tlv = parse_single(&encoded).unwrap();
            prop_assert_eq!(tlv.tag, Tag(tag));
            prop_assert_eq!(tlv.value, &value[..]);
        }

        #[test]
        fn random_bytes_never_panic_and_stay_in_bounds(input in proptest::collection::vec(any::<u8>(), 0..300)) {
            if let Ok(tlvs) = parse_all(&input) {
                let total: usize = tlvs.iter().map(|t| t.value.len()).sum();
                prop_assert!(total <= input.len());
            }
            if let Ok(h) = parse_header(&input) {
                prop_assert!(h.header_len <= input.len());
            }
        }

        #[test]
        fn mutated_valid_tlvs_never_panic(
            value in proptest::collection::vec(any::<u8>(), 0..400),
            flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
            cut in any::<prop::sample::Index>(),
        ) {
            let inner = encode(0x5F1F, &value);
            let mut bytes = encode(0x61, &inner);
            for (at, b) in flips {
                let i = at.index(bytes.len());
                bytes[i] = b;
            }
            bytes.truncate(cut.index(bytes.len() + 1));
            if let Ok(outer) = parse_single(&bytes) {
                // Whatever parsed must lie inside the input.
                prop_assert!(outer.value.len() < bytes.len());
                let _ = outer.children();
            }
        }
    }
}
