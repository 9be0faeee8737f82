//! Hand-built DER for the tests: DG13 fixtures assembled byte by byte, not by an encoder in
//! the crate, so decoding is checked independently.

#![allow(dead_code, reason = "each test binary uses a subset of the helpers")]

/// One DER object with a minimal length encoding.
pub fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    match content.len() {
        n @ 0..=0x7F => out.push(n as u8),
        n @ 0x80..=0xFF => out.extend([0x81, n as u8]),
        n => out.extend([0x82, (n >> 8) as u8, n as u8]),
    }
    out.extend_from_slice(content);
    out
}

pub fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    der(0x30, &parts.concat())
}

pub fn utf8(text: &str) -> Vec<u8> {
    der(0x0C, text.as_bytes())
}

pub fn printable(text: &str) -> Vec<u8> {
    der(0x13, text.as_bytes())
}

pub fn field(number: u8, value: Vec<u8>) -> Vec<u8> {
    seq(&[der(0x02, &[number]), value])
}

/// A complete DG13 in the shape CCCD.md describes: a short header (version INTEGER and an
/// OID), then a SEQUENCE of all sixteen fields plus one unknown field 17.
pub fn full_fields() -> Vec<Vec<u8>> {
    vec![
        field(1, printable("001090012345")),
        field(2, utf8("Nguyễn Văn An")),
        field(3, printable("01/01/1990")),
        field(4, utf8("Nam")),
        field(5, utf8("Việt Nam")),
        field(6, utf8("Kinh")),
        field(7, utf8("Không")),
        field(8, utf8("Hoàn Kiếm, Hà Nội")),
        field(9, utf8("Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh")),
        field(10, utf8("")),
        field(11, printable("15/04/2021")),
        field(12, utf8("01/01/2030")),
        field(
            13,
            seq(&[
                seq(&[utf8("Nguyễn Văn Bình")]),
                seq(&[utf8("Trần Thị Cúc")]),
            ]),
        ),
        field(14, seq(&[])),
        field(15, printable("012345678")),
        field(16, printable("ABCDEF0123456789")),
        field(17, der(0x04, &[0xDE, 0xAD])),
    ]
}

pub fn dg13(fields: &[Vec<u8>]) -> Vec<u8> {
    let header = [der(0x02, &[0x01]), der(0x06, &[0x2B, 0x06, 0x01])].concat();
    der(0x6D, &[header, seq(fields)].concat())
}
