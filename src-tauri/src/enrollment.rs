//! From the session's chip reading, the typed form and the recorded consent to a sealed package
//! in the queue: the mapping of the card reader's types to the enrollment domain's, the kiosk's
//! key files, and the residential groups an enrollment counts for.
//!
//! Key files live in the data directory: the device's Ed25519 signing key (created on first use,
//! mode 0600), the back office's X25519 package key (hex, as `backoffice serve` prints it) and
//! the local follow-up key. The app loads them once ([`KeyCache`]) and follows a new
//! registration's back-office key. The portrait sealed is the one captured at the kiosk (the ICAO crop
//! from the camera); the chip's DG2 photo travels as chip evidence. When the chip could not be
//! read and an officer confirmed it, the identity comes from the card's QR code alone and the
//! package says so (`DataSource::QrOnly`, no chip evidence): not chip-verified.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use cardread::read::CardReading;
use cardread::verdict::Verdict;
use cccd::qr::CardQr;
use emrtd::access::{AccessMethod as ChipAccess, PasswordKind};
use emrtd::clone_detection::CloneCheck as ChipCloneCheck;
use emrtd::passive_auth::Verdict as PassiveVerdict;
use enroll::citizen::{CalendarDate, CitizenData, CitizenFields, DataSource, Gender, IdNumber};
use enroll::consent::Consent;
use enroll::enrollment::{ChipRead, Enrollment};
use enroll::evidence::{
    AccessMethod, ChipEvidence, CloneCheck, FaceMatchScore, PassiveAuthentication, Verification,
};
use enroll::form::EnrollmentForm;
use enroll::ids::GroupId;
use enroll::local_key::{FollowUp, LocalKey};
use enroll::package::{BackOfficePublicKey, DeviceSigningKey, PackageId, seal};
use enroll::portrait::Portrait;
use enroll::queue::Queue;
use enroll::timestamp::Timestamp;
use getrandom::SysRng;
use rand_core::UnwrapErr;
use serde::Serialize;
use zeroize::Zeroizing;

/// The device's signing key file in the data directory.
pub const DEVICE_KEY_FILE: &str = "device-ed25519.key";
/// The back office's package key file in the data directory.
pub const BACKOFFICE_KEY_FILE: &str = "backoffice-package-x25519.pub";
/// The local follow-up key file in the data directory.
pub const FOLLOWUP_KEY_FILE: &str = "followup.key";
/// The residential groups file in the data directory: one group a line, `ID Name`.
pub const GROUPS_FILE: &str = "residential-groups.txt";
/// The version of the consent notice the consent screen shows.
pub const CONSENT_NOTICE_VERSION: &str = "2026-01";

/// Why an enrollment could not be sealed and queued; each is a UI code (`code()`), and none
/// carries personal data.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SubmitError {
    #[error("the session has no chip reading and no confirmed QR code")]
    NoCardReading,
    #[error("the chip gave no DG13 holder data")]
    NoHolderData,
    #[error("the card's verdict does not allow an enrollment")]
    CardRefused,
    #[error("no portrait has been captured in this session")]
    PortraitUnavailable,
    #[error("the back office's package key file is missing or malformed")]
    BackOfficeKey,
    #[error("the device key could not be read or created")]
    DeviceKey,
    #[error("the follow-up key could not be read or created")]
    FollowUpKey,
    #[error("the holder data do not fit the enrollment")]
    HolderData,
    #[error("sealing the package failed")]
    Seal,
}

impl SubmitError {
    /// The UI code.
    pub fn code(&self) -> &'static str {
        match self {
            SubmitError::NoCardReading => "enrollment.no_card_reading",
            SubmitError::NoHolderData | SubmitError::HolderData => "enrollment.holder_data",
            SubmitError::CardRefused => "enrollment.card_refused",
            SubmitError::PortraitUnavailable => "enrollment.portrait_unavailable",
            SubmitError::BackOfficeKey => "enrollment.backoffice_key",
            SubmitError::DeviceKey | SubmitError::FollowUpKey | SubmitError::Seal => {
                "enrollment.seal_failed"
            }
        }
    }
}

/// A residential group (tổ dân phố / thôn) an enrollment can count for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    pub id: String,
    pub name: String,
}

/// Reads the groups file: one group a line, its id, a space, its name; `#` starts a comment.
/// A missing file is an empty list; lines with an invalid id are skipped (and counted in the log).
pub fn load_groups(data_dir: &Path) -> Vec<Group> {
    let Ok(text) = std::fs::read_to_string(data_dir.join(GROUPS_FILE)) else {
        return Vec::new();
    };
    let mut skipped = 0usize;
    let groups: Vec<Group> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| {
            let (id, name) = line.split_once(char::is_whitespace).unwrap_or((line, line));
            let group = GroupId::new(id).ok().map(|_| Group {
                id: id.to_string(),
                name: name.trim().to_string(),
            });
            skipped += usize::from(group.is_none());
            group
        })
        .collect();
    if skipped > 0 {
        tracing::warn!(
            skipped,
            "residential group lines with an invalid id skipped"
        );
    }
    groups
}

/// What the seal needs from the data directory.
pub struct Keys {
    signer: Arc<DeviceSigningKey>,
    recipient: BackOfficePublicKey,
    followup: LocalKey,
}

/// The back office's package key, as the last registration wrote it.
fn backoffice_key(data_dir: &Path) -> Result<BackOfficePublicKey, SubmitError> {
    read_hex_key(&data_dir.join(BACKOFFICE_KEY_FILE))
        .and_then(|bytes| BackOfficePublicKey::from_bytes(bytes.as_slice()).ok())
        .ok_or(SubmitError::BackOfficeKey)
}

/// The seal's keys for the app's life. The device and follow-up keys (the latter an OS-keyring
/// call) are loaded at their first use and kept; the follow-up screens use the same follow-up
/// key. The back office's key is read again from
/// its file at each enrollment (a 65-byte file) and the kept keys follow it when it changed, so a
/// registration while the app runs (`vneid-kiosk register` in another process, or the set-up,
/// both writing the file) is never missed and no package is sealed to the old key.
pub struct KeyCache {
    data_dir: PathBuf,
    loaded: Mutex<Option<Arc<Keys>>>,
    followup: Mutex<Option<LocalKey>>,
}

impl KeyCache {
    /// A cache over the key files of `data_dir`; nothing is read yet.
    pub fn new(data_dir: &Path) -> Self {
        Self {
            data_dir: data_dir.to_path_buf(),
            loaded: Mutex::new(None),
            followup: Mutex::new(None),
        }
    }

    /// The follow-up key, created on first use.
    pub fn followup(&self) -> Result<LocalKey, SubmitError> {
        let mut kept = crate::shell::lock(&self.followup);
        if let Some(key) = kept.as_ref() {
            return Ok(key.clone());
        }
        let (key, origin) = LocalKey::load_or_create(&self.data_dir.join(FOLLOWUP_KEY_FILE))
            .map_err(|err| {
                tracing::error!(error = %err, "follow-up key unavailable");
                SubmitError::FollowUpKey
            })?;
        tracing::debug!(?origin, "follow-up key");
        *kept = Some(key.clone());
        Ok(key)
    }

    /// The keys to seal one enrollment with.
    pub fn keys(&self) -> Result<Arc<Keys>, SubmitError> {
        let recipient = backoffice_key(&self.data_dir)?;
        let mut loaded = crate::shell::lock(&self.loaded);
        let keys = match loaded.as_ref() {
            Some(kept) if kept.recipient == recipient => return Ok(Arc::clone(kept)),
            Some(kept) => {
                tracing::info!(
                    "the back office's package key changed (new registration): sealing to the new key"
                );
                Keys {
                    signer: Arc::clone(&kept.signer),
                    recipient,
                    followup: kept.followup.clone(),
                }
            }
            None => Keys {
                signer: Arc::new(device_key(&self.data_dir.join(DEVICE_KEY_FILE))?),
                recipient,
                followup: self.followup()?,
            },
        };
        let keys = Arc::new(keys);
        *loaded = Some(Arc::clone(&keys));
        Ok(keys)
    }
}

fn read_hex_key(path: &Path) -> Option<Zeroizing<[u8; 32]>> {
    let text = Zeroizing::new(std::fs::read_to_string(path).ok()?);
    let mut key = Zeroizing::new([0u8; 32]);
    hex::decode_to_slice(text.trim(), key.as_mut_slice()).ok()?;
    Some(key)
}

/// The device key from `path`, or a new one written there with mode 0600.
pub(crate) fn device_key(path: &Path) -> Result<DeviceSigningKey, SubmitError> {
    if let Some(seed) = read_hex_key(path) {
        return Ok(DeviceSigningKey::from_seed(&seed));
    }
    if path.exists() {
        tracing::error!(path = %path.display(), "device key file is malformed");
        return Err(SubmitError::DeviceKey);
    }
    let key = DeviceSigningKey::generate(&mut UnwrapErr(SysRng));
    let hex = Zeroizing::new(hex::encode(key.to_seed().as_slice()));
    write_private(path, hex.as_bytes()).map_err(|err| {
        tracing::error!(path = %path.display(), error = %err, "device key could not be written");
        SubmitError::DeviceKey
    })?;
    tracing::info!(path = %path.display(), "device signing key created (mode 0600)");
    Ok(key)
}

/// Writes `bytes` to the new file `path` (it must not exist), readable only by the app's user,
/// and flushes it to disk.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// The verdict allows an enrollment: genuine, or issuer unknown (the officer decides).
fn may_enroll(verdict: &Verdict) -> bool {
    matches!(verdict, Verdict::Genuine | Verdict::IssuerUnknown)
}

fn calendar(date: cccd::date::Date) -> Result<CalendarDate, SubmitError> {
    CalendarDate::new(date.year(), date.month(), date.day()).map_err(|_| SubmitError::HolderData)
}

/// The identity data and chip evidence of a chip reading, in the enrollment domain's types.
pub fn from_reading(reading: &CardReading) -> Result<(CitizenData, ChipRead), SubmitError> {
    if !may_enroll(&reading.verdict) {
        return Err(SubmitError::CardRefused);
    }
    let dg13 = reading.dg13.as_ref().ok_or(SubmitError::NoHolderData)?;
    let fields = CitizenFields {
        id_number: IdNumber::new(dg13.id_number.expose()).map_err(|_| SubmitError::HolderData)?,
        full_name: dg13.full_name.expose().to_string(),
        date_of_birth: calendar(dg13.date_of_birth)?,
        gender: dg13.gender.map(|g| match g {
            cccd::personal::Gender::Male => Gender::Male,
            cccd::personal::Gender::Female => Gender::Female,
        }),
        place_of_residence: dg13
            .place_of_residence
            .as_ref()
            .map(|t| t.expose().to_string()),
        date_of_issue: dg13.date_of_issue.map(calendar).transpose()?,
        old_id_number: dg13
            .old_id_number
            .as_ref()
            .map(|t| t.expose().to_string())
            .filter(|t| !t.is_empty()),
    };
    let citizen =
        CitizenData::new(DataSource::Chip, fields).map_err(|_| SubmitError::HolderData)?;
    let groups: BTreeMap<u8, Vec<u8>> = reading.evidence.data_groups.clone();
    let has = |dg: u8| groups.contains_key(&dg);
    let (chip_authentication, active_authentication) = match &reading.clone_check {
        ChipCloneCheck::ChipAuthentication(result) => (
            if result.is_ok() {
                CloneCheck::Passed
            } else {
                CloneCheck::Failed
            },
            if has(15) {
                CloneCheck::NotPerformed
            } else {
                CloneCheck::NotSupported
            },
        ),
        ChipCloneCheck::ActiveAuthentication(result) => (
            if has(14) {
                CloneCheck::NotPerformed
            } else {
                CloneCheck::NotSupported
            },
            if result.is_ok() {
                CloneCheck::Passed
            } else {
                CloneCheck::Failed
            },
        ),
        ChipCloneCheck::NotOffered => (CloneCheck::NotSupported, CloneCheck::NotSupported),
    };
    let verification = Verification {
        access: match &reading.access {
            ChipAccess::Bac => AccessMethod::Bac,
            ChipAccess::Pace {
                password: PasswordKind::Mrz,
                ..
            } => AccessMethod::PaceMrz,
            ChipAccess::Pace {
                password: PasswordKind::Can,
                ..
            } => AccessMethod::PaceCan,
        },
        passive: match reading.passive_auth.verdict {
            PassiveVerdict::Trusted => PassiveAuthentication::Trusted,
            PassiveVerdict::SignatureValidIssuerUnknown => {
                PassiveAuthentication::SignatureValidIssuerUnknown
            }
            PassiveVerdict::Invalid(_) => PassiveAuthentication::Invalid,
        },
        chip_authentication,
        active_authentication,
        face_match: None,
    };
    let evidence = ChipEvidence::new(groups, reading.evidence.sod.clone())
        .map_err(|_| SubmitError::HolderData)?;
    Ok((
        citizen,
        ChipRead {
            evidence,
            verification,
        },
    ))
}

/// The identity data of the card's QR code alone: not chip-verified.
pub fn from_qr(qr: &CardQr) -> Result<CitizenData, SubmitError> {
    let fields = CitizenFields {
        id_number: IdNumber::new(qr.id_number.expose()).map_err(|_| SubmitError::HolderData)?,
        full_name: qr.full_name.expose().to_string(),
        date_of_birth: calendar(qr.date_of_birth)?,
        gender: Some(match qr.gender {
            cccd::personal::Gender::Male => Gender::Male,
            cccd::personal::Gender::Female => Gender::Female,
        }),
        place_of_residence: Some(qr.address.expose().to_string()),
        date_of_issue: Some(calendar(qr.date_of_issue)?),
        old_id_number: qr
            .old_id_number
            .as_ref()
            .map(|t| t.expose().to_string())
            .filter(|t| !t.is_empty()),
    };
    CitizenData::new(DataSource::QrOnly, fields).map_err(|_| SubmitError::HolderData)
}

/// Where an enrollment's identity comes from.
pub enum IdentitySource {
    /// The chip, read and verified, and the live portrait's comparison with its photo.
    Chip(Box<CardReading>, Option<FaceMatchScore>),
    /// The card's QR code alone, confirmed by the officer: not chip-verified.
    QrOnly(CardQr),
}

impl IdentitySource {
    /// The session's identity: its chip reading, else the QR code an officer confirmed.
    pub fn of(session: &crate::session::Session) -> Result<Self, SubmitError> {
        match (session.card_reading(), session.confirmed_qr()) {
            (Some(reading), _) => Ok(IdentitySource::Chip(
                Box::new(reading.clone()),
                session.face_match(),
            )),
            (None, Some(qr)) => Ok(IdentitySource::QrOnly(qr.clone())),
            (None, None) => Err(SubmitError::NoCardReading),
        }
    }

    /// The identity data, and the chip evidence when there is a chip reading.
    pub fn citizen(&self) -> Result<(CitizenData, Option<ChipRead>), SubmitError> {
        match self {
            IdentitySource::Chip(reading, face_match) => {
                from_reading(reading).map(|(citizen, mut chip)| {
                    chip.verification.face_match = *face_match;
                    (citizen, Some(chip))
                })
            }
            IdentitySource::QrOnly(qr) => from_qr(qr).map(|c| (c, None)),
        }
    }
}

/// Assembles, seals, signs and queues one enrollment with the captured `portrait`; returns its
/// package id.
#[allow(clippy::too_many_arguments)]
pub async fn submit(
    queue: &Queue,
    keys: &Keys,
    identity: &IdentitySource,
    portrait: Portrait,
    form: EnrollmentForm,
    consent: Consent,
    group: GroupId,
    now: Timestamp,
) -> Result<PackageId, SubmitOutcome> {
    let (citizen, chip) = identity.citizen()?;
    let enrollment = Enrollment::new(citizen, chip, portrait, form, consent, group)
        .map_err(|_| SubmitError::HolderData)?;
    let mut rng = UnwrapErr(SysRng);
    let package =
        seal(&enrollment, now, &keys.signer, &keys.recipient, &mut rng).map_err(|err| {
            tracing::error!(error = %err, "sealing failed");
            SubmitError::Seal
        })?;
    let followup = keys
        .followup
        .seal(package.id(), &FollowUp::of(&enrollment))
        .map_err(|_| SubmitError::FollowUpKey)?;
    queue
        .enqueue(&package, Some(&followup), now)
        .await
        .map_err(SubmitOutcome::Queue)?;
    Ok(package.id())
}

/// Why [`submit`] failed: before the queue, or in it.
#[derive(Debug)]
pub enum SubmitOutcome {
    Refused(SubmitError),
    Queue(enroll::queue::QueueError),
}

impl From<SubmitError> for SubmitOutcome {
    fn from(err: SubmitError) -> Self {
        SubmitOutcome::Refused(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use enroll::form::RawForm;
    use enroll::ids::{DeviceId, OperatorId};
    use enroll::package::BackOfficeSecretKey;

    /// A recorded camera frame, a real JPEG, as the chip's DG2 photo.
    const JPEG: &[u8] = include_bytes!("../../assets/frames/qr/00-nguyen-van-a-640x480.jpg");

    /// A portrait as the camera captures it (an ICAO crop, JPEG).
    fn captured_portrait() -> Portrait {
        let frame = image::load_from_memory(include_bytes!(
            "../../assets/frames/portrait/0-ok-960x540.jpg"
        ))
        .expect("frame")
        .into_rgb8();
        let face = capture::portrait::FaceBox {
            x: 397.0,
            y: 155.0,
            width: 177.0,
            height: 177.0,
            score: 20.0,
        };
        let crop = capture::portrait::crop_icao(&frame, &face);
        Portrait::from_jpeg(capture::portrait::encode_within(&crop, 96 * 1024).expect("jpeg"))
            .expect("portrait")
    }

    /// A real chip reading of the software card with the JPEG photo, read in process.
    fn reading(chip: fn(cardsim::ChipProfile) -> cardsim::ChipProfile) -> CardReading {
        use cardsim::identity::Identity;
        use cardsim::{Chip, OsEntropy, ReadLimits, SoftCard};
        let mut identity = Identity::builtin("nguyen-van-a").expect("shipped");
        identity.portrait = Some(JPEG.to_vec());
        let profile = chip(identity.profile(ReadLimits::default()));
        let mut card = SoftCard::insert(Chip::new(profile, Box::new(OsEntropy)));
        let keys =
            cardread::keys::KeyCandidates::from_qr_payload(&identity.qr_payload()).expect("keys");
        cardread::read::CardRead::new(keys, Default::default())
            .run(
                &mut card,
                &mut getrandom::SysRng,
                &Default::default(),
                &mut |_| {},
            )
            .expect("reads")
    }

    #[test]
    fn a_chip_reading_becomes_chip_sourced_citizen_data_with_its_evidence() {
        let reading = reading(|p| p);
        let (citizen, chip) = from_reading(&reading).expect("maps");
        assert!(citizen.is_chip_verified());
        assert_eq!(citizen.id_number().as_str(), "001090012345");
        assert_eq!(citizen.full_name(), "Nguyễn Văn A");
        assert_eq!(citizen.date_of_birth().parts(), (1990, 1, 1));
        assert_eq!(
            chip.evidence.data_group(13),
            reading.evidence.data_groups.get(&13).map(Vec::as_slice)
        );
        assert_eq!(chip.evidence.sod(), reading.evidence.sod.as_slice());
        // An empty trust store: the signature holds, the issuer is unknown.
        assert_eq!(
            chip.verification.passive,
            PassiveAuthentication::SignatureValidIssuerUnknown
        );
        assert_eq!(chip.verification.face_match, None);
    }

    /// A queue and keys in `dir`, the back office's secret key, a form and a consent.
    fn set_up(
        dir: &Path,
    ) -> (
        Queue,
        Arc<Keys>,
        BackOfficeSecretKey,
        EnrollmentForm,
        Consent,
        Timestamp,
    ) {
        let (office, public) = BackOfficeSecretKey::generate(&mut UnwrapErr(SysRng));
        std::fs::write(
            dir.join(BACKOFFICE_KEY_FILE),
            hex::encode(public.to_bytes()),
        )
        .expect("write");
        let keys = KeyCache::new(dir).keys().expect("keys");
        let queue =
            tauri::async_runtime::block_on(Queue::open(&dir.join("q.sqlite"))).expect("queue");
        let mut raw = RawForm::default();
        raw.phone = "0912345678".into();
        let form = EnrollmentForm::parse(&raw).expect("form");
        let now = Timestamp::now();
        let consent = Consent::given(
            CONSENT_NOTICE_VERSION,
            now,
            OperatorId::new("cb01").expect("id"),
            DeviceId::new("kiosk-1").expect("id"),
        )
        .expect("consent");
        (queue, keys, office, form, consent, now)
    }

    #[test]
    fn a_qr_only_enrollment_is_sealed_without_chip_evidence_and_marked_not_chip_verified() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (queue, keys, office, form, consent, now) = set_up(dir.path());
        let payload = cardsim::identity::Identity::builtin("nguyen-van-a")
            .expect("shipped")
            .qr_payload();
        let qr = CardQr::parse(&payload).expect("card QR");
        let portrait = captured_portrait();
        let id = tauri::async_runtime::block_on(submit(
            &queue,
            &keys,
            &IdentitySource::QrOnly(qr),
            portrait.clone(),
            form,
            consent,
            GroupId::new("to-1").expect("group"),
            now,
        ))
        .expect("queued");
        let package = tauri::async_runtime::block_on(queue.package(id))
            .expect("read")
            .expect("present");
        let opened =
            enroll::package::open(&package, &keys.signer.verifying_key(), &office).expect("opens");
        let citizen = opened.enrollment.citizen();
        assert_eq!(citizen.source(), DataSource::QrOnly);
        assert!(!citizen.is_chip_verified());
        assert!(opened.enrollment.chip().is_none(), "no chip evidence");
        assert_eq!(citizen.id_number().as_str(), "001090012345");
        assert_eq!(citizen.full_name(), "Nguyễn Văn A");
        assert_eq!(opened.enrollment.portrait().jpeg(), portrait.jpeg());
    }

    /// Writes a new back office's package key as a registration does (a new file renamed over
    /// the old one); returns the key.
    fn register_office(dir: &Path) -> BackOfficePublicKey {
        let (_, public) = BackOfficeSecretKey::generate(&mut UnwrapErr(SysRng));
        let tmp = dir.join("office.tmp");
        std::fs::write(&tmp, format!("{}\n", hex::encode(public.to_bytes()))).expect("write");
        std::fs::rename(&tmp, dir.join(BACKOFFICE_KEY_FILE)).expect("rename");
        public
    }

    #[test]
    fn the_keys_load_once_and_follow_a_registration_made_while_the_app_runs() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = KeyCache::new(dir.path());
        let first_office = register_office(dir.path());
        let first = cache.keys().expect("keys");
        assert!(first.recipient == first_office);
        let again = cache.keys().expect("keys");
        assert!(Arc::ptr_eq(&first, &again), "loaded once, then kept");
        let second_office = register_office(dir.path());
        let after = cache.keys().expect("keys");
        assert!(
            after.recipient == second_office && after.recipient != first_office,
            "a new registration's key is used at once"
        );
        assert!(
            Arc::ptr_eq(&after.signer, &first.signer),
            "the device key is not loaded again"
        );
        assert!(Arc::ptr_eq(&after, &cache.keys().expect("keys")));
        let sealed = cache
            .followup()
            .expect("follow-up key")
            .seal_bytes(b"test", b"Tran Thi B")
            .expect("sealed");
        // Without the file a fresh load would make a new key (where no OS keyring holds it).
        let _ = std::fs::remove_file(dir.path().join(FOLLOWUP_KEY_FILE));
        assert_eq!(
            cache
                .followup()
                .expect("kept")
                .open_bytes(b"test", &sealed)
                .expect("the kept key, not a new one")
                .as_slice(),
            b"Tran Thi B"
        );
        std::fs::remove_file(dir.path().join(BACKOFFICE_KEY_FILE)).expect("remove");
        assert_eq!(
            cache.keys().err(),
            Some(SubmitError::BackOfficeKey),
            "without the key file nothing is sealed to a kept key"
        );
    }

    #[test]
    fn an_enrollment_is_sealed_signed_and_queued_and_opens_at_the_back_office() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut rng = UnwrapErr(SysRng);
        let (office, public) = BackOfficeSecretKey::generate(&mut rng);
        assert_eq!(
            KeyCache::new(dir.path()).keys().err(),
            Some(SubmitError::BackOfficeKey),
            "no back-office key file yet"
        );
        std::fs::write(
            dir.path().join(BACKOFFICE_KEY_FILE),
            hex::encode(public.to_bytes()),
        )
        .expect("write");
        let keys = KeyCache::new(dir.path()).keys().expect("keys");
        let device_key = dir.path().join(DEVICE_KEY_FILE);
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&device_key)
            .expect("created")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let again = KeyCache::new(dir.path()).keys().expect("loaded");
        assert_eq!(
            again.signer.verifying_key().to_bytes(),
            keys.signer.verifying_key().to_bytes(),
            "the device key is kept"
        );
        let queue = tauri::async_runtime::block_on(Queue::open(&dir.path().join("q.sqlite")))
            .expect("queue");
        let mut raw = RawForm::default();
        raw.phone = "0912345678".into();
        let form = EnrollmentForm::parse(&raw).expect("form");
        let now = Timestamp::now();
        let consent = Consent::given(
            CONSENT_NOTICE_VERSION,
            now,
            OperatorId::new("cb01").expect("id"),
            DeviceId::new("kiosk-1").expect("id"),
        )
        .expect("consent");
        let reading = reading(|p| p);
        let portrait = captured_portrait();
        let id = tauri::async_runtime::block_on(submit(
            &queue,
            &keys,
            &IdentitySource::Chip(Box::new(reading.clone()), FaceMatchScore::per_mille(830)),
            portrait.clone(),
            form,
            consent,
            GroupId::new("to-1").expect("group"),
            now,
        ))
        .expect("queued");
        let package = tauri::async_runtime::block_on(queue.package(id))
            .expect("read")
            .expect("present");
        package
            .verify_signature(&keys.signer.verifying_key())
            .expect("signed by the device key");
        let opened = enroll::package::open(&package, &keys.signer.verifying_key(), &office)
            .expect("opens with the back office's key");
        assert_eq!(
            opened.enrollment.citizen().id_number().as_str(),
            "001090012345"
        );
        assert_eq!(opened.enrollment.form().phone().as_str(), "0912345678");
        assert_eq!(
            opened.enrollment.portrait().jpeg(),
            portrait.jpeg(),
            "the portrait captured at the kiosk is the package's portrait"
        );
        assert_eq!(
            opened
                .enrollment
                .chip()
                .and_then(|chip| chip.evidence.data_group(2)),
            reading.evidence.data_groups.get(&2).map(Vec::as_slice),
            "the chip's DG2 travels as chip evidence"
        );
        assert_eq!(
            opened
                .enrollment
                .chip()
                .and_then(|chip| chip.verification.face_match)
                .map(FaceMatchScore::value),
            Some(830),
            "the face comparison's score is sealed with the chip's verdicts"
        );
    }

    #[test]
    fn a_cloned_chip_is_refused_before_anything_is_sealed() {
        let reading = reading(cardsim::ChipProfile::cloned);
        assert_eq!(from_reading(&reading).err(), Some(SubmitError::CardRefused));
    }

    #[test]
    fn groups_are_read_one_a_line_skipping_comments_and_bad_ids() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(load_groups(dir.path()).is_empty(), "no file, no groups");
        std::fs::write(
            dir.path().join(GROUPS_FILE),
            "# commune groups\nto-1 Tổ dân phố 1\n\nthon-dong   Thôn Đông\nbad/id Nope\n",
        )
        .expect("write");
        assert_eq!(
            load_groups(dir.path()),
            [
                Group {
                    id: "to-1".into(),
                    name: "Tổ dân phố 1".into()
                },
                Group {
                    id: "thon-dong".into(),
                    name: "Thôn Đông".into()
                },
            ]
        );
    }
}
