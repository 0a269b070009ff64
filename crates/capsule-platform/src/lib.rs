//! The platform's domain: host users and their sessions, developer organisations and roles,
//! mini-programs and their secrets, versions from upload to release, login codes,
//! `jscode2session`, access tokens and the identities (openid, unionid) they hand out. No HTTP
//! here: `capsule-server` maps these calls to routes, and `capsule-cli` calls them directly
//! for `--data-dir`.
//!
//! - [`accounts`]: sign up, log in and out, sessions with CSRF tokens, organisations, roles.
//! - [`apps`]: creating mini-programs, their AppSecret (shown once, stored hashed), payment salt.
//! - [`login`]: one-time login codes, `jscode2session`, access tokens, rate limits.
//! - [`identity`]: openid / anonymous_openid / unionid derivation under DESIGN.md's rules, and
//!   the release signing key.
//! - [`versions`]: upload, review, release (signed, gray, rollback), channels and launch targets.
//! - [`checks`]: the automatic checks that run an uploaded package headless, page by page.
//! - [`qr`]: QR codes (PNG and SVG) of share links, in the open API's colours and sizes.
//! - [`store`]: the content-addressed store of packages and videos (a local folder or any
//!   `object_store`).
//! - [`hosts`]: the host apps (Douyin-style, Toutiao-style) the platform serves.
//! - [`videos`]: videos host users post, their mini-program anchors, and who opened what.
//! - [`search`]: the full-text index (Chinese-aware) over published apps and videos.

pub mod accounts;
pub mod apps;
pub mod checks;
pub mod hosts;
pub mod icons;
pub mod identity;
pub mod login;
pub mod payments;
pub mod qr;
pub mod search;
pub mod store;
pub mod versions;
pub mod videos;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use capsule_db::{Db, DbError};
use sha2::{Digest, Sha256};

pub use accounts::{NewSession, Org, Role, User};
pub use apps::{App, AppSettings, CreatedApp};
pub use checks::{CheckReport, PageCheck};
pub use hosts::{HOSTS, HostProfile};
pub use icons::IconImage;
pub use login::{Code2Session, LoginCodes, OpenApiError};
pub use store::{ObjectKind, PackageStore};
pub use versions::{Actor, Channel, ChannelState, LaunchTarget, Version, VersionStatus};
pub use videos::{Anchor, Video, VideoMedia};

#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    /// The request itself is wrong (a missing field, a bad value); the message says which.
    #[error("{0}")]
    Invalid(String),
    /// Not logged in, or wrong credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// Logged in but not allowed.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// Clashes with what exists (a taken username).
    #[error("{0}")]
    Conflict(String),
    /// The payment provider refused or could not be reached.
    #[error("payment: {0}")]
    Payment(String),
    /// The package store failed (a disk or network error).
    #[error("package store: {0}")]
    Store(String),
    /// The search index failed.
    #[error("search index: {0}")]
    Search(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for PlatformError {
    fn from(error: sqlx::Error) -> Self {
        PlatformError::Db(DbError::Sql(error))
    }
}

use capsule_db::sqlx;

pub type Result<T, E = PlatformError> = std::result::Result<T, E>;

/// Limits the platform enforces; the defaults are DESIGN.md's.
#[derive(Clone, Debug)]
pub struct Limits {
    /// How long a login code can be exchanged.
    pub login_code_ttl: Duration,
    /// `jscode2session` calls per app per minute.
    pub code2session_per_minute: i64,
    /// `token` calls per app per minute.
    pub token_per_minute: i64,
    pub access_token_ttl: Duration,
    pub user_session_ttl: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            login_code_ttl: Duration::from_secs(5 * 60),
            code2session_per_minute: 1000,
            token_per_minute: 100,
            access_token_ttl: Duration::from_secs(7200),
            user_session_ttl: Duration::from_secs(30 * 24 * 3600),
        }
    }
}

/// The platform: a database, its keys, its limits and a clock.
#[derive(Clone, Debug)]
pub struct Platform {
    db: Db,
    keys: Arc<identity::Keys>,
    search: Arc<search::SearchIndex>,
    pub limits: Limits,
    clock: Arc<Clock>,
}

impl Platform {
    /// Opens the platform on `db`, creating its keys on first use.
    pub async fn open(db: Db) -> Result<Platform> {
        let keys = identity::Keys::load_or_create(&db).await?;
        let search = Arc::new(search::SearchIndex::new()?);
        let platform =
            Platform { db, keys: Arc::new(keys), search, limits: Limits::default(), clock: Arc::default() };
        platform.rebuild_search().await?;
        Ok(platform)
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Unix milliseconds by the platform's clock.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// Moves the platform's clock forward (for tests of expiry, and for simulations).
    pub fn advance_clock(&self, by: Duration) {
        self.clock.offset.fetch_add(by.as_millis() as i64, Ordering::SeqCst);
    }
}

/// Wall-clock time plus an offset that only moves forward.
#[derive(Debug, Default)]
struct Clock {
    offset: AtomicI64,
}

impl Clock {
    fn now(&self) -> i64 {
        unix_millis() + self.offset.load(Ordering::SeqCst)
    }
}

/// Unix milliseconds by the wall clock (for what leaves the platform, such as gateway requests).
pub fn unix_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// `bytes` random bytes from the operating system, as lowercase hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer).expect("the operating system's random number generator");
    hex(&buffer)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of `text` as hex: how tokens, codes and secrets are kept.
pub fn sha256_hex(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

/// Compares two strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
