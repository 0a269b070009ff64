//! Loads and validates the fixture projects and the examples, checking the exact diagnostics
//! (severity, code, file, line:col) each one produces.

use std::fs;
use std::path::{Path, PathBuf};

use capsule_package::{
    ComponentTarget, Dialect, Limits, LoadOptions, Project, build_package, check, read_package, validate,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples").join(name)
}

/// `file:line:col severity code`, or `file severity code` for file-level diagnostics.
fn summarize(dir: &Path, limits: &Limits) -> Vec<String> {
    let (_, diagnostics) = check(dir, limits);
    diagnostics
        .iter()
        .map(|d| {
            let severity = if d.is_error() { "error" } else { "warning" };
            if d.position.line == 0 {
                format!("{} {severity} {}", d.file, d.code)
            } else {
                format!("{}:{}:{} {severity} {}", d.file, d.position.line, d.position.col, d.code)
            }
        })
        .collect()
}

fn diagnostics_of(name: &str) -> Vec<String> {
    summarize(&fixture(name), &Limits::default())
}

fn messages_of(name: &str) -> Vec<String> {
    check(&fixture(name), &Limits::default()).1.iter().map(|d| d.message.clone()).collect()
}

#[test]
fn wechat_project_with_miniprogram_root() {
    assert_eq!(diagnostics_of("wechat-miniprogram-root"), Vec::<String>::new());
    let (project, _) = Project::load(&fixture("wechat-miniprogram-root"));
    let project = project.unwrap();
    assert_eq!(project.dialect, Dialect::WeChat);
    assert_eq!(project.root_prefix, "miniprogram");
    assert_eq!(project.display_path("app.json"), "miniprogram/app.json");
    assert_eq!(project.app.pages, ["pages/index/index", "pages/me/me"]);
    assert_eq!(project.app.entry_page.as_deref(), Some("pages/index/index"));
    assert_eq!(project.app.subpackages[0].root, "packageA");
    assert_eq!(project.app.subpackages[0].pages, ["packageA/pages/cat/cat"]);

    // Tooling files, dotfiles and everything outside the app root are not part of the app.
    let paths: Vec<&str> = project.files.iter().map(|f| f.path.as_str()).collect();
    assert!(paths.contains(&"app.json"));
    assert!(paths.contains(&"miniprogram_npm/fancy-button/index.js"));
    assert!(!paths.iter().any(|p| p.contains("eslintrc") || p.contains("project.") || p.contains("README")));

    let index = project.page("pages/index/index").unwrap();
    assert_eq!(index.subpackage, None);
    assert_eq!(index.files.template.as_deref(), Some("pages/index/index.wxml"));
    assert_eq!(index.files.style.as_deref(), Some("pages/index/index.wxss"));
    assert_eq!(index.files.script.as_deref(), Some("pages/index/index.js"));
    assert_eq!(index.files.json.as_deref(), Some("pages/index/index.json"));
    let local = |path: &str| ComponentTarget::Local(path.to_owned());
    assert_eq!(index.using_components["card"], local("components/card/card"));
    assert_eq!(index.using_components["folder"], local("components/folder/index"));
    assert_eq!(index.using_components["fancy"], local("miniprogram_npm/fancy-button/index"));
    assert_eq!(index.using_components["aliased"], local("components/badge/badge"));
    assert_eq!(index.using_components["map"], ComponentTarget::Plugin("plugin://mapPlugin/map".into()));
    assert_eq!(project.app_components["app-badge"], local("components/badge/badge"));

    let cat = project.page("packageA/pages/cat/cat").unwrap();
    assert_eq!(cat.subpackage.as_deref(), Some("packageA"));
    let card = &project.components["components/card/card"];
    assert!(card.declared_component);
    assert_eq!(card.using_components["badge"], local("components/badge/badge"));
    assert_eq!(
        project.components.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "components/badge/badge",
            "components/card/card",
            "components/folder/index",
            "miniprogram_npm/fancy-button/index"
        ]
    );
    let sizes = project.package_sizes();
    assert_eq!(sizes.subpackages[0].0, "packageA");
    assert_eq!(sizes.main + sizes.subpackages[0].1, sizes.total);
}

#[test]
fn bytedance_project() {
    assert_eq!(diagnostics_of("bytedance"), Vec::<String>::new());
    let project = Project::load(&fixture("bytedance")).0.unwrap();
    assert_eq!(project.dialect, Dialect::ByteDance);
    assert_eq!(project.dialect.directive_prefix(), Some("tt:"));
    let more = project.page("sub/pages/more/more").unwrap();
    assert_eq!(more.files.template.as_deref(), Some("sub/pages/more/more.ttml"));
    assert_eq!(more.files.style.as_deref(), Some("sub/pages/more/more.ttss"));
    assert_eq!(project.app_components["rating"], ComponentTarget::Local("components/rating/rating".into()));
}

#[test]
fn w3c_project() {
    assert_eq!(diagnostics_of("w3c"), Vec::<String>::new());
    let project = Project::load(&fixture("w3c")).0.unwrap();
    assert_eq!(project.dialect, Dialect::W3c);
    assert_eq!(project.config_file, "manifest.json");
    assert_eq!(project.app.app_id.as_deref(), Some("org.example.hello"));
    assert_eq!(project.app.version.as_ref().map(|v| (v.code, v.name.as_str())), Some((1, "1.0.0")));
    let about = project.page("pages/about/about").unwrap();
    assert_eq!(about.files.template.as_deref(), Some("pages/about/about.html"));
    assert_eq!(about.files.style, None);
    assert_eq!(about.files.script, None);
}

#[test]
fn w3c_test_suite_layout_is_rerooted_and_its_routes_need_the_suite_option() {
    assert_eq!(diagnostics_of("w3c-test-suite"), ["src/manifest.json:9:13 error missing-page-file"]);

    let options = LoadOptions { w3c_test_suite: true };
    let (project, diagnostics) = Project::load_with(&fixture("w3c-test-suite"), &options);
    assert_eq!(diagnostics, []);
    let project = project.unwrap();
    assert_eq!(project.root_prefix, "src");
    assert_eq!(validate(&project, &Limits::default()), []);
    let home = project.page("pages/home/home").unwrap();
    assert_eq!(home.files.template.as_deref(), Some("pages/home.html"));
    assert!(project.files.iter().all(|f| f.path != "test.jsonld"));
}

#[test]
fn invalid_json_points_at_the_syntax_error() {
    assert_eq!(diagnostics_of("broken-json"), ["app.json:4:3 error invalid-json"]);
    assert_eq!(messages_of("broken-json"), ["invalid JSON: trailing comma"]);
    assert!(check(&fixture("broken-json"), &Limits::default()).0.is_none());
}

#[test]
fn a_folder_without_app_config_is_not_a_project() {
    assert_eq!(diagnostics_of("no-config"), ["app.json error missing-app-config"]);
    let missing = fixture("does-not-exist");
    assert_eq!(summarize(&missing, &Limits::default()), [" error io-error"]);
}

#[test]
fn page_list_problems() {
    assert_eq!(
        diagnostics_of("broken-pages"),
        [
            "app.json:4:5 error duplicate-page",
            "app.json:5:5 error missing-page-file",
            "app.json:6:5 error invalid-route",
            "app.json:7:5 error invalid-type",
            "app.json:8:5 error invalid-route",
            "app.json:10:20 error unknown-page",
            "app.json:11:13 error invalid-type",
            "app.json:12:3 warning unknown-field",
            "app.json:14:3 warning duplicate-key",
        ]
    );
    assert_eq!(
        messages_of("broken-pages")[..2],
        [
            "page `pages/a/a` is listed more than once",
            "page `pages/b/b` has no script: pages/b/b.js is missing"
        ]
    );
}

#[test]
fn empty_pages_and_missing_app_js() {
    assert_eq!(
        diagnostics_of("empty-pages"),
        ["app.js error missing-app-file", "app.json:2:12 error no-pages"]
    );
}

#[test]
fn tab_bar_problems() {
    assert_eq!(
        diagnostics_of("broken-tabbar"),
        [
            "app.json:5:15 error missing-file",
            "app.json:6:13 error tab-bar-size",
            "app.json:8:59 error missing-file",
            "app.json:9:21 error unknown-page",
            "app.json:10:21 error tab-bar-page-in-subpackage",
            "app.json:11:7 error missing-field",
            "app.json:12:47 warning unknown-field",
        ]
    );
    assert_eq!(messages_of("broken-tabbar")[1], "tabBar.list has 6 items; it must have 2 to 5");
}

#[test]
fn subpackage_problems() {
    assert_eq!(
        diagnostics_of("broken-subpackages"),
        [
            "app.json:2:34 error page-in-subpackage-root",
            "app.json:4:49 error duplicate-page",
            "app.json:5:15 error nested-subpackage",
            "app.json:6:15 error missing-subpackage-root",
            "app.json:6:37 error duplicate-subpackage",
            "app.json:6:55 error missing-page-file",
            "app.json:6:55 error missing-page-file",
            "app.json:7:32 error invalid-subpackage",
            "app.json:8:5 error missing-field",
            "app.json:11:67 error unknown-subpackage",
            "app.json:12:5 error unknown-page",
        ]
    );
    assert_eq!(
        messages_of("broken-subpackages")[1],
        "page `pkgA/p/p` is listed both in `pages` and in a subpackage"
    );
}

#[test]
fn component_problems() {
    assert_eq!(
        diagnostics_of("broken-components"),
        [
            "app.json:3:36 error unresolved-component",
            "components/card/card.json:1:1 warning not-a-component",
            "components/card/inner.json:2:16 warning not-a-component",
            "pages/index/index.json:2:29 error invalid-type",
            "pages/index/index.json:3:3 warning unknown-field",
            "pages/index/index.json:6:16 error missing-component-file",
            "pages/index/index.json:6:16 warning not-a-component",
            "pages/index/index.json:7:14 error unresolved-component",
        ]
    );
}

#[test]
fn w3c_manifest_problems() {
    assert_eq!(
        diagnostics_of("broken-w3c"),
        [
            "app.css error missing-app-file",
            "manifest.json:1:1 error missing-field",
            "manifest.json:3:22 error missing-file",
            "manifest.json:4:24 error invalid-type",
            "manifest.json:6:32 error missing-page-file",
            "manifest.json:7:29 error invalid-type",
            "manifest.json:8:3 warning unknown-field",
        ]
    );
}

#[test]
fn mixed_dialects_warn_on_the_odd_template() {
    assert_eq!(diagnostics_of("mixed-dialect"), ["pages/b/b.ttml warning mixed-dialect"]);
}

#[test]
fn size_limits_name_the_package_and_sizes() {
    let limits =
        Limits { main_package_bytes: 300, subpackage_bytes: 200, total_bytes: 600, ..Limits::default() };
    assert_eq!(
        summarize(&fixture("oversize"), &limits),
        [
            "app.json error package-too-large",
            "app.json error package-too-large",
            "app.json error package-too-large"
        ]
    );
    let (project, diagnostics) = check(&fixture("oversize"), &limits);
    let sizes = project.unwrap().package_sizes();
    let messages: Vec<&str> = diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            format!("the main package is {} bytes, over the limit of 300 bytes", sizes.main),
            format!("subpackage `sub` is {} bytes, over the limit of 200 bytes", sizes.subpackages[0].1),
            format!("the whole app is {} bytes, over the limit of 600 bytes", sizes.total),
        ]
    );
    assert_eq!(diagnostics_of("oversize"), Vec::<String>::new());
}

#[test]
fn examples_validate_cleanly() {
    for (name, dialect) in
        [("shop", Dialect::WeChat), ("tt-tickets", Dialect::ByteDance), ("game", Dialect::ByteDance)]
    {
        assert_eq!(summarize(&example(name), &Limits::default()), Vec::<String>::new(), "{name}");
        let project = Project::load(&example(name)).0.unwrap();
        assert_eq!(project.dialect, dialect, "{name}");
    }
    let shop = Project::load(&example("shop")).0.unwrap();
    assert_eq!(shop.app.pages.len(), 4);
    assert_eq!(shop.app.subpackages[0].pages, ["packageProduct/pages/detail/detail"]);
    assert_eq!(shop.app.tab_bar.as_ref().unwrap().items.len(), 3);
    assert!(shop.components.contains_key("components/product-card/product-card"));
}

/// Copies a folder tree (files only).
fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn set_mtimes(dir: &Path, time: std::time::SystemTime) {
    for entry in fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            set_mtimes(&entry.path(), time);
        } else {
            fs::File::options().write(true).open(entry.path()).unwrap().set_modified(time).unwrap();
        }
    }
}

#[test]
fn builds_are_byte_for_byte_deterministic() {
    let project = Project::load(&example("shop")).0.unwrap();
    let first = build_package(&project, Vec::new()).unwrap();
    let second = build_package(&project, Vec::new()).unwrap();
    assert_eq!(first, second);

    // A copy with other timestamps gives the same bytes.
    let copy = tempfile::tempdir().unwrap();
    copy_tree(&example("shop"), copy.path());
    set_mtimes(
        copy.path(),
        std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_234_567_890),
    );
    let copied = Project::load(copy.path()).0.unwrap();
    assert_eq!(build_package(&copied, Vec::new()).unwrap(), first);

    // The manifest comes first.
    assert_eq!(&first[..4], b"PK\x03\x04");
    assert_eq!(&first[30..30 + "capsule-manifest.json".len()], b"capsule-manifest.json");
}

#[test]
fn built_packages_read_back_with_their_manifest() {
    for (name, dialect) in
        [("shop", Dialect::WeChat), ("tt-tickets", Dialect::ByteDance), ("game", Dialect::ByteDance)]
    {
        let project = Project::load(&example(name)).0.unwrap();
        let bytes = build_package(&project, Vec::new()).unwrap();
        let package = read_package(&bytes, &Limits::default()).unwrap();
        assert_eq!(package.dialect(), dialect);
        assert_eq!(package.paths().count(), project.files.len());
        for file in &project.files {
            assert_eq!(
                package.file(&file.path).unwrap(),
                project.read_file(&file.path).unwrap(),
                "{}",
                file.path
            );
        }
        assert_eq!(package.manifest().app.pages, project.app.pages);
        assert_eq!(package.manifest().app.entry_page, project.app.entry_page);
        assert_eq!(package.package_hash().len(), 64);
        assert!(package.file("project.config.json").is_none());
    }
}

#[cfg(unix)]
mod unusual_files {
    use std::os::unix::ffi::OsStrExt;

    use super::*;

    fn minimal_project() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        copy_tree(&fixture("mixed-dialect"), dir.path());
        fs::remove_file(dir.path().join("pages/b/b.ttml")).unwrap();
        fs::write(dir.path().join("pages/b/b.wxml"), "<view/>").unwrap();
        dir
    }

    #[test]
    fn symlinks_are_skipped_with_a_warning() {
        let dir = minimal_project();
        std::os::unix::fs::symlink("/etc/passwd", dir.path().join("passwd.js")).unwrap();
        assert_eq!(summarize(dir.path(), &Limits::default()), ["passwd.js warning symlink-skipped"]);
        let project = Project::load(dir.path()).0.unwrap();
        assert!(!project.has_file("passwd.js"));
    }

    #[test]
    fn names_the_package_reader_would_refuse() {
        let dir = minimal_project();
        fs::write(dir.path().join("App.js"), "").unwrap();
        fs::write(dir.path().join("capsule-manifest.json"), "{}").unwrap();
        fs::write(dir.path().join(std::ffi::OsStr::from_bytes(b"bad\xffname.js")), "").unwrap();
        fs::write(dir.path().join("colon:name.js"), "").unwrap();
        assert_eq!(
            summarize(dir.path(), &Limits::default()),
            [
                "app.js error file-name-conflict",
                "bad\u{FFFD}name.js error invalid-file-name",
                "capsule-manifest.json error reserved-path",
                "colon:name.js error invalid-file-name",
            ]
        );
    }

    #[test]
    fn miniprogram_root_must_exist_inside_the_project() {
        let dir = minimal_project();
        fs::write(dir.path().join("project.config.json"), r#"{"miniprogramRoot": "../elsewhere"}"#).unwrap();
        assert_eq!(
            summarize(dir.path(), &Limits::default()),
            ["project.config.json:1:21 error invalid-path"]
        );
        fs::write(dir.path().join("project.config.json"), r#"{"miniprogramRoot": "app/"}"#).unwrap();
        assert_eq!(
            summarize(dir.path(), &Limits::default()),
            ["project.config.json:1:21 error missing-app-root"]
        );
    }
}
