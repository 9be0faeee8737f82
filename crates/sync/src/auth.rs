//! Request authentication: every kiosk request is signed with the kiosk's device key.
//!
//! The signature (Ed25519, RFC 8032) covers, each followed by a line feed, after the context
//! `vneid-kiosk/sync/request/v1` and a zero byte: the HTTP method, the path with its query, the
//! device id, the time (Unix milliseconds), the nonce (hex) and the hex SHA-256 of the body. Four
//! headers carry them ([`DEVICE_HEADER`], [`TIMESTAMP_HEADER`], [`NONCE_HEADER`],
//! [`SIGNATURE_HEADER`]). The back office refuses a time outside [`CLOCK_WINDOW_MS`] of its own
//! clock and a nonce it has already seen from that kiosk, so a captured request cannot be
//! replayed; it keeps nonces at least [`NONCE_RETENTION_MS`].

use crate::hex_serde;
use crate::messages::ErrorCode;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use enroll::ids::DeviceId;
use enroll::package::DeviceSigningKey;
use enroll::timestamp::Timestamp;
use rand_core::CryptoRng;
use sha2::{Digest, Sha256};
use std::fmt;

/// The kiosk's id.
pub const DEVICE_HEADER: &str = "x-vneid-device";
/// The request time, Unix milliseconds.
pub const TIMESTAMP_HEADER: &str = "x-vneid-timestamp";
/// 16 random bytes, hex.
pub const NONCE_HEADER: &str = "x-vneid-nonce";
/// The Ed25519 signature, hex.
pub const SIGNATURE_HEADER: &str = "x-vneid-signature";
/// How far a request's time may be from the back office's clock (5 minutes).
pub const CLOCK_WINDOW_MS: i64 = 5 * 60 * 1000;
/// How long the back office remembers nonces: longer than the window on both sides.
pub const NONCE_RETENTION_MS: i64 = 3 * CLOCK_WINDOW_MS;

const CONTEXT: &[u8] = b"vneid-kiosk/sync/request/v1\0";

/// Why a request is not authenticated. Carries codes only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// A header is missing or malformed.
    #[error("the request's authentication headers are missing or malformed")]
    Malformed,
    /// The time is outside the window.
    #[error("the request's time is more than five minutes from the back office's clock")]
    ClockSkew,
    /// The signature does not verify.
    #[error("the request signature does not verify")]
    BadSignature,
}

impl AuthError {
    /// The protocol's error code for it.
    pub fn code(self) -> ErrorCode {
        match self {
            Self::Malformed => ErrorCode::Unauthenticated,
            Self::ClockSkew => ErrorCode::ClockSkew,
            Self::BadSignature => ErrorCode::BadSignature,
        }
    }
}

/// The authentication headers of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthHeaders {
    /// The kiosk.
    pub device: DeviceId,
    /// When the request was signed.
    pub timestamp: Timestamp,
    /// The one-time nonce.
    pub nonce: [u8; 16],
    /// The signature.
    pub signature: [u8; 64],
}

impl AuthHeaders {
    /// The header names and values to send.
    pub fn to_pairs(&self) -> [(&'static str, String); 4] {
        [
            (DEVICE_HEADER, self.device.to_string()),
            (TIMESTAMP_HEADER, self.timestamp.unix_millis().to_string()),
            (NONCE_HEADER, hex::encode(self.nonce)),
            (SIGNATURE_HEADER, hex::encode(self.signature)),
        ]
    }

    /// Reads the headers through `get` (a header map lookup).
    pub fn from_lookup<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Result<Self, AuthError> {
        let device = get(DEVICE_HEADER)
            .and_then(|d| DeviceId::new(d).ok())
            .ok_or(AuthError::Malformed)?;
        let timestamp = get(TIMESTAMP_HEADER)
            .and_then(|t| t.parse::<i64>().ok())
            .map(Timestamp::from_unix_millis)
            .ok_or(AuthError::Malformed)?;
        let nonce = get(NONCE_HEADER)
            .and_then(hex_serde::parse::<16>)
            .ok_or(AuthError::Malformed)?;
        let signature = get(SIGNATURE_HEADER)
            .and_then(hex_serde::parse::<64>)
            .ok_or(AuthError::Malformed)?;
        Ok(Self {
            device,
            timestamp,
            nonce,
            signature,
        })
    }

    /// Checks the time against `now` and the signature against `key` for this `method`,
    /// `path_and_query` and `body`. The caller then checks the nonce was not seen before.
    pub fn verify(
        &self,
        key: &[u8; 32],
        method: &str,
        path_and_query: &str,
        body: &[u8],
        now: Timestamp,
    ) -> Result<(), AuthError> {
        let skew = now
            .unix_millis()
            .saturating_sub(self.timestamp.unix_millis());
        if skew.saturating_abs() > CLOCK_WINDOW_MS {
            return Err(AuthError::ClockSkew);
        }
        let key = VerifyingKey::from_bytes(key).map_err(|_| AuthError::BadSignature)?;
        let message = signed_message(
            method,
            path_and_query,
            &self.device,
            self.timestamp,
            &self.nonce,
            body,
        );
        let signature = ed25519_dalek::Signature::from_bytes(&self.signature);
        key.verify_strict(&message, &signature)
            .map_err(|_| AuthError::BadSignature)
    }
}

fn signed_message(
    method: &str,
    path_and_query: &str,
    device: &DeviceId,
    timestamp: Timestamp,
    nonce: &[u8; 16],
    body: &[u8],
) -> Vec<u8> {
    let body_hash = hex::encode(Sha256::digest(body));
    let mut m = Vec::with_capacity(CONTEXT.len() + path_and_query.len() + 200);
    m.extend_from_slice(CONTEXT);
    for part in [
        method,
        path_and_query,
        device.as_str(),
        &timestamp.unix_millis().to_string(),
        &hex::encode(nonce),
        &body_hash,
    ] {
        m.extend_from_slice(part.as_bytes());
        m.push(b'\n');
    }
    m
}

/// Signs the kiosk's requests with its device key.
pub struct RequestSigner {
    device: DeviceId,
    key: SigningKey,
}

impl RequestSigner {
    /// A signer for `device` with the same key that signs its packages.
    pub fn new(device: DeviceId, key: &DeviceSigningKey) -> Self {
        Self {
            device,
            key: SigningKey::from_bytes(&key.to_seed()),
        }
    }

    /// The kiosk's id.
    pub fn device(&self) -> &DeviceId {
        &self.device
    }

    /// The public key to register.
    pub fn public_key(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    /// Signs one request at `now` with a fresh nonce from `rng`.
    pub fn sign(
        &self,
        method: &str,
        path_and_query: &str,
        body: &[u8],
        now: Timestamp,
        rng: &mut impl CryptoRng,
    ) -> AuthHeaders {
        let mut nonce = [0u8; 16];
        rng.fill_bytes(&mut nonce);
        let message = signed_message(method, path_and_query, &self.device, now, &nonce, body);
        AuthHeaders {
            device: self.device.clone(),
            timestamp: now,
            nonce,
            signature: self.key.sign(&message).to_bytes(),
        }
    }
}

impl fmt::Debug for RequestSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestSigner")
            .field("device", &self.device)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use getrandom::SysRng;
    use rand_core::UnwrapErr;

    const NOW: Timestamp = Timestamp::from_unix_millis(1_790_000_000_000);

    fn signer() -> RequestSigner {
        let key = DeviceSigningKey::generate(&mut UnwrapErr(SysRng));
        RequestSigner::new(DeviceId::new("kiosk-1").expect("id"), &key)
    }

    fn round_trip(h: &AuthHeaders) -> AuthHeaders {
        let pairs = h.to_pairs();
        AuthHeaders::from_lookup(|name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.as_str())
        })
        .expect("parses")
    }

    #[test]
    fn a_signed_request_verifies_after_travelling_as_headers() {
        let s = signer();
        let h = s.sign(
            "PUT",
            "/v1/uploads/x",
            b"chunk",
            NOW,
            &mut UnwrapErr(SysRng),
        );
        let h = round_trip(&h);
        assert_eq!(h.device.as_str(), "kiosk-1");
        assert_eq!(
            h.verify(
                &s.public_key(),
                "PUT",
                "/v1/uploads/x",
                b"chunk",
                NOW.plus_millis(1_000)
            ),
            Ok(())
        );
    }

    #[test]
    fn changing_method_path_body_or_key_breaks_the_signature() {
        let s = signer();
        let h = s.sign(
            "PUT",
            "/v1/uploads/x",
            b"chunk",
            NOW,
            &mut UnwrapErr(SysRng),
        );
        let key = s.public_key();
        let bad = Err(AuthError::BadSignature);
        assert_eq!(h.verify(&key, "POST", "/v1/uploads/x", b"chunk", NOW), bad);
        assert_eq!(h.verify(&key, "PUT", "/v1/uploads/y", b"chunk", NOW), bad);
        assert_eq!(h.verify(&key, "PUT", "/v1/uploads/x", b"chunK", NOW), bad);
        assert_eq!(
            h.verify(
                &signer().public_key(),
                "PUT",
                "/v1/uploads/x",
                b"chunk",
                NOW
            ),
            bad
        );
        let mut other_device = h.clone();
        other_device.device = DeviceId::new("kiosk-2").expect("id");
        assert_eq!(
            other_device.verify(&key, "PUT", "/v1/uploads/x", b"chunk", NOW),
            bad
        );
    }

    #[test]
    fn requests_outside_the_clock_window_are_refused() {
        let s = signer();
        let h = s.sign("GET", "/v1/config", b"", NOW, &mut UnwrapErr(SysRng));
        let key = s.public_key();
        let edge = NOW.plus_millis(CLOCK_WINDOW_MS);
        assert_eq!(h.verify(&key, "GET", "/v1/config", b"", edge), Ok(()));
        assert_eq!(
            h.verify(&key, "GET", "/v1/config", b"", edge.plus_millis(1)),
            Err(AuthError::ClockSkew)
        );
        assert_eq!(
            h.verify(
                &key,
                "GET",
                "/v1/config",
                b"",
                NOW.plus_millis(-CLOCK_WINDOW_MS - 1)
            ),
            Err(AuthError::ClockSkew)
        );
    }

    #[test]
    fn missing_or_malformed_headers_are_refused() {
        assert_eq!(
            AuthHeaders::from_lookup(|_| None),
            Err(AuthError::Malformed)
        );
        let s = signer();
        let pairs = s
            .sign("GET", "/", b"", NOW, &mut UnwrapErr(SysRng))
            .to_pairs();
        for broken in [
            DEVICE_HEADER,
            TIMESTAMP_HEADER,
            NONCE_HEADER,
            SIGNATURE_HEADER,
        ] {
            let result = AuthHeaders::from_lookup(|name| {
                if name == broken {
                    Some("not valid!")
                } else {
                    pairs
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map(|(_, v)| v.as_str())
                }
            });
            assert_eq!(result, Err(AuthError::Malformed), "{broken}");
        }
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_header_values_are_refused_without_panicking(
            device in ".{0,80}", time in ".{0,30}", nonce in ".{0,40}", signature in ".{0,140}"
        ) {
            let headers = [
                (DEVICE_HEADER, device),
                (TIMESTAMP_HEADER, time),
                (NONCE_HEADER, nonce),
                (SIGNATURE_HEADER, signature),
            ];
            let parsed = AuthHeaders::from_lookup(|name| {
                headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
            });
            if let Ok(h) = parsed {
                // Well-formed by chance: it still cannot verify.
                proptest::prop_assert!(h.verify(&[7; 32], "GET", "/", b"", h.timestamp).is_err());
            }
        }
    }

    #[test]
    fn nonces_differ_between_requests() {
        let s = signer();
        let a = s.sign("GET", "/", b"", NOW, &mut UnwrapErr(SysRng));
        let b = s.sign("GET", "/", b"", NOW, &mut UnwrapErr(SysRng));
        assert_ne!(a.nonce, b.nonce);
    }
}
