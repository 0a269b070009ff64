//! The `capsule` command line: a thin layer over the library crates.

mod app;
mod automator;
mod project;
mod remote;
mod render;
mod run;
mod serve;
mod store;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "capsule", version, about = "Capsule: an open mini-program platform")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate a mini-program project and compile its templates; exit 1 on errors.
    Check {
        /// The project folder (WeChat, ByteDance or W3C MiniApp layout).
        dir: PathBuf,
        #[command(flatten)]
        limits: project::LimitArgs,
    },
    /// Build a deterministic `.capsule` package from a project that checks clean.
    Build {
        dir: PathBuf,
        /// Where to write the package.
        #[arg(short, long)]
        output: PathBuf,
        #[command(flatten)]
        limits: project::LimitArgs,
    },
    /// Render a WXML/TTML file with page data and print the tree as JSON.
    Render {
        /// The template file (`.wxml` or `.ttml`).
        file: PathBuf,
        /// The page data, a JSON object.
        #[arg(long)]
        data: Option<PathBuf>,
        /// Render this many times (for timing) and print once.
        #[arg(long, default_value_t = 1)]
        repeat: u32,
    },
    /// Launch a mini-program headless and print the current page's tree as JSON.
    Run {
        /// A project folder or a `.capsule` package.
        source: PathBuf,
        /// The first page (route); the app's entry page by default.
        #[arg(long)]
        page: Option<String>,
        /// The first page's query string, `a=1&b=2`.
        #[arg(long)]
        query: Option<String>,
        /// Read commands from stdin: `tap SELECTOR`, `input SELECTOR TEXT`, `back`, `data`, `tree`, `quit`.
        #[arg(short, long)]
        interactive: bool,
    },
    /// Serve WeChat's automation protocol for `miniprogram-automator` on ws://127.0.0.1:PORT.
    Automator {
        source: PathBuf,
        #[arg(long)]
        port: u16,
        #[arg(long)]
        page: Option<String>,
    },
    /// Serve the host web app (video feed, mini-program entrance, search, the container) on http://BIND.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: std::net::SocketAddr,
        /// The folder of demo mini-programs (`shop`, `tt-tickets`, `game`); `examples/` by default.
        #[arg(long)]
        examples: Option<PathBuf>,
        #[command(flatten)]
        store: store::StoreArgs,
    },
    /// Create and release mini-programs (on the data folder, or a running platform with --server).
    #[command(subcommand)]
    App(AppCommand),
    /// Make a host user a platform admin (on the data folder or database).
    Admin(app::AdminArgs),
    /// Log in to a running platform; later `upload` and `app … --server` use the session.
    Login(app::LoginArgs),
    /// Build a project and upload it as a new version; prints the platform's checks (exit 1 if they fail).
    Upload(app::UploadArgs),
    /// The worker process for mini-program sessions (started by capsule itself).
    #[command(name = "__worker", hide = true)]
    Worker,
}

#[derive(Subcommand)]
enum AppCommand {
    /// Create a mini-program; prints its appid, AppSecret (shown only now) and payment salt as JSON.
    Create(app::CreateArgs),
    /// Upload, check, approve and release a project in one step (an operator's shortcut).
    Release(app::ReleaseArgs),
}

/// The hidden subcommand workers run under.
pub const WORKER_COMMAND: &str = "__worker";

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check { dir, limits } => project::run_check(&dir, &limits),
        Command::Build { dir, output, limits } => project::run_build(&dir, &output, &limits),
        Command::Render { file, data, repeat } => render::run(&file, data.as_deref(), repeat),
        Command::Run { source, page, query, interactive } => run::run(&source, page, query, interactive),
        Command::Automator { source, port, page } => automator::run(&source, port, page),
        Command::Serve { bind, examples, store } => serve::run(bind, examples, store),
        Command::App(AppCommand::Create(args)) => app::create(args),
        Command::App(AppCommand::Release(args)) => app::release(args),
        Command::Login(args) => app::login(args),
        Command::Admin(args) => app::admin(args),
        Command::Upload(args) => app::upload(args),
        Command::Worker => {
            capsule_runtime::worker::child_main();
            Ok(ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
