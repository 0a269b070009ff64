//! Host users' accounts over HTTP: sign up, log in, log out and "who am I", with the session
//! in an HttpOnly SameSite cookie, and [`CurrentUser`], which every logged-in route extracts
//! and which refuses a state-changing request without the session's CSRF token.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use capsule_platform::User;
use serde::Deserialize;
use serde_json::{Value as Json_, json};

use crate::host_app::device_of;
use crate::{AppError, AppState};

pub const SESSION_COOKIE: &str = "capsule_session";
/// The header that carries the CSRF token from `/api/account/me` on state-changing requests.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The value of cookie `name`, if the request has it.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|cookies| {
        cookies.split(';').find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name && !value.is_empty() && value.len() <= 128).then(|| value.to_string())
        })
    })
}

/// The logged-in user of a request. Extracting it fails with 401 when there is no live
/// session, and with 403 when a non-GET request lacks the session's CSRF token.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub user: User,
    pub csrf_token: String,
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = cookie(&parts.headers, SESSION_COOKIE)
            .ok_or_else(|| AppError::Unauthorized("log in first".into()))?;
        let (user, csrf_token) = state
            .platform
            .session(&token)
            .await?
            .ok_or_else(|| AppError::Unauthorized("your session has ended: log in again".into()))?;
        if !matches!(parts.method, Method::GET | Method::HEAD) {
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
            if !capsule_platform::constant_time_eq(sent, &csrf_token) {
                return Err(AppError::Forbidden(format!("missing or wrong {CSRF_HEADER} header")));
            }
        }
        Ok(CurrentUser { user, csrf_token })
    }
}

/// Refuses a cross-site form or script: a browser's `Origin`, when sent, must be this server.
fn same_origin(headers: &HeaderMap) -> Result<(), AppError> {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return Ok(()) };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or(origin);
    if origin_host == host {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!("cross-site request from {origin} refused")))
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/account/signup", post(sign_up))
        .route("/api/account/login", post(log_in))
        .route("/api/account/logout", post(log_out))
        .route("/api/account/me", get(me))
        .route("/api/account/orders", get(orders))
}

#[derive(Deserialize)]
struct Credentials {
    username: String,
    password: String,
    #[serde(default)]
    display_name: String,
}

fn credentials(
    body: Result<Json<Credentials>, axum::extract::rejection::JsonRejection>,
) -> Result<Credentials, AppError> {
    body.map(|Json(c)| c).map_err(|e| {
        AppError::BadRequest(format!("expected {{\"username\", \"password\"}}: {}", e.body_text()))
    })
}

fn with_session_cookie(body: Json_, token: Option<&str>) -> Response {
    let cookie = match token {
        Some(token) => format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=2592000"),
        None => format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    };
    let mut response = Json(body).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

async fn sign_up(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<Credentials>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, AppError> {
    same_origin(&headers)?;
    let c = credentials(body)?;
    state.platform.sign_up(&c.username, &c.password, &c.display_name).await?;
    start_session(&state, &headers, &c).await
}

async fn log_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<Credentials>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, AppError> {
    same_origin(&headers)?;
    let c = credentials(body)?;
    start_session(&state, &headers, &c).await
}

async fn start_session(state: &AppState, headers: &HeaderMap, c: &Credentials) -> Result<Response, AppError> {
    let device = device_of(headers);
    let session = state.platform.log_in(&c.username, &c.password, device.as_deref()).await?;
    Ok(with_session_cookie(json!({ "user": session.user, "csrf": session.csrf_token }), Some(&session.token)))
}

async fn log_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    _user: CurrentUser,
) -> Result<Response, AppError> {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        state.platform.log_out(&token).await?;
    }
    Ok(with_session_cookie(json!({ "user": null }), None))
}

/// The host's "Services and Orders": what the person paid in apps that sync their orders to
/// the order centre (none for someone logged out).
async fn orders(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Json_>, AppError> {
    let orders = match session_of(&state, &headers).await? {
        Some((user, _)) => state.platform.host_orders(&user).await?,
        None => Vec::new(),
    };
    Ok(Json(json!({ "orders": orders })))
}

/// The logged-in user and the session's CSRF token, if the request carries a live session.
async fn session_of(state: &AppState, headers: &HeaderMap) -> Result<Option<(User, String)>, AppError> {
    Ok(match cookie(headers, SESSION_COOKIE) {
        Some(token) => state.platform.session(&token).await?,
        None => None,
    })
}

async fn me(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Json_>, AppError> {
    Ok(Json(match session_of(&state, &headers).await? {
        Some((user, csrf)) => json!({ "user": user, "csrf": csrf }),
        None => json!({ "user": null }),
    }))
}
