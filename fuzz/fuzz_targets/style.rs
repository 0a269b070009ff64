//! Fuzzes the WXSS compiler: any bytes, as a page sheet and as an isolated component's sheet,
//! importing itself and a second file; it must return CSS and diagnostics, never panic.
#![no_main]

use capsule_style::{Isolation, Scope, StyleFiles, compile};
use libfuzzer_sys::fuzz_target;

struct Files(String);

impl StyleFiles for Files {
    fn read(&self, path: &str) -> Option<String> {
        (path == "a.wxss" || path == "b.wxss").then(|| self.0.clone())
    }
    fn resolve(&self, _from: &str, target: &str) -> Option<String> {
        Some(target.trim_start_matches("./").to_string())
    }
}

fuzz_target!(|data: &[u8]| {
    let files = Files(String::from_utf8_lossy(data).into_owned());
    let _ = compile("a.wxss", Scope::Page, &files);
    let _ = compile("a.wxss", Scope::Component { prefix: "c", isolation: Isolation::Isolated }, &files);
});
