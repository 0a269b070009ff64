//! Building packages: a byte-for-byte deterministic ZIP holding the manifest first, then the app's
//! files and any files the build generated (compiled templates, bytecode, CSS), sorted by path.

use std::collections::BTreeMap;
use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, System, ZipWriter};

use crate::dialect::Dialect;
use crate::error::PackageError;
use crate::manifest::{AppSummary, CapsuleManifest, FileEntry, MANIFEST_FORMAT, MANIFEST_PATH, package_hash};
use crate::paths;
use crate::project::Project;

/// Deflate level for every compressed entry; fixed so output never depends on defaults.
const DEFLATE_LEVEL: i64 = 6;

/// Unix permissions of every entry: plain readable files.
const FILE_MODE: u32 = 0o644;

/// Formats that are already compressed gain nothing from deflate; they are stored.
const STORED_EXTENSIONS: [&str; 12] =
    ["png", "jpg", "jpeg", "gif", "webp", "mp3", "mp4", "m4a", "aac", "ogg", "woff2", "zip"];

/// A file the build produced, to be packed beside the project's own files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Package path; it must not collide with a project file.
    pub path: String,
    pub bytes: Vec<u8>,
}

impl GeneratedFile {
    pub fn new(path: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        Self { path: path.into(), bytes: bytes.into() }
    }
}

/// Packs `project`'s files plus `generated` ones. The same files give the same bytes, whatever
/// the files' timestamps or the order they were listed in. Limits are checked by
/// [`crate::validate`], not here.
pub fn build_package(project: &Project, generated: Vec<GeneratedFile>) -> Result<Vec<u8>, PackageError> {
    let mut builder = PackageBuilder::from_project(project)?;
    for file in generated {
        builder.add_generated(file.path, file.bytes)?;
    }
    builder.build()
}

/// Collects files for a package; [`PackageBuilder::build`] writes it.
#[derive(Clone, Debug)]
pub struct PackageBuilder {
    dialect: Dialect,
    app: AppSummary,
    files: BTreeMap<String, PendingFile>,
    /// Collision key → path, to refuse names that differ only in case or spelling.
    keys: BTreeMap<String, String>,
}

#[derive(Clone, Debug)]
struct PendingFile {
    bytes: Vec<u8>,
    generated: bool,
}

impl PackageBuilder {
    pub fn new(dialect: Dialect, app: AppSummary) -> Self {
        Self { dialect, app, files: BTreeMap::new(), keys: BTreeMap::new() }
    }

    /// A builder holding every file of `project`, read from disk now.
    pub fn from_project(project: &Project) -> Result<Self, PackageError> {
        let mut builder = Self::new(project.dialect, AppSummary::of(&project.app));
        for file in &project.files {
            let bytes = project
                .read_file(&file.path)
                .map_err(|source| PackageError::Io { path: project.display_path(&file.path), source })?;
            builder.add_file(file.path.clone(), bytes)?;
        }
        Ok(builder)
    }

    /// Adds a file the developer wrote.
    pub fn add_file(&mut self, path: impl Into<String>, bytes: Vec<u8>) -> Result<(), PackageError> {
        self.insert(path.into(), bytes, false)
    }

    /// Adds a file the build generated; the manifest marks it as such.
    pub fn add_generated(&mut self, path: impl Into<String>, bytes: Vec<u8>) -> Result<(), PackageError> {
        self.insert(path.into(), bytes, true)
    }

    fn insert(&mut self, path: String, bytes: Vec<u8>, generated: bool) -> Result<(), PackageError> {
        paths::check_package_path(&path).map_err(|problem| PackageError::bad_path(&path, problem))?;
        if path == MANIFEST_PATH {
            return Err(PackageError::ReservedPath { path });
        }
        let key = paths::collision_key(&path);
        if let Some(other) = self.keys.get(&key) {
            return Err(PackageError::DuplicateEntry { name: path, other: other.clone() });
        }
        let enclosing_file =
            paths::ancestors(&path).find_map(|folder| self.keys.get(&paths::collision_key(folder))).cloned();
        if let Some(file) = enclosing_file {
            return Err(PackageError::FileFolderConflict { name: file, inside: path });
        }
        let folder_key = format!("{key}/");
        if let Some((_, inside)) =
            self.keys.range(folder_key.clone()..).next().filter(|(k, _)| k.starts_with(&folder_key))
        {
            return Err(PackageError::FileFolderConflict { name: path, inside: inside.clone() });
        }
        self.keys.insert(key, path.clone());
        self.files.insert(path, PendingFile { bytes, generated });
        Ok(())
    }

    /// The manifest the package will carry.
    pub fn manifest(&self) -> CapsuleManifest {
        let files: Vec<FileEntry> =
            self.files.iter().map(|(path, file)| FileEntry::of(path, &file.bytes, file.generated)).collect();
        CapsuleManifest {
            format: MANIFEST_FORMAT,
            dialect: self.dialect,
            app: self.app.clone(),
            package_hash: package_hash(&files),
            files,
        }
    }

    /// Writes the ZIP: manifest first, then files in path order, with fixed timestamps,
    /// permissions and compression, and no extra fields.
    pub fn build(self) -> Result<Vec<u8>, PackageError> {
        let manifest = self.manifest().to_json_bytes();
        let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
        write_entry(&mut writer, MANIFEST_PATH, &manifest)?;
        for (path, file) in &self.files {
            write_entry(&mut writer, path, &file.bytes)?;
        }
        let cursor = writer.finish().map_err(|error| PackageError::Write(error.to_string()))?;
        Ok(cursor.into_inner())
    }
}

fn write_entry(
    writer: &mut ZipWriter<Cursor<Vec<u8>>>,
    path: &str,
    bytes: &[u8],
) -> Result<(), PackageError> {
    let extension = path.rsplit_once('.').map(|(_, extension)| extension.to_ascii_lowercase());
    let stored = extension.is_some_and(|extension| STORED_EXTENSIONS.contains(&extension.as_str()));
    let options = SimpleFileOptions::default()
        .system(System::Unix)
        .unix_permissions(FILE_MODE)
        .last_modified_time(DateTime::DEFAULT)
        .large_file(false);
    let options = if stored || bytes.is_empty() {
        options.compression_method(CompressionMethod::Stored)
    } else {
        options.compression_method(CompressionMethod::Deflated).compression_level(Some(DEFLATE_LEVEL))
    };
    let write_error = |error: &dyn std::fmt::Display| PackageError::Write(format!("`{path}`: {error}"));
    writer.start_file(path, options).map_err(|error| write_error(&error))?;
    writer.write_all(bytes).map_err(|error| write_error(&error))?;
    Ok(())
}
