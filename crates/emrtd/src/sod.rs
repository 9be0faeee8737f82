//! EF.SOD, the Document Security Object (ICAO 9303-10 §4.6.2): tag `77` around a CMS
//! SignedData ([`crate::cms`]) whose content is the LDSSecurityObject (`2.23.136.1.1.1`), the
//! hash of every data group, signed by the document signer (DS) whose certificate travels
//! inside. This module only decodes; [`crate::passive_auth`] verifies.

use der::asn1::ObjectIdentifier;
use thiserror::Error;

use crate::cms::{
    self, CmsError, DigestAlgorithm, EmbeddedCertificate, OCTET_STRING, SEQUENCE, SignedData,
    elements, exactly, expect, small_integer,
};
use crate::tlv::{self, TlvError};

/// The tag of the EF.SOD file.
pub const SOD_TAG: u32 = 0x77;

/// `id-icao-mrtd-security-ldsSecurityObject`.
pub const ID_LDS_SECURITY_OBJECT: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.136.1.1.1");

/// One entry of the LDSSecurityObject: a data group number and the hash of its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataGroupHash {
    pub number: u8,
    pub hash: Vec<u8>,
}

/// The signed content: which hash function, and the hash of each data group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LdsSecurityObject {
    /// 0 for LDS 1.7, 1 when an LDS version (`ldsVersionInfo`) is present.
    pub version: u8,
    pub digest_algorithm: DigestAlgorithm,
    pub data_group_hashes: Vec<DataGroupHash>,
}

impl LdsSecurityObject {
    /// The hash the SOD holds for data group `number`.
    pub fn hash_of(&self, number: u8) -> Option<&[u8]> {
        self.data_group_hashes
            .iter()
            .find(|entry| entry.number == number)
            .map(|entry| entry.hash.as_slice())
    }
}

/// A decoded EF.SOD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sod {
    /// The SignedData, with the exact bytes its signature covers.
    pub signed_data: SignedData,
    pub lds_security_object: LdsSecurityObject,
}

/// Why EF.SOD bytes could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum SodError {
    #[error("EF.SOD is not well-formed TLV: {0}")]
    Tlv(#[from] TlvError),
    #[error("EF.SOD does not start with tag 77")]
    WrongTag,
    #[error("EF.SOD SignedData: {0}")]
    Cms(#[from] CmsError),
    #[error("EF.SOD content is not an LDSSecurityObject")]
    NotLdsSecurityObject,
    #[error("EF.SOD data group number is out of range")]
    BadDataGroupNumber,
}

impl Sod {
    /// Decodes the whole EF.SOD file (starting at tag `77`).
    pub fn decode(file: &[u8]) -> Result<Self, SodError> {
        let outer = tlv::parse_single(file)?;
        if outer.tag.0 != SOD_TAG {
            return Err(SodError::WrongTag);
        }
        let signed_data = SignedData::decode(outer.value)?;
        if signed_data.content_type != ID_LDS_SECURITY_OBJECT {
            return Err(SodError::NotLdsSecurityObject);
        }
        Ok(Self {
            lds_security_object: lds_security_object(&signed_data.content)?,
            signed_data,
        })
    }

    /// The document signer's certificate, as the signer info names it.
    pub fn document_signer_certificate(&self) -> Option<&EmbeddedCertificate> {
        self.signed_data.signer_certificate()
    }
}

/// LDSSecurityObject ::= SEQUENCE { version INTEGER, hashAlgorithm AlgorithmIdentifier,
///   dataGroupHashValues SEQUENCE OF SEQUENCE { dataGroupNumber INTEGER, hash OCTET STRING },
///   ldsVersionInfo LDSVersionInfo OPTIONAL }
fn lds_security_object(content: &[u8]) -> Result<LdsSecurityObject, SodError> {
    let value = expect(
        tlv::parse_single(content).map_err(CmsError::from)?,
        SEQUENCE,
        "LDSSecurityObject",
    )?;
    let parts = elements(value)?;
    let (Some(version), Some(algorithm), Some(hashes)) =
        (parts.first(), parts.get(1), parts.get(2))
    else {
        return Err(CmsError::Malformed("LDSSecurityObject too short").into());
    };
    let digest_algorithm = cms::digest_algorithm(algorithm)?;
    let mut data_group_hashes = Vec::new();
    for entry in elements(expect(hashes.tlv, SEQUENCE, "dataGroupHashValues")?)? {
        let [number, hash] = exactly::<2>(
            expect(entry.tlv, SEQUENCE, "DataGroupHash")?,
            "DataGroupHash",
        )?;
        let number = small_integer(&number)?;
        if !(1..=16).contains(&number) {
            return Err(SodError::BadDataGroupNumber);
        }
        let hash = expect(hash.tlv, OCTET_STRING, "dataGroupHashValue")?;
        data_group_hashes.push(DataGroupHash {
            number,
            hash: hash.to_vec(),
        });
    }
    Ok(LdsSecurityObject {
        version: small_integer(version)?,
        digest_algorithm,
        data_group_hashes,
    })
}
