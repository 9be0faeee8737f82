//! The kiosk's sync client against the real back office on 127.0.0.1 with real SQLite files:
//! registration, upload, idempotent repeat, conflict, resume after a cut, status pull, and the
//! refusals (bad credentials, clock, replay, another kiosk's package, tampering).

mod common;

use backoffice::api::Faults;
use backoffice::review::ReviewPolicy;
use common::{TestKiosk, TestServer, rng};
use enroll::package::{SealedPackage, seal};
use enroll::queue::Queue;
use enroll::state::EnrollmentState;
use enroll::timestamp::Timestamp;
use rand_core::{TryCryptoRng, TryRng};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use sync::client::{Backoff, SyncError, SyncLoop};
use sync::messages::{ErrorCode, Heartbeat, paths};

async fn registered(
    dir: &std::path::Path,
    server: &TestServer,
    name: &str,
    chunk: u64,
) -> (TestKiosk, sync::client::SyncClient<common::Rng>) {
    let kiosk = TestKiosk::new(dir, name).await;
    let client = kiosk.client_for(&server.url(), chunk);
    let answer = client
        .register(&server.token().await)
        .await
        .expect("registers");
    assert_eq!(answer.receipt_key, server.receipt_key.to_bytes());
    assert_eq!(answer.package_key, server.package_key.to_bytes());
    (kiosk, client)
}

#[tokio::test]
async fn an_upload_is_acknowledged_and_a_repeat_answers_the_same_receipt() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(dir.path(), Faults::default()).await;
    assert_eq!(server.store().engine(), common::expected_engine());
    let (kiosk, client) = registered(dir.path(), &server, "kiosk-a", 256 * 1024).await;
    let package = kiosk.seal(&server.package_key, 1, true);
    let first = client
        .upload(&package, &server.receipt_key, |_, _| {})
        .await
        .expect("uploads");
    assert_eq!(first.receipt.sequence, 1);
    assert_eq!(first.receipt.sha256, package.digest());
    let again = client
        .upload(&package, &server.receipt_key, |_, _| {})
        .await
        .expect("repeat is answered");
    assert_eq!(again, first, "a repeat answers the very same receipt");
    let stored = server.store().packages().await.expect("packages");
    assert_eq!(stored.len(), 1);
    assert_eq!(stored.first().map(|p| p.sha256), Some(package.digest()));
    assert_eq!(stored.first().map(|p| p.source.as_str()), Some("chip"));
    server.stop().await;
}

/// An RNG whose first 10-byte request (the package id's random part) is fixed.
struct FixedIdRng(Option<[u8; 10]>);

impl TryRng for FixedIdRng {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        rng().try_next_u32()
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        rng().try_next_u64()
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        match self.0.take() {
            Some(fixed) if dst.len() == fixed.len() => dst.copy_from_slice(&fixed),
            other => {
                self.0 = other;
                rng().try_fill_bytes(dst)?;
            }
        }
        Ok(())
    }
}

impl TryCryptoRng for FixedIdRng {}

#[tokio::test]
async fn the_same_id_with_other_content_is_a_conflict_and_nothing_is_overwritten() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(dir.path(), Faults::default()).await;
    let (kiosk, client) = registered(dir.path(), &server, "kiosk-a", 256 * 1024).await;
    let created = Timestamp::now();
    let seal_with_id = |n: u32| {
        seal(
            &common::enrollment(&kiosk.device, n, false),
            created,
            &kiosk.key,
            &server.package_key,
            &mut FixedIdRng(Some([7; 10])),
        )
        .expect("seals")
    };
    let original = seal_with_id(1);
    let impostor = seal_with_id(2);
    assert_eq!(original.id(), impostor.id());
    assert_ne!(original.digest(), impostor.digest());
    client
        .upload(&original, &server.receipt_key, |_, _| {})
        .await
        .expect("the original uploads");
    let conflict = client
        .upload(&impostor, &server.receipt_key, |_, _| {})
        .await;
    assert!(
        matches!(conflict, Err(SyncError::Conflict(id)) if id == original.id()),
        "{conflict:?}"
    );
    let stored = server.store().packages().await.expect("packages");
    assert_eq!(stored.len(), 1);
    assert_eq!(stored.first().map(|p| p.sha256), Some(original.digest()));
    server.stop().await;
}

#[tokio::test]
async fn an_upload_cut_midway_resumes_from_the_offset_the_server_holds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(dir.path(), Faults::default()).await;
    let chunk = 16 * 1024;
    let (kiosk, client) = registered(dir.path(), &server, "kiosk-a", chunk).await;
    let package = kiosk.seal(&server.package_key, 3, true);
    let total = package.as_bytes().len() as u64;
    assert!(
        total > 4 * chunk,
        "a package of {total} bytes spans several chunks"
    );
    // Two chunks arrive, then the connection "dies".
    let offered = client.offer(&package).await.expect("offer");
    assert_eq!(offered.offset, 0);
    let after_one = client.put_chunk(&package, 0).await.expect("chunk 1");
    let after_two = client
        .put_chunk(&package, after_one.offset)
        .await
        .expect("chunk 2");
    assert_eq!(after_two.offset, 2 * chunk);
    assert_eq!(
        client
            .upload_status(package.id())
            .await
            .expect("offset query")
            .offset,
        2 * chunk
    );
    // A chunk sent again (a duplicate delivery) changes nothing; one past the offset is refused.
    assert_eq!(
        client.put_chunk(&package, 0).await.expect("dup").offset,
        2 * chunk
    );
    assert!(matches!(
        client.put_chunk(&package, 3 * chunk).await,
        Err(SyncError::RangeMismatch(o)) if o == 2 * chunk
    ));
    let mut offsets = Vec::new();
    let receipt = client
        .upload(&package, &server.receipt_key, |held, _| offsets.push(held))
        .await
        .expect("resumes and completes");
    assert_eq!(
        offsets.first(),
        Some(&(2 * chunk)),
        "resumed where the server stood"
    );
    assert_eq!(offsets.last(), Some(&total));
    assert_eq!(receipt.receipt.sha256, package.digest());
    server.stop().await;
}

#[tokio::test]
async fn the_sync_loop_drains_in_order_and_pulls_review_outcomes_into_the_queue() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(dir.path(), Faults::default()).await;
    let (kiosk, client) = registered(dir.path(), &server, "kiosk-a", 256 * 1024).await;
    let ids = kiosk.enqueue(&server.package_key, 24).await;
    let mut sync = SyncLoop::new(
        client,
        kiosk.queue.clone(),
        server.receipt_key,
        Backoff::default(),
        rng(),
        kiosk.dir.join("status-cursor"),
    );
    let progress = sync.progress();
    sync.pass().await.expect("a pass");
    assert_eq!(progress.borrow().acknowledged, 24);
    assert!(progress.borrow().last_contact.is_some());
    assert_eq!(progress.borrow().last_failure, None);
    let stored = server.store().packages().await.expect("packages");
    let order: Vec<_> = stored.iter().map(|p| p.package_id).collect();
    assert_eq!(order, ids, "stored in queue order");
    assert!(
        stored
            .iter()
            .enumerate()
            .all(|(i, p)| p.device_seq == i as i64 + 1)
    );
    for id in &ids {
        let status = kiosk.queue.status(*id).await.expect("status");
        assert_eq!(status.state, EnrollmentState::Acknowledged);
        assert!(!status.body_present, "purged after the receipt");
    }
    // The review decides everything at once: half rejected, every approval activated.
    let policy = ReviewPolicy {
        decide_after: Duration::ZERO,
        reject_per_mille: 500,
        activate_after: Duration::from_secs(3600),
        activate_per_mille: 1000,
    };
    let now = Timestamp::now().plus_millis(1);
    assert_eq!(policy.tick(server.store(), now).await.expect("decides"), 24);
    let later = now.plus_millis(3_600_000);
    let activated = policy.tick(server.store(), later).await.expect("activates");
    assert!(activated > 0 && activated < 24, "{activated} activated");
    // The pass already pulled the 24 "received"; now come 24 decisions and the activations.
    assert_eq!(sync.pull_statuses().await.expect("pulls"), 24 + activated);
    let stored = server.store().packages().await.expect("packages");
    for p in &stored {
        let local = kiosk.queue.status(p.package_id).await.expect("status");
        assert_eq!(local.state.as_str(), p.review, "{}", p.package_id);
        if local.state == EnrollmentState::Rejected {
            assert!(local.reason.is_some());
        }
    }
    // The cursor is kept: nothing new the second time.
    assert_eq!(sync.pull_statuses().await.expect("pulls"), 0);
    sync.heartbeat().await.expect("heartbeat");
    let kiosks = server.store().kiosks().await.expect("kiosks");
    assert_eq!(kiosks.first().and_then(|k| k.queue_depth), Some(0));
    assert!(kiosks.first().and_then(|k| k.last_seen).is_some());
    server.stop().await;
}

#[tokio::test]
async fn bad_credentials_clock_skew_and_replays_are_refused_and_store_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(dir.path(), Faults::default()).await;
    let (kiosk, client) = registered(dir.path(), &server, "kiosk-a", 256 * 1024).await;
    let package = kiosk.seal(&server.package_key, 1, false);

    // Unknown kiosk: a key never registered.
    let stranger = TestKiosk::new(dir.path(), "kiosk-x").await;
    let stranger_client = stranger.client_for(&server.url(), 256 * 1024);
    let refused = stranger_client
        .upload(&package, &server.receipt_key, |_, _| {})
        .await;
    assert!(
        matches!(
            refused,
            Err(SyncError::Unauthorised(ErrorCode::UnknownKiosk))
        ),
        "{refused:?}"
    );

    // The kiosk's clock ten minutes fast.
    let skewed = kiosk
        .client_for(&server.url(), 256 * 1024)
        .with_clock(Arc::new(|| Timestamp::now().plus_millis(10 * 60 * 1000)));
    let refused = skewed
        .upload(&package, &server.receipt_key, |_, _| {})
        .await;
    assert!(
        matches!(refused, Err(SyncError::ClockOff { offset_ms })
            if (-601_000..=-599_000).contains(&offset_ms)),
        "{refused:?}"
    );

    // A request signed with another key under this kiosk's id.
    let impostor = TestKiosk::new(dir.path(), "kiosk-a-impostor").await;
    let forged = sync::client::SyncClient::new(
        sync::client::ClientConfig::new(server.url().parse().expect("url"), None),
        sync::auth::RequestSigner::new(kiosk.device.clone(), &impostor.key),
        rng(),
    )
    .expect("client");
    let refused = forged
        .upload(&package, &server.receipt_key, |_, _| {})
        .await;
    assert!(
        matches!(
            refused,
            Err(SyncError::Unauthorised(ErrorCode::BadSignature))
        ),
        "{refused:?}"
    );

    // A captured request sent again: the nonce gives it away.
    let body = serde_json::to_vec(&Heartbeat {
        software_version: "1".into(),
        queue_depth: 0,
        oldest_unsent: None,
        last_error: None,
    })
    .expect("json");
    let auth = kiosk.signer().sign(
        "POST",
        paths::HEARTBEAT,
        &body,
        Timestamp::now(),
        &mut rng(),
    );
    // Whichever test gets here first installs it; the others find it installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder().no_proxy().build().expect("http");
    let mut statuses = Vec::new();
    for _ in 0..2 {
        let mut request = http
            .post(format!("http://{}{}", server.addr, paths::HEARTBEAT))
            .body(body.clone());
        for (name, value) in auth.to_pairs() {
            request = request.header(name, value);
        }
        let response = request.send().await.expect("sent");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        statuses.push((status, text));
    }
    assert_eq!(statuses.first().map(|s| s.0), Some(200));
    assert_eq!(statuses.get(1).map(|s| s.0), Some(401));
    assert!(
        statuses
            .get(1)
            .is_some_and(|s| s.1.contains("replayed_nonce"))
    );

    // An expired registration token.
    let now = Timestamp::now();
    server
        .store()
        .create_token(
            "expired-token",
            now.plus_millis(-7_200_000),
            now.plus_millis(-1),
        )
        .await
        .expect("token");
    let late = TestKiosk::new(dir.path(), "kiosk-late").await;
    let refused = late
        .client_for(&server.url(), 1024)
        .register("expired-token")
        .await;
    assert!(
        matches!(
            refused,
            Err(SyncError::Unauthorised(ErrorCode::TokenInvalid))
        ),
        "{refused:?}"
    );

    assert!(
        server
            .store()
            .packages()
            .await
            .expect("packages")
            .is_empty()
    );
    drop(client);
    server.stop().await;
}

#[tokio::test]
async fn another_kiosks_package_and_tampered_bytes_are_rejected_and_not_stored() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(dir.path(), Faults::default()).await;
    let (kiosk_a, _client_a) = registered(dir.path(), &server, "kiosk-a", 256 * 1024).await;
    let (_kiosk_b, client_b) = registered(dir.path(), &server, "kiosk-b", 256 * 1024).await;
    let a_package = kiosk_a.seal(&server.package_key, 1, false);
    let replayed = client_b
        .upload(&a_package, &server.receipt_key, |_, _| {})
        .await;
    assert!(
        matches!(
            replayed,
            Err(SyncError::Rejected(_, ErrorCode::PackageRejected))
        ),
        "{replayed:?}"
    );
    let (kiosk_c, client_c) = registered(dir.path(), &server, "kiosk-c", 256 * 1024).await;
    let mut bytes = kiosk_c
        .seal(&server.package_key, 2, false)
        .as_bytes()
        .to_vec();
    let middle = bytes.len() / 2;
    if let Some(b) = bytes.get_mut(middle) {
        *b ^= 0x40;
    }
    let tampered = SealedPackage::from_bytes(bytes).expect("layout still parses");
    let refused = client_c
        .upload(&tampered, &server.receipt_key, |_, _| {})
        .await;
    assert!(
        matches!(
            refused,
            Err(SyncError::Rejected(_, ErrorCode::PackageRejected))
        ),
        "{refused:?}"
    );
    assert!(
        server
            .store()
            .packages()
            .await
            .expect("packages")
            .is_empty()
    );
    server.stop().await;
}

#[tokio::test]
async fn a_conflicting_package_in_the_queue_is_quarantined_and_the_queue_moves_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(dir.path(), Faults::default()).await;
    let (kiosk, client) = registered(dir.path(), &server, "kiosk-a", 256 * 1024).await;
    // Another installation with the same kiosk id and key already sent a package under the id
    // this queue will send with other content.
    let created = Timestamp::now();
    let sealed = |n| {
        seal(
            &common::enrollment(&kiosk.device, n, false),
            created,
            &kiosk.key,
            &server.package_key,
            &mut FixedIdRng(Some([9; 10])),
        )
        .expect("seals")
    };
    client
        .upload(&sealed(1), &server.receipt_key, |_, _| {})
        .await
        .expect("first copy");
    let queue: &Queue = &kiosk.queue;
    let conflicting = sealed(2);
    queue
        .enqueue(&conflicting, None, Timestamp::now())
        .await
        .expect("enqueue");
    let after = kiosk.enqueue(&server.package_key, 3).await;
    let mut sync = SyncLoop::new(
        client,
        queue.clone(),
        server.receipt_key,
        Backoff::default(),
        rng(),
        kiosk.dir.join("status-cursor"),
    );
    sync.drain().await.expect("drains");
    let progress = sync.progress();
    assert_eq!(progress.borrow().quarantined, 1);
    assert_eq!(progress.borrow().acknowledged, 3);
    let held = queue.status(conflicting.id()).await.expect("status");
    assert_eq!(held.state, EnrollmentState::Quarantined);
    assert!(
        held.body_present,
        "kept for a technician, never overwritten"
    );
    assert_eq!(
        queue.head().await.expect("head"),
        None,
        "nothing left to send"
    );
    for id in after {
        assert_eq!(
            queue.status(id).await.expect("status").state,
            EnrollmentState::Acknowledged
        );
    }
    assert_eq!(server.store().packages().await.expect("packages").len(), 4);
    server.stop().await;
}

#[tokio::test]
async fn an_abandoned_upload_is_purged_and_the_kiosk_starts_it_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(dir.path(), Faults::default()).await;
    let (kiosk, client) = registered(dir.path(), &server, "kiosk-a", 16 * 1024).await;
    let package = kiosk.seal(&server.package_key, 1, false);
    client.offer(&package).await.expect("offer");
    client.put_chunk(&package, 0).await.expect("one chunk");
    let purged = server
        .store()
        .purge_stale_uploads(Timestamp::now().plus_millis(1))
        .await
        .expect("purge");
    assert_eq!(purged, 1);
    assert!(matches!(
        client.upload_status(package.id()).await,
        Err(SyncError::Server { status: 404, .. })
    ));
    let mut offsets = Vec::new();
    client
        .upload(&package, &server.receipt_key, |held, _| offsets.push(held))
        .await
        .expect("uploads from the start");
    assert_eq!(offsets.first(), Some(&0));
    server.stop().await;
}

/// Method, path, body, Content-Range, expected status and error code.
type MalformedCase = (
    &'static str,
    String,
    Vec<u8>,
    Option<String>,
    u16,
    &'static str,
);

#[tokio::test]
async fn malformed_requests_get_a_clear_error_and_change_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(dir.path(), Faults::default()).await;
    let (kiosk, _client) = registered(dir.path(), &server, "kiosk-a", 256 * 1024).await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder().no_proxy().build().expect("http");
    let signer = kiosk.signer();
    let package = kiosk.seal(&server.package_key, 1, false);
    let upload = paths::upload(package.id());
    let cases: Vec<MalformedCase> = vec![
        (
            "POST",
            paths::UPLOADS.into(),
            b"{not json".to_vec(),
            None,
            400,
            "bad_request",
        ),
        (
            "POST",
            paths::UPLOADS.into(),
            br#"{"package_id":"x","sha256":"00","len":1}"#.to_vec(),
            None,
            400,
            "bad_request",
        ),
        (
            "PUT",
            upload.clone(),
            vec![1, 2, 3],
            None,
            400,
            "bad_request",
        ),
        (
            "PUT",
            upload.clone(),
            vec![1, 2, 3],
            Some("bytes 0-9/10".into()),
            400,
            "bad_request",
        ),
        (
            "PUT",
            upload.clone(),
            vec![1, 2, 3],
            Some("bytes 0-2/3".into()),
            404,
            "not_found",
        ),
        (
            "PUT",
            "/v1/uploads/not-a-uuid".into(),
            vec![1],
            Some("bytes 0-0/1".into()),
            400,
            "bad_request",
        ),
        (
            "GET",
            format!("{}?since=abc", paths::STATUSES),
            vec![],
            None,
            400,
            "bad_request",
        ),
        (
            "POST",
            paths::HEARTBEAT.into(),
            b"[]".to_vec(),
            None,
            400,
            "bad_request",
        ),
    ];
    for (method, path, body, range, status, code) in cases {
        let auth = signer.sign(method, &path, &body, Timestamp::now(), &mut rng());
        let mut request = http
            .request(
                method.parse().expect("method"),
                format!("http://{}{path}", server.addr),
            )
            .body(body);
        for (name, value) in auth.to_pairs() {
            request = request.header(name, value);
        }
        if let Some(range) = range {
            request = request.header("content-range", range);
        }
        let response = request.send().await.expect("answered");
        let got = response.status().as_u16();
        let text = response.text().await.expect("body");
        assert_eq!(got, status, "{method} {path}: {text}");
        assert!(text.contains(code), "{method} {path}: {text}");
    }
    let oversized = package.as_bytes().len() as u64;
    let offer = sync::messages::UploadOffer {
        package_id: package.id(),
        sha256: package.digest(),
        len: 10 * 1024 * 1024 + oversized,
    };
    let body = serde_json::to_vec(&offer).expect("json");
    let auth = signer.sign("POST", paths::UPLOADS, &body, Timestamp::now(), &mut rng());
    let mut request = http
        .post(format!("http://{}{}", server.addr, paths::UPLOADS))
        .body(body);
    for (name, value) in auth.to_pairs() {
        request = request.header(name, value);
    }
    assert_eq!(
        request.send().await.expect("answered").status().as_u16(),
        413
    );
    assert!(
        server
            .store()
            .packages()
            .await
            .expect("packages")
            .is_empty()
    );
    server.stop().await;
}

#[tokio::test]
async fn an_authorisation_error_stops_the_batch_after_one_attempt() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(dir.path(), Faults::default()).await;
    // Never registered: every request is refused as an unknown kiosk.
    let kiosk = TestKiosk::new(dir.path(), "kiosk-unregistered").await;
    let ids = kiosk.enqueue(&server.package_key, 5).await;
    let mut sync = SyncLoop::new(
        kiosk.client_for(&server.url(), 256 * 1024),
        kiosk.queue.clone(),
        server.receipt_key,
        Backoff::default(),
        rng(),
        kiosk.dir.join("status-cursor"),
    );
    let outcome = sync.drain().await.expect("the queue works");
    assert_eq!(
        outcome,
        sync::client::PassOutcome::Unauthorised(ErrorCode::UnknownKiosk)
    );
    let attempts: Vec<u32> = {
        let mut a = Vec::new();
        for id in &ids {
            a.push(kiosk.queue.status(*id).await.expect("status").attempts);
        }
        a
    };
    assert_eq!(attempts, [1, 0, 0, 0, 0], "the rest of the queue untouched");
    assert_eq!(
        sync.progress().borrow().state,
        sync::client::SyncState::Unauthorised {
            code: ErrorCode::UnknownKiosk
        }
    );
    let failure = sync.progress().borrow().last_failure.expect("a failure");
    assert_eq!(
        failure.refused,
        Some(ErrorCode::UnknownKiosk),
        "the header can say the kiosk is refused, not merely offline"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_failing_head_package_holds_back_the_ones_behind_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let unavailable = Faults {
        unavailable_per_mille: 1000,
        internal_after_per_mille: 0,
    };
    let server = TestServer::start(dir.path(), unavailable).await;
    let kiosk = TestKiosk::new(dir.path(), "kiosk-a").await;
    let ids = kiosk.enqueue(&server.package_key, 3).await;
    let mut sync = SyncLoop::new(
        kiosk.client_for(&server.url(), 256 * 1024),
        kiosk.queue.clone(),
        server.receipt_key,
        Backoff {
            base: Duration::from_secs(60),
            max: Duration::from_secs(600),
        },
        rng(),
        kiosk.dir.join("status-cursor"),
    );
    let before = Timestamp::now();
    let outcome = sync.drain().await.expect("the queue works");
    let sync::client::PassOutcome::RetryAt(at) = outcome else {
        panic!("expected a retry time, got {outcome:?}");
    };
    assert!(
        at.unix_millis() >= before.unix_millis() + 30_000,
        "backed off half a minute or more"
    );
    let progress = sync.progress().borrow().clone();
    let failure = progress.last_failure.expect("a failure");
    assert_eq!(failure.refused, None, "a 503 is not a refusal of the kiosk");
    assert!(
        progress.last_contact.is_none_or(|c| c < failure.at),
        "no contact since the failure: the header says the back office is unreachable"
    );
    // A second pass before the retry time sends nothing, not even the packages behind.
    assert_eq!(
        sync.drain().await.expect("the queue works"),
        sync::client::PassOutcome::RetryAt(at)
    );
    let mut attempts = Vec::new();
    for id in &ids {
        let status = kiosk.queue.status(*id).await.expect("status");
        attempts.push((status.attempts, status.last_error.map(|r| r.to_string())));
    }
    assert_eq!(
        attempts,
        [
            (1, Some("http-503:unavailable".to_owned())),
            (0, None),
            (0, None)
        ]
    );
    server.stop().await;
}
