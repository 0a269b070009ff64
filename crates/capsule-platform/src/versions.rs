//! Versions of a mini-program from upload to release: the automatic checks, review (approve,
//! or reject with a reason), release signed with the platform's key, gray release to a stable
//! share of users, rollback, unpublishing, and the develop / trial / release channels a host
//! launches from.

use capsule_package::{ReleaseClaim, ReleaseKey};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::accounts::{Role, User};
use crate::checks::{CheckReport, run_checks};
use crate::store::PackageStore;
use crate::{Platform, PlatformError, Result, random_hex};

/// Who asks: a logged-in user, or whoever runs the platform with direct access to its
/// database (the command line's `--data-dir`), who may do anything.
#[derive(Clone, Copy, Debug)]
pub enum Actor<'a> {
    User(&'a User),
    Operator,
}

impl Actor<'_> {
    fn user_id(&self) -> Option<&str> {
        match self {
            Actor::User(user) => Some(&user.id),
            Actor::Operator => None,
        }
    }
}

/// Where a version is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionStatus {
    CheckFailed,
    Checked,
    InReview,
    Approved,
    Rejected,
    Released,
}

impl VersionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            VersionStatus::CheckFailed => "check_failed",
            VersionStatus::Checked => "checked",
            VersionStatus::InReview => "in_review",
            VersionStatus::Approved => "approved",
            VersionStatus::Rejected => "rejected",
            VersionStatus::Released => "released",
        }
    }

    fn parse(text: &str) -> VersionStatus {
        match text {
            "checked" => VersionStatus::Checked,
            "in_review" => VersionStatus::InReview,
            "approved" => VersionStatus::Approved,
            "rejected" => VersionStatus::Rejected,
            "released" => VersionStatus::Released,
            _ => VersionStatus::CheckFailed,
        }
    }
}

/// The channels a host launches from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// The latest upload that passed its checks; the organisation's members only.
    Develop,
    /// The version the developers picked for testers.
    Trial,
    /// What everyone gets.
    Release,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Develop => "develop",
            Channel::Trial => "trial",
            Channel::Release => "release",
        }
    }

    pub fn parse(text: &str) -> Result<Channel> {
        match text {
            "develop" => Ok(Channel::Develop),
            "trial" => Ok(Channel::Trial),
            "release" => Ok(Channel::Release),
            other => Err(PlatformError::Invalid(format!("no channel {other:?}: develop, trial or release"))),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Version {
    pub id: String,
    pub appid: String,
    pub version: String,
    pub description: String,
    pub package_sha256: String,
    pub package_hash: String,
    pub size: i64,
    pub uploaded_at: i64,
    pub status: VersionStatus,
    pub checks: CheckReport,
    pub review_reason: Option<String>,
    /// The platform's signature over (appid, id, package_sha256), made when the checks pass.
    pub signature: Option<String>,
    pub released_at: Option<i64>,
    #[serde(skip)]
    pub page_text: String,
}

#[derive(sqlx::FromRow)]
struct VersionRow {
    id: String,
    appid: String,
    version: String,
    description: String,
    package_sha256: String,
    package_hash: String,
    size: i64,
    uploaded_at: i64,
    status: String,
    checks: String,
    page_text: String,
    review_reason: Option<String>,
    signature: Option<String>,
    released_at: Option<i64>,
}

macro_rules! version_columns {
    () => {
        "id, appid, version, description, package_sha256, package_hash, size, uploaded_at, status, checks, \
         page_text, review_reason, signature, released_at"
    };
}

impl From<VersionRow> for Version {
    fn from(row: VersionRow) -> Version {
        Version {
            id: row.id,
            appid: row.appid,
            version: row.version,
            description: row.description,
            package_sha256: row.package_sha256,
            package_hash: row.package_hash,
            size: row.size,
            uploaded_at: row.uploaded_at,
            status: VersionStatus::parse(&row.status),
            checks: serde_json::from_str(&row.checks).unwrap_or_default(),
            review_reason: row.review_reason,
            signature: row.signature,
            released_at: row.released_at,
            page_text: row.page_text,
        }
    }
}

/// What a channel serves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChannelState {
    pub channel: Channel,
    pub version_id: String,
    /// In a gray release, the new version and the share of users (0 to 99) who get it.
    pub gray_version_id: Option<String>,
    pub gray_percent: i64,
}

/// What a host needs to run an app: the version, where its package is and the signature to check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LaunchTarget {
    pub appid: String,
    pub version_id: String,
    pub version: String,
    pub package_sha256: String,
    pub signature: String,
    pub channel: Channel,
}

impl LaunchTarget {
    /// Checks that `package` is this target's and that the platform signed it.
    pub fn verify(&self, key: &ReleaseKey, package: &[u8]) -> Result<(), capsule_package::SignatureError> {
        let claim = ReleaseClaim {
            appid: &self.appid,
            version_id: &self.version_id,
            package_sha256: &self.package_sha256,
        };
        key.verify(&claim, package, &self.signature)
    }
}

/// A user's place in 0..100 for `appid`'s gray releases: the same on every launch, different
/// across apps.
pub fn gray_bucket(appid: &str, user_key: &str) -> i64 {
    let digest = Sha256::digest(format!("{appid}\n{user_key}").as_bytes());
    i64::from(u16::from_be_bytes([digest[0], digest[1]]) % 100)
}

fn invalid(message: impl Into<String>) -> PlatformError {
    PlatformError::Invalid(message.into())
}

/// The largest upload accepted, before any unpacking.
pub const MAX_UPLOAD_BYTES: usize = 32 << 20;

impl Platform {
    /// The key hosts verify packages with.
    pub fn release_key(&self) -> ReleaseKey {
        self.keys.release_signer().public_key()
    }

    async fn authorize(&self, actor: Actor<'_>, appid: &str, roles: &[Role]) -> Result<crate::App> {
        let app = self.app(appid).await?;
        if let Actor::User(user) = actor {
            self.require_role(user, &app.org_id, roles).await?;
        }
        Ok(app)
    }

    /// Uploads `package` (a `.capsule` file) as `version` of `appid` and runs the automatic
    /// checks; owners and developers may. The version is kept even when the checks fail, with
    /// their report; when they pass, the platform's own build is stored, signed, and becomes
    /// the develop channel's version.
    pub async fn upload_version(
        &self,
        actor: Actor<'_>,
        store: &PackageStore,
        appid: &str,
        version: &str,
        description: &str,
        package: Vec<u8>,
    ) -> Result<Version> {
        self.authorize(actor, appid, &[Role::Owner, Role::Developer]).await?;
        let version = version.trim();
        let label_ok = !version.is_empty()
            && version.len() <= 32
            && version.chars().all(|c| c.is_ascii_alphanumeric() || ".-+_".contains(c));
        if !label_ok {
            return Err(invalid("version: 1 to 32 letters, digits and . - + _ (such as 1.2.0)"));
        }
        if description.chars().count() > 500 {
            return Err(invalid("description: at most 500 characters"));
        }
        if package.len() > MAX_UPLOAD_BYTES {
            return Err(invalid(format!(
                "the upload is {} bytes; at most {MAX_UPLOAD_BYTES}",
                package.len()
            )));
        }
        let exists: Option<String> =
            sqlx::query_scalar("SELECT id FROM versions WHERE appid = $1 AND version = $2")
                .bind(appid)
                .bind(version)
                .fetch_optional(self.db.pool())
                .await?;
        if exists.is_some() {
            return Err(PlatformError::Conflict(format!("{appid} already has a version {version}")));
        }
        let limits = capsule_package::Limits::default();
        let (checked, package) =
            tokio::task::spawn_blocking(move || (run_checks(&package, &limits), package))
                .await
                .map_err(|e| PlatformError::Store(format!("the checks stopped: {e}")))?;
        // Keep what was checked: the platform's build when there is one, else the upload as sent.
        let stored = checked.package.as_deref().unwrap_or(&package);
        let package_sha256 = store.put(stored).await?;
        let id = format!("v{}", random_hex(8));
        let passed = checked.report.passed;
        let status = if passed { VersionStatus::Checked } else { VersionStatus::CheckFailed };
        let signature = passed.then(|| {
            self.keys.release_signer().sign(&ReleaseClaim {
                appid,
                version_id: &id,
                package_sha256: &package_sha256,
            })
        });
        let now = self.now();
        let inserted = sqlx::query(
            "INSERT INTO versions (id, appid, version, description, package_sha256, package_hash, size, \
             uploaded_by, uploaded_at, status, checks, page_text, signature) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(&id)
        .bind(appid)
        .bind(version)
        .bind(description)
        .bind(&package_sha256)
        .bind(&checked.package_hash)
        .bind(stored.len() as i64)
        .bind(actor.user_id())
        .bind(now)
        .bind(status.as_str())
        .bind(serde_json::to_string(&checked.report).unwrap_or_default())
        .bind(&checked.page_text)
        .bind(&signature)
        .execute(self.db.pool())
        .await;
        match inserted {
            Err(e) if capsule_db::is_unique_violation(&e) => {
                return Err(PlatformError::Conflict(format!("{appid} already has a version {version}")));
            }
            other => other?,
        };
        if passed {
            self.point_channel(appid, Channel::Develop, &id).await?;
        }
        self.version(appid, &id).await
    }

    async fn point_channel(&self, appid: &str, channel: Channel, version_id: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO channels (appid, channel, version_id, gray_version_id, gray_percent, updated_at) \
             VALUES ($1, $2, $3, NULL, 0, $4) ON CONFLICT (appid, channel) DO UPDATE SET \
             version_id = excluded.version_id, gray_version_id = NULL, gray_percent = 0, updated_at = excluded.updated_at",
        )
        .bind(appid)
        .bind(channel.as_str())
        .bind(version_id)
        .bind(self.now())
        .execute(self.db.pool())
        .await?;
        Ok(())
    }

    pub async fn version(&self, appid: &str, id: &str) -> Result<Version> {
        let row: Option<VersionRow> = sqlx::query_as(concat!(
            "SELECT ",
            version_columns!(),
            " FROM versions WHERE appid = $1 AND id = $2"
        ))
        .bind(appid)
        .bind(id)
        .fetch_optional(self.db.pool())
        .await?;
        row.map(Version::from).ok_or_else(|| PlatformError::NotFound(format!("{appid} has no version {id}")))
    }

    /// Every version of `appid`, newest first; the organisation's members may look.
    pub async fn versions(&self, actor: Actor<'_>, appid: &str) -> Result<Vec<Version>> {
        self.authorize(actor, appid, &[Role::Owner, Role::Developer, Role::Operator]).await?;
        let rows: Vec<VersionRow> = sqlx::query_as(concat!(
            "SELECT ",
            version_columns!(),
            " FROM versions WHERE appid = $1 ORDER BY uploaded_at DESC, id DESC"
        ))
        .bind(appid)
        .fetch_all(self.db.pool())
        .await?;
        Ok(rows.into_iter().map(Version::from).collect())
    }

    /// Moves a version from one of `from` to `to`, or says why it cannot.
    async fn move_version(
        &self,
        appid: &str,
        id: &str,
        from: &[VersionStatus],
        to: VersionStatus,
        reason: Option<&str>,
        reviewer: Option<&str>,
    ) -> Result<Version> {
        let version = self.version(appid, id).await?;
        if !from.contains(&version.status) {
            return Err(PlatformError::Conflict(format!(
                "version {} is {}; this needs it {}",
                version.version,
                version.status.as_str(),
                from.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" or ")
            )));
        }
        // Only if nobody moved it meanwhile.
        let moved = sqlx::query(
            "UPDATE versions SET status = $1, review_reason = COALESCE($2, review_reason), \
             reviewed_by = COALESCE($3, reviewed_by), reviewed_at = COALESCE($4, reviewed_at) \
             WHERE appid = $5 AND id = $6 AND status = $7",
        )
        .bind(to.as_str())
        .bind(reason)
        .bind(reviewer)
        .bind(reviewer.map(|_| self.now()))
        .bind(appid)
        .bind(id)
        .bind(version.status.as_str())
        .execute(self.db.pool())
        .await?;
        if moved.rows_affected() == 0 {
            return Err(PlatformError::Conflict(format!(
                "version {} changed meanwhile; try again",
                version.version
            )));
        }
        self.version(appid, id).await
    }

    /// Sends a checked (or rejected and not changed since) version to review.
    pub async fn submit_for_review(&self, actor: Actor<'_>, appid: &str, id: &str) -> Result<Version> {
        self.authorize(actor, appid, &[Role::Owner, Role::Developer]).await?;
        let from = [VersionStatus::Checked, VersionStatus::Rejected];
        self.move_version(appid, id, &from, VersionStatus::InReview, None, None).await
    }

    /// Approves, or rejects with a reason the developers will read; operators (reviewers) may.
    pub async fn review(
        &self,
        actor: Actor<'_>,
        appid: &str,
        id: &str,
        approve: bool,
        reason: &str,
    ) -> Result<Version> {
        self.authorize(actor, appid, &[Role::Operator]).await?;
        let reason = reason.trim();
        if !approve && reason.is_empty() {
            return Err(invalid("reason: say why the version is rejected"));
        }
        if reason.chars().count() > 1000 {
            return Err(invalid("reason: at most 1000 characters"));
        }
        let to = if approve { VersionStatus::Approved } else { VersionStatus::Rejected };
        let reviewer = actor.user_id().unwrap_or("");
        let reviewer = (!reviewer.is_empty()).then_some(reviewer);
        let reason = (!reason.is_empty()).then_some(reason);
        self.move_version(appid, id, &[VersionStatus::InReview], to, reason, reviewer).await
    }

    async fn record_event(
        &self,
        actor: Actor<'_>,
        appid: &str,
        action: &str,
        version_id: Option<&str>,
        gray_percent: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO release_events (id, appid, action, version_id, gray_percent, actor, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(random_hex(8))
        .bind(appid)
        .bind(action)
        .bind(version_id)
        .bind(gray_percent)
        .bind(actor.user_id())
        .bind(self.now())
        .execute(self.db.pool())
        .await?;
        Ok(())
    }

    /// Releases an approved version to `percent` of users (1 to 100); owners and operators may.
    /// Below 100 the current release keeps serving the rest, each user always on the same
    /// side; releasing the same version again at 100 completes the rollout.
    pub async fn release(&self, actor: Actor<'_>, appid: &str, id: &str, percent: i64) -> Result<Version> {
        self.authorize(actor, appid, &[Role::Owner, Role::Operator]).await?;
        if !(1..=100).contains(&percent) {
            return Err(invalid("percent: 1 to 100"));
        }
        let version = self.version(appid, id).await?;
        let current = self.channel(appid, Channel::Release).await?;
        let widening = current.as_ref().and_then(|c| c.gray_version_id.as_deref()) == Some(id);
        if version.status != VersionStatus::Approved && !widening {
            return Err(PlatformError::Conflict(format!(
                "version {} is {}; only an approved version can be released",
                version.version,
                version.status.as_str()
            )));
        }
        if percent < 100 && current.is_none() {
            return Err(invalid(
                "the first release goes to everyone (percent 100): there is no release to keep",
            ));
        }
        if percent == 100 {
            self.point_channel(appid, Channel::Release, id).await?;
        } else {
            sqlx::query(
                "UPDATE channels SET gray_version_id = $1, gray_percent = $2, updated_at = $3 \
                 WHERE appid = $4 AND channel = 'release'",
            )
            .bind(id)
            .bind(percent)
            .bind(self.now())
            .bind(appid)
            .execute(self.db.pool())
            .await?;
        }
        sqlx::query(
            "UPDATE versions SET status = 'released', released_at = COALESCE(released_at, $1) WHERE appid = $2 AND id = $3",
        )
        .bind(self.now())
        .bind(appid)
        .bind(id)
        .execute(self.db.pool())
        .await?;
        self.record_event(actor, appid, "release", Some(id), percent).await?;
        self.reindex_app(appid).await?;
        self.version(appid, id).await
    }

    /// Serves an earlier released version to everyone again; owners and operators may.
    pub async fn rollback(&self, actor: Actor<'_>, appid: &str, id: &str) -> Result<Version> {
        self.authorize(actor, appid, &[Role::Owner, Role::Operator]).await?;
        let version = self.version(appid, id).await?;
        if version.released_at.is_none() {
            return Err(PlatformError::Conflict(format!(
                "version {} was never released; roll back only to an earlier release",
                version.version
            )));
        }
        self.point_channel(appid, Channel::Release, id).await?;
        self.record_event(actor, appid, "rollback", Some(id), 100).await?;
        self.reindex_app(appid).await?;
        Ok(version)
    }

    /// Takes the app off the host: it no longer launches from the release channel, nor shows in
    /// lists and search, until a version is released again.
    pub async fn unpublish(&self, actor: Actor<'_>, appid: &str) -> Result<()> {
        self.authorize(actor, appid, &[Role::Owner, Role::Operator]).await?;
        sqlx::query("DELETE FROM channels WHERE appid = $1 AND channel = 'release'")
            .bind(appid)
            .execute(self.db.pool())
            .await?;
        self.record_event(actor, appid, "unpublish", None, 0).await?;
        self.reindex_app(appid).await
    }

    /// Picks the version testers open; owners and developers may.
    pub async fn set_trial(&self, actor: Actor<'_>, appid: &str, id: &str) -> Result<Version> {
        self.authorize(actor, appid, &[Role::Owner, Role::Developer]).await?;
        let version = self.version(appid, id).await?;
        if version.signature.is_none() {
            return Err(PlatformError::Conflict(format!(
                "version {} did not pass its checks, so it cannot be tried",
                version.version
            )));
        }
        self.point_channel(appid, Channel::Trial, id).await?;
        Ok(version)
    }

    /// Lets the host user `username` open the trial version; owners and developers may.
    pub async fn add_tester(&self, actor: Actor<'_>, appid: &str, username: &str) -> Result<()> {
        self.authorize(actor, appid, &[Role::Owner, Role::Developer]).await?;
        let tester = self.user_by_name(username).await?;
        sqlx::query(
            "INSERT INTO testers (appid, user_id, created_at) VALUES ($1, $2, $3) ON CONFLICT (appid, user_id) DO NOTHING",
        )
        .bind(appid)
        .bind(&tester.id)
        .bind(self.now())
        .execute(self.db.pool())
        .await?;
        Ok(())
    }

    /// What each channel of `appid` serves; the organisation's members may look.
    pub async fn channels(&self, actor: Actor<'_>, appid: &str) -> Result<Vec<ChannelState>> {
        self.authorize(actor, appid, &[Role::Owner, Role::Developer, Role::Operator]).await?;
        let mut found = Vec::new();
        for channel in [Channel::Develop, Channel::Trial, Channel::Release] {
            found.extend(self.channel(appid, channel).await?);
        }
        Ok(found)
    }

    pub async fn channel(&self, appid: &str, channel: Channel) -> Result<Option<ChannelState>> {
        let row: Option<(String, Option<String>, i64)> = sqlx::query_as(
            "SELECT version_id, gray_version_id, gray_percent FROM channels WHERE appid = $1 AND channel = $2",
        )
        .bind(appid)
        .bind(channel.as_str())
        .fetch_optional(self.db.pool())
        .await?;
        Ok(row.map(|(version_id, gray_version_id, gray_percent)| ChannelState {
            channel,
            version_id,
            gray_version_id,
            gray_percent,
        }))
    }

    /// The version `user` (or, for a visitor, `device`) gets from `channel` of `appid`, with
    /// what the host needs to verify it. Develop and trial are for the organisation's members
    /// (and, for trial, its testers).
    pub async fn launch_target(
        &self,
        appid: &str,
        channel: Channel,
        user: Option<&User>,
        device: &str,
    ) -> Result<LaunchTarget> {
        let app = self.app(appid).await?;
        if channel != Channel::Release {
            let Some(user) = user else {
                return Err(PlatformError::Unauthorized(format!(
                    "log in to open the {} version",
                    channel.as_str()
                )));
            };
            let member = self.role_in(user, &app.org_id).await?.is_some() || user.admin();
            let tester = channel == Channel::Trial
                && sqlx::query_scalar::<_, String>(
                    "SELECT user_id FROM testers WHERE appid = $1 AND user_id = $2",
                )
                .bind(appid)
                .bind(&user.id)
                .fetch_optional(self.db.pool())
                .await?
                .is_some();
            if !member && !tester {
                return Err(PlatformError::Forbidden(format!(
                    "only {}'s developers{} may open its {} version",
                    app.settings.name,
                    if channel == Channel::Trial { " and testers" } else { "" },
                    channel.as_str()
                )));
            }
        }
        let Some(state) = self.channel(appid, channel).await? else {
            return Err(PlatformError::NotFound(match channel {
                Channel::Release => format!("{} is not published", app.settings.name),
                other => format!("{} has no {} version", app.settings.name, other.as_str()),
            }));
        };
        let user_key = user.map_or(device, |u| u.id.as_str());
        let version_id = match &state.gray_version_id {
            Some(gray) if gray_bucket(appid, user_key) < state.gray_percent => gray.clone(),
            _ => state.version_id,
        };
        let version = self.version(appid, &version_id).await?;
        let signature = version.signature.ok_or_else(|| {
            PlatformError::Conflict(format!("version {} of {appid} is not signed", version.version))
        })?;
        Ok(LaunchTarget {
            appid: appid.to_string(),
            version_id,
            version: version.version,
            package_sha256: version.package_sha256,
            signature,
            channel,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gray_buckets_are_stable_and_spread() {
        assert_eq!(gray_bucket("tt1", "u1"), gray_bucket("tt1", "u1"));
        let buckets: Vec<i64> = (0..1000).map(|n| gray_bucket("tt1", &format!("user-{n}"))).collect();
        assert!(buckets.iter().all(|b| (0..100).contains(b)));
        let below_30 = buckets.iter().filter(|&&b| b < 30).count();
        assert!((230..370).contains(&below_30), "{below_30} of 1000 below 30");
    }
}
