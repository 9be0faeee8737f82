//! A test issuing authority: a CSCA, a document signer it certifies, and the EF.SOD the
//! document signer signs over a card's data groups (ICAO 9303-10 §4.6.2, RFC 5652 SignedData).
//! Two variants, as in the field: ECDSA P-256 with SHA-256, whose keys are derived from a
//! label (the same label gives the same certificates, so the shipped test CSCA needs no private
//! key on disk), and RSA-2048 PKCS#1 v1.5 with SHA-256, whose keys ship in `test-keys/`.

use crate::asn1::{self, oids};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::elliptic_curve::sec1::ToSec1Point;
use sha2::{Digest, Sha256};

/// The label of the test CSCA shipped in `assets/`.
pub const TEST_CSCA_LABEL: &str = "VNeID kiosk test";

/// A CSCA and its document signer. Holds private keys: no `Debug`.
pub struct TestPki {
    label: String,
    csca_key: IssuerKey,
    csca_certificate: Vec<u8>,
    ds_key: IssuerKey,
    ds_certificate: Vec<u8>,
}

/// A signing key of the test issuer.
enum IssuerKey {
    Ecdsa(SigningKey),
    Rsa(rsa::pkcs1v15::SigningKey<Sha256>),
}

impl IssuerKey {
    fn rsa(pkcs8: &[u8]) -> Option<Self> {
        use rsa::pkcs8::DecodePrivateKey;
        let key = rsa::PrivateKey::from_pkcs8_der(pkcs8).ok()?;
        Some(IssuerKey::Rsa(rsa::pkcs1v15::SigningKey::new(key)))
    }

    fn sign(&self, message: &[u8]) -> Vec<u8> {
        match self {
            IssuerKey::Ecdsa(key) => {
                let signature: Signature = key.sign(message);
                signature.to_der().as_bytes().to_vec()
            }
            IssuerKey::Rsa(key) => {
                use rsa::signature::SignatureEncoding;
                let signature: rsa::pkcs1v15::Signature = key.sign(message);
                signature.to_vec()
            }
        }
    }

    /// The signature AlgorithmIdentifier.
    fn signature_algorithm(&self) -> Vec<u8> {
        match self {
            IssuerKey::Ecdsa(_) => asn1::algorithm(oids::ECDSA_WITH_SHA256),
            IssuerKey::Rsa(_) => asn1::algorithm_with(oids::SHA256_WITH_RSA, vec![0x05, 0x00]),
        }
    }

    fn subject_public_key_info(&self) -> Vec<u8> {
        match self {
            IssuerKey::Ecdsa(key) => p256_subject_public_key_info(key),
            IssuerKey::Rsa(key) => {
                use rsa::pkcs1::EncodeRsaPublicKey;
                use rsa::signature::Keypair;
                let public = key.verifying_key();
                let pkcs1 = rsa::PublicKey::from(public)
                    .to_pkcs1_der()
                    .map(|d| d.as_bytes().to_vec())
                    .unwrap_or_default();
                asn1::sequence(&[
                    asn1::algorithm_with(oids::RSA_ENCRYPTION, vec![0x05, 0x00]),
                    asn1::bit_string(&pkcs1),
                ])
            }
        }
    }

    /// SHA-1-sized key identifier over the public key info.
    fn key_identifier(&self) -> Vec<u8> {
        Sha256::digest(self.subject_public_key_info())
            .get(..20)
            .unwrap_or_default()
            .to_vec()
    }
}

/// A P-256 key derived from a label (SHA-256 of the label and a counter until it is a valid
/// scalar).
pub fn derived_p256_key(label: &str) -> SigningKey {
    let mut counter = 0u32;
    loop {
        let mut hash = Sha256::new();
        hash.update(label.as_bytes());
        hash.update(counter.to_be_bytes());
        if let Ok(key) = SigningKey::from_slice(&hash.finalize()) {
            return key;
        }
        counter += 1;
    }
}

/// The uncompressed SEC1 point of a P-256 key.
pub fn p256_public_point(key: &SigningKey) -> Vec<u8> {
    key.verifying_key()
        .as_affine()
        .to_sec1_point(false)
        .as_bytes()
        .to_vec()
}

/// SubjectPublicKeyInfo of a P-256 key.
pub fn p256_subject_public_key_info(key: &SigningKey) -> Vec<u8> {
    asn1::sequence(&[
        asn1::algorithm_with(oids::EC_PUBLIC_KEY, asn1::oid(oids::PRIME256V1)),
        asn1::bit_string(&p256_public_point(key)),
    ])
}

fn name(common_name: &str) -> Vec<u8> {
    let rdn = |oid: &str, value: Vec<u8>| asn1::set_of(&[asn1::sequence(&[asn1::oid(oid), value])]);
    asn1::sequence(&[
        rdn(oids::COUNTRY, asn1::printable("VN")),
        rdn(oids::ORGANIZATION, asn1::utf8("VNeID kiosk test issuer")),
        rdn(oids::COMMON_NAME, asn1::utf8(common_name)),
    ])
}

fn extension(oid: &str, critical: bool, value: Vec<u8>) -> Vec<u8> {
    let mut parts = vec![asn1::oid(oid)];
    if critical {
        parts.push(asn1::true_value());
    }
    parts.push(asn1::octet_string(&value));
    asn1::sequence(&parts)
}

struct CertificateSpec<'a> {
    serial: u32,
    issuer: &'a str,
    subject: &'a str,
    valid: ((u16, u8, u8), (u16, u8, u8)),
    subject_key: &'a IssuerKey,
    issuer_key: &'a IssuerKey,
    is_ca: bool,
}

fn certificate(spec: &CertificateSpec<'_>) -> Vec<u8> {
    let ((y1, m1, d1), (y2, m2, d2)) = spec.valid;
    let mut extensions = vec![extension(
        oids::SUBJECT_KEY_IDENTIFIER,
        false,
        asn1::octet_string(&spec.subject_key.key_identifier()),
    )];
    if spec.is_ca {
        extensions.push(extension(
            oids::BASIC_CONSTRAINTS,
            true,
            asn1::sequence(&[asn1::true_value(), asn1::integer(0)]),
        ));
        // keyCertSign and cRLSign.
        extensions.push(extension(
            oids::KEY_USAGE,
            true,
            vec![0x03, 0x02, 0x01, 0x06],
        ));
    } else {
        let aki = asn1::sequence(&[vec![0x80, 20]
            .into_iter()
            .chain(spec.issuer_key.key_identifier())
            .collect()]);
        extensions.push(extension(oids::AUTHORITY_KEY_IDENTIFIER, false, aki));
        // digitalSignature.
        extensions.push(extension(
            oids::KEY_USAGE,
            true,
            vec![0x03, 0x02, 0x07, 0x80],
        ));
    }
    let tbs = asn1::sequence(&[
        asn1::context(0, &asn1::integer(2)),
        asn1::integer(spec.serial),
        spec.issuer_key.signature_algorithm(),
        name(spec.issuer),
        asn1::sequence(&[asn1::utc_time(y1, m1, d1), asn1::utc_time(y2, m2, d2)]),
        name(spec.subject),
        spec.subject_key.subject_public_key_info(),
        asn1::context(3, &asn1::sequence(&extensions)),
    ]);
    let signature = spec.issuer_key.sign(&tbs);
    asn1::sequence(&[
        tbs,
        spec.issuer_key.signature_algorithm(),
        asn1::bit_string(&signature),
    ])
}

impl TestPki {
    /// The ECDSA CSCA and document signer derived from `label`.
    pub fn new(label: &str) -> Self {
        let csca_key = IssuerKey::Ecdsa(derived_p256_key(&format!("{label} / CSCA")));
        let ds_key = IssuerKey::Ecdsa(derived_p256_key(&format!("{label} / DS")));
        Self::with_keys(label, csca_key, ds_key)
    }

    /// The RSA variant: the keys shipped in `test-keys/`, certificates named after `label`.
    pub fn rsa(label: &str) -> Option<Self> {
        let csca_key = IssuerKey::rsa(include_bytes!("../test-keys/rsa-csca.pk8"))?;
        let ds_key = IssuerKey::rsa(include_bytes!("../test-keys/rsa-ds.pk8"))?;
        Some(Self::with_keys(label, csca_key, ds_key))
    }

    fn with_keys(label: &str, csca_key: IssuerKey, ds_key: IssuerKey) -> Self {
        let csca_name = format!("{label} CSCA");
        let ds_name = format!("{label} Document Signer");
        let csca_certificate = certificate(&CertificateSpec {
            serial: 1,
            issuer: &csca_name,
            subject: &csca_name,
            valid: ((2020, 1, 1), (2045, 1, 1)),
            subject_key: &csca_key,
            issuer_key: &csca_key,
            is_ca: true,
        });
        let ds_certificate = certificate(&CertificateSpec {
            serial: 2,
            issuer: &csca_name,
            subject: &ds_name,
            valid: ((2021, 1, 1), (2036, 1, 1)),
            subject_key: &ds_key,
            issuer_key: &csca_key,
            is_ca: false,
        });
        Self {
            label: label.to_string(),
            csca_key,
            csca_certificate,
            ds_key,
            ds_certificate,
        }
    }

    /// The shipped test CSCA (its certificate is in `assets/trust/`).
    pub fn test_csca() -> Self {
        Self::new(TEST_CSCA_LABEL)
    }

    /// The label the keys derive from.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The CSCA's self-signed certificate (DER): what a trust store holds.
    pub fn csca_certificate(&self) -> &[u8] {
        &self.csca_certificate
    }

    /// The document signer's certificate (DER), issued by the CSCA.
    pub fn document_signer_certificate(&self) -> &[u8] {
        &self.ds_certificate
    }

    /// EF.SOD over these data groups (number and complete file): an LDSSecurityObject with
    /// SHA-256 hashes, in a CMS SignedData signed by the document signer, inside tag `77`.
    pub fn sign_sod(&self, data_groups: &[(u8, &[u8])]) -> Vec<u8> {
        let hashes: Vec<Vec<u8>> = data_groups
            .iter()
            .map(|(number, content)| {
                asn1::sequence(&[
                    asn1::integer(u32::from(*number)),
                    asn1::octet_string(&Sha256::digest(content)),
                ])
            })
            .collect();
        let lds_security_object = asn1::sequence(&[
            asn1::integer(0),
            asn1::algorithm(oids::SHA256),
            asn1::sequence(&hashes),
        ]);
        let attributes = [
            asn1::sequence(&[
                asn1::oid(oids::CONTENT_TYPE),
                asn1::set_of(&[asn1::oid(oids::LDS_SECURITY_OBJECT)]),
            ]),
            asn1::sequence(&[
                asn1::oid(oids::MESSAGE_DIGEST),
                asn1::set_of(&[asn1::octet_string(&Sha256::digest(&lds_security_object))]),
            ]),
        ];
        // The signature covers the attributes as a DER SET; in SignerInfo they are [0] IMPLICIT.
        let signed_attributes = asn1::set_of(&attributes);
        let signature = self.ds_key.sign(&signed_attributes);
        let implicit_attributes = {
            let mut bytes = signed_attributes.clone();
            if let Some(tag) = bytes.first_mut() {
                *tag = 0xA0;
            }
            bytes
        };
        let csca_name = format!("{} CSCA", self.label);
        let signer_info = asn1::sequence(&[
            asn1::integer(1),
            asn1::sequence(&[name(&csca_name), asn1::integer(2)]),
            asn1::algorithm(oids::SHA256),
            implicit_attributes,
            self.ds_key.signature_algorithm(),
            asn1::octet_string(&signature),
        ]);
        let signed_data = asn1::sequence(&[
            asn1::integer(3),
            asn1::set_of(&[asn1::algorithm(oids::SHA256)]),
            asn1::sequence(&[
                asn1::oid(oids::LDS_SECURITY_OBJECT),
                asn1::context(0, &asn1::octet_string(&lds_security_object)),
            ]),
            asn1::context(0, &self.ds_certificate),
            asn1::set_of(&[signer_info]),
        ]);
        let content_info =
            asn1::sequence(&[asn1::oid(oids::SIGNED_DATA), asn1::context(0, &signed_data)]);
        crate::tlv::encode(&[0x77], &content_info)
    }

    /// The CSCA's SubjectPublicKeyInfo, for tests that check its signatures.
    pub fn csca_public_key_info(&self) -> Vec<u8> {
        self.csca_key.subject_public_key_info()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::VerifyingKey;
    use p256::ecdsa::signature::Verifier;

    #[test]
    fn keys_and_certificates_are_deterministic_per_label() {
        let (a, b) = (TestPki::test_csca(), TestPki::test_csca());
        assert_eq!(a.csca_certificate(), b.csca_certificate());
        assert_eq!(a.sign_sod(&[(1, b"dg1")]), b.sign_sod(&[(1, b"dg1")]));
        assert_ne!(
            TestPki::new("rogue").csca_certificate(),
            a.csca_certificate()
        );
    }

    #[test]
    fn the_document_signer_certificate_verifies_under_the_csca_key() {
        let pki = TestPki::test_csca();
        let (certificate, _) = crate::tlv::parse_one(pki.document_signer_certificate()).unwrap();
        let parts = crate::tlv::parse_all(certificate.value).unwrap();
        let (tbs, signature) = (parts[0].raw, parts[2].value);
        let spki = pki.csca_public_key_info();
        let (outer, _) = crate::tlv::parse_one(&spki).unwrap();
        let point = &crate::tlv::parse_all(outer.value).unwrap()[1].value[1..];
        let csca = VerifyingKey::from_sec1_bytes(point).unwrap();
        let signature = Signature::from_der(&signature[1..]).unwrap();
        assert!(csca.verify(tbs, &signature).is_ok());
    }
}
