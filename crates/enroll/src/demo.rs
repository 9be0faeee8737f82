//! Synthetic enrollments of fictitious citizens, for the demo mode, benchmarks and tests that
//! run outside this crate (the `kill -9` child process). The identity follows the synthetic
//! CCCD-shaped MRZ of the project notes; no real person's data.

use crate::citizen::{
    CalendarDate, CitizenData, CitizenError, CitizenFields, DataSource, Gender, IdNumber,
};
use crate::consent::Consent;
use crate::enrollment::{ChipRead, Enrollment};
use crate::evidence::{
    AccessMethod, ChipEvidence, CloneCheck, FaceMatchScore, PassiveAuthentication, Verification,
};
use crate::form::{EnrollmentForm, RawForm};
use crate::ids::{DeviceId, GroupId, OperatorId};
use crate::portrait::Portrait;
use crate::timestamp::Timestamp;
use std::collections::BTreeMap;

/// Why a demo enrollment could not be built (a bug in the generator, reported, not panicked).
#[derive(Debug, thiserror::Error)]
#[error("the demo enrollment generator produced invalid data: {0}")]
pub struct DemoError(&'static str);

/// A JPEG-shaped buffer of `len` bytes whose content depends on `seed`.
pub fn demo_portrait(seed: u32, len: usize) -> Result<Portrait, DemoError> {
    let mut bytes: Vec<u8> = (0..len)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).wrapping_add(seed) as u8)
        .collect();
    if let Some(head) = bytes.get_mut(..4) {
        head.copy_from_slice(&[0xFF, 0xD8, 0xFF, 0xE0]);
    }
    if let Some(tail) = bytes.get_mut(len.saturating_sub(2)..) {
        tail.copy_from_slice(&[0xFF, 0xD9]);
    }
    Portrait::from_jpeg(bytes).map_err(|_| DemoError("portrait"))
}

/// The `n`-th fictitious citizen's chip enrollment at `device`, counted for `group`, with a
/// portrait of `portrait_len` bytes.
pub fn demo_enrollment(
    n: u32,
    portrait_len: usize,
    device: &DeviceId,
    group: &GroupId,
    now: Timestamp,
) -> Result<Enrollment, DemoError> {
    let id = format!("0010900{:05}", n % 100_000);
    let fields = CitizenFields {
        id_number: IdNumber::new(&id).map_err(|_| DemoError("id"))?,
        full_name: format!("NGUYỄN VĂN THỬ {n}"),
        date_of_birth: CalendarDate::new(1990, 1, 1).map_err(|_: CitizenError| DemoError("dob"))?,
        gender: Some(Gender::Male),
        place_of_residence: Some("Phường Demo, Hà Nội".to_owned()),
        date_of_issue: CalendarDate::new(2021, 4, 15).ok(),
        old_id_number: None,
    };
    let citizen = CitizenData::new(DataSource::Chip, fields).map_err(|_| DemoError("citizen"))?;
    let mut dgs = BTreeMap::new();
    dgs.insert(1, format!("IDVNM{}", id).into_bytes());
    dgs.insert(2, vec![0x75; 16_000]);
    dgs.insert(13, format!("DG13 of demo citizen {n}").into_bytes());
    dgs.insert(14, vec![0x6E; 300]);
    let evidence = ChipEvidence::new(dgs, vec![0x77; 1_800]).map_err(|_| DemoError("evidence"))?;
    let chip = ChipRead {
        evidence,
        verification: Verification {
            access: AccessMethod::Bac,
            passive: PassiveAuthentication::SignatureValidIssuerUnknown,
            chip_authentication: CloneCheck::Passed,
            active_authentication: CloneCheck::NotSupported,
            face_match: FaceMatchScore::per_mille(900),
        },
    };
    let mut raw = RawForm::default();
    raw.phone = format!("09{:08}", n % 100_000_000);
    let form = EnrollmentForm::parse(&raw).map_err(|_| DemoError("form"))?;
    let operator = OperatorId::new("demo-operator").map_err(|_| DemoError("operator"))?;
    let consent = Consent::given("2026-01", now, operator, device.clone())
        .map_err(|_| DemoError("consent"))?;
    Enrollment::new(
        citizen,
        Some(chip),
        demo_portrait(n, portrait_len)?,
        form,
        consent,
        group.clone(),
    )
    .map_err(|_| DemoError("enrollment"))
}
