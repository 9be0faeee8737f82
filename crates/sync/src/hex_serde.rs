//! Fixed-size byte arrays (keys, digests, signatures, nonces) as lower-case hex strings in JSON
//! (`#[serde(with = "sync::hex_serde")]`).

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serializer};

/// Serialises `bytes` as hex.
pub fn serialize<S: Serializer, const N: usize>(bytes: &[u8; N], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex::encode(bytes))
}

/// Reads exactly `N` bytes of hex.
pub fn deserialize<'de, D: Deserializer<'de>, const N: usize>(d: D) -> Result<[u8; N], D::Error> {
    let text = String::deserialize(d)?;
    let mut out = [0u8; N];
    hex::decode_to_slice(&text, &mut out)
        .map_err(|_| D::Error::custom(format!("expected {N} bytes as hex")))?;
    Ok(out)
}

/// Parses `N` bytes of hex outside serde (headers).
pub fn parse<const N: usize>(text: &str) -> Option<[u8; N]> {
    let mut out = [0u8; N];
    hex::decode_to_slice(text, &mut out).ok().map(|()| out)
}
