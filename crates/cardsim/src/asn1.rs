//! DER building blocks for what the chip's issuer signs: certificates, the CMS SignedData of
//! EF.SOD, DG14's SecurityInfos and DG15's public key. Writing only; the reader side parses
//! with its own code, so a mistake here shows up there.

use crate::tlv;

/// `SEQUENCE { parts... }`.
pub fn sequence(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv::encode(&[0x30], &parts.concat())
}

/// `SET { parts... }`, sorted as DER requires for SET OF.
pub fn set_of(parts: &[Vec<u8>]) -> Vec<u8> {
    let mut sorted = parts.to_vec();
    sorted.sort();
    tlv::encode(&[0x31], &sorted.concat())
}

/// A context-specific constructed tag `[n]` around `content` (EXPLICIT, or IMPLICIT for a
/// SET/SEQUENCE whose own tag it replaces when given its content).
pub fn context(n: u8, content: &[u8]) -> Vec<u8> {
    tlv::encode(&[0xA0 | n], content)
}

/// An INTEGER from unsigned big-endian bytes.
pub fn unsigned_integer(bytes: &[u8]) -> Vec<u8> {
    let trimmed: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    let mut value = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().is_none_or(|b| b & 0x80 != 0) {
        value.push(0);
    }
    value.extend(trimmed);
    tlv::encode(&[0x02], &value)
}

/// A small INTEGER.
pub fn integer(value: u32) -> Vec<u8> {
    unsigned_integer(&value.to_be_bytes())
}

/// An OBJECT IDENTIFIER from its dotted form (`"2.23.136.1.1.1"`).
pub fn oid(dotted: &str) -> Vec<u8> {
    tlv::encode(&[0x06], &oid_content(dotted))
}

/// The content octets of an OBJECT IDENTIFIER.
pub fn oid_content(dotted: &str) -> Vec<u8> {
    let arcs: Vec<u64> = dotted
        .split('.')
        .filter_map(|arc| arc.parse().ok())
        .collect();
    let mut out = Vec::new();
    let (first, rest) = match arcs.as_slice() {
        [a, b, rest @ ..] => (a * 40 + b, rest),
        [a] => (a * 40, &[][..]),
        [] => return out,
    };
    for arc in std::iter::once(first).chain(rest.iter().copied()) {
        let mut chunk = vec![(arc & 0x7F) as u8];
        let mut rest = arc >> 7;
        while rest > 0 {
            chunk.push(0x80 | (rest & 0x7F) as u8);
            rest >>= 7;
        }
        out.extend(chunk.iter().rev());
    }
    out
}

/// An OCTET STRING.
pub fn octet_string(bytes: &[u8]) -> Vec<u8> {
    tlv::encode(&[0x04], bytes)
}

/// A BIT STRING with no unused bits.
pub fn bit_string(bytes: &[u8]) -> Vec<u8> {
    let mut value = vec![0];
    value.extend_from_slice(bytes);
    tlv::encode(&[0x03], &value)
}

/// A PrintableString.
pub fn printable(text: &str) -> Vec<u8> {
    tlv::encode(&[0x13], text.as_bytes())
}

/// A UTF8String.
pub fn utf8(text: &str) -> Vec<u8> {
    tlv::encode(&[0x0C], text.as_bytes())
}

/// A UTCTime at midnight UTC (years 1950–2049).
pub fn utc_time(year: u16, month: u8, day: u8) -> Vec<u8> {
    let text = format!("{:02}{:02}{:02}000000Z", year % 100, month, day);
    tlv::encode(&[0x17], text.as_bytes())
}

/// A BOOLEAN TRUE.
pub fn true_value() -> Vec<u8> {
    vec![0x01, 0x01, 0xFF]
}

/// `AlgorithmIdentifier { oid }` with absent parameters.
pub fn algorithm(dotted: &str) -> Vec<u8> {
    sequence(&[oid(dotted)])
}

/// `AlgorithmIdentifier { oid, parameters }`.
pub fn algorithm_with(dotted: &str, parameters: Vec<u8>) -> Vec<u8> {
    sequence(&[oid(dotted), parameters])
}

/// Object identifiers used by the chip's issuer.
pub mod oids {
    /// SHA-256.
    pub const SHA256: &str = "2.16.840.1.101.3.4.2.1";
    /// ecdsa-with-SHA256.
    pub const ECDSA_WITH_SHA256: &str = "1.2.840.10045.4.3.2";
    /// rsaEncryption.
    pub const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
    /// sha256WithRSAEncryption.
    pub const SHA256_WITH_RSA: &str = "1.2.840.113549.1.1.11";
    /// id-ecPublicKey.
    pub const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
    /// prime256v1 (NIST P-256).
    pub const PRIME256V1: &str = "1.2.840.10045.3.1.7";
    /// brainpoolP256r1.
    pub const BRAINPOOL_P256R1: &str = "1.3.36.3.3.2.8.1.1.7";
    /// CMS signedData.
    pub const SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
    /// id-ldsSecurityObject.
    pub const LDS_SECURITY_OBJECT: &str = "2.23.136.1.1.1";
    /// CMS contentType attribute.
    pub const CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
    /// CMS messageDigest attribute.
    pub const MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
    /// id-at-countryName.
    pub const COUNTRY: &str = "2.5.4.6";
    /// id-at-organizationName.
    pub const ORGANIZATION: &str = "2.5.4.10";
    /// id-at-commonName.
    pub const COMMON_NAME: &str = "2.5.4.3";
    /// basicConstraints.
    pub const BASIC_CONSTRAINTS: &str = "2.5.29.19";
    /// keyUsage.
    pub const KEY_USAGE: &str = "2.5.29.15";
    /// subjectKeyIdentifier.
    pub const SUBJECT_KEY_IDENTIFIER: &str = "2.5.29.14";
    /// authorityKeyIdentifier.
    pub const AUTHORITY_KEY_IDENTIFIER: &str = "2.5.29.35";
    /// id-PK-ECDH (BSI TR-03110): a Chip Authentication public key.
    pub const PK_ECDH: &str = "0.4.0.127.0.7.2.2.1.2";
    /// id-CA-ECDH-AES-CBC-CMAC-128.
    pub const CA_ECDH_AES_CBC_CMAC_128: &str = "0.4.0.127.0.7.2.2.3.2.2";
    /// id-icao-mrtd-security-aaProtocolObject (ActiveAuthenticationInfo).
    pub const AA_PROTOCOL: &str = "2.23.136.1.1.5";
    /// ecdsa-plain-SHA256 (BSI TR-03111): the AA signature format with ECDSA.
    pub const ECDSA_PLAIN_SHA256: &str = "0.4.0.127.0.7.1.1.4.1.3";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_identifiers_encode_as_der() {
        assert_eq!(
            oid(oids::LDS_SECURITY_OBJECT),
            vec![0x06, 0x06, 0x67, 0x81, 0x08, 0x01, 0x01, 0x01]
        );
        assert_eq!(
            oid(oids::SHA256),
            vec![
                0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01
            ]
        );
        // The PACE OID of EF.CardAccess.
        assert_eq!(
            oid_content("0.4.0.127.0.7.2.2.4.2.2"),
            crate::pace::PACE_ECDH_GM_AES_CBC_CMAC_128.to_vec()
        );
    }

    #[test]
    fn integers_are_minimal_and_positive() {
        assert_eq!(integer(0), vec![0x02, 0x01, 0x00]);
        assert_eq!(integer(127), vec![0x02, 0x01, 0x7F]);
        assert_eq!(integer(128), vec![0x02, 0x02, 0x00, 0x80]);
        assert_eq!(
            unsigned_integer(&[0x00, 0x00, 0x12]),
            vec![0x02, 0x01, 0x12]
        );
    }

    #[test]
    fn set_of_sorts_its_members() {
        assert_eq!(
            set_of(&[vec![0x02, 0x01, 0x05], vec![0x02, 0x01, 0x01]]),
            vec![0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x05]
        );
    }
}
