//! ISO 7816-4 command and response APDUs: short and extended length encoding, and the status
//! words an eMRTD chip answers with, as an enum a caller can match.
//!
//! Encoding never panics: a command that cannot be encoded (data over 65,535 bytes, Le of zero
//! or over 65,536) is an [`ApduError`].

use crate::transport::{CardTransport, TransportError};
use thiserror::Error;

/// Largest Le a short APDU can carry (encoded as `00`).
pub const SHORT_LE_MAX: usize = 256;
/// Largest Le an extended APDU can carry (encoded as `00 00`).
pub const EXTENDED_LE_MAX: usize = 65_536;
/// Largest command data field a short APDU can carry.
pub const SHORT_LC_MAX: usize = 255;
/// Largest command data field an extended APDU can carry.
pub const EXTENDED_LC_MAX: usize = 65_535;

/// Why a command APDU could not be encoded or a response APDU not parsed.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
pub enum ApduError {
    /// The command data field is longer than an extended APDU can carry.
    #[error("command data of {0} bytes exceeds 65535")]
    DataTooLong(usize),
    /// Le is 0 or larger than 65,536 (Le absent is `None`, not 0).
    #[error("expected length {0} is outside 1..=65536")]
    InvalidLe(usize),
    /// The response is shorter than the two status bytes.
    #[error("response of {0} bytes has no status word")]
    ResponseTooShort(usize),
}

/// A command APDU before encoding: header, optional data, optional expected length.
#[derive(Clone, PartialEq, Eq)]
pub struct CommandApdu {
    /// Class byte.
    pub cla: u8,
    /// Instruction byte.
    pub ins: u8,
    /// First parameter.
    pub p1: u8,
    /// Second parameter.
    pub p2: u8,
    /// Command data field (empty when absent).
    pub data: Vec<u8>,
    /// Expected response length, 1..=65,536; `None` when no response data is expected.
    pub le: Option<usize>,
}

impl core::fmt::Debug for CommandApdu {
    // Command data can carry key material or personal data: show only its length.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CommandApdu")
            .field("cla", &format_args!("{:02X}", self.cla))
            .field("ins", &format_args!("{:02X}", self.ins))
            .field("p1", &format_args!("{:02X}", self.p1))
            .field("p2", &format_args!("{:02X}", self.p2))
            .field("data_len", &self.data.len())
            .field("le", &self.le)
            .finish()
    }
}

impl CommandApdu {
    /// A command with header only (case 1).
    pub fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> Self {
        Self {
            cla,
            ins,
            p1,
            p2,
            data: Vec::new(),
            le: None,
        }
    }

    /// Sets the command data field.
    pub fn with_data(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.data = data.into();
        self
    }

    /// Sets the expected response length (1..=65,536).
    pub fn with_le(mut self, le: usize) -> Self {
        self.le = Some(le);
        self
    }

    /// Whether this command needs the extended length encoding.
    pub fn needs_extended(&self) -> bool {
        self.data.len() > SHORT_LC_MAX || self.le.is_some_and(|le| le > SHORT_LE_MAX)
    }

    /// Encodes the command, short when both fields fit, extended otherwise.
    pub fn encode(&self) -> Result<Vec<u8>, ApduError> {
        self.encode_with(self.needs_extended())
    }

    /// Encodes the command with the extended length encoding even when short would fit.
    pub fn encode_extended(&self) -> Result<Vec<u8>, ApduError> {
        self.encode_with(true)
    }

    fn encode_with(&self, extended: bool) -> Result<Vec<u8>, ApduError> {
        let lc = self.data.len();
        if lc > EXTENDED_LC_MAX {
            return Err(ApduError::DataTooLong(lc));
        }
        if let Some(le) = self.le
            && (le == 0 || le > EXTENDED_LE_MAX)
        {
            return Err(ApduError::InvalidLe(le));
        }
        let mut out = Vec::with_capacity(4 + 3 + lc + 3);
        out.extend_from_slice(&[self.cla, self.ins, self.p1, self.p2]);
        if extended {
            if lc > 0 {
                out.push(0x00);
                out.extend_from_slice(&u16_be(lc));
                out.extend_from_slice(&self.data);
            }
            if let Some(le) = self.le {
                if lc == 0 {
                    out.push(0x00);
                }
                // 65,536 is encoded as 00 00.
                out.extend_from_slice(&u16_be(le % EXTENDED_LE_MAX));
            }
        } else {
            if lc > SHORT_LC_MAX {
                return Err(ApduError::DataTooLong(lc));
            }
            if lc > 0 {
                out.push(lc as u8);
                out.extend_from_slice(&self.data);
            }
            if let Some(le) = self.le {
                if le > SHORT_LE_MAX {
                    return Err(ApduError::InvalidLe(le));
                }
                // 256 is encoded as 00.
                out.push((le % SHORT_LE_MAX) as u8);
            }
        }
        Ok(out)
    }
}

fn u16_be(n: usize) -> [u8; 2] {
    [((n >> 8) & 0xFF) as u8, (n & 0xFF) as u8]
}

/// Most `61xx` continuations followed before giving up (each brings up to 256 bytes).
const MAX_GET_RESPONSES: usize = 256;

/// Sends a raw command and, while the card answers `61xx` (more data waiting, as T=0 readers
/// report), fetches the rest with GET RESPONSE; returns the joined response.
pub fn transmit_joined<T: CardTransport + ?Sized>(
    transport: &mut T,
    command: &[u8],
) -> Result<Vec<u8>, TransportError> {
    let mut raw = transport.transmit(command)?;
    let mut joined = Vec::new();
    for _ in 0..MAX_GET_RESPONSES {
        let more = match raw.as_slice() {
            [data @ .., 0x61, n] => {
                joined.extend_from_slice(data);
                *n
            }
            _ => break,
        };
        raw = transport.transmit(&[0x00, 0xC0, 0x00, 0x00, more])?;
    }
    joined.extend_from_slice(&raw);
    Ok(joined)
}

/// A response APDU: response data and status word.
#[derive(Clone, PartialEq, Eq)]
pub struct ResponseApdu {
    /// Response data (may be empty).
    pub data: Vec<u8>,
    /// The status word that ended the response.
    pub sw: StatusWord,
}

impl core::fmt::Debug for ResponseApdu {
    // Response data is often personal data: show only its length.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ResponseApdu")
            .field("data_len", &self.data.len())
            .field("sw", &self.sw)
            .finish()
    }
}

impl ResponseApdu {
    /// Splits raw response bytes into data and the trailing status word.
    pub fn parse(raw: &[u8]) -> Result<Self, ApduError> {
        let split = raw
            .len()
            .checked_sub(2)
            .ok_or(ApduError::ResponseTooShort(raw.len()))?;
        let (data, sw) = raw.split_at(split);
        let sw = match sw {
            [sw1, sw2] => StatusWord::from_bytes(*sw1, *sw2),
            _ => return Err(ApduError::ResponseTooShort(raw.len())),
        };
        Ok(Self {
            data: data.to_vec(),
            sw,
        })
    }

    /// The data if the status word is success, otherwise the status word as an error.
    pub fn into_success(self) -> Result<Vec<u8>, StatusWord> {
        if self.sw.is_success() {
            Ok(self.data)
        } else {
            Err(self.sw)
        }
    }
}

/// The status words an eMRTD reader meets, each with its meaning (ISO 7816-4 §5.6, ICAO 9303-11).
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusWord {
    /// `9000`: normal processing.
    #[error("9000 success")]
    Success,
    /// `61xx`: success, xx more bytes available with GET RESPONSE.
    #[error("61{0:02X} more response data available")]
    MoreData(u8),
    /// `6282`: end of file reached before Le bytes were read.
    #[error("6282 end of file reached before reading Le bytes")]
    EndOfFile,
    /// `63Cx` / `6300`: verification or authentication failed, with retries left if stated.
    #[error("63xx authentication failed")]
    AuthenticationFailed {
        /// Retries left, when the card says (`63Cx`).
        retries: Option<u8>,
    },
    /// `6700`: wrong length (Lc or Le not accepted).
    #[error("6700 wrong length")]
    WrongLength,
    /// `6882`: secure messaging not supported.
    #[error("6882 secure messaging not supported")]
    SecureMessagingNotSupported,
    /// `6982`: security status not satisfied (access conditions not met).
    #[error("6982 security status not satisfied")]
    SecurityStatusNotSatisfied,
    /// `6983`: authentication method blocked.
    #[error("6983 authentication method blocked")]
    AuthenticationBlocked,
    /// `6984`: reference data not usable.
    #[error("6984 reference data not usable")]
    ReferenceDataNotUsable,
    /// `6985`: conditions of use not satisfied.
    #[error("6985 conditions of use not satisfied")]
    ConditionsNotSatisfied,
    /// `6986`: command not allowed (no current EF).
    #[error("6986 command not allowed")]
    CommandNotAllowed,
    /// `6987`: expected secure messaging data objects missing.
    #[error("6987 secure messaging data objects missing")]
    SmDataObjectsMissing,
    /// `6988`: secure messaging data objects incorrect.
    #[error("6988 secure messaging data objects incorrect")]
    SmDataObjectsIncorrect,
    /// `6A80`: incorrect parameters in the command data field.
    #[error("6A80 incorrect data")]
    WrongData,
    /// `6A81`: function not supported.
    #[error("6A81 function not supported")]
    FunctionNotSupported,
    /// `6A82`: file or application not found.
    #[error("6A82 file not found")]
    FileNotFound,
    /// `6A86`: incorrect parameters P1-P2.
    #[error("6A86 incorrect P1-P2")]
    IncorrectP1P2,
    /// `6A88`: referenced data not found.
    #[error("6A88 referenced data not found")]
    ReferencedDataNotFound,
    /// `6B00`: wrong parameters (offset outside the EF).
    #[error("6B00 wrong parameters, offset outside the file")]
    WrongParameters,
    /// `6Cxx`: wrong Le, xx is the exact length available (00 means 256).
    #[error("6C{0:02X} wrong Le")]
    WrongLe(u8),
    /// `6D00`: instruction not supported.
    #[error("6D00 instruction not supported")]
    InsNotSupported,
    /// `6E00`: class not supported.
    #[error("6E00 class not supported")]
    ClaNotSupported,
    /// `6F00`: no precise diagnosis.
    #[error("6F00 no precise diagnosis")]
    NoPreciseDiagnosis,
    /// Any other status word.
    #[error("{0:04X} unexpected status")]
    Other(u16),
}

impl StatusWord {
    /// Decodes SW1 SW2.
    pub fn from_bytes(sw1: u8, sw2: u8) -> Self {
        Self::from_u16(u16::from_be_bytes([sw1, sw2]))
    }

    /// Decodes a status word given as one number (`0x9000`).
    pub fn from_u16(sw: u16) -> Self {
        let [sw1, sw2] = sw.to_be_bytes();
        match (sw1, sw2) {
            (0x90, 0x00) => Self::Success,
            (0x61, n) => Self::MoreData(n),
            (0x62, 0x82) => Self::EndOfFile,
            (0x63, 0x00) => Self::AuthenticationFailed { retries: None },
            (0x63, n) if n & 0xF0 == 0xC0 => Self::AuthenticationFailed {
                retries: Some(n & 0x0F),
            },
            (0x67, 0x00) => Self::WrongLength,
            (0x68, 0x82) => Self::SecureMessagingNotSupported,
            (0x69, 0x82) => Self::SecurityStatusNotSatisfied,
            (0x69, 0x83) => Self::AuthenticationBlocked,
            (0x69, 0x84) => Self::ReferenceDataNotUsable,
            (0x69, 0x85) => Self::ConditionsNotSatisfied,
            (0x69, 0x86) => Self::CommandNotAllowed,
            (0x69, 0x87) => Self::SmDataObjectsMissing,
            (0x69, 0x88) => Self::SmDataObjectsIncorrect,
            (0x6A, 0x80) => Self::WrongData,
            (0x6A, 0x81) => Self::FunctionNotSupported,
            (0x6A, 0x82) => Self::FileNotFound,
            (0x6A, 0x86) => Self::IncorrectP1P2,
            (0x6A, 0x88) => Self::ReferencedDataNotFound,
            (0x6B, 0x00) => Self::WrongParameters,
            (0x6C, n) => Self::WrongLe(n),
            (0x6D, 0x00) => Self::InsNotSupported,
            (0x6E, 0x00) => Self::ClaNotSupported,
            (0x6F, 0x00) => Self::NoPreciseDiagnosis,
            _ => Self::Other(sw),
        }
    }

    /// The status word as one number (`0x9000`).
    pub fn to_u16(self) -> u16 {
        match self {
            Self::Success => 0x9000,
            Self::MoreData(n) => 0x6100 | u16::from(n),
            Self::EndOfFile => 0x6282,
            Self::AuthenticationFailed { retries: None } => 0x6300,
            Self::AuthenticationFailed { retries: Some(n) } => 0x63C0 | u16::from(n & 0x0F),
            Self::WrongLength => 0x6700,
            Self::SecureMessagingNotSupported => 0x6882,
            Self::SecurityStatusNotSatisfied => 0x6982,
            Self::AuthenticationBlocked => 0x6983,
            Self::ReferenceDataNotUsable => 0x6984,
            Self::ConditionsNotSatisfied => 0x6985,
            Self::CommandNotAllowed => 0x6986,
            Self::SmDataObjectsMissing => 0x6987,
            Self::SmDataObjectsIncorrect => 0x6988,
            Self::WrongData => 0x6A80,
            Self::FunctionNotSupported => 0x6A81,
            Self::FileNotFound => 0x6A82,
            Self::IncorrectP1P2 => 0x6A86,
            Self::ReferencedDataNotFound => 0x6A88,
            Self::WrongParameters => 0x6B00,
            Self::WrongLe(n) => 0x6C00 | u16::from(n),
            Self::InsNotSupported => 0x6D00,
            Self::ClaNotSupported => 0x6E00,
            Self::NoPreciseDiagnosis => 0x6F00,
            Self::Other(sw) => sw,
        }
    }

    /// SW1 SW2 as two bytes.
    pub fn to_bytes(self) -> [u8; 2] {
        self.to_u16().to_be_bytes()
    }

    /// `9000` only.
    pub fn is_success(self) -> bool {
        self == Self::Success
    }

    /// The secure messaging layer of the card rejected the command (`6987`/`6988`): the
    /// session is over on the card's side.
    pub fn is_secure_messaging_error(self) -> bool {
        matches!(
            self,
            Self::SmDataObjectsMissing | Self::SmDataObjectsIncorrect
        )
    }

    /// The card refused the length asked for: a smaller READ BINARY block may succeed.
    pub fn is_length_refusal(self) -> bool {
        matches!(
            self,
            Self::WrongLength | Self::WrongLe(_) | Self::WrongParameters | Self::EndOfFile
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn select_by_file_id_encodes_as_short_case_3() {
        let select = CommandApdu::new(0x00, 0xA4, 0x02, 0x0C).with_data([0x01, 0x1C]);
        assert_eq!(
            select.encode().unwrap(),
            [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1C]
        );
    }

    #[test]
    fn le_of_256_encodes_as_zero_in_a_short_apdu() {
        let read = CommandApdu::new(0x00, 0xB0, 0x00, 0x00).with_le(256);
        assert_eq!(read.encode().unwrap(), [0x00, 0xB0, 0x00, 0x00, 0x00]);
        let read = CommandApdu::new(0x00, 0x84, 0x00, 0x00).with_le(8);
        assert_eq!(read.encode().unwrap(), [0x00, 0x84, 0x00, 0x00, 0x08]);
    }

    #[test]
    fn large_le_switches_to_extended_case_2() {
        let read = CommandApdu::new(0x00, 0xB0, 0x00, 0x00).with_le(1024);
        assert_eq!(
            read.encode().unwrap(),
            [0x00, 0xB0, 0x00, 0x00, 0x00, 0x04, 0x00]
        );
        let read = CommandApdu::new(0x00, 0xB0, 0x00, 0x00).with_le(65_536);
        assert_eq!(
            read.encode().unwrap(),
            [0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00]
        );
    }

    #[test]
    fn extended_case_4_carries_three_byte_lc_and_two_byte_le() {
        let cmd = CommandApdu::new(0x0C, 0xB0, 0x00, 0x00)
            .with_data(vec![0xAB; 300])
            .with_le(65_536);
        let encoded = cmd.encode().unwrap();
        assert_eq!(&encoded[..7], &[0x0C, 0xB0, 0x00, 0x00, 0x00, 0x01, 0x2C]);
        assert_eq!(encoded.len(), 4 + 3 + 300 + 2);
        assert_eq!(&encoded[encoded.len() - 2..], &[0x00, 0x00]);
    }

    #[test]
    fn forced_extended_encoding_of_a_small_command() {
        let cmd = CommandApdu::new(0x0C, 0xB0, 0x00, 0x00)
            .with_data([1, 2, 3])
            .with_le(256);
        assert_eq!(
            cmd.encode_extended().unwrap(),
            [
                0x0C, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x03, 1, 2, 3, 0x01, 0x00
            ]
        );
    }

    #[test]
    fn impossible_lengths_are_errors() {
        let zero = CommandApdu::new(0, 0xB0, 0, 0).with_le(0);
        assert_eq!(zero.encode(), Err(ApduError::InvalidLe(0)));
        let huge = CommandApdu::new(0, 0xB0, 0, 0).with_le(65_537);
        assert_eq!(huge.encode(), Err(ApduError::InvalidLe(65_537)));
        let data = CommandApdu::new(0, 0xD6, 0, 0).with_data(vec![0; 65_536]);
        assert_eq!(data.encode(), Err(ApduError::DataTooLong(65_536)));
    }

    #[test]
    fn response_splits_data_and_status() {
        let resp = ResponseApdu::parse(&[0x60, 0x14, 0x90, 0x00]).unwrap();
        assert_eq!(resp.data, [0x60, 0x14]);
        assert_eq!(resp.sw, StatusWord::Success);
        assert_eq!(
            ResponseApdu::parse(&[0x90]),
            Err(ApduError::ResponseTooShort(1))
        );
        assert_eq!(
            ResponseApdu::parse(&[]),
            Err(ApduError::ResponseTooShort(0))
        );
    }

    #[test]
    fn status_words_name_what_the_card_meant() {
        let cases = [
            (0x6982, StatusWord::SecurityStatusNotSatisfied),
            (0x6A82, StatusWord::FileNotFound),
            (0x6700, StatusWord::WrongLength),
            (0x6CDF, StatusWord::WrongLe(0xDF)),
            (0x6B00, StatusWord::WrongParameters),
            (0x6282, StatusWord::EndOfFile),
            (0x6988, StatusWord::SmDataObjectsIncorrect),
            (0x6987, StatusWord::SmDataObjectsMissing),
            (0x6D00, StatusWord::InsNotSupported),
            (
                0x63C2,
                StatusWord::AuthenticationFailed { retries: Some(2) },
            ),
            (0x6300, StatusWord::AuthenticationFailed { retries: None }),
            (0x6123, StatusWord::MoreData(0x23)),
            (0x9000, StatusWord::Success),
        ];
        for (raw, expected) in cases {
            assert_eq!(StatusWord::from_u16(raw), expected, "{raw:04X}");
            assert_eq!(expected.to_u16(), raw);
        }
        assert!(StatusWord::WrongLe(0x80).is_length_refusal());
        assert!(!StatusWord::FileNotFound.is_length_refusal());
        assert!(StatusWord::SmDataObjectsIncorrect.is_secure_messaging_error());
        assert_eq!(
            StatusWord::SecurityStatusNotSatisfied.to_string(),
            "6982 security status not satisfied"
        );
    }

    proptest! {
        #[test]
        fn every_status_word_round_trips(sw in any::<u16>()) {
            prop_assert_eq!(StatusWord::from_u16(sw).to_u16(), sw);
        }

        #[test]
        fn encoded_commands_have_the_length_their_fields_imply(
            data_len in 0usize..600, le in proptest::option::of(1usize..=65_536)
        ) {
            let cmd = CommandApdu::new(0, 0xB0, 0, 0).with_data(vec![0x5A; data_len]);
            let cmd = CommandApdu { le, ..cmd };
            let encoded = cmd.encode().unwrap();
            let expected = if cmd.needs_extended() {
                4 + if data_len > 0 { 3 + data_len } else { 0 }
                    + match (le, data_len) { (None, _) => 0, (Some(_), 0) => 3, (Some(_), _) => 2 }
            } else {
                4 + if data_len > 0 { 1 + data_len } else { 0 } + usize::from(le.is_some())
            };
            prop_assert_eq!(encoded.len(), expected);
        }
    }

    #[test]
    fn more_data_is_fetched_with_get_response_and_joined() {
        let mut card = crate::test_support::ScriptedCard::new(&[
            ("00B0000000", "0102036104"),
            ("00C0000004", "040506076102"),
            ("00C0000002", "08099000"),
        ]);
        let joined = transmit_joined(&mut card, &[0x00, 0xB0, 0x00, 0x00, 0x00]).unwrap();
        assert_eq!(joined, [1, 2, 3, 4, 5, 6, 7, 8, 9, 0x90, 0x00]);
        card.assert_done();
        let mut card = crate::test_support::ScriptedCard::new(&[("00B0000000", "6A82")]);
        assert_eq!(
            transmit_joined(&mut card, &[0x00, 0xB0, 0x00, 0x00, 0x00]).unwrap(),
            [0x6A, 0x82]
        );
    }
}
