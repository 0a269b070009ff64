//! `capsule app`: operators' shortcuts on the platform's own data folder or database.

use std::process::ExitCode;

use anyhow::Result;
use capsule_platform::AppSettings;

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
    #[command(flatten)]
    pub store: StoreArgs,
}

/// Creates an app and prints it as JSON, with its AppSecret and payment salt.
pub fn create(args: CreateArgs) -> Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let platform = args.store.open().await?;
        let org = platform.ensure_org(LOCAL_ORG.0, LOCAL_ORG.1).await?;
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
        let created = platform.create_app_as_operator(&org.id, settings).await?;
        println!("{}", serde_json::to_string_pretty(&created)?);
        platform.db().close().await;
        Ok(ExitCode::SUCCESS)
    })
}
