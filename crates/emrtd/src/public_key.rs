//! Public keys a chip stores for its own authentication: the `SubjectPublicKeyInfo` of DG14
//! (Chip Authentication) and DG15 (Active Authentication). EC keys are recognised by named
//! curve or by explicit parameters (matched on the base point); RSA keys by modulus and
//! exponent. Only the curves this reader computes on are accepted.

use crate::pace::{DomainParameters, encode_point};
use crate::tlv::{self, TlvError};
use elliptic_curve::{CurveGroup, Group, ProjectivePoint};
use thiserror::Error;

/// DER content of `id-ecPublicKey` (1.2.840.10045.2.1).
const ID_EC_PUBLIC_KEY: [u8; 7] = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01];
/// DER content of `rsaEncryption` (1.2.840.113549.1.1.1).
const RSA_ENCRYPTION: [u8; 9] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01];

/// Named curves by OID content bytes.
const NAMED_CURVES: [(&[u8], DomainParameters); 4] = [
    (
        &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07],
        DomainParameters::NistP256,
    ),
    (&[0x2B, 0x81, 0x04, 0x00, 0x22], DomainParameters::NistP384),
    (
        &[0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07],
        DomainParameters::BrainpoolP256r1,
    ),
    (
        &[0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0B],
        DomainParameters::BrainpoolP384r1,
    ),
];

/// Why a public key was refused.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
pub enum PublicKeyError {
    /// Not valid DER.
    #[error(transparent)]
    Tlv(#[from] TlvError),
    /// Valid DER but not a SubjectPublicKeyInfo of a known form.
    #[error("malformed public key: {0}")]
    Structure(&'static str),
    /// An algorithm or curve this reader does not implement.
    #[error("unsupported public key: {0}")]
    Unsupported(&'static str),
}

/// A chip's public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// An elliptic-curve key.
    Ec {
        /// The curve.
        curve: DomainParameters,
        /// The point, SEC1 uncompressed (`04 || X || Y`) as stored.
        point: Vec<u8>,
    },
    /// An RSA key.
    Rsa {
        /// Modulus, big-endian without leading zeros.
        modulus: Vec<u8>,
        /// Public exponent, big-endian without leading zeros.
        exponent: Vec<u8>,
    },
}

fn structure(reason: &'static str) -> PublicKeyError {
    PublicKeyError::Structure(reason)
}

/// The unsigned big-endian value of a DER INTEGER.
pub(crate) fn unsigned(value: &[u8]) -> &[u8] {
    let zeros = value.iter().take_while(|b| **b == 0).count();
    value.get(zeros..).unwrap_or_default()
}

/// The uncompressed generator encoding of a curve.
fn generator(curve: DomainParameters) -> Vec<u8> {
    fn of<C>() -> Vec<u8>
    where
        C: elliptic_curve::CurveArithmetic,
        elliptic_curve::FieldBytesSize<C>: elliptic_curve::sec1::ModulusSize,
        elliptic_curve::AffinePoint<C>: elliptic_curve::sec1::ToSec1Point<C>,
    {
        encode_point::<C>(&ProjectivePoint::<C>::generator().to_affine())
    }
    match curve {
        DomainParameters::NistP256 => of::<p256::NistP256>(),
        DomainParameters::BrainpoolP256r1 => of::<bp256::BrainpoolP256r1>(),
        DomainParameters::NistP384 => of::<p384::NistP384>(),
        DomainParameters::BrainpoolP384r1 => of::<bp384::BrainpoolP384r1>(),
    }
}

/// Identifies explicit `ECParameters` by their base point.
fn explicit_curve(parameters: &[u8]) -> Result<DomainParameters, PublicKeyError> {
    let fields = tlv::parse_all(parameters)?;
    let base = fields
        .iter()
        .filter(|f| f.tag.0 == 0x04)
        .map(|f| f.value)
        .next()
        .ok_or(structure("ECParameters without a base point"))?;
    [
        DomainParameters::NistP256,
        DomainParameters::BrainpoolP256r1,
        DomainParameters::NistP384,
        DomainParameters::BrainpoolP384r1,
    ]
    .into_iter()
    .find(|curve| {
        let g = generator(*curve);
        base == g.as_slice()
            || (base.len() * 2 == g.len() + 1
                && base.get(1..) == g.get(1..base.len())
                && matches!(base.first(), Some(0x02 | 0x03)))
    })
    .ok_or(PublicKeyError::Unsupported("explicit curve parameters"))
}

impl PublicKey {
    /// Parses a DER `SubjectPublicKeyInfo`.
    pub fn from_spki(der: &[u8]) -> Result<Self, PublicKeyError> {
        let fields = tlv::parse_single(der)?.expect_tag(0x30)?;
        let fields = tlv::parse_all(fields)?;
        let (algorithm, key) = match fields.as_slice() {
            [algorithm, key] => (algorithm.expect_tag(0x30)?, key.expect_tag(0x03)?),
            _ => return Err(structure("SubjectPublicKeyInfo shape")),
        };
        let key = match key.split_first() {
            Some((0, bits)) => bits,
            _ => return Err(structure("BIT STRING with unused bits")),
        };
        let algorithm = tlv::parse_all(algorithm)?;
        let oid = algorithm
            .first()
            .ok_or(structure("AlgorithmIdentifier empty"))?
            .expect_tag(0x06)?;
        if oid == ID_EC_PUBLIC_KEY {
            let parameters = algorithm
                .get(1)
                .ok_or(structure("EC key without curve parameters"))?;
            let curve = match parameters.tag.0 {
                0x06 => NAMED_CURVES
                    .iter()
                    .find(|(named, _)| *named == parameters.value)
                    .map(|(_, curve)| *curve)
                    .ok_or(PublicKeyError::Unsupported("named curve"))?,
                0x30 => explicit_curve(parameters.value)?,
                _ => return Err(structure("EC parameters")),
            };
            if key.first() != Some(&0x04) || key.len() != generator(curve).len() {
                return Err(structure("EC point is not uncompressed for its curve"));
            }
            Ok(Self::Ec {
                curve,
                point: key.to_vec(),
            })
        } else if oid == RSA_ENCRYPTION {
            let rsa = tlv::parse_single(key)?.expect_tag(0x30)?;
            match tlv::parse_all(rsa)?.as_slice() {
                [n, e] => Ok(Self::Rsa {
                    modulus: unsigned(n.expect_tag(0x02)?).to_vec(),
                    exponent: unsigned(e.expect_tag(0x02)?).to_vec(),
                }),
                _ => Err(structure("RSAPublicKey shape")),
            }
        } else {
            Err(PublicKeyError::Unsupported("key algorithm"))
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A SubjectPublicKeyInfo for an EC point on a named curve.
    pub(crate) fn ec_spki(curve_oid: &[u8], point: &[u8]) -> Vec<u8> {
        let mut algorithm = tlv::encode(0x06, &ID_EC_PUBLIC_KEY);
        tlv::encode_into(0x06, curve_oid, &mut algorithm);
        let mut spki = tlv::encode(0x30, &algorithm);
        let mut bits = vec![0];
        bits.extend_from_slice(point);
        tlv::encode_into(0x03, &bits, &mut spki);
        tlv::encode(0x30, &spki)
    }

    pub(crate) fn rsa_spki(modulus: &[u8], exponent: &[u8]) -> Vec<u8> {
        let mut algorithm = tlv::encode(0x06, &RSA_ENCRYPTION);
        tlv::encode_into(0x05, &[], &mut algorithm);
        let mut n = vec![0];
        n.extend_from_slice(modulus);
        let mut key = tlv::encode(0x02, &n);
        tlv::encode_into(0x02, exponent, &mut key);
        let mut bits = vec![0];
        bits.extend_from_slice(&tlv::encode(0x30, &key));
        let mut spki = tlv::encode(0x30, &algorithm);
        tlv::encode_into(0x03, &bits, &mut spki);
        tlv::encode(0x30, &spki)
    }

    pub(crate) const BRAINPOOL_P256R1_OID: [u8; 9] =
        [0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07];

    #[test]
    fn named_curve_keys_are_recognised() {
        let g = generator(DomainParameters::BrainpoolP256r1);
        let key = PublicKey::from_spki(&ec_spki(&BRAINPOOL_P256R1_OID, &g)).unwrap();
        assert_eq!(
            key,
            PublicKey::Ec {
                curve: DomainParameters::BrainpoolP256r1,
                point: g
            }
        );
    }

    #[test]
    fn explicit_parameters_are_matched_by_their_base_point() {
        let g = generator(DomainParameters::NistP384);
        // ECParameters { version, fieldID (elided), curve (elided), base, order }.
        let mut parameters = tlv::encode(0x02, &[1]);
        tlv::encode_into(0x30, &[0x06, 0x01, 0x00], &mut parameters);
        tlv::encode_into(0x04, &g, &mut parameters);
        tlv::encode_into(0x02, &[0x7F], &mut parameters);
        let mut algorithm = tlv::encode(0x06, &ID_EC_PUBLIC_KEY);
        tlv::encode_into(0x30, &parameters, &mut algorithm);
        let mut spki = tlv::encode(0x30, &algorithm);
        let mut bits = vec![0];
        bits.extend_from_slice(&g);
        tlv::encode_into(0x03, &bits, &mut spki);
        let key = PublicKey::from_spki(&tlv::encode(0x30, &spki)).unwrap();
        assert!(matches!(
            key,
            PublicKey::Ec {
                curve: DomainParameters::NistP384,
                ..
            }
        ));
    }

    #[test]
    fn rsa_keys_keep_modulus_and_exponent() {
        let key = PublicKey::from_spki(&rsa_spki(&[0xC3; 128], &[1, 0, 1])).unwrap();
        assert_eq!(
            key,
            PublicKey::Rsa {
                modulus: vec![0xC3; 128],
                exponent: vec![1, 0, 1]
            }
        );
    }

    #[test]
    fn unknown_curves_and_algorithms_are_unsupported() {
        let g = generator(DomainParameters::NistP256);
        assert_eq!(
            PublicKey::from_spki(&ec_spki(&[0x2B, 0x81, 0x04, 0x00, 0x23], &g)),
            Err(PublicKeyError::Unsupported("named curve"))
        );
        assert_eq!(
            PublicKey::from_spki(&ec_spki(&BRAINPOOL_P256R1_OID, &g[..33])),
            Err(PublicKeyError::Structure(
                "EC point is not uncompressed for its curve"
            ))
        );
    }

    proptest! {
        #[test]
        fn mutated_keys_never_panic(
            flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut bytes = ec_spki(&BRAINPOOL_P256R1_OID, &generator(DomainParameters::BrainpoolP256r1));
            for (at, b) in flips {
                let i = at.index(bytes.len());
                bytes[i] = b;
            }
            bytes.truncate(cut.index(bytes.len() + 1));
            let _ = PublicKey::from_spki(&bytes);
        }
    }
}
