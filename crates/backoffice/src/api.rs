//! The HTTP API (axum): the protocol's endpoints over the [`Store`], with every kiosk request's
//! signature, clock window and nonce checked before anything is read or written.
//!
//! Refusals are logged with the kiosk id and the code (never content) and store nothing. A
//! test-only fault layer ([`Faults`]) makes the server answer 503 before handling or 500 after
//! handling (the work done, the answer lost) a configured share of requests.

use crate::error::ApiError;
use crate::keys::OfficeKeys;
use crate::store::{PackageCheck, Registration, Store};
use axum::body::Bytes;
use axum::extract::{FromRequest, Path, RawQuery, Request, State};
use axum::http::{HeaderMap, Method, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use emrtd::passive_auth::TrustStore;
use enroll::ids::DeviceId;
use enroll::package::PackageId;
use enroll::timestamp::Timestamp;
use getrandom::SysRng;
use rand_core::{Rng, UnwrapErr};
use serde::de::DeserializeOwned;
use std::sync::Arc;
use sync::OPENAPI_JSON;
use sync::auth::{AuthError, AuthHeaders};
use sync::messages::{
    ErrorCode, Heartbeat, HeartbeatAck, KioskConfiguration, RegistrationRequest,
    RegistrationResponse, StatusPage, UploadOffer, UploadStatus, paths,
};
use sync::upload::{CONTENT_RANGE, ContentRange, MAX_CHUNK_LEN};

/// The most status changes one page holds.
pub const MAX_STATUS_PAGE: u32 = 1000;

/// Injected failures, for tests of the kiosk's retries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Faults {
    /// Share of requests answered 503 without being handled, per mille.
    pub unavailable_per_mille: u16,
    /// Share of requests handled, then answered 500 (the answer lost), per mille.
    pub internal_after_per_mille: u16,
}

/// The clock the server stamps with.
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

struct Inner {
    store: Store,
    keys: OfficeKeys,
    trust_store: TrustStore,
    kiosk_config: KioskConfiguration,
    faults: Faults,
    clock: Clock,
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl AppState {
    /// The server's state: its store, keys, the CSCA trust store for passive authentication,
    /// the configuration it serves to kiosks, injected faults (none in production), its clock.
    pub fn new(
        store: Store,
        keys: OfficeKeys,
        trust_store: TrustStore,
        kiosk_config: KioskConfiguration,
        faults: Faults,
        clock: Clock,
    ) -> Self {
        Self(Arc::new(Inner {
            store,
            keys,
            trust_store,
            kiosk_config,
            faults,
            clock,
        }))
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.0.store
    }

    /// The keys.
    pub fn keys(&self) -> &OfficeKeys {
        &self.0.keys
    }

    /// The time now by the server's clock.
    pub fn now(&self) -> Timestamp {
        (self.0.clock)()
    }
}

/// The routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route(paths::KIOSKS, post(register))
        .route(paths::UPLOADS, post(offer))
        .route(
            "/v1/uploads/{package_id}",
            get(upload_status).put(put_chunk),
        )
        .route(paths::STATUSES, get(statuses))
        .route(paths::CONFIG, get(configuration))
        .route(paths::HEARTBEAT, post(heartbeat))
        .route_layer(middleware::from_fn_with_state(state.clone(), inject_faults))
        .route(paths::OPENAPI, get(openapi))
        .with_state(state)
}

async fn inject_faults(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let faults = state.0.faults;
    let mut rng = UnwrapErr(SysRng);
    let mut draw = |per_mille: u16| per_mille > 0 && rng.next_u32() % 1000 < u32::from(per_mille);
    if draw(faults.unavailable_per_mille) {
        return ApiError::new(ErrorCode::Unavailable, "injected fault: unavailable")
            .into_response();
    }
    let response = next.run(request).await;
    if draw(faults.internal_after_per_mille) {
        return ApiError::new(ErrorCode::Internal, "injected fault: answer lost").into_response();
    }
    response
}

/// A kiosk request whose signature, time and nonce checked out.
pub struct Signed {
    /// The kiosk.
    pub device: DeviceId,
    /// The request body.
    pub body: Bytes,
}

fn refuse(device: Option<&DeviceId>, code: ErrorCode, message: &str) -> ApiError {
    tracing::warn!(device = device.map(DeviceId::as_str).unwrap_or("-"), %code, "request refused");
    ApiError::new(code, message)
}

fn path_and_query(uri: &Uri) -> &str {
    uri.path_and_query().map_or("/", |p| p.as_str())
}

async fn read_body(body: axum::body::Body) -> Result<Bytes, ApiError> {
    let limit = usize::try_from(MAX_CHUNK_LEN).unwrap_or(usize::MAX) + 64 * 1024;
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| ApiError::new(ErrorCode::TooLarge, "the request body is too large or cut"))
}

fn auth_headers(headers: &HeaderMap) -> Result<AuthHeaders, ApiError> {
    AuthHeaders::from_lookup(|name| headers.get(name).and_then(|v| v.to_str().ok()))
        .map_err(|e| refuse(None, e.code(), &e.to_string()))
}

async fn check_nonce(state: &AppState, auth: &AuthHeaders) -> Result<(), ApiError> {
    if state
        .store()
        .record_nonce(&auth.device, &auth.nonce, state.now())
        .await?
    {
        Ok(())
    } else {
        Err(refuse(
            Some(&auth.device),
            ErrorCode::ReplayedNonce,
            "this request was already received (replayed nonce)",
        ))
    }
}

impl FromRequest<AppState> for Signed {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let (parts, body) = request.into_parts();
        let auth = auth_headers(&parts.headers)?;
        let body = read_body(body).await?;
        let key = state
            .store()
            .kiosk_key(&auth.device)
            .await?
            .ok_or_else(|| {
                refuse(
                    Some(&auth.device),
                    ErrorCode::UnknownKiosk,
                    "no kiosk is registered under this id",
                )
            })?;
        auth.verify(
            &key,
            parts.method.as_str(),
            path_and_query(&parts.uri),
            &body,
            state.now(),
        )
        .map_err(|e| {
            let mut refusal = refuse(Some(&auth.device), e.code(), &e.to_string());
            if e == AuthError::ClockSkew {
                refusal.server_time = Some(state.now());
            }
            refusal
        })?;
        check_nonce(state, &auth).await?;
        Ok(Self {
            device: auth.device,
            body,
        })
    }
}

fn json_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|_| ApiError::new(ErrorCode::BadRequest, "the JSON body is malformed"))
}

fn package_id(raw: &str) -> Result<PackageId, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::new(ErrorCode::BadRequest, "the package id is not a UUID"))
}

async fn register(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<RegistrationResponse>, ApiError> {
    let auth = auth_headers(&headers)?;
    let request: RegistrationRequest = json_body(&body)?;
    if request.device != auth.device {
        return Err(refuse(
            Some(&auth.device),
            ErrorCode::BadRequest,
            "the signing device differs from the device registered",
        ));
    }
    let now = state.now();
    auth.verify(
        &request.device_key,
        method.as_str(),
        path_and_query(&uri),
        &body,
        now,
    )
    .map_err(|e| refuse(Some(&auth.device), e.code(), &e.to_string()))?;
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| {
            refuse(
                Some(&auth.device),
                ErrorCode::TokenInvalid,
                "registration needs an administrator's token",
            )
        })?;
    check_nonce(&state, &auth).await?;
    match state
        .store()
        .register(
            token,
            &request.device,
            &request.device_key,
            &request.software_version,
            now,
        )
        .await?
    {
        Registration::Registered => {
            tracing::info!(device = %request.device, "kiosk registered");
            Ok(Json(RegistrationResponse {
                device: request.device,
                receipt_key: state.keys().receipt.key().to_bytes(),
                package_key: state.keys().package.public_key().to_bytes(),
                server_time: now,
            }))
        }
        Registration::TokenInvalid => Err(refuse(
            Some(&request.device),
            ErrorCode::TokenInvalid,
            "the token is unknown, expired or used by another kiosk",
        )),
        Registration::KeyConflict => Err(refuse(
            Some(&request.device),
            ErrorCode::Conflict,
            "this kiosk id is registered with another key",
        )),
    }
}

async fn offer(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<Json<UploadStatus>, ApiError> {
    let offer: UploadOffer = json_body(&signed.body)?;
    let status = state
        .store()
        .offer(&signed.device, &offer, state.now())
        .await?;
    Ok(Json(status))
}

async fn upload_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Signed,
) -> Result<Json<UploadStatus>, ApiError> {
    let id = package_id(&id)?;
    Ok(Json(state.store().upload_status(&signed.device, id).await?))
}

async fn put_chunk(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    signed: Signed,
) -> Result<Json<UploadStatus>, ApiError> {
    let id = package_id(&id)?;
    let range = headers
        .get(CONTENT_RANGE)
        .and_then(|v| v.to_str().ok())
        .ok_or(())
        .and_then(|v| ContentRange::parse(v).map_err(|_| ()))
        .map_err(|()| {
            ApiError::new(
                ErrorCode::BadRequest,
                "a chunk needs Content-Range: bytes first-last/total",
            )
        })?;
    let status = state
        .store()
        .put_chunk(
            &signed.device,
            id,
            &range,
            &signed.body,
            PackageCheck {
                keys: state.keys(),
                trust_store: &state.0.trust_store,
            },
            state.now(),
        )
        .await?;
    Ok(Json(status))
}

fn query_number<T: std::str::FromStr>(
    query: Option<&str>,
    name: &str,
) -> Result<Option<T>, ApiError> {
    let Some(query) = query else { return Ok(None) };
    for pair in query.split('&') {
        if let Some((key, value)) = pair.split_once('=')
            && key == name
        {
            return value.parse().map(Some).map_err(|_| {
                ApiError::new(ErrorCode::BadRequest, format!("`{name}` must be a number"))
            });
        }
    }
    Ok(None)
}

async fn statuses(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    signed: Signed,
) -> Result<Json<StatusPage>, ApiError> {
    let since: u64 = query_number(query.as_deref(), "since")?.unwrap_or(0);
    let limit: u32 = query_number(query.as_deref(), "limit")?.unwrap_or(500);
    if limit == 0 || limit > MAX_STATUS_PAGE {
        return Err(ApiError::new(
            ErrorCode::BadRequest,
            "`limit` must be between 1 and 1000",
        ));
    }
    // One more than asked tells whether more wait.
    let mut changes = state
        .store()
        .status_changes(&signed.device, since, limit + 1)
        .await?;
    let more = changes.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    changes.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next_cursor = changes.last().map_or(since, |c| c.cursor);
    Ok(Json(StatusPage {
        changes,
        next_cursor,
        more,
    }))
}

async fn configuration(State(state): State<AppState>, _signed: Signed) -> Json<KioskConfiguration> {
    Json(state.0.kiosk_config.clone())
}

async fn heartbeat(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<Json<HeartbeatAck>, ApiError> {
    let heartbeat: Heartbeat = json_body(&signed.body)?;
    let now = state.now();
    state
        .store()
        .heartbeat(&signed.device, &heartbeat, now)
        .await?;
    Ok(Json(HeartbeatAck { server_time: now }))
}

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI_JSON)
}
