//! Benchmarks: compile throughput over the conformance corpus and the Vant Weapp sources, and
//! render plus diff of a 1,000-node page.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use capsule_template::{Library, NoScripts, Value, compile, diff, render};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn wxml_files(dir: &Path, found: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            wxml_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "wxml")
            && let Ok(source) = std::fs::read_to_string(&path)
        {
            found.push((path.to_string_lossy().into_owned(), source));
        }
    }
}

fn bench_compile(c: &mut Criterion, name: &str, files: &[(String, String)]) {
    let bytes: usize = files.iter().map(|(_, source)| source.len()).sum();
    let mut group = c.benchmark_group("compile");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function(name, |b| {
        b.iter(|| {
            for (path, source) in files {
                black_box(compile(source, path));
            }
        })
    });
    group.finish();
}

fn compile_throughput(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut corpus = Vec::new();
    wxml_files(&root.join("conformance/cases"), &mut corpus);
    bench_compile(c, "conformance-corpus", &corpus);
    // The Vant sources come from npm (`tests/ui-libs`); benchmark them when installed.
    let vant = std::env::var_os("CAPSULE_UI_LIBS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("tests/ui-libs/node_modules"))
        .join("@vant/weapp/lib");
    let mut sources = Vec::new();
    wxml_files(&vant, &mut sources);
    if !sources.is_empty() {
        bench_compile(c, "vant-weapp", &sources);
    }
}

/// A shop list page: ten nodes per product (the same page `bench/render-vs-wcc.mjs` times).
const LIST_PAGE: &str = include_str!("../../../bench/list-page.wxml");

fn goods(count: usize, price_shift: usize) -> Value {
    let items = (0..count)
        .map(|i| {
            Value::object([
                (Arc::from("id"), Value::Number(i as f64)),
                (Arc::from("title"), Value::string(format!("Product {i}"))),
                (Arc::from("price"), Value::Number(((i * 137 + price_shift) % 10_000) as f64)),
                (Arc::from("image"), Value::string(format!("/img/{i}.png"))),
                (Arc::from("soldOut"), Value::Bool(i % 7 == 0)),
                (Arc::from("tags"), Value::Array(Arc::new(vec![Value::string("new")]))),
            ])
        })
        .collect();
    Value::object([(Arc::from("goods"), Value::Array(Arc::new(items)))])
}

fn render_and_diff(c: &mut Criterion) {
    let (library, diagnostics) = Library::load("index.wxml", |_| Some(LIST_PAGE.to_string()));
    assert!(diagnostics.is_empty());
    let data = goods(100, 0);
    // Data for the diff: every price changed and the list rotated by one.
    let changed = goods(100, 1);
    let first = render(&library, "index.wxml", &data, &mut NoScripts).tree;
    let second = render(&library, "index.wxml", &changed, &mut NoScripts).tree;
    let mut group = c.benchmark_group("page-1000-nodes");
    group.bench_function("render", |b| {
        b.iter(|| black_box(render(&library, "index.wxml", &data, &mut NoScripts)))
    });
    group.bench_function("diff", |b| b.iter(|| black_box(diff::diff(&first, &second))));
    group.bench_function("diff-unchanged", |b| b.iter(|| black_box(diff::diff(&first, &first))));
    group.finish();
}

criterion_group!(benches, compile_throughput, render_and_diff);
criterion_main!(benches);
