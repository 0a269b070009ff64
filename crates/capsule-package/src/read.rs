//! Reading packages: a safely unpacked archive whose every file matches the manifest it carries.

use std::collections::{BTreeMap, BTreeSet};

use crate::dialect::Dialect;
use crate::error::PackageError;
use crate::limits::Limits;
use crate::manifest::{CapsuleManifest, MANIFEST_FORMAT, MANIFEST_PATH, package_hash, sha256_hex};
use crate::paths;
use crate::zip_read::read_archive;

/// A verified package held in memory.
#[derive(Clone, Debug)]
pub struct Package {
    manifest: CapsuleManifest,
    files: BTreeMap<String, Vec<u8>>,
}

impl Package {
    pub fn manifest(&self) -> &CapsuleManifest {
        &self.manifest
    }

    pub fn dialect(&self) -> Dialect {
        self.manifest.dialect
    }

    pub fn package_hash(&self) -> &str {
        &self.manifest.package_hash
    }

    /// The bytes of the file at `path` (a package path, e.g. `pages/index/index.wxml`).
    pub fn file(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    /// Package paths in sorted order (the manifest itself excluded).
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    pub fn files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(path, bytes)| (path.as_str(), bytes.as_slice()))
    }

    /// Uncompressed bytes of all files.
    pub fn total_size(&self) -> u64 {
        self.manifest.files.iter().map(|file| file.size).sum()
    }

    pub fn into_files(self) -> BTreeMap<String, Vec<u8>> {
        self.files
    }
}

/// Unpacks and verifies a package: the container must be safe (see [`read_archive`]), the manifest
/// must list exactly the files present, each with its size and SHA-256, and the package hash must
/// match the list.
pub fn read_package(bytes: &[u8], limits: &Limits) -> Result<Package, PackageError> {
    let mut files = read_archive(bytes, limits)?;
    let manifest_bytes = files.remove(MANIFEST_PATH).ok_or(PackageError::MissingManifest)?;
    let manifest =
        CapsuleManifest::from_json_bytes(&manifest_bytes).map_err(PackageError::InvalidManifest)?;
    if manifest.format != MANIFEST_FORMAT {
        let message = format!("format {} is not supported (expected {MANIFEST_FORMAT})", manifest.format);
        return Err(PackageError::InvalidManifest(message));
    }
    let mut listed = BTreeSet::new();
    for entry in &manifest.files {
        if let Err(problem) = paths::check_package_path(&entry.path) {
            return Err(PackageError::InvalidManifest(format!("listed path `{}`: {problem}", entry.path)));
        }
        if !listed.insert(entry.path.as_str()) {
            return Err(PackageError::InvalidManifest(format!("`{}` is listed twice", entry.path)));
        }
    }
    if let Some(unlisted) = files.keys().find(|path| !listed.contains(path.as_str())) {
        return Err(PackageError::UnlistedFile { path: unlisted.clone() });
    }
    for entry in &manifest.files {
        let Some(content) = files.get(&entry.path) else {
            return Err(PackageError::MissingFile { path: entry.path.clone() });
        };
        let size = u64::try_from(content.len()).unwrap_or(u64::MAX);
        if size != entry.size || sha256_hex(content) != entry.sha256 {
            return Err(PackageError::HashMismatch { path: entry.path.clone() });
        }
    }
    if package_hash(&manifest.files) != manifest.package_hash {
        return Err(PackageError::PackageHashMismatch);
    }
    Ok(Package { manifest, files })
}
