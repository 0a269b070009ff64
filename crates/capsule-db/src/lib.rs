//! Persistence for the platform: one pool over SQLite (the embedded default) or PostgreSQL,
//! chosen by URL, with the schema's migrations embedded in the binary.
//!
//! The SQL is portable (see `migrations/`), so the platform writes each query once and runs it
//! on either database through sqlx's `Any` driver. [`testing`] gives every test a fresh database
//! of each kind the machine has.

pub mod testing;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AnyPool, Executor, SqlSafeStr};

pub use sqlx;

/// Which database a [`Db`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://HOST/DB")]
    UnsupportedUrl(String),
    #[error("cannot open the database {url}: {source}")]
    Connect { url: String, source: sqlx::Error },
    #[error("cannot bring the database schema up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

/// A connection pool and the kind of database behind it.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

/// The schema's migrations, in order: (version, description, SQL).
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "accounts apps login", include_str!("../migrations/0001_accounts_apps_login.sql")),
    (2, "versions release", include_str!("../migrations/0002_versions_release.sql")),
    (3, "videos opens", include_str!("../migrations/0003_videos_opens.sql")),
    (4, "payments", include_str!("../migrations/0004_payments.sql")),
    (5, "app ext config", include_str!("../migrations/0005_app_ext_config.sql")),
];

fn migrator() -> Migrator {
    Migrator::with_migrations(
        MIGRATIONS
            .iter()
            .map(|&(version, description, sql)| {
                Migration::new(version, description.into(), MigrationType::Simple, sql.into_sql_str(), false)
            })
            .collect(),
    )
}

impl Db {
    /// Opens `url` (`sqlite://PATH` creates the file; `postgres://…`) and applies migrations.
    pub async fn connect(url: &str) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(DbError::UnsupportedUrl(url.to_string()));
        };
        let url_with_mode = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
            }
            _ => url.to_string(),
        };
        let options = AnyConnectOptions::from_str(&url_with_mode)
            .map_err(|source| DbError::Connect { url: url.to_string(), source })?;
        let pool = AnyPoolOptions::new()
            // SQLite has one writer; a small pool keeps lock waits short.
            .max_connections(if backend == Backend::Sqlite { 4 } else { 10 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |connection, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        connection
                            .execute(
                                "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                                 PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;",
                            )
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(|source| DbError::Connect { url: url.to_string(), source })?;
        migrator().run(&pool).await?;
        Ok(Db { pool, backend })
    }

    /// The embedded default: an SQLite file at `path`.
    pub async fn open_file(path: &Path) -> Result<Db, DbError> {
        Db::connect(&format!("sqlite://{}", path.display())).await
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Whether `error` is a unique or primary-key violation (the same test on both databases).
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}
