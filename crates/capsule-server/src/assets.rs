//! The web client (plain ES modules, CSS and the demo videos under `web/`), embedded in the
//! binary so the product runs without any build step.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::OnceLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;

/// `(name, content type, bytes)` for every embedded file.
const FILES: &[(&str, &str, &[u8])] = &[
    ("index.html", "text/html; charset=utf-8", include_bytes!("../../../web/index.html")),
    ("host.css", "text/css; charset=utf-8", include_bytes!("../../../web/host.css")),
    ("host.js", "text/javascript; charset=utf-8", include_bytes!("../../../web/host.js")),
    ("container.js", "text/javascript; charset=utf-8", include_bytes!("../../../web/container.js")),
    ("view.js", "text/javascript; charset=utf-8", include_bytes!("../../../web/view.js")),
    ("mailbox.js", "text/javascript; charset=utf-8", include_bytes!("../../../web/mailbox.js")),
    ("session-socket.js", "text/javascript; charset=utf-8", include_bytes!("../../../web/session-socket.js")),
    ("socket-worker.js", "text/javascript; charset=utf-8", include_bytes!("../../../web/socket-worker.js")),
    ("account.js", "text/javascript; charset=utf-8", include_bytes!("../../../web/account.js")),
    ("scan.js", "text/javascript; charset=utf-8", include_bytes!("../../../web/scan.js")),
    ("sheet.js", "text/javascript; charset=utf-8", include_bytes!("../../../web/sheet.js")),
    ("cashier.js", "text/javascript; charset=utf-8", include_bytes!("../../../web/cashier.js")),
    ("console.html", "text/html; charset=utf-8", include_bytes!("../../../web/console.html")),
    ("console.js", "text/javascript; charset=utf-8", include_bytes!("../../../web/console.js")),
    ("console.css", "text/css; charset=utf-8", include_bytes!("../../../web/console.css")),
    ("components.js", "text/javascript; charset=utf-8", include_bytes!("../../../web/components.js")),
    (
        "form-components.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../web/form-components.js"),
    ),
    (
        "layout-components.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../web/layout-components.js"),
    ),
    (
        "media-components.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../web/media-components.js"),
    ),
    ("shop-promo.mp4", "video/mp4", include_bytes!("../../../web/media/shop-promo.mp4")),
    ("tickets-promo.mp4", "video/mp4", include_bytes!("../../../web/media/tickets-promo.mp4")),
    ("game-promo.mp4", "video/mp4", include_bytes!("../../../web/media/game-promo.mp4")),
    ("city-walk.mp4", "video/mp4", include_bytes!("../../../web/media/city-walk.mp4")),
    ("night-sky.mp4", "video/mp4", include_bytes!("../../../web/media/night-sky.mp4")),
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/static/{file}", get(file))
        .route("/media/{file}", get(file))
        .route("/console", get(|| async { page("console.html") }))
}

/// The headers that make the host page cross-origin isolated, which lets it share memory with
/// the worker holding its sessions' sockets (`web/socket-worker.js` says why). `credentialless`
/// rather than `require-corp`: a mini-program's images and videos from other sites still load,
/// without cookies.
pub const ISOLATION_HEADERS: [(header::HeaderName, &str); 2] = [
    (header::HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
    (header::HeaderName::from_static("cross-origin-embedder-policy"), "credentialless"),
];

/// An embedded file as a response (404 when there is none).
pub fn page(name: &str) -> Response {
    match find(name) {
        Some((content_type, bytes)) => (
            ISOLATION_HEADERS,
            [(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "no-cache")],
            bytes,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// An embedded text file (a page the server fills in before sending).
pub fn text(name: &str) -> String {
    find(name).map(|(_, bytes)| String::from_utf8_lossy(&bytes).into_owned()).unwrap_or_default()
}

/// The content type and bytes of a known file. With `CAPSULE_WEB_DIR` set, the file is read from
/// that folder (or its `media/`) instead, so the client can be worked on without rebuilding; only
/// names in [`FILES`] are ever looked up, so the folder cannot be walked out of.
fn find(name: &str) -> Option<(&'static str, Cow<'static, [u8]>)> {
    let (_, content_type, bytes) = FILES.iter().find(|(file, _, _)| *file == name)?;
    let from_disk = web_dir().and_then(|dir| {
        std::fs::read(dir.join(name)).or_else(|_| std::fs::read(dir.join("media").join(name))).ok()
    });
    Some((content_type, from_disk.map_or(Cow::Borrowed(*bytes), Cow::Owned)))
}

fn web_dir() -> Option<&'static std::path::Path> {
    static WEB_DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    WEB_DIR.get_or_init(|| std::env::var_os("CAPSULE_WEB_DIR").map(PathBuf::from)).as_deref()
}

async fn file(Path(name): Path<String>) -> Response {
    page(&name)
}
