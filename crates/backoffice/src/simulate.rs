//! A simulated kiosk, for the demo and for load and crash tests: synthetic enrollments (made-up
//! citizens, never real data) sealed into a real queue file and sent with the real sync client.
//! Its state lives in one directory (device key, queue, registration, status cursor), so a
//! killed run picks up where it stopped: `backoffice simulate-kiosk`.

use crate::keys::{KeyFileError, read_secret, write_secret};
use enroll::citizen::{CalendarDate, CitizenData, CitizenFields, DataSource, Gender, IdNumber};
use enroll::consent::Consent;
use enroll::enrollment::{ChipRead, Enrollment};
use enroll::evidence::{
    AccessMethod, ChipEvidence, CloneCheck, FaceMatchScore, PassiveAuthentication, Verification,
};
use enroll::form::{EnrollmentForm, RawForm};
use enroll::ids::{DeviceId, GroupId, OperatorId};
use enroll::package::{BackOfficePublicKey, DeviceSigningKey, seal};
use enroll::portrait::Portrait;
use enroll::queue::{Queue, QueueError};
use enroll::timestamp::Timestamp;
use getrandom::SysRng;
use rand_core::UnwrapErr;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use sync::client::PassOutcome;
use sync::client::{Backoff, ClientConfig, SyncClient, SyncError, SyncLoop};
use sync::receipt::ReceiptKey;

const DEVICE_KEY_FILE: &str = "device-ed25519.key";
const REGISTRATION_FILE: &str = "registration.json";

/// Why the simulated kiosk stopped.
#[derive(Debug, thiserror::Error)]
pub enum SimulateError {
    /// The device key file.
    #[error(transparent)]
    Key(#[from] KeyFileError),
    /// The queue.
    #[error(transparent)]
    Queue(#[from] QueueError),
    /// Talking to the back office.
    #[error(transparent)]
    Sync(#[from] SyncError),
    /// The client's configuration.
    #[error(transparent)]
    Client(#[from] sync::client::ClientError),
    /// The state directory.
    #[error("simulated kiosk state: {0}")]
    State(String),
    /// A synthetic enrollment did not validate (a bug in this module).
    #[error("synthetic enrollment invalid: {0}")]
    Synthetic(&'static str),
}

/// A JPEG-shaped portrait of `len` bytes, varied by `seed` (not an image of anyone).
pub fn synthetic_portrait(len: usize, seed: u8) -> Result<Portrait, SimulateError> {
    let mut bytes: Vec<u8> = (0..len)
        .map(|i| (i as u8).wrapping_mul(31) ^ seed)
        .collect();
    if let Some(head) = bytes.get_mut(..4) {
        head.copy_from_slice(&[0xFF, 0xD8, 0xFF, 0xE0]);
    }
    if let Some(tail) = bytes.get_mut(len.saturating_sub(2)..) {
        tail.copy_from_slice(&[0xFF, 0xD9]);
    }
    Portrait::from_jpeg(bytes).map_err(|_| SimulateError::Synthetic("portrait"))
}

/// Chip evidence shaped like a CCCD's (DG1, DG2, DG13, EF.SOD) but signed by no one.
pub fn synthetic_chip_read() -> Result<ChipRead, SimulateError> {
    let mut dgs = BTreeMap::new();
    dgs.insert(
        1,
        b"\x61\x5b\x5f\x1fIDVNM0900123450001090012345<<1".to_vec(),
    );
    dgs.insert(2, vec![0x75; 18_000]);
    dgs.insert(13, vec![0x6D; 400]);
    let evidence = ChipEvidence::new(dgs, vec![0x77; 2_000])
        .map_err(|_| SimulateError::Synthetic("evidence"))?;
    Ok(chip_read(evidence))
}

/// A chip read of `evidence` with the kiosk's verdicts.
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

/// Synthetic enrollment number `n` at `device`, with `chip` (QR-only without), ~60 KB portrait.
pub fn synthetic_enrollment(
    device: &DeviceId,
    n: u32,
    chip: Option<ChipRead>,
) -> Result<Enrollment, SimulateError> {
    let source = if chip.is_some() {
        DataSource::Chip
    } else {
        DataSource::QrOnly
    };
    let citizen = CitizenData::new(
        source,
        CitizenFields {
            id_number: IdNumber::new(&format!("0010900{:05}", n % 100_000))
                .map_err(|_| SimulateError::Synthetic("id number"))?,
            full_name: "NGUYỄN VĂN MẪU".to_owned(),
            date_of_birth: CalendarDate::new(1990, 1, 1)
                .map_err(|_| SimulateError::Synthetic("birth date"))?,
            gender: Some(Gender::Male),
            place_of_residence: Some("Phường Mẫu, TP. Mẫu".to_owned()),
            date_of_issue: CalendarDate::new(2021, 4, 15).ok(),
            old_id_number: None,
        },
    )
    .map_err(|_| SimulateError::Synthetic("citizen"))?;
    let mut raw = RawForm::default();
    raw.phone = "0912345678".to_owned();
    let form = EnrollmentForm::parse(&raw).map_err(|_| SimulateError::Synthetic("form"))?;
    let operator = OperatorId::new("op-sim").map_err(|_| SimulateError::Synthetic("operator"))?;
    let consent = Consent::given("2026-01", Timestamp::now(), operator, device.clone())
        .map_err(|_| SimulateError::Synthetic("consent"))?;
    let group = GroupId::new(format!("to-dan-pho-{}", n % 5 + 1))
        .map_err(|_| SimulateError::Synthetic("group"))?;
    Enrollment::new(
        citizen,
        chip,
        synthetic_portrait(60 * 1024, n as u8)?,
        form,
        consent,
        group,
    )
    .map_err(|_| SimulateError::Synthetic("enrollment"))
}

/// What registration told the kiosk, kept in its state directory.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Registered {
    #[serde(with = "sync::hex_serde")]
    receipt_key: [u8; 32],
    #[serde(with = "sync::hex_serde")]
    package_key: [u8; 32],
}

/// A simulated kiosk with its state in `dir`.
pub struct SimulatedKiosk {
    dir: PathBuf,
    device: DeviceId,
    key: DeviceSigningKey,
    queue: Queue,
}

impl SimulatedKiosk {
    /// Opens (or creates) the kiosk's state: device key, queue.
    pub async fn open(dir: &Path, device: DeviceId) -> Result<Self, SimulateError> {
        std::fs::create_dir_all(dir).map_err(|e| SimulateError::State(e.to_string()))?;
        let key_path = dir.join(DEVICE_KEY_FILE);
        let key = if key_path.exists() {
            DeviceSigningKey::from_seed(&*read_secret(&key_path, DEVICE_KEY_FILE)?)
        } else {
            let key = DeviceSigningKey::generate(&mut UnwrapErr(SysRng));
            write_secret(&key_path, &key.to_seed()).map_err(|source| KeyFileError::Io {
                file: DEVICE_KEY_FILE,
                source,
            })?;
            key
        };
        let queue = Queue::open(&dir.join("queue.sqlite")).await?;
        Ok(Self {
            dir: dir.to_owned(),
            device,
            key,
            queue,
        })
    }

    fn client(
        &self,
        url: &str,
        ca_pem: Option<Vec<u8>>,
    ) -> Result<SyncClient<UnwrapErr<SysRng>>, SimulateError> {
        let url = url
            .parse()
            .map_err(|_| SimulateError::State("the back-office URL is malformed".into()))?;
        let signer = sync::auth::RequestSigner::new(self.device.clone(), &self.key);
        Ok(SyncClient::new(
            ClientConfig::new(url, ca_pem),
            signer,
            UnwrapErr(SysRng),
        )?)
    }

    /// Registers with `token` unless already registered; returns the keys the back office gave.
    async fn registration(
        &self,
        url: &str,
        ca_pem: Option<Vec<u8>>,
        token: &str,
    ) -> Result<(BackOfficePublicKey, ReceiptKey), SimulateError> {
        let path = self.dir.join(REGISTRATION_FILE);
        let registered: Registered = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|_| SimulateError::State("registration.json is malformed".into()))?,
            Err(_) => {
                let answer = self.client(url, ca_pem)?.register(token).await?;
                let registered = Registered {
                    receipt_key: answer.receipt_key,
                    package_key: answer.package_key,
                };
                let text = serde_json::to_vec(&registered)
                    .map_err(|e| SimulateError::State(e.to_string()))?;
                let tmp = path.with_extension("tmp");
                std::fs::write(&tmp, text).map_err(|e| SimulateError::State(e.to_string()))?;
                std::fs::rename(&tmp, &path).map_err(|e| SimulateError::State(e.to_string()))?;
                registered
            }
        };
        let package_key = BackOfficePublicKey::from_bytes(&registered.package_key)
            .map_err(|_| SimulateError::State("registered package key is malformed".into()))?;
        let receipt_key = ReceiptKey::from_bytes(&registered.receipt_key)
            .map_err(|_| SimulateError::State("registered receipt key is malformed".into()))?;
        Ok((package_key, receipt_key))
    }

    /// Registers if needed, tops the queue up to `count` synthetic packages (every fourth with
    /// chip evidence), and sends until every package is acknowledged; returns how many.
    pub async fn run(
        &self,
        url: &str,
        ca_pem: Option<Vec<u8>>,
        token: &str,
        count: u32,
    ) -> Result<u64, SimulateError> {
        let (package_key, receipt_key) = self.registration(url, ca_pem.clone(), token).await?;
        let held: u64 = self.queue.counts().await?.iter().map(|(_, n)| n).sum();
        let mut rng = UnwrapErr(SysRng);
        for n in u32::try_from(held).unwrap_or(u32::MAX)..count {
            let chip = if n % 4 == 0 {
                Some(synthetic_chip_read()?)
            } else {
                None
            };
            let enrollment = synthetic_enrollment(&self.device, n, chip)?;
            let package = seal(
                &enrollment,
                Timestamp::now(),
                &self.key,
                &package_key,
                &mut rng,
            )
            .map_err(|_| SimulateError::Synthetic("sealing"))?;
            self.queue.enqueue(&package, None, Timestamp::now()).await?;
        }
        self.queue
            .recover_interrupted_uploads(Timestamp::now())
            .await?;
        let mut sync = SyncLoop::new(
            self.client(url, ca_pem)?,
            self.queue.clone(),
            receipt_key,
            Backoff {
                base: Duration::from_millis(50),
                max: Duration::from_secs(5),
            },
            UnwrapErr(SysRng),
            self.dir.join("status-cursor"),
        );
        loop {
            match sync.drain().await? {
                PassOutcome::Drained => break,
                PassOutcome::RetryAt(at) => {
                    let ms = at.unix_millis() - Timestamp::now().unix_millis();
                    tokio::time::sleep(Duration::from_millis(u64::try_from(ms).unwrap_or(0))).await;
                }
                PassOutcome::Unauthorised(code) => {
                    return Err(SyncError::Unauthorised(code).into());
                }
            }
        }
        let acknowledged = self
            .queue
            .counts()
            .await?
            .iter()
            .filter(|(s, _)| !s.holds_body())
            .map(|(_, n)| n)
            .sum();
        if let Err(e) = sync.pull_statuses().await {
            tracing::warn!(error = %e, "statuses not pulled");
        }
        if let Err(e) = sync.heartbeat().await {
            tracing::warn!(error = %e, "heartbeat not sent");
        }
        Ok(acknowledged)
    }
}
