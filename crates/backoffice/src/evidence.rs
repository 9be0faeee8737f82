//! The back office re-runs passive authentication (ICAO 9303-11 §5.1, through `emrtd`) on the
//! chip evidence inside each package, against its own trust store: the kiosk's verdict is
//! recorded in the package, but the back office believes only its own check.

use emrtd::passive_auth::{InvalidReason, TrustStore, Verdict, verify};
use enroll::evidence::ChipEvidence;

/// The verdict as stored: `trusted`, `issuer-unknown`, `invalid:<code>` or
/// `unsupported-algorithm`.
pub fn passive_authentication(evidence: &ChipEvidence, trust_store: &TrustStore) -> String {
    let data_groups: Vec<(u8, &[u8])> = evidence
        .data_group_numbers()
        .filter_map(|n| evidence.data_group(n).map(|bytes| (n, bytes)))
        .collect();
    match verify(evidence.sod(), &data_groups, trust_store) {
        Ok(report) => match report.verdict {
            Verdict::Trusted => "trusted".to_owned(),
            Verdict::SignatureValidIssuerUnknown => "issuer-unknown".to_owned(),
            Verdict::Invalid(reason) => format!("invalid:{}", reason_code(&reason)),
        },
        Err(_) => "unsupported-algorithm".to_owned(),
    }
}

/// Whether a stored verdict says the chip data is not what the issuer signed.
pub fn is_invalid(verdict: &str) -> bool {
    verdict.starts_with("invalid:")
}

fn reason_code(reason: &InvalidReason) -> &'static str {
    match reason {
        InvalidReason::MalformedSod(_) => "malformed-sod",
        InvalidReason::DataGroupNotInSod(_) => "dg-not-in-sod",
        InvalidReason::DataGroupHashMismatch(_) => "dg-hash-mismatch",
        InvalidReason::ContentTypeMismatch => "content-type-mismatch",
        InvalidReason::MessageDigestMismatch => "message-digest-mismatch",
        InvalidReason::NoDocumentSignerCertificate => "no-ds-certificate",
        InvalidReason::SodSignatureMismatch => "sod-signature-mismatch",
        InvalidReason::DocumentSignerSignatureMismatch => "ds-signature-mismatch",
    }
}
