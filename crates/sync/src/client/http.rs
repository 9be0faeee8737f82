//! [`SyncClient`]: the protocol's requests over HTTPS, each signed by the kiosk's device key.
//!
//! The client talks to one configured URL and nothing else: no system proxy, no redirects.
//! HTTPS trusts only the configured CA (the back office's own, pinned); plain HTTP is refused
//! unless the host is a loopback IP address (the demo on one machine).

use crate::auth::RequestSigner;
use crate::messages::{
    AUTHORIZATION, ErrorBody, ErrorCode, Heartbeat, HeartbeatAck, KioskConfiguration,
    RegistrationRequest, RegistrationResponse, StatusPage, UploadOffer, UploadStatus, paths,
};
use crate::receipt::{ReceiptError, ReceiptKey, SignedReceipt};
use crate::upload::{CONTENT_RANGE, ContentRange};
use enroll::ids::ReasonCode;
use enroll::package::{PackageId, SealedPackage};
use enroll::queue::QueueError;
use enroll::timestamp::Timestamp;
use rand_core::CryptoRng;
use reqwest::{Method, StatusCode, Url};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Where and how to reach the back office.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The back office's base URL (`https://…`, or `http://127.0.0.1:…` for the demo).
    pub base_url: Url,
    /// The back office's CA certificate(s), PEM: the only roots trusted for HTTPS.
    pub pinned_ca_pem: Option<Vec<u8>>,
    /// Time allowed to connect.
    pub connect_timeout: Duration,
    /// Time allowed for a whole request and its answer.
    pub request_timeout: Duration,
    /// Bytes per upload chunk.
    pub chunk_len: u64,
    /// The kiosk software's version (registration, heartbeat).
    pub software_version: String,
}

impl ClientConfig {
    /// A configuration for `base_url` with the default timeouts and a 256 KiB chunk.
    pub fn new(base_url: Url, pinned_ca_pem: Option<Vec<u8>>) -> Self {
        Self {
            base_url,
            pinned_ca_pem,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            chunk_len: 256 * 1024,
            software_version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}

/// Why a client cannot be built from its configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// `http://` to a host that is not a loopback IP address.
    #[error("plain HTTP is only allowed to a loopback address; use https")]
    PlainHttpNotLoopback,
    /// A scheme other than http or https.
    #[error("the back-office URL must start with https://")]
    UnsupportedScheme,
    /// `https://` without a pinned CA.
    #[error("HTTPS needs the back office's CA certificate to be configured")]
    NoPinnedCa,
    /// The CA file holds no usable certificate.
    #[error("the configured CA certificate cannot be read")]
    BadCa,
    /// The chunk length is zero or larger than the back office accepts.
    #[error("the upload chunk length must be between 1 byte and 1 MiB")]
    BadChunkLen,
    /// The HTTP client could not be built.
    #[error("the HTTP client could not be built: {0}")]
    Build(String),
}

/// Why a sync request failed. No variant carries personal data.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The back office could not be reached or the connection broke (offline, timeout, reset).
    #[error("the back office is unreachable ({0}); packages stay queued")]
    Offline(&'static str),
    /// The back office answered with a server error or an unexpected status.
    #[error("the back office answered HTTP {status}{}", code.map(|c| format!(" ({c})")).unwrap_or_default())]
    Server {
        /// The HTTP status.
        status: u16,
        /// The protocol error code, when the body had one.
        code: Option<ErrorCode>,
    },
    /// The back office refused the kiosk's credentials (unknown kiosk, bad signature, replay,
    /// token).
    #[error("the back office refused this kiosk's credentials ({0})")]
    Unauthorised(ErrorCode),
    /// The kiosk's clock is too far from the back office's: `offset_ms` is theirs minus ours.
    #[error("the kiosk's clock is off by {offset_ms} ms from the back office's; set the clock")]
    ClockOff {
        /// The back office's clock minus the kiosk's, in milliseconds.
        offset_ms: i64,
    },
    /// The package id is already stored with other content: quarantine, never overwrite.
    #[error("package {0} conflicts with different content at the back office")]
    Conflict(PackageId),
    /// The back office found the package itself invalid (layout, signature, encryption).
    #[error("the back office rejected package {0} as invalid ({1})")]
    Rejected(PackageId, ErrorCode),
    /// A chunk did not start where the back office's upload stands.
    #[error("the upload is at offset {0} at the back office")]
    RangeMismatch(u64),
    /// The receipt does not verify or names something else.
    #[error("the back office's receipt is not valid: {0}")]
    BadReceipt(#[from] ReceiptError),
    /// The answer is not what the protocol says (truncated or malformed body).
    #[error("the back office's answer is malformed")]
    Malformed,
    /// The local queue failed.
    #[error(transparent)]
    Queue(#[from] QueueError),
}

impl SyncError {
    /// Whether trying again later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Offline(_) | Self::Server { .. } | Self::RangeMismatch(_) | Self::Malformed
        )
    }

    /// A short code for the queue's bookkeeping and the heartbeat.
    pub fn reason(&self) -> ReasonCode {
        let text = match self {
            Self::Offline(kind) => format!("offline:{kind}"),
            Self::Server { status, code } => match code {
                Some(c) => format!("http-{status}:{c}"),
                None => format!("http-{status}"),
            },
            Self::Unauthorised(code) => format!("unauthorised:{code}"),
            Self::ClockOff { .. } => format!("unauthorised:{}", ErrorCode::ClockSkew),
            Self::Conflict(_) => "conflict".to_owned(),
            Self::Rejected(_, code) => format!("rejected:{code}"),
            Self::RangeMismatch(_) => "range-mismatch".to_owned(),
            Self::BadReceipt(_) => "bad-receipt".to_owned(),
            Self::Malformed => "malformed-answer".to_owned(),
            Self::Queue(_) => "queue-error".to_owned(),
        };
        // Every text above is ASCII from the allowed alphabet and short; the literal fallback
        // is valid, so the `expect` cannot fire on any input.
        ReasonCode::new(text)
            .or_else(|_| ReasonCode::new("error"))
            .expect("\"error\" is a valid reason code")
    }
}

fn network_kind(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connect"
    } else if e.is_body() || e.is_decode() {
        "body"
    } else {
        "request"
    }
}

/// The TLS settings: only `ca_pem`'s certificates are trusted (none when absent).
fn tls_config(ca_pem: Option<&[u8]>) -> Result<rustls::ClientConfig, ClientError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    if let Some(pem) = ca_pem {
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|_| ClientError::BadCa)?;
            roots.add(cert).map_err(|_| ClientError::BadCa)?;
        }
        if roots.is_empty() {
            return Err(ClientError::BadCa);
        }
    }
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ClientError::Build(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

fn check_url(config: &ClientConfig) -> Result<(), ClientError> {
    match config.base_url.scheme() {
        "https" if config.pinned_ca_pem.is_none() => Err(ClientError::NoPinnedCa),
        "https" => Ok(()),
        "http" => {
            // Only an IP literal counts: a name could resolve anywhere.
            let loopback = config
                .base_url
                .host_str()
                .map(|h| h.trim_start_matches('[').trim_end_matches(']'))
                .and_then(|h| h.parse::<IpAddr>().ok())
                .is_some_and(|ip| ip.is_loopback());
            if loopback {
                Ok(())
            } else {
                Err(ClientError::PlainHttpNotLoopback)
            }
        }
        _ => Err(ClientError::UnsupportedScheme),
    }
}

/// The kiosk's connection to the back office.
pub struct SyncClient<R> {
    http: reqwest::Client,
    config: ClientConfig,
    signer: RequestSigner,
    rng: Mutex<R>,
    clock: Arc<dyn Fn() -> Timestamp + Send + Sync>,
}

impl<R: CryptoRng + Send> SyncClient<R> {
    /// A client for `config`, signing with `signer`, nonces from `rng`, the system clock.
    pub fn new(config: ClientConfig, signer: RequestSigner, rng: R) -> Result<Self, ClientError> {
        check_url(&config)?;
        if config.chunk_len == 0 || config.chunk_len > crate::upload::MAX_CHUNK_LEN {
            return Err(ClientError::BadChunkLen);
        }
        let tls = tls_config(config.pinned_ca_pem.as_deref())?;
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .build()
            .map_err(|e| ClientError::Build(e.to_string()))?;
        Ok(Self {
            http,
            config,
            signer,
            rng: Mutex::new(rng),
            clock: Arc::new(Timestamp::now),
        })
    }

    /// Replaces the clock requests are stamped with (tests of the clock window).
    pub fn with_clock(mut self, clock: Arc<dyn Fn() -> Timestamp + Send + Sync>) -> Self {
        self.clock = clock;
        self
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The clock requests are stamped with.
    pub fn now(&self) -> Timestamp {
        (self.clock)()
    }

    async fn send(
        &self,
        method: Method,
        path_and_query: &str,
        body: Vec<u8>,
        headers: &[(&'static str, String)],
    ) -> Result<(StatusCode, Vec<u8>), SyncError> {
        let url = self
            .config
            .base_url
            .join(path_and_query)
            .map_err(|_| SyncError::Malformed)?;
        let auth = {
            let mut rng = self.rng.lock().map_err(|_| SyncError::Malformed)?;
            self.signer.sign(
                method.as_str(),
                path_and_query,
                &body,
                self.now(),
                &mut *rng,
            )
        };
        let mut request = self.http.request(method, url).body(body);
        for (name, value) in auth.to_pairs().iter().chain(headers) {
            request = request.header(*name, value);
        }
        let response = request
            .send()
            .await
            .map_err(|e| SyncError::Offline(network_kind(&e)))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| SyncError::Offline(network_kind(&e)))?;
        Ok((status, bytes.to_vec()))
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path_and_query: &str,
        body: Vec<u8>,
        headers: &[(&'static str, String)],
        package: Option<PackageId>,
    ) -> Result<T, SyncError> {
        let (status, bytes) = self.send(method, path_and_query, body, headers).await?;
        if status == StatusCode::OK {
            return serde_json::from_slice(&bytes).map_err(|_| SyncError::Malformed);
        }
        let error: Option<ErrorBody> = serde_json::from_slice(&bytes).ok();
        let code = error.as_ref().map(|e| e.error);
        if let Some(ErrorBody {
            error: ErrorCode::ClockSkew,
            server_time: Some(server_time),
            ..
        }) = &error
        {
            let offset_ms = server_time.unix_millis() - self.now().unix_millis();
            return Err(SyncError::ClockOff { offset_ms });
        }
        Err(match (status.as_u16(), code) {
            (401 | 403, Some(code)) => SyncError::Unauthorised(code),
            (401 | 403, None) => SyncError::Unauthorised(ErrorCode::Unauthenticated),
            (409, Some(ErrorCode::Conflict)) => match package {
                Some(id) => SyncError::Conflict(id),
                None => SyncError::Unauthorised(ErrorCode::Conflict),
            },
            (416, _) => match error.and_then(|e| e.offset) {
                Some(offset) => SyncError::RangeMismatch(offset),
                None => SyncError::Malformed,
            },
            (422, Some(ErrorCode::PackageRejected)) => match package {
                Some(id) => SyncError::Rejected(id, ErrorCode::PackageRejected),
                None => SyncError::Malformed,
            },
            (status, code) => SyncError::Server { status, code },
        })
    }

    fn json<T: Serialize>(value: &T) -> Result<Vec<u8>, SyncError> {
        serde_json::to_vec(value).map_err(|_| SyncError::Malformed)
    }

    const JSON: (&'static str, &'static str) = ("content-type", "application/json");

    fn json_header() -> [(&'static str, String); 1] {
        [(Self::JSON.0, Self::JSON.1.to_owned())]
    }

    /// Registers this kiosk's device key with an administrator's one-time `token`.
    pub async fn register(&self, token: &str) -> Result<RegistrationResponse, SyncError> {
        let body = Self::json(&RegistrationRequest {
            device: self.signer.device().clone(),
            device_key: self.signer.public_key(),
            software_version: self.config.software_version.clone(),
        })?;
        let headers = [
            (Self::JSON.0, Self::JSON.1.to_owned()),
            (AUTHORIZATION, format!("Bearer {token}")),
        ];
        self.call(Method::POST, paths::KIOSKS, body, &headers, None)
            .await
    }

    /// Offers a package: where its upload stands at the back office.
    pub async fn offer(&self, package: &SealedPackage) -> Result<UploadStatus, SyncError> {
        let offer = UploadOffer {
            package_id: package.id(),
            sha256: package.digest(),
            len: u64::try_from(package.as_bytes().len()).map_err(|_| SyncError::Malformed)?,
        };
        let body = Self::json(&offer)?;
        self.call(
            Method::POST,
            paths::UPLOADS,
            body,
            &Self::json_header(),
            Some(package.id()),
        )
        .await
    }

    /// Asks where an offered package's upload stands (the offset query after a cut).
    pub async fn upload_status(&self, id: PackageId) -> Result<UploadStatus, SyncError> {
        self.call(Method::GET, &paths::upload(id), Vec::new(), &[], Some(id))
            .await
    }

    /// Sends one chunk of `package` at `offset`.
    pub async fn put_chunk(
        &self,
        package: &SealedPackage,
        offset: u64,
    ) -> Result<UploadStatus, SyncError> {
        let bytes = package.as_bytes();
        let total = u64::try_from(bytes.len()).map_err(|_| SyncError::Malformed)?;
        let end = offset.saturating_add(self.config.chunk_len).min(total);
        let chunk = usize::try_from(offset)
            .ok()
            .zip(usize::try_from(end).ok())
            .and_then(|(a, b)| bytes.get(a..b))
            .ok_or(SyncError::Malformed)?;
        let range =
            ContentRange::of(offset, end - offset, total).map_err(|_| SyncError::Malformed)?;
        let headers = [
            ("content-type", "application/octet-stream".to_owned()),
            (CONTENT_RANGE, range.to_string()),
        ];
        self.call(
            Method::PUT,
            &paths::upload(package.id()),
            chunk.to_vec(),
            &headers,
            Some(package.id()),
        )
        .await
    }

    /// Uploads `package` (resuming where the back office stands) and returns its receipt,
    /// verified against `receipt_key`. `progress` hears the bytes held after each step.
    pub async fn upload(
        &self,
        package: &SealedPackage,
        receipt_key: &ReceiptKey,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<SignedReceipt, SyncError> {
        let total = u64::try_from(package.as_bytes().len()).map_err(|_| SyncError::Malformed)?;
        let mut status = self.offer(package).await?;
        // Each round either moves the offset forward or learns the true offset; a server that
        // keeps answering without progress is cut off after a bounded number of rounds.
        let max_rounds = total / self.config.chunk_len + 8;
        for _ in 0..max_rounds {
            progress(status.offset, total);
            if let Some(receipt) = status.receipt {
                receipt.verify(
                    receipt_key,
                    package.id(),
                    &package.digest(),
                    self.signer.device(),
                )?;
                return Ok(receipt);
            }
            if status.package_id != package.id() || status.offset >= total {
                return Err(SyncError::Malformed);
            }
            status = match self.put_chunk(package, status.offset).await {
                Err(SyncError::RangeMismatch(offset)) => UploadStatus { offset, ..status },
                other => other?,
            };
        }
        Err(SyncError::Malformed)
    }

    /// This kiosk's status changes after `since`.
    pub async fn statuses(&self, since: u64, limit: u32) -> Result<StatusPage, SyncError> {
        let path = format!("{}?since={since}&limit={limit}", paths::STATUSES);
        self.call(Method::GET, &path, Vec::new(), &[], None).await
    }

    /// The configuration the back office holds for kiosks.
    pub async fn configuration(&self) -> Result<KioskConfiguration, SyncError> {
        self.call(Method::GET, paths::CONFIG, Vec::new(), &[], None)
            .await
    }

    /// Reports the kiosk's health; answers the back office's clock.
    pub async fn heartbeat(&self, heartbeat: &Heartbeat) -> Result<HeartbeatAck, SyncError> {
        let body = Self::json(heartbeat)?;
        self.call(
            Method::POST,
            paths::HEARTBEAT,
            body,
            &Self::json_header(),
            None,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use enroll::ids::DeviceId;
    use enroll::package::DeviceSigningKey;
    use getrandom::SysRng;
    use rand_core::UnwrapErr;

    fn client(
        url: &str,
        ca: Option<Vec<u8>>,
    ) -> Result<SyncClient<UnwrapErr<SysRng>>, ClientError> {
        let key = DeviceSigningKey::generate(&mut UnwrapErr(SysRng));
        let signer = RequestSigner::new(
            DeviceId::new("kiosk-1").map_err(|_| ClientError::BadCa)?,
            &key,
        );
        let url = Url::parse(url).map_err(|_| ClientError::UnsupportedScheme)?;
        SyncClient::new(ClientConfig::new(url, ca), signer, UnwrapErr(SysRng))
    }

    #[test]
    fn plain_http_is_allowed_only_to_loopback_addresses() {
        assert!(client("http://127.0.0.1:8080/", None).is_ok());
        assert!(client("http://[::1]:8080/", None).is_ok());
        for url in [
            "http://10.0.0.5/",
            "http://backoffice.example/",
            "http://localhost:8080/",
        ] {
            assert_eq!(
                client(url, None).err(),
                Some(ClientError::PlainHttpNotLoopback),
                "{url}"
            );
        }
        assert_eq!(
            client("ftp://127.0.0.1/", None).err(),
            Some(ClientError::UnsupportedScheme)
        );
    }

    #[test]
    fn https_needs_a_readable_pinned_ca() {
        assert_eq!(
            client("https://backoffice.example/", None).err(),
            Some(ClientError::NoPinnedCa)
        );
        assert_eq!(
            client(
                "https://backoffice.example/",
                Some(b"not a certificate".to_vec())
            )
            .err(),
            Some(ClientError::BadCa)
        );
    }

    #[test]
    fn every_error_has_a_valid_reason_code() {
        let id: PackageId = "0190a5c4-1b2c-7d3e-8f40-123456789abc"
            .parse()
            .expect("uuid");
        let errors = [
            SyncError::Offline("timeout"),
            SyncError::Server {
                status: 503,
                code: Some(ErrorCode::Unavailable),
            },
            SyncError::Server {
                status: 502,
                code: None,
            },
            SyncError::Unauthorised(ErrorCode::ClockSkew),
            SyncError::ClockOff {
                offset_ms: -600_000,
            },
            SyncError::Conflict(id),
            SyncError::Rejected(id, ErrorCode::PackageRejected),
            SyncError::Malformed,
        ];
        let reasons: Vec<String> = errors.iter().map(|e| e.reason().to_string()).collect();
        assert_eq!(
            reasons,
            [
                "offline:timeout",
                "http-503:unavailable",
                "http-502",
                "unauthorised:clock_skew",
                "unauthorised:clock_skew",
                "conflict",
                "rejected:package_rejected",
                "malformed-answer"
            ]
        );
        assert!(errors[0].is_transient() && errors[1].is_transient());
        assert!(!errors[3].is_transient() && !errors[4].is_transient());
    }
}
