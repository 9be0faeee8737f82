//! `kill -9` of a process in the middle of sealing and committing packages, again and again:
//! afterwards every package whose enqueue returned is present, verifies and decrypts, no row is
//! a partial package, the database passes its integrity check and the audit chain verifies.
//!
//! Rounds: 30 by default; set `ENROLL_KILL_ROUNDS` (e.g. 200) for a longer run.

use enroll::package::{BackOfficeSecretKey, DeviceSigningKey, PackageId, open};
use enroll::queue::Queue;
use enroll::timestamp::Timestamp;
use getrandom::SysRng;
use rand_core::{Rng, UnwrapErr};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn killed_writers_never_lose_or_half_write_a_package() {
    let rounds: u32 = std::env::var("ENROLL_KILL_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(30);
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("queue.sqlite");
    let local_key = dir.path().join("local.key");
    let mut rng = UnwrapErr(SysRng);
    let (office_secret, office_public) = BackOfficeSecretKey::generate(&mut rng);
    let device = DeviceSigningKey::generate(&mut rng);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");

    let mut committed: BTreeSet<PackageId> = BTreeSet::new();
    let mut opened: BTreeSet<PackageId> = BTreeSet::new();
    let mut killed_mid_run = 0;
    for round in 0..rounds {
        let mut child = Command::new(env!("CARGO_BIN_EXE_enroll-queue-writer"))
            .args([
                "write",
                db.to_str().expect("utf-8 path"),
                &hex(&office_public.to_bytes()),
                &hex(device.to_seed().as_slice()),
                local_key.to_str().expect("utf-8 path"),
                &(round * 1_000).to_string(),
                "1000",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn the writer");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        // Let it commit a few packages, then kill it at a random moment within the next ones.
        let wait_for = 1 + rng.next_u32() % 6;
        for _ in 0..wait_for {
            match lines.next() {
                Some(Ok(line)) => {
                    let id = line.strip_prefix("committed ").expect("protocol line");
                    committed.insert(id.parse().expect("package id"));
                }
                other => panic!("writer stopped early: {other:?}"),
            }
        }
        std::thread::sleep(Duration::from_micros(u64::from(rng.next_u32() % 30_000)));
        child.kill().expect("SIGKILL");
        let status = child.wait().expect("reap");
        if status.code().is_none() {
            killed_mid_run += 1;
        }
        // Lines the writer printed before it died: those enqueues returned too.
        for line in lines {
            let line = line.expect("utf-8");
            let id = line.strip_prefix("committed ").expect("protocol line");
            committed.insert(id.parse().expect("package id"));
        }

        runtime.block_on(async {
            let q = Queue::open(&db)
                .await
                .expect("reopens, integrity check passes");
            let rows = q
                .outbox(Timestamp::from_unix_millis(i64::MAX), u32::MAX)
                .await
                .expect("outbox");
            let stored: BTreeSet<PackageId> = rows.iter().map(|s| s.id).collect();
            let missing: Vec<_> = committed.difference(&stored).collect();
            assert!(missing.is_empty(), "round {round}: lost {missing:?}");
            assert!(
                stored.len() <= committed.len() + (round as usize + 1),
                "at most one unconfirmed package per kill"
            );
            for status in &rows {
                let package = q
                    .package(status.id)
                    .await
                    .expect("readable")
                    .expect("body present");
                assert_eq!(package.digest(), status.digest);
                // Each package is fully opened once, after the kill that followed its commit;
                // later rounds check that its bytes still match their digest.
                if opened.insert(status.id) {
                    open(&package, &device.verifying_key(), &office_secret)
                        .expect("every stored package verifies and decrypts");
                }
            }
            // The audit entry commits in the same transaction as its package: one each, and
            // the chain verifies after every kill.
            let audited = q.audit().verify().await.expect("audit chain verifies");
            assert_eq!(audited, rows.len() as u64);
            q.close().await;
        });
    }
    assert_eq!(killed_mid_run, rounds, "every round was a SIGKILL mid-run");
    assert!(committed.len() >= rounds as usize);
    eprintln!(
        "{rounds} kills, {} confirmed packages, all present and intact",
        committed.len()
    );
}
