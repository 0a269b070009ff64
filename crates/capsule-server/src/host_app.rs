//! The host app's own endpoints: the feed, the mini-program entrance (recently used and all),
//! and search (mini-programs ranked above videos).

use std::collections::HashMap;
use std::sync::Mutex;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value as Json_, json};

use capsule_platform::App;

use crate::catalog::{Video, app_summary};
use crate::{AppError, AppState};

/// The cookie naming this browser, so "recently used" is per person.
pub const DEVICE_COOKIE: &str = "capsule_device";

/// Recently opened mini-programs per device, newest first.
#[derive(Debug, Default)]
pub struct Recent(Mutex<HashMap<String, Vec<String>>>);

impl Recent {
    pub fn record(&self, device: &str, appid: &str) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let list = map.entry(device.to_string()).or_default();
        list.retain(|a| a != appid);
        list.insert(0, appid.to_string());
        list.truncate(20);
    }

    pub fn of(&self, device: &str) -> Vec<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).get(device).cloned().unwrap_or_default()
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/api/feed", get(feed))
        .route("/api/miniapps", get(miniapps))
        .route("/api/search", get(search))
        .route("/api/share-code", get(share_code))
}

/// The link that opens `appid` at `path?query` in this host (what a shared code holds).
pub fn share_link(origin: &str, appid: &str, path: &str, query: &str) -> String {
    with_page(format!("{origin}/?appid={}", encode(appid)), path, query)
}

/// `link` (which has a query already) with the page's `path` and `query` added when set.
pub fn with_page(mut link: String, path: &str, query: &str) -> String {
    if !path.is_empty() {
        link.push_str(&format!("&path={}", encode(path)));
    }
    if !query.is_empty() {
        link.push_str(&format!("&query={}", encode(query)));
    }
    link
}

/// Percent-encodes everything but unreserved characters.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// `GET /api/share-code?appid=&path=&query=`: an SVG QR code of the page's share link, for
/// the container's "QR code" menu item.
async fn share_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let get = |key: &str| query.get(key).map(String::as_str).unwrap_or("");
    let appid = get("appid");
    state.platform.app(appid).await?;
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
    let link = share_link(&format!("http://{host}"), appid, get("path"), get("query"));
    let svg =
        share_svg(&link).ok_or_else(|| AppError::BadRequest("the link is too long for a QR code".into()))?;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
}

/// The QR code of `text` as SVG, or `None` when it does not fit in one.
pub fn share_svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    Some(code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(200, 200).quiet_zone(true).build())
}

/// The device id from the request's cookies.
pub fn device_of(headers: &HeaderMap) -> Option<String> {
    crate::account::cookie(headers, DEVICE_COOKIE).filter(|device| device.len() <= 64)
}

/// The host app's page; gives a new browser its device cookie.
async fn index(headers: HeaderMap) -> Response {
    let mut response = crate::assets::page("index.html");
    if device_of(&headers).is_none() {
        let cookie = format!(
            "{DEVICE_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000",
            capsule_platform::random_hex(16)
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

async fn feed(State(state): State<AppState>) -> Result<Json<Json_>, AppError> {
    let published = state.catalog.published().await?;
    let videos: Vec<Json_> = state.catalog.videos.iter().map(|v| v.to_json(&published)).collect();
    Ok(Json(json!({ "videos": videos })))
}

async fn miniapps(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Json_>, AppError> {
    let published = state.catalog.published().await?;
    let recent: Vec<Json_> = device_of(&headers)
        .map(|device| state.recent.of(&device))
        .unwrap_or_default()
        .iter()
        .filter_map(|appid| published.get(appid).map(app_summary))
        .collect();
    let mut all: Vec<&App> = published.values().collect();
    all.sort_by(|a, b| a.settings.name.cmp(&b.settings.name));
    let all: Vec<Json_> = all.into_iter().map(app_summary).collect();
    Ok(Json(json!({ "recent": recent, "all": all })))
}

async fn search(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Json_>, AppError> {
    let q = query.get("q").map(String::as_str).unwrap_or("");
    let published = state.catalog.published().await?;
    Ok(Json(search_catalog(&published, &state.catalog.videos, q)))
}

/// Mini-programs whose name, description, category or keywords match, then matching videos.
pub fn search_catalog(published: &HashMap<String, App>, videos: &[Video], q: &str) -> Json_ {
    let terms: Vec<String> = q.split_whitespace().map(str::to_lowercase).collect();
    if terms.is_empty() {
        return json!({ "query": q, "miniapps": [], "videos": [] });
    }
    let matches = |texts: &[&str]| {
        let haystack = texts.join(" ").to_lowercase();
        terms.iter().all(|t| haystack.contains(t.as_str()))
    };
    let mut apps: Vec<&App> = published
        .values()
        .filter(|app| {
            let s = &app.settings;
            matches(&[&s.name, &s.description, &s.category, &s.keywords.join(" ")])
        })
        .collect();
    apps.sort_by(|a, b| a.settings.name.cmp(&b.settings.name));
    let miniapps: Vec<Json_> = apps.into_iter().map(app_summary).collect();
    let videos: Vec<Json_> = videos
        .iter()
        .filter(|v| {
            let anchor = v.anchor.as_ref().map(|a| a.title.as_str()).unwrap_or("");
            matches(&[&v.caption, &v.author, anchor])
        })
        .map(|v| v.to_json(published))
        .collect();
    json!({ "query": q, "miniapps": miniapps, "videos": videos })
}
