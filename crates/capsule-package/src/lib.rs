//! Reads mini-program projects and packages: layouts, manifests, validation, limits and the `.capsule` ZIP format.
//!
//! - [`Project::load`] reads a WeChat, ByteDance or W3C MiniApp project folder; [`validate`] checks
//!   it against the cross-file rules and [`Limits`]; [`check`] does both.
//! - [`build_package`] (or [`PackageBuilder`]) writes a deterministic `.capsule` ZIP with a
//!   [`CapsuleManifest`]; generated files (compiled templates, bytecode) are added beside the sources.
//! - [`read_package`] unpacks untrusted bytes, refusing path tricks, zip bombs and forged manifests.
//! - [`ReleaseSigner`] / [`ReleaseKey`]: the platform's Ed25519 release signatures, checked by hosts.
//!
//! Problems in projects are [`Diagnostic`](capsule_diagnostics::Diagnostic)s; problems in packages
//! are [`PackageError`]s. Nothing here touches the network or a database.

mod build;
mod config;
mod dialect;
mod error;
mod json_span;
mod limits;
mod manifest;
mod paths;
mod project;
mod read;
mod signature;
mod validate;
mod zip_read;

pub use build::{GeneratedFile, PackageBuilder, build_package};
pub use config::{AppConfig, AppVersion, Located, PreloadRule, Subpackage, TabBar, TabBarItem, Widget};
pub use dialect::Dialect;
pub use error::PackageError;
pub use json_span::{JsonDoc, JsonSyntaxError};
pub use limits::{Limits, MIB, PackageSizes};
pub use manifest::{
    AppSummary, CapsuleManifest, FileEntry, MANIFEST_FORMAT, MANIFEST_PATH, SubpackageSummary, package_hash,
    sha256_hex,
};
pub use paths::{PathProblem, check_package_path};
pub use project::{Component, ComponentTarget, LoadOptions, Page, Project, ProjectFile, SourceFiles};
pub use read::{Package, read_package};
pub use signature::{ReleaseClaim, ReleaseKey, ReleaseSigner, SignatureError};
pub use validate::{check, check_with, sort_diagnostics, validate};
pub use zip_read::read_archive;
