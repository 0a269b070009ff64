//! Mini-programs as the platform knows them: appid, AppSecret (shown once, stored as SHA-256:
//! it is 160 random bits, so a slow hash buys nothing), payment salt, what the host shows
//! (name, icon, description, category, keywords), the request-domain allow-list, the payment
//! notify URL, and whether creators may mount it on videos.

use serde::{Deserialize, Serialize};

use crate::accounts::{Role, User};
use crate::{Platform, PlatformError, Result, random_hex, sha256_hex};

/// What a developer sets on an app.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AppSettings {
    pub name: String,
    pub icon: String,
    pub description: String,
    pub category: String,
    pub keywords: Vec<String>,
    /// `https://host[:port]` origins `request` may reach.
    pub request_domains: Vec<String>,
    pub notify_url: String,
    /// Whether creators may mount the app on their videos.
    pub allow_mount: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct App {
    pub appid: String,
    pub org_id: String,
    #[serde(flatten)]
    pub settings: AppSettings,
    pub payment_salt: String,
    /// `active`, or `unpublished` once taken down.
    pub status: String,
    /// What the app's `getExtConfigSync` answers (`{}` unless the platform set one); read with
    /// the app, so launching needs no second query.
    #[serde(skip)]
    pub ext_config: serde_json::Value,
}

/// A new app and its AppSecret: the only time the secret is shown.
#[derive(Clone, Debug, Serialize)]
pub struct CreatedApp {
    #[serde(flatten)]
    pub app: App,
    pub secret: String,
}

#[derive(sqlx::FromRow)]
struct AppRow {
    appid: String,
    org_id: String,
    name: String,
    icon: String,
    description: String,
    category: String,
    keywords: String,
    request_domains: String,
    notify_url: String,
    allow_mount: i64,
    payment_salt: String,
    status: String,
    ext_config: String,
}

impl From<AppRow> for App {
    fn from(row: AppRow) -> App {
        App {
            appid: row.appid,
            org_id: row.org_id,
            settings: AppSettings {
                name: row.name,
                icon: row.icon,
                description: row.description,
                category: row.category,
                keywords: serde_json::from_str(&row.keywords).unwrap_or_default(),
                request_domains: serde_json::from_str(&row.request_domains).unwrap_or_default(),
                notify_url: row.notify_url,
                allow_mount: row.allow_mount != 0,
            },
            payment_salt: row.payment_salt,
            status: row.status,
            ext_config: serde_json::from_str(&row.ext_config).unwrap_or_else(|_| serde_json::json!({})),
        }
    }
}

/// The columns of [`AppRow`], for `concat!` (sqlx takes only static SQL without an audit).
macro_rules! app_columns {
    () => {
        "appid, org_id, name, icon, description, category, keywords, request_domains, notify_url, \
         allow_mount, payment_salt, status, ext_config"
    };
}

fn invalid(message: impl Into<String>) -> PlatformError {
    PlatformError::Invalid(message.into())
}

/// Binds the eight settings columns, in the order both the INSERT and the UPDATE list them.
fn bind_settings<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    settings: &'q AppSettings,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    query
        .bind(&settings.name)
        .bind(&settings.icon)
        .bind(&settings.description)
        .bind(&settings.category)
        .bind(serde_json::to_string(&settings.keywords).unwrap_or_default())
        .bind(serde_json::to_string(&settings.request_domains).unwrap_or_default())
        .bind(&settings.notify_url)
        .bind(settings.allow_mount as i64)
}

impl AppSettings {
    /// Trims what a person typed and checks it, naming the first field that is wrong.
    pub fn validated(mut self) -> Result<AppSettings> {
        self.name = self.name.trim().to_string();
        if self.name.is_empty() || self.name.chars().count() > 30 {
            return Err(invalid("name: 1 to 30 characters"));
        }
        if self.icon.chars().count() > 512 {
            return Err(invalid("icon: at most 512 characters"));
        }
        if self.description.chars().count() > 500 {
            return Err(invalid("description: at most 500 characters"));
        }
        if self.category.chars().count() > 32 {
            return Err(invalid("category: at most 32 characters"));
        }
        self.keywords =
            self.keywords.iter().map(|k| k.trim().to_string()).filter(|k| !k.is_empty()).collect();
        if self.keywords.len() > 10 || self.keywords.iter().any(|k| k.chars().count() > 20) {
            return Err(invalid("keywords: at most 10, each at most 20 characters"));
        }
        for domain in &mut self.request_domains {
            *domain = domain.trim().trim_end_matches('/').to_string();
            let host = domain.strip_prefix("https://").unwrap_or("");
            let host_ok = !host.is_empty()
                && host.len() <= 253
                && host.chars().all(|c| c.is_ascii_alphanumeric() || ".-:".contains(c));
            if !host_ok {
                return Err(invalid(format!(
                    "request_domains: {domain:?} is not an https origin such as https://api.example.com"
                )));
            }
        }
        let notify = self.notify_url.trim();
        if !notify.is_empty()
            && (notify.len() > 512 || !(notify.starts_with("https://") || notify.starts_with("http://")))
        {
            return Err(invalid("notify_url: an http(s) URL of at most 512 characters"));
        }
        self.notify_url = notify.to_string();
        Ok(self)
    }
}

impl Platform {
    /// Creates an app in `org_id`; owners and developers may.
    pub async fn create_app(&self, actor: &User, org_id: &str, settings: AppSettings) -> Result<CreatedApp> {
        self.require_role(actor, org_id, &[Role::Owner, Role::Developer]).await?;
        self.create_app_as_operator(org_id, settings).await
    }

    /// Creates an app in `org_id` for whoever runs the platform (the command line, with direct
    /// access to its database): no user to check.
    pub async fn create_app_as_operator(&self, org_id: &str, settings: AppSettings) -> Result<CreatedApp> {
        let appid = format!("tt{}", random_hex(8));
        self.insert_app(org_id, &appid, settings.validated()?).await
    }

    /// Creates the app `appid` unless it exists (the demo's fixed appids); `None` if it did.
    pub async fn seed_app(
        &self,
        org_id: &str,
        appid: &str,
        settings: AppSettings,
    ) -> Result<Option<CreatedApp>> {
        match self.insert_app(org_id, appid, settings.validated()?).await {
            Ok(created) => Ok(Some(created)),
            Err(PlatformError::Conflict(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn insert_app(&self, org_id: &str, appid: &str, settings: AppSettings) -> Result<CreatedApp> {
        let secret = random_hex(20);
        let payment_salt = random_hex(16);
        let now = self.now();
        let query = sqlx::query(
            "INSERT INTO apps (appid, org_id, name, icon, description, category, keywords, request_domains, \
             notify_url, allow_mount, secret_hash, payment_salt, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'active', $13, $13)",
        )
        .bind(appid)
        .bind(org_id);
        let inserted = bind_settings(query, &settings)
            .bind(sha256_hex(&secret))
            .bind(&payment_salt)
            .bind(now)
            .execute(self.db.pool())
            .await;
        match inserted {
            Err(e) if capsule_db::is_unique_violation(&e) => {
                Err(PlatformError::Conflict(format!("the appid {appid} exists")))
            }
            Err(e) => Err(e.into()),
            Ok(_) => Ok(CreatedApp {
                app: App {
                    appid: appid.to_string(),
                    org_id: org_id.to_string(),
                    settings,
                    payment_salt,
                    status: "active".into(),
                    ext_config: serde_json::json!({}),
                },
                secret,
            }),
        }
    }

    pub async fn app(&self, appid: &str) -> Result<App> {
        let row: Option<AppRow> =
            sqlx::query_as(concat!("SELECT ", app_columns!(), " FROM apps WHERE appid = $1"))
                .bind(appid)
                .fetch_optional(self.db.pool())
                .await?;
        row.map(App::from).ok_or_else(|| PlatformError::NotFound(format!("no mini-program {appid}")))
    }

    /// Every app whose release channel serves a version (published), by name.
    pub async fn published_apps(&self) -> Result<Vec<App>> {
        let rows: Vec<AppRow> = sqlx::query_as(concat!(
            "SELECT ",
            app_columns!(),
            " FROM apps WHERE appid IN (SELECT appid FROM channels WHERE channel = 'release') ORDER BY name, appid"
        ))
        .fetch_all(self.db.pool())
        .await?;
        Ok(rows.into_iter().map(App::from).collect())
    }

    pub async fn apps_of_org(&self, org_id: &str) -> Result<Vec<App>> {
        let rows: Vec<AppRow> = sqlx::query_as(concat!(
            "SELECT ",
            app_columns!(),
            " FROM apps WHERE org_id = $1 ORDER BY created_at, appid"
        ))
        .bind(org_id)
        .fetch_all(self.db.pool())
        .await?;
        Ok(rows.into_iter().map(App::from).collect())
    }

    /// Changes what the host shows and the app's allow-lists; owners and developers may.
    pub async fn update_app(&self, actor: &User, appid: &str, settings: AppSettings) -> Result<App> {
        let app = self.app(appid).await?;
        self.require_role(actor, &app.org_id, &[Role::Owner, Role::Developer]).await?;
        let settings = settings.validated()?;
        let query = sqlx::query(
            "UPDATE apps SET name = $1, icon = $2, description = $3, category = $4, keywords = $5, \
             request_domains = $6, notify_url = $7, allow_mount = $8, updated_at = $9 WHERE appid = $10",
        );
        bind_settings(query, &settings).bind(self.now()).bind(appid).execute(self.db.pool()).await?;
        self.reindex_app(appid).await?;
        Ok(App { settings, ..app })
    }

    /// Points an app at a backend on this machine (the demo's merchant service, whose port is
    /// chosen at each start): `origin` (`http://127.0.0.1:port`) becomes its only request domain
    /// and `{"api": origin}` its ext config. Only whoever runs the platform may: developers'
    /// request domains are https, so a mini-program cannot make the server reach its own
    /// loopback services.
    pub async fn seed_app_backend(&self, appid: &str, origin: &str) -> Result<()> {
        let authority = origin.strip_prefix("http://").unwrap_or("");
        if !capsule_runtime::session::is_loopback_authority(authority) {
            return Err(invalid(format!("a local backend is http://127.0.0.1:port, not {origin:?}")));
        }
        sqlx::query(
            "UPDATE apps SET request_domains = $1, ext_config = $2, updated_at = $3 WHERE appid = $4",
        )
        .bind(serde_json::to_string(&[origin]).unwrap_or_default())
        .bind(serde_json::json!({ "api": origin }).to_string())
        .bind(self.now())
        .bind(appid)
        .execute(self.db.pool())
        .await?;
        Ok(())
    }

    /// A new AppSecret (the old one stops working at once); only owners may.
    pub async fn reset_secret(&self, actor: &User, appid: &str) -> Result<String> {
        let app = self.app(appid).await?;
        self.require_role(actor, &app.org_id, &[Role::Owner]).await?;
        let secret = random_hex(20);
        sqlx::query("UPDATE apps SET secret_hash = $1, updated_at = $2 WHERE appid = $3")
            .bind(sha256_hex(&secret))
            .bind(self.now())
            .bind(appid)
            .execute(self.db.pool())
            .await?;
        Ok(secret)
    }

    /// Whether `secret` is `appid`'s AppSecret.
    pub async fn secret_matches(&self, appid: &str, secret: &str) -> Result<bool> {
        let stored: Option<String> = sqlx::query_scalar("SELECT secret_hash FROM apps WHERE appid = $1")
            .bind(appid)
            .fetch_optional(self.db.pool())
            .await?;
        Ok(stored.is_some_and(|hash| crate::constant_time_eq(&hash, &sha256_hex(secret))))
    }
}
