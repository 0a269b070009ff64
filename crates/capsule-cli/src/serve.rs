//! `capsule serve`: the host web app and the runtime sessions behind it.

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
        let state = AppState::new(platform, packages, crate::run::runtime()?, &store.file("cache"));
        let listener =
            tokio::net::TcpListener::bind(bind).await.with_context(|| format!("cannot listen on {bind}"))?;
        // The port line is read by scripts and tests that ask for port 0.
        println!("capsule serving on http://{}", listener.local_addr()?);
        capsule_server::serve(listener, state).await.context("the server stopped")
    })?;
    Ok(ExitCode::SUCCESS)
}
