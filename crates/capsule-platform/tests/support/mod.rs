//! What the platform's integration tests share: a platform on each database this machine
//! tests, and a project to upload.

#![allow(dead_code)]

use capsule_db::testing;
use capsule_platform::Platform;

/// A platform on a fresh SQLite file and, when `CAPSULE_TEST_POSTGRES` is set, on a fresh
/// PostgreSQL database; each database lives as long as its `TestDb`.
pub async fn platforms() -> Vec<(testing::TestDb, Platform)> {
    let mut all = Vec::new();
    for test in testing::each().await {
        let platform = Platform::open(test.db.clone()).await.expect("platform");
        all.push((test, platform));
    }
    all
}

/// A two-page WeChat project; `broken` makes the second page throw while loading.
pub fn project(dir: &std::path::Path, title: &str, broken: bool) -> Vec<u8> {
    let write = |path: &str, text: &str| {
        let target = dir.join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, text).unwrap();
    };
    write("app.json", r#"{"pages": ["pages/index/index", "pages/about/about"]}"#);
    write("app.js", "App({})");
    write("pages/index/index.json", "{}");
    write(
        "pages/index/index.wxml",
        &format!("<view class=\"title\">{title}</view><text>蓝色马克杯 mugs</text>"),
    );
    write("pages/index/index.js", "Page({ data: {} })");
    write("pages/about/about.json", "{}");
    write("pages/about/about.wxml", "<view>{{who}}</view>");
    let about = if broken {
        "Page({ onLoad() { throw new Error('the about page broke') } })"
    } else {
        "Page({ data: { who: 'About us' } })"
    };
    write("pages/about/about.js", about);
    capsule_runtime::build::build_project(dir, &capsule_package::Limits::default()).expect("builds").bytes
}
