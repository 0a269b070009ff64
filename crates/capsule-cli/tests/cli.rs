//! The `capsule` binary end to end: check, build and render as a developer runs them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn capsule(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_capsule")).args(args).current_dir(repo()).output().expect("capsule runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn check_accepts_the_examples() {
    for example in ["examples/shop", "examples/tt-tickets", "examples/game"] {
        let output = capsule(&["check", example]);
        assert!(output.status.success(), "{example}: {}", stderr(&output));
        assert!(stderr(&output).contains("0 errors"));
    }
}

#[test]
fn check_reports_errors_with_positions_and_exits_1() {
    let output = capsule(&["check", "crates/capsule-package/tests/fixtures/broken-pages"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(text.contains("app.json:4:5: error[duplicate-page]"), "{text}");
}

#[test]
fn check_reports_template_errors_in_a_project() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("pages/index")).unwrap();
    std::fs::write(root.join("app.json"), r#"{"pages": ["pages/index/index"]}"#).unwrap();
    std::fs::write(root.join("app.js"), "App({})").unwrap();
    std::fs::write(root.join("pages/index/index.js"), "Page({})").unwrap();
    std::fs::write(root.join("pages/index/index.wxml"), "<view>\n  <text>{{a + }}</text>\n</view>").unwrap();
    let output = capsule(&["check", root.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(text.contains("pages/index/index.wxml:2:15: error[bad-expression]"), "{text}");
}

#[test]
fn check_reports_style_problems_in_a_project() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("pages/index")).unwrap();
    std::fs::create_dir_all(root.join("c")).unwrap();
    std::fs::write(root.join("app.json"), r#"{"pages": ["pages/index/index"]}"#).unwrap();
    std::fs::write(root.join("app.js"), "App({})").unwrap();
    std::fs::write(root.join("app.wxss"), "@import \"missing.wxss\";\n.a { color: red }").unwrap();
    std::fs::write(root.join("pages/index/index.js"), "Page({})").unwrap();
    std::fs::write(root.join("pages/index/index.json"), r#"{"usingComponents": {"c": "/c/c"}}"#).unwrap();
    std::fs::write(root.join("pages/index/index.wxml"), "<c/>").unwrap();
    std::fs::write(root.join("c/c.js"), "Component({})").unwrap();
    std::fs::write(root.join("c/c.json"), r#"{"component": true}"#).unwrap();
    std::fs::write(root.join("c/c.wxss"), ".ok { margin: 1rpx }\nview { color: red }").unwrap();
    let output = capsule(&["check", root.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(text.contains("app.wxss:1:1: error[missing-import]"), "{text}");
    assert!(text.contains("c/c.wxss:2:1: warning[component-tag-selector]"), "{text}");
}

#[test]
fn size_limits_are_configurable() {
    let output = capsule(&["check", "examples/shop", "--max-main-kib", "1"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("package-too-large"), "{}", stderr(&output));
}

#[test]
fn build_is_byte_for_byte_deterministic() {
    let out = tempfile::tempdir().unwrap();
    let first = out.path().join("a.capsule");
    let second = out.path().join("b.capsule");
    for target in [&first, &second] {
        let output = capsule(&["build", "examples/shop", "-o", target.to_str().unwrap()]);
        assert!(output.status.success(), "{}", stderr(&output));
    }
    assert_eq!(std::fs::read(&first).unwrap(), std::fs::read(&second).unwrap());
}

#[test]
fn build_refuses_a_broken_project() {
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("x.capsule");
    let output = capsule(&[
        "build",
        "crates/capsule-package/tests/fixtures/broken-pages",
        "-o",
        target.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(!target.exists());
}

#[test]
fn render_prints_the_conformance_tree() {
    let case = "conformance/cases/for-array";
    let output = capsule(&[
        "render",
        &format!("{case}/index.wxml"),
        "--data",
        &format!("{case}/data.json"),
        "--repeat",
        "3",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join(case).join("expected.json")).unwrap())
            .unwrap();
    assert_eq!(printed, expected);
}

#[test]
fn render_rejects_an_invalid_template() {
    let case = "conformance/cases/error-unclosed";
    let output = capsule(&["render", &format!("{case}/index.wxml"), "--data", &format!("{case}/data.json")]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("index.wxml:1:"), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
}

#[test]
fn app_create_prints_the_appid_secret_and_salt_and_refuses_bad_input() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let created = capsule(&["app", "create", "--name", "Tea House", "--keyword", "tea", "--data-dir", dir]);
    assert!(created.status.success(), "{}", stderr(&created));
    let app: serde_json::Value = serde_json::from_slice(&created.stdout).unwrap();
    assert!(app["appid"].as_str().unwrap().starts_with("tt"));
    assert_eq!(app["secret"].as_str().unwrap().len(), 40);
    assert_eq!(app["payment_salt"].as_str().unwrap().len(), 32);
    assert_eq!(app["keywords"][0], "tea");
    assert!(data.path().join("capsule.db").is_file());

    let second = capsule(&["app", "create", "--name", "Second", "--data-dir", dir]);
    let second: serde_json::Value = serde_json::from_slice(&second.stdout).unwrap();
    assert_ne!(second["appid"], app["appid"]);

    let bad = capsule(&[
        "app",
        "create",
        "--name",
        "x",
        "--request-domain",
        "http://plain.example",
        "--data-dir",
        dir,
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("request_domains"), "{}", stderr(&bad));
    let unreachable = capsule(&["app", "create", "--name", "x", "--database-url", "mysql://nowhere/db"]);
    assert!(stderr(&unreachable).contains("unsupported database URL"), "{}", stderr(&unreachable));
}
