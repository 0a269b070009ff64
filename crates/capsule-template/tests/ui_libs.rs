//! Compiles every `.wxml` of real third-party component libraries (Vant Weapp, TDesign,
//! WeUI) and requires zero error diagnostics. Needs the npm packages: set `CAPSULE_UI_LIBS`
//! to the `node_modules` folder that holds them (`.ci/run` installs them from
//! `tests/ui-libs/package.json`); without it the test says so and passes.

use std::path::{Path, PathBuf};

use capsule_template::Library;

const PACKAGES: [&str; 3] = ["@vant/weapp", "tdesign-miniprogram", "weui-miniprogram"];

fn templates_under(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            templates_under(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "wxml") {
            found.push(path);
        }
    }
}

#[test]
fn component_libraries_compile_without_errors() {
    let Some(node_modules) = std::env::var_os("CAPSULE_UI_LIBS") else {
        eprintln!("CAPSULE_UI_LIBS is not set: skipping the component-library check");
        return;
    };
    let node_modules = PathBuf::from(node_modules);
    let mut total = 0;
    let mut errors = Vec::new();
    for package in PACKAGES {
        let root = node_modules.join(package);
        assert!(root.is_dir(), "{} is missing: install tests/ui-libs first", root.display());
        let mut files = Vec::new();
        templates_under(&root, &mut files);
        files.sort();
        assert!(!files.is_empty(), "{package} has no templates");
        for file in &files {
            let entry = file.strip_prefix(&root).unwrap_or(file).to_string_lossy().replace('\\', "/");
            let (_, diagnostics) =
                Library::load(&entry, |path| std::fs::read_to_string(root.join(path)).ok());
            errors.extend(diagnostics.iter().filter(|d| d.is_error()).map(|d| format!("{package}/{d}")));
        }
        eprintln!("{package}: {} templates", files.len());
        total += files.len();
    }
    eprintln!("{total} templates compiled, {} errors", errors.len());
    assert!(errors.is_empty(), "{} errors:\n{}", errors.len(), errors.join("\n"));
}
