//! Command APDUs as the card receives them (ISO 7816-4 short and extended length cases) and the
//! status words it answers with.

use thiserror::Error;

/// Status words the chip answers with.
pub mod sw {
    /// Normal processing.
    pub const OK: u16 = 0x9000;
    /// End of file reached before reading Ne bytes.
    pub const END_OF_FILE: u16 = 0x6282;
    /// Authentication failed (BAC cryptogram or PACE token wrong).
    pub const AUTHENTICATION_FAILED: u16 = 0x6300;
    /// Wrong length (Lc/Le inconsistent, or a block larger than the chip reads at once).
    pub const WRONG_LENGTH: u16 = 0x6700;
    /// Authentication method blocked (too many failed attempts).
    pub const AUTHENTICATION_BLOCKED: u16 = 0x6983;
    /// Security status not satisfied (file needs BAC/PACE, or EAC for DG3).
    pub const SECURITY_STATUS_NOT_SATISFIED: u16 = 0x6982;
    /// Conditions of use not satisfied (e.g. MUTUAL AUTHENTICATE without GET CHALLENGE).
    pub const CONDITIONS_NOT_SATISFIED: u16 = 0x6985;
    /// Command not allowed: no current EF.
    pub const NO_CURRENT_EF: u16 = 0x6986;
    /// Expected secure messaging data objects missing.
    pub const SM_DATA_OBJECTS_MISSING: u16 = 0x6987;
    /// Secure messaging data objects incorrect (bad MAC, bad padding, bad cryptogram).
    pub const SM_DATA_OBJECTS_INCORRECT: u16 = 0x6988;
    /// Incorrect parameters in the command data field.
    pub const WRONG_DATA: u16 = 0x6A80;
    /// File or application not found.
    pub const FILE_NOT_FOUND: u16 = 0x6A82;
    /// Incorrect parameters P1-P2.
    pub const WRONG_P1P2: u16 = 0x6A86;
    /// Referenced data (e.g. a PACE password the card does not hold) not found.
    pub const REFERENCED_DATA_NOT_FOUND: u16 = 0x6A88;
    /// Offset outside the EF.
    pub const WRONG_OFFSET: u16 = 0x6B00;
    /// Instruction not supported (the CCCD also answers this to SELECT MF).
    pub const INS_NOT_SUPPORTED: u16 = 0x6D00;
    /// Class not supported.
    pub const CLA_NOT_SUPPORTED: u16 = 0x6E00;
}

/// Why bytes from the terminal are not a well-formed command APDU.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
pub enum ApduError {
    /// Shorter than the 4-byte header.
    #[error("command APDU shorter than its header")]
    TooShort,
    /// Lc/Le do not match the number of bytes received.
    #[error("command APDU length fields do not match its size")]
    BadLength,
}

/// A parsed command APDU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// Class byte.
    pub cla: u8,
    /// Instruction byte.
    pub ins: u8,
    /// Parameter 1.
    pub p1: u8,
    /// Parameter 2.
    pub p2: u8,
    /// Command data field (empty when Lc is absent).
    pub data: Vec<u8>,
    /// Maximum response length Ne (`None` when Le is absent); `00`/`0000` decode to 256/65536.
    pub ne: Option<usize>,
    /// The command used extended length fields.
    pub extended: bool,
}

impl Command {
    /// Parses the four ISO 7816-3 cases, short and extended.
    pub fn parse(bytes: &[u8]) -> Result<Self, ApduError> {
        let (header, body) = bytes.split_at_checked(4).ok_or(ApduError::TooShort)?;
        let [cla, ins, p1, p2] = <[u8; 4]>::try_from(header).map_err(|_| ApduError::TooShort)?;
        let make = |data: &[u8], ne: Option<usize>, extended: bool| Command {
            cla,
            ins,
            p1,
            p2,
            data: data.to_vec(),
            ne,
            extended,
        };
        match body {
            [] => Ok(make(&[], None, false)),
            [le] => Ok(make(&[], Some(short_ne(*le)), false)),
            [0, hi, lo] => Ok(make(
                &[],
                Some(extended_ne(u16::from_be_bytes([*hi, *lo]))),
                true,
            )),
            [0, hi, lo, rest @ ..] if (*hi, *lo) != (0, 0) => {
                let lc = usize::from(u16::from_be_bytes([*hi, *lo]));
                let (data, le) = rest.split_at_checked(lc).ok_or(ApduError::BadLength)?;
                match le {
                    [] => Ok(make(data, None, true)),
                    [hi, lo] => Ok(make(
                        data,
                        Some(extended_ne(u16::from_be_bytes([*hi, *lo]))),
                        true,
                    )),
                    _ => Err(ApduError::BadLength),
                }
            }
            [lc, rest @ ..] if *lc != 0 => {
                let (data, le) = rest
                    .split_at_checked(usize::from(*lc))
                    .ok_or(ApduError::BadLength)?;
                match le {
                    [] => Ok(make(data, None, false)),
                    [le] => Ok(make(data, Some(short_ne(*le)), false)),
                    _ => Err(ApduError::BadLength),
                }
            }
            _ => Err(ApduError::BadLength),
        }
    }
}

fn short_ne(le: u8) -> usize {
    if le == 0 { 256 } else { usize::from(le) }
}

fn extended_ne(le: u16) -> usize {
    if le == 0 { 65536 } else { usize::from(le) }
}

/// A response APDU: data followed by the status word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Response data field.
    pub data: Vec<u8>,
    /// Status word SW1-SW2.
    pub sw: u16,
}

impl Response {
    /// A response with data and `9000`.
    pub fn ok(data: Vec<u8>) -> Self {
        Self { data, sw: sw::OK }
    }

    /// A response with no data and the given status word.
    pub fn status(sw: u16) -> Self {
        Self {
            data: Vec::new(),
            sw,
        }
    }

    /// The bytes sent back to the terminal.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.data.len() + 2);
        out.extend_from_slice(&self.data);
        out.extend_from_slice(&self.sw.to_be_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_all_short_cases() {
        let c1 = Command::parse(&[0x00, 0xA4, 0x04, 0x0C]).unwrap();
        assert_eq!((c1.data.len(), c1.ne), (0, None));
        let c2 = Command::parse(&[0x00, 0x84, 0x00, 0x00, 0x08]).unwrap();
        assert_eq!(c2.ne, Some(8));
        let c2_wild = Command::parse(&[0x00, 0xB0, 0x00, 0x00, 0x00]).unwrap();
        assert_eq!(c2_wild.ne, Some(256));
        let c3 = Command::parse(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1E]).unwrap();
        assert_eq!((c3.data, c3.ne), (vec![0x01, 0x1E], None));
        let c4 = Command::parse(&[0x00, 0x82, 0, 0, 0x01, 0xAA, 0x28]).unwrap();
        assert_eq!(
            (c4.data, c4.ne, c4.extended),
            (vec![0xAA], Some(0x28), false)
        );
    }

    #[test]
    fn parses_extended_cases() {
        let c2 = Command::parse(&[0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00]).unwrap();
        assert_eq!((c2.ne, c2.extended), (Some(65536), true));
        let c2b = Command::parse(&[0x00, 0xB0, 0x00, 0x00, 0x00, 0x04, 0x00]).unwrap();
        assert_eq!(c2b.ne, Some(1024));
        let c4 = Command::parse(&[0x0C, 0xB0, 0, 0, 0x00, 0x00, 0x02, 1, 2, 0x00, 0x00]).unwrap();
        assert_eq!(
            (c4.data, c4.ne, c4.extended),
            (vec![1, 2], Some(65536), true)
        );
    }

    #[test]
    fn rejects_inconsistent_lengths_without_panicking() {
        assert_eq!(Command::parse(&[0x00, 0xA4]), Err(ApduError::TooShort));
        assert_eq!(
            Command::parse(&[0, 0xA4, 2, 0x0C, 0x05, 1, 2]),
            Err(ApduError::BadLength)
        );
        assert_eq!(
            Command::parse(&[0, 0xA4, 2, 0x0C, 0x01, 1, 2, 3]),
            Err(ApduError::BadLength)
        );
        assert_eq!(
            Command::parse(&[0, 0xB0, 0, 0, 0, 0, 5, 1]),
            Err(ApduError::BadLength)
        );
    }

    #[test]
    fn response_bytes_end_with_status_word() {
        assert_eq!(Response::ok(vec![1, 2]).to_bytes(), vec![1, 2, 0x90, 0x00]);
        assert_eq!(
            Response::status(sw::WRONG_LENGTH).to_bytes(),
            vec![0x67, 0x00]
        );
    }
}
