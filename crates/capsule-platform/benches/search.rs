//! Benchmarks of discovery search: a query over 2,000 mini-programs and 10,000 videos in the
//! tantivy index, against a plain scan of the same text for every query word (what a host
//! without an index does) as the reference; and the cost of re-indexing one app on release.
//!
//! `cargo bench -p capsule-platform --bench search`

use std::hint::black_box;

use capsule_platform::search::{AppDoc, DocKind, SearchIndex, VideoDoc};
use criterion::{Criterion, criterion_group, criterion_main};

const APPS: usize = 2_000;
const VIDEOS: usize = 10_000;

const TOPICS: &[(&str, &str, &str)] = &[
    ("外卖", "美食外卖，半小时送到家", "Food delivery"),
    ("电影票", "热门电影在线选座购票", "Cinema tickets and seats"),
    ("打车", "一键叫车，准时到达", "Ride hailing across the city"),
    ("酒店", "酒店民宿预订，低价保障", "Hotels and homestays"),
    ("水果", "新鲜水果当日达", "Fresh fruit delivered today"),
    ("读书", "好书推荐与电子书阅读", "Books and reading"),
    ("健身", "健身课程与打卡", "Fitness classes and workouts"),
    ("游戏", "休闲小游戏合集", "Casual games, 2048 and more"),
];

/// Synthetic app `i`: a topic's words plus unique filler, so documents differ.
struct App {
    appid: String,
    name: String,
    keywords: Vec<String>,
    category: String,
    description: String,
    page_text: String,
}

fn apps() -> Vec<App> {
    (0..APPS)
        .map(|i| {
            let (word, chinese, english) = TOPICS[i % TOPICS.len()];
            App {
                appid: format!("tt{i:014x}"),
                name: format!("{word}{i}号店 Shop {i}"),
                keywords: vec![word.to_string(), format!("tag{i}")],
                category: english.split_whitespace().next().unwrap_or_default().to_string(),
                description: format!("{chinese}。{english}."),
                page_text: format!("首页 分类 购物车 我的 {chinese} {english} 商品{i} 价格 {i}元"),
            }
        })
        .collect()
}

fn doc(app: &App) -> AppDoc<'_> {
    AppDoc {
        appid: &app.appid,
        name: &app.name,
        keywords: &app.keywords,
        category: &app.category,
        description: &app.description,
        page_text: &app.page_text,
    }
}

/// The reference: every app whose text contains any of the words, best by count, as a host
/// without an index would rank them.
fn scan(apps: &[App], words: &[&str], limit: usize) -> Vec<String> {
    let mut hits: Vec<(usize, &str)> = apps
        .iter()
        .filter_map(|app| {
            let text = format!(
                "{} {} {} {} {}",
                app.name,
                app.keywords.join(" "),
                app.category,
                app.description,
                app.page_text
            )
            .to_lowercase();
            let found = words.iter().filter(|word| text.contains(*word)).count();
            (found > 0).then_some((found, app.appid.as_str()))
        })
        .collect();
    hits.sort_by_key(|hit| std::cmp::Reverse(hit.0));
    hits.into_iter().take(limit).map(|(_, appid)| appid.to_string()).collect()
}

fn bench_search(c: &mut Criterion) {
    let apps = apps();
    let index = SearchIndex::new().expect("an index");
    let videos: Vec<(String, String, String, &str)> = (0..VIDEOS)
        .map(|i| {
            let (word, chinese, _) = TOPICS[i % TOPICS.len()];
            (
                format!("v{i}"),
                format!("今天试了{chinese} #{word} video {i}"),
                format!("@author{}", i % 300),
                word,
            )
        })
        .collect();
    let video_docs: Vec<VideoDoc<'_>> = videos
        .iter()
        .map(|(id, caption, author, word)| VideoDoc { id, caption, author, anchor_title: word })
        .collect();
    let app_docs: Vec<AppDoc<'_>> = apps.iter().map(doc).collect();
    index.rebuild(&app_docs, &video_docs).expect("indexed");
    assert!(!index.search(DocKind::App, "外卖", 20).unwrap().is_empty());

    let mut group = c.benchmark_group("search");
    group.bench_function("index: apps 外卖 送到家", |b| {
        b.iter(|| black_box(index.search(DocKind::App, black_box("外卖 送到家"), 20).unwrap()))
    });
    group.bench_function("scan: apps 外卖 送到家", |b| {
        b.iter(|| black_box(scan(&apps, black_box(&["外卖", "送到家"]), 20)))
    });
    group.bench_function("index: apps cinema tickets", |b| {
        b.iter(|| black_box(index.search(DocKind::App, black_box("cinema tickets"), 20).unwrap()))
    });
    group.bench_function("scan: apps cinema tickets", |b| {
        b.iter(|| black_box(scan(&apps, black_box(&["cinema", "tickets"]), 20)))
    });
    group.bench_function("index: videos 水果", |b| {
        b.iter(|| black_box(index.search(DocKind::Video, black_box("水果"), 20).unwrap()))
    });
    group.finish();

    // Re-indexing one app (a release or settings change) commits at once.
    let mut group = c.benchmark_group("reindex");
    group.sample_size(20);
    let app = &apps[7];
    group.bench_function("one app", |b| b.iter(|| index.put_app(black_box(&doc(app))).unwrap()));
    group.finish();
}

criterion_group!(benches, bench_search);
criterion_main!(benches);
