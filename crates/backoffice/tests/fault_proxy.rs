//! Exactly-once, in-order delivery over a bad network: one kiosk drains hundreds of queued
//! packages (thousands with `VNEID_SYNC_PACKAGES=3000`) through a proxy that drops, resets
//! mid-body, truncates, delays and duplicates connections, while the server itself answers 503
//! before handling or 500 after handling a share of requests. Afterwards every package is
//! acknowledged once at the server, in queue order, none lost, none stored twice.

mod common;

use backoffice::api::Faults;
use common::fault_proxy::FaultProxy;
use common::{TestKiosk, TestServer, rng};
use enroll::state::EnrollmentState;
use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use sync::client::{Backoff, SyncLoop};
use sync::messages::ApplicationStatus;

fn package_count() -> u32 {
    std::env::var("VNEID_SYNC_PACKAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_package_arrives_exactly_once_in_order_through_a_faulty_network() {
    let count = package_count();
    let dir = tempfile::tempdir().expect("tempdir");
    let faults = Faults {
        unavailable_per_mille: 30,
        internal_after_per_mille: 30,
    };
    let server = TestServer::start(dir.path(), faults).await;
    let kiosk = TestKiosk::new(dir.path(), "kiosk-faulty").await;
    // Registration goes straight to the server; everything after goes through the proxy.
    let direct = kiosk.client_for(&server.url(), 256 * 1024);
    let mut registered = None;
    for _ in 0..20 {
        if let Ok(r) = direct.register(&server.token().await).await {
            registered = Some(r);
            break;
        }
    }
    assert!(
        registered.is_some(),
        "registration (retried past injected 503/500)"
    );
    let sealing = Instant::now();
    let ids = kiosk.enqueue(&server.package_key, count).await;
    let sealing = sealing.elapsed();

    let proxy = FaultProxy::start(server.addr).await;
    // 32 KiB chunks: a 60-80 KB package takes 2-3 chunks, so cuts land between chunks too.
    let client = kiosk.client_for(&proxy.url(), 32 * 1024);
    let backoff = Backoff {
        base: Duration::from_millis(5),
        max: Duration::from_millis(100),
    };
    let sync = SyncLoop::new(
        client,
        kiosk.queue.clone(),
        server.receipt_key,
        backoff,
        rng(),
        kiosk.dir.join("status-cursor"),
    )
    .with_idle_poll(Duration::from_millis(50));
    let mut progress = sync.progress();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let started = Instant::now();
    let task = tokio::spawn(sync.run(stopped));
    let deadline = Duration::from_secs(60 + u64::from(count) / 2);
    let drained = tokio::time::timeout(deadline, async {
        while progress.borrow_and_update().acknowledged < u64::from(count) {
            if progress.changed().await.is_err() {
                break;
            }
        }
    })
    .await;
    let elapsed = started.elapsed();
    let _ = stop.send(true);
    let _ = task.await;
    proxy_report(&proxy, count, elapsed, sealing);
    assert!(
        drained.is_ok(),
        "not drained in {deadline:?}: {:?}",
        progress.borrow()
    );

    // The server holds each package once, in the kiosk's order, numbered 1..=count.
    let stored = server.store().packages().await.expect("packages");
    let order: Vec<_> = stored.iter().map(|p| p.package_id).collect();
    assert_eq!(order.len(), ids.len(), "none lost, none duplicated");
    assert_eq!(order, ids, "in queue order");
    assert!(
        stored
            .iter()
            .enumerate()
            .all(|(i, p)| p.device_seq == i as i64 + 1)
    );
    let received = server
        .store()
        .status_changes(&kiosk.device, 0, 1_000_000)
        .await
        .expect("status log");
    let received: Vec<_> = received
        .iter()
        .filter(|c| c.status == ApplicationStatus::Received)
        .map(|c| c.package_id)
        .collect();
    assert_eq!(received.len(), ids.len(), "acknowledged exactly once each");
    assert_eq!(received.iter().collect::<HashSet<_>>().len(), ids.len());

    // The kiosk: everything acknowledged and purged, nothing quarantined; the faults were real.
    let mut attempts = 0u64;
    for id in &ids {
        let status = kiosk.queue.status(*id).await.expect("status");
        assert_eq!(status.state, EnrollmentState::Acknowledged);
        assert!(!status.body_present);
        attempts += u64::from(status.attempts);
    }
    assert_eq!(progress.borrow().quarantined, 0);
    println!(
        "upload attempts: {attempts} for {} packages ({:.2} per package)",
        ids.len(),
        attempts as f64 / ids.len() as f64
    );
    assert!(
        attempts > u64::from(count),
        "the faults made the kiosk retry"
    );
    let s = &proxy.stats;
    assert!(
        s.connections.load(Ordering::Relaxed) >= 20,
        "{}",
        s.summary()
    );
    for (name, n) in [
        ("dropped", &s.dropped),
        ("reset mid-body", &s.reset_mid_body),
        ("truncated", &s.truncated),
        ("delayed", &s.delayed),
        ("duplicated", &s.duplicated),
        ("replays refused", &s.replays_refused),
    ] {
        assert!(n.load(Ordering::Relaxed) > 0, "no connection was {name}");
    }
    proxy.stop();
    server.stop().await;
}

fn proxy_report(proxy: &FaultProxy, count: u32, elapsed: Duration, sealing: Duration) {
    println!(
        "{count} packages through the fault proxy in {:.2} s: {:.1} packages/s (sealing + enqueue took {:.2} s); {}",
        elapsed.as_secs_f64(),
        f64::from(count) / elapsed.as_secs_f64(),
        sealing.as_secs_f64(),
        proxy.stats.summary()
    );
}
