//! Approvals and activations made by the reference back office's simulated review reach the
//! kiosk's queue through the real sync client, dated when the back office made them; the
//! kiosk's progress reports (crates/reports) then count them on those days, per residential
//! group, equal to counts made here from the back office's own store.

mod common;

use backoffice::api::Faults;
use backoffice::review::ReviewPolicy;
use common::{TestKiosk, TestServer, rng};
use enroll::timestamp::Timestamp;
use reports::calendar::{LocalDate, Period};
use reports::groups::GroupDirectory;
use reports::report::{ProgressReport, ReportRequest};
use std::collections::BTreeMap;
use std::time::Duration;
use sync::client::{Backoff, SyncLoop};

const DAY: i64 = 86_400_000;

fn directory() -> GroupDirectory {
    let mut toml = String::from(
        "[commune]\nauthority = \"ỦY BAN NHÂN DÂN\"\nname = \"PHƯỜNG MẪU\"\nplace = \"Mẫu\"\n",
    );
    for n in 1..=5 {
        toml.push_str(&format!(
            "[[group]]\nid = \"to-dan-pho-{n}\"\nname = \"Tổ dân phố {n}\"\ntarget = 8\n"
        ));
    }
    GroupDirectory::from_toml(&toml).expect("directory")
}

/// Per group, how many packages the back office's store holds with each final review.
fn store_counts(stored: &[backoffice::store::StoredPackage]) -> BTreeMap<(String, String), u64> {
    let mut m = BTreeMap::new();
    for p in stored {
        *m.entry((p.group.clone(), p.review.clone())).or_default() += 1;
    }
    m
}

#[tokio::test]
async fn reports_count_the_back_offices_approvals_and_activations_on_the_days_it_made_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(dir.path(), Faults::default()).await;
    let kiosk = TestKiosk::new(dir.path(), "kiosk-reports").await;
    let client = kiosk.client_for(&server.url(), 256 * 1024);
    client
        .register(&server.token().await)
        .await
        .expect("registers");
    kiosk.enqueue(&server.package_key, 40).await;
    let mut sync = SyncLoop::new(
        client,
        kiosk.queue.clone(),
        server.receipt_key,
        Backoff::default(),
        rng(),
        kiosk.dir.join("status-cursor"),
    );
    sync.pass().await.expect("a pass");

    // The review decides everything on day 1 (a fifth rejected) and every approval is
    // activated one day later, on day 2.
    let policy = ReviewPolicy {
        decide_after: Duration::ZERO,
        reject_per_mille: 200,
        activate_after: Duration::from_millis(DAY as u64),
        activate_per_mille: 1000,
    };
    let day1 = Timestamp::now().plus_millis(DAY);
    let day2 = day1.plus_millis(DAY);
    assert_eq!(
        policy.tick(server.store(), day1).await.expect("decides"),
        40
    );
    let activated = policy.tick(server.store(), day2).await.expect("activates");
    assert!(activated > 20 && activated < 40, "{activated} activated");
    sync.pull_statuses().await.expect("pulls the statuses");

    let stored = server.store().packages().await.expect("packages");
    let truth = store_counts(&stored);
    let of = |group: &str, review: &str| {
        truth
            .get(&(group.to_owned(), review.to_owned()))
            .copied()
            .unwrap_or(0)
    };
    let directory = directory();
    let report_for = |day: Timestamp| {
        let request = ReportRequest::for_period(Period::day(LocalDate::containing(day)));
        let queue = kiosk.queue.clone();
        let directory = directory.clone();
        async move {
            ProgressReport::from_queue(&queue, &directory, &request, day2)
                .await
                .expect("report")
        }
    };
    let on_day1 = report_for(day1).await;
    let on_day2 = report_for(day2).await;
    for (l1, l2) in on_day1.groups.iter().zip(&on_day2.groups) {
        let g = l1.id.as_str();
        let (rejected, activated) = (of(g, "rejected"), of(g, "activated"));
        assert_eq!(of(g, "approved"), 0, "every approval was activated");
        // Day 1: the decisions; nothing activated yet, and the approvals stand as of its end.
        assert_eq!(
            (l1.period.approved, l1.period.rejected, l1.period.activated),
            (activated, rejected, 0),
            "day 1, {g}"
        );
        assert_eq!(
            (l1.cumulative.not_activated(), l1.cumulative.activated()),
            (activated, 0),
            "as of day 1, {g}"
        );
        // Day 2: the activations only; progress is activated over the target of 8.
        assert_eq!(
            (l2.period.approved, l2.period.rejected, l2.period.activated),
            (0, 0, activated),
            "day 2, {g}"
        );
        assert_eq!(l2.cumulative.activated(), activated, "as of day 2, {g}");
        assert_eq!(
            l2.progress().map(|p| p.hundredths()),
            Some(activated * 10_000 / 8),
            "{g}"
        );
        assert_eq!(l1.cumulative.enrolled(), rejected + activated);
    }
    assert_eq!(on_day2.period_total().activated, activated);
    assert_eq!(
        on_day1.period_total().approved + on_day1.period_total().rejected,
        40
    );
    server.stop().await;
}
