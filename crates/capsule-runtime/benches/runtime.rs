//! Benchmarks: cold and warm launch of the example shop, event to patch, and `setData` of 50 KB.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use capsule_runtime::worker::{Runtime, RuntimeConfig};
use capsule_runtime::{
    AppBundle, LaunchOptions, LocalSession, MemoryStorage, Selector, TestHost, Update, ViewEvent,
};
use capsule_sandbox::{Sandbox, SandboxLimits};
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;

fn shop_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/shop")
}

/// The shop built as a package (with bytecode), written to a temporary file.
fn shop_package() -> (tempfile::TempDir, std::path::PathBuf) {
    let (project, _) = capsule_package::Project::load(&shop_dir());
    let project = project.expect("the example shop loads");
    let generated = capsule_runtime::bundle::compile_scripts(&project).expect("its scripts compile");
    let bytes = capsule_package::build_package(&project, generated).expect("it packs");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.capsule");
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

fn launch(bundle: Arc<AppBundle>) -> LocalSession {
    LocalSession::launch(
        bundle,
        LaunchOptions::default(),
        Some("bench-user".into()),
        Arc::new(TestHost::new()),
        Arc::new(MemoryStorage::default()),
    )
    .expect("the shop launches")
}

fn first_page_tree(local: &LocalSession) -> usize {
    let page = local.session.current_page().expect("a page is open");
    local.session.tree(page.id).len()
}

fn launches(c: &mut Criterion) {
    let (_dir, package) = shop_package();
    let mut group = c.benchmark_group("launch");
    // Reference: an empty QuickJS runtime and context, the floor under any launch.
    group.bench_function("bare-sandbox", |b| {
        b.iter(|| black_box(Sandbox::new(SandboxLimits::default()).unwrap()))
    });
    // Cold: the package file read, unpacked and verified, templates compiled, bytecode loaded,
    // App and first page run, first tree built.
    group.bench_function("cold", |b| {
        b.iter(|| {
            let bytes = std::fs::read(&package).unwrap();
            let bundle = Arc::new(AppBundle::from_package(&bytes, true).unwrap());
            let local = launch(bundle);
            black_box(first_page_tree(&local))
        })
    });
    // Warm: the worker already holds the opened bundle and its compiled templates.
    let bundle = Arc::new(AppBundle::from_package(&std::fs::read(&package).unwrap(), true).unwrap());
    black_box(launch(bundle.clone()));
    group.bench_function("warm", |b| {
        b.iter(|| {
            let local = launch(bundle.clone());
            black_box(first_page_tree(&local))
        })
    });
    group.finish();
}

fn patches_of(updates: Vec<Update>) -> usize {
    updates.iter().filter(|update| matches!(update, Update::Patches { .. })).count()
}

/// Typing in the shop's search box, alternating between a keyword that hides every product and
/// an empty box, so every event changes the page.
fn typing() -> [ViewEvent; 2] {
    ["zzz", ""].map(|value| ViewEvent {
        kind: "input".into(),
        detail: json!({ "value": value }),
        ..ViewEvent::default()
    })
}

fn event_to_patch(c: &mut Criterion) {
    let (_dir, package) = shop_package();
    let bundle = Arc::new(AppBundle::from_package(&std::fs::read(&package).unwrap(), true).unwrap());
    let mut local = launch(bundle);
    let page = local.session.current_page().unwrap().id;
    let selector = Selector::parse(".search-input").unwrap();
    let input =
        local.session.with_view(page, |nodes| capsule_runtime::view::select(nodes, &selector, None, false));
    let input = input[0].clone();
    let events = typing();
    local.take_updates();
    let mut turn = 0;
    c.bench_function("event-to-patch/input", |b| {
        b.iter(|| {
            local.session.dispatch(page, &input, &events[turn % 2]).unwrap();
            turn += 1;
            let patches = patches_of(local.take_updates());
            assert_eq!(patches, 1);
        })
    });
    // A tap on the category tabs, "Tea" then "All": three product cards removed, then created
    // again (what the browser benchmark's tap-to-paint asks of the session).
    let tabs = Selector::parse(".category").unwrap();
    let tabs = local.session.with_view(page, |nodes| capsule_runtime::view::select(nodes, &tabs, None, true));
    let tap = ViewEvent { kind: "tap".into(), ..ViewEvent::default() };
    let mut turn = 0;
    c.bench_function("event-to-patch/category-tap", |b| {
        b.iter(|| {
            local.session.dispatch(page, &tabs[if turn % 2 == 0 { 2 } else { 0 }], &tap).unwrap();
            turn += 1;
            let patches = patches_of(local.take_updates());
            assert_eq!(patches, 1);
        })
    });
}

fn set_data_50kb(c: &mut Criterion) {
    let bundle = Arc::new(AppBundle::open(&shop_dir()).unwrap());
    let mut local = launch(bundle);
    // 50 KB of products (as JSON), in two versions that differ in every price.
    let catalogue = |shift: u32| {
        let mut items = Vec::new();
        let mut bytes = 0;
        let mut i = 0u32;
        while bytes < 50 * 1024 {
            let item = json!({
                "id": format!("b{i}"), "title": format!("Benchmark product {i}"),
                "price": (i * 37 + shift) % 1000, "stock": i % 9, "tag": if i.is_multiple_of(3) { "New" } else { "" },
                "description": "A product listed to make a fifty-kilobyte setData."
            });
            bytes += item.to_string().len() + 1;
            items.push(item);
            i += 1;
        }
        json!(items)
    };
    // The two versions live in the sandbox, so the figure is setData's own cost, not the
    // benchmark's way of handing data in.
    let keep = "function (a, b) { globalThis.benchLists = [a, b]; }";
    local.session.evaluate(keep, &json!([catalogue(0), catalogue(1)])).unwrap().unwrap();
    let mut turn = 0;
    let mut group = c.benchmark_group("setData-50KB");
    group.sample_size(20);
    // Rendered: the 50 KB list is the page's product grid (one product-card per item).
    let source = "function (i) { getCurrentPages()[0].setData({ shown: globalThis.benchLists[i] }); }";
    group.bench_function("rendered", |b| {
        b.iter(|| {
            local.session.evaluate(source, &json!([turn % 2])).unwrap().unwrap();
            turn += 1;
            black_box(patches_of(local.take_updates()))
        })
    });
    // Not rendered: the same payload under a key the template does not read (serialisation,
    // the size check and the merge on both sides).
    let source = "function (i) { getCurrentPages()[0].setData({ unused: globalThis.benchLists[i] }); }";
    group.bench_function("unrendered", |b| {
        b.iter(|| {
            local.session.evaluate(source, &json!([turn % 2])).unwrap().unwrap();
            turn += 1;
            black_box(patches_of(local.take_updates()))
        })
    });
    group.finish();
}

/// The same through a worker process, as `capsule serve` runs sessions: JSON frames over pipes.
fn through_worker(c: &mut Criterion) {
    let (_dir, package) = shop_package();
    let config = RuntimeConfig::new(PathBuf::from(env!("CARGO_BIN_EXE_capsule-worker")), Vec::new());
    let runtime = Runtime::new(config, Arc::new(TestHost::new()), Arc::new(MemoryStorage::default()));
    let options = LaunchOptions::default();
    let session = runtime.launch(&package, &options, Some("bench-user".into())).unwrap();
    let mut group = c.benchmark_group("worker");
    group.bench_function("launch-warm", |b| {
        b.iter(|| {
            let other = runtime.launch(&package, &options, Some("bench-user".into())).unwrap();
            black_box(other.view().unwrap());
            other.close();
        })
    });
    let view = session.view().unwrap();
    let page = view["page"].as_u64().unwrap() as u32;
    let input = session.automation(json!({ "op": "select", "selector": ".search-input" })).unwrap();
    let input: Vec<usize> = serde_json::from_value(input[0]["path"].clone()).unwrap();
    let events = typing();
    session.updates();
    let mut turn = 0;
    group.bench_function("event-to-patch", |b| {
        b.iter(|| {
            session.event(page, &input, &events[turn % 2]).unwrap();
            turn += 1;
            let patch = session.next_update(Duration::from_secs(5)).expect("a patch arrives");
            black_box(patch)
        })
    });
    group.finish();
}

criterion_group!(benches, launches, event_to_patch, set_data_50kb, through_worker);
criterion_main!(benches);
