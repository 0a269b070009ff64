//! Errors from building and reading packages. Each refusal has its own variant so callers and tests
//! can tell a zip bomb from a forged manifest.

use crate::paths::PathProblem;

#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error("cannot read `{path}`: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write the package: {0}")]
    Write(String),

    // The container.
    #[error("not a valid ZIP archive: {0}")]
    InvalidZip(String),
    #[error("the archive is {size} bytes, more than the {limit} bytes a package may take")]
    ArchiveTooLarge { size: u64, limit: u64 },
    #[error("the archive has more than {limit} entries")]
    TooManyEntries { limit: usize },
    #[error("entry `{name}` uses compression method {method}; only stored (0) and deflate (8) are accepted")]
    UnsupportedCompression { name: String, method: u16 },
    #[error("entry `{name}` is encrypted; packages must not be")]
    Encrypted { name: String },

    // Names.
    #[error("an entry name is not valid UTF-8: {name_lossy:?}")]
    NonUtf8Name { name_lossy: String },
    #[error("entry `{name}` climbs out of the package with `..`")]
    PathTraversal { name: String },
    #[error("entry `{name}` is an absolute path")]
    AbsolutePath { name: String },
    #[error("entry `{name}` contains a backslash")]
    Backslash { name: String },
    #[error("entry `{name}` is not a valid package path: {problem}")]
    InvalidPath { name: String, problem: PathProblem },
    #[error("entry `{name}` is the same file as `{other}` (names differ only in case or spelling)")]
    DuplicateEntry { name: String, other: String },
    #[error("`{name}` is a file, so `{inside}` cannot lie inside it")]
    FileFolderConflict { name: String, inside: String },
    #[error("entry `{name}` is a symbolic link")]
    Symlink { name: String },
    #[error("entry `{name}` is not a regular file")]
    SpecialFile { name: String },
    #[error("`{path}` is reserved for the package manifest")]
    ReservedPath { path: String },

    // Sizes (zip bombs).
    #[error("entry `{name}` holds {actual} bytes but declares {declared}")]
    SizeMismatch { name: String, declared: u64, actual: u64 },
    #[error("entry `{name}` expands past the {declared} bytes it declares")]
    LargerThanDeclared { name: String, declared: u64 },
    #[error("entry `{name}` expands more than {limit}:1")]
    CompressionRatio { name: String, limit: u64 },
    #[error("the package expands to more than {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("entry `{name}` is corrupt: {reason}")]
    CorruptEntry { name: String, reason: String },

    // The manifest.
    #[error("the package has no capsule-manifest.json")]
    MissingManifest,
    #[error("capsule-manifest.json is invalid: {0}")]
    InvalidManifest(String),
    #[error("`{path}` does not match the size and SHA-256 the manifest lists")]
    HashMismatch { path: String },
    #[error("`{path}` is listed in the manifest but missing from the archive")]
    MissingFile { path: String },
    #[error("`{path}` is in the archive but not listed in the manifest")]
    UnlistedFile { path: String },
    #[error("the package hash does not match the manifest's file list")]
    PackageHashMismatch,
}

impl PackageError {
    /// The error for an entry (or added file) whose name breaks a path rule.
    pub(crate) fn bad_path(name: &str, problem: PathProblem) -> Self {
        let name = name.to_owned();
        match problem {
            PathProblem::Traversal => Self::PathTraversal { name },
            PathProblem::Absolute => Self::AbsolutePath { name },
            PathProblem::Backslash => Self::Backslash { name },
            problem => Self::InvalidPath { name, problem },
        }
    }
}
