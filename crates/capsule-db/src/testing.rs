//! Fresh databases for tests: always an SQLite file in a temporary folder, and a new PostgreSQL
//! database when `CAPSULE_TEST_POSTGRES` names a server (`postgres://127.0.0.1:5432/test`, as
//! `.ci/run` sets it). Each one is dropped when its [`TestDb`] is.

use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::AssertSqlSafe;

use crate::{Backend, Db, DbError};

/// The environment variable that switches on the PostgreSQL half of the tests.
pub const POSTGRES_ENV: &str = "CAPSULE_TEST_POSTGRES";

/// A database that exists for one test.
#[derive(Debug)]
pub struct TestDb {
    pub db: Db,
    /// What `capsule serve --database-url` would be given to reach it.
    pub url: String,
    cleanup: Cleanup,
}

#[derive(Debug)]
enum Cleanup {
    Folder(#[allow(dead_code)] tempfile::TempDir),
    PostgresDatabase { admin_url: String, name: String },
}

impl TestDb {
    pub fn backend(&self) -> Backend {
        self.db.backend()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::PostgresDatabase { admin_url, name } = &self.cleanup {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Drop may run on the test's own runtime thread, which must not be waited on (the
            // pool's connections belong to it): a thread with its own runtime drops the database,
            // and FORCE ends those connections.
            let _ = std::thread::spawn(move || {
                let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                    return;
                };
                runtime.block_on(async move {
                    if let Ok(admin) = Db::connect_admin(&admin_url).await {
                        let _ = sqlx::query(AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                        )))
                        .execute(&admin)
                        .await;
                        admin.close().await;
                    }
                });
            })
            .join();
        }
    }
}

impl Db {
    async fn connect_admin(url: &str) -> Result<sqlx::AnyPool, sqlx::Error> {
        sqlx::any::install_default_drivers();
        sqlx::any::AnyPoolOptions::new().max_connections(1).connect(url).await
    }
}

/// A fresh SQLite database in a temporary folder.
pub async fn sqlite() -> Result<TestDb, DbError> {
    let folder = tempfile::tempdir().map_err(|e| DbError::Sql(sqlx::Error::Io(e)))?;
    let url = format!("sqlite://{}", folder.path().join("capsule.db").display());
    let db = Db::connect(&url).await?;
    Ok(TestDb { db, url, cleanup: Cleanup::Folder(folder) })
}

/// A fresh PostgreSQL database, or `None` when `CAPSULE_TEST_POSTGRES` is unset.
pub async fn postgres() -> Result<Option<TestDb>, DbError> {
    let Ok(admin_url) = std::env::var(POSTGRES_ENV) else { return Ok(None) };
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let name = format!(
        "capsule_test_{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() % 1_000_000)
            .unwrap_or(0)
    );
    let admin = Db::connect_admin(&admin_url)
        .await
        .map_err(|source| DbError::Connect { url: admin_url.clone(), source })?;
    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&admin).await?;
    admin.close().await;
    let url = match admin_url.rfind('/') {
        Some(slash) if slash > "postgres://".len() => format!("{}/{name}", &admin_url[..slash]),
        _ => format!("{admin_url}/{name}"),
    };
    let db = Db::connect(&url).await?;
    Ok(Some(TestDb { db, url, cleanup: Cleanup::PostgresDatabase { admin_url, name } }))
}

/// One fresh database of each kind this machine has: SQLite always, PostgreSQL when configured.
/// A test that loops over these runs the same checks on both.
pub async fn each() -> Vec<TestDb> {
    let mut all = vec![sqlite().await.expect("a fresh SQLite database")];
    if let Some(pg) = postgres().await.expect("a fresh PostgreSQL database (CAPSULE_TEST_POSTGRES)") {
        all.push(pg);
    }
    all
}
