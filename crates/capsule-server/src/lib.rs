//! The HTTP side of Capsule: the host web app (feed, mini-program entrance, search, the
//! container) and runtime sessions streamed to the browser over WebSockets.
//!
//! - [`catalog`]: the mini-programs and videos the host shows.
//! - [`host_app`]: the host's pages and JSON endpoints.
//! - [`sessions`]: opening a mini-program (first frame rendered here) and its WebSocket.
//! - [`html`]: a view tree as HTML, for the first frame.
//! - [`assets`]: the web client, embedded in the binary.

pub mod assets;
pub mod catalog;
pub mod error;
pub mod host_app;
pub mod html;
pub mod sessions;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use capsule_runtime::worker::Runtime;

pub use catalog::{Catalog, MiniApp, Video};
pub use error::AppError;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub catalog: Arc<Catalog>,
    pub runtime: Arc<Runtime>,
    pub sessions: Arc<sessions::Sessions>,
    pub recent: Arc<host_app::Recent>,
}

impl AppState {
    pub fn new(catalog: Catalog, runtime: Arc<Runtime>) -> Self {
        Self { catalog: Arc::new(catalog), runtime, sessions: Arc::default(), recent: Arc::default() }
    }
}

/// Every route of the server.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(host_app::routes())
        .merge(sessions::routes())
        .merge(assets::routes())
        .with_state(state)
}

/// Serves on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).await
}
