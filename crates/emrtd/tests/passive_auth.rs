//! Passive authentication end to end on a PKI made at test time: a CSCA certificate, a
//! document-signer certificate it signs, and an EF.SOD the document signer signs over the
//! hashes of test data groups. Everything is DER assembled here by hand (with the crate's TLV
//! encoder), so the decoder and verifier are checked against an independent construction.

use std::sync::OnceLock;

use der::Encode;
use der::asn1::ObjectIdentifier;
use ecdsa::signature::hazmat::PrehashSigner;
use ecdsa::{EcdsaCurve, SigningKey};
use elliptic_curve::CurveArithmetic;
use emrtd::cms::DigestAlgorithm;
use emrtd::passive_auth::master_list::{MasterList, MasterListError};
use emrtd::passive_auth::{self, InvalidReason, PassiveAuthError, TrustStore, Verdict};
use emrtd::sod::Sod;
use emrtd::tlv::encode;
use proptest::prelude::*;
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::{Pkcs1v15Sign, pss::Pss};
use sha2::Sha256;
use x509_cert::Certificate;

// ---- DER by hand -------------------------------------------------------------------------

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    encode(0x30, &parts.concat())
}

fn set(parts: &[Vec<u8>]) -> Vec<u8> {
    encode(0x31, &parts.concat())
}

fn oid(text: &str) -> Vec<u8> {
    ObjectIdentifier::new_unwrap(text).to_der().unwrap()
}

/// A non-negative INTEGER from big-endian magnitude bytes.
fn int(bytes: &[u8]) -> Vec<u8> {
    let start = bytes
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(bytes.len() - 1);
    let mut value = bytes[start..].to_vec();
    if value[0] & 0x80 != 0 {
        value.insert(0, 0);
    }
    encode(0x02, &value)
}

fn octets(bytes: &[u8]) -> Vec<u8> {
    encode(0x04, bytes)
}

fn bits(bytes: &[u8]) -> Vec<u8> {
    encode(0x03, &[&[0][..], bytes].concat())
}

fn null() -> Vec<u8> {
    vec![0x05, 0x00]
}

fn name(common_name: &str) -> Vec<u8> {
    seq(&[
        set(&[seq(&[oid("2.5.4.6"), encode(0x13, b"VN")])]),
        set(&[seq(&[oid("2.5.4.3"), encode(0x0C, common_name.as_bytes())])]),
    ])
}

const SHA256: &str = "2.16.840.1.101.3.4.2.1";
const ID_LDS_SECURITY_OBJECT: &str = "2.23.136.1.1.1";

// ---- keys and signatures -----------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scheme {
    Pkcs1,
    Pss,
    Ecdsa,
    EcdsaPlain,
}

#[derive(Clone)]
enum Key {
    Rsa(Box<rsa::PrivateKey>),
    P256(SigningKey<p256::NistP256>),
    P384(SigningKey<p384::NistP384>),
    Bp256(SigningKey<bp256::BrainpoolP256r1>),
    Bp384(SigningKey<bp384::BrainpoolP384r1>),
    /// brainpoolP256r1, its curve written out as explicit parameters in the certificate.
    Bp256Explicit(SigningKey<bp256::BrainpoolP256r1>),
}

fn rsa_key(index: usize) -> rsa::PrivateKey {
    static KEYS: OnceLock<Vec<rsa::PrivateKey>> = OnceLock::new();
    KEYS.get_or_init(|| {
        (0..2)
            .map(|_| rsa::PrivateKey::new(&mut getrandom::SysRng, 2048).unwrap())
            .collect()
    })[index]
        .clone()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// brainpoolP256r1 as explicit ECParameters (RFC 5639 §3.4).
fn brainpool_p256r1_explicit() -> Vec<u8> {
    seq(&[
        int(&[1]),
        seq(&[
            oid("1.2.840.10045.1.1"),
            int(&unhex(
                "A9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377",
            )),
        ]),
        seq(&[
            octets(&unhex(
                "7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9",
            )),
            octets(&unhex(
                "26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6",
            )),
        ]),
        octets(&unhex(
            "048BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997",
        )),
        int(&unhex(
            "A9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7",
        )),
        int(&[1]),
    ])
}

fn ec_spki(curve: Vec<u8>, point: &[u8]) -> Vec<u8> {
    seq(&[seq(&[oid("1.2.840.10045.2.1"), curve]), bits(point)])
}

fn ec_sign<C>(key: &SigningKey<C>, prehash: &[u8], plain: bool) -> Vec<u8>
where
    C: EcdsaCurve + CurveArithmetic + ecdsa::DigestAlgorithm,
{
    let signature: ecdsa::Signature<C> = key.sign_prehash(prehash).unwrap();
    let (r, s) = signature.split_bytes();
    if plain {
        [r.to_vec(), s.to_vec()].concat()
    } else {
        seq(&[int(&r), int(&s)])
    }
}

impl Key {
    fn digest(&self) -> DigestAlgorithm {
        match self {
            Key::P384(_) | Key::Bp384(_) => DigestAlgorithm::Sha384,
            _ => DigestAlgorithm::Sha256,
        }
    }

    fn spki(&self) -> Vec<u8> {
        match self {
            Key::Rsa(key) => {
                let public = key.to_public_key().to_pkcs1_der().unwrap();
                seq(&[
                    seq(&[oid("1.2.840.113549.1.1.1"), null()]),
                    bits(public.as_bytes()),
                ])
            }
            Key::P256(key) => ec_spki(
                oid("1.2.840.10045.3.1.7"),
                key.verifying_key().to_sec1_point(false).as_bytes(),
            ),
            Key::P384(key) => ec_spki(
                oid("1.3.132.0.34"),
                key.verifying_key().to_sec1_point(false).as_bytes(),
            ),
            Key::Bp256(key) => ec_spki(
                oid("1.3.36.3.3.2.8.1.1.7"),
                key.verifying_key().to_sec1_point(false).as_bytes(),
            ),
            Key::Bp384(key) => ec_spki(
                oid("1.3.36.3.3.2.8.1.1.11"),
                key.verifying_key().to_sec1_point(false).as_bytes(),
            ),
            Key::Bp256Explicit(key) => ec_spki(
                brainpool_p256r1_explicit(),
                key.verifying_key().to_sec1_point(false).as_bytes(),
            ),
        }
    }

    /// Signs `message`, returning the AlgorithmIdentifier DER and the signature bytes.
    fn sign(&self, scheme: Scheme, message: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let prehash = self.digest().digest(message);
        let sha384 = self.digest() == DigestAlgorithm::Sha384;
        let ecdsa_oid = match (scheme, sha384) {
            (Scheme::EcdsaPlain, false) => "0.4.0.127.0.7.1.1.4.1.3",
            (Scheme::EcdsaPlain, true) => "0.4.0.127.0.7.1.1.4.1.4",
            (_, false) => "1.2.840.10045.4.3.2",
            (_, true) => "1.2.840.10045.4.3.3",
        };
        let plain = scheme == Scheme::EcdsaPlain;
        match (self, scheme) {
            (Key::Rsa(key), Scheme::Pkcs1) => (
                seq(&[oid("1.2.840.113549.1.1.11"), null()]),
                key.sign(Pkcs1v15Sign::new::<Sha256>(), &prehash).unwrap(),
            ),
            (Key::Rsa(key), Scheme::Pss) => {
                let parameters = seq(&[
                    encode(0xA0, &seq(&[oid(SHA256), null()])),
                    encode(
                        0xA1,
                        &seq(&[oid("1.2.840.113549.1.1.8"), seq(&[oid(SHA256), null()])]),
                    ),
                    encode(0xA2, &int(&[32])),
                ]);
                let signature = key
                    .sign_with_rng(
                        &mut getrandom::SysRng,
                        Pss::<Sha256>::new_with_salt(32),
                        &prehash,
                    )
                    .unwrap();
                (seq(&[oid("1.2.840.113549.1.1.10"), parameters]), signature)
            }
            (Key::P256(key), _) => (seq(&[oid(ecdsa_oid)]), ec_sign(key, &prehash, plain)),
            (Key::P384(key), _) => (seq(&[oid(ecdsa_oid)]), ec_sign(key, &prehash, plain)),
            (Key::Bp256(key) | Key::Bp256Explicit(key), _) => {
                (seq(&[oid(ecdsa_oid)]), ec_sign(key, &prehash, plain))
            }
            (Key::Bp384(key), _) => (seq(&[oid(ecdsa_oid)]), ec_sign(key, &prehash, plain)),
            (Key::Rsa(_), _) => panic!("RSA keys sign with Pkcs1 or Pss"),
        }
    }
}

fn scalar(seed: u8) -> [u8; 32] {
    let mut bytes = [seed; 32];
    bytes[0] = 0x01;
    bytes
}

// ---- certificates and the SOD ------------------------------------------------------------

fn extension(id: &str, value: Vec<u8>) -> Vec<u8> {
    seq(&[oid(id), octets(&value)])
}

/// What a test certificate says and who signs it.
struct CertificateSpec<'a> {
    serial: u8,
    issuer: &'a str,
    issuer_key: &'a Key,
    scheme: Scheme,
    subject: &'a str,
    subject_key: &'a Key,
    authority_key_id: &'a [u8],
    subject_key_id: &'a [u8],
    /// Validity written as GeneralizedTime (allowed before 2050 by X.509, though RFC 5280
    /// asks for UTCTime) instead of UTCTime.
    generalized_time: bool,
}

/// A v3 certificate for `subject_key`, signed by `issuer_key` with `scheme`.
fn certificate(spec: &CertificateSpec<'_>) -> Vec<u8> {
    let (algorithm, _) = spec.issuer_key.sign(spec.scheme, b"");
    let validity = if spec.generalized_time {
        seq(&[
            encode(0x18, b"20250101000000Z"),
            encode(0x18, b"20350101000000Z"),
        ])
    } else {
        seq(&[
            encode(0x17, b"250101000000Z"),
            encode(0x17, b"350101000000Z"),
        ])
    };
    let tbs = seq(&[
        encode(0xA0, &int(&[2])),
        int(&[spec.serial]),
        algorithm.clone(),
        name(spec.issuer),
        validity,
        name(spec.subject),
        spec.subject_key.spki(),
        encode(
            0xA3,
            &seq(&[
                extension("2.5.29.14", octets(spec.subject_key_id)),
                extension("2.5.29.35", seq(&[encode(0x80, spec.authority_key_id)])),
            ]),
        ),
    ]);
    let (algorithm, signature) = spec.issuer_key.sign(spec.scheme, &tbs);
    seq(&[tbs, algorithm, bits(&signature)])
}

fn lds_security_object(data_groups: &[(u8, Vec<u8>)]) -> Vec<u8> {
    let hashes: Vec<Vec<u8>> = data_groups
        .iter()
        .map(|(number, contents)| {
            seq(&[
                int(&[*number]),
                octets(&DigestAlgorithm::Sha256.digest(contents)),
            ])
        })
        .collect();
    seq(&[int(&[0]), seq(&[oid(SHA256), null()]), seq(&hashes)])
}

struct SodParts<'a> {
    content: Vec<u8>,
    message_digest: Vec<u8>,
    ds_certificate: Vec<u8>,
    ds_key: &'a Key,
    scheme: Scheme,
}

/// A ContentInfo around a SignedData of `content_type`, signed by the certificate with serial
/// `serial` issued by `issuer`.
fn content_info(content_type: &str, parts: &SodParts<'_>, issuer: &str, serial: u8) -> Vec<u8> {
    let attributes = [
        seq(&[oid("1.2.840.113549.1.9.3"), set(&[oid(content_type)])]),
        seq(&[
            oid("1.2.840.113549.1.9.4"),
            set(&[octets(&parts.message_digest)]),
        ]),
    ]
    .concat();
    let (algorithm, signature) = parts.ds_key.sign(parts.scheme, &encode(0x31, &attributes));
    let signer_info = seq(&[
        int(&[1]),
        seq(&[name(issuer), int(&[serial])]),
        seq(&[oid(SHA256), null()]),
        encode(0xA0, &attributes),
        algorithm,
        octets(&signature),
    ]);
    let signed_data = seq(&[
        int(&[3]),
        set(&[seq(&[oid(SHA256), null()])]),
        seq(&[oid(content_type), encode(0xA0, &octets(&parts.content))]),
        encode(0xA0, &parts.ds_certificate),
        set(&[signer_info]),
    ]);
    seq(&[oid("1.2.840.113549.1.7.2"), encode(0xA0, &signed_data)])
}

fn sod(parts: SodParts<'_>) -> Vec<u8> {
    encode(
        0x77,
        &content_info(ID_LDS_SECURITY_OBJECT, &parts, "CSCA Test Vietnam", 2),
    )
}

/// A complete test card: its data groups, its SOD, and the CSCA that issued its signer.
struct Card {
    data_groups: Vec<(u8, Vec<u8>)>,
    sod: Vec<u8>,
    csca: Vec<u8>,
}

impl Card {
    fn groups(&self) -> Vec<(u8, &[u8])> {
        self.data_groups
            .iter()
            .map(|(n, bytes)| (*n, bytes.as_slice()))
            .collect()
    }
}

fn data_groups() -> Vec<(u8, Vec<u8>)> {
    vec![
        (
            1,
            encode(0x61, &encode(0x5F1F, b"IDVNM0900123450001090012345<<1")),
        ),
        (2, encode(0x75, &[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10])),
        (
            13,
            encode(
                0x6D,
                &seq(&[seq(&[int(&[1]), encode(0x13, b"001090012345")])]),
            ),
        ),
        (14, encode(0x6E, &set(&[]))),
    ]
}

fn issue(csca_key: &Key, csca_scheme: Scheme, ds_key: &Key, ds_scheme: Scheme) -> Card {
    issue_with_validity(csca_key, csca_scheme, ds_key, ds_scheme, false)
}

fn issue_with_validity(
    csca_key: &Key,
    csca_scheme: Scheme,
    ds_key: &Key,
    ds_scheme: Scheme,
    generalized_time: bool,
) -> Card {
    let csca = certificate(&CertificateSpec {
        serial: 1,
        issuer: "CSCA Test Vietnam",
        issuer_key: csca_key,
        scheme: csca_scheme,
        subject: "CSCA Test Vietnam",
        subject_key: csca_key,
        authority_key_id: b"csca-key",
        subject_key_id: b"csca-key",
        generalized_time: false,
    });
    let ds_certificate = certificate(&CertificateSpec {
        serial: 2,
        issuer: "CSCA Test Vietnam",
        issuer_key: csca_key,
        scheme: csca_scheme,
        subject: "Document Signer Test",
        subject_key: ds_key,
        authority_key_id: b"csca-key",
        subject_key_id: b"ds-key",
        generalized_time,
    });
    let data_groups = data_groups();
    let content = lds_security_object(&data_groups);
    let sod = sod(SodParts {
        message_digest: DigestAlgorithm::Sha256.digest(&content),
        content,
        ds_certificate,
        ds_key,
        scheme: ds_scheme,
    });
    Card {
        data_groups,
        sod,
        csca,
    }
}

fn trust(csca: &[u8]) -> TrustStore {
    TrustStore::new(vec![<Certificate as der::Decode>::from_der(csca).unwrap()])
}

fn p256_card() -> Card {
    issue(
        &Key::P256(SigningKey::from_slice(&scalar(1)).unwrap()),
        Scheme::Ecdsa,
        &Key::P256(SigningKey::from_slice(&scalar(2)).unwrap()),
        Scheme::Ecdsa,
    )
}

// ---- the tests ---------------------------------------------------------------------------

#[test]
fn genuine_card_signed_by_a_trusted_csca_is_trusted() {
    let card = p256_card();
    let report = passive_auth::verify(&card.sod, &card.groups(), &trust(&card.csca)).unwrap();
    assert_eq!(report.verdict, Verdict::Trusted);
    assert_eq!(report.checked_data_groups, [1, 2, 13, 14]);
    let signer = report.document_signer.unwrap();
    assert_eq!(signer.subject, "CN=Document Signer Test,C=VN");
    assert_eq!(signer.issuer, "CN=CSCA Test Vietnam,C=VN");
    assert_eq!(signer.serial, "02");
    assert_eq!(signer.authority_key_id.as_deref(), Some("637363612D6B6579"));
    assert_eq!(report.csca.as_deref(), Some("CN=CSCA Test Vietnam,C=VN"));
}

#[test]
fn document_signer_with_generalized_time_validity_is_trusted() {
    // The signature covers the certificate as issued; re-encoding it (RFC 5280 turns these
    // dates into UTCTime) would change the signed bytes.
    let card = issue_with_validity(
        &Key::P256(SigningKey::from_slice(&scalar(1)).unwrap()),
        Scheme::Ecdsa,
        &Key::P256(SigningKey::from_slice(&scalar(2)).unwrap()),
        Scheme::Ecdsa,
        true,
    );
    let report = passive_auth::verify(&card.sod, &card.groups(), &trust(&card.csca)).unwrap();
    assert_eq!(report.verdict, Verdict::Trusted);
}

#[test]
fn every_supported_signature_scheme_verifies() {
    let rsa = Key::Rsa(Box::new(rsa_key(0)));
    let rsa_ds = Key::Rsa(Box::new(rsa_key(1)));
    let bp256 = |seed| SigningKey::from_slice(&scalar(seed)).unwrap();
    let cases = [
        (
            "RSA PKCS#1 v1.5",
            rsa.clone(),
            Scheme::Pkcs1,
            rsa_ds.clone(),
            Scheme::Pkcs1,
        ),
        (
            "RSA-PSS",
            rsa.clone(),
            Scheme::Pss,
            rsa_ds.clone(),
            Scheme::Pss,
        ),
        (
            "RSA CSCA, P-256 DS",
            rsa.clone(),
            Scheme::Pkcs1,
            Key::P256(SigningKey::from_slice(&scalar(3)).unwrap()),
            Scheme::Ecdsa,
        ),
        (
            "P-384",
            Key::P384(SigningKey::from_slice(&[7; 48]).unwrap()),
            Scheme::Ecdsa,
            Key::P384(SigningKey::from_slice(&[8; 48]).unwrap()),
            Scheme::Ecdsa,
        ),
        (
            "brainpoolP256r1",
            Key::Bp256(bp256(4)),
            Scheme::Ecdsa,
            Key::Bp256(bp256(5)),
            Scheme::Ecdsa,
        ),
        (
            "brainpoolP384r1, plain ECDSA",
            Key::Bp384(SigningKey::from_slice(&[9; 48]).unwrap()),
            Scheme::EcdsaPlain,
            Key::Bp384(SigningKey::from_slice(&[10; 48]).unwrap()),
            Scheme::EcdsaPlain,
        ),
        (
            "brainpoolP256r1 with explicit parameters",
            Key::Bp256Explicit(bp256(6)),
            Scheme::Ecdsa,
            Key::Bp256Explicit(bp256(7)),
            Scheme::Ecdsa,
        ),
    ];
    for (label, csca_key, csca_scheme, ds_key, ds_scheme) in cases {
        let card = issue(&csca_key, csca_scheme, &ds_key, ds_scheme);
        let report = passive_auth::verify(&card.sod, &card.groups(), &trust(&card.csca)).unwrap();
        assert_eq!(report.verdict, Verdict::Trusted, "{label}");
    }
}

#[test]
fn tampered_data_group_is_invalid() {
    let card = p256_card();
    let mut groups = card.data_groups.clone();
    groups[2].1[8] ^= 0x01;
    let groups: Vec<(u8, &[u8])> = groups.iter().map(|(n, b)| (*n, b.as_slice())).collect();
    let report = passive_auth::verify(&card.sod, &groups, &trust(&card.csca)).unwrap();
    assert_eq!(
        report.verdict,
        Verdict::Invalid(InvalidReason::DataGroupHashMismatch(13))
    );
}

#[test]
fn data_group_missing_from_the_sod_is_invalid() {
    let card = p256_card();
    let mut groups = card.groups();
    groups.push((15, b"not signed".as_slice()));
    let report = passive_auth::verify(&card.sod, &groups, &trust(&card.csca)).unwrap();
    assert_eq!(
        report.verdict,
        Verdict::Invalid(InvalidReason::DataGroupNotInSod(15))
    );
}

#[test]
fn sod_signed_by_another_key_is_invalid() {
    let csca_key = Key::P256(SigningKey::from_slice(&scalar(1)).unwrap());
    let card = p256_card();
    // Re-sign the same content with the CSCA's key instead of the document signer's.
    let ds_certificate = Sod::decode(&card.sod).unwrap().signed_data.certificates[0]
        .certificate
        .to_der()
        .unwrap();
    let content = lds_security_object(&card.data_groups);
    let forged = sod(SodParts {
        message_digest: DigestAlgorithm::Sha256.digest(&content),
        content,
        ds_certificate,
        ds_key: &csca_key,
        scheme: Scheme::Ecdsa,
    });
    let report = passive_auth::verify(&forged, &card.groups(), &trust(&card.csca)).unwrap();
    assert_eq!(
        report.verdict,
        Verdict::Invalid(InvalidReason::SodSignatureMismatch)
    );
}

#[test]
fn content_changed_after_signing_is_invalid() {
    let ds_key = Key::P256(SigningKey::from_slice(&scalar(2)).unwrap());
    let card = p256_card();
    let ds_certificate = Sod::decode(&card.sod).unwrap().signed_data.certificates[0]
        .certificate
        .to_der()
        .unwrap();
    let signed = lds_security_object(&card.data_groups);
    let mut changed_groups = card.data_groups.clone();
    changed_groups[0].1.push(0);
    let forged = sod(SodParts {
        message_digest: DigestAlgorithm::Sha256.digest(&signed),
        content: lds_security_object(&changed_groups),
        ds_certificate,
        ds_key: &ds_key,
        scheme: Scheme::Ecdsa,
    });
    let changed: Vec<(u8, &[u8])> = changed_groups
        .iter()
        .map(|(n, b)| (*n, b.as_slice()))
        .collect();
    let report = passive_auth::verify(&forged, &changed, &trust(&card.csca)).unwrap();
    assert_eq!(
        report.verdict,
        Verdict::Invalid(InvalidReason::MessageDigestMismatch)
    );
}

#[test]
fn flipped_signature_bit_is_invalid() {
    let card = issue(
        &Key::Rsa(Box::new(rsa_key(0))),
        Scheme::Pkcs1,
        &Key::Rsa(Box::new(rsa_key(1))),
        Scheme::Pss,
    );
    let mut sod = card.sod.clone();
    let last = sod.len() - 1;
    sod[last] ^= 0x01;
    let report = passive_auth::verify(&sod, &card.groups(), &trust(&card.csca)).unwrap();
    assert_eq!(
        report.verdict,
        Verdict::Invalid(InvalidReason::SodSignatureMismatch)
    );
}

#[test]
fn unknown_csca_gives_signature_valid_issuer_unknown() {
    let card = p256_card();
    let report = passive_auth::verify(&card.sod, &card.groups(), &TrustStore::default()).unwrap();
    assert_eq!(report.verdict, Verdict::SignatureValidIssuerUnknown);
    let other = issue(
        &Key::P256(SigningKey::from_slice(&scalar(9)).unwrap()),
        Scheme::Ecdsa,
        &Key::P256(SigningKey::from_slice(&scalar(2)).unwrap()),
        Scheme::Ecdsa,
    );
    // A CSCA with the same name but another key identifier is not the issuer either.
    let mut other_csca = other.csca.clone();
    let at = other_csca
        .windows(8)
        .position(|w| w == b"csca-key")
        .unwrap();
    other_csca[at] = b'X';
    let at = other_csca
        .windows(8)
        .position(|w| w == b"csca-key")
        .unwrap();
    other_csca[at] = b'X';
    // Changing the key identifiers broke the CSCA's self-signature, which is not checked: a
    // configured CSCA is trusted as configured.
    let report = passive_auth::verify(&card.sod, &card.groups(), &trust(&other_csca)).unwrap();
    assert_eq!(report.verdict, Verdict::SignatureValidIssuerUnknown);
}

#[test]
fn document_signer_not_signed_by_the_named_csca_is_invalid() {
    // Same CSCA name and key identifier, different key: a forged document signer.
    let genuine = p256_card();
    let impostor = issue(
        &Key::P256(SigningKey::from_slice(&scalar(9)).unwrap()),
        Scheme::Ecdsa,
        &Key::P256(SigningKey::from_slice(&scalar(2)).unwrap()),
        Scheme::Ecdsa,
    );
    let report =
        passive_auth::verify(&impostor.sod, &impostor.groups(), &trust(&genuine.csca)).unwrap();
    assert_eq!(
        report.verdict,
        Verdict::Invalid(InvalidReason::DocumentSignerSignatureMismatch)
    );
}

#[test]
fn unknown_signature_algorithm_is_an_error_not_a_verdict() {
    let card = p256_card();
    let ecdsa_sha256 = oid("1.2.840.10045.4.3.2");
    let unknown = oid("1.2.840.10045.4.3.9");
    assert_eq!(ecdsa_sha256.len(), unknown.len());
    // The last occurrence is the signer info's signature algorithm.
    let mut sod = card.sod.clone();
    let at = sod
        .windows(ecdsa_sha256.len())
        .rposition(|w| w == ecdsa_sha256.as_slice())
        .unwrap();
    sod[at..at + unknown.len()].copy_from_slice(&unknown);
    assert_eq!(
        passive_auth::verify(&sod, &card.groups(), &trust(&card.csca)),
        Err(PassiveAuthError::UnsupportedAlgorithm(
            "signature algorithm 1.2.840.10045.4.3.9".into()
        ))
    );
}

#[test]
fn malformed_sod_is_invalid() {
    let card = p256_card();
    for bad in [
        &[][..],
        &[0x77, 0x00],
        &card.sod[..card.sod.len() - 1],
        &card.sod[1..],
    ] {
        let report = passive_auth::verify(bad, &card.groups(), &trust(&card.csca)).unwrap();
        assert!(
            matches!(
                report.verdict,
                Verdict::Invalid(InvalidReason::MalformedSod(_))
            ),
            "{:?}",
            report.verdict
        );
    }
}

#[test]
fn sod_decoder_exposes_the_lds_security_object() {
    let card = p256_card();
    let sod = Sod::decode(&card.sod).unwrap();
    let lds = &sod.lds_security_object;
    assert_eq!(lds.digest_algorithm, DigestAlgorithm::Sha256);
    let numbers: Vec<u8> = lds.data_group_hashes.iter().map(|h| h.number).collect();
    assert_eq!(numbers, [1, 2, 13, 14]);
    assert_eq!(
        lds.hash_of(13),
        Some(
            DigestAlgorithm::Sha256
                .digest(&card.data_groups[2].1)
                .as_slice()
        )
    );
    assert!(sod.document_signer_certificate().is_some());
}

#[test]
fn trust_store_loads_der_and_pem_and_reports_unusable_files() {
    let card = p256_card();
    let directory = tempfile::tempdir().unwrap();
    std::fs::write(directory.path().join("csca.der"), &card.csca).unwrap();
    let pem = der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, &card.csca).unwrap();
    std::fs::write(directory.path().join("csca.pem"), pem).unwrap();
    std::fs::write(directory.path().join("broken.cer"), b"not a certificate").unwrap();
    std::fs::write(directory.path().join("notes.txt"), b"ignored").unwrap();
    let (store, skipped) = TrustStore::load_directory(directory.path()).unwrap();
    assert_eq!(store.len(), 2);
    assert_eq!(skipped.len(), 1);
    assert!(skipped[0].path.ends_with("broken.cer"));
    let report = passive_auth::verify(&card.sod, &card.groups(), &store).unwrap();
    assert_eq!(report.verdict, Verdict::Trusted);
}

/// A master list of `cscas`, signed by a signer certificate that `issuer_key` (the CSCA
/// named "CSCA Test Vietnam") issued.
fn master_list(cscas: &[Vec<u8>], issuer_key: &Key, signer_key: &Key) -> Vec<u8> {
    let signer_certificate = certificate(&CertificateSpec {
        serial: 7,
        issuer: "CSCA Test Vietnam",
        issuer_key,
        scheme: Scheme::Ecdsa,
        subject: "Master List Signer Test",
        subject_key: signer_key,
        authority_key_id: b"csca-key",
        subject_key_id: b"ml-key",
        generalized_time: false,
    });
    let content = seq(&[int(&[0]), set(cscas)]);
    content_info(
        "2.23.136.1.1.2",
        &SodParts {
            message_digest: DigestAlgorithm::Sha256.digest(&content),
            content,
            ds_certificate: signer_certificate,
            ds_key: signer_key,
            scheme: Scheme::Ecdsa,
        },
        "CSCA Test Vietnam",
        7,
    )
}

#[test]
fn master_list_feeds_the_trust_store() {
    let card = p256_card();
    let csca_key = Key::P256(SigningKey::from_slice(&scalar(1)).unwrap());
    let signer_key = Key::P256(SigningKey::from_slice(&scalar(5)).unwrap());
    let other = issue(
        &Key::P384(SigningKey::from_slice(&[3; 48]).unwrap()),
        Scheme::Ecdsa,
        &Key::P256(SigningKey::from_slice(&scalar(2)).unwrap()),
        Scheme::Ecdsa,
    );
    let list = master_list(
        &[card.csca.clone(), other.csca.clone()],
        &csca_key,
        &signer_key,
    );
    let decoded = MasterList::decode_and_verify(&list).unwrap();
    assert_eq!(decoded.certificates.len(), 2);
    assert_eq!(decoded.signer, "CN=Master List Signer Test,C=VN");

    let directory = tempfile::tempdir().unwrap();
    std::fs::write(directory.path().join("icao.ml"), &list).unwrap();
    let (store, skipped) = TrustStore::load_directory(directory.path()).unwrap();
    assert!(skipped.is_empty());
    assert_eq!(store.len(), 2);
    let report = passive_auth::verify(&card.sod, &card.groups(), &store).unwrap();
    assert_eq!(report.verdict, Verdict::Trusted);
}

#[test]
fn tampered_or_unanchored_master_lists_are_refused() {
    let card = p256_card();
    let csca_key = Key::P256(SigningKey::from_slice(&scalar(1)).unwrap());
    let signer_key = Key::P256(SigningKey::from_slice(&scalar(5)).unwrap());
    let mut list = master_list(std::slice::from_ref(&card.csca), &csca_key, &signer_key);
    let last = list.len() - 1;
    list[last] ^= 1;
    assert_eq!(
        MasterList::decode_and_verify(&list).unwrap_err(),
        MasterListError::SignatureMismatch
    );
    // The signer's certificate comes from a key that is not the listed CSCA's.
    let impostor = Key::P256(SigningKey::from_slice(&scalar(9)).unwrap());
    let list = master_list(std::slice::from_ref(&card.csca), &impostor, &signer_key);
    assert_eq!(
        MasterList::decode_and_verify(&list).unwrap_err(),
        MasterListError::SignerNotIssuedByListedCsca
    );
    // An EF.SOD is a SignedData too, but not a master list.
    assert_eq!(
        MasterList::decode_and_verify(&card.sod[4..]).unwrap_err(),
        MasterListError::NotMasterList
    );
    let mut store = TrustStore::default();
    assert!(store.add_master_list(&list).is_err());
    assert!(store.is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = Sod::decode(&bytes);
        let _ = Sod::decode(&encode(0x77, &bytes));
        let _ = MasterList::decode_and_verify(&bytes);
        let _ = MasterList::decode_and_verify(&seq(&[oid("1.2.840.113549.1.7.2"), encode(0xA0, &bytes)]));
    }

    #[test]
    fn mutated_sods_never_panic_and_never_pass_with_changed_content(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4)
    ) {
        static CARD: OnceLock<Card> = OnceLock::new();
        let card = CARD.get_or_init(p256_card);
        let mut sod = card.sod.clone();
        for (index, value) in edits {
            let i = index.index(sod.len());
            sod[i] = value;
        }
        let outcome = passive_auth::verify(&sod, &card.groups(), &trust(&card.csca));
        if sod != card.sod {
            if let Ok(report) = outcome {
                // A change can only keep a trusted verdict if it fell outside all signed
                // bytes and all checked data (e.g. an unused certificate field re-encoded).
                if report.verdict == Verdict::Trusted {
                    let decoded = Sod::decode(&sod).unwrap();
                    let original = Sod::decode(&card.sod).unwrap();
                    prop_assert_eq!(decoded.signed_data.content, original.signed_data.content);
                    prop_assert_eq!(
                        decoded.signed_data.signer_info.signed_attributes,
                        original.signed_data.signer_info.signed_attributes
                    );
                }
            }
        }
    }
}
