//! CMS SignedData (RFC 5652) as ICAO 9303 uses it: EF.SOD and CSCA master lists are both a
//! ContentInfo around a SignedData with one signer, signed attributes (content type and message
//! digest) and the signer's certificate inside.
//!
//! Decoding keeps the exact bytes that were signed (the eContent and the signed attributes)
//! instead of re-encoding them, so a signature is checked over what the issuer produced. The
//! structure is walked with [`crate::tlv`]; certificates and algorithm identifiers are decoded
//! with the RustCrypto `x509-cert` and `spki` types. Verification lives in
//! [`crate::passive_auth`].

use der::asn1::ObjectIdentifier;
use der::{Decode, Encode};
use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};
use spki::AlgorithmIdentifierOwned;
use thiserror::Error;
use x509_cert::Certificate;

use crate::tlv::{self, Tlv, TlvError};

const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const ID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");

pub(crate) const SEQUENCE: u32 = 0x30;
pub(crate) const SET: u32 = 0x31;
pub(crate) const INTEGER: u32 = 0x02;
pub(crate) const OCTET_STRING: u32 = 0x04;
const OID: u32 = 0x06;
const CONTEXT_0: u32 = 0xA0;
const CONTEXT_1: u32 = 0xA1;
const CONTEXT_0_PRIMITIVE: u32 = 0x80;

/// The hash functions ICAO 9303 allows for data-group hashes and signatures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DigestAlgorithm {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl DigestAlgorithm {
    /// The algorithm named by `oid`, if it is one of the five.
    pub fn from_oid(oid: ObjectIdentifier) -> Option<Self> {
        [
            Self::Sha1,
            Self::Sha224,
            Self::Sha256,
            Self::Sha384,
            Self::Sha512,
        ]
        .into_iter()
        .find(|algorithm| algorithm.oid() == oid)
    }

    pub fn oid(self) -> ObjectIdentifier {
        ObjectIdentifier::new_unwrap(match self {
            Self::Sha1 => "1.3.14.3.2.26",
            Self::Sha224 => "2.16.840.1.101.3.4.2.4",
            Self::Sha256 => "2.16.840.1.101.3.4.2.1",
            Self::Sha384 => "2.16.840.1.101.3.4.2.2",
            Self::Sha512 => "2.16.840.1.101.3.4.2.3",
        })
    }

    /// The hash of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha1 => Sha1::digest(data).to_vec(),
            Self::Sha224 => Sha224::digest(data).to_vec(),
            Self::Sha256 => Sha256::digest(data).to_vec(),
            Self::Sha384 => Sha384::digest(data).to_vec(),
            Self::Sha512 => Sha512::digest(data).to_vec(),
        }
    }
}

/// How the signer info names its certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignerIdentifier {
    /// The DER of the issuer Name and the serial number's content bytes.
    IssuerAndSerialNumber {
        issuer: Vec<u8>,
        serial: Vec<u8>,
    },
    SubjectKeyIdentifier(Vec<u8>),
}

/// The one SignerInfo of a SignedData, with the exact bytes its signature covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerInfo {
    pub signer: SignerIdentifier,
    pub digest_algorithm: DigestAlgorithm,
    /// The signed attributes re-tagged as the `SET OF` the signature covers (RFC 5652 §5.4).
    pub signed_attributes: Vec<u8>,
    /// The `contentType` signed attribute.
    pub content_type: ObjectIdentifier,
    /// The `messageDigest` signed attribute: the hash of the eContent.
    pub message_digest: Vec<u8>,
    pub signature_algorithm: AlgorithmIdentifierOwned,
    pub signature: Vec<u8>,
}

/// A certificate carried in a SignedData, with the exact bytes its issuer signed. Checking the
/// signature over a re-encoding instead would fail on certificates that a strict profile
/// encodes differently (RFC 5280 rewrites GeneralizedTime dates before 2050 as UTCTime).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddedCertificate {
    pub certificate: Certificate,
    /// The `tbsCertificate` as encoded in the file: what the issuer's signature covers.
    pub signed_part: Vec<u8>,
}

impl EmbeddedCertificate {
    /// Decodes one certificate from its complete DER.
    pub fn decode(der: &[u8]) -> Result<Self, CmsError> {
        let outer = expect(tlv::parse_single(der)?, SEQUENCE, "Certificate")?;
        let signed_part = elements(outer)?
            .first()
            .map(|tbs| tbs.raw.to_vec())
            .ok_or(CmsError::Malformed("Certificate"))?;
        Ok(Self {
            certificate: Certificate::from_der(der)?,
            signed_part,
        })
    }
}

/// A decoded SignedData with its one signer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedData {
    /// `eContentType`.
    pub content_type: ObjectIdentifier,
    /// The eContent bytes exactly as encoded.
    pub content: Vec<u8>,
    /// Certificates carried in the SignedData (normally just the signer's).
    pub certificates: Vec<EmbeddedCertificate>,
    pub signer_info: SignerInfo,
}

/// Why bytes are not a CMS SignedData as ICAO 9303 uses it. Carries no personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum CmsError {
    #[error("not well-formed TLV: {0}")]
    Tlv(#[from] TlvError),
    #[error("part is not valid DER: {0}")]
    Der(#[from] der::Error),
    #[error("not a CMS SignedData")]
    NotSignedData,
    #[error("no encapsulated content")]
    NoContent,
    #[error("exactly one signer info is required, found {0}")]
    SignerInfoCount(usize),
    #[error("signer info has no signed attributes")]
    NoSignedAttributes,
    #[error("signed attributes lack the {0} attribute")]
    MissingAttribute(&'static str),
    #[error("digest algorithm outside SHA-1/224/256/384/512")]
    UnsupportedDigestAlgorithm,
    #[error("malformed structure: {0}")]
    Malformed(&'static str),
}

impl SignedData {
    /// Decodes `ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT SignedData }`.
    pub fn decode(content_info: &[u8]) -> Result<Self, CmsError> {
        let content_info = expect(tlv::parse_single(content_info)?, SEQUENCE, "ContentInfo")?;
        let [content_type, content] = exactly::<2>(content_info, "ContentInfo")?;
        if oid(&content_type)? != ID_SIGNED_DATA {
            return Err(CmsError::NotSignedData);
        }
        let signed_data = expect(
            tlv::parse_single(expect(content.tlv, CONTEXT_0, "ContentInfo")?)?,
            SEQUENCE,
            "SignedData",
        )?;
        Self::from_signed_data(signed_data)
    }

    fn from_signed_data(signed_data: &[u8]) -> Result<Self, CmsError> {
        let parts = elements(signed_data)?;
        let mut parts = parts.iter();
        let (Some(_version), Some(_digest_algorithms), Some(encapsulated)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(CmsError::Malformed("SignedData too short"));
        };
        let (content_type, content) = encapsulated_content(encapsulated)?;
        let mut certificates = Vec::new();
        let mut signer_infos = None;
        for part in parts {
            match part.tlv.tag.0 {
                CONTEXT_0 => {
                    for certificate in elements(part.tlv.value)? {
                        if certificate.tlv.tag.0 == SEQUENCE {
                            certificates.push(EmbeddedCertificate::decode(certificate.raw)?);
                        }
                    }
                }
                CONTEXT_1 => {}
                SET => signer_infos = Some(elements(part.tlv.value)?),
                _ => return Err(CmsError::Malformed("unexpected SignedData element")),
            }
        }
        let signer_infos = signer_infos.ok_or(CmsError::SignerInfoCount(0))?;
        let [signer_info] = signer_infos.as_slice() else {
            return Err(CmsError::SignerInfoCount(signer_infos.len()));
        };
        Ok(Self {
            content_type,
            content,
            certificates,
            signer_info: decode_signer_info(signer_info)?,
        })
    }

    /// The certificate the signer info names, among those carried.
    pub fn signer_certificate(&self) -> Option<&EmbeddedCertificate> {
        self.certificates
            .iter()
            .find(|embedded| names(&self.signer_info.signer, &embedded.certificate))
    }
}

/// Whether `certificate` is the one `signer` names.
fn names(signer: &SignerIdentifier, certificate: &Certificate) -> bool {
    let tbs = certificate.tbs_certificate();
    match signer {
        SignerIdentifier::IssuerAndSerialNumber { issuer, serial } => {
            tbs.issuer().to_der().is_ok_and(|der| der == *issuer)
                && tbs.serial_number().as_bytes() == serial.as_slice()
        }
        SignerIdentifier::SubjectKeyIdentifier(id) => tbs
            .get_extension::<x509_cert::ext::pkix::SubjectKeyIdentifier>()
            .ok()
            .flatten()
            .is_some_and(|(_, ski)| ski.0.as_bytes() == id.as_slice()),
    }
}

/// A TLV together with its complete encoding (header included).
pub(crate) struct Element<'a> {
    pub tlv: Tlv<'a>,
    pub raw: &'a [u8],
}

pub(crate) fn elements(mut input: &[u8]) -> Result<Vec<Element<'_>>, CmsError> {
    let mut out = Vec::new();
    while !input.is_empty() {
        let (tlv, rest) = tlv::parse_one(input)?;
        let raw = input
            .get(..input.len() - rest.len())
            .ok_or(CmsError::Malformed("TLV bounds"))?;
        out.push(Element { tlv, raw });
        input = rest;
    }
    Ok(out)
}

pub(crate) fn exactly<'a, const N: usize>(
    value: &'a [u8],
    what: &'static str,
) -> Result<[Element<'a>; N], CmsError> {
    elements(value)?
        .try_into()
        .map_err(|_| CmsError::Malformed(what))
}

pub(crate) fn expect<'a>(tlv: Tlv<'a>, tag: u32, what: &'static str) -> Result<&'a [u8], CmsError> {
    if tlv.tag.0 == tag {
        Ok(tlv.value)
    } else {
        Err(CmsError::Malformed(what))
    }
}

pub(crate) fn oid(element: &Element<'_>) -> Result<ObjectIdentifier, CmsError> {
    if element.tlv.tag.0 != OID {
        return Err(CmsError::Malformed("object identifier expected"));
    }
    Ok(ObjectIdentifier::from_der(element.raw)?)
}

/// The content bytes of a non-negative INTEGER that fits in a `u8`.
pub(crate) fn small_integer(element: &Element<'_>) -> Result<u8, CmsError> {
    match (element.tlv.tag.0, element.tlv.value) {
        (INTEGER, [value]) if *value < 0x80 => Ok(*value),
        (INTEGER, [0, value]) if *value >= 0x80 => Ok(*value),
        _ => Err(CmsError::Malformed("small INTEGER expected")),
    }
}

pub(crate) fn digest_algorithm(element: &Element<'_>) -> Result<DigestAlgorithm, CmsError> {
    let algorithm = AlgorithmIdentifierOwned::from_der(element.raw)?;
    DigestAlgorithm::from_oid(algorithm.oid).ok_or(CmsError::UnsupportedDigestAlgorithm)
}

/// EncapsulatedContentInfo ::= SEQUENCE { eContentType OID, eContent [0] EXPLICIT OCTET STRING }
fn encapsulated_content(element: &Element<'_>) -> Result<(ObjectIdentifier, Vec<u8>), CmsError> {
    let value = expect(element.tlv, SEQUENCE, "EncapsulatedContentInfo")?;
    let parts = elements(value)?;
    let [content_type, content] = parts.as_slice() else {
        return Err(CmsError::NoContent);
    };
    let wrapped = tlv::parse_single(expect(content.tlv, CONTEXT_0, "eContent")?)?;
    let octets = expect(wrapped, OCTET_STRING, "eContent OCTET STRING")?;
    Ok((oid(content_type)?, octets.to_vec()))
}

/// SignerInfo ::= SEQUENCE { version, sid, digestAlgorithm, signedAttrs [0] IMPLICIT,
///   signatureAlgorithm, signature OCTET STRING, unsignedAttrs [1] IMPLICIT OPTIONAL }
fn decode_signer_info(element: &Element<'_>) -> Result<SignerInfo, CmsError> {
    let parts = elements(expect(element.tlv, SEQUENCE, "SignerInfo")?)?;
    let (Some(sid), Some(digest), Some(attributes), Some(algorithm), Some(signature)) = (
        parts.get(1),
        parts.get(2),
        parts.get(3),
        parts.get(4),
        parts.get(5),
    ) else {
        return Err(CmsError::Malformed("SignerInfo too short"));
    };
    let signer = match sid.tlv.tag.0 {
        SEQUENCE => {
            let [issuer, serial] = exactly::<2>(sid.tlv.value, "IssuerAndSerialNumber")?;
            SignerIdentifier::IssuerAndSerialNumber {
                issuer: issuer.raw.to_vec(),
                serial: expect(serial.tlv, INTEGER, "serialNumber")?.to_vec(),
            }
        }
        CONTEXT_0_PRIMITIVE => SignerIdentifier::SubjectKeyIdentifier(sid.tlv.value.to_vec()),
        _ => return Err(CmsError::Malformed("SignerIdentifier")),
    };
    if attributes.tlv.tag.0 != CONTEXT_0 {
        return Err(CmsError::NoSignedAttributes);
    }
    let mut content_type = None;
    let mut message_digest = None;
    for attribute in elements(attributes.tlv.value)? {
        let [kind, values] =
            exactly::<2>(expect(attribute.tlv, SEQUENCE, "Attribute")?, "Attribute")?;
        let values = elements(expect(values.tlv, SET, "AttributeValues")?)?;
        let [value] = values.as_slice() else {
            return Err(CmsError::Malformed("attribute must have one value"));
        };
        match oid(&kind)? {
            ID_CONTENT_TYPE => content_type = Some(oid(value)?),
            ID_MESSAGE_DIGEST => {
                message_digest = Some(expect(value.tlv, OCTET_STRING, "messageDigest")?.to_vec());
            }
            _ => {}
        }
    }
    // The signature covers the attributes with the universal SET tag in place of the implicit
    // [0]; the length bytes stay exactly as encoded.
    let signed_attributes = [
        &[SET as u8][..],
        attributes.raw.get(1..).unwrap_or_default(),
    ]
    .concat();
    Ok(SignerInfo {
        signer,
        digest_algorithm: digest_algorithm(digest)?,
        signed_attributes,
        content_type: content_type.ok_or(CmsError::MissingAttribute("contentType"))?,
        message_digest: message_digest.ok_or(CmsError::MissingAttribute("messageDigest"))?,
        signature_algorithm: AlgorithmIdentifierOwned::from_der(algorithm.raw)?,
        signature: expect(signature.tlv, OCTET_STRING, "signature")?.to_vec(),
    })
}
