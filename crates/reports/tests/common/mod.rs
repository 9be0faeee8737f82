//! A real kiosk queue on a temporary SQLite file, filled through `enroll`'s public API:
//! fictitious QR-only enrollments sealed to a test back-office key, then driven through the
//! states the back office reports (uploaded, acknowledged, approved/rejected, activated).

#![allow(dead_code)]

use enroll::citizen::{CalendarDate, CitizenData, CitizenFields, DataSource, Gender, IdNumber};
use enroll::consent::Consent;
use enroll::demo::demo_portrait;
use enroll::enrollment::Enrollment;
use enroll::form::{EnrollmentForm, RawForm};
use enroll::ids::{DeviceId, GroupId, OperatorId, ReasonCode};
use enroll::local_key::{FollowUp, LocalKey};
use enroll::package::{
    BackOfficePublicKey, BackOfficeSecretKey, DeviceSigningKey, PackageId, seal,
};
use enroll::queue::{Queue, QueueOptions, ReviewOutcome};
use enroll::state::EnrollmentState;
use enroll::timestamp::Timestamp;
use rand_core::UnwrapErr;
use reports::calendar::LocalDate;
use reports::groups::GroupDirectory;

/// Where an enrollment ends up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fate {
    Queued,
    Uploaded,
    Acknowledged,
    Approved,
    Rejected(&'static str),
    Activated,
}

pub struct TestKiosk {
    pub dir: tempfile::TempDir,
    pub queue: Queue,
    pub local: LocalKey,
    signer: DeviceSigningKey,
    office: BackOfficePublicKey,
}

/// A temporary directory on tmpfs when there is one (fsync is then cheap), else the default.
pub fn temp_dir() -> tempfile::TempDir {
    let shm = std::path::Path::new("/dev/shm");
    if shm.is_dir() {
        if let Ok(d) = tempfile::tempdir_in(shm) {
            return d;
        }
    }
    tempfile::tempdir().expect("a temporary directory")
}

/// The `n`-th fictitious citizen's 12-digit ID number.
pub fn id_number(n: u32) -> String {
    format!("0019{:08}", n)
}

/// The `n`-th fictitious citizen's phone.
pub fn phone(n: u32) -> String {
    format!("09{:08}", n)
}

impl TestKiosk {
    pub async fn new() -> Self {
        let dir = temp_dir();
        let queue = Queue::open_with(
            &dir.path().join("queue.db"),
            QueueOptions {
                reserve_free_bytes: None,
            },
        )
        .await
        .expect("queue opens");
        let (local, _) =
            LocalKey::load_or_create_file(&dir.path().join("local.key")).expect("local key");
        let mut rng = UnwrapErr(getrandom::SysRng);
        let signer = DeviceSigningKey::generate(&mut rng);
        let (_, office) = BackOfficeSecretKey::generate(&mut rng);
        Self {
            dir,
            queue,
            local,
            signer,
            office,
        }
    }

    /// Seals and queues citizen `n`'s enrollment, made at `at` by `operator` on `device`,
    /// counted for `group`.
    pub async fn enroll(
        &self,
        n: u32,
        group: &str,
        operator: &str,
        device: &str,
        at: Timestamp,
    ) -> PackageId {
        let device = DeviceId::new(device).expect("device id");
        let operator = OperatorId::new(operator).expect("operator id");
        let group = GroupId::new(group).expect("group id");
        let fields = CitizenFields {
            id_number: IdNumber::new(&id_number(n)).expect("id"),
            full_name: format!("TRẦN THỊ THỬ {n}"),
            date_of_birth: CalendarDate::new(1985, 6, 15).expect("dob"),
            gender: Some(Gender::Female),
            place_of_residence: Some("Phường Song Liễu".to_owned()),
            date_of_issue: CalendarDate::new(2022, 3, 1).ok(),
            old_id_number: None,
        };
        let citizen = CitizenData::new(DataSource::QrOnly, fields).expect("citizen");
        let mut raw = RawForm::default();
        raw.phone = phone(n);
        let form = EnrollmentForm::parse(&raw).expect("form");
        let consent = Consent::given("2026-01", at, operator, device).expect("consent");
        let portrait = demo_portrait(n, 2_100).expect("portrait");
        let enrollment =
            Enrollment::new(citizen, None, portrait, form, consent, group).expect("enrollment");
        let mut rng = UnwrapErr(getrandom::SysRng);
        let package = seal(&enrollment, at, &self.signer, &self.office, &mut rng).expect("seal");
        let followup = self
            .local
            .seal(package.id(), &FollowUp::of(&enrollment))
            .expect("follow-up");
        self.queue
            .enqueue(&package, Some(&followup), at)
            .await
            .expect("enqueue");
        package.id()
    }

    /// Drives a queued package to `fate`, one step every `step_ms` after `at`.
    pub async fn drive(&self, id: PackageId, fate: &Fate, at: Timestamp, step_ms: i64) {
        let q = &self.queue;
        let t = |k: i64| at.plus_millis(k * step_ms);
        if *fate == Fate::Queued {
            return;
        }
        q.begin_upload(id, t(1)).await.expect("upload starts");
        q.upload_done(id, t(2)).await.expect("upload done");
        if *fate == Fate::Uploaded {
            return;
        }
        q.acknowledge(id, t(3)).await.expect("acknowledged");
        match fate {
            Fate::Acknowledged => {}
            Fate::Rejected(reason) => q
                .record_review(
                    id,
                    &ReviewOutcome::Rejected(ReasonCode::new(*reason).expect("code")),
                    t(4),
                )
                .await
                .expect("rejected"),
            Fate::Approved | Fate::Activated => {
                q.record_review(id, &ReviewOutcome::Approved, t(4))
                    .await
                    .expect("approved");
                if *fate == Fate::Activated {
                    q.record_review(id, &ReviewOutcome::Activated, t(5))
                        .await
                        .expect("activated");
                }
            }
            Fate::Queued | Fate::Uploaded => {}
        }
    }
}

/// SplitMix64: a small deterministic generator, so every run builds the same history.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// What the generator did, kept to count independently of the queue.
pub struct Made {
    pub group: String,
    pub operator: String,
    pub device: String,
    pub at: Timestamp,
    pub fate: Fate,
    /// The time between two steps of `TestKiosk::drive`.
    pub step_ms: i64,
}

impl Made {
    /// The states this enrollment went through and when, as `TestKiosk::drive` made them.
    pub fn steps(&self) -> Vec<(EnrollmentState, Timestamp)> {
        use EnrollmentState::*;
        let t = |k: i64| self.at.plus_millis(k * self.step_ms);
        let mut steps = vec![(Queued, self.at)];
        if self.fate == Fate::Queued {
            return steps;
        }
        steps.extend([(Uploading, t(1)), (Uploaded, t(2))]);
        if self.fate == Fate::Uploaded {
            return steps;
        }
        steps.push((Acknowledged, t(3)));
        match self.fate {
            Fate::Rejected(_) => steps.push((Rejected, t(4))),
            Fate::Approved => steps.push((Approved, t(4))),
            Fate::Activated => steps.extend([(Approved, t(4)), (Activated, t(5))]),
            Fate::Queued | Fate::Uploaded | Fate::Acknowledged => {}
        }
        steps
    }

    /// The state it stood in just before `t` (queued if it was not yet made).
    pub fn state_before(&self, t: Timestamp) -> EnrollmentState {
        self.steps()
            .into_iter()
            .rev()
            .find(|(_, at)| *at < t)
            .map_or(EnrollmentState::Queued, |(s, _)| s)
    }
}

pub const OPERATORS: [&str; 6] = [
    "op-lan",
    "op-minh",
    "op-hoa",
    "op-tuan",
    "op-thu",
    "self-service",
];
pub const DEVICES: [&str; 3] = ["kiosk-ubnd", "kiosk-ca", "buu-dien-1"];

pub fn fate(r: u64) -> Fate {
    match r % 100 {
        0..5 => Fate::Queued,
        5..8 => Fate::Uploaded,
        8..18 => Fate::Acknowledged,
        18..22 => Fate::Rejected("portrait-mismatch"),
        22..25 => Fate::Rejected("data-mismatch-national-db"),
        25..55 => Fate::Approved,
        _ => Fate::Activated,
    }
}

/// Enrollments 1..=n over 2025-12-01 … 2025-12-15 across the directory's groups (one in 40
/// for a group it lacks), six operators and three devices, each driven to a random fate.
pub async fn generate(kiosk: &TestKiosk, dir: &GroupDirectory, n: u32) -> Vec<Made> {
    let mut rng = Rng(0x5EED_0003);
    // Days 2025-12-01 … 2025-12-15: three days before phase 1, then phases 1 and 2.
    let first = LocalDate::new(2025, 12, 1).expect("day");
    let mut made = Vec::with_capacity(n as usize);
    for i in 0..n {
        let group = &dir.groups[rng.below(dir.groups.len() as u64) as usize].id;
        // One enrollment in 40 counts for a group the directory lacks (a stale kiosk setting).
        let group = if rng.below(40) == 0 {
            "thon-cu".to_owned()
        } else {
            group.as_str().to_owned()
        };
        let operator = OPERATORS[rng.below(OPERATORS.len() as u64) as usize];
        let device = DEVICES[rng.below(DEVICES.len() as u64) as usize];
        let day = rng.below(15) as i64;
        let minute = 7 * 60 + rng.below(10 * 60) as i64;
        let at = first
            .start()
            .plus_millis(day * 86_400_000 + minute * 60_000);
        let fate = fate(rng.next());
        let step_ms = 3 * 3_600_000;
        let id = kiosk.enroll(i + 1, &group, operator, device, at).await;
        kiosk.drive(id, &fate, at, step_ms).await;
        made.push(Made {
            group,
            operator: operator.to_owned(),
            device: device.to_owned(),
            at,
            fate,
            step_ms,
        });
    }
    made
}
