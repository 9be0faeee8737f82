//! The sync protocol between a kiosk and the back office, shared by both sides, and the kiosk's
//! sync client.
//!
//! - [`messages`]: the request and response bodies (JSON), the paths, the error codes.
//! - [`auth`]: every kiosk request is signed by its device key (Ed25519) over the method, path,
//!   time, a nonce and the body's hash; the back office checks the clock window and replays.
//! - [`receipt`]: the back office's signed acknowledgement of one package.
//! - [`upload`]: resumable, chunked upload of a package (offset query, `Content-Range` chunks).
//! - [`OPENAPI_JSON`]: the protocol written down as an OpenAPI 3.1 document (`openapi.json`),
//!   served by the back office.
//! - `client` (feature `client`): the kiosk's HTTPS client (rustls, CA pinned, plain HTTP only
//!   on loopback) and the loop that drains the enroll queue's outbox.
//!
//! Nothing here carries personal data: packages travel sealed, everything else is ids, hashes,
//! times and codes.

pub mod auth;
#[cfg(feature = "client")]
pub mod client;
pub mod hex_serde;
pub mod messages;
pub mod receipt;
pub mod upload;

/// The protocol as an OpenAPI 3.1 document, written by hand (the crate's `openapi.json`).
pub const OPENAPI_JSON: &str = include_str!("../openapi.json");

#[cfg(test)]
mod tests {
    use super::*;
    use messages::paths;

    #[test]
    fn openapi_document_is_json_3_1_and_lists_every_path() {
        let doc: serde_json::Value = serde_json::from_str(OPENAPI_JSON).expect("valid JSON");
        assert_eq!(doc["openapi"], "3.1.0");
        let listed = doc["paths"].as_object().expect("paths object");
        for (path, method) in [
            (paths::KIOSKS, "post"),
            (paths::UPLOADS, "post"),
            ("/v1/uploads/{package_id}", "get"),
            ("/v1/uploads/{package_id}", "put"),
            (paths::STATUSES, "get"),
            (paths::CONFIG, "get"),
            (paths::HEARTBEAT, "post"),
            (paths::OPENAPI, "get"),
        ] {
            assert!(
                listed.get(path).and_then(|p| p.get(method)).is_some(),
                "{method} {path} missing"
            );
        }
        assert_eq!(listed.len(), 7);
    }

    #[test]
    fn openapi_error_codes_match_the_protocol() {
        let doc: serde_json::Value = serde_json::from_str(OPENAPI_JSON).expect("valid JSON");
        let listed: Vec<String> =
            doc["components"]["schemas"]["Error"]["properties"]["error"]["enum"]
                .as_array()
                .expect("enum")
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
        for name in &listed {
            let code: messages::ErrorCode =
                serde_json::from_value(serde_json::Value::String(name.clone()))
                    .expect("a protocol error code");
            assert_eq!(code.as_str(), name);
        }
        assert_eq!(listed.len(), 15);
    }
}
