//! `SecurityInfos` (ICAO 9303-11 §9.2): the SET of protocol descriptions found in EF.CardAccess
//! (PACE) and DG14 (Chip Authentication). Each entry is recognised by its object identifier;
//! entries this reader does not know are kept raw, never rejected.

use crate::crypto::Cipher;
use crate::tlv::{self, TlvError};
use thiserror::Error;

/// `id-BSI` arc 0.4.0.127.0.7.2.2 in DER content bytes, under which PACE, CA and TA live.
const BSI_PROTOCOLS: [u8; 7] = [0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02];
const ARC_PACE: u8 = 4;
const ARC_CA: u8 = 3;
const ARC_TA: u8 = 2;
const ARC_PK: u8 = 1;
/// `id-icao-mrtd-security-aaProtocolObject` 2.23.136.1.1.5.
const AA_PROTOCOL: [u8; 6] = [0x67, 0x81, 0x08, 0x01, 0x01, 0x05];

/// Why a SecurityInfos structure was refused.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
pub enum SecurityInfosError {
    /// Not valid BER-TLV.
    #[error(transparent)]
    Tlv(#[from] TlvError),
    /// Valid TLV but not the ASN.1 structure ICAO defines.
    #[error("malformed SecurityInfos: {0}")]
    Structure(&'static str),
}

/// An object identifier, as its DER content bytes.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Oid(pub Vec<u8>);

impl core::fmt::Display for Oid {
    /// Dotted notation (`0.4.0.127.0.7.2.2.4.2.2`).
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut arcs: Vec<u64> = Vec::new();
        let mut value: u64 = 0;
        for (i, b) in self.0.iter().enumerate() {
            value = (value << 7) | u64::from(b & 0x7F);
            if b & 0x80 == 0 {
                if arcs.is_empty() && i < self.0.len() {
                    let first = (value / 40).min(2);
                    arcs.push(first);
                    arcs.push(value - first * 40);
                } else {
                    arcs.push(value);
                }
                value = 0;
            }
        }
        let text: Vec<String> = arcs.iter().map(u64::to_string).collect();
        f.write_str(&text.join("."))
    }
}

impl core::fmt::Debug for Oid {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Oid({self})")
    }
}

/// Key agreement of a PACE or Chip Authentication protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyAgreement {
    /// Finite-field Diffie-Hellman.
    Dh,
    /// Elliptic-curve Diffie-Hellman.
    Ecdh,
}

/// How PACE maps the nonce to an ephemeral generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaceMapping {
    /// Generic Mapping (the CCCD's).
    Generic,
    /// Integrated Mapping.
    Integrated,
    /// Chip Authentication Mapping.
    ChipAuthentication,
}

/// A PACE protocol as its OID names it: `id-PACE-<agreement>-<mapping>-<cipher>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PaceProtocol {
    /// DH or ECDH.
    pub agreement: KeyAgreement,
    /// Nonce mapping.
    pub mapping: PaceMapping,
    /// Secure messaging cipher and key length.
    pub cipher: Cipher,
    /// The protocol OID.
    pub oid: Oid,
}

/// `PACEInfo`: a PACE protocol the chip offers, with its standardized domain parameter id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaceInfo {
    /// The protocol.
    pub protocol: PaceProtocol,
    /// Protocol version (2 for current chips).
    pub version: u32,
    /// Standardized domain parameter id (ICAO 9303-11 §9.5.1: 12 = NIST P-256,
    /// 13 = brainpoolP256r1, 15 = NIST P-384, 16 = brainpoolP384r1, ...).
    pub parameter_id: Option<u32>,
}

/// `ChipAuthenticationInfo`: a Chip Authentication protocol the chip offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChipAuthenticationInfo {
    /// DH or ECDH.
    pub agreement: KeyAgreement,
    /// Secure messaging cipher after Chip Authentication.
    pub cipher: Cipher,
    /// The protocol OID.
    pub oid: Oid,
    /// Protocol version.
    pub version: u32,
    /// Key identifier when the chip has several CA keys.
    pub key_id: Option<u32>,
}

/// `ChipAuthenticationPublicKeyInfo`: the chip's static Diffie-Hellman key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChipAuthenticationPublicKeyInfo {
    /// DH or ECDH.
    pub agreement: KeyAgreement,
    /// The key as a DER `SubjectPublicKeyInfo`.
    pub subject_public_key_info: Vec<u8>,
    /// Key identifier when the chip has several CA keys.
    pub key_id: Option<u32>,
}

/// One entry of a SecurityInfos set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecurityInfo {
    /// PACE is offered.
    Pace(PaceInfo),
    /// Chip Authentication is offered.
    ChipAuthentication(ChipAuthenticationInfo),
    /// `ChipAuthenticationPublicKeyInfo` (DG14): the chip's static key.
    ChipAuthenticationPublicKey(ChipAuthenticationPublicKeyInfo),
    /// `ActiveAuthenticationInfo` (DG14): the signature algorithm of ECDSA Active
    /// Authentication.
    ActiveAuthentication {
        /// Protocol version.
        version: u32,
        /// Signature algorithm OID (e.g. ecdsa-plain-SHA256).
        signature_algorithm: Oid,
    },
    /// Terminal Authentication is offered (EAC; this reader does not perform it).
    TerminalAuthentication {
        /// Protocol version.
        version: u32,
    },
    /// Any other entry, kept as its OID and the DER of the whole SEQUENCE.
    Other {
        /// The protocol OID.
        oid: Oid,
        /// The whole entry as encoded.
        raw: Vec<u8>,
    },
}

/// The parsed set.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SecurityInfos(pub Vec<SecurityInfo>);

impl SecurityInfos {
    /// Parses `SET OF SecurityInfo` (EF.CardAccess content, or the inside of DG14).
    pub fn parse(der: &[u8]) -> Result<Self, SecurityInfosError> {
        let set = tlv::parse_single(der)?.expect_tag(0x31)?;
        let mut infos = Vec::new();
        let mut rest = set;
        while !rest.is_empty() {
            let (entry, after) = tlv::parse_one(rest)?;
            let raw = rest.get(..rest.len() - after.len()).unwrap_or_default();
            infos.push(parse_info(entry.expect_tag(0x30)?, raw)?);
            rest = after;
        }
        Ok(Self(infos))
    }

    /// The PACE entries, in the order the chip lists them.
    pub fn pace(&self) -> impl Iterator<Item = &PaceInfo> {
        self.0.iter().filter_map(|i| match i {
            SecurityInfo::Pace(p) => Some(p),
            _ => None,
        })
    }

    /// The Chip Authentication public keys (DG14).
    pub fn chip_authentication_keys(
        &self,
    ) -> impl Iterator<Item = &ChipAuthenticationPublicKeyInfo> {
        self.0.iter().filter_map(|i| match i {
            SecurityInfo::ChipAuthenticationPublicKey(k) => Some(k),
            _ => None,
        })
    }

    /// The ECDSA Active Authentication signature algorithm, when DG14 names one.
    pub fn active_authentication_algorithm(&self) -> Option<&Oid> {
        self.0.iter().find_map(|i| match i {
            SecurityInfo::ActiveAuthentication {
                signature_algorithm,
                ..
            } => Some(signature_algorithm),
            _ => None,
        })
    }

    /// The Chip Authentication entries.
    pub fn chip_authentication(&self) -> impl Iterator<Item = &ChipAuthenticationInfo> {
        self.0.iter().filter_map(|i| match i {
            SecurityInfo::ChipAuthentication(c) => Some(c),
            _ => None,
        })
    }
}

fn parse_integer(value: &[u8]) -> Result<u32, SecurityInfosError> {
    let negative = value.first().is_some_and(|b| b & 0x80 != 0);
    let digits = match value {
        [0, rest @ ..] if !rest.is_empty() => rest,
        _ => value,
    };
    if value.is_empty() || negative || digits.len() > 4 {
        return Err(SecurityInfosError::Structure("INTEGER out of range"));
    }
    Ok(digits
        .iter()
        .fold(0u32, |acc, b| (acc << 8) | u32::from(*b)))
}

fn cipher_of(arc: u8) -> Option<Cipher> {
    match arc {
        1 => Some(Cipher::Tdes),
        2 => Some(Cipher::Aes128),
        3 => Some(Cipher::Aes192),
        4 => Some(Cipher::Aes256),
        _ => None,
    }
}

fn parse_info(sequence: &[u8], raw: &[u8]) -> Result<SecurityInfo, SecurityInfosError> {
    let fields = tlv::parse_all(sequence)?;
    let oid = Oid(fields
        .first()
        .ok_or(SecurityInfosError::Structure("empty SecurityInfo"))?
        .expect_tag(0x06)?
        .to_vec());
    let other = || SecurityInfo::Other {
        oid: oid.clone(),
        raw: raw.to_vec(),
    };
    let integer_at = |i: usize| -> Result<Option<u32>, SecurityInfosError> {
        match fields.get(i) {
            Some(f) if f.tag.0 == 0x02 => parse_integer(f.value).map(Some),
            _ => Ok(None),
        }
    };
    if oid.0 == AA_PROTOCOL {
        let version = integer_at(1)?.ok_or(SecurityInfosError::Structure(
            "ActiveAuthenticationInfo version",
        ))?;
        let algorithm = fields
            .get(2)
            .ok_or(SecurityInfosError::Structure(
                "ActiveAuthenticationInfo algorithm",
            ))?
            .expect_tag(0x06)?;
        return Ok(SecurityInfo::ActiveAuthentication {
            version,
            signature_algorithm: Oid(algorithm.to_vec()),
        });
    }
    let Some(arcs) = oid.0.strip_prefix(&BSI_PROTOCOLS[..]) else {
        return Ok(other());
    };
    match arcs {
        [ARC_PACE, mapping, cipher] => {
            let (agreement, mapping) = match mapping {
                1 => (KeyAgreement::Dh, PaceMapping::Generic),
                2 => (KeyAgreement::Ecdh, PaceMapping::Generic),
                3 => (KeyAgreement::Dh, PaceMapping::Integrated),
                4 => (KeyAgreement::Ecdh, PaceMapping::Integrated),
                6 => (KeyAgreement::Ecdh, PaceMapping::ChipAuthentication),
                _ => return Ok(other()),
            };
            let Some(cipher) = cipher_of(*cipher) else {
                return Ok(other());
            };
            let version =
                integer_at(1)?.ok_or(SecurityInfosError::Structure("PACEInfo version"))?;
            Ok(SecurityInfo::Pace(PaceInfo {
                protocol: PaceProtocol {
                    agreement,
                    mapping,
                    cipher,
                    oid: oid.clone(),
                },
                version,
                parameter_id: integer_at(2)?,
            }))
        }
        [ARC_CA, agreement, cipher] => {
            let agreement = match agreement {
                1 => KeyAgreement::Dh,
                2 => KeyAgreement::Ecdh,
                _ => return Ok(other()),
            };
            let Some(cipher) = cipher_of(*cipher) else {
                return Ok(other());
            };
            let version = integer_at(1)?.ok_or(SecurityInfosError::Structure(
                "ChipAuthenticationInfo version",
            ))?;
            Ok(SecurityInfo::ChipAuthentication(ChipAuthenticationInfo {
                agreement,
                cipher,
                oid: oid.clone(),
                version,
                key_id: integer_at(2)?,
            }))
        }
        [ARC_PK, agreement] => {
            let agreement = match agreement {
                1 => KeyAgreement::Dh,
                2 => KeyAgreement::Ecdh,
                _ => return Ok(other()),
            };
            let key =
                fields
                    .get(1)
                    .filter(|f| f.tag.0 == 0x30)
                    .ok_or(SecurityInfosError::Structure(
                        "ChipAuthenticationPublicKeyInfo key",
                    ))?;
            Ok(SecurityInfo::ChipAuthenticationPublicKey(
                ChipAuthenticationPublicKeyInfo {
                    agreement,
                    subject_public_key_info: tlv::encode(0x30, key.value),
                    key_id: integer_at(2)?,
                },
            ))
        }
        [ARC_TA] => Ok(SecurityInfo::TerminalAuthentication {
            version: integer_at(1)?.ok_or(SecurityInfosError::Structure(
                "TerminalAuthenticationInfo version",
            ))?,
        }),
        _ => Ok(other()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::hex;
    use proptest::prelude::*;

    /// EF.CardAccess as read from a CCCD (CCCD.md).
    pub(crate) const CCCD_CARD_ACCESS: &str = "3134300d060804007f0007020202020101300f060a04007f000702020302020201013012060a04007f0007020204020202010202010d";

    #[test]
    fn cccd_card_access_offers_pace_gm_aes128_on_brainpool_p256() {
        let infos = SecurityInfos::parse(&hex(CCCD_CARD_ACCESS)).unwrap();
        assert_eq!(infos.0.len(), 3);
        assert_eq!(
            infos.0[0],
            SecurityInfo::TerminalAuthentication { version: 1 }
        );
        let ca = infos.chip_authentication().next().unwrap();
        assert_eq!(ca.agreement, KeyAgreement::Ecdh);
        assert_eq!(ca.cipher, Cipher::Aes128);
        assert_eq!(ca.oid.to_string(), "0.4.0.127.0.7.2.2.3.2.2");
        let pace = infos.pace().next().unwrap();
        assert_eq!(pace.protocol.agreement, KeyAgreement::Ecdh);
        assert_eq!(pace.protocol.mapping, PaceMapping::Generic);
        assert_eq!(pace.protocol.cipher, Cipher::Aes128);
        assert_eq!(pace.protocol.oid.to_string(), "0.4.0.127.0.7.2.2.4.2.2");
        assert_eq!(pace.version, 2);
        assert_eq!(pace.parameter_id, Some(13));
    }

    #[test]
    fn unknown_entries_are_kept_raw() {
        // A SET with one entry under an unrelated OID (1.2.840.113549).
        let der = hex("3110300e06062a864886f70d020101040100");
        let infos = SecurityInfos::parse(&der).unwrap();
        match &infos.0[0] {
            SecurityInfo::Other { oid, raw } => {
                assert_eq!(oid.to_string(), "1.2.840.113549");
                assert_eq!(raw, &der[2..]);
            }
            other => panic!("expected Other, got {other:?}"),
        }
    }

    #[test]
    fn structural_errors_are_refused() {
        // Not a SET.
        assert!(SecurityInfos::parse(&hex("3000")).is_err());
        // PACEInfo without a version.
        assert_eq!(
            SecurityInfos::parse(&hex("310e300c060a04007f00070202040202")),
            Err(SecurityInfosError::Structure("PACEInfo version"))
        );
        // Negative parameter id.
        assert_eq!(
            SecurityInfos::parse(&hex("31143012060a04007f000702020402020201020201ff")),
            Err(SecurityInfosError::Structure("INTEGER out of range"))
        );
        // Truncated.
        assert!(SecurityInfos::parse(&hex("313430")).is_err());
    }

    proptest! {
        #[test]
        fn mutated_card_access_never_panics(
            flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut bytes = hex(CCCD_CARD_ACCESS);
            for (at, b) in flips {
                let i = at.index(bytes.len());
                bytes[i] = b;
            }
            bytes.truncate(cut.index(bytes.len() + 1));
            let _ = SecurityInfos::parse(&bytes);
        }
    }
}
