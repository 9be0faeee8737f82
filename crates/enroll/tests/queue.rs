//! The SQLite queue on real files: order, retries, purge, idempotence, reopening, damage.

use enroll::demo::demo_enrollment;
use enroll::ids::{DeviceId, GroupId, ReasonCode};
use enroll::local_key::{FollowUp, LocalKey};
use enroll::package::{
    BackOfficePublicKey, BackOfficeSecretKey, DeviceSigningKey, PackageId, SealedPackage, open,
    seal,
};
use enroll::queue::{Enqueued, Queue, QueueError, ReviewOutcome};
use enroll::state::{EnrollmentState, IllegalTransition};
use enroll::timestamp::Timestamp;
use getrandom::SysRng;
use rand_core::UnwrapErr;
use std::path::PathBuf;

const T0: Timestamp = Timestamp::from_unix_millis(1_790_000_000_000);

struct Kiosk {
    dir: tempfile::TempDir,
    device: DeviceSigningKey,
    office_secret: BackOfficeSecretKey,
    office_public: BackOfficePublicKey,
    local: LocalKey,
}

impl Kiosk {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut rng = UnwrapErr(SysRng);
        let (office_secret, office_public) = BackOfficeSecretKey::generate(&mut rng);
        let (local, _) = LocalKey::load_or_create_file(&dir.path().join("local.key")).expect("key");
        Self {
            device: DeviceSigningKey::generate(&mut rng),
            office_secret,
            office_public,
            local,
            dir,
        }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("queue.sqlite")
    }

    fn package(&self, n: u32) -> (SealedPackage, FollowUp) {
        let device = DeviceId::new("kiosk-test").expect("id");
        let group = GroupId::new(format!("group-{}", n % 3)).expect("id");
        let created = T0.plus_millis(i64::from(n));
        let e = demo_enrollment(n, 20 * 1024, &device, &group, created).expect("demo");
        let sealed = seal(
            &e,
            created,
            &self.device,
            &self.office_public,
            &mut UnwrapErr(SysRng),
        )
        .expect("seal");
        (sealed, FollowUp::of(&e))
    }

    async fn enqueue(&self, q: &Queue, n: u32) -> PackageId {
        let (p, f) = self.package(n);
        let f = self.local.seal(p.id(), &f).expect("followup");
        let r = q.enqueue(&p, Some(&f), T0).await.expect("enqueue");
        assert_eq!(r, Enqueued::Added);
        p.id()
    }
}

async fn outbox_ids(q: &Queue, now: Timestamp) -> Vec<PackageId> {
    q.outbox(now, 100)
        .await
        .expect("outbox")
        .into_iter()
        .map(|s| s.id)
        .collect()
}

#[tokio::test]
async fn outbox_lists_queued_packages_in_creation_order() {
    let k = Kiosk::new();
    let q = Queue::open(&k.db()).await.expect("open");
    let mut ids = Vec::new();
    for n in [5, 1, 9, 3] {
        ids.push(k.enqueue(&q, n).await);
    }
    assert_eq!(outbox_ids(&q, T0).await, ids);
    let first_two: Vec<PackageId> = q
        .outbox(T0, 2)
        .await
        .expect("outbox")
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(first_two, ids[..2]);
    let status = q.status(ids[0]).await.expect("status");
    assert_eq!(status.state, EnrollmentState::Queued);
    assert_eq!(status.attempts, 0);
    assert!(status.body_present);
}

#[tokio::test]
async fn failed_attempts_are_counted_and_delay_the_next_try() {
    let k = Kiosk::new();
    let q = Queue::open(&k.db()).await.expect("open");
    let a = k.enqueue(&q, 1).await;
    let b = k.enqueue(&q, 2).await;
    let t1 = T0.plus_millis(1_000);
    q.begin_upload(a, t1).await.expect("begin");
    assert_eq!(outbox_ids(&q, t1).await, vec![b]);
    let code = ReasonCode::new("http-503").expect("code");
    let retry_at = t1.plus_millis(60_000);
    q.upload_failed(a, &code, retry_at, t1)
        .await
        .expect("failed");
    let s = q.status(a).await.expect("status");
    assert_eq!(s.state, EnrollmentState::Queued);
    assert_eq!(s.attempts, 1);
    assert_eq!(s.last_error, Some(code));
    assert_eq!(s.next_attempt_at, retry_at);
    assert_eq!(outbox_ids(&q, t1).await, vec![b]);
    assert_eq!(outbox_ids(&q, retry_at).await, vec![a, b]);
    q.begin_upload(a, retry_at).await.expect("begin again");
    assert_eq!(q.status(a).await.expect("status").attempts, 2);
}

#[tokio::test]
async fn acknowledgement_purges_the_body_and_keeps_status_and_followup() {
    let k = Kiosk::new();
    let q = Queue::open(&k.db()).await.expect("open");
    let id = k.enqueue(&q, 7).await;
    let before = q.status(id).await.expect("status");
    q.begin_upload(id, T0).await.expect("begin");
    q.upload_done(id, T0).await.expect("uploaded");
    assert!(q.package(id).await.expect("package").is_some());
    let t_ack = T0.plus_millis(5_000);
    q.acknowledge(id, t_ack).await.expect("ack");
    assert_eq!(q.package(id).await.expect("package"), None);
    let after = q.status(id).await.expect("status");
    assert_eq!(after.state, EnrollmentState::Acknowledged);
    assert!(!after.body_present);
    assert_eq!(after.acknowledged_at, Some(t_ack));
    assert_eq!(after.digest, before.digest);
    assert_eq!(after.group, before.group);
    let followup = q.followup(id).await.expect("followup").expect("stored");
    let opened = k.local.open(id, &followup).expect("opens");
    assert_eq!(opened.phone, "0900000007");

    q.record_review(id, &ReviewOutcome::Approved, T0)
        .await
        .expect("approved");
    q.record_review(id, &ReviewOutcome::Activated, T0)
        .await
        .expect("activated");
    assert_eq!(
        q.status(id).await.expect("status").state,
        EnrollmentState::Activated
    );
}

#[tokio::test]
async fn rejection_keeps_its_reason_and_is_final() {
    let k = Kiosk::new();
    let q = Queue::open(&k.db()).await.expect("open");
    let id = k.enqueue(&q, 8).await;
    q.begin_upload(id, T0).await.expect("begin");
    q.upload_done(id, T0).await.expect("uploaded");
    q.acknowledge(id, T0).await.expect("ack");
    let reason = ReasonCode::new("photo-quality").expect("code");
    q.record_review(id, &ReviewOutcome::Rejected(reason.clone()), T0)
        .await
        .expect("rejected");
    let s = q.status(id).await.expect("status");
    assert_eq!(
        (s.state, s.reason),
        (EnrollmentState::Rejected, Some(reason))
    );
    assert!(matches!(
        q.record_review(id, &ReviewOutcome::Activated, T0).await,
        Err(QueueError::IllegalTransition(_))
    ));
}

#[tokio::test]
async fn illegal_steps_are_refused_and_change_nothing() {
    let k = Kiosk::new();
    let q = Queue::open(&k.db()).await.expect("open");
    let id = k.enqueue(&q, 1).await;
    let before = q.status(id).await.expect("status");
    let refused = q.acknowledge(id, T0).await;
    assert!(matches!(
        refused,
        Err(QueueError::IllegalTransition(IllegalTransition {
            from: EnrollmentState::Queued,
            to: EnrollmentState::Acknowledged
        }))
    ));
    assert!(q.upload_done(id, T0).await.is_err());
    assert!(
        q.record_review(id, &ReviewOutcome::Approved, T0)
            .await
            .is_err()
    );
    assert_eq!(q.status(id).await.expect("status"), before);
    assert!(q.package(id).await.expect("package").is_some());
    let unknown = PackageId::from_bytes([9; 16]);
    assert!(matches!(
        q.begin_upload(unknown, T0).await,
        Err(QueueError::NotFound(_))
    ));
}

#[tokio::test]
async fn enqueueing_the_same_package_again_is_idempotent() {
    let k = Kiosk::new();
    let q = Queue::open(&k.db()).await.expect("open");
    let (p, _) = k.package(3);
    assert_eq!(
        q.enqueue(&p, None, T0).await.expect("first"),
        Enqueued::Added
    );
    assert_eq!(
        q.enqueue(&p, None, T0.plus_millis(9)).await.expect("again"),
        Enqueued::AlreadyPresent
    );
    assert_eq!(outbox_ids(&q, T0).await, vec![p.id()]);
    assert_eq!(q.status(p.id()).await.expect("status").state_changed_at, T0);

    let mut other = p.as_bytes().to_vec();
    let last = other.len() - 100;
    if let Some(b) = other.get_mut(last) {
        *b ^= 1;
    }
    let same_id_other_bytes = SealedPackage::from_bytes(other).expect("layout");
    assert!(matches!(
        q.enqueue(&same_id_other_bytes, None, T0).await,
        Err(QueueError::Conflict(id)) if id == p.id()
    ));
    assert_eq!(
        q.package(p.id()).await.expect("package").as_ref(),
        Some(&p),
        "the stored package was not overwritten"
    );
}

#[tokio::test]
async fn reopening_after_drop_keeps_every_package_and_state() {
    let k = Kiosk::new();
    let mut statuses = Vec::new();
    {
        let q = Queue::open(&k.db()).await.expect("open");
        for n in 0..6 {
            k.enqueue(&q, n).await;
        }
        let ids = outbox_ids(&q, T0).await;
        q.begin_upload(ids[0], T0).await.expect("begin");
        q.upload_done(ids[0], T0).await.expect("done");
        q.acknowledge(ids[0], T0).await.expect("ack");
        q.begin_upload(ids[1], T0).await.expect("begin");
        for id in &ids {
            statuses.push(q.status(*id).await.expect("status"));
        }
        drop(q);
    }
    let q = Queue::open(&k.db()).await.expect("reopen");
    for before in &statuses {
        assert_eq!(&q.status(before.id).await.expect("status"), before);
        if let Some(p) = q.package(before.id).await.expect("package") {
            let opened =
                open(&p, &k.device.verifying_key(), &k.office_secret).expect("verifies and opens");
            assert_eq!(opened.header.package_id, before.id);
        } else {
            assert_eq!(before.state, EnrollmentState::Acknowledged);
        }
    }
    assert_eq!(q.recover_interrupted_uploads(T0).await.expect("recover"), 1);
    assert_eq!(outbox_ids(&q, T0).await.len(), 5);
    q.close().await;
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_a_clear_error_and_stays_untouched() {
    let k = Kiosk::new();
    let garbage = b"this is not an SQLite database, it is a damaged file".repeat(200);
    std::fs::write(k.db(), &garbage).expect("write");
    let err = Queue::open(&k.db()).await.err();
    assert!(matches!(err, Some(QueueError::Corrupt(_))), "{err:?}");
    assert_eq!(std::fs::read(k.db()).expect("read"), garbage);
}

#[tokio::test]
async fn a_database_with_damaged_pages_fails_the_integrity_check() {
    let k = Kiosk::new();
    {
        let q = Queue::open(&k.db()).await.expect("open");
        for n in 0..20 {
            k.enqueue(&q, n).await;
        }
        q.close().await;
    }
    let mut bytes = std::fs::read(k.db()).expect("read");
    let page_size = usize::from(u16::from_be_bytes([bytes[16], bytes[17]]));
    // Damage the b-tree page header of every page after the schema page (but keep the file
    // header so SQLite still opens it): structure, not just content, is broken.
    for page in 1..bytes.len() / page_size {
        for b in bytes.iter_mut().skip(page * page_size).take(12) {
            *b = 0x0D;
        }
    }
    std::fs::write(k.db(), &bytes).expect("write");
    let err = Queue::open(&k.db()).await.err();
    assert!(matches!(err, Some(QueueError::Corrupt(_))), "{err:?}");
    assert_eq!(
        std::fs::read(k.db()).expect("read"),
        bytes,
        "file left as found"
    );
}

#[tokio::test]
async fn database_files_hold_no_plaintext_personal_data() {
    let k = Kiosk::new();
    let q = Queue::open(&k.db()).await.expect("open");
    for n in 0..3 {
        k.enqueue(&q, 4_242 + n).await;
    }
    let mut stored = std::fs::read(k.db()).expect("db");
    if let Ok(wal) = std::fs::read(k.dir.path().join("queue.sqlite-wal")) {
        stored.extend_from_slice(&wal);
    }
    assert!(stored.len() > 60_000, "the packages are in the files");
    for secret in [
        "001090004242".as_bytes(),
        "THỬ 4242".as_bytes(),
        b"0900004242",
        b"IDVNM",
    ] {
        assert!(
            !stored.windows(secret.len()).any(|w| w == secret),
            "personal data found in the database files"
        );
    }
    q.close().await;
}

#[tokio::test]
async fn report_counts_follow_up_lists_and_oldest_unsent_come_from_the_status_rows() {
    use enroll::queue::Dimension;
    let k = Kiosk::new();
    let q = Queue::open(&k.db()).await.expect("open");
    assert_eq!(q.oldest_unsent().await.expect("oldest"), None);
    // Packages 0..6 fall in groups 0, 1, 2, 0, 1, 2 (created at T0 + n ms).
    let mut ids = Vec::new();
    for n in 0..6 {
        ids.push(k.enqueue(&q, n).await);
    }
    for id in &ids[..3] {
        q.begin_upload(*id, T0).await.expect("begin");
        q.upload_done(*id, T0).await.expect("done");
        q.acknowledge(*id, T0).await.expect("ack");
    }
    q.record_review(ids[0], &ReviewOutcome::Approved, T0.plus_millis(10))
        .await
        .expect("approve");
    q.record_review(ids[1], &ReviewOutcome::Approved, T0.plus_millis(5))
        .await
        .expect("approve");
    q.record_review(ids[1], &ReviewOutcome::Activated, T0.plus_millis(20))
        .await
        .expect("activate");

    assert_eq!(
        q.oldest_unsent().await.expect("oldest"),
        Some(T0.plus_millis(3))
    );
    let approved = q
        .in_state(EnrollmentState::Approved, 10)
        .await
        .expect("follow-up list");
    assert_eq!(approved.iter().map(|s| s.id).collect::<Vec<_>>(), [ids[0]]);

    let all = q
        .counts_by(Dimension::Group, T0, T0.plus_millis(6))
        .await
        .expect("counts");
    use EnrollmentState::*;
    assert_eq!(
        all,
        [
            ("group-0".to_owned(), Approved, 1),
            ("group-0".to_owned(), Queued, 1),
            ("group-1".to_owned(), Activated, 1),
            ("group-1".to_owned(), Queued, 1),
            ("group-2".to_owned(), Acknowledged, 1),
            ("group-2".to_owned(), Queued, 1),
        ]
    );
    let first_two = q
        .counts_by(Dimension::Operator, T0, T0.plus_millis(2))
        .await
        .expect("counts");
    assert_eq!(first_two.iter().map(|(_, _, n)| n).sum::<u64>(), 2);
    assert!(first_two.iter().all(|(op, _, _)| op == "demo-operator"));
}

#[tokio::test]
async fn purged_bodies_are_overwritten_in_the_database_file() {
    let k = Kiosk::new();
    let q = Queue::open(&k.db()).await.expect("open");
    let kept = k.enqueue(&q, 1).await;
    let purged = k.enqueue(&q, 2).await;
    let window = |p: &SealedPackage| {
        let b = p.as_bytes();
        b.get(b.len() / 2..b.len() / 2 + 64)
            .unwrap_or_default()
            .to_vec()
    };
    let kept_bytes = window(&q.package(kept).await.expect("read").expect("body"));
    let purged_bytes = window(&q.package(purged).await.expect("read").expect("body"));
    q.begin_upload(purged, T0).await.expect("begin");
    q.upload_done(purged, T0).await.expect("done");
    q.acknowledge(purged, T0).await.expect("ack");
    q.close().await;
    let file = std::fs::read(k.db()).expect("db");
    let contains = |needle: &[u8]| file.windows(needle.len()).any(|w| w == needle);
    assert!(contains(&kept_bytes), "the kept body is in the file");
    assert!(!contains(&purged_bytes), "the purged body was overwritten");
}

#[tokio::test]
async fn new_enrollments_freeze_when_too_many_or_too_old_packages_wait() {
    use enroll::queue::{Admission, FreezeRules};
    let k = Kiosk::new();
    let q = Queue::open(&k.db()).await.expect("open");
    let rules = FreezeRules {
        max_unsent: 3,
        max_unsent_age_millis: 60_000,
    };
    assert_eq!(
        q.admission(T0, &rules).await.expect("admission"),
        Admission::Open
    );
    let first = k.enqueue(&q, 0).await;
    k.enqueue(&q, 1).await;
    assert_eq!(
        q.admission(T0, &rules).await.expect("admission"),
        Admission::Open
    );
    let late = T0.plus_millis(60_001);
    assert_eq!(
        q.admission(late, &rules).await.expect("admission"),
        Admission::UnsentTooLong(T0)
    );
    k.enqueue(&q, 2).await;
    assert_eq!(
        q.admission(T0, &rules).await.expect("admission"),
        Admission::TooManyUnsent(3)
    );
    q.begin_upload(first, T0).await.expect("begin");
    q.upload_done(first, T0).await.expect("done");
    q.acknowledge(first, T0).await.expect("ack");
    assert_eq!(
        q.admission(T0, &rules).await.expect("admission"),
        Admission::Open
    );
    assert_eq!(
        q.admission(late, &rules).await.expect("admission"),
        Admission::Open,
        "the oldest unsent is now the second package, created 1 ms later"
    );
    assert_eq!(
        q.admission(late.plus_millis(1), &rules)
            .await
            .expect("admission"),
        Admission::UnsentTooLong(T0.plus_millis(1)),
        "the oldest unsent is now the second package"
    );
}

#[tokio::test]
async fn a_refused_package_is_quarantined_with_its_body_and_the_head_moves_on() {
    let k = Kiosk::new();
    let q = Queue::open(&k.db()).await.expect("open");
    assert_eq!(q.head().await.expect("head"), None);
    let first = k.enqueue(&q, 1).await;
    let second = k.enqueue(&q, 2).await;
    assert_eq!(q.head().await.expect("head").map(|s| s.id), Some(first));
    assert!(matches!(
        q.quarantine(first, &ReasonCode::new("conflict").expect("code"), T0)
            .await,
        Err(QueueError::IllegalTransition(_))
    ));
    q.begin_upload(first, T0).await.expect("begin");
    q.quarantine(first, &ReasonCode::new("conflict").expect("code"), T0)
        .await
        .expect("quarantined");

    assert_eq!(q.head().await.expect("head").map(|s| s.id), Some(second));
    let held = q.status(first).await.expect("status");
    assert_eq!(held.state, EnrollmentState::Quarantined);
    assert!(held.body_present, "kept for a technician");
    assert_eq!(
        held.last_error.as_ref().map(|r| r.as_str()),
        Some("conflict")
    );
    let body = q.package(first).await.expect("body").expect("present");
    assert!(open(&body, &k.device.verifying_key(), &k.office_secret).is_ok());
    assert!(q.begin_upload(first, T0).await.is_err(), "never sent again");
    assert_eq!(outbox_ids(&q, T0.plus_millis(1)).await, [second]);
    let counts = q.counts().await.expect("counts");
    assert!(counts.contains(&(EnrollmentState::Quarantined, 1)));
    assert_eq!(
        q.oldest_unsent().await.expect("oldest"),
        Some(T0.plus_millis(2)),
        "a quarantined package does not count towards the freeze rules"
    );
    q.close().await;
    let q = Queue::open(&k.db()).await.expect("reopen");
    assert_eq!(
        q.status(first).await.expect("status").state,
        EnrollmentState::Quarantined
    );
}

#[tokio::test]
async fn the_quarantine_migration_keeps_every_row_follow_up_and_sequence() {
    let k = Kiosk::new();
    // A queue made by the schema before the quarantined state (migrations up to 0010).
    let before = tempfile::tempdir().expect("tempdir");
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    for entry in std::fs::read_dir(&source).expect("migrations") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        if name.as_str() < "0011" {
            std::fs::copy(&path, before.path().join(&name)).expect("copy");
        }
    }
    let url = format!("sqlite://{}?mode=rwc", k.db().display());
    let pool = sqlx::SqlitePool::connect(&url).await.expect("pool");
    sqlx::query("PRAGMA foreign_keys = ON")
        .execute(&pool)
        .await
        .expect("fk");
    sqlx::migrate::Migrator::new(before.path())
        .await
        .expect("old migrations")
        .run(&pool)
        .await
        .expect("old schema");
    pool.close().await;
    // The rows the old code wrote.
    let (p, f) = k.package(1);
    let sealed_followup = k.local.seal(p.id(), &f).expect("followup");
    let pool = sqlx::SqlitePool::connect(&url).await.expect("pool");
    sqlx::query(
        "INSERT INTO packages (seq, package_id, created_at_ms, device_id, operator_id, group_id, \
         state, state_changed_at_ms, body, body_sha256, body_len, next_attempt_at_ms) \
         VALUES (41, ?, ?, 'kiosk-test', 'demo-operator', 'group-1', 'queued', ?, ?, ?, ?, ?)",
    )
    .bind(p.id().to_bytes().as_slice())
    .bind(T0.unix_millis())
    .bind(T0.unix_millis())
    .bind(p.as_bytes())
    .bind(p.digest().as_slice())
    .bind(i64::try_from(p.as_bytes().len()).expect("len"))
    .bind(T0.unix_millis())
    .execute(&pool)
    .await
    .expect("old row");
    sqlx::query("INSERT INTO followup (package_id, nonce, ciphertext) VALUES (?, ?, ?)")
        .bind(p.id().to_bytes().as_slice())
        .bind(sealed_followup.nonce())
        .bind(sealed_followup.ciphertext())
        .execute(&pool)
        .await
        .expect("old follow-up");
    pool.close().await;

    let q = Queue::open(&k.db()).await.expect("migrates");
    let kept = q.status(p.id()).await.expect("row kept");
    assert_eq!((kept.seq, kept.state), (41, EnrollmentState::Queued));
    let followup = q
        .followup(p.id())
        .await
        .expect("read")
        .expect("not cascaded away");
    assert_eq!(k.local.open(p.id(), &followup).expect("opens"), f);
    let next = k.enqueue(&q, 2).await;
    assert!(q.status(next).await.expect("status").seq > 41);
    q.begin_upload(p.id(), T0).await.expect("begin");
    q.quarantine(p.id(), &ReasonCode::new("conflict").expect("code"), T0)
        .await
        .expect("the new state is accepted by the rebuilt table");
    q.integrity_check().await.expect("integrity");
}
