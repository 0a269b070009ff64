//! The open API that developers' servers call, in Douyin's shapes: `POST
//! /api/apps/v2/jscode2session` and `POST /api/apps/v2/token` answer HTTP 200 with
//! `{err_no, err_tips, data}`; `POST /api/apps/qrcode` answers the image, or `{errcode, errmsg}`
//! as Douyin's legacy QR API. Existing server code ports by changing the base URL. The share
//! link a code holds lands on `GET /s/{appid}`, which names the app and offers to open it.

use std::collections::HashMap;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use capsule_platform::OpenApiError;
use capsule_platform::qr::{QR_HOSTS, QrStyle, Rgb, qr_png, qr_svg};
use capsule_platform::{HOSTS, HostProfile};
use serde_json::{Value as Json_, json};

use crate::AppState;
use crate::open_api_doc::{Code2SessionData, TokenData};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/apps/v2/jscode2session", post(jscode2session))
        .route("/api/apps/v2/token", post(token))
        .route("/api/apps/qrcode", post(qrcode))
        .route("/s/{appid}", get(landing))
        .route(
            "/api/openapi.json",
            get(|| async { ([(header::CONTENT_TYPE, "application/json")], crate::open_api_doc::document()) }),
        )
}

fn answer(result: Result<Json_, OpenApiError>) -> Json<Json_> {
    Json(match result {
        Ok(data) => json!({ "err_no": 0, "err_tips": "success", "data": data }),
        Err(e) => json!({ "err_no": e.err_no, "err_tips": e.err_tips, "data": null }),
    })
}

/// The JSON body, or Douyin's "bad params" naming what was wrong with it.
fn body(body: Result<Json<Json_>, JsonRejection>) -> Result<Json_, OpenApiError> {
    body.map(|Json(v)| v)
        .map_err(|e| OpenApiError::bad_params(format!("the body must be JSON: {}", e.body_text())))
}

fn text<'a>(body: &'a Json_, key: &str) -> &'a str {
    body[key].as_str().unwrap_or("")
}

/// Trades a `tt.login` code for the user's ids in the app.
#[utoipa::path(
    post,
    path = "/api/apps/v2/jscode2session",
    tag = "login",
    request_body = crate::open_api_doc::Code2SessionRequest,
    responses((status = 200, description = "The ids, or err_no and err_tips", body = crate::open_api_doc::Code2SessionAnswer))
)]
pub(crate) async fn jscode2session(
    State(state): State<AppState>,
    request: Result<Json<Json_>, JsonRejection>,
) -> Json<Json_> {
    answer(
        async {
            let b = body(request)?;
            let session = state
                .platform
                .code2session(
                    text(&b, "appid"),
                    text(&b, "secret"),
                    b["code"].as_str(),
                    b["anonymous_code"].as_str(),
                )
                .await?;
            Ok(serde_json::to_value(Code2SessionData::from(session)).unwrap_or_default())
        }
        .await,
    )
}

/// An access token for the other open APIs, valid 7200 seconds.
#[utoipa::path(
    post,
    path = "/api/apps/v2/token",
    tag = "login",
    request_body = crate::open_api_doc::TokenRequest,
    responses((status = 200, description = "The token, or err_no and err_tips", body = crate::open_api_doc::TokenAnswer))
)]
pub(crate) async fn token(
    State(state): State<AppState>,
    request: Result<Json<Json_>, JsonRejection>,
) -> Json<Json_> {
    answer(
        async {
            let b = body(request)?;
            let (token, expires_in) = state
                .platform
                .access_token(text(&b, "appid"), text(&b, "secret"), text(&b, "grant_type"))
                .await?;
            Ok(serde_json::to_value(TokenData { access_token: token, expires_in }).unwrap_or_default())
        }
        .await,
    )
}

/// `{errcode, errmsg}`, as Douyin's legacy QR API fails.
fn qr_error(errcode: i64, errmsg: impl Into<String>) -> Response {
    Json(json!({ "errcode": errcode, "errmsg": errmsg.into() })).into_response()
}

/// Decodes `%XX` escapes (the API takes `path` URL-encoded); `None` when malformed.
pub(crate) fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = text.get(index + 1..index + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The origin links are made on: the request's own, https when a proxy says so.
pub(crate) fn origin(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
    let scheme = headers.get("x-forwarded-proto").and_then(|h| h.to_str().ok()).unwrap_or("http");
    format!("{scheme}://{host}")
}

/// The link a code holds: the platform's landing page for `appid`, naming the host app.
pub fn landing_link(origin: &str, appid: &str, host: &str, path: &str, query: &str) -> String {
    let encode = crate::host_app::encode;
    crate::host_app::with_page(format!("{origin}/s/{}?host={}", encode(appid), encode(host)), path, query)
}

fn color(body: &Json_, key: &str, default: Rgb) -> Result<Rgb, String> {
    match body.get(key) {
        None | Some(Json_::Null) => Ok(default),
        Some(value) => serde_json::from_value(value.clone())
            .map_err(|_| format!("{key}: an object {{\"r\", \"g\", \"b\"}} of 0 to 255")),
    }
}

/// `POST /api/apps/qrcode` `{access_token, appname, path, width, line_color, background,
/// set_icon}` (and `format: "svg"` for SVG): the image of a link opening the app at `path`.
#[utoipa::path(
    post,
    path = "/api/apps/qrcode",
    tag = "qr codes",
    request_body = crate::open_api_doc::QrCodeRequest,
    responses(
        (status = 200, description = "The code as PNG (SVG with `format: \"svg\"`), holding the platform link that opens \
         the page in the host; on failure, JSON `{errcode, errmsg}` with the same status, as Douyin's legacy API",
         content(
            (Vec<u8> = "image/png"),
            (String = "image/svg+xml"),
            (crate::open_api_doc::QrCodeError = "application/json"),
         )),
    )
)]
pub(crate) async fn qrcode(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: Result<Json<Json_>, JsonRejection>,
) -> Response {
    let Ok(Json(b)) = request else { return qr_error(40014, "bad params: the body must be JSON") };
    let app = match state.platform.app_of_token(text(&b, "access_token")).await {
        Ok(app) => app,
        Err(e) => return qr_error(e.err_no, e.err_tips),
    };
    let host = b["appname"].as_str().unwrap_or("douyin");
    if !QR_HOSTS.contains(&host) {
        return qr_error(40014, format!("bad params: appname must be one of {}", QR_HOSTS.join(", ")));
    }
    let Some(page) = percent_decode(text(&b, "path")) else {
        return qr_error(40014, "bad params: path must be URL-encoded page?query");
    };
    let (path, query) =
        page.trim_start_matches('/').split_once('?').unwrap_or((page.trim_start_matches('/'), ""));
    if path.len() > 512 || query.len() > 1024 || path.contains("://") {
        return qr_error(
            40014,
            "bad params: path is a page of the app, at most 512 characters, query at most 1024",
        );
    }
    let defaults = QrStyle::default();
    let style = (|| {
        Ok::<_, String>(QrStyle {
            width: match &b["width"] {
                Json_::Null => defaults.width,
                width => {
                    width.as_u64().and_then(|w| u32::try_from(w).ok()).ok_or("width: a number of pixels")?
                }
            },
            line_color: color(&b, "line_color", defaults.line_color)?,
            background: color(&b, "background", defaults.background)?,
            set_icon: b["set_icon"].as_bool().unwrap_or(false),
        })
    })();
    let style = match style {
        Ok(style) => style,
        Err(e) => return qr_error(40014, format!("bad params: {e}")),
    };
    let icon = match style.set_icon {
        true => match state.platform.icon_image(&app, state.catalog.store()).await {
            Ok(icon) => icon,
            Err(e) => return qr_error(-1, format!("the app's icon could not be read: {e}")),
        },
        false => None,
    };
    let link = landing_link(&origin(&headers), &app.appid, host, path, query);
    let image = if b["format"].as_str() == Some("svg") {
        qr_svg(&link, &style, icon.as_ref()).map(|svg| ("image/svg+xml", svg.into_bytes()))
    } else {
        qr_png(&link, &style, icon.as_ref()).map(|png| ("image/png", png))
    };
    match image {
        Ok((content_type, bytes)) => ([(header::CONTENT_TYPE, content_type)], bytes).into_response(),
        Err(e) => qr_error(40014, format!("bad params: {e}")),
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    crate::html::escape(text, &mut out);
    out
}

/// The landing page's icon: the picture when the app's icon is one, else its emoji.
fn icon_html(icon: &str, escaped_name: &str) -> String {
    let is_picture = icon.starts_with("/icons/") || icon.starts_with("https://");
    match is_picture {
        true => format!("<img class=\"landing-icon\" src=\"{}\" alt=\"{escaped_name} icon\">", escape(icon)),
        false => format!(
            "<div class=\"landing-icon\" role=img aria-label=\"{escaped_name} icon\">{}</div>",
            escape(icon)
        ),
    }
}

/// `GET /s/{appid}?host=&path=&query=`: what a shared code shows in an ordinary browser: the
/// app's icon and name and a prompt to open it in the host app, which opens it at the page.
async fn landing(
    State(state): State<AppState>,
    Path(appid): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let get = |key: &str| params.get(key).map(String::as_str).unwrap_or("");
    // A code for `all` hosts offers each; one naming a host offers that one.
    let hosts: Vec<&HostProfile> = match HostProfile::get(get("host")) {
        Ok(host) => vec![host],
        Err(_) => HOSTS.iter().collect(),
    };
    let published = state.catalog.published().await.unwrap_or_default();
    let Some(app) = published.get(&appid) else {
        let page = format!(
            "<!doctype html><meta charset=utf-8><title>Not available</title><main><h1>This mini-program is not available</h1>\
             <p>{} is not published.</p></main>",
            escape(&appid)
        );
        return (axum::http::StatusCode::NOT_FOUND, Html(page)).into_response();
    };
    let links: String = hosts
        .iter()
        .map(|host| {
            let open = crate::host_app::share_link("", host, &appid, get("path"), get("query"));
            format!("<a class=\"landing-open\" href=\"{}\">Open in {}</a>", escape(&open), host.name)
        })
        .collect();
    let host_names: Vec<&str> = hosts.iter().map(|host| host.name).collect();
    let name = escape(&app.settings.name);
    Html(format!(
        "<!doctype html><html lang=en><meta charset=utf-8><meta name=viewport content=\"width=device-width\">\
         <title>{name}</title><link rel=stylesheet href=\"/static/host.css\"><main class=\"landing\">\
         {icon}<h1>{name}</h1><p>{description}</p>\
         <p>Open this mini-program in {host_names} to continue.</p>{links}</main></html>",
        icon = icon_html(&app.settings.icon, &name),
        description = escape(&app.settings.description),
        host_names = host_names.join(" or "),
    ))
    .into_response()
}
