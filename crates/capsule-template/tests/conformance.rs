//! Renders every case of `conformance/cases` and compares it with the tree WeChat's own
//! compiler produced for it (`expected.json`, written by the oracle, never by hand).

use std::path::{Path, PathBuf};

use capsule_diagnostics::has_errors;
use capsule_sandbox::WxsHost;
use capsule_template::{Library, TreeNode, Value, render, tree};

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../conformance/cases")
}

/// The outcome in the oracle's terms: a tree, or a rejection.
#[derive(Debug, PartialEq)]
enum Outcome {
    Tree(Vec<TreeNode>),
    Rejected,
}

fn run_case(dir: &Path, entry: &str) -> Outcome {
    let data_text = std::fs::read_to_string(dir.join("data.json")).unwrap_or_else(|_| "{}".into());
    let data = Value::from_json(&serde_json::from_str(&data_text).expect("data.json is JSON"));
    let (library, diagnostics) = Library::load(entry, |path| std::fs::read_to_string(dir.join(path)).ok());
    if has_errors(&diagnostics) {
        return Outcome::Rejected;
    }
    let mut host = WxsHost::new();
    let rendered = render(&library, entry, &data, &mut host);
    if has_errors(&rendered.diagnostics) {
        return Outcome::Rejected;
    }
    Outcome::Tree(normalize(rendered.tree))
}

fn expected(dir: &Path) -> Outcome {
    let text = std::fs::read_to_string(dir.join("expected.json")).expect("expected.json");
    let json: serde_json::Value = serde_json::from_str(&text).expect("expected.json is JSON");
    if json.get("error").is_some() {
        return Outcome::Rejected;
    }
    Outcome::Tree(normalize(tree::from_json(&json["tree"]).expect("expected.json holds a tree")))
}

/// The comparison form: attributes sorted, adjacent text merged, empty text dropped, no keys.
fn normalize(nodes: Vec<TreeNode>) -> Vec<TreeNode> {
    let mut out: Vec<TreeNode> = Vec::new();
    for node in nodes {
        match node {
            TreeNode::Text(text) if text.is_empty() => {}
            TreeNode::Text(text) => match out.last_mut() {
                Some(TreeNode::Text(last)) => last.push_str(&text),
                _ => out.push(TreeNode::Text(text)),
            },
            TreeNode::Element(mut element) => {
                element.key = None;
                // Compare values as JSON carries them (NaN is null, functions vanish).
                element.attrs = element
                    .attrs
                    .into_iter()
                    .filter_map(|(name, value)| Some((name, Value::from_json(&value.to_json()?))))
                    .collect();
                element.attrs.sort_by(|a, b| a.0.cmp(&b.0));
                element.children = normalize(element.children);
                out.push(TreeNode::Element(element));
            }
        }
    }
    out
}

fn show(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Rejected => "rejected".into(),
        Outcome::Tree(nodes) => tree::to_json(nodes).to_string(),
    }
}

#[test]
fn every_case_renders_as_wechat_renders_it() {
    let mut names: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .expect("conformance/cases exists")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.join("expected.json").is_file())
        .collect();
    names.sort();
    assert!(names.len() >= 28, "the corpus is missing: found {} cases", names.len());
    let mut failures = Vec::new();
    let mut checked = 0;
    for dir in &names {
        let want = expected(dir);
        // A `tt-` case holds the same template in ByteDance form, which must render the same.
        for entry in ["index.wxml", "index.ttml"] {
            if !dir.join(entry).is_file() {
                continue;
            }
            checked += 1;
            let got = run_case(dir, entry);
            if got != want {
                let name = dir.file_name().unwrap_or_default().to_string_lossy();
                failures.push(format!(
                    "{name}/{entry}\n  expected: {}\n  got:      {}",
                    show(&want),
                    show(&got)
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} cases differ from WeChat:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
