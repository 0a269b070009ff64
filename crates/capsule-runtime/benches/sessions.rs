//! Memory per live session: N sessions of the example shop kept open in one process, against N
//! bare QuickJS sandboxes (runtime + context, nothing loaded) as the reference, each measured in
//! a fresh child process so neither inherits the other's freed pages.
//!
//! `cargo bench -p capsule-runtime --bench sessions [-- COUNT]` (default 1,000).

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use capsule_runtime::{AppBundle, LaunchOptions, LocalSession, MemoryStorage, TestHost};
use capsule_sandbox::{Sandbox, SandboxLimits};

fn resident_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: usize = statm.split_whitespace().nth(1).and_then(|n| n.parse().ok()).unwrap_or(0);
    pages * 4096
}

/// Runs in the child: opens `count` of `what` and prints `rss_delta quickjs_bytes seconds`.
fn measure(what: &str, count: usize) {
    let bundle = Arc::new(
        AppBundle::open(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/shop"))
            .expect("the example shop opens"),
    );
    let host = Arc::new(TestHost::new());
    let storage = Arc::new(MemoryStorage::default());
    // One session first, so what is shared (compiled templates, the allocator's arenas) is
    // not counted per session.
    let warm =
        LocalSession::launch(bundle.clone(), LaunchOptions::default(), None, host.clone(), storage.clone())
            .expect("the shop launches");
    let before = resident_bytes();
    let started = Instant::now();
    let mut quickjs = 0;
    match what {
        "sessions" => {
            let mut sessions = Vec::with_capacity(count);
            for i in 0..count {
                let user = Some(format!("user-{i}"));
                let local = LocalSession::launch(
                    bundle.clone(),
                    LaunchOptions::default(),
                    user,
                    host.clone(),
                    storage.clone(),
                )
                .expect("the shop launches");
                quickjs += local.session.memory_used();
                sessions.push(local);
            }
            report(before, quickjs, started);
            drop(sessions);
        }
        _ => {
            let mut sandboxes = Vec::with_capacity(count);
            for _ in 0..count {
                let sandbox = Sandbox::new(SandboxLimits::default()).expect("a sandbox");
                quickjs += sandbox.memory_used();
                sandboxes.push(sandbox);
            }
            report(before, quickjs, started);
            drop(sandboxes);
        }
    }
    drop(warm);
}

fn report(before: usize, quickjs: usize, started: Instant) {
    println!("{} {} {}", resident_bytes().saturating_sub(before), quickjs, started.elapsed().as_secs_f64());
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    if let [flag, what, count] = args.as_slice()
        && flag == "measure"
    {
        measure(what, count.parse().expect("a count"));
        return;
    }
    let count: usize = args.first().and_then(|n| n.parse().ok()).unwrap_or(1000);
    let me = std::env::current_exe().expect("the bench binary");
    println!("{count} live objects in one process, each kind measured in its own child process:\n");
    println!("| kind | resident total | per object | QuickJS heap per object | time to open all |");
    println!("|---|---|---|---|---|");
    for (what, label) in [("sandboxes", "bare QuickJS sandbox (reference)"), ("sessions", "shop session")] {
        let output =
            Command::new(&me).args(["measure", what, &count.to_string()]).output().expect("child runs");
        let text = String::from_utf8_lossy(&output.stdout);
        let fields: Vec<f64> = text.split_whitespace().filter_map(|f| f.parse().ok()).collect();
        let [rss, quickjs, seconds] = fields[..] else {
            panic!("child failed: {}", String::from_utf8_lossy(&output.stderr));
        };
        let mib = |bytes: f64| bytes / (1024.0 * 1024.0);
        println!(
            "| {label} | {:.1} MiB | {:.0} KiB | {:.0} KiB | {:.2} s |",
            mib(rss),
            rss / count as f64 / 1024.0,
            quickjs / count as f64 / 1024.0,
            seconds
        );
    }
}
