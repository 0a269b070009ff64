//! The host app's own pages and endpoints, for each host profile (Douyin-style at `/`,
//! Toutiao-style at `/toutiao/`): the feed, posting a video (with an anchor), the mini-program
//! entrance (recently used per person, popular, all), search (mini-programs ranked above
//! videos), the share code of a page and scanning a code.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value as Json_, json};

use capsule_platform::qr::{QrStyle, qr_svg};
use capsule_platform::videos::MAX_VIDEO_BYTES;
use capsule_platform::{Anchor, App, HOSTS, HostProfile, ObjectKind, User, VideoMedia};

use crate::account::CurrentUser;
use crate::catalog::{app_summary, video_json};
use crate::{AppError, AppState};

/// The cookie naming this browser, so "recently used" is per person even before logging in.
pub const DEVICE_COOKIE: &str = "capsule_device";

/// How many results each list shows.
const LIST_LIMIT: usize = 20;

pub fn routes() -> Router<AppState> {
    let mut router = Router::new();
    for host in HOSTS {
        router = router.route(host.path, get(move |headers| index(headers, host)));
    }
    router
        .route("/api/feed", get(feed))
        .route("/api/videos", post(post_video).layer(DefaultBodyLimit::max(MAX_VIDEO_BYTES + 1024)))
        .route("/api/videos/{id}/media", get(video_media))
        .route("/icons/{file}", get(icon))
        .route("/api/miniapps", get(miniapps))
        .route("/api/search", get(search))
        .route("/api/share-code", get(share_code))
        .route("/api/scan", post(scan).layer(DefaultBodyLimit::max(MAX_SCAN_PIXELS + 1024)))
}

/// Who "recently used" is kept for: the logged-in user, else this browser.
pub fn visitor(user: Option<&User>, device: Option<&str>) -> Option<String> {
    match (user, device) {
        (Some(user), _) => Some(user.id.clone()),
        (None, Some(device)) => Some(format!("device:{device}")),
        (None, None) => None,
    }
}

/// The link that opens `appid` at `path?query` in `host` (what a shared link holds).
pub fn share_link(origin: &str, host: &HostProfile, appid: &str, path: &str, query: &str) -> String {
    with_page(format!("{origin}{}?appid={}", host.path, encode(appid)), path, query)
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

/// `GET /api/share-code?appid=&path=&query=&host=`: the page's QR code as SVG, for the
/// container's share sheet. It holds the platform link the open API's codes hold, naming the
/// host it was shared from.
async fn share_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let get = |key: &str| query.get(key).map(String::as_str).unwrap_or("");
    let appid = get("appid");
    let app = state.platform.app(appid).await?;
    let icon = state.platform.icon_image(&app, state.catalog.store()).await?;
    let host = match get("host") {
        "" => HostProfile::default_host(),
        id => HostProfile::get(id)?,
    };
    let link = crate::open_api::landing_link(
        &crate::open_api::origin(&headers),
        appid,
        host.id,
        get("path"),
        get("query"),
    );
    let svg = qr_svg(
        &link,
        &QrStyle { width: 280, set_icon: icon.is_some(), ..QrStyle::default() },
        icon.as_ref(),
    )?;
    Ok((
        [(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "no-store")],
        [("x-share-link", link)],
        svg,
    )
        .into_response())
}

/// The largest image `/api/scan` takes: 4 megapixels of luminance.
const MAX_SCAN_PIXELS: usize = 4 << 20;

/// `POST /api/scan?width=&height=` with one luminance byte per pixel (what the browser reads
/// off a picture or a camera frame): the text of the first QR code in it and, when that is a
/// link to a mini-program page, where it opens.
async fn scan(Query(query): Query<HashMap<String, String>>, pixels: Bytes) -> Result<Json<Json_>, AppError> {
    let size = |key: &str| query.get(key).and_then(|v| v.parse::<usize>().ok()).filter(|&n| n > 0);
    let (Some(width), Some(height)) = (size("width"), size("height")) else {
        return Err(AppError::BadRequest("width and height are required".into()));
    };
    if width.checked_mul(height) != Some(pixels.len()) {
        return Err(AppError::BadRequest(format!(
            "expected {width}×{height} luminance bytes, got {}",
            pixels.len()
        )));
    }
    let text = tokio::task::spawn_blocking(move || capsule_platform::qr::decode_luma(width, height, &pixels))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .ok_or_else(|| AppError::Refused("no QR code found in the picture".into()))?;
    Ok(Json(json!({ "result": text, "scanType": "QR_CODE", "charSet": "utf-8", "target": target_of(&text) })))
}

/// Where a scanned link opens: a platform landing link (`/s/{appid}?host=&path=&query=`) or a
/// host share link (`/?appid=&path=&query=`); `null` for any other text.
pub fn target_of(text: &str) -> Json_ {
    let after_scheme = text.split_once("://").map_or(text, |(_, rest)| rest);
    let Some((_, location)) = after_scheme.split_once('/') else { return Json_::Null };
    let (path, query) = location.split_once('?').unwrap_or((location, ""));
    let params: HashMap<String, String> = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .filter_map(|(k, v)| Some((k.to_string(), crate::open_api::percent_decode(v)?)))
        .collect();
    let param = |key: &str| params.get(key).cloned().unwrap_or_default();
    let (appid, host) = if let Some(appid) = path.strip_prefix("s/") {
        (crate::open_api::percent_decode(appid).unwrap_or_default(), param("host"))
    } else if let Some(host) = HOSTS.iter().find(|h| format!("/{path}") == h.path) {
        (param("appid"), host.id.to_string())
    } else {
        return Json_::Null;
    };
    if appid.is_empty() {
        return Json_::Null;
    }
    json!({ "appid": appid, "path": param("path"), "query": param("query"), "host": host })
}

/// The device id from the request's cookies.
pub fn device_of(headers: &HeaderMap) -> Option<String> {
    crate::account::cookie(headers, DEVICE_COOKIE).filter(|device| device.len() <= 64)
}

/// The host app's page, as `host`; gives a new browser its device cookie.
async fn index(headers: HeaderMap, host: &'static HostProfile) -> Response {
    let page = crate::assets::text("index.html").replace(
        "<body>",
        &format!(
            "<body data-host=\"{}\" data-host-name=\"{}\" data-feed-title=\"{}\" style=\"--accent: {}; --host-background: {}\">",
            host.id, host.name, host.feed_title, host.accent, host.background
        ),
    );
    let page = page.replace("<title>Capsule</title>", &format!("<title>{} · Capsule</title>", host.name));
    let mut response = (
        crate::assets::ISOLATION_HEADERS,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")],
        page,
    )
        .into_response();
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
    let videos: Vec<Json_> =
        state.platform.videos(100).await?.iter().map(|video| video_json(video, &published)).collect();
    Ok(Json(json!({ "videos": videos })))
}

/// `POST /api/videos?caption=&appid=&path=&query=&title=` with the video file as the body;
/// `appid` (with `title`) mounts an anchor.
async fn post_video(
    State(state): State<AppState>,
    me: CurrentUser,
    Query(query): Query<HashMap<String, String>>,
    bytes: Bytes,
) -> Result<Json<Json_>, AppError> {
    let get = |key: &str| query.get(key).cloned().unwrap_or_default();
    let anchor = (!get("appid").is_empty()).then(|| Anchor {
        appid: get("appid"),
        path: get("path"),
        query: get("query"),
        title: get("title"),
    });
    let video =
        state.platform.post_video(&me.user, state.catalog.store(), &get("caption"), &bytes, anchor).await?;
    let published = state.catalog.published().await?;
    Ok(Json(video_json(&video, &published)))
}

/// A posted video's file.
async fn video_media(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, AppError> {
    let video = state.platform.video(&id).await?;
    let VideoMedia::Stored(sha) = &video.media else {
        return Err(AppError::NotFound(format!("video {id} is built into the host")));
    };
    let bytes = state.catalog.store().get_object(ObjectKind::Video, sha).await?;
    let content_type = HeaderValue::from_str(&video.content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    Ok(immutable(content_type, bytes))
}

/// A content-addressed object's bytes: cached for good, as they never change.
fn immutable(content_type: HeaderValue, bytes: Vec<u8>) -> Response {
    (
        [(header::CONTENT_TYPE, content_type)],
        [(header::CACHE_CONTROL, "public, max-age=31536000, immutable")],
        bytes,
    )
        .into_response()
}

/// An uploaded app icon, `/icons/{sha256}.png`.
async fn icon(State(state): State<AppState>, Path(file): Path<String>) -> Result<Response, AppError> {
    let Some(sha) = capsule_platform::icons::stored_icon(&format!("/icons/{file}")).map(str::to_owned) else {
        return Err(AppError::NotFound(format!("no icon {file}")));
    };
    let bytes = state.catalog.store().get_object(ObjectKind::Icon, &sha).await?;
    Ok(immutable(HeaderValue::from_static("image/png"), bytes))
}

/// What lists show of the published apps among `appids`, in their order.
fn summaries<'a>(
    published: &HashMap<String, App>,
    appids: impl IntoIterator<Item = &'a String>,
) -> Vec<Json_> {
    appids.into_iter().filter_map(|appid| published.get(appid).map(app_summary)).collect()
}

async fn miniapps(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Json_>, AppError> {
    let published = state.catalog.published().await?;
    let device = device_of(&headers);
    let user = match &device {
        Some(device) => state.platform.user_on_device(device).await?,
        None => None,
    };
    let recent = match visitor(user.as_ref(), device.as_deref()) {
        Some(visitor) => state.platform.recent_apps(&visitor, LIST_LIMIT as i64).await?,
        None => Vec::new(),
    };
    let popular = state.platform.popular_apps(LIST_LIMIT as i64).await?;
    let recent = summaries(&published, &recent);
    let popular = summaries(&published, popular.iter().map(|(appid, _)| appid));
    let mut all: Vec<&App> = published.values().collect();
    all.sort_by(|a, b| a.settings.name.cmp(&b.settings.name));
    let all: Vec<Json_> = all.into_iter().map(app_summary).collect();
    Ok(Json(json!({ "recent": recent, "popular": popular, "all": all })))
}

/// `GET /api/search?q=`: mini-programs, then videos, each best first.
async fn search(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Json_>, AppError> {
    let q = query.get("q").map(String::as_str).unwrap_or("");
    let published = state.catalog.published().await?;
    // The index holds only published apps; the map drops one unpublished since it was read.
    let miniapps = summaries(&published, &state.platform.search_apps(q, LIST_LIMIT)?);
    let videos: Vec<Json_> = state
        .platform
        .search_videos(q, LIST_LIMIT)
        .await?
        .iter()
        .map(|v| video_json(v, &published))
        .collect();
    Ok(Json(json!({ "query": q, "miniapps": miniapps, "videos": videos })))
}
