//! The queue's state history on a real file: every change recorded in its transaction, counts
//! by the date a state was reached, states as of a date, paged lists, batch follow-up reads,
//! and the backfill of packages queued before the history existed.

use enroll::demo::demo_enrollment;
use enroll::ids::{DeviceId, GroupId, ReasonCode};
use enroll::local_key::{FollowUp, LocalKey};
use enroll::package::{BackOfficeSecretKey, DeviceSigningKey, PackageId, seal};
use enroll::queue::{Dimension, PageOrder, Queue, QueueError, ReviewOutcome, StateChange};
use enroll::state::EnrollmentState::{self, *};
use enroll::timestamp::Timestamp;
use getrandom::SysRng;
use rand_core::UnwrapErr;

const T0: Timestamp = Timestamp::from_unix_millis(1_790_000_000_000);
const HOUR: i64 = 3_600_000;

struct Kiosk {
    dir: tempfile::TempDir,
    queue: Queue,
    local: LocalKey,
    device: DeviceSigningKey,
    office: enroll::package::BackOfficePublicKey,
}

impl Kiosk {
    async fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut rng = UnwrapErr(SysRng);
        let (_, office) = BackOfficeSecretKey::generate(&mut rng);
        let (local, _) = LocalKey::load_or_create(&dir.path().join("local.key")).expect("key");
        let queue = Queue::open(&dir.path().join("queue.sqlite"))
            .await
            .expect("open");
        Self {
            dir,
            queue,
            local,
            device: DeviceSigningKey::generate(&mut rng),
            office,
        }
    }

    /// Queues demo enrollment `n` for `group`, created and queued at `at`.
    async fn enqueue(&self, n: u32, group: &str, at: Timestamp) -> PackageId {
        let device = DeviceId::new("kiosk-test").expect("id");
        let group = GroupId::new(group).expect("id");
        let e = demo_enrollment(n, 4 * 1024, &device, &group, at).expect("demo");
        let p = seal(&e, at, &self.device, &self.office, &mut UnwrapErr(SysRng)).expect("seal");
        let f = self
            .local
            .seal(p.id(), &FollowUp::of(&e))
            .expect("followup");
        self.queue.enqueue(&p, Some(&f), at).await.expect("enqueue");
        p.id()
    }

    /// Uploads and acknowledges `id` at `at`.
    async fn deliver(&self, id: PackageId, at: Timestamp) {
        self.queue.begin_upload(id, at).await.expect("begin");
        self.queue.upload_done(id, at).await.expect("uploaded");
        self.queue.acknowledge(id, at).await.expect("ack");
    }
}

fn at(hours: i64) -> Timestamp {
    T0.plus_millis(hours * HOUR)
}

#[tokio::test]
async fn every_state_change_is_recorded_with_its_time_in_order() {
    let k = Kiosk::new().await;
    let q = &k.queue;
    let id = k.enqueue(1, "to-1", at(0)).await;
    q.begin_upload(id, at(1)).await.expect("begin");
    let code = ReasonCode::new("http-503").expect("code");
    q.upload_failed(id, &code, at(2), at(1))
        .await
        .expect("failed");
    q.begin_upload(id, at(2)).await.expect("begin again");
    q.upload_done(id, at(2)).await.expect("uploaded");
    q.acknowledge(id, at(3)).await.expect("ack");
    q.record_review(id, &ReviewOutcome::Approved, at(24))
        .await
        .expect("approved");
    // A refused step writes nothing.
    assert!(matches!(
        q.record_review(id, &ReviewOutcome::Approved, at(25)).await,
        Err(QueueError::IllegalTransition(_))
    ));
    q.record_review(id, &ReviewOutcome::Activated, at(48))
        .await
        .expect("activated");
    let history = q.history(id).await.expect("history");
    let expected = [
        (None, Queued, 0),
        (Some(Queued), Uploading, 1),
        (Some(Uploading), Queued, 1),
        (Some(Queued), Uploading, 2),
        (Some(Uploading), Uploaded, 2),
        (Some(Uploaded), Acknowledged, 3),
        (Some(Acknowledged), Approved, 24),
        (Some(Approved), Activated, 48),
    ]
    .map(|(from, to, h)| StateChange {
        from,
        to,
        at: at(h),
    });
    assert_eq!(history, expected);
}

#[tokio::test]
async fn interrupted_uploads_go_back_to_queued_in_the_history_too() {
    let k = Kiosk::new().await;
    let a = k.enqueue(1, "to-1", at(0)).await;
    let b = k.enqueue(2, "to-1", at(0)).await;
    k.queue.begin_upload(a, at(1)).await.expect("begin");
    assert_eq!(
        k.queue
            .recover_interrupted_uploads(at(5))
            .await
            .expect("recover"),
        1
    );
    let last = k.queue.history(a).await.expect("history").pop();
    assert_eq!(
        last,
        Some(StateChange {
            from: Some(Uploading),
            to: Queued,
            at: at(5)
        })
    );
    assert_eq!(k.queue.history(b).await.expect("history").len(), 1);
}

fn count(rows: &[(String, EnrollmentState, u64)], key: &str, state: EnrollmentState) -> u64 {
    rows.iter()
        .filter(|(k, s, _)| k == key && *s == state)
        .map(|(_, _, n)| n)
        .sum()
}

#[tokio::test]
async fn reports_count_by_the_day_a_state_was_reached_and_as_of_a_date() {
    let k = Kiosk::new().await;
    let q = &k.queue;
    // Day 0: three enrollments in to-1, one in to-2. Day 1: all delivered; a and d approved,
    // b rejected. Day 2: a activated.
    let a = k.enqueue(1, "to-1", at(1)).await;
    let b = k.enqueue(2, "to-1", at(2)).await;
    let c = k.enqueue(3, "to-1", at(3)).await;
    let d = k.enqueue(4, "to-2", at(4)).await;
    for id in [a, b, c, d] {
        k.deliver(id, at(25)).await;
    }
    q.record_review(a, &ReviewOutcome::Approved, at(30))
        .await
        .expect("a");
    q.record_review(d, &ReviewOutcome::Approved, at(31))
        .await
        .expect("d");
    let reason = ReasonCode::new("portrait-mismatch").expect("code");
    q.record_review(b, &ReviewOutcome::Rejected(reason), at(32))
        .await
        .expect("b");
    q.record_review(a, &ReviewOutcome::Activated, at(50))
        .await
        .expect("a activated");

    let day1 = q
        .reached_by(Dimension::Group, at(24), at(48))
        .await
        .expect("day 1");
    assert_eq!(count(&day1, "to-1", Approved), 1);
    assert_eq!(count(&day1, "to-2", Approved), 1);
    assert_eq!(count(&day1, "to-1", Rejected), 1);
    assert_eq!(count(&day1, "to-1", Acknowledged), 3);
    assert_eq!(count(&day1, "to-1", Activated), 0);
    let day2 = q
        .reached_by(Dimension::Group, at(48), at(72))
        .await
        .expect("day 2");
    assert_eq!(count(&day2, "to-1", Activated), 1);
    assert_eq!(count(&day2, "to-1", Approved), 0);
    // The same from the one-pass read of all three dimensions.
    let all = q.reached_all(at(24), at(48)).await.expect("all");
    let sum = |group: &str, state| {
        all.iter()
            .filter(|r| r.group == group && r.state == state && r.device == "kiosk-test")
            .map(|r| r.n)
            .sum::<u64>()
    };
    assert_eq!(
        [
            sum("to-1", Approved),
            sum("to-2", Approved),
            sum("to-1", Rejected)
        ],
        [1, 1, 1]
    );
    let made = q.created_all(at(0), at(24)).await.expect("made");
    assert_eq!(made.iter().map(|r| r.n).sum::<u64>(), 4);
    let devices = q
        .reached_by(Dimension::Device, at(24), at(48))
        .await
        .expect("devices");
    assert_eq!(count(&devices, "kiosk-test", Approved), 2);

    // As of the end of day 0 everything was queued; as of the end of day 1, a approved (not yet
    // activated), b rejected, c acknowledged; now a is activated.
    let everything = (at(-1000), at(1000));
    let end_of_day0 = q
        .counts_as_of(Dimension::Group, everything.0, everything.1, at(24))
        .await
        .expect("day 0");
    assert_eq!(count(&end_of_day0, "to-1", Queued), 3);
    let end_of_day1 = q
        .counts_as_of(Dimension::Group, everything.0, everything.1, at(48))
        .await
        .expect("day 1");
    assert_eq!(
        [Approved, Rejected, Acknowledged, Activated].map(|s| count(&end_of_day1, "to-1", s)),
        [1, 1, 1, 0]
    );
    let today = q
        .counts_as_of(Dimension::Group, everything.0, everything.1, at(1000))
        .await
        .expect("now");
    assert_eq!(count(&today, "to-1", Activated), 1);
    assert_eq!(count(&today, "to-1", Approved), 0);
    // Only the packages created in the window count.
    let created_day0_first_two = q
        .counts_as_of(Dimension::Group, at(0), at(3), at(1000))
        .await
        .expect("window");
    assert_eq!(
        created_day0_first_two
            .iter()
            .map(|(_, _, n)| n)
            .sum::<u64>(),
        2
    );

    let per_day = q
        .reached_per_day(Approved, at(0), at(100), 0)
        .await
        .expect("per day");
    let day_of = |t: Timestamp| t.unix_millis().div_euclid(86_400_000);
    assert_eq!(per_day, vec![(day_of(at(30)), 2)]);
    let created = q.created_per_day(at(0), at(100), 0).await.expect("created");
    assert_eq!(created.iter().map(|(_, n)| n).sum::<u64>(), 4);
}

#[tokio::test]
async fn follow_up_lists_page_in_state_change_order_and_read_their_records_in_one_batch() {
    let k = Kiosk::new().await;
    let q = &k.queue;
    let mut approved = Vec::new();
    for n in 0..7u32 {
        let group = if n % 2 == 0 { "to-1" } else { "to-2" };
        let id = k.enqueue(n, group, at(0)).await;
        k.deliver(id, at(1)).await;
        // Approved in reverse creation order, one hour apart.
        approved.push((id, at(100 - i64::from(n))));
    }
    for (id, when) in &approved {
        q.record_review(*id, &ReviewOutcome::Approved, *when)
            .await
            .expect("approved");
    }
    let oldest_first: Vec<PackageId> = approved.iter().rev().map(|(id, _)| *id).collect();
    let mut paged = Vec::new();
    for page in 0..3u64 {
        let rows = q
            .page_in_states(&[Approved], None, PageOrder::StateChanged, 3, page * 3)
            .await
            .expect("page");
        paged.extend(rows.into_iter().map(|r| r.id));
    }
    assert_eq!(paged, oldest_first);
    assert_eq!(q.count_in_states(&[Approved], None).await.expect("n"), 7);
    let to1 = GroupId::new("to-1").expect("id");
    assert_eq!(
        q.count_in_states(&[Approved], Some(&to1)).await.expect("n"),
        4
    );
    let first_of_to1 = q
        .page_in_states(&[Approved], Some(&to1), PageOrder::StateChanged, 2, 0)
        .await
        .expect("to-1");
    assert_eq!(first_of_to1.len(), 2);
    assert!(first_of_to1.iter().all(|r| r.group == to1));
    assert!(first_of_to1[0].state_changed_at <= first_of_to1[1].state_changed_at);
    assert!(
        q.page_in_states(&[Queued, Uploading], None, PageOrder::Created, 10, 0)
            .await
            .expect("none")
            .is_empty()
    );

    let records = q.followups(&paged).await.expect("batch");
    assert_eq!(records.len(), 7);
    for id in &paged {
        let one = q.followup(*id).await.expect("one").expect("stored");
        let batch = records.get(id).expect("in batch");
        assert_eq!(
            k.local.open(*id, batch).expect("opens"),
            k.local.open(*id, &one).expect("opens")
        );
    }
}

#[tokio::test]
async fn packages_queued_before_the_history_existed_get_their_known_milestones() {
    let k = Kiosk::new().await;
    let q = &k.queue;
    let a = k.enqueue(1, "to-1", at(0)).await;
    let b = k.enqueue(2, "to-1", at(1)).await;
    k.deliver(a, at(2)).await;
    q.record_review(a, &ReviewOutcome::Approved, at(10))
        .await
        .expect("approved");
    q.record_review(a, &ReviewOutcome::Activated, at(20))
        .await
        .expect("activated");
    // Turn the file back into one from before the history migration, then reopen it.
    for sql in [
        "DROP TABLE state_history",
        "DROP INDEX packages_state_changed",
        "DROP INDEX packages_group_state_changed",
        "DROP INDEX packages_created",
        "DELETE FROM _sqlx_migrations WHERE version = 10",
    ] {
        sqlx::query(sql).execute(&k.pool()).await.expect(sql);
    }
    let path = k.dir.path().join("queue.sqlite");
    k.queue.clone().close().await;
    let q = Queue::open(&path).await.expect("reopen migrates");
    let milestones = |h: Vec<StateChange>| h.into_iter().map(|c| (c.to, c.at)).collect::<Vec<_>>();
    assert_eq!(
        milestones(q.history(a).await.expect("a")),
        vec![(Queued, at(0)), (Acknowledged, at(2)), (Activated, at(20))]
    );
    assert_eq!(
        milestones(q.history(b).await.expect("b")),
        vec![(Queued, at(1))]
    );
}

impl Kiosk {
    /// A raw connection pool to the same file, to rewind its schema.
    fn pool(&self) -> sqlx::SqlitePool {
        sqlx::SqlitePool::connect_lazy_with(
            sqlx::sqlite::SqliteConnectOptions::new()
                .filename(self.dir.path().join("queue.sqlite")),
        )
    }
}
