//! A TCP proxy that mistreats connections between the kiosk and the back office: each new
//! connection gets the next fault of a fixed cycle — dropped at once, reset mid-body, response
//! truncated, delayed, delivered twice (the captured request bytes replayed to the server on a
//! fresh connection), or passed through — at a random byte, and every connection dies after a
//! random amount of traffic, so faults keep coming however the client pools its connections
//! and every kind occurs once per ten connections.

use getrandom::SysRng;
use rand_core::{Rng, UnwrapErr};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What befalls one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// Passed through, closed after its lifetime.
    Clean,
    /// Closed with a reset as soon as accepted.
    Drop,
    /// Reset after a few (tens of) kilobytes from the client: mid-body.
    ResetMidBody,
    /// The server's answer cut after a few hundred bytes.
    TruncateResponse,
    /// Every read held back a few milliseconds.
    Delay,
    /// Passed through, then the client's bytes replayed to the server once more.
    Duplicate,
}

/// How many connections met each fault.
#[derive(Debug, Default)]
pub struct ProxyStats {
    pub connections: AtomicU64,
    pub clean: AtomicU64,
    pub dropped: AtomicU64,
    pub reset_mid_body: AtomicU64,
    pub truncated: AtomicU64,
    pub delayed: AtomicU64,
    pub duplicated: AtomicU64,
    /// Replayed requests the server refused as replays (401 replayed_nonce).
    pub replays_refused: AtomicU64,
}

impl ProxyStats {
    pub fn summary(&self) -> String {
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
        format!(
            "connections {} (clean {}, dropped {}, reset mid-body {}, truncated {}, delayed {}, duplicated {}; replays refused as replayed nonces {})",
            g(&self.connections),
            g(&self.clean),
            g(&self.dropped),
            g(&self.reset_mid_body),
            g(&self.truncated),
            g(&self.delayed),
            g(&self.duplicated),
            g(&self.replays_refused)
        )
    }
}

fn below(n: u64) -> u64 {
    UnwrapErr(SysRng).next_u64() % n.max(1)
}

/// The faults, in the order connections meet them.
const CYCLE: [Fault; 10] = [
    Fault::Clean,
    Fault::ResetMidBody,
    Fault::Clean,
    Fault::TruncateResponse,
    Fault::Drop,
    Fault::Delay,
    Fault::Clean,
    Fault::Duplicate,
    Fault::ResetMidBody,
    Fault::TruncateResponse,
];

/// A running proxy in front of `upstream`.
pub struct FaultProxy {
    pub addr: SocketAddr,
    pub stats: Arc<ProxyStats>,
    task: tokio::task::JoinHandle<()>,
}

impl FaultProxy {
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("proxy addr");
        let stats = Arc::new(ProxyStats::default());
        let task_stats = stats.clone();
        let task = tokio::spawn(async move {
            let mut faults = CYCLE.iter().copied().cycle();
            while let Ok((client, _)) = listener.accept().await {
                let stats = task_stats.clone();
                let fault = faults.next().unwrap_or(Fault::Clean);
                tokio::spawn(handle(client, upstream, fault, stats));
            }
        });
        Self { addr, stats, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    pub fn stop(self) {
        self.task.abort();
    }
}

enum End {
    /// One side closed.
    Closed,
    /// The fault's cut point was reached.
    Cut,
}

async fn handle(client: TcpStream, upstream: SocketAddr, fault: Fault, stats: Arc<ProxyStats>) {
    stats.connections.fetch_add(1, Ordering::Relaxed);
    let counter = match fault {
        Fault::Clean => &stats.clean,
        Fault::Drop => &stats.dropped,
        Fault::ResetMidBody => &stats.reset_mid_body,
        Fault::TruncateResponse => &stats.truncated,
        Fault::Delay => &stats.delayed,
        Fault::Duplicate => &stats.duplicated,
    };
    counter.fetch_add(1, Ordering::Relaxed);
    if fault == Fault::Drop {
        let _ = client.set_zero_linger();
        return;
    }
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    // Bytes from the client before the connection is cut; the answer's bytes let through.
    let (mut up_budget, mut down_budget) = match fault {
        Fault::ResetMidBody => (1 + below(150_000), u64::MAX),
        Fault::TruncateResponse => (u64::MAX, below(300)),
        _ => (100_000 + below(900_000), u64::MAX),
    };
    let delay = fault == Fault::Delay;
    let capture = fault == Fault::Duplicate;
    let mut captured = Vec::new();
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    let up = async {
        let mut buf = vec![0u8; 32 * 1024];
        loop {
            let n = match cr.read(&mut buf).await {
                Ok(0) | Err(_) => return End::Closed,
                Ok(n) => n,
            };
            if delay {
                tokio::time::sleep(Duration::from_millis(1 + below(20))).await;
            }
            let allowed = (n as u64).min(up_budget) as usize;
            let Some(bytes) = buf.get(..allowed) else {
                return End::Closed;
            };
            if capture {
                captured.extend_from_slice(bytes);
            }
            if sw.write_all(bytes).await.is_err() {
                return End::Closed;
            }
            up_budget -= allowed as u64;
            if up_budget == 0 {
                return End::Cut;
            }
        }
    };
    let down = async {
        let mut buf = vec![0u8; 32 * 1024];
        loop {
            let n = match sr.read(&mut buf).await {
                Ok(0) | Err(_) => return End::Closed,
                Ok(n) => n,
            };
            if delay {
                tokio::time::sleep(Duration::from_millis(1 + below(20))).await;
            }
            let allowed = (n as u64).min(down_budget) as usize;
            let Some(bytes) = buf.get(..allowed) else {
                return End::Closed;
            };
            if cw.write_all(bytes).await.is_err() {
                return End::Closed;
            }
            down_budget -= allowed as u64;
            if down_budget == 0 {
                return End::Cut;
            }
        }
    };
    let end = tokio::select! {
        e = up => e,
        e = down => e,
    };
    if let (Ok(client), Ok(server)) = (cr.reunite(cw), sr.reunite(sw)) {
        if matches!(end, End::Cut) && fault == Fault::ResetMidBody {
            let _ = client.set_zero_linger();
            let _ = server.set_zero_linger();
        }
        drop(client);
        drop(server);
    }
    if capture && !captured.is_empty() {
        replay(upstream, captured, &stats).await;
    }
}

/// Sends `bytes` (one or more requests as the client sent them) to the server again.
async fn replay(upstream: SocketAddr, bytes: Vec<u8>, stats: &ProxyStats) {
    let Ok(mut server) = TcpStream::connect(upstream).await else {
        return;
    };
    if server.write_all(&bytes).await.is_err() {
        return;
    }
    let mut answer = [0u8; 4096];
    if let Ok(Ok(n)) = tokio::time::timeout(Duration::from_secs(2), server.read(&mut answer)).await
        && answer.get(..n).is_some_and(|a| {
            a.starts_with(b"HTTP/1.1 401") && a.windows(14).any(|w| w == b"replayed_nonce")
        })
    {
        stats.replays_refused.fetch_add(1, Ordering::Relaxed);
    }
}
