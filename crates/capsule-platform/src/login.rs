//! Login as Douyin does it: `tt.login` gives the mini-program one-time codes (valid 5 minutes,
//! single use), the developer's server trades them with `jscode2session` for the user's openid,
//! unionid and a session_key, and `token` gives it an access_token for the other open APIs.
//! Errors carry Douyin's `err_no` / `err_tips`.

use serde::Serialize;

use crate::accounts::User;
use crate::{Platform, PlatformError, Result, random_hex, sha256_hex};

/// What `tt.login` answers: `code` when the host user is logged in, and always an
/// `anonymousCode` for this device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LoginCodes {
    pub code: Option<String>,
    #[serde(rename = "anonymousCode")]
    pub anonymous_code: Option<String>,
    #[serde(rename = "isLogin")]
    pub is_login: bool,
}

/// `jscode2session`'s `data`; ids that do not apply are empty strings, as Douyin's are.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Code2Session {
    pub session_key: String,
    pub openid: String,
    pub anonymous_openid: String,
    pub unionid: String,
}

/// An open-API failure in Douyin's form.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("{err_no}: {err_tips}")]
pub struct OpenApiError {
    pub err_no: i64,
    pub err_tips: String,
}

impl OpenApiError {
    pub fn new(err_no: i64, err_tips: impl Into<String>) -> Self {
        Self { err_no, err_tips: err_tips.into() }
    }

    /// A required parameter is missing or malformed.
    pub fn bad_params(tips: impl Into<String>) -> Self {
        Self::new(ERR_BAD_PARAMS, tips)
    }

    /// The platform failed (its database); the caller can only retry.
    pub fn system(error: impl std::fmt::Display) -> Self {
        Self::new(-1, format!("system error: {error}"))
    }
}

pub const ERR_BAD_PARAMS: i64 = 40014;
pub const ERR_BAD_APPID: i64 = 40015;
pub const ERR_BAD_SECRET: i64 = 40017;
pub const ERR_BAD_CODE: i64 = 40018;
pub const ERR_BAD_ANONYMOUS_CODE: i64 = 40019;
pub const ERR_BAD_GRANT_TYPE: i64 = 40020;
pub const ERR_BAD_ACCESS_TOKEN: i64 = 40002;
/// Too many calls this minute (WeChat's number for the same failure; Douyin documents none).
pub const ERR_RATE_LIMITED: i64 = 45011;

impl From<PlatformError> for OpenApiError {
    fn from(error: PlatformError) -> Self {
        OpenApiError::system(error)
    }
}

impl From<sqlx::Error> for OpenApiError {
    fn from(error: sqlx::Error) -> Self {
        OpenApiError::system(error)
    }
}

/// Which of the two codes a row holds.
#[derive(Clone, Copy)]
enum CodeKind {
    User,
    Anonymous,
}

impl CodeKind {
    fn as_str(self) -> &'static str {
        match self {
            CodeKind::User => "code",
            CodeKind::Anonymous => "anonymous_code",
        }
    }

    fn err_no(self) -> i64 {
        match self {
            CodeKind::User => ERR_BAD_CODE,
            CodeKind::Anonymous => ERR_BAD_ANONYMOUS_CODE,
        }
    }
}

impl Platform {
    /// Codes for `tt.login` in `appid`, for `user` if logged in and for the browser `device`.
    pub async fn issue_login_codes(
        &self,
        appid: &str,
        user: Option<&User>,
        device: Option<&str>,
        host: &str,
    ) -> Result<LoginCodes> {
        crate::HostProfile::get(host)?;
        let app = self.app(appid).await?;
        if app.status != "active" {
            return Err(PlatformError::NotFound(format!("the mini-program {appid} is not published")));
        }
        let now = self.now();
        let expires = now + self.limits.login_code_ttl.as_millis() as i64;
        // Rows that expired a day ago can no longer explain a failure; drop them.
        sqlx::query("DELETE FROM login_codes WHERE expires_at < $1")
            .bind(now - 24 * 3600 * 1000)
            .execute(self.db.pool())
            .await?;
        let issue = async |kind: CodeKind, user_id: Option<&str>| -> Result<String> {
            let code = random_hex(16);
            sqlx::query(
                "INSERT INTO login_codes (code_hash, appid, kind, user_id, device, host, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(sha256_hex(&code))
            .bind(appid)
            .bind(kind.as_str())
            .bind(user_id)
            .bind(device)
            .bind(host)
            .bind(now)
            .bind(expires)
            .execute(self.db.pool())
            .await?;
            Ok(code)
        };
        let code = match user {
            Some(user) => Some(issue(CodeKind::User, Some(&user.id)).await?),
            None => None,
        };
        let anonymous_code = match device {
            Some(_) => Some(issue(CodeKind::Anonymous, None).await?),
            None => None,
        };
        Ok(LoginCodes { code, anonymous_code, is_login: user.is_some() })
    }

    /// Checks `appid` exists and counts one call of `api` against its per-minute `limit`.
    async fn open_api_call(&self, appid: &str, api: &str, limit: i64) -> Result<crate::App, OpenApiError> {
        if appid.is_empty() {
            return Err(OpenApiError::bad_params("appid is required"));
        }
        let app = match self.app(appid).await {
            Ok(app) => app,
            Err(PlatformError::NotFound(_)) => {
                return Err(OpenApiError::new(ERR_BAD_APPID, format!("bad appid: no mini-program {appid}")));
            }
            Err(e) => return Err(e.into()),
        };
        let minute = self.now() / 60_000;
        let calls: i64 = sqlx::query_scalar(
            "INSERT INTO api_calls (appid, api, minute, calls) VALUES ($1, $2, $3, 1) \
             ON CONFLICT (appid, api, minute) DO UPDATE SET calls = api_calls.calls + 1 RETURNING calls",
        )
        .bind(appid)
        .bind(api)
        .bind(minute)
        .fetch_one(self.db.pool())
        .await?;
        if calls > limit {
            return Err(OpenApiError::new(
                ERR_RATE_LIMITED,
                format!("too many calls: {api} allows {limit} per minute for each app"),
            ));
        }
        Ok(app)
    }

    async fn check_secret(&self, appid: &str, secret: &str) -> Result<(), OpenApiError> {
        if secret.is_empty() {
            return Err(OpenApiError::bad_params("secret is required"));
        }
        if !self.secret_matches(appid, secret).await? {
            return Err(OpenApiError::new(ERR_BAD_SECRET, "bad secret: it is not this app's AppSecret"));
        }
        Ok(())
    }

    /// Uses up one code: it must be this app's, unused and unexpired. Returns (user_id, device, host).
    async fn redeem(
        &self,
        kind: CodeKind,
        appid: &str,
        code: &str,
    ) -> Result<(Option<String>, Option<String>, String), OpenApiError> {
        let now = self.now();
        let hash = sha256_hex(code);
        // One statement, so two servers racing for a code cannot both win it.
        let redeemed: Option<(Option<String>, Option<String>, String)> = sqlx::query_as(
            "UPDATE login_codes SET used_at = $1 \
             WHERE code_hash = $2 AND appid = $3 AND kind = $4 AND used_at IS NULL AND expires_at > $1 \
             RETURNING user_id, device, host",
        )
        .bind(now)
        .bind(&hash)
        .bind(appid)
        .bind(kind.as_str())
        .fetch_optional(self.db.pool())
        .await?;
        if let Some(found) = redeemed {
            return Ok(found);
        }
        let row: Option<(String, String, Option<i64>, i64)> =
            sqlx::query_as("SELECT appid, kind, used_at, expires_at FROM login_codes WHERE code_hash = $1")
                .bind(&hash)
                .fetch_optional(self.db.pool())
                .await?;
        let name = kind.as_str();
        let tips = match row {
            Some((owner, row_kind, _, _)) if owner != appid || row_kind != name => {
                format!("bad {name}: it was not issued to this app as a {name}")
            }
            Some((_, _, Some(_), _)) => format!("bad {name}: it has already been used"),
            Some((_, _, None, expires)) if expires <= now => {
                format!("bad {name}: it expired (codes are valid for 5 minutes)")
            }
            _ => format!("bad {name}: no such {name}"),
        };
        Err(OpenApiError::new(kind.err_no(), tips))
    }

    /// `POST /api/apps/v2/jscode2session`: trades `code` and/or `anonymous_code` for ids.
    pub async fn code2session(
        &self,
        appid: &str,
        secret: &str,
        code: Option<&str>,
        anonymous_code: Option<&str>,
    ) -> Result<Code2Session, OpenApiError> {
        let code = code.filter(|c| !c.is_empty());
        let anonymous_code = anonymous_code.filter(|c| !c.is_empty());
        if code.is_none() && anonymous_code.is_none() {
            return Err(OpenApiError::bad_params("code or anonymous_code is required"));
        }
        let app = self.open_api_call(appid, "jscode2session", self.limits.code2session_per_minute).await?;
        self.check_secret(appid, secret).await?;
        let mut session = Code2Session::default();
        if let Some(code) = code {
            let (user_id, _, host) = self.redeem(CodeKind::User, appid, code).await?;
            let user_id = user_id.ok_or_else(|| OpenApiError::system("a user code without a user"))?;
            session.openid = self.keys.openid(appid, &user_id);
            session.unionid = self.keys.unionid(&app.org_id, &host, &user_id);
            session.session_key = random_hex(16);
            sqlx::query(
                "INSERT INTO app_user_sessions (appid, openid, session_key, updated_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (appid, openid) DO UPDATE SET session_key = excluded.session_key, \
                 updated_at = excluded.updated_at",
            )
            .bind(appid)
            .bind(&session.openid)
            .bind(&session.session_key)
            .bind(self.now())
            .execute(self.db.pool())
            .await?;
        }
        if let Some(anonymous_code) = anonymous_code {
            let (_, device, _) = self.redeem(CodeKind::Anonymous, appid, anonymous_code).await?;
            let device = device.ok_or_else(|| OpenApiError::system("an anonymous code without a device"))?;
            session.anonymous_openid = self.keys.anonymous_openid(appid, &device);
        }
        Ok(session)
    }

    /// `POST /api/apps/v2/token`: an access_token for the app, valid two hours.
    pub async fn access_token(
        &self,
        appid: &str,
        secret: &str,
        grant_type: &str,
    ) -> Result<(String, u64), OpenApiError> {
        if grant_type != "client_credential" {
            return Err(OpenApiError::new(
                ERR_BAD_GRANT_TYPE,
                "bad grant_type: it must be client_credential",
            ));
        }
        self.open_api_call(appid, "token", self.limits.token_per_minute).await?;
        self.check_secret(appid, secret).await?;
        let token = format!("clt.{}", random_hex(24));
        let now = self.now();
        let ttl = self.limits.access_token_ttl;
        sqlx::query("DELETE FROM access_tokens WHERE expires_at < $1")
            .bind(now)
            .execute(self.db.pool())
            .await?;
        sqlx::query(
            "INSERT INTO access_tokens (token_hash, appid, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(sha256_hex(&token))
        .bind(appid)
        .bind(now)
        .bind(now + ttl.as_millis() as i64)
        .execute(self.db.pool())
        .await?;
        Ok((token, ttl.as_secs()))
    }

    /// The app an access_token was issued to, if it is still valid.
    pub async fn app_of_token(&self, token: &str) -> Result<crate::App, OpenApiError> {
        let appid: Option<String> =
            sqlx::query_scalar("SELECT appid FROM access_tokens WHERE token_hash = $1 AND expires_at > $2")
                .bind(sha256_hex(token))
                .bind(self.now())
                .fetch_optional(self.db.pool())
                .await?;
        let appid = appid
            .ok_or_else(|| OpenApiError::new(ERR_BAD_ACCESS_TOKEN, "bad access_token: unknown or expired"))?;
        Ok(self.app(&appid).await?)
    }
}
