//! `capsule app`, `capsule login` and `capsule upload`: creating and releasing mini-programs,
//! either on the platform's own data folder or database (operators' shortcuts), or through a
//! running platform with `--server` as a logged-in developer.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, bail};
use capsule_platform::{Actor, AppSettings};
use capsule_server::host_app::encode;
use serde_json::{Value as Json, json};

use crate::remote::Remote;
use crate::store::StoreArgs;

/// The organisation apps made from the command line belong to.
const LOCAL_ORG: (&str, &str) = ("o-local", "Local developer");

#[derive(clap::Args, Debug)]
pub struct CreateArgs {
    #[arg(long)]
    pub name: String,
    #[arg(long, default_value = "")]
    pub icon: String,
    #[arg(long, default_value = "")]
    pub description: String,
    #[arg(long, default_value = "")]
    pub category: String,
    /// A search keyword (repeatable).
    #[arg(long = "keyword")]
    pub keywords: Vec<String>,
    /// An https origin `request` may reach (repeatable).
    #[arg(long = "request-domain")]
    pub request_domains: Vec<String>,
    /// Where payment callbacks go.
    #[arg(long, default_value = "")]
    pub notify_url: String,
    /// Let creators mount the app on their videos.
    #[arg(long)]
    pub allow_mount: bool,
    /// The organisation (with `--server`); the first one you may create apps in by default.
    #[arg(long)]
    pub org: Option<String>,
    /// A running platform to create the app on, as the user of `capsule login`.
    #[arg(long)]
    pub server: Option<String>,
    #[command(flatten)]
    pub store: StoreArgs,
}

fn tokio() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread().enable_all().build()?)
}

/// Creates an app and prints it as JSON, with its AppSecret and payment salt.
pub fn create(args: CreateArgs) -> Result<ExitCode> {
    let settings = AppSettings {
        name: args.name,
        icon: args.icon,
        description: args.description,
        category: args.category,
        keywords: args.keywords,
        request_domains: args.request_domains,
        notify_url: args.notify_url,
        allow_mount: args.allow_mount,
    };
    if let Some(server) = &args.server {
        let remote = Remote::saved(Some(server))?;
        let org = match args.org {
            Some(org) => org,
            None => own_org(&remote)?,
        };
        let created =
            remote.post(&format!("/api/orgs/{}/apps", encode(&org)), &serde_json::to_value(&settings)?)?;
        println!("{}", serde_json::to_string_pretty(&created)?);
        return Ok(ExitCode::SUCCESS);
    }
    tokio()?.block_on(async {
        let platform = args.store.open().await?;
        let org = platform.ensure_org(LOCAL_ORG.0, LOCAL_ORG.1).await?;
        let created = platform.create_app_as_operator(&org.id, settings).await?;
        println!("{}", serde_json::to_string_pretty(&created)?);
        platform.db().close().await;
        Ok(ExitCode::SUCCESS)
    })
}

/// The first organisation where the logged-in user may create apps, made if there is none.
fn own_org(remote: &Remote) -> Result<String> {
    let orgs = remote.get("/api/orgs")?;
    let usable = orgs["orgs"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|org| matches!(org["role"].as_str(), Some("owner" | "developer")));
    if let Some(org) = usable {
        return Ok(org["id"].as_str().unwrap_or_default().to_string());
    }
    let me = remote.get("/api/account/me")?;
    let name = format!("{}'s apps", me["user"]["username"].as_str().unwrap_or("my"));
    let created = remote.post("/api/orgs", &json!({ "name": name }))?;
    Ok(created["id"].as_str().unwrap_or_default().to_string())
}

#[derive(clap::Args, Debug)]
pub struct AdminArgs {
    /// The host user who becomes a platform admin (passes every role check, reviews any app).
    pub username: String,
    #[command(flatten)]
    pub store: StoreArgs,
}

/// Makes a host user a platform admin, on the data folder or database directly.
pub fn admin(args: AdminArgs) -> Result<ExitCode> {
    tokio()?.block_on(async {
        let platform = args.store.open().await?;
        let user = platform.make_admin(&args.username).await?;
        eprintln!("{} is a platform admin", user.username);
        platform.db().close().await;
        Ok(ExitCode::SUCCESS)
    })
}

#[derive(clap::Args, Debug)]
pub struct LoginArgs {
    /// The platform, such as http://127.0.0.1:8080.
    #[arg(long)]
    pub server: String,
    #[arg(long)]
    pub username: String,
    /// Read from `CAPSULE_PASSWORD`, else the first line of standard input.
    #[arg(long, env = "CAPSULE_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
}

/// Logs in and keeps the session for `upload` and `app … --server`.
pub fn login(args: LoginArgs) -> Result<ExitCode> {
    let password = match args.password {
        Some(password) => password,
        None => {
            eprint!("password for {}: ", args.username);
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    let remote = Remote::log_in(&args.server, &args.username, &password)?;
    eprintln!("logged in to {} as {}", remote.server, args.username);
    Ok(ExitCode::SUCCESS)
}

/// A project to upload as a version of an app.
#[derive(clap::Args, Debug)]
pub struct VersionArgs {
    /// The project folder.
    pub dir: PathBuf,
    #[arg(long)]
    pub appid: String,
    /// The version's label; `build-` and the start of the package hash by default.
    #[arg(long)]
    pub version: Option<String>,
    #[arg(long, default_value = "")]
    pub description: String,
}

#[derive(clap::Args, Debug)]
pub struct UploadArgs {
    #[command(flatten)]
    pub version: VersionArgs,
    /// The platform; the one of `capsule login` by default.
    #[arg(long)]
    pub server: Option<String>,
}

/// Builds `dir` and uploads it; the platform's checks answer. Exit 1 when they fail.
pub fn upload(args: UploadArgs) -> Result<ExitCode> {
    let remote = Remote::saved(args.server.as_deref())?;
    let (bytes, label) = build(&args.version.dir, args.version.version)?;
    let version = upload_to(&remote, &args.version.appid, &label, &args.version.description, &bytes)?;
    println!("{}", serde_json::to_string_pretty(&version)?);
    Ok(if passed(&version) { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

#[derive(clap::Args, Debug)]
pub struct ReleaseArgs {
    #[command(flatten)]
    pub version: VersionArgs,
    /// A running platform, as the user of `capsule login` (who must be allowed to review and
    /// release); without it, the data folder or database is used directly.
    #[arg(long)]
    pub server: Option<String>,
    #[command(flatten)]
    pub store: StoreArgs,
}

/// Uploads, runs the checks, approves and releases to everyone in one step; exit 1, with the
/// checks' report, when a check fails.
pub fn release(args: ReleaseArgs) -> Result<ExitCode> {
    let VersionArgs { dir, appid, version: label, description } = args.version;
    let (bytes, label) = build(&dir, label)?;
    let released = if let Some(server) = &args.server {
        let remote = Remote::saved(Some(server))?;
        let version = upload_to(&remote, &appid, &label, &description, &bytes)?;
        if !passed(&version) {
            println!("{}", serde_json::to_string_pretty(&version)?);
            return Ok(ExitCode::FAILURE);
        }
        let path =
            format!("/api/console/apps/{}/versions/{}", encode(&appid), version["id"].as_str().unwrap_or(""));
        remote.post(&format!("{path}/submit"), &json!({}))?;
        remote.post(&format!("{path}/review"), &json!({ "approve": true }))?;
        remote.post(&format!("{path}/release"), &json!({ "percent": 100 }))?
    } else {
        let version = tokio()?.block_on(async {
            let platform = args.store.open().await?;
            let store = args.store.packages()?;
            let appid = &appid;
            let op = Actor::Operator;
            let version = platform.upload_version(op, &store, appid, &label, &description, bytes).await?;
            let version = if version.checks.passed {
                platform.submit_for_review(op, appid, &version.id).await?;
                platform.review(op, appid, &version.id, true, "").await?;
                platform.release(op, appid, &version.id, 100).await?
            } else {
                version
            };
            platform.db().close().await;
            anyhow::Ok(serde_json::to_value(version)?)
        })?;
        if !passed(&version) {
            println!("{}", serde_json::to_string_pretty(&version)?);
            return Ok(ExitCode::FAILURE);
        }
        version
    };
    println!("{}", serde_json::to_string_pretty(&released)?);
    Ok(ExitCode::SUCCESS)
}

/// The package of `dir` and its version label.
fn build(dir: &Path, label: Option<String>) -> Result<(Vec<u8>, String)> {
    let Some(built) = crate::project::build(dir, &capsule_package::Limits::default()) else {
        bail!("{} does not build", dir.display());
    };
    let label = label.unwrap_or_else(|| format!("build-{}", &built.package_hash[..12]));
    Ok((built.bytes, label))
}

fn upload_to(remote: &Remote, appid: &str, label: &str, description: &str, bytes: &[u8]) -> Result<Json> {
    let path = format!(
        "/api/console/apps/{}/versions?version={}&description={}",
        encode(appid),
        encode(label),
        encode(description)
    );
    remote.post_bytes(&path, bytes)
}

/// Whether the checks passed; says which pages failed and why on stderr otherwise.
fn passed(version: &Json) -> bool {
    let checks = &version["checks"];
    if checks["passed"].as_bool() == Some(true) {
        return true;
    }
    eprintln!("version {} failed the platform's checks:", version["version"].as_str().unwrap_or("?"));
    for problem in checks["problems"].as_array().into_iter().flatten() {
        eprintln!("  {}", problem.as_str().unwrap_or_default());
    }
    for page in checks["pages"].as_array().into_iter().flatten().filter(|p| p["passed"] != true) {
        for error in page["errors"].as_array().into_iter().flatten() {
            eprintln!("  {}: {}", page["route"].as_str().unwrap_or("?"), error.as_str().unwrap_or_default());
        }
    }
    false
}
