//! `backoffice`: the reference back office's command line — serve, create a kiosk registration
//! token, list kiosks and their health, export the stored packages' bookkeeping as CSV.

use backoffice::api::{AppState, Faults};
use backoffice::keys::OfficeKeys;
use backoffice::review::ReviewPolicy;
use backoffice::server::{serve, tls_acceptor};
use backoffice::simulate::SimulatedKiosk;
use backoffice::store::Store;
use clap::{Parser, Subcommand};
use der::Encode;
use emrtd::passive_auth::TrustStore;
use enroll::ids::DeviceId;
use enroll::timestamp::Timestamp;
use getrandom::SysRng;
use rand_core::{Rng, UnwrapErr};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use sync::messages::KioskConfiguration;

#[derive(Parser)]
#[command(
    name = "backoffice",
    about = "The reference back office for VNeID enrollment kiosks"
)]
struct Cli {
    /// The database: a SQLite file, or a `sqlite:` or `postgres://` URL.
    #[arg(long, global = true, default_value = "backoffice.sqlite")]
    db: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the sync protocol.
    Serve {
        /// Address to listen on (loopback unless TLS is configured).
        #[arg(long, default_value = "127.0.0.1:8787")]
        listen: SocketAddr,
        /// Directory of the package and receipt keys (created on first start).
        #[arg(long, default_value = "backoffice-keys")]
        keys: PathBuf,
        /// TLS certificate chain (PEM); with --tls-key, serves HTTPS.
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// TLS private key (PEM).
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// The configuration served to kiosks (JSON: groups, targets, trust store).
        #[arg(long)]
        kiosk_config: Option<PathBuf>,
        /// Directory of CSCA certificates and ICAO master lists: the back office's passive
        /// authentication trusts them, and kiosks receive them as their trust store.
        #[arg(long)]
        trust_store: Option<PathBuf>,
        /// Seconds from receipt to the simulated review's decision.
        #[arg(long, default_value_t = 60)]
        decide_after_secs: u64,
        /// Share of applications the simulated review rejects, per mille.
        #[arg(long, default_value_t = 100)]
        reject_per_mille: u16,
        /// Seconds from approval to simulated activation.
        #[arg(long, default_value_t = 120)]
        activate_after_secs: u64,
        /// Share of approved applications that get activated, per mille.
        #[arg(long, default_value_t = 600)]
        activate_per_mille: u16,
        /// Test flag: share of requests answered 503 unhandled, per mille.
        #[arg(long, default_value_t = 0)]
        fault_unavailable_per_mille: u16,
        /// Test flag: share of requests handled but answered 500, per mille.
        #[arg(long, default_value_t = 0)]
        fault_internal_after_per_mille: u16,
    },
    /// Create a one-time kiosk registration token (printed once, stored hashed).
    CreateKioskToken {
        /// Hours the token stays valid.
        #[arg(long, default_value_t = 24)]
        valid_hours: u32,
    },
    /// List registered kiosks and their health.
    ListKiosks,
    /// Run a simulated kiosk (synthetic citizens, real queue and sync client) until its queue
    /// holds `count` packages, all acknowledged; state in `dir`, so a killed run resumes.
    SimulateKiosk {
        /// The kiosk's state directory (device key, queue, registration).
        #[arg(long)]
        dir: PathBuf,
        /// The back office's URL.
        #[arg(long, default_value = "http://127.0.0.1:8787/")]
        url: String,
        /// The back office's CA certificate (PEM) for https.
        #[arg(long)]
        ca: Option<PathBuf>,
        /// The kiosk's id.
        #[arg(long, default_value = "kiosk-sim-1")]
        device: String,
        /// A registration token (used on the first run only).
        #[arg(long, default_value = "")]
        token: String,
        /// Packages to create and send.
        #[arg(long, default_value_t = 50)]
        count: u32,
    },
    /// Export the stored packages' bookkeeping (no personal data) as CSV.
    Export {
        /// Output file (standard output when absent).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// The trust store as kiosks receive it: DER certificates as hex, with a revision that changes
/// whenever the list does.
fn served_trust_store(store: &TrustStore) -> Result<sync::messages::TrustStore, String> {
    let mut digest = Sha256::new();
    let mut certificates = Vec::new();
    for cert in store.certificates() {
        let der = cert.to_der().map_err(|e| format!("trust store: {e}"))?;
        digest.update(&der);
        certificates.push(hex::encode(der));
    }
    let hash = digest.finalize();
    let mut revision = [0u8; 8];
    revision.copy_from_slice(hash.get(..8).unwrap_or(&[0; 8]));
    Ok(sync::messages::TrustStore {
        revision: u64::from_be_bytes(revision),
        csca_certificates: certificates,
    })
}

fn millis_text(t: Option<Timestamp>) -> String {
    t.map(|t| t.unix_millis().to_string()).unwrap_or_default()
}

async fn run(cli: Cli) -> Result<(), String> {
    if let Command::SimulateKiosk {
        dir,
        url,
        ca,
        device,
        token,
        count,
    } = &cli.command
    {
        let device = DeviceId::new(device.clone()).map_err(|e| e.to_string())?;
        let ca = match ca {
            Some(path) => {
                Some(std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?)
            }
            None => None,
        };
        let kiosk = SimulatedKiosk::open(dir, device)
            .await
            .map_err(|e| e.to_string())?;
        let acknowledged = kiosk
            .run(url, ca, token, *count)
            .await
            .map_err(|e| e.to_string())?;
        println!("{acknowledged} packages acknowledged");
        return Ok(());
    }
    let store = Store::open_location(&cli.db)
        .await
        .map_err(|e| e.to_string())?;
    match cli.command {
        Command::SimulateKiosk { .. } => Ok(()),
        Command::Serve {
            listen,
            keys,
            tls_cert,
            tls_key,
            kiosk_config,
            trust_store,
            decide_after_secs,
            reject_per_mille,
            activate_after_secs,
            activate_per_mille,
            fault_unavailable_per_mille,
            fault_internal_after_per_mille,
        } => {
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => {
                    Some(tls_acceptor(&cert, &key).map_err(|e| e.to_string())?)
                }
                _ => None,
            };
            if tls.is_none() && !listen.ip().is_loopback() {
                return Err("plain HTTP is only served on a loopback address; give --tls-cert and --tls-key".into());
            }
            let keys = OfficeKeys::load_or_create(&keys).map_err(|e| e.to_string())?;
            let mut kiosk_config: KioskConfiguration = match kiosk_config {
                Some(path) => {
                    let text =
                        std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                    serde_json::from_slice(&text).map_err(|e| format!("{}: {e}", path.display()))?
                }
                None => KioskConfiguration::default(),
            };
            let trust_store = match trust_store {
                Some(dir) => {
                    let (store, skipped) = TrustStore::load_directory(&dir)
                        .map_err(|e| format!("{}: {e}", dir.display()))?;
                    for s in skipped {
                        eprintln!("trust store: skipped {}: {}", s.path.display(), s.reason);
                    }
                    kiosk_config.trust_store = served_trust_store(&store)?;
                    store
                }
                None => TrustStore::default(),
            };
            println!("trust store: {} CSCA certificates", trust_store.len());
            println!(
                "package key (X25519): {}",
                hex::encode(keys.package.public_key().to_bytes())
            );
            println!(
                "receipt key (Ed25519): {}",
                hex::encode(keys.receipt.key().to_bytes())
            );
            let review = ReviewPolicy {
                decide_after: Duration::from_secs(decide_after_secs),
                reject_per_mille,
                activate_after: Duration::from_secs(activate_after_secs),
                activate_per_mille,
            };
            let faults = Faults {
                unavailable_per_mille: fault_unavailable_per_mille,
                internal_after_per_mille: fault_internal_after_per_mille,
            };
            let state = AppState::new(
                store,
                keys,
                trust_store,
                kiosk_config,
                faults,
                Arc::new(Timestamp::now),
            );
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .map_err(|e| e.to_string())?;
            let local = listener.local_addr().map_err(|e| e.to_string())?;
            println!(
                "listening on {}://{local}",
                if tls.is_some() { "https" } else { "http" }
            );
            let shutdown = async {
                let _ = tokio::signal::ctrl_c().await;
            };
            serve(
                listener,
                tls,
                state,
                Some((review, Duration::from_secs(1))),
                shutdown,
            )
            .await
            .map_err(|e| e.to_string())
        }
        Command::CreateKioskToken { valid_hours } => {
            let mut bytes = [0u8; 32];
            UnwrapErr(SysRng).fill_bytes(&mut bytes);
            let token = hex::encode(bytes);
            let now = Timestamp::now();
            let expires = now.plus_millis(i64::from(valid_hours) * 3_600_000);
            store
                .create_token(&token, now, expires)
                .await
                .map_err(|e| e.to_string())?;
            println!("{token}");
            Ok(())
        }
        Command::ListKiosks => {
            println!(
                "device\tversion\tregistered_ms\tlast_seen_ms\tqueue_depth\toldest_unsent_ms\tlast_error\tpackages_received"
            );
            for k in store.kiosks().await.map_err(|e| e.to_string())? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    k.device,
                    k.software_version,
                    k.registered_at.unix_millis(),
                    millis_text(k.last_seen),
                    k.queue_depth.map(|d| d.to_string()).unwrap_or_default(),
                    millis_text(k.oldest_unsent),
                    k.last_error.unwrap_or_default(),
                    k.packages_received
                );
            }
            Ok(())
        }
        Command::Export { out } => {
            let mut csv = String::from(
                "package_id,device,device_seq,group,source,passive_auth,created_at_ms,received_at_ms,review,sha256\n",
            );
            for p in store.packages().await.map_err(|e| e.to_string())? {
                csv.push_str(&format!(
                    "{},{},{},{},{},{},{},{},{},{}\n",
                    p.package_id,
                    p.device,
                    p.device_seq,
                    p.group,
                    p.source,
                    p.passive_auth.as_deref().unwrap_or(""),
                    p.created_at.unix_millis(),
                    p.received_at.unix_millis(),
                    p.review,
                    hex::encode(p.sha256)
                ));
            }
            match out {
                Some(path) => {
                    std::fs::write(&path, csv).map_err(|e| format!("{}: {e}", path.display()))
                }
                None => std::io::stdout()
                    .write_all(csv.as_bytes())
                    .map_err(|e| e.to_string()),
            }
        }
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("backoffice: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("backoffice: {e}");
            ExitCode::FAILURE
        }
    }
}
