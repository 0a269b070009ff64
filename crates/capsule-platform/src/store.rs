//! The package store: immutable, content-addressed objects (`packages/ab/abcd….capsule`, named
//! by the SHA-256 of their bytes) in a local folder by default or any `object_store` backend.

use std::sync::Arc;

use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload};

use crate::{PlatformError, Result};

#[derive(Clone, Debug)]
pub struct PackageStore {
    objects: Arc<dyn ObjectStore>,
}

fn store_error(action: &str, error: object_store::Error) -> PlatformError {
    PlatformError::Store(format!("{action}: {error}"))
}

impl PackageStore {
    /// A store in the folder `dir`, created if missing.
    pub fn local(dir: &std::path::Path) -> Result<PackageStore> {
        std::fs::create_dir_all(dir)
            .map_err(|e| PlatformError::Store(format!("creating {}: {e}", dir.display())))?;
        let objects = LocalFileSystem::new_with_prefix(dir)
            .map_err(|e| store_error(&format!("opening {}", dir.display()), e))?;
        Ok(PackageStore { objects: Arc::new(objects) })
    }

    /// A store over any `object_store` backend (S3-compatible services, memory in tests).
    pub fn over(objects: Arc<dyn ObjectStore>) -> PackageStore {
        PackageStore { objects }
    }

    fn path_of(sha256: &str) -> Result<ObjectPath> {
        let well_formed = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit());
        if !well_formed {
            return Err(PlatformError::Invalid(format!("{sha256:?} is not a SHA-256 in hex")));
        }
        Ok(ObjectPath::from(format!("packages/{}/{sha256}.capsule", &sha256[..2])))
    }

    /// Stores `bytes` under their SHA-256 and answers it. Storing the same bytes again is a no-op:
    /// objects are never overwritten.
    pub async fn put(&self, bytes: &[u8]) -> Result<String> {
        let sha256 = capsule_package::sha256_hex(bytes);
        let path = Self::path_of(&sha256)?;
        let options = PutOptions { mode: PutMode::Create, ..PutOptions::default() };
        match self.objects.put_opts(&path, PutPayload::from(bytes.to_vec()), options).await {
            Ok(_) | Err(object_store::Error::AlreadyExists { .. }) => Ok(sha256),
            Err(e) => Err(store_error("storing a package", e)),
        }
    }

    /// The bytes stored under `sha256`, as they are: whoever runs them verifies them.
    pub async fn get(&self, sha256: &str) -> Result<Vec<u8>> {
        let path = Self::path_of(sha256)?;
        match self.objects.get(&path).await {
            Ok(found) => Ok(found.bytes().await.map_err(|e| store_error("reading a package", e))?.to_vec()),
            Err(object_store::Error::NotFound { .. }) => {
                Err(PlatformError::NotFound(format!("no package {sha256} in the store")))
            }
            Err(e) => Err(store_error("reading a package", e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn objects_are_named_by_their_hash_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let store = PackageStore::local(dir.path()).unwrap();
        let sha = store.put(b"first").await.unwrap();
        assert_eq!(sha, capsule_package::sha256_hex(b"first"));
        assert_eq!(store.put(b"first").await.unwrap(), sha);
        assert_eq!(store.get(&sha).await.unwrap(), b"first");
        let file = dir.path().join("packages").join(&sha[..2]).join(format!("{sha}.capsule"));
        assert!(file.is_file());
        assert!(matches!(store.get(&"0".repeat(64)).await, Err(PlatformError::NotFound(_))));
        assert!(matches!(store.get("../../etc/passwd").await, Err(PlatformError::Invalid(_))));
    }
}
