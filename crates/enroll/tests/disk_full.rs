//! A full disk, for real: a small tmpfs mounted for each test (the tests run as root, as the
//! project's CI does). A full disk is a clear error, never a damaged queue, and the queue
//! works again once space returns.

use enroll::demo::demo_enrollment;
use enroll::ids::{DeviceId, GroupId};
use enroll::package::{BackOfficeSecretKey, DeviceSigningKey, SealedPackage, open, seal};
use enroll::queue::{Enqueued, Queue, QueueError, QueueOptions};
use enroll::timestamp::Timestamp;
use getrandom::SysRng;
use rand_core::UnwrapErr;
use std::path::Path;
use std::process::Command;

const T0: Timestamp = Timestamp::from_unix_millis(1_790_000_000_000);

/// A tmpfs of `size` mounted on a fresh directory, unmounted on drop.
struct Tmpfs(tempfile::TempDir);

impl Tmpfs {
    fn mount(size: &str) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .expect("run mount");
        assert!(
            status.success(),
            "mounting a tmpfs needs root (the disk-full tests run as root, like CI)"
        );
        Self(dir)
    }

    fn path(&self) -> &Path {
        self.0.path()
    }

    fn resize(&self, size: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(self.path())
            .status()
            .expect("run mount");
        assert!(status.success(), "remount");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        // Lazy, so a file still open (a failed test's database) cannot keep the mount alive.
        let _ = Command::new("umount").arg("-l").arg(self.0.path()).status();
    }
}

struct Keys {
    device: DeviceSigningKey,
    office_secret: BackOfficeSecretKey,
}

fn package(keys: &Keys, n: u32) -> SealedPackage {
    let e = demo_enrollment(
        n,
        60 * 1024,
        &DeviceId::new("kiosk-full").expect("id"),
        &GroupId::new("g").expect("id"),
        T0,
    )
    .expect("demo");
    seal(
        &e,
        T0,
        &keys.device,
        &keys.office_secret.public_key(),
        &mut UnwrapErr(SysRng),
    )
    .expect("seal")
}

fn keys() -> Keys {
    let mut rng = UnwrapErr(SysRng);
    Keys {
        device: DeviceSigningKey::generate(&mut rng),
        office_secret: BackOfficeSecretKey::generate(&mut rng).0,
    }
}

/// Enqueues until refused; returns the packages that went in and the refused one.
async fn fill(q: &Queue, keys: &Keys) -> (Vec<SealedPackage>, SealedPackage, QueueError) {
    let mut stored = Vec::new();
    for n in 0..1_000 {
        let p = package(keys, n);
        match q.enqueue(&p, None, T0).await {
            Ok(Enqueued::Added) => stored.push(p),
            Ok(Enqueued::AlreadyPresent) => panic!("fresh package reported present"),
            Err(e) => return (stored, p, e),
        }
    }
    panic!("a small file system never filled up");
}

async fn assert_intact(q: &Queue, keys: &Keys, stored: &[SealedPackage]) {
    q.integrity_check().await.expect("integrity check passes");
    let outbox = q.outbox(T0, u32::MAX).await.expect("outbox");
    assert_eq!(outbox.len(), stored.len());
    for p in stored {
        let back = q.package(p.id()).await.expect("read").expect("body");
        assert_eq!(&back, p);
        open(&back, &keys.device.verifying_key(), &keys.office_secret).expect("opens");
    }
}

#[tokio::test]
async fn a_full_disk_is_a_clear_error_keeps_old_packages_and_recovers() {
    let fs = Tmpfs::mount("3m");
    let keys = keys();
    let db = fs.path().join("queue.sqlite");
    // No reserve: the refusal below can only be SQLite's own SQLITE_FULL on ENOSPC.
    let no_reserve = QueueOptions {
        reserve_free_bytes: None,
    };
    let q = Queue::open_with(&db, no_reserve).await.expect("open");
    let (stored, refused, err) = fill(&q, &keys).await;
    assert!(matches!(err, QueueError::DiskFull), "{err:?}");
    assert!(stored.len() >= 5, "only {} packages fitted", stored.len());
    assert_intact(&q, &keys, &stored).await;

    fs.resize("32m");
    assert_eq!(
        q.enqueue(&refused, None, T0).await.expect("room again"),
        Enqueued::Added
    );
    q.close().await;
    let q = Queue::open_with(&db, no_reserve).await.expect("reopen");
    let mut all = stored;
    all.push(refused);
    assert_intact(&q, &keys, &all).await;
    q.close().await;
}

#[tokio::test]
async fn the_reserve_refuses_new_enrollments_before_sqlite_runs_out_of_room() {
    let fs = Tmpfs::mount("6m");
    let keys = keys();
    let reserve = 2 * 1024 * 1024;
    let q = Queue::open_with(
        &fs.path().join("queue.sqlite"),
        QueueOptions {
            reserve_free_bytes: Some(reserve),
        },
    )
    .await
    .expect("open");
    assert!(q.can_accept_enrollment().is_ok());
    let (stored, _, err) = fill(&q, &keys).await;
    assert!(matches!(err, QueueError::DiskFull), "{err:?}");
    assert!(
        q.free_bytes().expect("statvfs") >= reserve,
        "refused by the reserve, before the file system was full"
    );
    assert!(matches!(
        q.can_accept_enrollment(),
        Err(QueueError::DiskFull)
    ));
    assert_intact(&q, &keys, &stored).await;
    q.close().await;
}
