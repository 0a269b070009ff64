//! `capsule serve`: the host web app and the runtime sessions behind it.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use capsule_server::AppState;

use crate::store::StoreArgs;

/// Where the demo mini-programs are: `--examples`, else `examples/` here, else the source tree's.
fn examples_dir(given: Option<PathBuf>) -> PathBuf {
    given.unwrap_or_else(|| {
        let here = PathBuf::from("examples");
        if here.join("shop/app.json").is_file() {
            here
        } else {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
        }
    })
}

pub fn run(bind: SocketAddr, examples: Option<PathBuf>, store: StoreArgs) -> Result<ExitCode> {
    let examples = examples_dir(examples);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let platform = store.open().await?;
        let packages = store.packages()?;
        capsule_server::demo::seed(&platform, &packages, &examples, Some(&store.file("demo-secrets.json")))
            .await?;
        let listener =
            tokio::net::TcpListener::bind(bind).await.with_context(|| format!("cannot listen on {bind}"))?;
        let address = listener.local_addr()?;
        let merchant = start_merchant(&platform, address.port(), &store).await?;
        let state = AppState::new(platform, packages, crate::run::runtime()?, &store.file("cache"));
        // The port line is read by scripts and tests that ask for port 0: it comes first, and
        // in one write with the rest, since a reader may stop reading after it. A reader that
        // has gone away must not stop the server, so a failed write is ignored.
        let merchant =
            merchant.map(|origin| format!("\ndemo merchant backend on {origin}")).unwrap_or_default();
        let announcement = format!("capsule serving on http://{address}{merchant}\n");
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(announcement.as_bytes()).and_then(|()| stdout.flush());
        drop(stdout);
        capsule_server::serve(listener, state).await.context("the server stopped")
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Starts the example merchant backend (`examples/merchant`) on a free loopback port with the
/// demo apps' secrets, and points the demo apps at it. It reaches the platform on loopback,
/// over the open API like any developer's server.
async fn start_merchant(
    platform: &capsule_platform::Platform,
    port: u16,
    store: &StoreArgs,
) -> Result<Option<String>> {
    let secrets_file = store.file("demo-secrets.json");
    let apps = match capsule_merchant::read_secrets(&secrets_file) {
        Ok(apps) => apps,
        Err(e) => {
            eprintln!("the demo merchant backend is not started: {}: {e}", secrets_file.display());
            return Ok(None);
        }
    };
    let config = capsule_merchant::Config {
        platform: format!("http://127.0.0.1:{port}"),
        apps,
        data_file: Some(store.file("merchant.json")),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let origin = capsule_merchant::start(config, listener).await?;
    capsule_server::demo::connect_backend(platform, &origin).await?;
    Ok(Some(origin))
}
