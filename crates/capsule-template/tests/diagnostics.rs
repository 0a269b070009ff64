//! Snapshot of the diagnostics Capsule gives for every template WeChat's compiler rejects:
//! each must be caught, with a code, a message and a file:line:col.

use std::fmt::Write as _;
use std::path::Path;

use capsule_diagnostics::has_errors;
use capsule_sandbox::WxsHost;
use capsule_template::{Library, Value, render};

#[test]
fn every_rejected_case_has_a_located_diagnostic() {
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../conformance/cases");
    let mut names: Vec<String> = std::fs::read_dir(&cases)
        .expect("conformance/cases exists")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.starts_with("error-"))
        .collect();
    names.sort();
    assert!(names.len() > 100, "the error cases are missing");
    let mut report = String::new();
    for name in &names {
        let dir = cases.join(name);
        let (library, mut diagnostics) =
            Library::load("index.wxml", |path| std::fs::read_to_string(dir.join(path)).ok());
        if !has_errors(&diagnostics) {
            let rendered = render(&library, "index.wxml", &Value::object([]), &mut WxsHost::new());
            diagnostics.extend(rendered.diagnostics);
        }
        let errors: Vec<_> = diagnostics.iter().filter(|d| d.is_error()).collect();
        assert!(!errors.is_empty(), "{name}: no error reported");
        let _ = writeln!(report, "{name}");
        for error in errors {
            let _ = writeln!(report, "  {error}");
        }
    }
    insta::assert_snapshot!("error-cases", report);
}
