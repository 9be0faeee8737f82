//! What the chip gave and what the kiosk concluded from it: the raw data groups and EF.SOD (so
//! the back office can re-run passive authentication itself), and the kiosk's verdicts.
//!
//! Plain types of our own, independent of the card-reading crates: the kiosk's reader fills
//! them in.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use zeroize::Zeroize;

/// The largest data group or EF.SOD accepted (DG2 of a CCCD is ~15–25 KB).
pub const MAX_ELEMENTARY_FILE_LEN: usize = 256 * 1024;

/// Why chip evidence was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EvidenceError {
    /// A data group number outside 1–16.
    #[error("data group number {0} is outside 1–16")]
    DataGroupNumber(u8),
    /// A data group or EF.SOD is empty or larger than [`MAX_ELEMENTARY_FILE_LEN`].
    #[error("a data group or EF.SOD is empty or larger than 256 KiB")]
    FileSize,
    /// DG1 (the MRZ) is missing: without it nothing can be re-verified.
    #[error("the chip evidence lacks DG1")]
    MissingDg1,
}

/// Raw bytes read from the chip, exactly as read: DGs by number, and EF.SOD.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChipEvidence {
    data_groups: BTreeMap<u8, serde_bytes::ByteBuf>,
    #[serde(with = "serde_bytes")]
    sod: Vec<u8>,
}

impl ChipEvidence {
    /// Validates the files read from the chip; DG1 and EF.SOD are required.
    pub fn new(data_groups: BTreeMap<u8, Vec<u8>>, sod: Vec<u8>) -> Result<Self, EvidenceError> {
        let size_ok = |b: &[u8]| !b.is_empty() && b.len() <= MAX_ELEMENTARY_FILE_LEN;
        if !size_ok(&sod) {
            return Err(EvidenceError::FileSize);
        }
        for (&number, bytes) in &data_groups {
            if !(1..=16).contains(&number) {
                return Err(EvidenceError::DataGroupNumber(number));
            }
            if !size_ok(bytes) {
                return Err(EvidenceError::FileSize);
            }
        }
        if !data_groups.contains_key(&1) {
            return Err(EvidenceError::MissingDg1);
        }
        Ok(Self {
            data_groups: data_groups
                .into_iter()
                .map(|(n, b)| (n, serde_bytes::ByteBuf::from(b)))
                .collect(),
            sod,
        })
    }

    /// The raw bytes of data group `number`, if it was read.
    pub fn data_group(&self, number: u8) -> Option<&[u8]> {
        self.data_groups.get(&number).map(|b| b.as_slice())
    }

    /// The numbers of the data groups present, ascending.
    pub fn data_group_numbers(&self) -> impl Iterator<Item = u8> + '_ {
        self.data_groups.keys().copied()
    }

    /// The raw EF.SOD.
    pub fn sod(&self) -> &[u8] {
        &self.sod
    }
}

impl Drop for ChipEvidence {
    fn drop(&mut self) {
        for bytes in self.data_groups.values_mut() {
            Zeroize::zeroize(&mut **bytes);
        }
        self.sod.zeroize();
    }
}

impl fmt::Debug for ChipEvidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChipEvidence")
            .field("data_groups", &self.data_groups.keys().collect::<Vec<_>>())
            .field("sod_len", &self.sod.len())
            .finish()
    }
}

/// How the kiosk opened the chip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccessMethod {
    /// Basic Access Control with the MRZ key.
    Bac,
    /// PACE with the MRZ password.
    PaceMrz,
    /// PACE with the card access number.
    PaceCan,
}

/// The verdict of passive authentication (EF.SOD hashes, signature, chain to the trust store).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PassiveAuthentication {
    /// Hashes match, signature valid, chain to a trusted CSCA.
    Trusted,
    /// Hashes match and the signature is valid, but the issuer is not in the trust store.
    SignatureValidIssuerUnknown,
    /// A hash or the signature does not verify.
    Invalid,
}

/// The verdict of a clone-detection protocol (chip authentication or active authentication).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CloneCheck {
    /// The chip proved it holds the private key of the (passively authenticated) public key.
    Passed,
    /// The chip failed the proof.
    Failed,
    /// The chip does not offer the protocol.
    NotSupported,
    /// Offered but not run (for example, passive authentication had not validated DG14/DG15).
    NotPerformed,
}

/// A face comparison score between the chip photo and the live portrait, in 0–1000 (per mille).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaceMatchScore(u16);

impl FaceMatchScore {
    /// A score, if within 0–1000.
    pub fn per_mille(score: u16) -> Option<Self> {
        (score <= 1000).then_some(Self(score))
    }

    /// The score in 0–1000.
    pub fn value(self) -> u16 {
        self.0
    }
}

/// Everything the kiosk verified about a chip read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    /// How the chip was opened.
    pub access: AccessMethod,
    /// Passive authentication verdict.
    pub passive: PassiveAuthentication,
    /// Chip authentication (DG14).
    pub chip_authentication: CloneCheck,
    /// Active authentication (DG15).
    pub active_authentication: CloneCheck,
    /// Chip photo vs. live portrait, when a comparison ran.
    pub face_match: Option<FaceMatchScore>,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn sample_evidence() -> ChipEvidence {
        let mut dgs = BTreeMap::new();
        dgs.insert(
            1,
            b"\x61\x5b\x5f\x1f\x58IDVNM0900123450001090012345<<1".to_vec(),
        );
        dgs.insert(2, vec![0x75; 18_000]);
        dgs.insert(13, vec![0x6D; 400]);
        dgs.insert(14, vec![0x6E; 300]);
        dgs.insert(15, vec![0x6F; 200]);
        ChipEvidence::new(dgs, vec![0x77; 2_000]).expect("valid fixture")
    }

    pub(crate) fn sample_verification() -> Verification {
        Verification {
            access: AccessMethod::Bac,
            passive: PassiveAuthentication::SignatureValidIssuerUnknown,
            chip_authentication: CloneCheck::Passed,
            active_authentication: CloneCheck::NotSupported,
            face_match: FaceMatchScore::per_mille(870),
        }
    }

    #[test]
    fn evidence_requires_dg1_and_in_range_data_groups() {
        let sod = vec![0x77; 10];
        let mut dgs = BTreeMap::new();
        dgs.insert(2, vec![1]);
        assert_eq!(
            ChipEvidence::new(dgs.clone(), sod.clone()).err(),
            Some(EvidenceError::MissingDg1)
        );
        dgs.insert(1, vec![1]);
        dgs.insert(17, vec![1]);
        assert_eq!(
            ChipEvidence::new(dgs.clone(), sod.clone()).err(),
            Some(EvidenceError::DataGroupNumber(17))
        );
        dgs.remove(&17);
        dgs.insert(3, vec![]);
        assert_eq!(
            ChipEvidence::new(dgs, sod).err(),
            Some(EvidenceError::FileSize)
        );
    }

    #[test]
    fn debug_of_evidence_shows_only_numbers_and_sizes() {
        let shown = format!("{:?}", sample_evidence());
        assert!(!shown.contains("IDVNM"));
        assert!(shown.contains("sod_len: 2000"));
    }

    #[test]
    fn face_score_is_bounded_to_per_mille() {
        assert_eq!(FaceMatchScore::per_mille(1001), None);
        assert_eq!(
            FaceMatchScore::per_mille(1000).map(|s| s.value()),
            Some(1000)
        );
    }
}
