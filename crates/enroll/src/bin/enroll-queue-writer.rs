//! Writes fictitious sealed enrollments into a queue database, as the kiosk does.
//!
//! `write`: seals and enqueues packages in a loop and prints `committed <package id>` after each
//! enqueue returned; the `kill -9` test runs it and SIGKILLs it at random points.
//! `bench`: seal + sign + commit latency (p50/p99) and packages per second, as JSON.

use enroll::demo::demo_enrollment;
use enroll::ids::{DeviceId, GroupId};
use enroll::local_key::{FollowUp, LocalKey};
use enroll::package::{BackOfficePublicKey, BackOfficeSecretKey, DeviceSigningKey, seal};
use enroll::queue::Queue;
use enroll::timestamp::Timestamp;
use getrandom::SysRng;
use rand_core::UnwrapErr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage:
  enroll-queue-writer write <db> <office-public-key-hex> <device-seed-hex> <local-key-file> <first-n> <count>
  enroll-queue-writer bench <dir> <count> <portrait-bytes>";

fn hex32(s: &str) -> Result<[u8; 32], String> {
    let bytes = s.as_bytes();
    if bytes.len() != 64 {
        return Err("a key must be 64 hex digits".into());
    }
    let mut out = [0u8; 32];
    for (o, pair) in out.iter_mut().zip(bytes.chunks(2)) {
        let text = std::str::from_utf8(pair).map_err(|_| "not hex")?;
        *o = u8::from_str_radix(text, 16).map_err(|_| "not hex")?;
    }
    Ok(out)
}

fn number<T: std::str::FromStr>(s: Option<&String>, what: &str) -> Result<T, String> {
    s.and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("{what} must be a number"))
}

struct Writer {
    queue: Queue,
    device_key: DeviceSigningKey,
    office: BackOfficePublicKey,
    local: LocalKey,
    device: DeviceId,
    group: GroupId,
}

impl Writer {
    async fn one(&self, n: u32, portrait_len: usize) -> Result<String, String> {
        let now = Timestamp::now();
        let enrollment = demo_enrollment(n, portrait_len, &self.device, &self.group, now)
            .map_err(|e| e.to_string())?;
        let mut rng = UnwrapErr(SysRng);
        let package = seal(&enrollment, now, &self.device_key, &self.office, &mut rng)
            .map_err(|e| e.to_string())?;
        let followup = self
            .local
            .seal(package.id(), &FollowUp::of(&enrollment))
            .map_err(|e| e.to_string())?;
        self.queue
            .enqueue(&package, Some(&followup), now)
            .await
            .map_err(|e| e.to_string())?;
        Ok(package.id().to_string())
    }
}

async fn writer(
    db: &Path,
    office: BackOfficePublicKey,
    device_key: DeviceSigningKey,
    local_key: &Path,
) -> Result<Writer, String> {
    let queue = Queue::open(db).await.map_err(|e| e.to_string())?;
    let (local, _) = LocalKey::load_or_create_file(local_key).map_err(|e| e.to_string())?;
    Ok(Writer {
        queue,
        device_key,
        office,
        local,
        device: DeviceId::new("kiosk-crash-test").map_err(|e| e.to_string())?,
        group: GroupId::new("thon-1").map_err(|e| e.to_string())?,
    })
}

async fn write(args: &[String]) -> Result<(), String> {
    let [db, office, seed, local_key, first, count] = args else {
        return Err(USAGE.into());
    };
    let office = BackOfficePublicKey::from_bytes(&hex32(office)?).map_err(|e| e.to_string())?;
    let device_key = DeviceSigningKey::from_seed(&hex32(seed)?);
    let first: u32 = number(Some(first), "first-n")?;
    let count: u32 = number(Some(count), "count")?;
    let w = writer(Path::new(db), office, device_key, Path::new(local_key)).await?;
    let mut stdout = std::io::stdout().lock();
    for n in first..first.saturating_add(count) {
        let id = w.one(n, 20 * 1024).await?;
        writeln!(stdout, "committed {id}").map_err(|e| e.to_string())?;
        stdout.flush().map_err(|e| e.to_string())?;
    }
    Ok(())
}

async fn bench(args: &[String]) -> Result<(), String> {
    let [dir, count, portrait_len] = args else {
        return Err(USAGE.into());
    };
    let count: usize = number(Some(count), "count")?;
    let portrait_len: usize = number(Some(portrait_len), "portrait-bytes")?;
    let dir = PathBuf::from(dir);
    let mut rng = UnwrapErr(SysRng);
    let (_, office) = BackOfficeSecretKey::generate(&mut rng);
    let device_key = DeviceSigningKey::generate(&mut rng);
    let w = writer(
        &dir.join("bench-queue.sqlite"),
        office,
        device_key,
        &dir.join("bench-local.key"),
    )
    .await?;
    let mut micros = Vec::with_capacity(count);
    let started = Instant::now();
    for n in 0..count {
        let t = Instant::now();
        w.one(u32::try_from(n).unwrap_or(u32::MAX), portrait_len)
            .await?;
        micros.push(t.elapsed().as_micros());
    }
    let total = started.elapsed().as_secs_f64();
    w.queue.close().await;
    let db = dir.join("bench-queue.sqlite");
    let db_bytes = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
    let t = Instant::now();
    let reopened = Queue::open(&db).await.map_err(|e| e.to_string())?;
    let reopen_ms = t.elapsed().as_secs_f64() * 1000.0;
    let t = Instant::now();
    reopened
        .integrity_check()
        .await
        .map_err(|e| e.to_string())?;
    let integrity_ms = t.elapsed().as_secs_f64() * 1000.0;
    reopened.close().await;
    micros.sort_unstable();
    let pct = |p: usize| micros.get((micros.len() * p / 100).min(micros.len().saturating_sub(1)));
    let ms = |v: Option<&u128>| v.map(|v| *v as f64 / 1000.0).unwrap_or(f64::NAN);
    println!(
        "{{\"benchmark\":\"enroll seal+sign+commit\",\"synchronous\":\"FULL\",\"journal\":\"WAL\",\
         \"portrait_bytes\":{portrait_len},\"packages\":{count},\"p50_ms\":{:.2},\"p99_ms\":{:.2},\
         \"max_ms\":{:.2},\"packages_per_second\":{:.1},\"database_bytes\":{db_bytes},\
         \"reopen_with_integrity_check_ms\":{reopen_ms:.1},\"integrity_check_ms\":{integrity_ms:.1}}}",
        ms(pct(50)),
        ms(pct(99)),
        ms(micros.last()),
        count as f64 / total
    );
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.split_first() {
        Some((mode, rest)) if mode == "write" => write(rest).await,
        Some((mode, rest)) if mode == "bench" => bench(rest).await,
        _ => Err(USAGE.into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("enroll-queue-writer: {e}");
            ExitCode::FAILURE
        }
    }
}
