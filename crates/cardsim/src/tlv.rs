//! The BER-TLV subset the chip parses and writes: tags of one to three bytes, definite lengths
//! up to three bytes (`82 xx xx`). Enough for secure-messaging objects, PACE's dynamic
//! authentication data and the LDS wrappers.

use thiserror::Error;

/// Bytes that are not a well-formed BER-TLV sequence.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
#[error("malformed BER-TLV data")]
pub struct TlvError;

/// One data object inside a byte string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The tag, its bytes read big-endian (`0x7F49` for a two-byte tag).
    pub tag: u32,
    /// The value field.
    pub value: &'a [u8],
    /// The whole object as received (tag, length and value).
    pub raw: &'a [u8],
}

/// Splits `data` into consecutive data objects; fails on any truncation or trailing junk.
pub fn parse_all(data: &[u8]) -> Result<Vec<Tlv<'_>>, TlvError> {
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let (tlv, tail) = parse_one(rest)?;
        out.push(tlv);
        rest = tail;
    }
    Ok(out)
}

/// Parses the first data object of `data`, returning it and the bytes after it.
pub fn parse_one(data: &[u8]) -> Result<(Tlv<'_>, &[u8]), TlvError> {
    let first = *data.first().ok_or(TlvError)?;
    let mut tag = u32::from(first);
    let mut pos = 1;
    if first & 0x1F == 0x1F {
        loop {
            let byte = *data.get(pos).ok_or(TlvError)?;
            tag = (tag << 8) | u32::from(byte);
            pos += 1;
            if byte & 0x80 == 0 {
                break;
            }
            if pos > 3 {
                return Err(TlvError);
            }
        }
    }
    let len_byte = *data.get(pos).ok_or(TlvError)?;
    pos += 1;
    let len = match len_byte {
        0x00..=0x7F => usize::from(len_byte),
        0x81 => {
            let len = usize::from(*data.get(pos).ok_or(TlvError)?);
            pos += 1;
            len
        }
        0x82 => {
            let bytes = data.get(pos..pos + 2).ok_or(TlvError)?;
            pos += 2;
            usize::from(u16::from_be_bytes([
                bytes.first().copied().ok_or(TlvError)?,
                bytes.get(1).copied().ok_or(TlvError)?,
            ]))
        }
        _ => return Err(TlvError),
    };
    let end = pos.checked_add(len).ok_or(TlvError)?;
    let value = data.get(pos..end).ok_or(TlvError)?;
    let raw = data.get(..end).ok_or(TlvError)?;
    let rest = data.get(end..).ok_or(TlvError)?;
    Ok((Tlv { tag, value, raw }, rest))
}

/// Encodes a data object; `tag` is given as its bytes (`&[0x7F, 0x49]`).
pub fn encode(tag: &[u8], value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(tag.len() + 4 + value.len());
    out.extend_from_slice(tag);
    out.extend_from_slice(&encode_length(value.len()));
    out.extend_from_slice(value);
    out
}

/// The definite-length octets for `len` (short form below 128, then `81 xx`, `82 xx xx`).
pub fn encode_length(len: usize) -> Vec<u8> {
    match len {
        0..=0x7F => vec![len as u8],
        0x80..=0xFF => vec![0x81, len as u8],
        _ => {
            let clamped = u16::try_from(len).unwrap_or(u16::MAX);
            let [hi, lo] = clamped.to_be_bytes();
            vec![0x82, hi, lo]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_one_and_two_byte_tags_and_long_lengths() {
        let long = encode(&[0x87], &[0xAB; 200]);
        assert_eq!(&long[..3], &[0x87, 0x81, 200]);
        let mut data = encode(&[0x7F, 0x49], &[1, 2]);
        data.extend_from_slice(&long);
        let tlvs = parse_all(&data).unwrap();
        assert_eq!(tlvs.len(), 2);
        assert_eq!((tlvs[0].tag, tlvs[0].value), (0x7F49, &[1u8, 2][..]));
        assert_eq!((tlvs[1].tag, tlvs[1].value.len()), (0x87, 200));
        assert_eq!(tlvs[1].raw, &long[..]);
        assert_eq!(encode_length(0x1234), vec![0x82, 0x12, 0x34]);
    }

    #[test]
    fn rejects_truncated_objects() {
        assert_eq!(parse_all(&[0x87, 0x05, 1, 2]), Err(TlvError));
        assert_eq!(parse_all(&[0x87]), Err(TlvError));
        assert_eq!(parse_all(&[0x7F]), Err(TlvError));
        assert_eq!(parse_all(&[0x87, 0x83, 0, 0, 1]), Err(TlvError));
        assert_eq!(parse_all(&[0x87, 0x82, 0xFF]), Err(TlvError));
    }
}
