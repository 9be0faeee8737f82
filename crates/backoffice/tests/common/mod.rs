//! Shared set-up for the back office's tests: a real server on 127.0.0.1 (random port) over a
//! real SQLite file, kiosks with their own queue file, device key and sync client, and
//! enrollments built through the enroll crate's public API.

#![allow(dead_code)]

use backoffice::api::{AppState, Faults};
use backoffice::keys::OfficeKeys;
use backoffice::review::ReviewPolicy;
use backoffice::server::serve;
use backoffice::simulate::{synthetic_chip_read, synthetic_enrollment};
use backoffice::store::Store;
use emrtd::passive_auth::TrustStore;
use enroll::enrollment::{ChipRead, Enrollment};
use enroll::ids::DeviceId;
use enroll::package::{BackOfficePublicKey, DeviceSigningKey, SealedPackage, seal};
use enroll::queue::Queue;
use enroll::timestamp::Timestamp;
use getrandom::SysRng;
use rand_core::UnwrapErr;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use sync::auth::RequestSigner;
use sync::client::{ClientConfig, SyncClient};
use sync::messages::KioskConfiguration;
use sync::receipt::ReceiptKey;
use tokio::sync::oneshot;

pub mod fault_proxy;

pub type Rng = UnwrapErr<SysRng>;

pub fn rng() -> Rng {
    UnwrapErr(SysRng)
}

/// A synthetic enrollment `n` at `device`, with synthetic chip evidence or QR-only.
pub fn enrollment(device: &DeviceId, n: u32, chip: bool) -> Enrollment {
    let chip = chip.then(|| synthetic_chip_read().expect("synthetic chip read"));
    enrollment_with(device, n, chip)
}

/// A synthetic enrollment `n` at `device` with `chip` (QR-only without).
pub fn enrollment_with(device: &DeviceId, n: u32, chip: Option<ChipRead>) -> Enrollment {
    synthetic_enrollment(device, n, chip).expect("synthetic enrollment")
}

/// The database for one test: a fresh PostgreSQL database when `VNEID_BACKOFFICE_TEST_POSTGRES`
/// names a server (`tests/with-postgres.sh` starts one), else a SQLite file in `dir`.
pub async fn test_database(dir: &Path) -> String {
    match std::env::var("VNEID_BACKOFFICE_TEST_POSTGRES") {
        Ok(server) => {
            use sqlx::{Connection, Executor};
            sqlx::any::install_default_drivers();
            let name = format!("bo_{}", hex::encode(rand_bytes()));
            let mut admin = sqlx::AnyConnection::connect(&format!("{server}/postgres"))
                .await
                .expect("the test PostgreSQL server answers");
            admin
                .execute(sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "CREATE DATABASE {name}"
                ))))
                .await
                .expect("a fresh database");
            format!("{server}/{name}")
        }
        Err(_) => format!(
            "sqlite://{}?mode=rwc",
            dir.join("backoffice.sqlite").display()
        ),
    }
}

/// The engine the tests run on (PostgreSQL under `tests/with-postgres.sh`).
pub fn expected_engine() -> backoffice::store::Engine {
    if std::env::var("VNEID_BACKOFFICE_TEST_POSTGRES").is_ok() {
        backoffice::store::Engine::Postgres
    } else {
        backoffice::store::Engine::Sqlite
    }
}

/// A running back office.
pub struct TestServer {
    pub addr: SocketAddr,
    /// The database URL (SQLite file or PostgreSQL database).
    pub database: String,
    pub state: AppState,
    pub package_key: BackOfficePublicKey,
    pub receipt_key: ReceiptKey,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    /// Starts a server over a fresh database in `dir`, plain HTTP on 127.0.0.1.
    pub async fn start(dir: &Path, faults: Faults) -> Self {
        Self::start_with(dir, faults, TrustStore::default(), None, None).await
    }

    pub async fn start_with(
        dir: &Path,
        faults: Faults,
        trust_store: TrustStore,
        tls: Option<tokio_rustls::TlsAcceptor>,
        review: Option<(ReviewPolicy, Duration)>,
    ) -> Self {
        let database = test_database(dir).await;
        let store = Store::connect(&database).await.expect("store");
        let keys = OfficeKeys::generate();
        let package_key = keys.package.public_key();
        let receipt_key = keys.receipt.key();
        let state = AppState::new(
            store,
            keys,
            trust_store,
            KioskConfiguration::default(),
            faults,
            Arc::new(Timestamp::now),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, tls, state.clone(), review, async {
            let _ = stopped.await;
        }));
        Self {
            addr,
            database,
            state,
            package_key,
            receipt_key,
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    pub fn store(&self) -> &Store {
        self.state.store()
    }

    /// A fresh registration token, valid for an hour.
    pub async fn token(&self) -> String {
        let token = format!("token-{}", hex::encode(rand_bytes()));
        let now = Timestamp::now();
        self.store()
            .create_token(&token, now, now.plus_millis(3_600_000))
            .await
            .expect("token");
        token
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

pub fn rand_bytes() -> [u8; 16] {
    let mut b = [0u8; 16];
    rand_core::Rng::fill_bytes(&mut rng(), &mut b);
    b
}

/// A kiosk: device key, queue file, sync client to `base_url`.
pub struct TestKiosk {
    pub device: DeviceId,
    pub key: DeviceSigningKey,
    pub queue: Queue,
    pub dir: std::path::PathBuf,
}

impl TestKiosk {
    pub async fn new(dir: &Path, name: &str) -> Self {
        let device = DeviceId::new(name).expect("device id");
        let kiosk_dir = dir.join(name);
        std::fs::create_dir_all(&kiosk_dir).expect("dir");
        let queue = Queue::open(&kiosk_dir.join("queue.sqlite"))
            .await
            .expect("queue");
        Self {
            device,
            key: DeviceSigningKey::generate(&mut rng()),
            queue,
            dir: kiosk_dir,
        }
    }

    pub fn signer(&self) -> RequestSigner {
        RequestSigner::new(self.device.clone(), &self.key)
    }

    pub fn client_for(&self, url: &str, chunk_len: u64) -> SyncClient<Rng> {
        let mut config = ClientConfig::new(url.parse().expect("url"), None);
        config.chunk_len = chunk_len;
        config.request_timeout = Duration::from_secs(10);
        config.connect_timeout = Duration::from_secs(2);
        SyncClient::new(config, self.signer(), rng()).expect("client")
    }

    /// Seals enrollment `n` for `server`.
    pub fn seal(&self, server_key: &BackOfficePublicKey, n: u32, chip: bool) -> SealedPackage {
        seal(
            &enrollment(&self.device, n, chip),
            Timestamp::now(),
            &self.key,
            server_key,
            &mut rng(),
        )
        .expect("seal")
    }

    /// Seals and enqueues `count` packages; returns their ids in queue order.
    pub async fn enqueue(
        &self,
        server_key: &BackOfficePublicKey,
        count: u32,
    ) -> Vec<enroll::package::PackageId> {
        let mut ids = Vec::new();
        for n in 0..count {
            let package = self.seal(server_key, n, n % 4 == 0);
            self.queue
                .enqueue(&package, None, Timestamp::now())
                .await
                .expect("enqueue");
            ids.push(package.id());
        }
        ids
    }
}
