//! Active Authentication (ICAO 9303-11 §6.1): the chip signs a random challenge with the
//! private key whose public half is DG15. RSA signatures follow ISO/IEC 9796-2 scheme 1
//! (partial message recovery, the challenge as the non-recoverable part); ECDSA signatures
//! are plain `r || s` (or DER) over the hash DG14's ActiveAuthenticationInfo names.
//!
//! Like Chip Authentication, a success counts only once passive authentication has validated
//! DG15 (and DG14 for ECDSA).

use crate::access::{AccessError, random_bytes};
use crate::apdu::{CommandApdu, StatusWord};
use crate::lds::{DataGroup, LdsError, LdsFile};
use crate::pace::DomainParameters;
use crate::public_key::{PublicKey, PublicKeyError, unsigned};
use crate::read::ReadError;
use crate::secure_messaging::{SecureChannel, SmError};
use crate::security_infos::Oid;
use crate::tlv;
use crate::transport::CardTransport;
use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, Odd};
use ecdsa::signature::hazmat::PrehashVerifier;
use rand_core::TryCryptoRng;
use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};
use thiserror::Error;

/// Why Active Authentication did not succeed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ActiveAuthenticationError {
    /// DG15's key is malformed or unsupported.
    #[error(transparent)]
    Key(#[from] PublicKeyError),
    /// An ECDSA key without an ActiveAuthenticationInfo naming a known hash.
    #[error("unknown Active Authentication signature algorithm")]
    UnknownAlgorithm,
    /// The chip refused INTERNAL AUTHENTICATE.
    #[error("the chip refused active authentication ({0})")]
    Refused(StatusWord),
    /// The signature does not verify with DG15's key: the chip does not hold the key, as a
    /// cloned chip would not.
    #[error("the chip's active authentication signature is invalid: possible clone")]
    SignatureInvalid,
    /// Secure messaging or the transport failed.
    #[error(transparent)]
    SecureMessaging(#[from] SmError),
    /// The challenge could not be drawn.
    #[error(transparent)]
    Access(#[from] AccessError),
    /// Opening the session Active Authentication runs in failed.
    #[error(transparent)]
    Read(#[from] ReadError),
}

/// DG15: the Active Authentication public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dg15 {
    /// The key.
    pub public_key: PublicKey,
}

const DG15: DataGroup = match DataGroup::new(15) {
    Some(dg) => dg,
    None => unreachable!(),
};

impl Dg15 {
    /// Parses `6F { SubjectPublicKeyInfo }`.
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        let (outer, _) = tlv::parse_one(bytes)?;
        let spki = outer.expect_tag(0x6F)?;
        let public_key = PublicKey::from_spki(spki).map_err(|e| match e {
            PublicKeyError::Tlv(t) => LdsError::Tlv(t),
            PublicKeyError::Structure(reason) | PublicKeyError::Unsupported(reason) => {
                LdsError::Structure {
                    file: LdsFile::Dg(DG15),
                    reason,
                }
            }
        })?;
        Ok(Self { public_key })
    }
}

/// Hash functions Active Authentication signatures use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hash {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn digest(self, parts: &[&[u8]]) -> Vec<u8> {
        fn run<D: Digest>(parts: &[&[u8]]) -> Vec<u8> {
            let mut d = D::new();
            for p in parts {
                d.update(p);
            }
            d.finalize().to_vec()
        }
        match self {
            Self::Sha1 => run::<Sha1>(parts),
            Self::Sha224 => run::<Sha224>(parts),
            Self::Sha256 => run::<Sha256>(parts),
            Self::Sha384 => run::<Sha384>(parts),
            Self::Sha512 => run::<Sha512>(parts),
        }
    }

    fn len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha224 => 28,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// The hash of an ECDSA signature algorithm OID (BSI plain or X9.62).
    fn of_ecdsa_oid(oid: &Oid) -> Option<Self> {
        const PLAIN: [u8; 9] = [0x04, 0x00, 0x7F, 0x00, 0x07, 0x01, 0x01, 0x04, 0x01];
        const X962: [u8; 6] = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04];
        match oid.0.as_slice() {
            [rest @ .., last] if rest == PLAIN => match last {
                1 => Some(Self::Sha1),
                2 => Some(Self::Sha224),
                3 => Some(Self::Sha256),
                4 => Some(Self::Sha384),
                5 => Some(Self::Sha512),
                _ => None,
            },
            [rest @ .., 0x01] if rest == X962 => Some(Self::Sha1),
            [rest @ .., 0x03, last] if rest == X962 => match last {
                1 => Some(Self::Sha224),
                2 => Some(Self::Sha256),
                3 => Some(Self::Sha384),
                4 => Some(Self::Sha512),
                _ => None,
            },
            _ => None,
        }
    }
}

/// Largest RSA modulus accepted (8192 bits): bounds the work a hostile DG15 can cause.
const MAX_RSA_MODULUS_BYTES: usize = 1024;

/// `signature^e mod n`, as many bytes as the modulus; `None` if the numbers do not fit.
pub(crate) fn rsa_public_operation(
    modulus: &[u8],
    exponent: &[u8],
    signature: &[u8],
) -> Option<Vec<u8>> {
    let modulus = unsigned(modulus);
    let exponent = unsigned(exponent);
    if modulus.is_empty()
        || modulus.len() > MAX_RSA_MODULUS_BYTES
        || exponent.len() > modulus.len()
        || signature.len() != modulus.len()
    {
        return None;
    }
    let n = BoxedUint::from_be_slice_vartime(modulus);
    let precision = n.bits_precision();
    let s = BoxedUint::from_be_slice(signature, precision).ok()?;
    if s >= n {
        return None;
    }
    let e = BoxedUint::from_be_slice_vartime(exponent);
    let params = BoxedMontyParams::new_vartime(Odd::new(n).into_option()?);
    let m = BoxedMontyForm::new(s, &params).pow(&e).retrieve();
    let bytes = m.to_be_bytes();
    let start = bytes.len().checked_sub(modulus.len())?;
    bytes.get(start..).map(<[u8]>::to_vec)
}

/// ISO/IEC 9796-2 scheme 1 with partial recovery: `6A || M1 || H(M1 || challenge) || trailer`.
fn verify_iso9796_2(recovered: &[u8], challenge: &[u8]) -> bool {
    let Some((&last, body)) = recovered.split_last() else {
        return false;
    };
    let (hash, trailer_len) = match (last, body.last()) {
        (0xBC, _) => (Hash::Sha1, 1),
        (0xCC, Some(0x33)) => (Hash::Sha1, 2),
        (0xCC, Some(0x38)) => (Hash::Sha224, 2),
        (0xCC, Some(0x34)) => (Hash::Sha256, 2),
        (0xCC, Some(0x36)) => (Hash::Sha384, 2),
        (0xCC, Some(0x35)) => (Hash::Sha512, 2),
        _ => return false,
    };
    let Some(h_start) = recovered.len().checked_sub(trailer_len + hash.len()) else {
        return false;
    };
    if recovered.first() != Some(&0x6A) || h_start < 1 {
        return false;
    }
    let m1 = recovered.get(1..h_start).unwrap_or_default();
    let h = recovered
        .get(h_start..h_start + hash.len())
        .unwrap_or_default();
    crate::crypto::mac_eq(&hash.digest(&[m1, challenge]), h)
}

/// A DER `ECDSA-Sig-Value` turned into plain `r || s` of `field_len` bytes each.
fn plain_signature(signature: &[u8], field_len: usize) -> Option<Vec<u8>> {
    if signature.len() == 2 * field_len {
        return Some(signature.to_vec());
    }
    let sequence = tlv::parse_single(signature).ok()?.expect_tag(0x30).ok()?;
    let parts = tlv::parse_all(sequence).ok()?;
    let mut out = Vec::with_capacity(2 * field_len);
    for part in parts.get(..2)? {
        let value = unsigned(part.expect_tag(0x02).ok()?);
        let pad = field_len.checked_sub(value.len())?;
        out.extend(core::iter::repeat_n(0, pad));
        out.extend_from_slice(value);
    }
    (parts.len() == 2).then_some(out)
}

fn verify_ecdsa(curve: DomainParameters, point: &[u8], digest: &[u8], signature: &[u8]) -> bool {
    macro_rules! verify {
        ($curve:ty, $len:expr) => {{
            let Some(plain) = plain_signature(signature, $len) else {
                return false;
            };
            let (Ok(key), Ok(sig)) = (
                ecdsa::VerifyingKey::<$curve>::from_sec1_bytes(point),
                ecdsa::Signature::<$curve>::from_slice(&plain),
            ) else {
                return false;
            };
            key.verify_prehash(digest, &sig).is_ok()
        }};
    }
    match curve {
        DomainParameters::NistP256 => verify!(p256::NistP256, 32),
        DomainParameters::BrainpoolP256r1 => verify!(bp256::BrainpoolP256r1, 32),
        DomainParameters::NistP384 => verify!(p384::NistP384, 48),
        DomainParameters::BrainpoolP384r1 => verify!(bp384::BrainpoolP384r1, 48),
    }
}

/// Runs Active Authentication: INTERNAL AUTHENTICATE with an 8-byte challenge from `rng`, then
/// the signature check against DG15's key. `ecdsa_algorithm` is DG14's
/// ActiveAuthenticationInfo algorithm, needed for ECDSA keys.
pub fn authenticate<T, R>(
    transport: &mut T,
    rng: &mut R,
    session: &mut SecureChannel,
    dg15: &Dg15,
    ecdsa_algorithm: Option<&Oid>,
) -> Result<(), ActiveAuthenticationError>
where
    T: CardTransport + ?Sized,
    R: TryCryptoRng + ?Sized,
{
    let ecdsa_hash = match &dg15.public_key {
        PublicKey::Ec { .. } => Some(
            ecdsa_algorithm
                .and_then(Hash::of_ecdsa_oid)
                .ok_or(ActiveAuthenticationError::UnknownAlgorithm)?,
        ),
        PublicKey::Rsa { modulus, .. } if unsigned(modulus).len() > MAX_RSA_MODULUS_BYTES => {
            return Err(PublicKeyError::Unsupported("RSA modulus over 8192 bits").into());
        }
        PublicKey::Rsa { .. } => None,
    };
    let mut challenge = [0u8; 8];
    random_bytes(rng, &mut challenge)?;
    let internal_authenticate = CommandApdu::new(0x00, 0x88, 0x00, 0x00)
        .with_data(challenge)
        .with_le(256);
    let response = session.transmit(transport, &internal_authenticate)?;
    if !response.sw.is_success() {
        return Err(ActiveAuthenticationError::Refused(response.sw));
    }
    let valid = match (&dg15.public_key, ecdsa_hash) {
        (PublicKey::Rsa { modulus, exponent }, _) => {
            rsa_public_operation(modulus, exponent, &response.data)
                .is_some_and(|recovered| verify_iso9796_2(&recovered, &challenge))
        }
        (PublicKey::Ec { curve, point }, Some(hash)) => {
            verify_ecdsa(*curve, point, &hash.digest(&[&challenge]), &response.data)
        }
        (PublicKey::Ec { .. }, None) => false,
    };
    if valid {
        Ok(())
    } else {
        Err(ActiveAuthenticationError::SignatureInvalid)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::access::AccessKeys;
    use crate::chip_authentication::Dg14;
    use crate::lds::LdsFile;
    use crate::mrz::MrzInformation;
    use crate::public_key::tests::{ec_spki, rsa_spki};
    use crate::read::{CardProfile, DocumentReader, ReadOptions};
    use crate::test_chip::{AaKey, TestChip};
    use crate::test_support::{TestRng, hex};

    const MRZ: &str = "090012345090010113001019";
    /// A 1024-bit RSA test key (e = 65537), made for these tests only.
    const RSA_N: &str = "DF119FC14F55F806DB773EC8A395A90F0F9C11D4B99D0E45586D44C8ABA49353B45CCEB3B76F57108A65A2D2BCFA8CA7A7633A3247095931CAFA35A5C7EE24455E04CDFD1B405CB6A30B8F8546AFD4671E8C6DE5F5DEB9B4559BDA9BA789033E081FA4BD2353376AAF8D7326B5DDF2A6DDDDACDDA0854229B0357605CF3EA431";
    const RSA_D: &str = "388224703A02D334198099BD0603B1B20908465417393C1641125D2C609EEE5B740356B19C346E5FD84F6AF1EBC1A4C40BD94D32D36000E26643003820EFA8EC186F2C16E2EA41704E9FE07D48E8972387C6531E9866F20049670A8AF4960A93BA6A5676DE9793C7CCAEC2EFBCB265518576EC8163CF1BE5C65E046DCD0766C9";
    const P256_SECRET: &str = "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721";
    const P256_OID: [u8; 8] = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];
    /// ecdsa-plain-SHA256.
    const ECDSA_PLAIN_SHA256: [u8; 10] =
        [0x04, 0x00, 0x7F, 0x00, 0x07, 0x01, 0x01, 0x04, 0x01, 0x03];

    fn p256_public() -> Vec<u8> {
        let key = ecdsa::SigningKey::<p256::NistP256>::from_slice(&hex(P256_SECRET)).unwrap();
        key.verifying_key().to_sec1_point(false).as_bytes().to_vec()
    }

    fn dg14_with_aa(algorithm: &[u8]) -> Dg14 {
        let mut info = tlv::encode(0x06, &[0x67, 0x81, 0x08, 0x01, 0x01, 0x05]);
        tlv::encode_into(0x02, &[1], &mut info);
        tlv::encode_into(0x06, algorithm, &mut info);
        let set = tlv::encode(0x31, &tlv::encode(0x30, &info));
        Dg14::parse(&tlv::encode(0x6E, &set)).unwrap()
    }

    fn run(
        key: AaKey,
        dg15: Vec<u8>,
        dg14: Option<&Dg14>,
    ) -> Result<(), ActiveAuthenticationError> {
        let mut chip = TestChip::new(MRZ, None, &[(0x010F, dg15)]);
        chip.aa_key = Some(key);
        let keys = AccessKeys {
            mrz: Some(MrzInformation::parse(MRZ).unwrap()),
            can: None,
        };
        let mut reader = DocumentReader::new(keys, CardProfile::default(), ReadOptions::default());
        let mut rng = TestRng(3);
        let bytes = reader
            .read_file(&mut chip, &mut rng, LdsFile::dg(15).unwrap(), &mut |_| {})
            .unwrap();
        let dg15 = Dg15::parse(&bytes).unwrap();
        reader.active_authenticate(&mut chip, &mut rng, &dg15, dg14)
    }

    pub(crate) fn rsa_dg15() -> Vec<u8> {
        tlv::encode(0x6F, &rsa_spki(&hex(RSA_N), &[1, 0, 1]))
    }

    pub(crate) fn rsa_key() -> AaKey {
        AaKey::Rsa {
            modulus: hex(RSA_N),
            private_exponent: hex(RSA_D),
        }
    }

    #[test]
    fn the_rsa_operation_inverts_the_private_one() {
        let message: Vec<u8> = (0..128u8).map(|i| i.wrapping_mul(7) & 0x7F).collect();
        let signature = rsa_public_operation(&hex(RSA_N), &hex(RSA_D), &message).unwrap();
        assert_ne!(signature, message);
        assert_eq!(
            rsa_public_operation(&hex(RSA_N), &[1, 0, 1], &signature).unwrap(),
            message
        );
        assert!(rsa_public_operation(&hex(RSA_N), &[1, 0, 1], &[0xFF; 128]).is_none());
        assert!(rsa_public_operation(&hex(RSA_N), &[1, 0, 1], &[1; 64]).is_none());
    }

    /// ICAO 9303-11 Appendix F: the recovered message F of the worked example verifies against
    /// its challenge RND.IFD, and against nothing else.
    #[test]
    fn iso_9796_2_check_accepts_the_icao_appendix_f_example() {
        let f = hex(
            "6A9D2784A67F8E7C659973EA1AEA25D95B6C8F91E5002F369F0FBDCE8A3CEC1991B543F1696546C5524CF23A5303CD6C98599F40B79F377B5F3A1406B3B4D8F96784D23AA88DB7E1032A405E69325FA91A6E86F5C71AEA978264C4A207446DAD4E7292E2DCDA3024B47DA8C063AA1E6D22FBD976AB0FE73D94D2D9C6D88127BC",
        );
        let rnd_ifd = hex("F173589974BF40C6");
        assert!(verify_iso9796_2(&f, &rnd_ifd));
        assert!(!verify_iso9796_2(&f, &hex("F173589974BF40C7")));
        // Through a real RSA operation: the chip's s = F^d, the reader's F = s^e.
        let s = rsa_public_operation(&hex(RSA_N), &hex(RSA_D), &f).unwrap();
        let recovered = rsa_public_operation(&hex(RSA_N), &[1, 0, 1], &s).unwrap();
        assert!(verify_iso9796_2(&recovered, &rnd_ifd));
    }

    #[test]
    fn iso_9796_2_partial_recovery_binds_the_challenge() {
        let m1 = vec![0x11; 106];
        let challenge = [1, 2, 3, 4, 5, 6, 7, 8];
        let mut f = vec![0x6A];
        f.extend_from_slice(&m1);
        f.extend_from_slice(&Hash::Sha1.digest(&[&m1, &challenge]));
        f.push(0xBC);
        assert!(verify_iso9796_2(&f, &challenge));
        assert!(!verify_iso9796_2(&f, &[0; 8]));
        let mut wrong_header = f.clone();
        wrong_header[0] = 0x4A;
        assert!(!verify_iso9796_2(&wrong_header, &challenge));
        let mut wrong_trailer = f.clone();
        *wrong_trailer.last_mut().unwrap() = 0xBD;
        assert!(!verify_iso9796_2(&wrong_trailer, &challenge));
        assert!(!verify_iso9796_2(&[], &challenge));
    }

    #[test]
    fn rsa_active_authentication_accepts_the_genuine_chip() {
        run(rsa_key(), rsa_dg15(), None).unwrap();
    }

    #[test]
    fn a_clone_without_the_rsa_key_is_caught() {
        assert_eq!(
            run(AaKey::Unknown(128), rsa_dg15(), None),
            Err(ActiveAuthenticationError::SignatureInvalid)
        );
    }

    #[test]
    fn ecdsa_active_authentication_uses_the_dg14_hash_and_accepts_plain_or_der() {
        let dg15 = tlv::encode(0x6F, &ec_spki(&P256_OID, &p256_public()));
        let dg14 = dg14_with_aa(&ECDSA_PLAIN_SHA256);
        for der in [false, true] {
            let key = AaKey::P256 {
                secret: hex(P256_SECRET),
                der,
            };
            run(key, dg15.clone(), Some(&dg14)).unwrap();
        }
        assert_eq!(
            run(AaKey::Unknown(64), dg15.clone(), Some(&dg14)),
            Err(ActiveAuthenticationError::SignatureInvalid)
        );
    }

    #[test]
    fn ecdsa_without_a_known_algorithm_is_refused_before_asking_the_chip() {
        let dg15 = tlv::encode(0x6F, &ec_spki(&P256_OID, &p256_public()));
        let key = AaKey::P256 {
            secret: hex(P256_SECRET),
            der: false,
        };
        assert_eq!(
            run(key, dg15, None),
            Err(ActiveAuthenticationError::UnknownAlgorithm)
        );
        assert_eq!(
            Hash::of_ecdsa_oid(&Oid(vec![0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x03])),
            Some(Hash::Sha384)
        );
    }

    #[test]
    fn an_oversized_rsa_modulus_is_refused_before_any_arithmetic() {
        let huge = vec![0xC1; 2048];
        assert!(rsa_public_operation(&huge, &[1, 0, 1], &vec![1; 2048]).is_none());
        assert_eq!(
            run(
                rsa_key(),
                tlv::encode(0x6F, &rsa_spki(&huge, &[1, 0, 1])),
                None
            ),
            Err(ActiveAuthenticationError::Key(PublicKeyError::Unsupported(
                "RSA modulus over 8192 bits"
            )))
        );
    }

    #[test]
    fn dg15_errors_are_structural() {
        assert!(Dg15::parse(&tlv::encode(0x6E, &rsa_spki(&[1], &[3]))).is_err());
        assert!(Dg15::parse(&tlv::encode(0x6F, &[0x30, 0x00])).is_err());
    }
}
