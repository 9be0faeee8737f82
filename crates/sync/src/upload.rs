//! Resumable upload of a package, in chunks.
//!
//! The kiosk first offers the package (`POST /v1/uploads`: id, SHA-256, length); the answer says
//! how many bytes the back office already holds (zero for a new package, the whole length with
//! a receipt for one already stored). It then sends the rest with `PUT /v1/uploads/{id}`, each
//! chunk carrying `Content-Range: bytes <first>-<last>/<total>` (RFC 9110 §14.4). A chunk must
//! start exactly at the current offset; a chunk that lies wholly before it (a duplicate
//! delivery) changes nothing and is answered with the current status; any other start is
//! refused with `416` and the current offset. After a cut the kiosk asks
//! `GET /v1/uploads/{id}` and goes on from there. When the last byte arrives the back office
//! checks the SHA-256, verifies and stores the package and answers with the receipt.

use std::fmt;

/// The header carrying a chunk's place in the package.
pub const CONTENT_RANGE: &str = "content-range";
/// The largest chunk the back office accepts.
pub const MAX_CHUNK_LEN: u64 = 1024 * 1024;
/// The largest package the back office accepts (the package format's limits with headroom).
pub const MAX_PACKAGE_LEN: u64 = 9 * 1024 * 1024;

/// A chunk's byte range: `first..=last` of `total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentRange {
    /// Offset of the chunk's first byte.
    pub first: u64,
    /// Offset of its last byte (inclusive).
    pub last: u64,
    /// The whole package's length.
    pub total: u64,
}

/// A `Content-Range` value that is not `bytes a-b/n` with `a <= b < n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("malformed Content-Range (expected `bytes first-last/total`)")]
pub struct RangeError;

impl ContentRange {
    /// The range of `len` bytes at `offset` in a package of `total` bytes.
    pub fn of(offset: u64, len: u64, total: u64) -> Result<Self, RangeError> {
        let last = offset
            .checked_add(len)
            .and_then(|end| end.checked_sub(1))
            .ok_or(RangeError)?;
        Self::checked(offset, last, total)
    }

    fn checked(first: u64, last: u64, total: u64) -> Result<Self, RangeError> {
        if first <= last && last < total {
            Ok(Self { first, last, total })
        } else {
            Err(RangeError)
        }
    }

    /// Parses `bytes first-last/total`.
    pub fn parse(value: &str) -> Result<Self, RangeError> {
        let rest = value.trim().strip_prefix("bytes ").ok_or(RangeError)?;
        let (range, total) = rest.split_once('/').ok_or(RangeError)?;
        let (first, last) = range.split_once('-').ok_or(RangeError)?;
        let number = |s: &str| {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(RangeError);
            }
            s.parse::<u64>().map_err(|_| RangeError)
        };
        Self::checked(number(first)?, number(last)?, number(total)?)
    }

    /// The chunk's length.
    pub fn len(&self) -> u64 {
        self.last - self.first + 1
    }

    /// Never true: a range holds at least one byte.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The offset just after the chunk.
    pub fn end(&self) -> u64 {
        self.last + 1
    }
}

impl fmt::Display for ContentRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bytes {}-{}/{}", self.first, self.last, self.total)
    }
}

/// What the back office does with a chunk, given the bytes it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkPlacement {
    /// The chunk starts at the current offset: append it.
    Append,
    /// The chunk lies wholly before the offset (a duplicate): nothing to do.
    AlreadyHeld,
    /// The chunk starts elsewhere (a gap or a partial overlap): refuse with the offset.
    Mismatch,
}

/// Places `range` against the `offset` already held.
pub fn place(range: &ContentRange, offset: u64) -> ChunkPlacement {
    if range.first == offset {
        ChunkPlacement::Append
    } else if range.end() <= offset {
        ChunkPlacement::AlreadyHeld
    } else {
        ChunkPlacement::Mismatch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges_round_trip_and_measure_their_chunk() {
        let r = ContentRange::of(65_536, 16_384, 200_000).expect("valid");
        assert_eq!(r.to_string(), "bytes 65536-81919/200000");
        assert_eq!(ContentRange::parse(&r.to_string()), Ok(r));
        assert_eq!(r.len(), 16_384);
        assert_eq!(r.end(), 81_920);
    }

    #[test]
    fn malformed_or_impossible_ranges_are_refused() {
        for bad in [
            "",
            "bytes",
            "bytes 0-9",
            "bytes 0-9/*",
            "bytes */10",
            "bytes 5-4/10",
            "bytes 0-10/10",
            "bytes -1-3/10",
            "bytes +1-3/10",
            "items 0-9/10",
            "bytes 0-99999999999999999999/10",
        ] {
            assert_eq!(ContentRange::parse(bad), Err(RangeError), "{bad:?}");
        }
        assert_eq!(ContentRange::of(0, 0, 10), Err(RangeError));
        assert_eq!(ContentRange::of(u64::MAX, 2, u64::MAX), Err(RangeError));
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_to_a_valid_range_or_an_error(text in ".{0,40}") {
            if let Ok(r) = ContentRange::parse(&text) {
                proptest::prop_assert!(r.first <= r.last && r.last < r.total);
                proptest::prop_assert_eq!(ContentRange::parse(&r.to_string()), Ok(r));
            }
        }

        #[test]
        fn ranges_of_any_numbers_are_checked(first: u64, len: u64, total: u64) {
            if let Ok(r) = ContentRange::of(first, len, total) {
                proptest::prop_assert_eq!(r.len(), len);
                proptest::prop_assert!(r.end() <= total);
            }
        }
    }

    #[test]
    fn chunks_append_only_at_the_offset_and_duplicates_are_harmless() {
        let r = |first, len| ContentRange::of(first, len, 100).expect("valid");
        assert_eq!(place(&r(40, 10), 40), ChunkPlacement::Append);
        assert_eq!(place(&r(30, 10), 40), ChunkPlacement::AlreadyHeld);
        assert_eq!(place(&r(35, 10), 40), ChunkPlacement::Mismatch);
        assert_eq!(place(&r(50, 10), 40), ChunkPlacement::Mismatch);
    }
}
