//! The object store: immutable, content-addressed objects (`packages/ab/abcd….capsule`, the
//! same under `videos/` and `icons/`, named by the SHA-256 of their bytes) in a local folder by default or
//! any S3-compatible service.

use std::sync::Arc;

use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload};

use crate::{PlatformError, Result};

/// What an object is, which names the folder it is kept in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectKind {
    /// A mini-program package (`.capsule`).
    Package,
    /// A video a host user posted.
    Video,
    /// An app's icon (PNG).
    Icon,
}

impl ObjectKind {
    fn folder_and_extension(self) -> (&'static str, &'static str) {
        match self {
            ObjectKind::Package => ("packages", "capsule"),
            ObjectKind::Video => ("videos", "video"),
            ObjectKind::Icon => ("icons", "png"),
        }
    }

    fn noun(self) -> &'static str {
        match self {
            ObjectKind::Package => "package",
            ObjectKind::Video => "video",
            ObjectKind::Icon => "icon",
        }
    }
}

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

    /// The store a URL names: `s3://BUCKET[/PREFIX]` is an S3-compatible service, configured
    /// by the usual `AWS_*` variables (`AWS_ENDPOINT` and `AWS_ALLOW_HTTP` for MinIO and the
    /// like, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`); `file://PATH` or a
    /// plain path is a local folder.
    pub fn from_url(url: &str) -> Result<PackageStore> {
        PackageStore::from_url_with(url, std::env::vars())
    }

    /// [`PackageStore::from_url`] with the `AWS_*` settings taken from `settings`, not the
    /// environment.
    pub fn from_url_with(
        url: &str,
        settings: impl IntoIterator<Item = (String, String)>,
    ) -> Result<PackageStore> {
        if let Some(rest) = url.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(PlatformError::Invalid(format!(
                    "{url:?} names no bucket: use s3://BUCKET[/PREFIX]"
                )));
            }
            let mut builder = object_store::aws::AmazonS3Builder::new();
            for (name, value) in settings {
                if let Some(key) = name.strip_prefix("AWS_").and_then(|_| {
                    name.to_ascii_lowercase().parse::<object_store::aws::AmazonS3ConfigKey>().ok()
                }) {
                    builder = builder.with_config(key, value);
                }
            }
            let s3 = builder
                .with_bucket_name(bucket)
                .build()
                .map_err(|e| store_error(&format!("opening {url}"), e))?;
            let prefix = prefix.trim_matches('/');
            let objects: Arc<dyn ObjectStore> = if prefix.is_empty() {
                Arc::new(s3)
            } else {
                Arc::new(object_store::prefix::PrefixStore::new(s3, prefix))
            };
            return Ok(PackageStore::over(objects));
        }
        if url.contains("://") && !url.starts_with("file://") {
            return Err(PlatformError::Invalid(format!(
                "unsupported store {url:?}: use s3://BUCKET[/PREFIX] or a folder"
            )));
        }
        PackageStore::local(std::path::Path::new(url.trim_start_matches("file://")))
    }

    /// A store over any `object_store` backend (S3-compatible services, memory in tests).
    pub fn over(objects: Arc<dyn ObjectStore>) -> PackageStore {
        PackageStore { objects }
    }

    fn path_of(kind: ObjectKind, sha256: &str) -> Result<ObjectPath> {
        let well_formed = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit());
        if !well_formed {
            return Err(PlatformError::Invalid(format!("{sha256:?} is not a SHA-256 in hex")));
        }
        let (folder, extension) = kind.folder_and_extension();
        Ok(ObjectPath::from(format!("{folder}/{}/{sha256}.{extension}", &sha256[..2])))
    }

    /// Stores a package under its SHA-256 and answers it (see [`PackageStore::put_object`]).
    pub async fn put(&self, bytes: &[u8]) -> Result<String> {
        self.put_object(ObjectKind::Package, bytes).await
    }

    /// The package stored under `sha256`, as it is: whoever runs it verifies it.
    pub async fn get(&self, sha256: &str) -> Result<Vec<u8>> {
        self.get_object(ObjectKind::Package, sha256).await
    }

    /// Stores `bytes` under their SHA-256 and answers it. Storing the same bytes again is a no-op:
    /// objects are never overwritten.
    pub async fn put_object(&self, kind: ObjectKind, bytes: &[u8]) -> Result<String> {
        let sha256 = capsule_package::sha256_hex(bytes);
        let path = Self::path_of(kind, &sha256)?;
        let options = PutOptions { mode: PutMode::Create, ..PutOptions::default() };
        match self.objects.put_opts(&path, PutPayload::from(bytes.to_vec()), options).await {
            Ok(_) | Err(object_store::Error::AlreadyExists { .. }) => Ok(sha256),
            Err(e) => Err(store_error(&format!("storing a {}", kind.noun()), e)),
        }
    }

    /// The bytes stored under `sha256`.
    pub async fn get_object(&self, kind: ObjectKind, sha256: &str) -> Result<Vec<u8>> {
        let path = Self::path_of(kind, sha256)?;
        let failed = |e| store_error(&format!("reading a {}", kind.noun()), e);
        match self.objects.get(&path).await {
            Ok(found) => Ok(found.bytes().await.map_err(failed)?.to_vec()),
            Err(object_store::Error::NotFound { .. }) => {
                Err(PlatformError::NotFound(format!("no {} {sha256} in the store", kind.noun())))
            }
            Err(e) => Err(failed(e)),
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
