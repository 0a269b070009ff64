//! Fuzzes the template pipeline: any bytes as a WXML file must parse, compile and render without panicking.
#![no_main]

use capsule_template::{Library, NoScripts, Value, diff, render};
use libfuzzer_sys::fuzz_target;

/// Page data with a few shapes the fuzzer's templates are likely to name.
const PAGE_DATA: &str = r#"{"a": 1, "b": "x", "list": [1, 2, {"id": 3}], "o": {"k": null}, "t": true}"#;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else { return };
    let (library, _) = Library::load("index.wxml", |path| (path == "index.wxml").then(|| source.to_string()));
    let page = Value::from_json(&serde_json::from_str(PAGE_DATA).expect("valid JSON"));
    let first = render(&library, "index.wxml", &page, &mut NoScripts);
    let second = render(&library, "index.wxml", &Value::object([]), &mut NoScripts);
    let patches = diff::diff(&first.tree, &second.tree);
    let mut tree = first.tree;
    diff::apply(&mut tree, &patches).expect("patches fit the tree they were made from");
    assert_eq!(tree, second.tree);
});
