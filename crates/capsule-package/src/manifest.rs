//! The package manifest, `capsule-manifest.json`: every file with its size and SHA-256, the dialect,
//! a summary of the app configuration, and the package hash that identifies the contents.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::{AppConfig, AppVersion};
use crate::dialect::Dialect;

/// Where the manifest sits in a package: the first entry, at the root.
pub const MANIFEST_PATH: &str = "capsule-manifest.json";

/// The manifest layout this crate writes and reads.
pub const MANIFEST_FORMAT: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapsuleManifest {
    pub format: u32,
    pub dialect: Dialect,
    pub app: AppSummary,
    /// Every file of the package except the manifest, sorted by path.
    pub files: Vec<FileEntry>,
    /// See [`package_hash`].
    pub package_hash: String,
}

/// What a host needs to know about the app without unpacking its configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppSummary {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<AppVersion>,
    pub entry_page: Option<String>,
    /// Main-package routes.
    pub pages: Vec<String>,
    #[serde(default)]
    pub subpackages: Vec<SubpackageSummary>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tab_bar_pages: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubpackageSummary {
    pub root: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Full routes (`root/pages/x`).
    pub pages: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub independent: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub size: u64,
    /// Lowercase hex.
    pub sha256: String,
    /// Made by the build (compiled templates, bytecode…) rather than written by the developer.
    #[serde(default, skip_serializing_if = "is_false")]
    pub generated: bool,
}

// serde's `skip_serializing_if` hands a reference.
#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_false(value: &bool) -> bool {
    !*value
}

impl AppSummary {
    pub fn of(app: &AppConfig) -> Self {
        Self {
            app_id: app.app_id.clone(),
            name: app.name.clone(),
            version: app.version.clone(),
            entry_page: app.entry_page.clone(),
            pages: app.pages.clone(),
            subpackages: app
                .subpackages
                .iter()
                .map(|s| SubpackageSummary {
                    root: s.root.clone(),
                    name: s.name.clone(),
                    pages: s.pages.clone(),
                    independent: s.independent,
                })
                .collect(),
            tab_bar_pages: app
                .tab_bar
                .iter()
                .flat_map(|tab_bar| tab_bar.items.iter())
                .filter_map(|item| item.page_path.clone())
                .collect(),
        }
    }
}

impl FileEntry {
    pub fn of(path: &str, bytes: &[u8], generated: bool) -> Self {
        Self {
            path: path.to_owned(),
            size: u64::try_from(bytes.len()).unwrap_or(u64::MAX),
            sha256: sha256_hex(bytes),
            generated,
        }
    }
}

impl CapsuleManifest {
    /// Pretty JSON with a final newline; field order is fixed, so equal manifests give equal bytes.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        // Serialising plain structs of strings and numbers cannot fail.
        let mut bytes = serde_json::to_vec_pretty(self).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    pub fn from_json_bytes(bytes: &[u8]) -> Result<Self, String> {
        serde_json::from_slice(bytes).map_err(|error| error.to_string())
    }
}

/// SHA-256 of `bytes` as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The package hash: SHA-256 over one line per file, `sha256 size path\n`, in path order.
/// It identifies the package's contents whatever the ZIP bytes look like.
pub fn package_hash(files: &[FileEntry]) -> String {
    let mut sorted: Vec<&FileEntry> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let mut hasher = Sha256::new();
    for file in sorted {
        hasher.update(format!("{} {} {}\n", file.sha256, file.size, file.path).as_bytes());
    }
    hex(&hasher.finalize())
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_is_lowercase_hex() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn package_hash_ignores_listing_order() {
        let a = FileEntry::of("a.js", b"1", false);
        let b = FileEntry::of("b.js", b"2", true);
        assert_eq!(package_hash(&[a.clone(), b.clone()]), package_hash(&[b.clone(), a.clone()]));
        assert_ne!(package_hash(std::slice::from_ref(&a)), package_hash(&[a, b]));
    }

    #[test]
    fn manifest_round_trips_through_json() {
        let files = vec![FileEntry::of("app.js", b"App({})", false)];
        let manifest = CapsuleManifest {
            format: MANIFEST_FORMAT,
            dialect: Dialect::ByteDance,
            app: AppSummary {
                entry_page: Some("pages/a/a".into()),
                pages: vec!["pages/a/a".into()],
                ..AppSummary::default()
            },
            package_hash: package_hash(&files),
            files,
        };
        let bytes = manifest.to_json_bytes();
        assert_eq!(CapsuleManifest::from_json_bytes(&bytes).unwrap(), manifest);
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains("\"dialect\": \"bytedance\""), "{text}");
        assert!(!text.contains("generated"), "{text}");
    }
}
