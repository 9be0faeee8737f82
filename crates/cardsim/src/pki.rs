//! A test issuing authority: a CSCA, a document signer it certifies, and the EF.SOD the
//! document signer signs over a card's data groups (ICAO 9303-10 §4.6.2, RFC 5652 SignedData).
//! ECDSA P-256 with SHA-256 throughout. Keys are derived from a label, so the same label gives
//! the same certificates and the shipped test CSCA never needs a private key on disk.

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
    csca_key: SigningKey,
    csca_certificate: Vec<u8>,
    ds_key: SigningKey,
    ds_certificate: Vec<u8>,
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

fn key_identifier(key: &SigningKey) -> Vec<u8> {
    Sha256::digest(p256_public_point(key))
        .get(..20)
        .unwrap_or_default()
        .to_vec()
}

fn extension(oid: &str, critical: bool, value: Vec<u8>) -> Vec<u8> {
    let mut parts = vec![asn1::oid(oid)];
    if critical {
        parts.push(asn1::true_value());
    }
    parts.push(asn1::octet_string(&value));
    asn1::sequence(&parts)
}

fn sign(key: &SigningKey, message: &[u8]) -> Vec<u8> {
    let signature: Signature = key.sign(message);
    signature.to_der().as_bytes().to_vec()
}

struct CertificateSpec<'a> {
    serial: u32,
    issuer: &'a str,
    subject: &'a str,
    valid: ((u16, u8, u8), (u16, u8, u8)),
    subject_key: &'a SigningKey,
    issuer_key: &'a SigningKey,
    is_ca: bool,
}

fn certificate(spec: &CertificateSpec<'_>) -> Vec<u8> {
    let ((y1, m1, d1), (y2, m2, d2)) = spec.valid;
    let mut extensions = vec![extension(
        oids::SUBJECT_KEY_IDENTIFIER,
        false,
        asn1::octet_string(&key_identifier(spec.subject_key)),
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
            .chain(key_identifier(spec.issuer_key))
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
        asn1::algorithm(oids::ECDSA_WITH_SHA256),
        name(spec.issuer),
        asn1::sequence(&[asn1::utc_time(y1, m1, d1), asn1::utc_time(y2, m2, d2)]),
        name(spec.subject),
        p256_subject_public_key_info(spec.subject_key),
        asn1::context(3, &asn1::sequence(&extensions)),
    ]);
    let signature = sign(spec.issuer_key, &tbs);
    asn1::sequence(&[
        tbs,
        asn1::algorithm(oids::ECDSA_WITH_SHA256),
        asn1::bit_string(&signature),
    ])
}

impl TestPki {
    /// The CSCA and document signer derived from `label`.
    pub fn new(label: &str) -> Self {
        let csca_key = derived_p256_key(&format!("{label} / CSCA"));
        let ds_key = derived_p256_key(&format!("{label} / DS"));
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
        let signature = sign(&self.ds_key, &signed_attributes);
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
            asn1::algorithm(oids::ECDSA_WITH_SHA256),
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

    /// The CSCA's public key point, for tests that check its signatures.
    pub fn csca_public_point(&self) -> Vec<u8> {
        p256_public_point(&self.csca_key)
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
        let csca = VerifyingKey::from_sec1_bytes(&pki.csca_public_point()).unwrap();
        let signature = Signature::from_der(&signature[1..]).unwrap();
        assert!(csca.verify(tbs, &signature).is_ok());
    }
}
