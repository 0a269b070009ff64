//! Where the platform keeps its state, shared by `serve` and `app`: a data folder (the SQLite
//! file, the package store, the demo secrets) and, optionally, a PostgreSQL URL instead of the
//! SQLite file and an S3-compatible store instead of the local one.

use std::path::PathBuf;

use anyhow::{Context, Result};
use capsule_db::Db;
use capsule_platform::{PackageStore, Platform};

#[derive(clap::Args, Clone, Debug)]
pub struct StoreArgs {
    /// The folder for the platform's state (created if missing).
    #[arg(long, default_value = "capsule-data")]
    pub data_dir: PathBuf,
    /// `postgres://…` to keep the platform's tables in PostgreSQL instead of `DATA_DIR/capsule.db`.
    #[arg(long, env = "CAPSULE_DATABASE_URL")]
    pub database_url: Option<String>,
    /// `s3://BUCKET[/PREFIX]` to keep packages and videos in an S3-compatible service (set
    /// `AWS_ENDPOINT`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`) instead of
    /// `DATA_DIR/packages`.
    #[arg(long, env = "CAPSULE_STORE_URL")]
    pub store_url: Option<String>,
}

impl StoreArgs {
    /// Opens the database (applying migrations) and the platform on it.
    pub async fn open(&self) -> Result<Platform> {
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("cannot create the data folder {}", self.data_dir.display()))?;
        let db = match &self.database_url {
            Some(url) => Db::connect(url).await?,
            None => Db::open_file(&self.data_dir.join("capsule.db")).await?,
        };
        Ok(Platform::open(db).await?)
    }

    /// The package store: `--store-url`, else `DATA_DIR/packages`.
    pub fn packages(&self) -> Result<PackageStore> {
        Ok(match &self.store_url {
            Some(url) => PackageStore::from_url(url)?,
            None => PackageStore::local(&self.data_dir.join("packages"))?,
        })
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.data_dir.join(name)
    }
}
