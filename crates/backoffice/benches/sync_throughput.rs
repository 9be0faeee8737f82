//! Sync throughput over loopback with real SQLite files (`synchronous=FULL` on both sides):
//! one kiosk draining its queue of ~60 KB packages straight to the back office and through the
//! fault proxy (with the server's injected 503/500), and the back office ingesting from 50
//! kiosks at once (packages/s, p50/p99 acknowledgement latency: offer to verified receipt).
//!
//! Writes `bench/results/sync.json` and `bench/results/sync.md` (on PostgreSQL:
//! `sync-postgres.*`). Run: `cargo bench -p backoffice --bench sync_throughput`, or on PostgreSQL
//! `crates/backoffice/tests/with-postgres.sh bench -p backoffice --bench sync_throughput`
//! (`VNEID_SYNC_BENCH_PACKAGES=N` changes the 1,000 packages of each scenario).

#[path = "../tests/common/mod.rs"]
mod common;

use backoffice::api::Faults;
use common::fault_proxy::FaultProxy;
use common::{TestKiosk, TestServer, rng};
use std::time::{Duration, Instant};
use sync::client::{Backoff, SyncLoop};

const KIOSKS: usize = 50;

fn packages() -> u32 {
    std::env::var("VNEID_SYNC_BENCH_PACKAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000)
}

struct Drain {
    name: &'static str,
    packages: u32,
    bytes: u64,
    seconds: f64,
    attempts: u64,
}

/// One kiosk drains `count` queued packages to the server, directly or through the proxy.
async fn drain(name: &'static str, count: u32, through_proxy: bool) -> Drain {
    let dir = tempfile::tempdir().expect("tempdir");
    let faults = if through_proxy {
        Faults {
            unavailable_per_mille: 30,
            internal_after_per_mille: 30,
        }
    } else {
        Faults::default()
    };
    let server = TestServer::start(dir.path(), faults).await;
    let kiosk = TestKiosk::new(dir.path(), "kiosk-bench").await;
    let direct = kiosk.client_for(&server.url(), 256 * 1024);
    let mut registered = false;
    for _ in 0..20 {
        if direct.register(&server.token().await).await.is_ok() {
            registered = true;
            break;
        }
    }
    assert!(registered, "registration");
    let mut bytes = 0u64;
    for n in 0..count {
        let package = kiosk.seal(&server.package_key, n, false);
        bytes += package.as_bytes().len() as u64;
        kiosk
            .queue
            .enqueue(&package, None, enroll::timestamp::Timestamp::now())
            .await
            .expect("enqueue");
    }
    let proxy = if through_proxy {
        Some(FaultProxy::start(server.addr).await)
    } else {
        None
    };
    let url = proxy.as_ref().map_or_else(|| server.url(), FaultProxy::url);
    let chunk = if through_proxy { 32 * 1024 } else { 256 * 1024 };
    let backoff = Backoff {
        base: Duration::from_millis(5),
        max: Duration::from_millis(100),
    };
    let mut sync = SyncLoop::new(
        kiosk.client_for(&url, chunk),
        kiosk.queue.clone(),
        server.receipt_key,
        backoff,
        rng(),
        kiosk.dir.join("cursor"),
    );
    let progress = sync.progress();
    let started = Instant::now();
    while progress.borrow().acknowledged < u64::from(count) {
        match sync.drain().await.expect("queue") {
            sync::client::PassOutcome::Drained => {}
            _ => tokio::time::sleep(Duration::from_millis(5)).await,
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let stored = server.store().packages().await.expect("packages");
    assert_eq!(stored.len(), count as usize, "each package stored once");
    let mut attempts = 0;
    for p in &stored {
        attempts += u64::from(
            kiosk
                .queue
                .status(p.package_id)
                .await
                .expect("status")
                .attempts,
        );
    }
    if let Some(p) = proxy {
        println!("{name}: {}", p.stats.summary());
        p.stop();
    }
    server.stop().await;
    Drain {
        name,
        packages: count,
        bytes,
        seconds,
        attempts,
    }
}

struct Ingest {
    packages: usize,
    seconds: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

/// `KIOSKS` kiosks upload their pre-sealed packages at once, each in order.
async fn ingest(total: u32) -> Ingest {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(dir.path(), Faults::default()).await;
    let per_kiosk = (total as usize).div_ceil(KIOSKS);
    let mut kiosks = Vec::new();
    for k in 0..KIOSKS {
        let kiosk = TestKiosk::new(dir.path(), &format!("kiosk-{k:02}")).await;
        let client = kiosk.client_for(&server.url(), 256 * 1024);
        client
            .register(&server.token().await)
            .await
            .expect("registers");
        let packages: Vec<_> = (0..per_kiosk)
            .map(|n| kiosk.seal(&server.package_key, n as u32, false))
            .collect();
        kiosks.push((client, packages));
    }
    let receipt_key = server.receipt_key;
    let started = Instant::now();
    let tasks: Vec<_> = kiosks
        .into_iter()
        .map(|(client, packages)| {
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                for package in &packages {
                    let t = Instant::now();
                    client
                        .upload(package, &receipt_key, |_, _| {})
                        .await
                        .expect("upload");
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.expect("kiosk task"));
    }
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort();
    let at = |q: f64| {
        let i = ((latencies.len() as f64 - 1.0) * q).round() as usize;
        latencies.get(i).map_or(0.0, |d| d.as_secs_f64() * 1e3)
    };
    let stored = server.store().packages().await.expect("packages");
    assert_eq!(stored.len(), latencies.len());
    server.stop().await;
    Ingest {
        packages: latencies.len(),
        seconds,
        p50_ms: at(0.5),
        p99_ms: at(0.99),
        max_ms: at(1.0),
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let count = packages();
    let drains = [
        drain(
            "one kiosk draining to the back office, loopback",
            count,
            false,
        )
        .await,
        drain(
            "one kiosk draining through the fault proxy (+3 % 503, +3 % 500)",
            count,
            true,
        )
        .await,
    ];
    let ingest = ingest(count).await;
    let mut table = vec![
        "| scenario | packages | avg package | seconds | packages/s | MB/s | attempts/package |"
            .to_owned(),
        "|---|---|---|---|---|---|---|".to_owned(),
    ];
    let mut json = Vec::new();
    for d in &drains {
        let rate = f64::from(d.packages) / d.seconds;
        let mbps = d.bytes as f64 / d.seconds / 1e6;
        let avg = d.bytes / u64::from(d.packages.max(1));
        let per = d.attempts as f64 / f64::from(d.packages.max(1));
        table.push(format!(
            "| {} | {} | {avg} B | {:.2} | {rate:.1} | {mbps:.2} | {per:.2} |",
            d.name, d.packages, d.seconds
        ));
        json.push(format!(
            "{{\"scenario\": \"{}\", \"packages\": {}, \"avg_package_bytes\": {avg}, \"seconds\": {:.3}, \"packages_per_s\": {rate:.2}, \"mb_per_s\": {mbps:.3}, \"attempts_per_package\": {per:.3}}}",
            d.name, d.packages, d.seconds
        ));
    }
    let ingest_rate = ingest.packages as f64 / ingest.seconds;
    let (engine, database, stem) = match common::expected_engine() {
        backoffice::store::Engine::Sqlite => ("SQLite", "sqlite (WAL, synchronous=FULL)", "sync"),
        backoffice::store::Engine::Postgres => (
            "PostgreSQL",
            "postgresql 15 (local, fsync on)",
            "sync-postgres",
        ),
    };
    let summary = format!(
        "# Sync throughput ({database}, loopback)\n\n{}\n\nBack-office ingest, {KIOSKS} kiosks at once, {} packages: {ingest_rate:.1} packages/s; acknowledgement latency (offer to verified receipt) p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms.\n",
        table.join("\n"),
        ingest.packages,
        ingest.p50_ms,
        ingest.p99_ms,
        ingest.max_ms
    );
    println!("{summary}");
    let json = format!(
        "{{\n  \"benchmark\": \"sync\",\n  \"database\": \"{database}\",\n  \"drain\": [\n    {}\n  ],\n  \"ingest\": {{\"kiosks\": {KIOSKS}, \"packages\": {}, \"seconds\": {:.3}, \"packages_per_s\": {ingest_rate:.2}, \"ack_latency_ms\": {{\"p50\": {:.2}, \"p99\": {:.2}, \"max\": {:.2}}}}}\n}}\n",
        json.join(",\n    "),
        ingest.packages,
        ingest.seconds,
        ingest.p50_ms,
        ingest.p99_ms,
        ingest.max_ms
    );
    let results = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/results");
    println!("engine: {engine}");
    for (file, text) in [
        (format!("{stem}.json"), json),
        (format!("{stem}.md"), summary),
    ] {
        let out = results.join(file);
        match std::fs::write(&out, text) {
            Ok(()) => println!("wrote {}", out.display()),
            Err(err) => eprintln!("cannot write {}: {err}", out.display()),
        }
    }
}
