//! Builds packages and feeds `read_package` hostile archives: each refusal has its own crafted ZIP.

use std::io::{Cursor, Write};

use capsule_package::{
    AppSummary, Dialect, GeneratedFile, Limits, MANIFEST_PATH, PackageBuilder, PackageError, PathProblem,
    Project, build_package, read_archive, read_package,
};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

// ---------------------------------------------------------------------------------------------
// Helpers: write ZIPs with the zip crate, then patch header fields to tell lies.

fn deflated() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(CompressionMethod::Deflated)
}

fn stored() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(CompressionMethod::Stored)
}

fn zip_of(entries: &[(&str, &[u8])], options: SimpleFileOptions) -> Vec<u8> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        writer.start_file(*name, options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn u16_at(bytes: &[u8], at: usize) -> usize {
    usize::from(u16::from_le_bytes([bytes[at], bytes[at + 1]]))
}

fn u32_at(bytes: &[u8], at: usize) -> usize {
    u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize
}

fn put_u16(bytes: &mut [u8], at: usize, value: u16) {
    bytes[at..at + 2].copy_from_slice(&value.to_le_bytes());
}

fn put_u32(bytes: &mut [u8], at: usize, value: u32) {
    bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

fn end_record(bytes: &[u8]) -> usize {
    (0..=bytes.len() - 22).rev().find(|&at| bytes[at..at + 4] == *b"PK\x05\x06").unwrap()
}

/// Offsets of the central-directory records, in order.
fn central_records(bytes: &[u8]) -> Vec<usize> {
    let end = end_record(bytes);
    let mut at = u32_at(bytes, end + 16);
    let mut records = Vec::new();
    for _ in 0..u16_at(bytes, end + 10) {
        records.push(at);
        at += 46 + u16_at(bytes, at + 28) + u16_at(bytes, at + 30) + u16_at(bytes, at + 32);
    }
    records
}

/// (central record, local header) offsets of entry `index`.
fn headers(bytes: &[u8], index: usize) -> (usize, usize) {
    let central = central_records(bytes)[index];
    (central, u32_at(bytes, central + 42))
}

/// Sets the uncompressed size of entry `index` in both headers.
fn patch_uncompressed_size(bytes: &mut [u8], index: usize, size: u32) {
    let (central, local) = headers(bytes, index);
    put_u32(bytes, central + 24, size);
    put_u32(bytes, local + 22, size);
}

/// Replaces the name of entry `index` (same length) in both headers.
fn patch_name(bytes: &mut [u8], index: usize, name: &[u8]) {
    let (central, local) = headers(bytes, index);
    assert_eq!(u16_at(bytes, central + 28), name.len());
    bytes[central + 46..central + 46 + name.len()].copy_from_slice(name);
    bytes[local + 30..local + 30 + name.len()].copy_from_slice(name);
}

fn small_limits() -> Limits {
    Limits { max_entries: 100, total_bytes: 100_000, ..Limits::default() }
}

fn sample_builder() -> PackageBuilder {
    let app = AppSummary {
        entry_page: Some("pages/index/index".into()),
        pages: vec!["pages/index/index".into()],
        ..AppSummary::default()
    };
    let mut builder = PackageBuilder::new(Dialect::WeChat, app);
    builder.add_file("app.js", b"App({});".to_vec()).unwrap();
    builder.add_file("app.json", br#"{"pages":["pages/index/index"]}"#.to_vec()).unwrap();
    builder.add_file("pages/index/index.wxml", b"<view>{{a}}</view>".to_vec()).unwrap();
    builder.add_file("pages/index/index.js", b"Page({});".to_vec()).unwrap();
    builder
}

/// A package whose manifest is `manifest` but whose files are `files`, written with the zip crate.
fn package_with(manifest: &capsule_package::CapsuleManifest, files: &[(&str, &[u8])]) -> Vec<u8> {
    let manifest_bytes = manifest.to_json_bytes();
    let mut entries: Vec<(&str, &[u8])> = vec![(MANIFEST_PATH, &manifest_bytes)];
    entries.extend_from_slice(files);
    zip_of(&entries, deflated())
}

// ---------------------------------------------------------------------------------------------
// Building.

#[test]
fn packages_are_deterministic_and_plain() {
    let first = sample_builder().build().unwrap();
    assert_eq!(first, sample_builder().build().unwrap());
    for index in 0..central_records(&first).len() {
        let (central, local) = headers(&first, index);
        assert_eq!(u16_at(&first, local + 28), 0, "no extra fields in local headers");
        assert_eq!(u16_at(&first, central + 30), 0, "no extra fields in central records");
        assert_eq!(u16_at(&first, local + 10), 0, "time 00:00:00");
        assert_eq!(u16_at(&first, local + 12), (1 << 5) | 1, "date 1980-01-01");
        assert_eq!(u32_at(&first, central + 38) >> 16, 0o100_644, "regular file, rw-r--r--");
    }
    // The manifest is the first entry, then files in path order.
    let names: Vec<String> = central_records(&first)
        .into_iter()
        .map(|c| String::from_utf8(first[c + 46..c + 46 + u16_at(&first, c + 28)].to_vec()).unwrap())
        .collect();
    assert_eq!(
        names,
        [MANIFEST_PATH, "app.js", "app.json", "pages/index/index.js", "pages/index/index.wxml"]
    );
}

#[test]
fn generated_files_are_packed_and_marked() {
    let mut builder = sample_builder();
    builder.add_generated("__capsule__/ir/pages/index/index.json", b"{\"ir\":[]}".to_vec()).unwrap();
    let package = read_package(&builder.build().unwrap(), &Limits::default()).unwrap();
    assert_eq!(package.file("__capsule__/ir/pages/index/index.json"), Some(&b"{\"ir\":[]}"[..]));
    let entry = package.manifest().files.iter().find(|f| f.path.starts_with("__capsule__")).unwrap();
    assert!(entry.generated);
    assert!(package.manifest().files.iter().filter(|f| f.generated).count() == 1);
}

#[test]
fn build_package_takes_generated_files_beside_the_project() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bytedance");
    let project = Project::load(&dir).0.unwrap();
    let generated = vec![GeneratedFile::new("__capsule__/bytecode/app.qjs", vec![0u8, 1, 2])];
    let bytes = build_package(&project, generated).unwrap();
    let package = read_package(&bytes, &Limits::default()).unwrap();
    assert_eq!(package.file("__capsule__/bytecode/app.qjs"), Some(&[0u8, 1, 2][..]));
    assert_eq!(package.paths().count(), project.files.len() + 1);

    let clash = vec![GeneratedFile::new("APP.js", Vec::new())];
    assert!(matches!(build_package(&project, clash), Err(PackageError::DuplicateEntry { .. })));
}

#[test]
fn builders_refuse_bad_names() {
    let mut builder = sample_builder();
    assert!(matches!(builder.add_file("../x.js", Vec::new()), Err(PackageError::PathTraversal { .. })));
    assert!(matches!(builder.add_file("/x.js", Vec::new()), Err(PackageError::AbsolutePath { .. })));
    assert!(matches!(builder.add_file(MANIFEST_PATH, Vec::new()), Err(PackageError::ReservedPath { .. })));
    assert!(matches!(builder.add_file("App.JS", Vec::new()), Err(PackageError::DuplicateEntry { .. })));
    assert!(matches!(
        builder.add_file("a/./b.js", Vec::new()),
        Err(PackageError::InvalidPath { problem: PathProblem::NotCanonical, .. })
    ));
}

// ---------------------------------------------------------------------------------------------
// Names.

#[test]
fn refuses_path_traversal() {
    let bytes = zip_of(&[("../evil.js", b"x")], deflated());
    assert!(
        matches!(read_archive(&bytes, &small_limits()), Err(PackageError::PathTraversal { name }) if name == "../evil.js")
    );
    let bytes = zip_of(&[("a/../../evil.js", b"x")], deflated());
    assert!(matches!(read_archive(&bytes, &small_limits()), Err(PackageError::PathTraversal { .. })));
}

#[test]
fn refuses_absolute_paths() {
    for name in ["/etc/passwd", "C:/Windows/evil.js", "C:\\evil.js"] {
        let bytes = zip_of(&[(name, b"x")], deflated());
        assert!(
            matches!(read_archive(&bytes, &small_limits()), Err(PackageError::AbsolutePath { .. })),
            "{name}"
        );
    }
}

#[test]
fn refuses_backslashes() {
    for name in ["a\\b.js", "\\\\server\\share\\x.js"] {
        let bytes = zip_of(&[(name, b"x")], deflated());
        assert!(
            matches!(read_archive(&bytes, &small_limits()), Err(PackageError::Backslash { .. })),
            "{name}"
        );
    }
}

#[test]
fn refuses_symlinks() {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    writer.add_symlink("link.js", "/etc/passwd", SimpleFileOptions::default()).unwrap();
    let bytes = writer.finish().unwrap().into_inner();
    assert!(
        matches!(read_archive(&bytes, &small_limits()), Err(PackageError::Symlink { name }) if name == "link.js")
    );
}

#[test]
fn refuses_special_files() {
    let mut bytes = zip_of(&[("fifo", b"")], stored());
    let (central, _) = headers(&bytes, 0);
    put_u16(&mut bytes, central + 4, 3 << 8); // made by Unix
    put_u32(&mut bytes, central + 38, 0o010_644 << 16); // a named pipe
    assert!(matches!(read_archive(&bytes, &small_limits()), Err(PackageError::SpecialFile { .. })));
}

#[test]
fn refuses_exact_duplicate_names() {
    let mut bytes = zip_of(&[("a.js", b"1"), ("b.js", b"2")], deflated());
    patch_name(&mut bytes, 1, b"a.js");
    assert!(matches!(
        read_archive(&bytes, &small_limits()),
        Err(PackageError::DuplicateEntry { name, other }) if name == "a.js" && other == "a.js"
    ));
}

#[test]
fn refuses_case_and_spelling_duplicates() {
    let bytes = zip_of(&[("pages/a.js", b"1"), ("Pages/A.js", b"2")], deflated());
    assert!(matches!(read_archive(&bytes, &small_limits()), Err(PackageError::DuplicateEntry { .. })));
    let bytes = zip_of(&[("a/b.js", b"1"), ("a/./b.js", b"2")], deflated());
    assert!(matches!(
        read_archive(&bytes, &small_limits()),
        Err(PackageError::DuplicateEntry { name, other }) if name == "a/./b.js" && other == "a/b.js"
    ));
    // On its own, a non-canonical spelling is refused too.
    let bytes = zip_of(&[("a/./b.js", b"1")], deflated());
    assert!(matches!(read_archive(&bytes, &small_limits()), Err(PackageError::InvalidPath { .. })));
}

#[test]
fn refuses_a_file_that_is_also_a_folder() {
    let bytes = zip_of(&[("lib", b"1"), ("LIB/x.js", b"2")], deflated());
    assert!(matches!(
        read_archive(&bytes, &small_limits()),
        Err(PackageError::FileFolderConflict { name, inside }) if name == "lib" && inside == "LIB/x.js"
    ));
    let mut builder = sample_builder();
    assert!(matches!(
        builder.add_file("app.js/x.js", Vec::new()),
        Err(PackageError::FileFolderConflict { .. })
    ));
    assert!(matches!(builder.add_file("pages", Vec::new()), Err(PackageError::FileFolderConflict { .. })));
}

#[test]
fn refuses_names_that_are_not_utf8() {
    let mut bytes = zip_of(&[("a.js", b"1")], deflated());
    patch_name(&mut bytes, 0, b"\xff.js");
    assert!(matches!(read_archive(&bytes, &small_limits()), Err(PackageError::NonUtf8Name { .. })));
}

#[test]
fn accepts_directory_entries_and_names_without_the_utf8_flag() {
    // The W3C test-suite archives list folders and never set the UTF-8 flag.
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    writer.add_directory("pages/", SimpleFileOptions::default()).unwrap();
    writer.start_file("pages/home.html", deflated()).unwrap();
    writer.write_all(b"<template></template>").unwrap();
    let bytes = writer.finish().unwrap().into_inner();
    let files = read_archive(&bytes, &small_limits()).unwrap();
    assert_eq!(files.keys().collect::<Vec<_>>(), ["pages/home.html"]);
}

// ---------------------------------------------------------------------------------------------
// Zip bombs and lying headers.

#[test]
fn refuses_high_compression_ratios() {
    let zeros = vec![0u8; 2 * 1024 * 1024];
    let bytes = zip_of(&[("zeros.bin", &zeros)], deflated());
    assert!(bytes.len() < 20 * 1024, "deflate squeezes zeros");
    assert!(matches!(
        read_archive(&bytes, &Limits::default()),
        Err(PackageError::CompressionRatio { name, limit: 100 }) if name == "zeros.bin"
    ));
    // Small entries may compress well: the ratio is only checked above the minimum size.
    let small = vec![0u8; 64 * 1024];
    assert!(read_archive(&zip_of(&[("zeros.bin", &small)], deflated()), &Limits::default()).is_ok());
}

#[test]
fn refuses_packages_over_the_total_limit() {
    let data = vec![7u8; 600];
    let limits = Limits { total_bytes: 1_000, ..Limits::default() };
    let bytes = zip_of(&[("a.bin", &data), ("b.bin", &data)], stored());
    assert!(matches!(read_archive(&bytes, &limits), Err(PackageError::TooLarge { limit: 1_000 })));
}

#[test]
fn refuses_entries_larger_than_declared() {
    let data = vec![b'a'; 5_000];
    let mut bytes = zip_of(&[("big.js", &data)], deflated());
    patch_uncompressed_size(&mut bytes, 0, 100);
    assert!(matches!(
        read_archive(&bytes, &small_limits()),
        Err(PackageError::LargerThanDeclared { name, declared: 100 }) if name == "big.js"
    ));
}

#[test]
fn refuses_entries_smaller_than_declared() {
    let mut bytes = zip_of(&[("small.js", b"hello world")], deflated());
    patch_uncompressed_size(&mut bytes, 0, 50);
    assert!(matches!(
        read_archive(&bytes, &small_limits()),
        Err(PackageError::SizeMismatch { declared: 50, actual: 11, .. })
    ));
    // A stored entry whose sizes disagree is caught the same way.
    let mut bytes = zip_of(&[("small.js", b"hello world")], stored());
    patch_uncompressed_size(&mut bytes, 0, 5);
    assert!(matches!(read_archive(&bytes, &small_limits()), Err(PackageError::LargerThanDeclared { .. })));
}

#[test]
fn refuses_declared_sizes_over_the_budget_before_reading() {
    let mut bytes = zip_of(&[("a.js", b"tiny")], stored());
    patch_uncompressed_size(&mut bytes, 0, u32::MAX - 1);
    assert!(matches!(read_archive(&bytes, &small_limits()), Err(PackageError::TooLarge { .. })));
}

#[test]
fn refuses_too_many_entries() {
    let entries: Vec<(String, Vec<u8>)> = (0..5).map(|i| (format!("f{i}.js"), vec![b'x'])).collect();
    let refs: Vec<(&str, &[u8])> = entries.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    let bytes = zip_of(&refs, deflated());
    let limits = Limits { max_entries: 4, ..Limits::default() };
    assert!(matches!(read_archive(&bytes, &limits), Err(PackageError::TooManyEntries { limit: 4 })));
}

#[test]
fn refuses_archives_over_the_size_cap() {
    let bytes = zip_of(&[("a.js", &vec![b'x'; 4_000])], stored());
    let limits = Limits { total_bytes: 100, max_entries: 1, ..Limits::default() };
    assert!(matches!(read_archive(&bytes, &limits), Err(PackageError::ArchiveTooLarge { .. })));
}

#[test]
fn refuses_overlapping_entries() {
    // `a.bin` (stored) carries, as its data, a complete local header for `b.js`; the central
    // record of the real `b.js` is then pointed inside `a.bin`.
    let inner = zip_of(&[("b.js", b"hello")], stored());
    let inner_local = u32_at(&inner, central_records(&inner)[0] + 42);
    let fake_entry = &inner[inner_local..inner_local + 30 + 4 + 5];
    let mut bytes = zip_of(&[("a.bin", fake_entry), ("b.js", b"hello")], stored());
    let (_, a_local) = headers(&bytes, 0);
    let a_data = a_local + 30 + u16_at(&bytes, a_local + 26) + u16_at(&bytes, a_local + 28);
    let (b_central, _) = headers(&bytes, 1);
    put_u32(&mut bytes, b_central + 42, u32::try_from(a_data).unwrap());
    assert!(
        matches!(read_archive(&bytes, &small_limits()), Err(PackageError::InvalidZip(reason)) if reason == "entries overlap")
    );
}

#[test]
fn refuses_local_headers_that_disagree_with_the_directory() {
    let mut bytes = zip_of(&[("a.js", b"1")], deflated());
    let (_, local) = headers(&bytes, 0);
    bytes[local + 30] = b'b';
    assert!(matches!(read_archive(&bytes, &small_limits()), Err(PackageError::InvalidZip(_))));
}

// ---------------------------------------------------------------------------------------------
// The container.

#[test]
fn refuses_encrypted_entries() {
    let mut bytes = zip_of(&[("secret.js", b"x")], deflated());
    let (central, local) = headers(&bytes, 0);
    put_u16(&mut bytes, central + 8, 1);
    put_u16(&mut bytes, local + 6, 1);
    assert!(
        matches!(read_archive(&bytes, &small_limits()), Err(PackageError::Encrypted { name }) if name == "secret.js")
    );
}

#[test]
fn refuses_other_compression_methods() {
    let mut bytes = zip_of(&[("a.js", b"x")], stored());
    let (central, local) = headers(&bytes, 0);
    put_u16(&mut bytes, central + 10, 12);
    put_u16(&mut bytes, local + 8, 12);
    assert!(matches!(
        read_archive(&bytes, &small_limits()),
        Err(PackageError::UnsupportedCompression { method: 12, .. })
    ));
}

#[test]
fn refuses_crc_mismatches() {
    let mut bytes = zip_of(&[("a.js", b"content")], deflated());
    let (central, _) = headers(&bytes, 0);
    let crc = u32_at(&bytes, central + 16);
    put_u32(&mut bytes, central + 16, u32::try_from(crc).unwrap() ^ 1);
    assert!(matches!(read_archive(&bytes, &small_limits()), Err(PackageError::CorruptEntry { .. })));
}

#[test]
fn refuses_multi_disk_and_garbage() {
    let mut bytes = zip_of(&[("a.js", b"x")], deflated());
    let end = end_record(&bytes);
    put_u16(&mut bytes, end + 4, 1);
    assert!(matches!(read_archive(&bytes, &small_limits()), Err(PackageError::InvalidZip(_))));
    assert!(matches!(read_archive(b"not a zip", &small_limits()), Err(PackageError::InvalidZip(_))));
    assert!(matches!(read_archive(b"", &small_limits()), Err(PackageError::InvalidZip(_))));
}

// ---------------------------------------------------------------------------------------------
// The manifest.

#[test]
fn refuses_a_missing_manifest() {
    let bytes = zip_of(&[("app.js", b"App({})")], deflated());
    assert!(matches!(read_package(&bytes, &small_limits()), Err(PackageError::MissingManifest)));
}

#[test]
fn refuses_an_unreadable_manifest() {
    let bytes = zip_of(&[(MANIFEST_PATH, b"{ not json")], deflated());
    assert!(matches!(read_package(&bytes, &small_limits()), Err(PackageError::InvalidManifest(_))));
    let mut manifest = sample_builder().manifest();
    manifest.format = 99;
    assert!(matches!(
        read_package(&package_with(&manifest, &[]), &small_limits()),
        Err(PackageError::InvalidManifest(_))
    ));
}

#[test]
fn refuses_files_whose_hash_does_not_match() {
    let manifest = sample_builder().manifest();
    let bytes = package_with(
        &manifest,
        &[
            ("app.js", b"App({ evil: true });"),
            ("app.json", br#"{"pages":["pages/index/index"]}"#),
            ("pages/index/index.js", b"Page({});"),
            ("pages/index/index.wxml", b"<view>{{a}}</view>"),
        ],
    );
    assert!(
        matches!(read_package(&bytes, &small_limits()), Err(PackageError::HashMismatch { path }) if path == "app.js")
    );
}

#[test]
fn refuses_files_missing_from_the_manifest() {
    let manifest = sample_builder().manifest();
    let bytes = package_with(
        &manifest,
        &[
            ("app.js", b"App({});"),
            ("app.json", br#"{"pages":["pages/index/index"]}"#),
            ("pages/index/index.js", b"Page({});"),
            ("pages/index/index.wxml", b"<view>{{a}}</view>"),
            ("payload.js", b"steal()"),
        ],
    );
    assert!(
        matches!(read_package(&bytes, &small_limits()), Err(PackageError::UnlistedFile { path }) if path == "payload.js")
    );
}

#[test]
fn refuses_files_missing_from_the_archive() {
    let manifest = sample_builder().manifest();
    let bytes = package_with(&manifest, &[("app.js", b"App({});")]);
    assert!(
        matches!(read_package(&bytes, &small_limits()), Err(PackageError::MissingFile { path }) if path == "app.json")
    );
}

#[test]
fn refuses_a_wrong_package_hash() {
    let mut manifest = sample_builder().manifest();
    manifest.package_hash = "0".repeat(64);
    let bytes = package_with(
        &manifest,
        &[
            ("app.js", b"App({});"),
            ("app.json", br#"{"pages":["pages/index/index"]}"#),
            ("pages/index/index.js", b"Page({});"),
            ("pages/index/index.wxml", b"<view>{{a}}</view>"),
        ],
    );
    assert!(matches!(read_package(&bytes, &small_limits()), Err(PackageError::PackageHashMismatch)));
}

#[test]
fn a_good_package_reads_back() {
    let builder = sample_builder();
    let manifest = builder.manifest();
    let package = read_package(&builder.build().unwrap(), &small_limits()).unwrap();
    assert_eq!(package.manifest(), &manifest);
    assert_eq!(package.package_hash(), manifest.package_hash);
    assert_eq!(package.file("app.js"), Some(&b"App({});"[..]));
    assert_eq!(package.total_size(), manifest.files.iter().map(|f| f.size).sum::<u64>());
    assert_eq!(package.dialect(), Dialect::WeChat);
}

#[test]
fn errors_read_clearly() {
    let error = PackageError::CompressionRatio { name: "zeros.bin".into(), limit: 100 };
    assert_eq!(error.to_string(), "entry `zeros.bin` expands more than 100:1");
    let error = PackageError::PathTraversal { name: "../x".into() };
    assert_eq!(error.to_string(), "entry `../x` climbs out of the package with `..`");
}
