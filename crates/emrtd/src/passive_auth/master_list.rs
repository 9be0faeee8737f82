//! ICAO CSCA master lists (ICAO 9303-12 §9): a CMS SignedData with content type
//! `2.23.136.1.1.2` holding `CscaMasterList ::= SEQUENCE { version INTEGER, certList SET OF
//! Certificate }`, signed by a master-list signer whose certificate a CSCA issued.
//!
//! A list is accepted when its signature verifies with the signer's certificate and that
//! certificate was issued (name, key identifier and signature) by a CSCA in the list itself.
//! That proves the file is intact and internally consistent; trusting its issuer remains the
//! administrator's decision, as with any certificate placed in the trust store.

use der::Decode;
use der::asn1::ObjectIdentifier;
use thiserror::Error;
use x509_cert::Certificate;

use super::{Issuer, PassiveAuthError, SignedDataCheck, check_signed_data, find_issuer};
use crate::cms::{self, CmsError, SEQUENCE, SET, SignedData, elements, expect};
use crate::tlv;

/// `id-icao-cscaMasterList`.
pub const ID_CSCA_MASTER_LIST: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.136.1.1.2");

/// Why a master list was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MasterListError {
    #[error("master list SignedData: {0}")]
    Cms(#[from] CmsError),
    #[error("content is not a CSCA master list")]
    NotMasterList,
    #[error("master list signed attributes do not match its content")]
    SignedAttributesMismatch,
    #[error("master list carries no certificate for its signer")]
    NoSignerCertificate,
    #[error("master list signature does not verify")]
    SignatureMismatch,
    #[error("master list signer was not issued by a CSCA in the list")]
    SignerNotIssuedByListedCsca,
    #[error(transparent)]
    Unsupported(#[from] PassiveAuthError),
}

/// A verified master list.
#[derive(Debug, Clone)]
pub struct MasterList {
    pub certificates: Vec<Certificate>,
    /// Subject of the master-list signer (public data, for the log).
    pub signer: String,
}

impl MasterList {
    /// Decodes a master list file (a DER ContentInfo) and checks its signature and signer.
    pub fn decode_and_verify(file: &[u8]) -> Result<Self, MasterListError> {
        let signed = SignedData::decode(file)?;
        if signed.content_type != ID_CSCA_MASTER_LIST {
            return Err(MasterListError::NotMasterList);
        }
        let certificates = certificate_list(&signed.content)?;
        let signer = match check_signed_data(&signed)? {
            SignedDataCheck::Signed(signer) => signer,
            SignedDataCheck::ContentTypeMismatch | SignedDataCheck::MessageDigestMismatch => {
                return Err(MasterListError::SignedAttributesMismatch);
            }
            SignedDataCheck::NoSignerCertificate => {
                return Err(MasterListError::NoSignerCertificate);
            }
            SignedDataCheck::SignatureMismatch(_) => {
                return Err(MasterListError::SignatureMismatch);
            }
        };
        match find_issuer(signer, &certificates)? {
            Issuer::Verified(_) => Ok(Self {
                signer: signer.certificate.tbs_certificate().subject().to_string(),
                certificates,
            }),
            Issuer::Unknown | Issuer::SignatureMismatch => {
                Err(MasterListError::SignerNotIssuedByListedCsca)
            }
        }
    }
}

/// `CscaMasterList ::= SEQUENCE { version INTEGER, certList SET OF Certificate }`.
fn certificate_list(content: &[u8]) -> Result<Vec<Certificate>, MasterListError> {
    let list = expect(
        tlv::parse_single(content).map_err(CmsError::from)?,
        SEQUENCE,
        "CscaMasterList",
    )?;
    let parts = elements(list)?;
    let [version, certificates] = parts.as_slice() else {
        return Err(CmsError::Malformed("CscaMasterList").into());
    };
    cms::small_integer(version)?;
    elements(expect(certificates.tlv, SET, "certList")?)?
        .iter()
        .map(|certificate| Ok(Certificate::from_der(certificate.raw).map_err(CmsError::from)?))
        .collect()
}
