//! What the `cccd-tool` binary shows a field technician: a chip file parsed (EF.COM, DG1,
//! DG13, EF.SOD), passive authentication of an EF.SOD and data-group files against a trust
//! store, and a whole card reading, each as a [`Report`] with a text and a JSON form.
//!
//! Personal data appears only in these reports, which the technician asked for by name; the
//! ID number (and the MRZ document number and old ID that repeat it) is masked in the text
//! form unless revealed. Nothing here logs, and no [`ToolError`] carries file contents.

use cccd::dg13::{Dg13, Dg13Error, Expiry};
use cccd::personal::{Gender, PersonalText};
use emrtd::access::{AccessMethod, PasswordKind};
use emrtd::clone_detection::CloneCheck;
use emrtd::lds::{Dg1, EfCom, LdsError};
use emrtd::mrz::Mrz;
use emrtd::passive_auth::{self, PassiveAuthError, PassiveAuthReport, TrustStore};
use emrtd::sod::{Sod, SodError};
use serde_json::{Value, json};
use thiserror::Error;

use crate::read::CardReading;
use crate::verdict::{CloneReason, InvalidReason, Verdict};

/// The chip files `parse` understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChipFile {
    /// EF.COM: LDS version and the data groups present.
    Com,
    /// DG1: the MRZ.
    Dg1,
    /// DG13: the Vietnamese personal data.
    Dg13,
    /// EF.SOD: the signed hashes and the document signer.
    Sod,
}

/// Why a file could not be shown or verified. Names the file and the fault, never content.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ToolError {
    /// EF.COM or DG1 does not parse.
    #[error("{0}")]
    Lds(#[from] LdsError),
    /// DG13 does not parse.
    #[error("{0}")]
    Dg13(#[from] Dg13Error),
    /// EF.SOD does not parse.
    #[error("{0}")]
    Sod(#[from] SodError),
    /// EF.SOD uses an algorithm this tool cannot verify.
    #[error("{0}")]
    PassiveAuth(#[from] PassiveAuthError),
}

/// How personal identifiers appear in the text form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identifiers {
    /// All but the last three digits hidden.
    Masked,
    /// Shown in full (`--reveal`).
    Revealed,
}

/// One result, ready to print in either form.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Lines for a person.
    pub text: String,
    /// The same content for a program (identifiers in full).
    pub json: Value,
    /// Whether the card or files passed (trusted / genuine, or a file that parsed).
    pub passed: bool,
}

/// `digits` with all but the last three hidden.
pub fn mask(digits: &str) -> String {
    let keep = digits.len().saturating_sub(3);
    let tail = digits.get(keep..).unwrap_or_default();
    format!("{}{tail}", "*".repeat(keep))
}

impl Identifiers {
    fn show(self, digits: &str) -> String {
        match self {
            Self::Masked => mask(digits),
            Self::Revealed => digits.to_string(),
        }
    }
}

/// Parses one chip file.
pub fn parse_file(kind: ChipFile, bytes: &[u8], ids: Identifiers) -> Result<Report, ToolError> {
    let (text, json) = match kind {
        ChipFile::Com => com(&EfCom::parse(bytes)?),
        ChipFile::Dg1 => mrz(&Dg1::parse(bytes)?.mrz, ids),
        ChipFile::Dg13 => dg13(&Dg13::decode(bytes)?, ids),
        ChipFile::Sod => sod(&Sod::decode(bytes)?),
    };
    Ok(Report {
        text,
        json,
        passed: true,
    })
}

/// Passive authentication of `data_groups` (number, file) against `sod` and `trust_store`.
pub fn verify_files(
    sod: &[u8],
    data_groups: &[(u8, Vec<u8>)],
    trust_store: &TrustStore,
) -> Result<Report, ToolError> {
    let groups: Vec<(u8, &[u8])> = data_groups
        .iter()
        .map(|(n, bytes)| (*n, bytes.as_slice()))
        .collect();
    let report = passive_auth::verify(sod, &groups, trust_store)?;
    let (text, json) = passive(&report);
    Ok(Report {
        text,
        json,
        passed: report.verdict == passive_auth::Verdict::Trusted,
    })
}

/// A whole card reading: the verdict first, then how the chip was opened and what it holds.
pub fn reading(reading: &CardReading, ids: Identifiers) -> Report {
    let verdict = verdict_text(&reading.verdict);
    let mut text = format!(
        "verdict: {} ({verdict}); officer action: {}\naccess: {}\n",
        reading.verdict.code(),
        reading.verdict.action().code(),
        access(&reading.access)
    );
    let clone = clone_text(&reading.clone_check);
    text.push_str(&format!("clone check: {clone}\n"));
    let (pa_text, pa_json) = passive(&reading.passive_auth);
    text.push_str(&pa_text);
    let mut json = json!({
        "verdict": reading.verdict.code(),
        "reason": verdict,
        "officer_action": reading.verdict.action().code(),
        "access": access(&reading.access),
        "clone_check": clone,
        "passive_authentication": pa_json,
        "data_groups": reading.evidence.data_groups.keys().collect::<Vec<_>>(),
    });
    if let Some(mrz_data) = &reading.mrz {
        let (t, j) = mrz(mrz_data, ids);
        text.push_str(&t);
        json["dg1"] = j;
    }
    if let Some(holder) = &reading.dg13 {
        let (t, j) = dg13(holder, ids);
        text.push_str(&t);
        json["dg13"] = j;
    }
    if let Some(portrait) = &reading.portrait {
        text.push_str(&format!(
            "DG2 portrait: {}, {}x{}, {} bytes\n",
            portrait.format.mime_type(),
            portrait.width,
            portrait.height,
            portrait.image.len()
        ));
        json["dg2"] = json!({
            "format": portrait.format.mime_type(),
            "width": portrait.width,
            "height": portrait.height,
            "bytes": portrait.image.len(),
        });
    }
    Report {
        text,
        json,
        passed: reading.verdict == Verdict::Genuine,
    }
}

fn access(method: &AccessMethod) -> String {
    match method {
        AccessMethod::Bac => "BAC".to_string(),
        AccessMethod::Pace { info, password } => format!(
            "PACE ({:?}, parameter id {}) with the {}",
            info.protocol,
            info.parameter_id
                .map_or_else(|| "none".to_string(), |id| id.to_string()),
            match password {
                PasswordKind::Mrz => "MRZ",
                PasswordKind::Can => "CAN",
            }
        ),
    }
}

fn verdict_text(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Genuine => "signed by a trusted issuer, data intact, chip proved original".into(),
        Verdict::IssuerUnknown => {
            "data intact and signed, but no trusted CSCA issued the signer".into()
        }
        Verdict::Invalid(InvalidReason::PassiveAuthentication(reason)) => reason.to_string(),
        Verdict::Invalid(InvalidReason::Disagreement(fields)) => format!(
            "the card's sources disagree on {}",
            fields
                .iter()
                .map(|d| format!("{:?} (DG13 vs {:?})", d.field, d.other))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Verdict::Invalid(InvalidReason::PersonalDataUnreadable) => {
            "DG1 or DG13 is missing or does not decode".into()
        }
        Verdict::CloneSuspected(CloneReason::ProofFailed) => {
            "the chip failed Chip/Active Authentication".into()
        }
        Verdict::CloneSuspected(CloneReason::NoProofOffered) => {
            "the chip offers neither Chip nor Active Authentication".into()
        }
        Verdict::CloneSuspected(CloneReason::ProofKeyNotSigned) => {
            "the chip proof's key is not covered by EF.SOD".into()
        }
    }
}

fn clone_text(check: &CloneCheck) -> String {
    match check {
        CloneCheck::ChipAuthentication(Ok(())) => "Chip Authentication passed".into(),
        CloneCheck::ChipAuthentication(Err(e)) => format!("Chip Authentication failed: {e}"),
        CloneCheck::ActiveAuthentication(Ok(())) => "Active Authentication passed".into(),
        CloneCheck::ActiveAuthentication(Err(e)) => format!("Active Authentication failed: {e}"),
        CloneCheck::NotOffered => "not offered".into(),
    }
}

fn passive(report: &PassiveAuthReport) -> (String, Value) {
    let (verdict, reason) = match &report.verdict {
        passive_auth::Verdict::Trusted => ("trusted", None),
        passive_auth::Verdict::SignatureValidIssuerUnknown => {
            ("signature valid, issuer unknown", None)
        }
        passive_auth::Verdict::Invalid(reason) => ("invalid", Some(reason.to_string())),
    };
    let mut text = format!("passive authentication: {verdict}");
    if let Some(reason) = &reason {
        text.push_str(&format!(": {reason}"));
    }
    text.push_str(&format!(
        "\n  data groups checked: {:?}\n",
        report.checked_data_groups
    ));
    let signer = report.document_signer.as_ref().map(|ds| {
        text.push_str(&format!(
            "  document signer: {}\n  DSC issuer: {}\n  DSC serial: {}\n  CSCA key identifier: {}\n  DSC valid: {} to {}\n",
            ds.subject,
            ds.issuer,
            ds.serial,
            ds.authority_key_id.as_deref().unwrap_or("absent"),
            ds.not_before,
            ds.not_after
        ));
        json!({
            "subject": ds.subject,
            "issuer": ds.issuer,
            "serial": ds.serial,
            "authority_key_id": ds.authority_key_id,
            "not_before": ds.not_before,
            "not_after": ds.not_after,
        })
    });
    if let Some(csca) = &report.csca {
        text.push_str(&format!("  CSCA: {csca}\n"));
    }
    let json = json!({
        "verdict": verdict,
        "reason": reason,
        "checked_data_groups": report.checked_data_groups,
        "document_signer": signer,
        "csca": report.csca,
    });
    (text, json)
}

fn com(com: &EfCom) -> (String, Value) {
    let groups: Vec<String> = com.data_groups.iter().map(ToString::to_string).collect();
    let text = format!(
        "EF.COM\n  LDS version: {}\n  Unicode version: {}\n  data groups: {}\n",
        com.lds_version.as_deref().unwrap_or("absent"),
        com.unicode_version.as_deref().unwrap_or("absent"),
        groups.join(", ")
    );
    let json = json!({
        "lds_version": com.lds_version,
        "unicode_version": com.unicode_version,
        "data_groups": groups,
        "unknown_tags": com.unknown_tags,
    });
    (text, json)
}

fn mrz(mrz: &Mrz, ids: Identifiers) -> (String, Value) {
    let check = match mrz.verify_check_digits() {
        Ok(()) => "valid".to_string(),
        Err(e) => e.to_string(),
    };
    let text = format!(
        "DG1 (MRZ, {:?})\n  document: {} {}\n  document number: {}\n  date of birth (YYMMDD): {}\n  sex: {}\n  date of expiry (YYMMDD): {}\n  nationality: {}\n  name: {}, {}\n  check digits: {check}\n",
        mrz.format,
        mrz.document_code,
        mrz.issuing_state,
        ids.show(&mrz.document_number),
        mrz.date_of_birth,
        mrz.sex,
        mrz.date_of_expiry,
        mrz.nationality,
        mrz.primary_identifier,
        mrz.secondary_identifier,
    );
    let json = json!({
        "format": format!("{:?}", mrz.format),
        "document_code": mrz.document_code,
        "issuing_state": mrz.issuing_state,
        "document_number": mrz.document_number,
        "date_of_birth": mrz.date_of_birth,
        "sex": mrz.sex.to_string(),
        "date_of_expiry": mrz.date_of_expiry,
        "nationality": mrz.nationality,
        "primary_identifier": mrz.primary_identifier,
        "secondary_identifier": mrz.secondary_identifier,
        "check_digits": check,
    });
    (text, json)
}

fn date(d: cccd::date::Date) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), d.month(), d.year())
}

fn dg13(holder: &Dg13, ids: Identifiers) -> (String, Value) {
    let personal = |t: &Option<PersonalText>| t.as_ref().map(|t| t.expose().to_string());
    let expiry = holder.date_of_expiry.as_ref().map(|e| match e {
        Expiry::Date(d) => date(*d),
        Expiry::Wording(w) => w.clone(),
    });
    let gender = holder.gender.map(|g| match g {
        Gender::Male => "Nam",
        Gender::Female => "Nữ",
    });
    let old_id = personal(&holder.old_id_number);
    let rows: [(&str, Option<String>); 17] = [
        ("ID number", Some(ids.show(holder.id_number.expose()))),
        ("full name", Some(holder.full_name.expose().to_string())),
        ("date of birth", Some(date(holder.date_of_birth))),
        ("gender", gender.map(str::to_string)),
        ("nationality", personal(&holder.nationality)),
        ("ethnicity", personal(&holder.ethnicity)),
        ("religion", personal(&holder.religion)),
        ("place of origin", personal(&holder.place_of_origin)),
        ("place of residence", personal(&holder.place_of_residence)),
        ("identifying marks", personal(&holder.identifying_marks)),
        ("date of issue", holder.date_of_issue.map(date)),
        ("date of expiry", expiry.clone()),
        ("father", personal(&holder.father_name)),
        ("mother", personal(&holder.mother_name)),
        ("spouse", personal(&holder.spouse_name)),
        ("old ID (CMND)", old_id.as_deref().map(|o| ids.show(o))),
        ("field 16", personal(&holder.field_16)),
    ];
    let mut text = "DG13 (personal data)\n".to_string();
    for (label, value) in &rows {
        if let Some(value) = value {
            text.push_str(&format!("  {label}: {value}\n"));
        }
    }
    for unknown in &holder.unknown_fields {
        text.push_str(&format!(
            "  field {}: {} bytes (unknown, kept raw)\n",
            unknown.number,
            unknown.raw.len()
        ));
    }
    let json = json!({
        "id_number": holder.id_number.expose(),
        "full_name": holder.full_name.expose(),
        "date_of_birth": date(holder.date_of_birth),
        "gender": gender,
        "nationality": personal(&holder.nationality),
        "ethnicity": personal(&holder.ethnicity),
        "religion": personal(&holder.religion),
        "place_of_origin": personal(&holder.place_of_origin),
        "place_of_residence": personal(&holder.place_of_residence),
        "identifying_marks": personal(&holder.identifying_marks),
        "date_of_issue": holder.date_of_issue.map(date),
        "date_of_expiry": expiry,
        "father": personal(&holder.father_name),
        "mother": personal(&holder.mother_name),
        "spouse": personal(&holder.spouse_name),
        "old_id_number": old_id,
        "field_16": personal(&holder.field_16),
        "unknown_fields": holder
            .unknown_fields
            .iter()
            .map(|u| json!({"number": u.number, "bytes": u.raw.len()}))
            .collect::<Vec<_>>(),
    });
    (text, json)
}

fn sod(sod: &Sod) -> (String, Value) {
    let lds = &sod.lds_security_object;
    let hashes: Vec<Value> = lds
        .data_group_hashes
        .iter()
        .map(|h| json!({"data_group": h.number, "hash": hex(&h.hash)}))
        .collect();
    let mut text = format!(
        "EF.SOD\n  LDSSecurityObject version: {}\n  digest: {:?}\n",
        lds.version, lds.digest_algorithm
    );
    for h in &lds.data_group_hashes {
        text.push_str(&format!("  DG{}: {}\n", h.number, hex(&h.hash)));
    }
    let signer = sod.document_signer_certificate().map(|embedded| {
        let tbs = embedded.certificate.tbs_certificate();
        let (subject, issuer) = (tbs.subject().to_string(), tbs.issuer().to_string());
        text.push_str(&format!(
            "  document signer: {subject}\n  DSC issuer: {issuer}\n"
        ));
        json!({"subject": subject, "issuer": issuer})
    });
    if signer.is_none() {
        text.push_str("  document signer: no certificate matching the signer info\n");
    }
    let json = json!({
        "version": lds.version,
        "digest_algorithm": format!("{:?}", lds.digest_algorithm),
        "data_group_hashes": hashes,
        "document_signer": signer,
    });
    (text, json)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_keeps_the_last_three_digits() {
        assert_eq!(mask("001090012345"), "*********345");
        assert_eq!(mask("090012345"), "******345");
        assert_eq!(mask("12"), "12");
    }
}
