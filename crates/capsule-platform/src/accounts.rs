//! Host users (sign up, log in, log out), their sessions with CSRF tokens, developer
//! organisations with members and roles, and platform admins.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use serde::Serialize;

use crate::{Platform, PlatformError, Result, random_hex, sha256_hex};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct User {
    pub id: String,
    pub username: String,
    pub display_name: String,
    #[serde(skip)]
    pub is_admin: i64,
}

impl User {
    pub fn admin(&self) -> bool {
        self.is_admin != 0
    }
}

/// A logged-in browser: the cookie's token (only its hash is stored) and the CSRF token that
/// every state-changing request from that browser must carry.
#[derive(Clone, Debug)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub user: User,
}

/// A member's role in an organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including members and secrets.
    Owner,
    /// Creates apps and uploads versions.
    Developer,
    /// Reviews, releases and rolls back.
    Operator,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Developer => "developer",
            Role::Operator => "operator",
        }
    }

    pub fn parse(text: &str) -> Result<Role> {
        match text {
            "owner" => Ok(Role::Owner),
            "developer" => Ok(Role::Developer),
            "operator" | "reviewer" => Ok(Role::Operator),
            _ => Err(PlatformError::Invalid(format!(
                "unknown role {text:?}: use owner, developer or operator"
            ))),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Org {
    pub id: String,
    pub name: String,
}

/// The columns of [`User`], for `concat!` (sqlx takes only static SQL without an audit).
macro_rules! user_columns {
    () => {
        "id, username, display_name, is_admin"
    };
}

/// A user with their password hash, for checking a log-in.
#[derive(sqlx::FromRow)]
struct StoredUser {
    #[sqlx(flatten)]
    user: User,
    password_hash: String,
}

/// A live session's user and CSRF token.
#[derive(sqlx::FromRow)]
struct LiveSession {
    #[sqlx(flatten)]
    user: User,
    csrf_token: String,
}

fn check_username(username: &str) -> Result<()> {
    let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(c);
    if !(3..=32).contains(&username.len()) || !username.chars().all(ok_char) {
        return Err(PlatformError::Invalid(
            "a username is 3 to 32 characters: lowercase letters, digits, '_', '.' or '-'".into(),
        ));
    }
    Ok(())
}

fn check_password(password: &str) -> Result<()> {
    if password.chars().count() < 8 || password.len() > 256 {
        return Err(PlatformError::Invalid("a password is 8 to 256 characters".into()));
    }
    Ok(())
}

/// argon2id with the crate's default cost; tens of milliseconds, so off the async threads.
async fn hash_password(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|e| PlatformError::Invalid(format!("cannot hash this password: {e}")))
    })
    .await
    .map_err(|e| PlatformError::Invalid(e.to_string()))?
}

async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        Argon2::default().verify_password(password.as_bytes(), hash.as_str()).is_ok()
    })
    .await
    .unwrap_or(false)
}

/// A hash of no one's password: logging in as an unknown user costs the same as a wrong password.
async fn decoy_hash() -> Result<String> {
    static DECOY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DECOY.get_or_try_init(|| hash_password(random_hex(16))).await.cloned()
}

impl Platform {
    pub async fn sign_up(&self, username: &str, password: &str, display_name: &str) -> Result<User> {
        let username = username.trim().to_lowercase();
        check_username(&username)?;
        check_password(password)?;
        let display_name = match display_name.trim() {
            "" => username.clone(),
            name if name.chars().count() > 64 => {
                return Err(PlatformError::Invalid("a display name is at most 64 characters".into()));
            }
            name => name.to_string(),
        };
        let hash = hash_password(password.to_string()).await?;
        let id = format!("u{}", random_hex(12));
        let inserted = sqlx::query(
            "INSERT INTO users (id, username, display_name, password_hash, is_admin, created_at) \
             VALUES ($1, $2, $3, $4, 0, $5)",
        )
        .bind(&id)
        .bind(&username)
        .bind(&display_name)
        .bind(&hash)
        .bind(self.now())
        .execute(self.db.pool())
        .await;
        match inserted {
            Err(e) if capsule_db::is_unique_violation(&e) => {
                Err(PlatformError::Conflict(format!("the username {username} is taken")))
            }
            Err(e) => Err(e.into()),
            Ok(_) => Ok(User { id, username, display_name, is_admin: 0 }),
        }
    }

    /// Checks the password and opens a session for this browser (`device`, its cookie id).
    pub async fn log_in(&self, username: &str, password: &str, device: Option<&str>) -> Result<NewSession> {
        let username = username.trim().to_lowercase();
        let stored: Option<StoredUser> = sqlx::query_as(concat!(
            "SELECT ",
            user_columns!(),
            ", password_hash FROM users WHERE username = $1"
        ))
        .bind(&username)
        .fetch_optional(self.db.pool())
        .await?;
        let hash = match &stored {
            Some(stored) => stored.password_hash.clone(),
            None => decoy_hash().await?,
        };
        let verified = verify_password(password.to_string(), hash).await;
        let user = match stored {
            Some(stored) if verified => stored.user,
            _ => return Err(PlatformError::Unauthorized("wrong username or password".into())),
        };
        let token = random_hex(32);
        let csrf_token = random_hex(16);
        let now = self.now();
        sqlx::query(
            "INSERT INTO user_sessions (token_hash, user_id, device, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(sha256_hex(&token))
        .bind(&user.id)
        .bind(device)
        .bind(&csrf_token)
        .bind(now)
        .bind(now + self.limits.user_session_ttl.as_millis() as i64)
        .execute(self.db.pool())
        .await?;
        Ok(NewSession { token, csrf_token, user })
    }

    /// The user and CSRF token of a live session, or `None` for an unknown or expired token.
    pub async fn session(&self, token: &str) -> Result<Option<(User, String)>> {
        let row: Option<LiveSession> = sqlx::query_as(concat!(
            "SELECT ",
            user_columns!(),
            ", csrf_token FROM user_sessions JOIN users ON users.id = user_sessions.user_id \
             WHERE token_hash = $1 AND expires_at > $2"
        ))
        .bind(sha256_hex(token))
        .bind(self.now())
        .fetch_optional(self.db.pool())
        .await?;
        Ok(row.map(|live| (live.user, live.csrf_token)))
    }

    pub async fn log_out(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM user_sessions WHERE token_hash = $1")
            .bind(sha256_hex(token))
            .execute(self.db.pool())
            .await?;
        Ok(())
    }

    /// Who is logged in on this browser now (its most recent live session).
    pub async fn user_on_device(&self, device: &str) -> Result<Option<User>> {
        Ok(sqlx::query_as(concat!(
            "SELECT ",
            user_columns!(),
            " FROM user_sessions JOIN users ON users.id = user_sessions.user_id \
             WHERE device = $1 AND expires_at > $2 ORDER BY user_sessions.created_at DESC LIMIT 1"
        ))
        .bind(device)
        .bind(self.now())
        .fetch_optional(self.db.pool())
        .await?)
    }

    pub async fn user(&self, id: &str) -> Result<User> {
        sqlx::query_as(concat!("SELECT ", user_columns!(), " FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.db.pool())
            .await?
            .ok_or_else(|| PlatformError::NotFound(format!("no user {id}")))
    }

    pub async fn user_by_name(&self, username: &str) -> Result<User> {
        sqlx::query_as(concat!("SELECT ", user_columns!(), " FROM users WHERE username = $1"))
            .bind(username.trim().to_lowercase())
            .fetch_optional(self.db.pool())
            .await?
            .ok_or_else(|| PlatformError::NotFound(format!("no user named {username}")))
    }

    /// Makes `username` a platform admin (who may review and release any app).
    pub async fn make_admin(&self, username: &str) -> Result<User> {
        let user = self.user_by_name(username).await?;
        sqlx::query("UPDATE users SET is_admin = 1 WHERE id = $1")
            .bind(&user.id)
            .execute(self.db.pool())
            .await?;
        Ok(User { is_admin: 1, ..user })
    }

    /// A new organisation owned by `owner`.
    pub async fn create_org(&self, owner: &User, name: &str) -> Result<Org> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 64 {
            return Err(PlatformError::Invalid("an organisation's name is 1 to 64 characters".into()));
        }
        let org = Org { id: format!("o{}", random_hex(8)), name: name.to_string() };
        let mut tx = self.db.pool().begin().await?;
        sqlx::query("INSERT INTO orgs (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(&org.id)
            .bind(&org.name)
            .bind(self.now())
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO org_members (org_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)")
            .bind(&org.id)
            .bind(&owner.id)
            .bind(Role::Owner.as_str())
            .bind(self.now())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(org)
    }

    /// The organisation `id`, created without members if it is missing (the demo's publisher).
    pub async fn ensure_org(&self, id: &str, name: &str) -> Result<Org> {
        sqlx::query(
            "INSERT INTO orgs (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(name)
        .bind(self.now())
        .execute(self.db.pool())
        .await?;
        let name: String = sqlx::query_scalar("SELECT name FROM orgs WHERE id = $1")
            .bind(id)
            .fetch_one(self.db.pool())
            .await?;
        Ok(Org { id: id.to_string(), name })
    }

    /// Adds `username` to `org` with `role`, or changes their role; only owners may.
    pub async fn set_member(&self, actor: &User, org_id: &str, username: &str, role: Role) -> Result<()> {
        self.require_role(actor, org_id, &[Role::Owner]).await?;
        let member = self.user_by_name(username).await?;
        sqlx::query(
            "INSERT INTO org_members (org_id, user_id, role, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role",
        )
        .bind(org_id)
        .bind(&member.id)
        .bind(role.as_str())
        .bind(self.now())
        .execute(self.db.pool())
        .await?;
        Ok(())
    }

    /// The members of `org_id` (username, display name, role), for any of its members to see.
    pub async fn members(&self, actor: &User, org_id: &str) -> Result<Vec<(String, String, Role)>> {
        self.require_role(actor, org_id, &[Role::Owner, Role::Developer, Role::Operator]).await?;
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT users.username, users.display_name, org_members.role FROM org_members \
             JOIN users ON users.id = org_members.user_id WHERE org_members.org_id = $1 ORDER BY users.username",
        )
        .bind(org_id)
        .fetch_all(self.db.pool())
        .await?;
        rows.into_iter().map(|(username, name, role)| Ok((username, name, Role::parse(&role)?))).collect()
    }

    pub async fn role_in(&self, user: &User, org_id: &str) -> Result<Option<Role>> {
        let role: Option<String> =
            sqlx::query_scalar("SELECT role FROM org_members WHERE org_id = $1 AND user_id = $2")
                .bind(org_id)
                .bind(&user.id)
                .fetch_optional(self.db.pool())
                .await?;
        role.map(|r| Role::parse(&r)).transpose()
    }

    /// Fails unless `user` has one of `roles` in `org_id`; platform admins always pass.
    pub async fn require_role(&self, user: &User, org_id: &str, roles: &[Role]) -> Result<()> {
        if user.admin() {
            return Ok(());
        }
        match self.role_in(user, org_id).await? {
            Some(role) if roles.contains(&role) => Ok(()),
            Some(role) => Err(PlatformError::Forbidden(format!(
                "a {} of this organisation cannot do that (needs {})",
                role.as_str(),
                roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" or ")
            ))),
            None => Err(PlatformError::Forbidden("you are not a member of this organisation".into())),
        }
    }

    /// The organisations `user` belongs to, with their role in each.
    pub async fn orgs_of(&self, user: &User) -> Result<Vec<(Org, Role)>> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT orgs.id, orgs.name, org_members.role FROM orgs \
             JOIN org_members ON org_members.org_id = orgs.id WHERE org_members.user_id = $1 ORDER BY orgs.name",
        )
        .bind(&user.id)
        .fetch_all(self.db.pool())
        .await?;
        rows.into_iter().map(|(id, name, role)| Ok((Org { id, name }, Role::parse(&role)?))).collect()
    }
}
