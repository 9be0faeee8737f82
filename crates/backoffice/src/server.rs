//! Running the server: over plain TCP (loopback, the demo) or TLS (rustls), with the simulated
//! review ticking beside it, until a shutdown signal.

use crate::api::{AppState, router};
use crate::review::ReviewPolicy;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use sync::auth::NONCE_RETENTION_MS;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// How long an unfinished upload is kept (a week).
const STALE_UPLOAD_MS: i64 = 7 * 24 * 3600 * 1000;

/// How long a TLS handshake may take before the connection is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The TLS certificate and key could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    /// A PEM file could not be read or holds nothing usable.
    #[error("TLS {0}: cannot read a certificate chain and private key")]
    Pem(&'static str),
    /// rustls refused the pair.
    #[error("TLS configuration refused: {0}")]
    Rustls(#[from] rustls::Error),
}

/// A TLS acceptor from a PEM certificate chain and private key.
pub fn tls_acceptor(cert_pem: &Path, key_pem: &Path) -> Result<TlsAcceptor, TlsSetupError> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert_pem)
        .map_err(|_| TlsSetupError::Pem("certificate"))?
        .collect::<Result<_, _>>()
        .map_err(|_| TlsSetupError::Pem("certificate"))?;
    if chain.is_empty() {
        return Err(TlsSetupError::Pem("certificate"));
    }
    let key = PrivateKeyDer::from_pem_file(key_pem).map_err(|_| TlsSetupError::Pem("key"))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// A TCP listener that completes a TLS handshake before handing a connection to axum.
pub struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let (tcp, addr) = match self.tcp.accept().await {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, self.acceptor.accept(tcp)).await {
                Ok(Ok(tls)) => return (tls, addr),
                Ok(Err(e)) => tracing::info!(%addr, error = %e, "TLS handshake failed"),
                Err(_) => tracing::info!(%addr, "TLS handshake timed out"),
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.tcp.local_addr()
    }
}

/// Serves `state` on `listener` (through `tls` when given), running `review` every `tick`
/// (with the purge of old nonces and of uploads abandoned for a week), until `shutdown`
/// completes.
pub async fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    state: AppState,
    review: Option<(ReviewPolicy, Duration)>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let ticker = review.map(|(policy, every)| {
        let state = state.clone();
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(every);
            loop {
                interval.tick().await;
                let now = state.now();
                if let Err(e) = policy.tick(state.store(), now).await {
                    tracing::error!(error = %e, "review tick failed");
                }
                let before = now.plus_millis(-NONCE_RETENTION_MS);
                if let Err(e) = state.store().purge_nonces(before).await {
                    tracing::error!(error = %e, "nonce purge failed");
                }
                let stale = now.plus_millis(-STALE_UPLOAD_MS);
                if let Err(e) = state.store().purge_stale_uploads(stale).await {
                    tracing::error!(error = %e, "stale upload purge failed");
                }
            }
        })
    });
    let app = router(state);
    let result = match tls {
        Some(acceptor) => {
            axum::serve(
                TlsListener {
                    tcp: listener,
                    acceptor,
                },
                app,
            )
            .with_graceful_shutdown(shutdown)
            .await
        }
        None => {
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
        }
    };
    if let Some(t) = ticker {
        t.abort();
    }
    result
}
