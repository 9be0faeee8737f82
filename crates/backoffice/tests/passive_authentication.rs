//! The back office re-runs passive authentication on the chip evidence in each package against
//! its own trust store, whatever the kiosk claimed, and the review rejects chip data that is
//! not what the issuer signed. The evidence comes from the software CCCD's test issuer.

mod common;

use backoffice::api::Faults;
use backoffice::review::{NOT_AUTHENTIC, ReviewPolicy};
use backoffice::simulate::chip_read;
use cardsim::identity::Identity;
use cardsim::pki::TestPki;
use common::{TestKiosk, TestServer, enrollment_with, rng};
use emrtd::passive_auth::TrustStore;
use enroll::evidence::ChipEvidence;
use enroll::package::seal;
use enroll::timestamp::Timestamp;
use std::collections::BTreeMap;
use std::time::Duration;

/// DG1, DG2 and DG13 of a shipped test identity and an EF.SOD over them signed by `issuer`;
/// `tamper` alters DG13 after signing (what a forged chip would present).
fn evidence(issuer: &TestPki, tamper: bool) -> ChipEvidence {
    let identity = Identity::builtin("nguyen-van-a").expect("shipped identity");
    let mut dgs = BTreeMap::new();
    dgs.insert(1u8, identity.dg1());
    if let Some(dg2) = identity.dg2() {
        dgs.insert(2, dg2);
    }
    dgs.insert(13, identity.dg13());
    let signed: Vec<(u8, &[u8])> = dgs.iter().map(|(n, b)| (*n, b.as_slice())).collect();
    let sod = issuer.sign_sod(&signed);
    if tamper
        && let Some(dg13) = dgs.get_mut(&13)
        && let Some(b) = dg13.last_mut()
    {
        *b ^= 0x01;
    }
    ChipEvidence::new(dgs, sod).expect("evidence")
}

#[tokio::test]
async fn the_back_office_trusts_only_its_own_passive_authentication() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csca = TestPki::test_csca();
    let mut trust_store = TrustStore::default();
    assert_eq!(
        trust_store.add_file_contents(csca.csca_certificate()).ok(),
        Some(1)
    );
    let server =
        TestServer::start_with(dir.path(), Faults::default(), trust_store, None, None).await;
    let kiosk = TestKiosk::new(dir.path(), "kiosk-pa").await;
    let client = kiosk.client_for(&server.url(), 256 * 1024);
    client
        .register(&server.token().await)
        .await
        .expect("registers");

    let unknown_issuer = TestPki::new("an issuer nobody trusts");
    let cases = [
        (Some(evidence(&csca, false)), Some("trusted")),
        (
            Some(evidence(&csca, true)),
            Some("invalid:dg-hash-mismatch"),
        ),
        (
            Some(evidence(&unknown_issuer, false)),
            Some("issuer-unknown"),
        ),
        (None, None),
    ];
    let mut ids = Vec::new();
    for (n, (evidence, _)) in cases.iter().enumerate() {
        let enrollment = enrollment_with(&kiosk.device, n as u32, evidence.clone().map(chip_read));
        let package = seal(
            &enrollment,
            Timestamp::now(),
            &kiosk.key,
            &server.package_key,
            &mut rng(),
        )
        .expect("seals");
        client
            .upload(&package, &server.receipt_key, |_, _| {})
            .await
            .expect("stored whatever the verdict");
        ids.push(package.id());
    }
    let stored = server.store().packages().await.expect("packages");
    let verdicts: Vec<Option<&str>> = stored.iter().map(|p| p.passive_auth.as_deref()).collect();
    let expected: Vec<Option<&str>> = cases.iter().map(|(_, v)| *v).collect();
    assert_eq!(verdicts, expected);

    let policy = ReviewPolicy {
        decide_after: Duration::ZERO,
        reject_per_mille: 0,
        activate_after: Duration::from_secs(3600),
        activate_per_mille: 0,
    };
    policy
        .tick(server.store(), Timestamp::now().plus_millis(1))
        .await
        .expect("review");
    let changes = server
        .store()
        .status_changes(&kiosk.device, 0, 100)
        .await
        .expect("statuses");
    let rejected: Vec<_> = changes
        .iter()
        .filter_map(|c| match &c.status {
            sync::messages::ApplicationStatus::Rejected { reason } => {
                Some((c.package_id, reason.as_str().to_owned()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(rejected, [(ids[1], NOT_AUTHENTIC.to_owned())]);
    server.stop().await;
}
