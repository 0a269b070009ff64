//! The automatic checks an uploaded package goes through before review: it must unpack safely,
//! pass the full project check (configuration, templates, styles, scripts, size limits), build,
//! and open every page headless without an uncaught error. The report is per page; the text
//! of every page is kept for search.

use std::time::Duration;

use capsule_package::{Limits, read_package};
use capsule_runtime::build::build_project;
use capsule_runtime::{
    AppBundle, LaunchOptions, LocalSession, MemoryStorage, StorageLimits, TestHost, Update, VNode,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// How long each page may run its timers after launching.
const PAGE_RUN: Duration = Duration::from_millis(200);

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckReport {
    pub passed: bool,
    /// Why the package as a whole failed (it does not unpack, validate or build).
    pub problems: Vec<String>,
    /// What the project check warned about; warnings do not fail the checks.
    pub warnings: Vec<String>,
    pub pages: Vec<PageCheck>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageCheck {
    pub route: String,
    pub passed: bool,
    /// Launch failures and uncaught errors, in order.
    pub errors: Vec<String>,
    /// Bytes the page's session held in QuickJS after it settled.
    pub memory_bytes: u64,
}

/// The checks' outcome: the report, the platform's own build of the upload (scripts compiled
/// by the platform, so hosts can trust the bytecode it signs) and the pages' text.
#[derive(Debug)]
pub struct Checked {
    pub report: CheckReport,
    pub package: Option<Vec<u8>>,
    /// The manifest hash of the platform's build, else of the upload, else empty.
    pub package_hash: String,
    pub page_text: String,
}

fn failed(package_hash: &str, problems: Vec<String>, warnings: Vec<String>) -> Checked {
    Checked {
        report: CheckReport { passed: false, problems, warnings, pages: Vec::new() },
        package: None,
        package_hash: package_hash.to_string(),
        page_text: String::new(),
    }
}

/// Runs every check on `upload`, a `.capsule` package. Blocking: it builds and runs the app.
pub fn run_checks(upload: &[u8], limits: &Limits) -> Checked {
    let package = match read_package(upload, limits) {
        Ok(package) => package,
        Err(e) => return failed("", vec![format!("the upload is not a valid package: {e}")], Vec::new()),
    };
    let upload_hash = package.package_hash();
    // Rebuild from the sources only: the upload's own bytecode is never trusted.
    let folder = match tempfile::tempdir() {
        Ok(folder) => folder,
        Err(e) => return failed(upload_hash, vec![format!("cannot make a work folder: {e}")], Vec::new()),
    };
    for entry in package.manifest().files.iter().filter(|f| !f.generated) {
        let target = folder.path().join(&entry.path);
        let written = target
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&target, package.file(&entry.path).unwrap_or_default()));
        if let Err(e) = written {
            return failed(upload_hash, vec![format!("cannot unpack {}: {e}", entry.path)], Vec::new());
        }
    }
    let built = match build_project(folder.path(), limits) {
        Ok(built) => built,
        Err(failure) => {
            let warnings =
                failure.diagnostics.iter().filter(|d| !d.is_error()).map(|d| d.to_string()).collect();
            return failed(upload_hash, failure.problems, warnings);
        }
    };
    let warnings: Vec<String> = built.warnings.iter().map(ToString::to_string).collect();
    let bundle = match AppBundle::from_package(&built.bytes, true) {
        Ok(bundle) => Arc::new(bundle),
        Err(e) => {
            return failed(upload_hash, vec![format!("the built package does not open: {e}")], warnings);
        }
    };
    let mut pages = Vec::new();
    let mut page_text = String::new();
    for route in bundle.routes() {
        let (check, text) = open_page(&bundle, &route);
        if !text.is_empty() {
            page_text.push_str(&text);
            page_text.push('\n');
        }
        pages.push(check);
    }
    let passed = !pages.is_empty() && pages.iter().all(|p| p.passed);
    let problems = if pages.is_empty() { vec!["the app has no pages".to_string()] } else { Vec::new() };
    Checked {
        report: CheckReport { passed, problems, warnings, pages },
        package: Some(built.bytes),
        package_hash: built.package_hash,
        page_text,
    }
}

/// Opens `route` in a fresh headless session: its check and its text.
fn open_page(bundle: &Arc<AppBundle>, route: &str) -> (PageCheck, String) {
    let options =
        LaunchOptions { app_id: "check".into(), route: Some(route.to_string()), ..LaunchOptions::default() };
    let storage = Arc::new(MemoryStorage::new(StorageLimits::default()));
    let launched = LocalSession::launch(bundle.clone(), options, None, Arc::new(TestHost::new()), storage);
    let mut local = match launched {
        Ok(local) => local,
        Err(e) => {
            let check = PageCheck {
                route: route.into(),
                passed: false,
                errors: vec![e.to_string()],
                memory_bytes: 0,
            };
            return (check, String::new());
        }
    };
    local.run_for(PAGE_RUN);
    let errors: Vec<String> = local
        .take_updates()
        .into_iter()
        .filter_map(|update| match update {
            Update::Error { text } => Some(text),
            _ => None,
        })
        .collect();
    let text = local
        .session
        .current_page()
        .map(|page| {
            local.session.with_view(page.id, |nodes| {
                let mut text = String::new();
                nodes.iter().for_each(|node| words_of(node, &mut text));
                text.split_whitespace().collect::<Vec<_>>().join(" ")
            })
        })
        .unwrap_or_default();
    let memory_bytes = local.session.memory_used() as u64;
    local.session.close();
    let check = PageCheck { route: route.into(), passed: errors.is_empty(), errors, memory_bytes };
    (check, text)
}

/// The text of a node, elements separated by spaces so words of neighbouring nodes stay apart.
fn words_of(node: &VNode, out: &mut String) {
    match node {
        VNode::Text(text) => out.push_str(text),
        VNode::Element(element) => {
            out.push(' ');
            element.children.iter().for_each(|child| words_of(child, out));
            out.push(' ');
        }
    }
}
