//! Shared set-up for the back office's tests: a real server on 127.0.0.1 (random port) over a
//! real SQLite file, kiosks with their own queue file, device key and sync client, and
//! enrollments built through the enroll crate's public API.

#![allow(dead_code)]

use backoffice::api::{AppState, Faults};
use backoffice::keys::OfficeKeys;
use backoffice::review::ReviewPolicy;
use backoffice::server::serve;
use backoffice::store::Store;
use emrtd::passive_auth::TrustStore;
use enroll::citizen::{CalendarDate, CitizenData, CitizenFields, DataSource, Gender, IdNumber};
use enroll::consent::Consent;
use enroll::enrollment::{ChipRead, Enrollment};
use enroll::evidence::{
    AccessMethod, ChipEvidence, CloneCheck, FaceMatchScore, PassiveAuthentication, Verification,
};
use enroll::form::{EnrollmentForm, RawForm};
use enroll::ids::{DeviceId, GroupId, OperatorId};
use enroll::package::{BackOfficePublicKey, DeviceSigningKey, SealedPackage, seal};
use enroll::portrait::Portrait;
use enroll::queue::Queue;
use enroll::timestamp::Timestamp;
use getrandom::SysRng;
use rand_core::UnwrapErr;
use std::collections::BTreeMap;
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

/// A JPEG-shaped portrait of `len` bytes (markers right, content varied by `seed`).
pub fn portrait(len: usize, seed: u8) -> Portrait {
    let mut b: Vec<u8> = (0..len)
        .map(|i| (i as u8).wrapping_mul(31) ^ seed)
        .collect();
    if let Some(head) = b.get_mut(..4) {
        head.copy_from_slice(&[0xFF, 0xD8, 0xFF, 0xE0]);
    }
    if let Some(tail) = b.get_mut(len - 2..) {
        tail.copy_from_slice(&[0xFF, 0xD9]);
    }
    Portrait::from_jpeg(b).expect("a valid portrait")
}

/// An enrollment at `device`, QR-only or with (synthetic) chip evidence, ~60 KB portrait.
pub fn enrollment(device: &DeviceId, n: u32, chip: bool) -> Enrollment {
    let chip = chip.then(|| {
        let mut dgs = BTreeMap::new();
        dgs.insert(
            1,
            b"\x61\x5b\x5f\x1fIDVNM0900123450001090012345<<1".to_vec(),
        );
        dgs.insert(2, vec![0x75; 18_000]);
        dgs.insert(13, vec![0x6D; 400]);
        chip_read(ChipEvidence::new(dgs, vec![0x77; 2_000]).expect("evidence"))
    });
    enrollment_with(device, n, chip)
}

/// The chip read of `evidence`, with the kiosk's (claimed) verdicts.
pub fn chip_read(evidence: ChipEvidence) -> ChipRead {
    ChipRead {
        evidence,
        verification: Verification {
            access: AccessMethod::PaceMrz,
            passive: PassiveAuthentication::SignatureValidIssuerUnknown,
            chip_authentication: CloneCheck::Passed,
            active_authentication: CloneCheck::NotSupported,
            face_match: FaceMatchScore::per_mille(870),
        },
    }
}

/// An enrollment at `device` with `chip` (QR-only without), ~60 KB portrait.
pub fn enrollment_with(device: &DeviceId, n: u32, chip: Option<ChipRead>) -> Enrollment {
    let source = if chip.is_some() {
        DataSource::Chip
    } else {
        DataSource::QrOnly
    };
    let citizen = CitizenData::new(
        source,
        CitizenFields {
            id_number: IdNumber::new(&format!("0010900{:05}", n % 100_000)).expect("id number"),
            full_name: "NGUYỄN VĂN AN".to_owned(),
            date_of_birth: CalendarDate::new(1990, 1, 1).expect("date"),
            gender: Some(Gender::Male),
            place_of_residence: Some("Phường Bến Nghé, TP. Hồ Chí Minh".to_owned()),
            date_of_issue: CalendarDate::new(2021, 4, 15).ok(),
            old_id_number: None,
        },
    )
    .expect("citizen");
    let mut raw = RawForm::default();
    raw.phone = "0912345678".to_owned();
    let form = EnrollmentForm::parse(&raw).expect("form");
    let consent = Consent::given(
        "2026-01",
        Timestamp::now(),
        OperatorId::new("op-001").expect("operator"),
        device.clone(),
    )
    .expect("consent");
    Enrollment::new(
        citizen,
        chip,
        portrait(60 * 1024, n as u8),
        form,
        consent,
        GroupId::new("to-dan-pho-3").expect("group"),
    )
    .expect("enrollment")
}

/// A running back office.
pub struct TestServer {
    pub addr: SocketAddr,
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
        let store = Store::open(&dir.join("backoffice.sqlite"))
            .await
            .expect("store");
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
