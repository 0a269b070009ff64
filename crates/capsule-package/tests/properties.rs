//! Property tests: hostile bytes and names never make the reader panic, and whatever the builder
//! writes reads back unchanged.

use std::collections::BTreeMap;
use std::io::{Cursor, Write};

use capsule_package::{
    AppSummary, Dialect, JsonDoc, Limits, PackageBuilder, check_package_path, read_archive, read_package,
};
use proptest::prelude::*;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

fn limits() -> Limits {
    Limits { total_bytes: 1024 * 1024, max_entries: 64, ..Limits::default() }
}

fn sample_package() -> Vec<u8> {
    let mut builder = PackageBuilder::new(Dialect::WeChat, AppSummary::default());
    builder.add_file("app.js", b"App({ onLaunch() {} });".to_vec()).unwrap();
    builder
        .add_file("pages/index/index.wxml", b"<view wx:for=\"{{list}}\">{{item}}</view>".to_vec())
        .unwrap();
    builder.add_file("image.png", vec![0x89, b'P', b'N', b'G']).unwrap();
    builder.build().unwrap()
}

/// Names built from the pieces that trip up path handling.
fn hostile_name() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("..".to_owned()),
        Just(".".to_owned()),
        Just(String::new()),
        Just("C:".to_owned()),
        Just("\\".to_owned()),
        Just("a\\..\\b".to_owned()),
        Just("A".to_owned()),
        Just("a".to_owned()),
        Just("\u{0}".to_owned()),
        Just("名字".to_owned()),
        "[a-z.]{1,6}",
        any::<String>(),
    ];
    (any::<bool>(), prop::collection::vec(piece, 1..5)).prop_map(|(leading_slash, pieces)| {
        let joined = pieces.join("/");
        if leading_slash { format!("/{joined}") } else { joined }
    })
}

/// Valid, distinct package paths with contents.
fn file_set() -> impl Strategy<Value = BTreeMap<String, Vec<u8>>> {
    let path = "[a-z]{1,6}(/[a-z0-9_-]{1,6}){0,3}\\.(js|wxml|wxss|json|png)";
    prop::collection::btree_map(path, prop::collection::vec(any::<u8>(), 0..300), 1..12)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = read_package(&bytes, &limits());
        // With a valid end record tacked on, the central-directory walk gets exercised too.
        let mut with_end = bytes.clone();
        with_end.extend_from_slice(b"PK\x05\x06\0\0\0\0\x01\0\x01\0\x2e\0\0\0\0\0\0\0\0\0");
        let _ = read_package(&with_end, &limits());
    }

    #[test]
    fn mutated_packages_never_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut bytes = sample_package();
        for (index, value) in edits {
            let at = index.index(bytes.len());
            bytes[at] = value;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len()));
        }
        let _ = read_package(&bytes, &limits());
    }

    #[test]
    fn hostile_entry_names_never_panic_and_never_escape(names in prop::collection::vec(hostile_name(), 1..6)) {
        let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
        let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
        for name in &names {
            // The writer refuses some names (exact duplicates); skipping them is fine here.
            if writer.start_file(name.as_str(), options).is_ok() {
                writer.write_all(b"x").unwrap();
            }
        }
        let bytes = writer.finish().unwrap().into_inner();
        if let Ok(files) = read_archive(&bytes, &limits()) {
            for path in files.keys() {
                prop_assert!(check_package_path(path).is_ok(), "accepted unsafe path {path:?}");
            }
        }
    }

    #[test]
    fn build_then_read_round_trips(files in file_set(), dialect in prop_oneof![Just(Dialect::WeChat), Just(Dialect::ByteDance), Just(Dialect::W3c)]) {
        // Paths that differ only in case are one file to the builder; keep the first.
        let mut builder = PackageBuilder::new(dialect, AppSummary::default());
        let mut kept = BTreeMap::new();
        for (path, bytes) in files {
            if builder.add_file(path.clone(), bytes.clone()).is_ok() {
                kept.insert(path, bytes);
            }
        }
        let manifest = builder.manifest();
        let packed = builder.clone().build().unwrap();
        prop_assert_eq!(&packed, &builder.build().unwrap());
        let package = read_package(&packed, &Limits::default()).unwrap();
        prop_assert_eq!(package.manifest(), &manifest);
        prop_assert_eq!(package.into_files(), kept);
    }

    #[test]
    fn json_positions_never_panic(text in "\\PC{0,80}") {
        if let Ok(doc) = JsonDoc::parse(&text) {
            let _ = doc.key_position("/a/0/b");
            let _ = doc.value_position("");
        }
    }
}
