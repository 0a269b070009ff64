//! The identities a developer's server sees, derived with the platform's secret key so they are
//! stable but unlinkable (DESIGN.md): openid per (app, user), anonymous_openid per (app,
//! device), unionid per (organisation, host app, user). None of them contains the user id.

use capsule_db::{Db, sqlx};
use capsule_package::ReleaseSigner;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::{Result, hex, random_hex};

const IDENTITY_KEY: &str = "identity-hmac";
const RELEASE_KEY: &str = "release-ed25519-seed";

/// The platform's secret keys, kept in the database so every node derives the same ids and
/// signs with the same key.
pub struct Keys {
    identity: Vec<u8>,
    release: ReleaseSigner,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys").field("release", &self.release).finish_non_exhaustive()
    }
}

/// The key stored as `name`, made from 32 fresh random bytes (hex) on first use.
async fn stored_key(db: &Db, name: &str) -> Result<String> {
    stored_value(db, name, &random_hex(32)).await
}

/// The value stored as `name`, `fresh` on first use.
pub(crate) async fn stored_value(db: &Db, name: &str, fresh: &str) -> Result<String> {
    // Two nodes starting at once both try; the first insert wins and both read it back.
    sqlx::query("INSERT INTO platform_keys (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
        .bind(name)
        .bind(fresh)
        .bind(0_i64)
        .execute(db.pool())
        .await?;
    Ok(sqlx::query_scalar("SELECT value FROM platform_keys WHERE name = $1")
        .bind(name)
        .fetch_one(db.pool())
        .await?)
}

impl Keys {
    pub(crate) async fn load_or_create(db: &Db) -> Result<Keys> {
        let identity = stored_key(db, IDENTITY_KEY).await?.into_bytes();
        let seed = stored_key(db, RELEASE_KEY).await?;
        let release = ReleaseSigner::from_seed_hex(&seed)
            .map_err(|e| crate::PlatformError::Invalid(format!("the stored key {RELEASE_KEY}: {e}")))?;
        Ok(Keys { identity, release })
    }

    /// The key releases are signed with.
    pub fn release_signer(&self) -> &ReleaseSigner {
        &self.release
    }

    pub(crate) fn derive(&self, parts: &[&str]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.identity).expect("HMAC takes any key length");
        for part in parts {
            // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        hex(&mac.finalize().into_bytes()[..20])
    }

    /// Stable per (app, host user).
    pub fn openid(&self, appid: &str, user_id: &str) -> String {
        format!("_000{}", self.derive(&["openid", appid, user_id]))
    }

    /// Stable per (app, device) for a visitor who has not logged in.
    pub fn anonymous_openid(&self, appid: &str, device: &str) -> String {
        format!("_001{}", self.derive(&["anonymous_openid", appid, device]))
    }

    /// Stable per (developer organisation, host app, user): the same for every app of one
    /// organisation within one host app, different across host apps, as Douyin's.
    pub fn unionid(&self, org_id: &str, host: &str, user_id: &str) -> String {
        self.derive(&["unionid", org_id, host, user_id])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_separate() {
        let keys = Keys { identity: b"key".to_vec(), release: ReleaseSigner::from_seed([1; 32]) };
        assert_eq!(keys.openid("a", "u"), keys.openid("a", "u"));
        assert_ne!(keys.openid("a", "u"), keys.openid("b", "u"));
        assert_ne!(keys.openid("a", "u"), keys.openid("a", "v"));
        assert_ne!(keys.unionid("o", "douyin", "u"), keys.unionid("o", "toutiao", "u"));
        assert_ne!(keys.derive(&["ab", "c"]), keys.derive(&["a", "bc"]));
        assert!(!keys.openid("a", "user-1").contains("user-1"));
        let other = Keys { identity: b"other".to_vec(), release: ReleaseSigner::from_seed([2; 32]) };
        assert_ne!(keys.openid("a", "u"), other.openid("a", "u"));
    }
}
