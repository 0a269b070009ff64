//! Sessions in worker processes, and hostile mini-programs: each is stopped within its limit,
//! the host stays up, and another mini-program keeps serving.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use capsule_runtime::worker::{Runtime, RuntimeConfig, SessionError};
use capsule_runtime::{LaunchOptions, MemoryStorage, TestHost, ViewEvent};
use serde_json::json;

fn runtime() -> Arc<Runtime> {
    let mut config = RuntimeConfig::new(PathBuf::from(env!("CARGO_BIN_EXE_capsule-worker")), Vec::new());
    config.hard_deadline = Duration::from_millis(1500);
    config.memory_cap_bytes = 512 << 20;
    config.limits.sandbox.deadline = Duration::from_millis(300);
    config.limits.sandbox.memory_bytes = 64 << 20;
    Runtime::new(config, Arc::new(TestHost::new()), Arc::new(MemoryStorage::default()))
}

fn shop() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/shop")
}

/// A one-page app whose page has a `go` handler running `body`.
fn hostile_app(name: &str, body: &str) -> tempfile::TempDir {
    let dir = tempfile::Builder::new().prefix(name).tempdir().unwrap();
    let write = |path: &str, text: &str| {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    };
    write("app.json", r#"{"pages": ["pages/index/index"]}"#);
    write("app.js", "App({});");
    write("pages/index/index.json", "{}");
    write("pages/index/index.wxml", r#"<view id="go" bindtap="go">{{state}}</view>"#);
    write("pages/index/index.js", &format!("Page({{ data: {{ state: 'ready' }}, go() {{ {body} }} }});"));
    dir
}

fn tap(session: &capsule_runtime::worker::RemoteSession) -> Result<serde_json::Value, SessionError> {
    let view = session.view()?;
    let page = view["page"].as_u64().unwrap() as u32;
    session.event(page, &[0], &ViewEvent { kind: "tap".into(), ..ViewEvent::default() })
}

fn shop_still_serves(runtime: &Arc<Runtime>) {
    let session = runtime.launch(&shop(), &LaunchOptions::default(), Some("u".into())).unwrap();
    let view = session.view().unwrap();
    assert_eq!(view["stack"][0]["route"], "pages/index/index");
    assert!(view["tree"].to_string().contains("product-card"));
}

#[test]
fn sessions_run_in_workers_and_stream_updates() {
    let runtime = runtime();
    let session = runtime.launch(&shop(), &LaunchOptions::default(), Some("u".into())).unwrap();
    let view = session.view().unwrap();
    assert!(view["tree"].to_string().contains("Add to cart"));
    let answer =
        session.automation(json!({ "op": "select", "selector": "product-card", "all": true })).unwrap();
    assert!(answer.as_array().unwrap().len() >= 2, "{answer}");
    // Typing in the search box filters products through setData and a re-render.
    let input = session.automation(json!({ "op": "select", "selector": ".search-input" })).unwrap();
    let path: Vec<usize> = serde_json::from_value(input[0]["path"].clone()).unwrap();
    let page = view["page"].as_u64().unwrap() as u32;
    let event =
        ViewEvent { kind: "input".into(), detail: json!({ "value": "zzz-nothing" }), ..ViewEvent::default() };
    session.event(page, &path, &event).unwrap();
    let after = session.view().unwrap();
    assert!(after["tree"].to_string().contains("No products match"), "{after}");
    let updates = session.updates();
    assert!(updates.iter().any(|u| u["kind"] == "patches"), "{updates:?}");
}

#[test]
fn hostile_code_is_stopped_and_others_keep_serving() {
    let runtime = runtime();
    let cases = [
        ("loop", "while (true) {}"),
        ("memory", "var a = []; while (true) { a.push(new Array(1e6).fill(1)); }"),
        ("recursion", "function f() { return f() + 1; } f();"),
        ("join", "new Array(2e8).join('');"),
        (
            "stringify",
            "var o = { s: 'x'.repeat(1e6) }; var a = []; for (var i = 0; i < 1e4; i++) a.push(o); JSON.stringify(a);",
        ),
        (
            "tamper",
            "Object.prototype.setData = 1; JSON.stringify = function () { throw new Error('x'); }; wx.setStorageSync = null; this.setData({ state: 'tampered' });",
        ),
        (
            "reach",
            "var g = Function('return this')(); var found = [typeof process, typeof std, typeof os, typeof fetch, typeof XMLHttpRequest, typeof g.native, typeof g.sources].join(','); try { require('fs'); found += ',fs loaded'; } catch (e) { found += ',fs refused'; } this.setData({ state: found });",
        ),
    ];
    for (name, body) in cases {
        let app = hostile_app(name, body);
        let session = runtime.launch(app.path(), &LaunchOptions::default(), None).unwrap();
        let started = Instant::now();
        let result = tap(&session);
        let took = started.elapsed();
        assert!(took < Duration::from_secs(6), "{name} took {took:?}");
        match name {
            "reach" => {
                let view = session.view().unwrap();
                assert!(
                    view["tree"].to_string().contains(
                        "undefined,undefined,undefined,undefined,undefined,undefined,undefined,fs refused"
                    ),
                    "{view}"
                );
            }
            "tamper" => {
                // Tampering only hurts the app itself; the session survives.
                assert!(session.view().is_ok(), "{name}: {result:?}");
            }
            _ => {
                // Either the sandbox stopped the script (the session lives on) or the worker was
                // killed (the session reports it and may relaunch).
                match session.view() {
                    Ok(view) => assert!(view["tree"].to_string().contains("ready"), "{name}: {view}"),
                    Err(err) => {
                        assert!(matches!(err, SessionError::Stopped(_)), "{name}: {err}");
                        let again = runtime.launch(app.path(), &LaunchOptions::default(), None).unwrap();
                        assert!(again.view().is_ok(), "{name}: relaunch failed");
                    }
                }
            }
        }
        shop_still_serves(&runtime);
    }
}

#[test]
fn a_crashed_worker_fails_its_sessions_only_and_relaunches() {
    let runtime = runtime();
    let shop_session = runtime.launch(&shop(), &LaunchOptions::default(), Some("u".into())).unwrap();
    let app = hostile_app("crash", "this.setData({ state: 'tapped' });");
    let session = runtime.launch(app.path(), &LaunchOptions::default(), None).unwrap();
    let pid = runtime.worker_pid(app.path()).expect("a live worker");
    assert_ne!(Some(pid), runtime.worker_pid(&shop()), "one worker per mini-program");

    // The worker dies from outside (a crash, the OOM killer).
    let status = std::process::Command::new("kill").args(["-9", &pid.to_string()]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(5);
    while session.is_alive() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let err = session.view().unwrap_err();
    assert!(matches!(err, SessionError::Stopped(_)), "{err}");
    assert!(err.to_string().contains("relaunch"), "{err}");
    // Its update stream ends by saying so (what a browser's socket passes on).
    let updates = session.updates();
    let last = updates.last().expect("a last update");
    assert_eq!(last["kind"], "stopped", "{updates:?}");
    assert_eq!(last["text"], err.to_string());
    assert!(shop_session.updates().iter().all(|u| u["kind"] != "stopped"), "the shop's session was told");

    // The shop's live session never noticed.
    assert!(shop_session.view().unwrap()["tree"].to_string().contains("product-card"));
    // Relaunching starts a new worker that serves.
    let again = runtime.launch(app.path(), &LaunchOptions::default(), None).unwrap();
    assert_ne!(runtime.worker_pid(app.path()), Some(pid));
    tap(&again).unwrap();
    assert!(again.view().unwrap()["tree"].to_string().contains("tapped"));
}

#[test]
fn a_session_with_an_update_sink_gets_its_updates_there_and_polling_it_does_not_spin() {
    let runtime = runtime();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let into = seen.clone();
    let sink: capsule_runtime::worker::UpdateSink = Arc::new(move |update| into.lock().unwrap().push(update));
    let (session, view) =
        runtime.launch_with(&shop(), &LaunchOptions::default(), Some("u".into()), None, Some(sink)).unwrap();
    // The launch answers the view after it, counting the updates it sent (all already in the sink).
    assert_eq!(view["tree"], session.view().unwrap()["tree"]);
    assert_eq!(view["updates"], seen.lock().unwrap().len());
    let kinds: Vec<String> =
        seen.lock().unwrap().iter().map(|u| u["kind"].as_str().unwrap_or("").to_string()).collect();
    // The page's styles come before its first tree.
    let style = kinds.iter().position(|k| k == "style").expect("a style update");
    let render = kinds.iter().position(|k| k == "render").expect("a render update");
    assert!(style < render, "{kinds:?}");
    // Nothing arrives on the polling side; each poll still waits its time out.
    let started = Instant::now();
    for _ in 0..3 {
        assert!(session.next_update(Duration::from_millis(40)).is_none());
    }
    assert!(started.elapsed() >= Duration::from_millis(120), "{:?}", started.elapsed());
}

#[test]
fn a_worker_without_sessions_is_stopped_after_the_idle_timeout_and_one_with_a_session_is_not() {
    let mut config = RuntimeConfig::new(PathBuf::from(env!("CARGO_BIN_EXE_capsule-worker")), Vec::new());
    config.idle_worker_timeout = Duration::from_millis(300);
    let runtime = Runtime::new(config, Arc::new(TestHost::new()), Arc::new(MemoryStorage::default()));
    let process_exists = |pid: u32| Path::new(&format!("/proc/{pid}")).exists();
    // Once the timeout has passed a few times over, the idle workers are gone.
    let after_idle = || std::thread::sleep(Duration::from_millis(1500));

    // The shop is only preloaded; the other app has a session open.
    runtime.warm(&shop()).unwrap();
    let preloaded = runtime.worker_pid(&shop()).expect("the shop's worker");
    let app = hostile_app("idle", "this.setData({ state: 'tapped' });");
    let session = runtime.launch(app.path(), &LaunchOptions::default(), None).unwrap();
    let busy = runtime.worker_pid(app.path()).expect("the app's worker");
    after_idle();
    assert_eq!(runtime.worker_pid(&shop()), None, "the preloaded worker outlived its idle timeout");
    assert!(!process_exists(preloaded), "its process is still there");
    assert_eq!(runtime.worker_pid(app.path()), Some(busy), "a worker with a session was stopped");
    tap(&session).unwrap();
    assert!(session.view().unwrap()["tree"].to_string().contains("tapped"));

    // Once its session closes, that worker goes too; launching again starts a new one.
    session.close();
    after_idle();
    assert_eq!(runtime.worker_pid(app.path()), None);
    assert!(!process_exists(busy));
    shop_still_serves(&runtime);
    assert_ne!(runtime.worker_pid(&shop()), Some(preloaded));
}
