//! HTTPS with the back office's own CA pinned: the kiosk reaches a server whose certificate
//! chains to the configured CA, and refuses one signed by any other CA (even a valid one).

mod common;

use backoffice::api::Faults;
use backoffice::server::tls_acceptor;
use common::{TestKiosk, TestServer};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use std::path::Path;
use sync::client::{ClientConfig, SyncClient, SyncError};

/// A CA, and a certificate for 127.0.0.1 it signed; returns the CA's PEM and writes the
/// server's certificate and key under `dir`.
fn ca_and_server_cert(dir: &Path, name: &str) -> String {
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.distinguished_name.push(DnType::CommonName, name);
    let ca_cert = ca.self_signed(&ca_key).expect("CA certificate");
    let issuer = Issuer::new(ca, ca_key);
    let server_key = KeyPair::generate().expect("server key");
    let server = CertificateParams::new(vec!["127.0.0.1".to_owned()]).expect("server params");
    let server_cert = server
        .signed_by(&server_key, &issuer)
        .expect("server certificate");
    std::fs::write(dir.join("server.pem"), server_cert.pem()).expect("write cert");
    std::fs::write(dir.join("server.key"), server_key.serialize_pem()).expect("write key");
    ca_cert.pem()
}

fn https_client(kiosk: &TestKiosk, port: u16, ca_pem: &str) -> SyncClient<common::Rng> {
    let url = format!("https://127.0.0.1:{port}/").parse().expect("url");
    SyncClient::new(
        ClientConfig::new(url, Some(ca_pem.as_bytes().to_vec())),
        kiosk.signer(),
        common::rng(),
    )
    .expect("client")
}

#[tokio::test]
async fn the_pinned_ca_is_trusted_and_any_other_ca_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let our_ca = ca_and_server_cert(dir.path(), "Back office CA");
    let acceptor = tls_acceptor(
        &dir.path().join("server.pem"),
        &dir.path().join("server.key"),
    )
    .expect("TLS set-up");
    let server = TestServer::start_with(
        dir.path(),
        Faults::default(),
        Default::default(),
        Some(acceptor),
        None,
    )
    .await;
    let kiosk = TestKiosk::new(dir.path(), "kiosk-tls").await;

    let pinned = https_client(&kiosk, server.addr.port(), &our_ca);
    let registered = pinned.register(&server.token().await).await;
    assert!(registered.is_ok(), "{registered:?}");
    assert!(pinned.configuration().await.is_ok());

    let other_dir = tempfile::tempdir().expect("tempdir");
    let other_ca = ca_and_server_cert(other_dir.path(), "Someone else's CA");
    let refused = https_client(&kiosk, server.addr.port(), &other_ca)
        .configuration()
        .await;
    assert!(matches!(refused, Err(SyncError::Offline(_))), "{refused:?}");

    let plain = kiosk.client_for(&format!("http://{}/", server.addr), 1024);
    assert!(matches!(
        plain.configuration().await,
        Err(SyncError::Offline(_) | SyncError::Malformed | SyncError::Server { .. })
    ));
    server.stop().await;
}
