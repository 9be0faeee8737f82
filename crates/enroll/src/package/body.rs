//! The encrypted body of a package: a manifest (repeating the header, plus a SHA-256 of every
//! content entry), the enrollment record, the portrait and the raw chip evidence, encoded as
//! deterministic CBOR (struct fields in declaration order, maps with sorted keys, shortest
//! integer encodings).

use super::sealed::{PackageHeader, encode_cbor};
use super::{PackageError, PackageId};
use crate::citizen::{CitizenData, DataSource};
use crate::consent::Consent;
use crate::enrollment::{ChipRead, Enrollment};
use crate::evidence::{ChipEvidence, Verification};
use crate::form::EnrollmentForm;
use crate::ids::{DeviceId, GroupId, OperatorId};
use crate::portrait::Portrait;
use crate::timestamp::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use zeroize::Zeroizing;

/// A SHA-256 content hash. Hidden in `Debug`: the hash of a low-entropy entry such as DG1 (ID
/// number, birth and expiry dates) could be brute-forced back to its content.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ContentDigest(#[serde(with = "serde_bytes")] [u8; 32]);

impl std::fmt::Debug for ContentDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ContentDigest(<hidden>)")
    }
}

impl ContentDigest {
    fn of(bytes: &[u8]) -> Self {
        Self(Sha256::digest(bytes).into())
    }

    /// The 32 hash bytes.
    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// The manifest inside the encryption: the header's facts again (checked against the clear
/// header on opening) and one SHA-256 per content entry: `record`, `portrait`, `dgN` for each
/// data group, `sod`. A later format may add entries (a biometric section): readers ignore
/// names they do not know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Format version.
    pub format_version: u16,
    /// Package id.
    pub package_id: PackageId,
    /// When sealed.
    pub created_at: Timestamp,
    /// The kiosk.
    pub device: DeviceId,
    /// The operator.
    pub operator: OperatorId,
    /// The residential group.
    pub group: GroupId,
    /// Chip or QR only.
    pub source: DataSource,
    /// SHA-256 per content entry name.
    pub contents: BTreeMap<String, ContentDigest>,
}

/// The enrollment's structured data, encoded once and hashed as bytes.
#[derive(Serialize)]
struct RecordOut<'a> {
    citizen: &'a CitizenData,
    verification: Option<&'a Verification>,
    form: &'a EnrollmentForm,
    consent: &'a Consent,
    group: &'a GroupId,
}

#[derive(Deserialize)]
struct RecordIn {
    citizen: CitizenData,
    verification: Option<Verification>,
    form: EnrollmentForm,
    consent: Consent,
    group: GroupId,
}

#[derive(Serialize)]
struct BodyOut<'a> {
    manifest: &'a Manifest,
    #[serde(with = "serde_bytes")]
    record: &'a [u8],
    portrait: &'a Portrait,
    evidence: Option<&'a ChipEvidence>,
}

#[derive(Deserialize)]
struct BodyIn {
    manifest: Manifest,
    record: serde_bytes::ByteBuf,
    portrait: Portrait,
    evidence: Option<ChipEvidence>,
}

fn evidence_entries(evidence: &ChipEvidence) -> impl Iterator<Item = (String, &[u8])> {
    evidence
        .data_group_numbers()
        .filter_map(|n| evidence.data_group(n).map(|b| (format!("dg{n}"), b)))
        .chain(std::iter::once(("sod".to_owned(), evidence.sod())))
}

/// Encodes the plaintext body of `enrollment` for `header`. The buffer is wiped when dropped;
/// it is sized up front so the encoder does not leave reallocated copies behind.
pub(crate) fn encode(
    enrollment: &Enrollment,
    header: &PackageHeader,
) -> Result<Zeroizing<Vec<u8>>, PackageError> {
    let verification = enrollment.chip().map(|c| &c.verification);
    let record = Zeroizing::new(encode_cbor(
        &RecordOut {
            citizen: enrollment.citizen(),
            verification,
            form: enrollment.form(),
            consent: enrollment.consent(),
            group: enrollment.group(),
        },
        4096,
    )?);
    let evidence = enrollment.chip().map(|c| &c.evidence);
    let mut contents = BTreeMap::new();
    contents.insert("record".to_owned(), ContentDigest::of(&record));
    contents.insert(
        "portrait".to_owned(),
        ContentDigest::of(enrollment.portrait().jpeg()),
    );
    let mut evidence_len = 0;
    if let Some(ev) = evidence {
        for (name, bytes) in evidence_entries(ev) {
            evidence_len += bytes.len() + 16;
            contents.insert(name, ContentDigest::of(bytes));
        }
    }
    let manifest = Manifest {
        format_version: header.format_version,
        package_id: header.package_id,
        created_at: header.created_at,
        device: header.device.clone(),
        operator: header.operator.clone(),
        group: header.group.clone(),
        source: enrollment.citizen().source(),
        contents,
    };
    let capacity = 2048 + record.len() + enrollment.portrait().jpeg().len() + evidence_len;
    Ok(Zeroizing::new(encode_cbor(
        &BodyOut {
            manifest: &manifest,
            record: &record,
            portrait: enrollment.portrait(),
            evidence,
        },
        capacity,
    )?))
}

/// Decodes a plaintext body, checks every content hash and the manifest against `header`, and
/// rebuilds the enrollment.
pub(crate) fn decode(
    plaintext: &[u8],
    header: &PackageHeader,
) -> Result<(Manifest, Enrollment), PackageError> {
    let body: BodyIn = ciborium::from_reader(plaintext).map_err(|_| PackageError::MalformedBody)?;
    let BodyIn {
        manifest: m,
        record,
        portrait,
        evidence,
    } = body;
    let record = Zeroizing::new(record.into_vec());
    if m.format_version != header.format_version
        || m.package_id != header.package_id
        || m.created_at != header.created_at
        || m.device != header.device
        || m.operator != header.operator
        || m.group != header.group
    {
        return Err(PackageError::ManifestMismatch);
    }
    let check = |name: &'static str, bytes: &[u8]| {
        if m.contents.get(name) == Some(&ContentDigest::of(bytes)) {
            Ok(())
        } else {
            Err(PackageError::ContentMismatch(name))
        }
    };
    check("record", &record)?;
    check("portrait", portrait.jpeg())?;
    let listed_evidence = m
        .contents
        .keys()
        .filter(|k| k.starts_with("dg") || *k == "sod")
        .count();
    let mut present_evidence = 0;
    if let Some(ev) = &evidence {
        for (name, bytes) in evidence_entries(ev) {
            present_evidence += 1;
            if m.contents.get(&name) != Some(&ContentDigest::of(bytes)) {
                return Err(PackageError::ContentMismatch("chip evidence"));
            }
        }
    }
    if listed_evidence != present_evidence {
        return Err(PackageError::ContentMismatch("chip evidence"));
    }
    let RecordIn {
        citizen,
        verification,
        form,
        consent,
        group,
    } = ciborium::from_reader(record.as_slice()).map_err(|_| PackageError::MalformedBody)?;
    if citizen.source() != m.source || group != m.group {
        return Err(PackageError::ManifestMismatch);
    }
    let chip = match (evidence, verification) {
        (Some(evidence), Some(verification)) => Some(ChipRead {
            evidence,
            verification,
        }),
        (None, None) => None,
        _ => return Err(PackageError::MalformedBody),
    };
    let enrollment = Enrollment::new(citizen, chip, portrait, form, consent, group)
        .map_err(|_| PackageError::MalformedBody)?;
    Ok((m, enrollment))
}
