//! The served OpenAPI document against the server's real answers: every operation is exercised
//! and each answer is checked against the schema the document gives for its status (required
//! properties, types, enums, `oneOf`, nested objects and arrays), so the document and the code
//! cannot drift apart unnoticed.

mod common;

use backoffice::api::Faults;
use common::{TestKiosk, TestServer, rng};
use serde_json::Value;
use sync::messages::{Heartbeat, UploadOffer, paths};
use sync::upload::{CONTENT_RANGE, ContentRange};

/// Follows a local `$ref`.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let pointer = r.trim_start_matches('#');
            resolve(doc, doc.pointer(pointer).unwrap_or(&Value::Null))
        }
        None => schema,
    }
}

/// Why `value` does not match `schema`, if it does not.
fn mismatch(doc: &Value, schema: &Value, value: &Value, at: &str) -> Option<String> {
    let schema = resolve(doc, schema);
    if let Some(options) = schema.get("oneOf").and_then(Value::as_array) {
        let matching = options
            .iter()
            .filter(|o| mismatch(doc, o, value, at).is_none())
            .count();
        return (matching != 1).then(|| format!("{at}: matches {matching} of oneOf"));
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        return Some(format!("{at}: {value} not in enum"));
    }
    let type_ok = match schema.get("type").and_then(Value::as_str) {
        Some("object") => value.is_object(),
        Some("array") => value.is_array(),
        Some("string") => value.is_string(),
        Some("integer") => value.is_i64() || value.is_u64(),
        Some("boolean") => value.is_boolean(),
        Some("null") => value.is_null(),
        _ => true,
    };
    if !type_ok {
        return Some(format!("{at}: {value} is not of type {}", schema["type"]));
    }
    if let Some(required) = schema.get("required").and_then(Value::as_array) {
        for name in required.iter().filter_map(Value::as_str) {
            if value.get(name).is_none() {
                return Some(format!("{at}: required `{name}` missing"));
            }
        }
    }
    if let (Some(props), Some(object)) = (
        schema.get("properties").and_then(Value::as_object),
        value.as_object(),
    ) {
        for (name, v) in object {
            match props.get(name) {
                Some(s) => {
                    if let Some(m) = mismatch(doc, s, v, &format!("{at}.{name}")) {
                        return Some(m);
                    }
                }
                None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    return Some(format!("{at}: unexpected `{name}`"));
                }
                None => {}
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (i, v) in array.iter().enumerate() {
            if let Some(m) = mismatch(doc, items, v, &format!("{at}[{i}]")) {
                return Some(m);
            }
        }
    }
    None
}

fn json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("serialises")
}

/// Checks an answer of `method path` with `status` against the document.
fn check(doc: &Value, path: &str, method: &str, status: u16, body: &Value) {
    let operation = &doc["paths"][path][method];
    assert!(operation.is_object(), "{method} {path} is not documented");
    let response = resolve(doc, &operation["responses"][status.to_string()]);
    assert!(
        response.is_object(),
        "{method} {path}: status {status} is not documented"
    );
    let schema = &response["content"]["application/json"]["schema"];
    if let Some(m) = mismatch(doc, schema, body, "body") {
        panic!("{method} {path} {status}: {m}\n{body}");
    }
}

#[tokio::test]
async fn every_answer_matches_the_served_openapi_document() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(dir.path(), Faults::default()).await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder().no_proxy().build().expect("http");
    let base = format!("http://{}", server.addr);
    let doc: Value = http
        .get(format!("{base}{}", paths::OPENAPI))
        .send()
        .await
        .expect("served")
        .json()
        .await
        .expect("JSON");
    assert_eq!(doc["openapi"], "3.1.0");

    let kiosk = TestKiosk::new(dir.path(), "kiosk-doc").await;
    let signer = kiosk.signer();
    let send =
        |method: &'static str, path: String, body: Vec<u8>, extra: Vec<(&'static str, String)>| {
            let auth = signer.sign(
                method,
                &path,
                &body,
                enroll::timestamp::Timestamp::now(),
                &mut rng(),
            );
            let mut request = http
                .request(method.parse().expect("method"), format!("{base}{path}"))
                .body(body);
            for (name, value) in auth.to_pairs().into_iter().chain(extra) {
                request = request.header(name, value);
            }
            async move {
                let response = request.send().await.expect("answered");
                let status = response.status().as_u16();
                let json: Value = response.json().await.expect("a JSON answer");
                (status, json)
            }
        };

    // Registration, then every kiosk operation.
    let registration = serde_json::json!({
        "device": "kiosk-doc",
        "device_key": hex::encode(signer.public_key()),
        "software_version": "test"
    });
    let token = server.token().await;
    let (status, body) = send(
        "POST",
        paths::KIOSKS.into(),
        json(&registration),
        vec![("authorization", format!("Bearer {token}"))],
    )
    .await;
    check(&doc, paths::KIOSKS, "post", status, &body);
    assert_eq!(status, 200);

    let package = kiosk.seal(&server.package_key, 1, true);
    let offer = UploadOffer {
        package_id: package.id(),
        sha256: package.digest(),
        len: package.as_bytes().len() as u64,
    };
    let (status, body) = send("POST", paths::UPLOADS.into(), json(&offer), vec![]).await;
    check(&doc, paths::UPLOADS, "post", status, &body);
    let upload = paths::upload(package.id());
    let (status, body) = send("GET", upload.clone(), vec![], vec![]).await;
    check(&doc, "/v1/uploads/{package_id}", "get", status, &body);
    let total = offer.len;
    let range = ContentRange::of(0, total, total).expect("range");
    let (status, body) = send(
        "PUT",
        upload.clone(),
        package.as_bytes().to_vec(),
        vec![(CONTENT_RANGE, range.to_string())],
    )
    .await;
    check(&doc, "/v1/uploads/{package_id}", "put", status, &body);
    assert!(body["receipt"].is_object(), "complete: {body}");

    // Errors: a chunk past the offset (416), a conflicting offer (409), an unknown upload (404).
    let other = kiosk.seal(&server.package_key, 2, false);
    let (status, body) = send(
        "POST",
        paths::UPLOADS.into(),
        json(&UploadOffer {
            package_id: other.id(),
            sha256: other.digest(),
            len: other.as_bytes().len() as u64,
        }),
        vec![],
    )
    .await;
    check(&doc, paths::UPLOADS, "post", status, &body);
    let late = ContentRange::of(10, 5, other.as_bytes().len() as u64).expect("range");
    let (status, body) = send(
        "PUT",
        paths::upload(other.id()),
        vec![0; 5],
        vec![(CONTENT_RANGE, late.to_string())],
    )
    .await;
    assert_eq!(status, 416);
    check(&doc, "/v1/uploads/{package_id}", "put", status, &body);
    let (status, body) = send(
        "POST",
        paths::UPLOADS.into(),
        json(&UploadOffer {
            sha256: [0; 32],
            ..offer.clone()
        }),
        vec![],
    )
    .await;
    assert_eq!(status, 409);
    check(&doc, paths::UPLOADS, "post", status, &body);
    let (status, body) = send(
        "GET",
        paths::upload(kiosk.seal(&server.package_key, 3, false).id()),
        vec![],
        vec![],
    )
    .await;
    assert_eq!(status, 404);
    check(&doc, "/v1/uploads/{package_id}", "get", status, &body);

    let (status, body) = send(
        "GET",
        format!("{}?since=0&limit=10", paths::STATUSES),
        vec![],
        vec![],
    )
    .await;
    check(&doc, paths::STATUSES, "get", status, &body);
    assert_eq!(body["changes"][0]["status"], "received");
    let (status, body) = send(
        "GET",
        format!("{}?limit=0", paths::STATUSES),
        vec![],
        vec![],
    )
    .await;
    assert_eq!(status, 400);
    check(&doc, paths::STATUSES, "get", status, &body);
    let (status, body) = send("GET", paths::CONFIG.into(), vec![], vec![]).await;
    check(&doc, paths::CONFIG, "get", status, &body);
    let heartbeat = Heartbeat {
        software_version: "test".into(),
        queue_depth: 3,
        oldest_unsent: Some(enroll::timestamp::Timestamp::now()),
        last_error: None,
    };
    let (status, body) = send("POST", paths::HEARTBEAT.into(), json(&heartbeat), vec![]).await;
    check(&doc, paths::HEARTBEAT, "post", status, &body);
    // Unsigned: 401 with the documented error body.
    let response = http
        .get(format!("{base}{}", paths::CONFIG))
        .send()
        .await
        .expect("answered");
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(status, 401);
    check(&doc, paths::CONFIG, "get", status, &body);
    // Ten minutes fast: 401 clock_skew with the back office's clock.
    let fast = enroll::timestamp::Timestamp::now().plus_millis(600_000);
    let auth = signer.sign("GET", paths::CONFIG, b"", fast, &mut rng());
    let mut request = http.get(format!("{base}{}", paths::CONFIG));
    for (name, value) in auth.to_pairs() {
        request = request.header(name, value);
    }
    let response = request.send().await.expect("answered");
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("JSON");
    assert_eq!((status, &body["error"]), (401, &Value::from("clock_skew")));
    assert!(body["server_time"].is_i64());
    check(&doc, paths::CONFIG, "get", status, &body);
    server.stop().await;
}

#[test]
fn the_checker_catches_answers_that_drift_from_the_document() {
    let doc: Value = serde_json::from_str(sync::OPENAPI_JSON).expect("the document");
    let schema = serde_json::json!({"$ref": "#/components/schemas/UploadStatus"});
    let good = serde_json::json!({
        "package_id": "0190a5c4-1b2c-7d3e-8f40-123456789abc",
        "len": 10, "offset": 0, "receipt": null
    });
    assert_eq!(mismatch(&doc, &schema, &good, "body"), None);
    let mut missing = good.clone();
    missing.as_object_mut().map(|o| o.remove("offset"));
    assert!(mismatch(&doc, &schema, &missing, "body").is_some());
    let mut wrong_type = good.clone();
    wrong_type["offset"] = Value::String("0".into());
    assert!(mismatch(&doc, &schema, &wrong_type, "body").is_some());
    let mut bad_receipt = good;
    bad_receipt["receipt"] = serde_json::json!({"package_id": "x"});
    assert!(mismatch(&doc, &schema, &bad_receipt, "body").is_some());
    let error = serde_json::json!({"$ref": "#/components/schemas/Error"});
    let unknown_code = serde_json::json!({"error": "teapot", "message": "x"});
    assert!(mismatch(&doc, &error, &unknown_code, "body").is_some());
}
