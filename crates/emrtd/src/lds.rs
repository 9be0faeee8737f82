//! The Logical Data Structure (ICAO 9303-10): which elementary files an eMRTD holds, their
//! file identifiers, short file identifiers and tags, and the parsed forms of EF.COM and DG1.
//!
//! Parsers take the bytes a chip returned and refuse anything malformed with [`LdsError`];
//! they never panic and never include file content in an error.

use crate::mrz::{Mrz, MrzError};
use crate::tlv::{self, TlvError};
use thiserror::Error;

/// An elementary file of the eMRTD.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LdsFile {
    /// EF.CardAccess in the master file: the PACE parameters.
    CardAccess,
    /// EF.COM: LDS version and the list of data groups present.
    Com,
    /// EF.SOD: the document security object (passive authentication).
    Sod,
    /// Data group 1 to 16.
    Dg(DataGroup),
}

/// A data group number, 1 to 16.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DataGroup(u8);

impl DataGroup {
    /// DG`n` for n in 1..=16.
    pub const fn new(n: u8) -> Option<Self> {
        if n >= 1 && n <= 16 {
            Some(Self(n))
        } else {
            None
        }
    }

    /// The number.
    pub fn number(self) -> u8 {
        self.0
    }
}

/// Data group tags, DG1 to DG16 (ICAO 9303-10 Table 34).
const DG_TAGS: [u8; 16] = [
    0x61, 0x75, 0x63, 0x76, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F, 0x70,
];

impl LdsFile {
    /// DG`n`, if n is 1..=16.
    pub fn dg(n: u8) -> Option<Self> {
        DataGroup::new(n).map(Self::Dg)
    }

    /// The file identifier for SELECT.
    pub fn fid(self) -> u16 {
        match self {
            Self::CardAccess => 0x011C,
            Self::Com => 0x011E,
            Self::Sod => 0x011D,
            Self::Dg(dg) => 0x0100 | u16::from(dg.0),
        }
    }

    /// The short file identifier for READ BINARY with P1 = 0x80 | SFI.
    pub fn sfi(self) -> u8 {
        match self {
            Self::CardAccess => 0x1C,
            Self::Com => 0x1E,
            Self::Sod => 0x1D,
            Self::Dg(dg) => dg.0,
        }
    }

    /// The tag the file's content starts with.
    pub fn tag(self) -> u8 {
        match self {
            Self::CardAccess => 0x31,
            Self::Com => 0x60,
            Self::Sod => 0x77,
            Self::Dg(dg) => DG_TAGS
                .get(usize::from(dg.0) - 1)
                .copied()
                .unwrap_or_default(),
        }
    }

    /// The data group a tag in EF.COM's tag list names.
    pub fn from_dg_tag(tag: u8) -> Option<Self> {
        let index = DG_TAGS.iter().position(|t| *t == tag)?;
        Self::dg(u8::try_from(index + 1).ok()?)
    }

    /// Whether the file lives in the master file rather than the eMRTD application.
    pub fn in_master_file(self) -> bool {
        self == Self::CardAccess
    }
}

impl core::fmt::Display for LdsFile {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::CardAccess => f.write_str("EF.CardAccess"),
            Self::Com => f.write_str("EF.COM"),
            Self::Sod => f.write_str("EF.SOD"),
            Self::Dg(dg) => write!(f, "DG{}", dg.0),
        }
    }
}

/// Why an LDS file's content was refused.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
pub enum LdsError {
    /// Not valid BER-TLV.
    #[error(transparent)]
    Tlv(#[from] TlvError),
    /// A required element is missing or has the wrong form.
    #[error("malformed {file}: {reason}")]
    Structure {
        /// The file being parsed.
        file: LdsFile,
        /// What is wrong.
        reason: &'static str,
    },
    /// The MRZ in DG1 is not a TD1 or TD3 zone.
    #[error("DG1: {0}")]
    Mrz(#[from] MrzError),
}

/// EF.COM: versions and the data groups present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EfCom {
    /// LDS version, `aabb` for version aa.bb (tag 5F01).
    pub lds_version: Option<String>,
    /// Unicode version, `aabbcc` (tag 5F36).
    pub unicode_version: Option<String>,
    /// The data groups the tag list (5C) names, in its order.
    pub data_groups: Vec<LdsFile>,
    /// Tags in the list that name no data group, kept for the log.
    pub unknown_tags: Vec<u8>,
}

impl EfCom {
    /// Parses `60 { 5F01 version, 5F36 unicode version, 5C tag list }`.
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        let file = LdsFile::Com;
        let (outer, _) = tlv::parse_one(bytes)?;
        let content = outer.expect_tag(0x60)?;
        let text = |tag: u32| -> Result<Option<String>, LdsError> {
            Ok(tlv::find(content, tag)?.map(|v| String::from_utf8_lossy(v).into_owned()))
        };
        let tag_list = tlv::find(content, 0x5C)?.ok_or(LdsError::Structure {
            file,
            reason: "tag list 5C missing",
        })?;
        let mut data_groups = Vec::new();
        let mut unknown_tags = Vec::new();
        for tag in tag_list {
            match LdsFile::from_dg_tag(*tag) {
                Some(dg) if !data_groups.contains(&dg) => data_groups.push(dg),
                Some(_) => {}
                None => unknown_tags.push(*tag),
            }
        }
        Ok(Self {
            lds_version: text(0x5F01)?,
            unicode_version: text(0x5F36)?,
            data_groups,
            unknown_tags,
        })
    }
}

/// DG1: the MRZ as stored on the chip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dg1 {
    /// The parsed zone.
    pub mrz: Mrz,
}

impl Dg1 {
    /// Parses `61 { 5F1F mrz }` and the zone inside (check digits are not enforced here:
    /// call [`Mrz::verify_check_digits`]).
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        let (outer, _) = tlv::parse_one(bytes)?;
        let content = outer.expect_tag(0x61)?;
        let zone = tlv::find(content, 0x5F1F)?.ok_or(LdsError::Structure {
            file: LdsFile::Dg(DataGroup(1)),
            reason: "MRZ 5F1F missing",
        })?;
        let text = core::str::from_utf8(zone).map_err(|_| LdsError::Structure {
            file: LdsFile::Dg(DataGroup(1)),
            reason: "MRZ is not ASCII",
        })?;
        Ok(Self {
            mrz: Mrz::parse(text)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mrz::MrzFormat;
    use crate::test_support::hex;
    use proptest::prelude::*;

    /// DG1 of a CCCD-shaped card: 61 5B 5F1F 5A <90 MRZ characters>.
    pub(crate) fn cccd_dg1() -> Vec<u8> {
        let mrz = "IDVNM0900123450001090012345<<19001011M3001019VNM<<<<<<<<<<<2NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<";
        let inner = tlv::encode(0x5F1F, mrz.as_bytes());
        tlv::encode(0x61, &inner)
    }

    #[test]
    fn file_identifiers_follow_icao_9303_10() {
        let dg2 = LdsFile::dg(2).unwrap();
        assert_eq!(dg2.fid(), 0x0102);
        assert_eq!(dg2.sfi(), 0x02);
        assert_eq!(dg2.tag(), 0x75);
        assert_eq!(LdsFile::dg(13).unwrap().tag(), 0x6D);
        assert_eq!(LdsFile::Com.fid(), 0x011E);
        assert_eq!(LdsFile::Sod.sfi(), 0x1D);
        assert_eq!(LdsFile::CardAccess.fid(), 0x011C);
        assert_eq!(LdsFile::from_dg_tag(0x6F), LdsFile::dg(15));
        assert_eq!(LdsFile::from_dg_tag(0x77), None);
        assert!(LdsFile::dg(0).is_none() && LdsFile::dg(17).is_none());
        assert_eq!(LdsFile::dg(14).unwrap().to_string(), "DG14");
    }

    #[test]
    fn ef_com_of_appendix_d_lists_dg1_and_dg2() {
        let com = EfCom::parse(&hex("60145F0104303130365F36063034303030305C026175")).unwrap();
        assert_eq!(com.lds_version.as_deref(), Some("0106"));
        assert_eq!(com.unicode_version.as_deref(), Some("040000"));
        assert_eq!(
            com.data_groups,
            [LdsFile::dg(1).unwrap(), LdsFile::dg(2).unwrap()]
        );
        assert!(com.unknown_tags.is_empty());
    }

    #[test]
    fn cccd_ef_com_lists_its_six_data_groups() {
        // DG1, DG2, DG3, DG13, DG14, DG15 as CCCD.md describes.
        let tags = [0x61, 0x75, 0x63, 0x6D, 0x6E, 0x6F];
        let mut content = tlv::encode(0x5F01, b"0107");
        tlv::encode_into(0x5F36, b"040000", &mut content);
        tlv::encode_into(0x5C, &tags, &mut content);
        let com = EfCom::parse(&tlv::encode(0x60, &content)).unwrap();
        let numbers: Vec<u8> = com
            .data_groups
            .iter()
            .filter_map(|f| match f {
                LdsFile::Dg(dg) => Some(dg.number()),
                _ => None,
            })
            .collect();
        assert_eq!(numbers, [1, 2, 3, 13, 14, 15]);
    }

    #[test]
    fn ef_com_without_a_tag_list_is_refused() {
        assert_eq!(
            EfCom::parse(&hex("60075F010430313036")).unwrap_err(),
            LdsError::Structure {
                file: LdsFile::Com,
                reason: "tag list 5C missing"
            }
        );
        assert!(EfCom::parse(&hex("61025C00")).is_err());
    }

    #[test]
    fn cccd_dg1_parses_to_a_td1_zone_with_valid_check_digits() {
        let dg1 = Dg1::parse(&cccd_dg1()).unwrap();
        assert_eq!(dg1.mrz.format, MrzFormat::Td1);
        assert_eq!(dg1.mrz.document_number, "090012345");
        dg1.mrz.verify_check_digits().unwrap();
    }

    #[test]
    fn dg1_errors_are_named_without_content() {
        let mut bad = cccd_dg1();
        bad.truncate(40);
        let err = Dg1::parse(&bad).unwrap_err();
        assert!(matches!(
            err,
            LdsError::Tlv(TlvError::ValueTruncated { .. })
        ));
        let not_ascii = tlv::encode(0x61, &tlv::encode(0x5F1F, &[0xFF; 90]));
        let err = Dg1::parse(&not_ascii).unwrap_err();
        assert!(!err.to_string().contains("NGUYEN"));
        assert!(matches!(err, LdsError::Structure { .. }));
    }

    proptest! {
        #[test]
        fn mutated_dg1_never_panics(
            flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut bytes = cccd_dg1();
            for (at, b) in flips {
                let i = at.index(bytes.len());
                bytes[i] = b;
            }
            bytes.truncate(cut.index(bytes.len() + 1));
            if let Ok(dg1) = Dg1::parse(&bytes) {
                let _ = dg1.mrz.verify_check_digits();
            }
        }

        #[test]
        fn random_bytes_never_panic_the_lds_parsers(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = Dg1::parse(&bytes);
            let _ = EfCom::parse(&bytes);
        }
    }
}
