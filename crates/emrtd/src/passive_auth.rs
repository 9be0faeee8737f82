//! Passive authentication (ICAO 9303-11 §5.1): proves the data groups are those the issuing
//! state signed. Every data group read is hashed and compared with the LDSSecurityObject in
//! EF.SOD; the SOD's signature is verified with the embedded document-signer (DS) certificate;
//! that certificate is chained to a country-signing CA (CSCA) from a configured trust store
//! (certificate files and ICAO master lists, see [`TrustStore`]).
//!
//! Three verdicts: [`Verdict::Trusted`], [`Verdict::SignatureValidIssuerUnknown`] (the data is
//! intact and signed, but no configured CSCA vouches for the signer) and [`Verdict::Invalid`]
//! with the reason. An algorithm this code cannot check is an error, never a verdict.
//!
//! Signatures: RSA PKCS#1 v1.5 and PSS; ECDSA (DER or plain `r‖s`) on P-256, P-384,
//! brainpoolP256r1 and brainpoolP384r1 through RustCrypto, and on brainpoolP512r1 or any curve
//! given by explicit prime-field parameters through [`prime_curve`]. No clock is read here:
//! certificate validity periods are reported, not judged.

pub mod master_list;
mod prime_curve;

use std::fmt;
use std::path::{Path, PathBuf};

use der::asn1::ObjectIdentifier;
use der::{Decode, Encode};
use ecdsa::EcdsaCurve;
use ecdsa::signature::hazmat::PrehashVerifier;
use elliptic_curve::sec1::{FromSec1Point, ModulusSize, ToSec1Point};
use elliptic_curve::{AffinePoint, CurveArithmetic, FieldBytesSize};
use rsa::pkcs1::{DecodeRsaPublicKey, RsaPssParamsOwned};
use rsa::{Pkcs1v15Sign, PublicKey as RsaPublicKey, pss::Pss};
use sha1::Sha1;
use sha2::{Sha224, Sha256, Sha384, Sha512};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use thiserror::Error;
use x509_cert::Certificate;
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, SubjectKeyIdentifier};

use crate::cms::{DigestAlgorithm, EmbeddedCertificate, SignedData};
use crate::sod::{Sod, SodError};
use crate::tlv;
use master_list::{MasterList, MasterListError};
use prime_curve::{CurveError, PrimeCurve};

/// The outcome of passive authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Data groups intact, SOD signed by the DS, DS certificate signed by a trusted CSCA.
    Trusted,
    /// Data groups intact and SOD signed by the DS, but no configured CSCA issued the DS.
    SignatureValidIssuerUnknown,
    /// Something does not hold: the card or its data are not what the issuer signed.
    Invalid(InvalidReason),
}

/// Why passive authentication failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InvalidReason {
    #[error("EF.SOD is malformed: {0}")]
    MalformedSod(SodError),
    #[error("DG{0} is not listed in EF.SOD")]
    DataGroupNotInSod(u8),
    #[error("DG{0} does not match its hash in EF.SOD")]
    DataGroupHashMismatch(u8),
    #[error("EF.SOD signed content type is not the LDSSecurityObject")]
    ContentTypeMismatch,
    #[error("EF.SOD message digest does not match its content")]
    MessageDigestMismatch,
    #[error("EF.SOD carries no document signer certificate matching its signer")]
    NoDocumentSignerCertificate,
    #[error("EF.SOD signature does not verify with the document signer's key")]
    SodSignatureMismatch,
    #[error("the document signer certificate is not signed by the CSCA that names it")]
    DocumentSignerSignatureMismatch,
}

/// Errors that leave the authenticity undecided.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PassiveAuthError {
    /// A signature or key algorithm this implementation cannot verify (named by OID or curve).
    #[error("unsupported algorithm: {0}")]
    UnsupportedAlgorithm(String),
}

/// What to log about the document signer (public data: no holder information).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentSigner {
    pub subject: String,
    pub issuer: String,
    /// Serial number, hex.
    pub serial: String,
    /// Authority key identifier (the CSCA key), hex, when present.
    pub authority_key_id: Option<String>,
    /// Validity period as written in the certificate (RFC 4514 time text).
    pub not_before: String,
    pub not_after: String,
}

/// The full result: the verdict, the data groups whose hashes were checked, the signer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassiveAuthReport {
    pub verdict: Verdict,
    pub checked_data_groups: Vec<u8>,
    pub document_signer: Option<DocumentSigner>,
    /// Subject of the CSCA that vouched for the signer, when trusted.
    pub csca: Option<String>,
}

/// The CSCA certificates the kiosk trusts.
#[derive(Clone, Default)]
pub struct TrustStore {
    anchors: Vec<Certificate>,
}

impl fmt::Debug for TrustStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TrustStore({} CSCA certificates)", self.anchors.len())
    }
}

/// A trust-store file that could not be used, and why.
#[derive(Debug)]
pub struct SkippedFile {
    pub path: PathBuf,
    pub reason: String,
}

impl TrustStore {
    pub fn new(anchors: Vec<Certificate>) -> Self {
        Self { anchors }
    }

    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    pub fn certificates(&self) -> &[Certificate] {
        &self.anchors
    }

    /// Adds the certificates of one file: a DER certificate, or PEM with one or more.
    pub fn add_file_contents(&mut self, contents: &[u8]) -> Result<usize, der::Error> {
        let certificates = if contents.trim_ascii_start().starts_with(b"-----BEGIN") {
            Certificate::load_pem_chain(contents)?
        } else {
            vec![Certificate::from_der(contents)?]
        };
        let count = certificates.len();
        self.anchors.extend(certificates);
        Ok(count)
    }

    /// Adds the CSCA certificates of an ICAO master list once its signature and signer check
    /// out (see [`master_list`]).
    pub fn add_master_list(&mut self, contents: &[u8]) -> Result<usize, MasterListError> {
        let list = MasterList::decode_and_verify(contents)?;
        let count = list.certificates.len();
        self.anchors.extend(list.certificates);
        Ok(count)
    }

    /// Loads every `.der`, `.cer`, `.crt` and `.pem` certificate file and every `.ml` master
    /// list of `directory` (not recursively). The crate's only file access: configuration, not
    /// card I/O. Files that do not parse or verify are returned as skipped rather than failing
    /// the whole store.
    pub fn load_directory(directory: &Path) -> std::io::Result<(Self, Vec<SkippedFile>)> {
        let mut store = Self::default();
        let mut skipped = Vec::new();
        let mut paths: Vec<PathBuf> = std::fs::read_dir(directory)?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| {
                path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                    ["der", "cer", "crt", "pem", "ml"].contains(&e.to_ascii_lowercase().as_str())
                })
            })
            .collect();
        paths.sort();
        for path in paths {
            let is_master_list = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("ml"));
            let result = std::fs::read(&path)
                .map_err(|e| e.to_string())
                .and_then(|bytes| {
                    if is_master_list {
                        store.add_master_list(&bytes).map_err(|e| e.to_string())
                    } else {
                        store.add_file_contents(&bytes).map_err(|e| e.to_string())
                    }
                });
            if let Err(reason) = result {
                skipped.push(SkippedFile { path, reason });
            }
        }
        Ok((store, skipped))
    }
}

/// Runs passive authentication of `data_groups` (number and the complete file as read)
/// against the EF.SOD bytes `sod` and the trust store.
pub fn verify(
    sod: &[u8],
    data_groups: &[(u8, &[u8])],
    trust_store: &TrustStore,
) -> Result<PassiveAuthReport, PassiveAuthError> {
    let mut report = PassiveAuthReport {
        verdict: Verdict::Trusted,
        checked_data_groups: Vec::new(),
        document_signer: None,
        csca: None,
    };
    let invalid = |mut report: PassiveAuthReport, reason| {
        report.verdict = Verdict::Invalid(reason);
        Ok(report)
    };
    let sod = match Sod::decode(sod) {
        Ok(sod) => sod,
        Err(error) => return invalid(report, InvalidReason::MalformedSod(error)),
    };
    let lds = &sod.lds_security_object;
    for &(number, contents) in data_groups {
        let Some(expected) = lds.hash_of(number) else {
            return invalid(report, InvalidReason::DataGroupNotInSod(number));
        };
        if lds.digest_algorithm.digest(contents) != expected {
            return invalid(report, InvalidReason::DataGroupHashMismatch(number));
        }
        report.checked_data_groups.push(number);
    }
    let document_signer = match check_signed_data(&sod.signed_data)? {
        SignedDataCheck::Signed(signer) => signer,
        SignedDataCheck::ContentTypeMismatch => {
            return invalid(report, InvalidReason::ContentTypeMismatch);
        }
        SignedDataCheck::MessageDigestMismatch => {
            return invalid(report, InvalidReason::MessageDigestMismatch);
        }
        SignedDataCheck::NoSignerCertificate => {
            return invalid(report, InvalidReason::NoDocumentSignerCertificate);
        }
        SignedDataCheck::SignatureMismatch(signer) => {
            report.document_signer = Some(describe(&signer.certificate));
            return invalid(report, InvalidReason::SodSignatureMismatch);
        }
    };
    report.document_signer = Some(describe(&document_signer.certificate));
    match find_issuer(document_signer, trust_store.certificates())? {
        Issuer::Verified(csca) => {
            report.csca = Some(csca.tbs_certificate().subject().to_string());
            Ok(report)
        }
        Issuer::Unknown => {
            report.verdict = Verdict::SignatureValidIssuerUnknown;
            Ok(report)
        }
        Issuer::SignatureMismatch => {
            invalid(report, InvalidReason::DocumentSignerSignatureMismatch)
        }
    }
}

/// The outcome of checking a SignedData against the certificate its signer info names.
enum SignedDataCheck<'a> {
    /// Signed attributes consistent and signature valid: the signer's certificate.
    Signed(&'a EmbeddedCertificate),
    ContentTypeMismatch,
    MessageDigestMismatch,
    NoSignerCertificate,
    SignatureMismatch(&'a EmbeddedCertificate),
}

/// Checks the signed attributes (content type, message digest of the eContent) and the
/// signature of `signed` with the certificate it carries for its signer.
fn check_signed_data(signed: &SignedData) -> Result<SignedDataCheck<'_>, PassiveAuthError> {
    let signer_info = &signed.signer_info;
    if signer_info.content_type != signed.content_type {
        return Ok(SignedDataCheck::ContentTypeMismatch);
    }
    if signer_info.digest_algorithm.digest(&signed.content) != signer_info.message_digest {
        return Ok(SignedDataCheck::MessageDigestMismatch);
    }
    let Some(signer) = signed.signer_certificate() else {
        return Ok(SignedDataCheck::NoSignerCertificate);
    };
    let valid = verify_signature(
        signer
            .certificate
            .tbs_certificate()
            .subject_public_key_info(),
        &signer_info.signature_algorithm,
        signer_info.digest_algorithm,
        &signer_info.signed_attributes,
        &signer_info.signature,
    )?;
    Ok(if valid {
        SignedDataCheck::Signed(signer)
    } else {
        SignedDataCheck::SignatureMismatch(signer)
    })
}

/// Which of `cscas` issued `certificate`.
enum Issuer<'a> {
    /// Named as issuer and its key verifies the certificate's signature.
    Verified(&'a Certificate),
    /// None is named as the issuer (by name and key identifier).
    Unknown,
    /// Some are named as issuer, but none of their keys verifies the signature.
    SignatureMismatch,
}

fn find_issuer<'a>(
    embedded: &EmbeddedCertificate,
    cscas: &'a [Certificate],
) -> Result<Issuer<'a>, PassiveAuthError> {
    let mut named = false;
    for csca in cscas
        .iter()
        .filter(|csca| issued_by(&embedded.certificate, csca))
    {
        named = true;
        if signed_by(embedded, csca)? {
            return Ok(Issuer::Verified(csca));
        }
    }
    Ok(if named {
        Issuer::SignatureMismatch
    } else {
        Issuer::Unknown
    })
}

/// Whether `issuer`'s key verifies the signature on `embedded`, over the bytes as issued.
fn signed_by(
    embedded: &EmbeddedCertificate,
    issuer: &Certificate,
) -> Result<bool, PassiveAuthError> {
    let certificate = &embedded.certificate;
    let Some(signature) = certificate.signature().as_bytes() else {
        return Ok(false);
    };
    verify_signature(
        issuer.tbs_certificate().subject_public_key_info(),
        certificate.signature_algorithm(),
        // Only for identifiers that name no hash, which certificates do not use in practice.
        DigestAlgorithm::Sha256,
        &embedded.signed_part,
        signature,
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

fn authority_key_id(certificate: &Certificate) -> Option<Vec<u8>> {
    let (_, aki) = certificate
        .tbs_certificate()
        .get_extension::<AuthorityKeyIdentifier>()
        .ok()??;
    aki.key_identifier.map(|id| id.as_bytes().to_vec())
}

fn subject_key_id(certificate: &Certificate) -> Option<Vec<u8>> {
    let (_, ski) = certificate
        .tbs_certificate()
        .get_extension::<SubjectKeyIdentifier>()
        .ok()??;
    Some(ski.0.as_bytes().to_vec())
}

fn describe(certificate: &Certificate) -> DocumentSigner {
    let tbs = certificate.tbs_certificate();
    DocumentSigner {
        subject: tbs.subject().to_string(),
        issuer: tbs.issuer().to_string(),
        serial: hex(tbs.serial_number().as_bytes()),
        authority_key_id: authority_key_id(certificate).map(|id| hex(&id)),
        not_before: tbs.validity().not_before.to_string(),
        not_after: tbs.validity().not_after.to_string(),
    }
}

/// Whether `csca` may have issued `certificate`: same name, and the same key identifier when
/// both certificates state one (a CSCA renews its key under the same name).
fn issued_by(certificate: &Certificate, csca: &Certificate) -> bool {
    if certificate.tbs_certificate().issuer() != csca.tbs_certificate().subject() {
        return false;
    }
    match (authority_key_id(certificate), subject_key_id(csca)) {
        (Some(authority), Some(subject)) => authority == subject,
        _ => true,
    }
}

/// How a signature is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    Pkcs1v15(DigestAlgorithm),
    Pss {
        digest: DigestAlgorithm,
        salt: usize,
    },
    Ecdsa {
        digest: DigestAlgorithm,
        plain: bool,
    },
}

fn unsupported(what: impl fmt::Display) -> PassiveAuthError {
    PassiveAuthError::UnsupportedAlgorithm(what.to_string())
}

/// The scheme an AlgorithmIdentifier names; `default_digest` serves the identifiers that name
/// no hash (`rsaEncryption`, `id-ecPublicKey`), as some issuers write them.
fn scheme(
    algorithm: &AlgorithmIdentifierOwned,
    default_digest: DigestAlgorithm,
) -> Result<Scheme, PassiveAuthError> {
    use DigestAlgorithm::{Sha1, Sha224, Sha256, Sha384, Sha512};
    let oid = algorithm.oid.to_string();
    let scheme = match oid.as_str() {
        "1.2.840.113549.1.1.1" => Scheme::Pkcs1v15(default_digest),
        "1.2.840.113549.1.1.5" => Scheme::Pkcs1v15(Sha1),
        "1.2.840.113549.1.1.14" => Scheme::Pkcs1v15(Sha224),
        "1.2.840.113549.1.1.11" => Scheme::Pkcs1v15(Sha256),
        "1.2.840.113549.1.1.12" => Scheme::Pkcs1v15(Sha384),
        "1.2.840.113549.1.1.13" => Scheme::Pkcs1v15(Sha512),
        "1.2.840.113549.1.1.10" => pss_scheme(algorithm)?,
        "1.2.840.10045.2.1" => Scheme::Ecdsa {
            digest: default_digest,
            plain: false,
        },
        "1.2.840.10045.4.1" => Scheme::Ecdsa {
            digest: Sha1,
            plain: false,
        },
        "1.2.840.10045.4.3.1" => Scheme::Ecdsa {
            digest: Sha224,
            plain: false,
        },
        "1.2.840.10045.4.3.2" => Scheme::Ecdsa {
            digest: Sha256,
            plain: false,
        },
        "1.2.840.10045.4.3.3" => Scheme::Ecdsa {
            digest: Sha384,
            plain: false,
        },
        "1.2.840.10045.4.3.4" => Scheme::Ecdsa {
            digest: Sha512,
            plain: false,
        },
        "0.4.0.127.0.7.1.1.4.1.1" => Scheme::Ecdsa {
            digest: Sha1,
            plain: true,
        },
        "0.4.0.127.0.7.1.1.4.1.2" => Scheme::Ecdsa {
            digest: Sha224,
            plain: true,
        },
        "0.4.0.127.0.7.1.1.4.1.3" => Scheme::Ecdsa {
            digest: Sha256,
            plain: true,
        },
        "0.4.0.127.0.7.1.1.4.1.4" => Scheme::Ecdsa {
            digest: Sha384,
            plain: true,
        },
        "0.4.0.127.0.7.1.1.4.1.5" => Scheme::Ecdsa {
            digest: Sha512,
            plain: true,
        },
        _ => return Err(unsupported(format_args!("signature algorithm {oid}"))),
    };
    Ok(scheme)
}

/// RSASSA-PSS parameters (RFC 4055): hash, MGF1 with the same hash, salt length, trailer 1.
fn pss_scheme(algorithm: &AlgorithmIdentifierOwned) -> Result<Scheme, PassiveAuthError> {
    const ID_MGF1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.8");
    let encoded = match &algorithm.parameters {
        Some(parameters) => parameters
            .to_der()
            .map_err(|_| unsupported("RSASSA-PSS parameters"))?,
        None => return Err(unsupported("RSASSA-PSS without parameters")),
    };
    let parameters = RsaPssParamsOwned::from_der(&encoded)
        .map_err(|_| unsupported("malformed RSASSA-PSS parameters"))?;
    let digest = DigestAlgorithm::from_oid(parameters.hash.oid)
        .ok_or_else(|| unsupported(format_args!("RSASSA-PSS hash {}", parameters.hash.oid)))?;
    let mgf_hash = parameters.mask_gen.parameters.as_ref().map(|hash| hash.oid);
    if parameters.mask_gen.oid != ID_MGF1 || mgf_hash != Some(digest.oid()) {
        return Err(unsupported(
            "RSASSA-PSS mask generation other than MGF1 with the same hash",
        ));
    }
    Ok(Scheme::Pss {
        digest,
        salt: usize::from(parameters.salt_len),
    })
}

/// Verifies `signature` over `message` with the key in `key`. `Ok(false)` when the signature
/// (or the key itself) is malformed or does not match.
fn verify_signature(
    key: &SubjectPublicKeyInfoOwned,
    algorithm: &AlgorithmIdentifierOwned,
    default_digest: DigestAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<bool, PassiveAuthError> {
    let scheme = scheme(algorithm, default_digest)?;
    let Some(key_bytes) = key.subject_public_key.as_bytes() else {
        return Ok(false);
    };
    match scheme {
        Scheme::Pkcs1v15(digest) => Ok(rsa_verify(key_bytes, digest, None, message, signature)),
        Scheme::Pss { digest, salt } => Ok(rsa_verify(
            key_bytes,
            digest,
            Some(salt),
            message,
            signature,
        )),
        Scheme::Ecdsa { digest, plain } => {
            ecdsa_verify(key, key_bytes, &digest.digest(message), plain, signature)
        }
    }
}

fn rsa_verify(
    key: &[u8],
    digest: DigestAlgorithm,
    pss_salt: Option<usize>,
    message: &[u8],
    signature: &[u8],
) -> bool {
    let Ok(key) = RsaPublicKey::from_pkcs1_der(key) else {
        return false;
    };
    let hashed = digest.digest(message);
    let result = match (pss_salt, digest) {
        (None, DigestAlgorithm::Sha1) => {
            key.verify(Pkcs1v15Sign::new::<Sha1>(), &hashed, signature)
        }
        (None, DigestAlgorithm::Sha224) => {
            key.verify(Pkcs1v15Sign::new::<Sha224>(), &hashed, signature)
        }
        (None, DigestAlgorithm::Sha256) => {
            key.verify(Pkcs1v15Sign::new::<Sha256>(), &hashed, signature)
        }
        (None, DigestAlgorithm::Sha384) => {
            key.verify(Pkcs1v15Sign::new::<Sha384>(), &hashed, signature)
        }
        (None, DigestAlgorithm::Sha512) => {
            key.verify(Pkcs1v15Sign::new::<Sha512>(), &hashed, signature)
        }
        (Some(salt), DigestAlgorithm::Sha1) => {
            key.verify(Pss::<Sha1>::new_with_salt(salt), &hashed, signature)
        }
        (Some(salt), DigestAlgorithm::Sha224) => {
            key.verify(Pss::<Sha224>::new_with_salt(salt), &hashed, signature)
        }
        (Some(salt), DigestAlgorithm::Sha256) => {
            key.verify(Pss::<Sha256>::new_with_salt(salt), &hashed, signature)
        }
        (Some(salt), DigestAlgorithm::Sha384) => {
            key.verify(Pss::<Sha384>::new_with_salt(salt), &hashed, signature)
        }
        (Some(salt), DigestAlgorithm::Sha512) => {
            key.verify(Pss::<Sha512>::new_with_salt(salt), &hashed, signature)
        }
    };
    result.is_ok()
}

/// The named curves whose ECDSA RustCrypto implements, by OID.
const SECP256R1: &str = "1.2.840.10045.3.1.7";
const SECP384R1: &str = "1.3.132.0.34";
const BRAINPOOL_P256R1: &str = "1.3.36.3.3.2.8.1.1.7";
const BRAINPOOL_P384R1: &str = "1.3.36.3.3.2.8.1.1.11";
const BRAINPOOL_P512R1: &str = "1.3.36.3.3.2.8.1.1.13";

fn ecdsa_verify(
    key: &SubjectPublicKeyInfoOwned,
    point: &[u8],
    prehash: &[u8],
    plain: bool,
    signature: &[u8],
) -> Result<bool, PassiveAuthError> {
    const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
    if key.algorithm.oid != ID_EC_PUBLIC_KEY {
        return Ok(false);
    }
    let Some(parameters) = &key.algorithm.parameters else {
        return Err(unsupported("EC key without curve parameters"));
    };
    let Some((r, s)) = ecdsa_components(signature, plain) else {
        return Ok(false);
    };
    if let Ok(curve) = parameters.decode_as::<ObjectIdentifier>() {
        let curve = curve.to_string();
        return match curve.as_str() {
            SECP256R1 => Ok(verify_named::<p256::NistP256>(point, prehash, r, s, 32)),
            SECP384R1 => Ok(verify_named::<p384::NistP384>(point, prehash, r, s, 48)),
            BRAINPOOL_P256R1 => Ok(verify_named::<bp256::BrainpoolP256r1>(
                point, prehash, r, s, 32,
            )),
            BRAINPOOL_P384R1 => Ok(verify_named::<bp384::BrainpoolP384r1>(
                point, prehash, r, s, 48,
            )),
            BRAINPOOL_P512R1 => prime_verify(PrimeCurve::brainpool_p512r1(), point, prehash, r, s),
            other => Err(unsupported(format_args!("elliptic curve {other}"))),
        };
    }
    let explicit = parameters
        .to_der()
        .map_err(|_| unsupported("EC parameters"))?;
    prime_verify(PrimeCurve::from_explicit(&explicit), point, prehash, r, s)
}

fn prime_verify(
    curve: Result<PrimeCurve, CurveError>,
    point: &[u8],
    prehash: &[u8],
    r: &[u8],
    s: &[u8],
) -> Result<bool, PassiveAuthError> {
    let result = curve.and_then(|curve| curve.verify(point, prehash, r, s));
    match result {
        Ok(valid) => Ok(valid),
        Err(CurveError::Malformed(_)) => Ok(false),
        Err(CurveError::Unsupported(what)) => Err(unsupported(what)),
    }
}

/// Splits an ECDSA signature into `r` and `s`: DER `SEQUENCE { INTEGER r, INTEGER s }`, or
/// the plain BSI TR-03111 form `r ‖ s` of equal halves.
fn ecdsa_components(signature: &[u8], plain: bool) -> Option<(&[u8], &[u8])> {
    if plain {
        if signature.is_empty() || signature.len() % 2 != 0 {
            return None;
        }
        return Some(signature.split_at(signature.len() / 2));
    }
    let sequence = tlv::parse_single(signature).ok()?;
    if sequence.tag.0 != 0x30 {
        return None;
    }
    match sequence.children().ok()?.as_slice() {
        [r, s] if r.tag.0 == 0x02 && s.tag.0 == 0x02 => Some((r.value, s.value)),
        _ => None,
    }
}

/// ECDSA verification on a curve RustCrypto implements; `r` and `s` are big-endian integers
/// (possibly with a sign byte), `width` the curve's scalar size in bytes.
fn verify_named<C>(point: &[u8], prehash: &[u8], r: &[u8], s: &[u8], width: usize) -> bool
where
    C: EcdsaCurve + CurveArithmetic,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    let fixed = |value: &[u8]| -> Option<Vec<u8>> {
        let start = value.iter().position(|&b| b != 0).unwrap_or(value.len());
        let value = value.get(start..)?;
        let padding = width.checked_sub(value.len())?;
        Some([vec![0; padding], value.to_vec()].concat())
    };
    let (Some(r), Some(s)) = (fixed(r), fixed(s)) else {
        return false;
    };
    let Ok(signature) = ecdsa::Signature::<C>::from_slice(&[r, s].concat()) else {
        return false;
    };
    let Ok(key) = ecdsa::VerifyingKey::<C>::from_sec1_bytes(point) else {
        return false;
    };
    key.verify_prehash(prehash, &signature).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crypto_bigint::BoxedUint;
    use prime_curve::tests::{public_point, sign, to_explicit};

    fn ec_key(parameters: Vec<u8>, point: &[u8]) -> SubjectPublicKeyInfoOwned {
        let algorithm = [
            tlv::encode(0x06, &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01]),
            parameters,
        ]
        .concat();
        let bit_string = [&[0][..], point].concat();
        let spki = [
            tlv::encode(0x30, &algorithm),
            tlv::encode(0x03, &bit_string),
        ]
        .concat();
        SubjectPublicKeyInfoOwned::from_der(&tlv::encode(0x30, &spki)).unwrap()
    }

    fn der_integer(magnitude: &[u8]) -> Vec<u8> {
        let start = magnitude
            .iter()
            .position(|&b| b != 0)
            .unwrap_or(magnitude.len() - 1);
        let mut value = magnitude[start..].to_vec();
        if value[0] & 0x80 != 0 {
            value.insert(0, 0);
        }
        tlv::encode(0x02, &value)
    }

    #[test]
    fn brainpool_p512_keys_verify_by_curve_name_and_by_explicit_parameters() {
        let curve = PrimeCurve::brainpool_p512r1().unwrap();
        let d = BoxedUint::from_be_slice(&[0x33; 60], 512).unwrap();
        let k = BoxedUint::from_be_slice(&[0x44; 60], 512).unwrap();
        let point = public_point(&curve, &d);
        let message = b"signed attributes";
        let (r, s) = sign(&curve, &d, &k, &DigestAlgorithm::Sha512.digest(message));
        let signature = tlv::encode(0x30, &[der_integer(&r), der_integer(&s)].concat());
        let ecdsa_sha512 = AlgorithmIdentifierOwned {
            oid: ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.4"),
            parameters: None,
        };
        let named = ec_key(
            ObjectIdentifier::new_unwrap(BRAINPOOL_P512R1)
                .to_der()
                .unwrap(),
            &point,
        );
        let explicit = ec_key(to_explicit(&curve), &point);
        for key in [&named, &explicit] {
            let check = |message: &[u8]| {
                verify_signature(
                    key,
                    &ecdsa_sha512,
                    DigestAlgorithm::Sha256,
                    message,
                    &signature,
                )
            };
            assert_eq!(check(message), Ok(true));
            assert_eq!(check(b"other attributes"), Ok(false));
        }
    }

    #[test]
    fn unknown_named_curve_is_unsupported() {
        let key = ec_key(
            ObjectIdentifier::new_unwrap("1.3.132.0.35")
                .to_der()
                .unwrap(),
            &[4, 1, 2],
        );
        let algorithm = AlgorithmIdentifierOwned {
            oid: ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2"),
            parameters: None,
        };
        let signature = tlv::encode(0x30, &[der_integer(&[1]), der_integer(&[1])].concat());
        assert_eq!(
            verify_signature(&key, &algorithm, DigestAlgorithm::Sha256, b"m", &signature),
            Err(PassiveAuthError::UnsupportedAlgorithm(
                "elliptic curve 1.3.132.0.35".into()
            ))
        );
    }
}
