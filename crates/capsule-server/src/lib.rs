//! The HTTP side of Capsule: the host web app (feed, mini-program entrance, search, the
//! container) and runtime sessions streamed to the browser over WebSockets.
//!
//! - [`catalog`]: the published mini-programs (verified before they run) and videos the host shows.
//! - [`account`]: host users' sign-up, log-in and log-out; the logged-in user extractor (CSRF).
//! - [`console`]: the developer console's REST API (organisations, members, apps, secrets).
//! - [`versions`]: the console's versions API (upload, checks, review, release, rollback).
//! - [`open_api`]: what developers' servers call, in Douyin's shapes (jscode2session, token,
//!   QR codes), and [`open_api_doc`], its OpenAPI document generated from the code.
//! - [`payments`]: the guaranteed-pay open API, the payment provider (sandbox Alipay unless a
//!   real gateway is configured) and the worker that sends callbacks and expires orders.
//! - [`demo`]: seeding the demo publisher and releasing its apps through the platform.
//! - [`host_app`]: the host's pages (one per host profile) and JSON endpoints: feed, videos,
//!   entrance, search, share codes, scanning.
//! - [`sessions`]: opening a mini-program (first frame rendered here) and its WebSocket.
//! - [`html`]: a view tree as HTML, for the first frame.
//! - [`assets`]: the web client, embedded in the binary.

pub mod account;
pub mod assets;
pub mod catalog;
pub mod console;
pub mod demo;
pub mod error;
pub mod host_app;
pub mod html;
pub mod mini_request;
pub mod open_api;
pub mod open_api_doc;
pub mod payments;
pub mod sessions;
pub mod versions;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use capsule_platform::Platform;
use capsule_runtime::worker::Runtime;

pub use capsule_platform::PackageStore;
pub use catalog::{Catalog, MiniApp};
pub use error::AppError;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub catalog: Arc<Catalog>,
    pub runtime: Arc<Runtime>,
    pub sessions: Arc<sessions::Sessions>,
    pub platform: Platform,
    pub payments: Arc<payments::Payments>,
}

impl AppState {
    /// The server's state over `platform` and its package `store`; verified packages are cached
    /// in `cache_dir` for the runtime's workers.
    pub fn new(
        platform: Platform,
        store: PackageStore,
        runtime: Arc<Runtime>,
        cache_dir: &std::path::Path,
    ) -> Self {
        Self {
            catalog: Arc::new(Catalog::new(platform.clone(), store, cache_dir)),
            runtime,
            sessions: Arc::default(),
            payments: Arc::new(payments::Payments::new(payments::AlipaySettings::from_env())),
            platform,
        }
    }
}

/// Every route of the server.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(host_app::routes())
        .merge(sessions::routes())
        .merge(account::routes())
        .merge(console::routes())
        .merge(open_api::routes())
        .merge(payments::routes())
        .merge(versions::routes())
        .merge(assets::routes())
        .with_state(state)
}

/// Serves on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    serve_until(listener, state, std::future::pending()).await
}

/// Serves on `listener` until `shutdown` completes.
pub async fn serve_until(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if let Ok(address) = listener.local_addr() {
        state.payments.set_origin(format!("http://{address}"));
    }
    let worker = tokio::spawn(payments::run_worker(
        state.platform.clone(),
        state.payments.clone(),
        std::time::Duration::from_secs(2),
    ));
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    // A tap's event and its patches are small WebSocket frames: send them at once rather than
    // let Nagle's algorithm hold them for the peer's delayed acknowledgement.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp: &mut tokio::net::TcpStream| {
        let _ = tcp.set_nodelay(true);
    });
    let served = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
    worker.abort();
    served
}
