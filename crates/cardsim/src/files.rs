//! The chip's file system as ICAO 9303-10 lays it out: EF.CardAccess in the master file, and
//! inside the eMRTD application EF.COM, EF.SOD and the data groups, each with its file
//! identifier, short file identifier and access condition.

use std::collections::BTreeMap;

/// The eMRTD application identifier (LDS1).
pub const EMRTD_AID: [u8; 7] = [0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01];

/// File identifier of the master file (the CCCD answers `6D00` when it is selected).
pub const MF_FID: u16 = 0x3F00;

/// An elementary file the chip can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ef {
    /// EF.CardAccess (MF, `011C`): PACE and CA parameters, readable without authentication.
    CardAccess,
    /// EF.COM (`011E`): LDS version and the list of data groups.
    Com,
    /// EF.SOD (`011D`): the document security object.
    Sod,
    /// Data group 1 to 16 (`0101`–`0110`).
    Dg(u8),
}

/// Who may read a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without secure messaging.
    Free,
    /// Only inside a BAC or PACE secure-messaging session.
    SecureMessaging,
    /// Only after Extended Access Control, which this chip never grants: reads answer `6982`.
    ExtendedAccessControl,
}

impl Ef {
    /// Every file in the order of their identifiers.
    pub fn all() -> impl Iterator<Item = Ef> {
        [Ef::CardAccess, Ef::Com, Ef::Sod]
            .into_iter()
            .chain((1..=16).map(Ef::Dg))
    }

    /// The file identifier.
    pub fn fid(self) -> u16 {
        match self {
            Ef::CardAccess => 0x011C,
            Ef::Com => 0x011E,
            Ef::Sod => 0x011D,
            Ef::Dg(n) => 0x0100 | u16::from(n),
        }
    }

    /// The short file identifier used by READ BINARY with `P1 = 0x80 | SFI`.
    pub fn sfi(self) -> u8 {
        match self {
            Ef::CardAccess => 0x1C,
            Ef::Com => 0x1E,
            Ef::Sod => 0x1D,
            Ef::Dg(n) => n,
        }
    }

    /// Whether the file lives in the master file rather than the eMRTD application.
    pub fn in_master_file(self) -> bool {
        matches!(self, Ef::CardAccess)
    }

    /// The access condition: DG3 (fingerprints) and DG4 (iris) need EAC.
    pub fn access(self) -> Access {
        match self {
            Ef::CardAccess => Access::Free,
            Ef::Dg(3) | Ef::Dg(4) => Access::ExtendedAccessControl,
            _ => Access::SecureMessaging,
        }
    }

    /// The file with this identifier, if it is one the chip knows.
    pub fn from_fid(fid: u16) -> Option<Ef> {
        Ef::all().find(|ef| ef.fid() == fid)
    }

    /// The file with this short identifier, if it is one the chip knows.
    pub fn from_sfi(sfi: u8) -> Option<Ef> {
        Ef::all().find(|ef| ef.sfi() == sfi)
    }
}

/// The contents of the chip's files. Holds personal data: it has no `Debug`.
#[derive(Clone, Default)]
pub struct Files {
    contents: BTreeMap<Ef, Vec<u8>>,
}

impl Files {
    /// No files at all.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stores (or replaces) a file's bytes.
    pub fn insert(&mut self, ef: Ef, bytes: Vec<u8>) {
        self.contents.insert(ef, bytes);
    }

    /// Adds a file, builder style.
    pub fn with(mut self, ef: Ef, bytes: Vec<u8>) -> Self {
        self.insert(ef, bytes);
        self
    }

    /// A file's bytes, if the chip holds it.
    pub fn get(&self, ef: Ef) -> Option<&[u8]> {
        self.contents.get(&ef).map(Vec::as_slice)
    }

    /// Flips one bit in the last byte of a file: a corrupted data group whose hash no longer
    /// matches the SOD. Does nothing to a file the chip does not hold.
    pub fn corrupt(&mut self, ef: Ef) {
        if let Some(last) = self
            .contents
            .get_mut(&ef)
            .and_then(|bytes| bytes.last_mut())
        {
            *last ^= 0x01;
        }
    }

    /// The files the chip holds.
    pub fn present(&self) -> impl Iterator<Item = Ef> + '_ {
        self.contents.keys().copied()
    }
}

/// EF.CardAccess as observed on a CCCD: PACE-ECDH-GM-AES-CBC-CMAC-128 on brainpoolP256r1
/// (parameter id 13), Chip Authentication ECDH-AES-128 and Terminal Authentication.
pub const CCCD_CARD_ACCESS: [u8; 54] = [
    0x31, 0x34, 0x30, 0x0d, 0x06, 0x08, 0x04, 0x00, 0x7f, 0x00, 0x07, 0x02, 0x02, 0x02, 0x02, 0x01,
    0x01, 0x30, 0x0f, 0x06, 0x0a, 0x04, 0x00, 0x7f, 0x00, 0x07, 0x02, 0x02, 0x03, 0x02, 0x02, 0x02,
    0x01, 0x01, 0x30, 0x12, 0x06, 0x0a, 0x04, 0x00, 0x7f, 0x00, 0x07, 0x02, 0x02, 0x04, 0x02, 0x02,
    0x02, 0x01, 0x02, 0x02, 0x01, 0x0d,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::tests::hex;

    #[test]
    fn card_access_is_the_bytes_observed_on_a_cccd() {
        let observed = hex(
            "3134300d060804007f0007020202020101300f060a04007f000702020302020201013012060a04007f0007020204020202010202010d",
        );
        assert_eq!(CCCD_CARD_ACCESS.to_vec(), observed);
    }

    #[test]
    fn identifiers_follow_icao_9303_10() {
        assert_eq!(Ef::from_fid(0x0101), Some(Ef::Dg(1)));
        assert_eq!(Ef::from_fid(0x010D), Some(Ef::Dg(13)));
        assert_eq!(Ef::from_sfi(0x1D), Some(Ef::Sod));
        assert_eq!(Ef::from_fid(MF_FID), None);
        assert_eq!(Ef::Dg(3).access(), Access::ExtendedAccessControl);
        assert_eq!(Ef::CardAccess.access(), Access::Free);
        assert_eq!(Ef::Dg(15).sfi(), 15);
    }
}
