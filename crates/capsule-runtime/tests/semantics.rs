//! WeChat semantics on small purpose-built apps: the page stack, component lifetimes and
//! relations, slots and external classes, style scoping, mut-bind, storage quotas and isolation, and the
//! request policy.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use capsule_runtime::host::Reply;
use capsule_runtime::{
    AppBundle, Host, LaunchOptions, LocalSession, MemoryStorage, SessionScope, Storage, TestHost, ViewEvent,
};
use capsule_template::tree;
use serde_json::{Value as Json, json};

/// Writes an app whose `app.js` keeps a `log` array, plus `files`.
fn app(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    };
    write("app.js", "App({ log: [] });");
    for (path, text) in files {
        write(path, text);
    }
    dir
}

/// A page that logs its lifecycle as `NAME:hook`.
fn logging_page(name: &str) -> String {
    let hooks = ["onLoad", "onShow", "onReady", "onHide", "onUnload"]
        .map(|hook| format!("{hook}() {{ getApp().log.push('{name}:{hook}'); }}"))
        .join(", ");
    format!("Page({{ {hooks} }});")
}

fn launch_with(dir: &tempfile::TempDir, options: LaunchOptions, host: Arc<dyn Host>) -> LocalSession {
    let bundle = Arc::new(AppBundle::open(dir.path()).unwrap());
    LocalSession::launch(bundle, options, Some("u1".into()), host, Arc::new(MemoryStorage::default()))
        .unwrap()
}

fn launch(dir: &tempfile::TempDir) -> LocalSession {
    launch_with(dir, LaunchOptions::default(), Arc::new(TestHost::new()))
}

/// Runs `source` (a function expression) in the sandbox and returns its settled value.
fn eval(local: &mut LocalSession, source: &str) -> Json {
    let value = match local.session.evaluate(source, &json!([])).unwrap() {
        Ok(value) => value,
        Err(pending) => {
            local.pump();
            local.session.take_settled(pending).expect("the promise settled").1
        }
    };
    local.pump();
    value
}

/// Calls `wx.NAME(args)` without callbacks and returns the promise's outcome.
fn wx(local: &mut LocalSession, name: &str, args: Json) -> (bool, Json) {
    match local.session.call_wx(name, &json!([args])).unwrap() {
        Ok(value) => (true, value),
        Err(pending) => {
            local.pump();
            local.session.take_settled(pending).expect("the promise settled")
        }
    }
}

fn log(local: &mut LocalSession) -> Vec<String> {
    let entries =
        eval(local, "function () { var l = getApp().log.slice(); getApp().log.length = 0; return l; }");
    serde_json::from_value(entries).unwrap()
}

fn routes(local: &LocalSession) -> Vec<String> {
    local.session.page_stack().into_iter().map(|p| p.route).collect()
}

fn tree_text(local: &LocalSession) -> String {
    tree::to_json(&local.session.tree(local.session.current_page().unwrap().id)).to_string()
}

fn tap(local: &mut LocalSession, selector: &str) {
    let page = local.session.current_page().unwrap().id;
    let selector = capsule_runtime::Selector::parse(selector).unwrap();
    let path = local
        .session
        .with_view(page, |nodes| capsule_runtime::view::select(nodes, &selector, None, false))
        .into_iter()
        .next()
        .expect("the selector matches");
    local.session.dispatch(page, &path, &ViewEvent { kind: "tap".into(), ..ViewEvent::default() }).unwrap();
    local.pump();
}

#[test]
fn page_stack_routing_and_its_limit() {
    let a = logging_page("a");
    let b = logging_page("b");
    let dir = app(&[
        ("app.json", r#"{"pages": ["pages/a/a", "pages/b/b"]}"#),
        ("pages/a/a.wxml", "<view>a</view>"),
        ("pages/a/a.js", &a),
        ("pages/b/b.wxml", "<view>b</view>"),
        ("pages/b/b.js", &b),
    ]);
    let mut local = launch(&dir);
    assert_eq!(log(&mut local), ["a:onLoad", "a:onShow", "a:onReady"]);

    // navigateTo hides the opener; nine more pages fit, the eleventh does not.
    for _ in 0..9 {
        assert!(wx(&mut local, "navigateTo", json!({ "url": "/pages/b/b?n=1" })).0);
    }
    assert_eq!(routes(&local).len(), 10);
    assert_eq!(&log(&mut local)[..4], ["a:onHide", "b:onLoad", "b:onShow", "b:onReady"]);
    let (ok, error) = wx(&mut local, "navigateTo", json!({ "url": "/pages/b/b" }));
    assert!(!ok, "{error}");
    assert_eq!(error["errMsg"], "navigateTo:fail webview count limit exceed");
    assert_eq!(routes(&local).len(), 10);

    // navigateBack with a delta past the bottom stops at the first page, unloading the rest.
    assert!(wx(&mut local, "navigateBack", json!({ "delta": 50 })).0);
    assert_eq!(routes(&local), ["pages/a/a"]);
    let entries = log(&mut local);
    assert_eq!(entries.iter().filter(|e| *e == "b:onUnload").count(), 9);
    assert_eq!(entries.last().unwrap(), "a:onShow");
    let (ok, error) = wx(&mut local, "navigateBack", json!({}));
    assert!(!ok);
    assert_eq!(error["errMsg"], "navigateBack:fail cannot navigate back at first page.");

    // redirectTo replaces the top page: it unloads, the new one loads, the depth stays.
    assert!(wx(&mut local, "navigateTo", json!({ "url": "/pages/b/b" })).0);
    log(&mut local);
    assert!(wx(&mut local, "redirectTo", json!({ "url": "/pages/a/a?from=b" })).0);
    assert_eq!(routes(&local), ["pages/a/a", "pages/a/a"]);
    assert_eq!(log(&mut local), ["b:onUnload", "a:onLoad", "a:onShow", "a:onReady"]);
    assert_eq!(local.session.page_stack()[1].query.get("from").map(String::as_str), Some("b"));

    // reLaunch unloads every page and opens one.
    assert!(wx(&mut local, "reLaunch", json!({ "url": "/pages/b/b" })).0);
    assert_eq!(routes(&local), ["pages/b/b"]);
    let entries = log(&mut local);
    assert_eq!(entries.iter().filter(|e| *e == "a:onUnload").count(), 2, "{entries:?}");
    assert_eq!(&entries[2..], ["b:onLoad", "b:onShow", "b:onReady"]);

    // An unknown page fails with WeChat's text and changes nothing.
    let (ok, error) = wx(&mut local, "redirectTo", json!({ "url": "/pages/nope/nope" }));
    assert!(!ok);
    assert_eq!(error["errMsg"], "redirectTo:fail page \"pages/nope/nope\" is not found");
    assert_eq!(routes(&local), ["pages/b/b"]);
}

#[test]
fn component_lifetimes_moved_and_detached() {
    let item = r#"Component({
        properties: { name: String },
        lifetimes: {
            created() { getApp().log.push('created'); },
            attached() { getApp().log.push('attached:' + this.data.name); },
            ready() { getApp().log.push('ready:' + this.data.name); },
            moved() { getApp().log.push('moved:' + this.data.name); },
            detached() { getApp().log.push('detached:' + this.data.name); }
        }
    });"#;
    let dir = app(&[
        ("app.json", r#"{"pages": ["pages/index/index"]}"#),
        ("components/item/item.json", r#"{"component": true}"#),
        ("components/item/item.wxml", "<text>{{name}}</text>"),
        ("components/item/item.js", item),
        ("pages/index/index.json", r#"{"usingComponents": {"item": "/components/item/item"}}"#),
        ("pages/index/index.wxml", r#"<item wx:for="{{names}}" wx:key="*this" name="{{item}}" />"#),
        ("pages/index/index.js", "Page({ data: { names: ['x', 'y', 'z'] } });"),
    ]);
    let mut local = launch(&dir);
    let entries = log(&mut local);
    assert_eq!(entries.iter().filter(|e| *e == "created").count(), 3);
    assert!(entries.contains(&"attached:x".to_string()) && entries.contains(&"ready:z".to_string()));

    // Reordering keyed components moves them (no re-creation); removing one detaches it.
    eval(&mut local, "function () { getCurrentPages()[0].setData({ names: ['z', 'x', 'y'] }); }");
    let entries = log(&mut local);
    assert!(entries.iter().any(|e| e.starts_with("moved:")), "{entries:?}");
    assert!(!entries.iter().any(|e| e == "created" || e.starts_with("detached")), "{entries:?}");
    assert!(tree_text(&local).find("\"z\"").unwrap() < tree_text(&local).find("\"x\"").unwrap());

    eval(&mut local, "function () { getCurrentPages()[0].setData({ names: ['z', 'y'] }); }");
    let entries = log(&mut local);
    assert!(entries.contains(&"detached:x".to_string()), "{entries:?}");
    assert!(!entries.iter().any(|e| e == "created"), "{entries:?}");
}

#[test]
fn relations_link_parents_and_children() {
    let list = r#"Component({
        relations: { '../list-item/list-item': { type: 'child',
            linked(child) { getApp().log.push('list linked ' + child.data.label); },
            unlinked(child) { getApp().log.push('list unlinked ' + child.data.label); } } },
        methods: { count() { return this.getRelationNodes('../list-item/list-item').length; } }
    });"#;
    let list_item = r#"Component({
        properties: { label: String },
        relations: { '../list/list': { type: 'parent',
            linked(parent) { getApp().log.push('item linked ' + this.data.label); } } }
    });"#;
    let dir = app(&[
        ("app.json", r#"{"pages": ["pages/index/index"]}"#),
        ("components/list/list.json", r#"{"component": true}"#),
        ("components/list/list.wxml", "<view class=\"list\"><slot /></view>"),
        ("components/list/list.js", list),
        ("components/list-item/list-item.json", r#"{"component": true}"#),
        ("components/list-item/list-item.wxml", "<view>{{label}}</view>"),
        ("components/list-item/list-item.js", list_item),
        (
            "pages/index/index.json",
            r#"{"usingComponents": {"list": "/components/list/list", "list-item": "/components/list-item/list-item"}}"#,
        ),
        (
            "pages/index/index.wxml",
            r#"<list id="l"><list-item wx:for="{{labels}}" wx:key="*this" label="{{item}}" /></list>"#,
        ),
        ("pages/index/index.js", "Page({ data: { labels: ['one', 'two'] } });"),
    ]);
    let mut local = launch(&dir);
    let entries = log(&mut local);
    for expected in ["list linked one", "list linked two", "item linked one", "item linked two"] {
        assert!(entries.contains(&expected.to_string()), "{expected} missing from {entries:?}");
    }
    let count = "function () { return getCurrentPages()[0].selectComponent('#l').count(); }";
    assert_eq!(eval(&mut local, count), json!(2));
    eval(&mut local, "function () { getCurrentPages()[0].setData({ labels: ['two'] }); }");
    let entries = log(&mut local);
    assert!(entries.contains(&"list unlinked one".to_string()), "{entries:?}");
    assert_eq!(eval(&mut local, count), json!(1));
}

#[test]
fn named_slots_and_external_classes() {
    let dir = app(&[
        ("app.json", r#"{"pages": ["pages/index/index"]}"#),
        ("components/panel/panel.json", r#"{"component": true}"#),
        (
            "components/panel/panel.wxml",
            r#"<view class="head title-class"><slot name="head" /></view><view class="body"><slot /></view>"#,
        ),
        (
            "components/panel/panel.js",
            "Component({ options: { multipleSlots: true }, externalClasses: ['title-class'] });",
        ),
        ("pages/index/index.json", r#"{"usingComponents": {"panel": "/components/panel/panel"}}"#),
        (
            "pages/index/index.wxml",
            r#"<panel title-class="big-red"><view>BODY</view><view slot="head">HEAD</view></panel>"#,
        ),
        ("pages/index/index.js", "Page({});"),
    ]);
    let local = launch(&dir);
    let text = tree_text(&local);
    // The head slot's content lands in the head wrapper although it comes second in the page.
    let head = text.find("HEAD").expect("head content rendered");
    let body = text.find("BODY").expect("body content rendered");
    assert!(head < body, "{text}");
    // The external class is replaced by the page's class on the component's element.
    assert!(text.contains("big-red"), "{text}");
    assert!(!text.contains("title-class"), "{text}");
}

#[test]
fn mut_bind_is_exclusive_and_capture_runs_first() {
    let page = r#"Page({
        outer() { getApp().log.push('outer mut-bind'); },
        middle() { getApp().log.push('middle bind'); },
        inner() { getApp().log.push('inner mut-bind'); },
        capture() { getApp().log.push('outer capture'); }
    });"#;
    let dir = app(&[
        ("app.json", r#"{"pages": ["pages/index/index"]}"#),
        (
            "pages/index/index.wxml",
            r#"<view id="outer" mut-bind:tap="outer" capture-bind:tap="capture">
                 <view id="middle" bindtap="middle"><view id="inner" mut-bind:tap="inner">go</view></view>
               </view>"#,
        ),
        ("pages/index/index.js", page),
    ]);
    let mut local = launch(&dir);
    log(&mut local);
    tap(&mut local, "#inner");
    // Capture first; then the bubble: one mut-bind handler per event, plain binds still run.
    assert_eq!(log(&mut local), ["outer capture", "inner mut-bind", "middle bind"]);
    tap(&mut local, "#middle");
    assert_eq!(log(&mut local), ["outer capture", "middle bind", "outer mut-bind"]);
}

#[test]
fn storage_quotas_and_isolation_per_app_and_user() {
    let dir = app(&[
        ("app.json", r#"{"pages": ["pages/index/index"]}"#),
        ("pages/index/index.wxml", "<view />"),
        ("pages/index/index.js", "Page({});"),
    ]);
    let bundle = Arc::new(AppBundle::open(dir.path()).unwrap());
    let storage: Arc<dyn Storage> = Arc::new(MemoryStorage::default());
    let session = |app_id: &str, user: &str| {
        let options = LaunchOptions { app_id: app_id.into(), ..LaunchOptions::default() };
        LocalSession::launch(
            bundle.clone(),
            options,
            Some(user.into()),
            Arc::new(TestHost::new()),
            storage.clone(),
        )
        .unwrap()
    };
    let mut alice = session("app-1", "alice");
    let mut bob = session("app-1", "bob");
    let mut alice_elsewhere = session("app-2", "alice");

    assert_eq!(eval(&mut alice, "function () { wx.setStorageSync('k', { n: 1 }); return 0; }"), json!(0));
    assert_eq!(eval(&mut alice, "function () { return wx.getStorageSync('k'); }"), json!({ "n": 1 }));
    assert_eq!(eval(&mut bob, "function () { return wx.getStorageSync('k'); }"), json!(""));
    assert_eq!(eval(&mut alice_elsewhere, "function () { return tt.getStorageSync('k'); }"), json!(""));

    // One key over 1 MB fails, synchronously and asynchronously, and keeps the old value.
    let too_big = "function () { try { wx.setStorageSync('k', 'x'.repeat(1100000)); return 'stored'; } \
                   catch (e) { return e.message; } }";
    let error = eval(&mut alice, too_big);
    assert!(error.as_str().unwrap().contains("per key"), "{error}");
    let (ok, error) = wx(&mut alice, "setStorage", json!({ "key": "k", "data": "x".repeat(1_100_000) }));
    assert!(!ok);
    assert!(error["errMsg"].as_str().unwrap().starts_with("setStorage:fail "), "{error}");
    assert_eq!(wx(&mut alice, "getStorage", json!({ "key": "k" })).1["data"], json!({ "n": 1 }));

    // Ten keys of ~1 MB fill the 10 MB quota; the eleventh fails. Bob's quota is his own.
    let fill = "function () { for (var i = 0; i < 11; i++) { try { wx.setStorageSync('big' + i, \
                'y'.repeat(1000000)); } catch (e) { return i + ': ' + e.message; } } return 'all stored'; }";
    let error = eval(&mut alice, fill);
    assert!(error.as_str().unwrap().starts_with("10: "), "{error}");
    assert!(error.as_str().unwrap().contains("max size"), "{error}");
    assert_eq!(eval(&mut bob, fill), json!("10: setStorageSync:fail exceed storage max size 10Mb"));
    let info = eval(&mut alice, "function () { return wx.getStorageInfoSync(); }");
    assert_eq!(info["limitSize"], json!(10240));
    assert_eq!(info["keys"].as_array().unwrap().len(), 11);
}

/// A host that holds request replies until the test releases them.
#[derive(Default)]
struct HoldingHost {
    held: Mutex<Vec<(String, Reply)>>,
}

impl Host for HoldingHost {
    fn call(&self, _scope: &SessionScope, api: &str, args: Json, reply: Reply) {
        if api == "request" {
            let url = args["url"].as_str().unwrap_or_default().to_string();
            self.held.lock().unwrap().push((url, reply));
        } else {
            TestHost::new().call(_scope, api, args, reply);
        }
    }
}

#[test]
fn requests_follow_the_domain_list_concurrency_and_timeout() {
    let dir = app(&[
        ("app.json", r#"{"pages": ["pages/index/index"]}"#),
        ("pages/index/index.wxml", "<view>{{status}}</view>"),
        (
            "pages/index/index.js",
            r#"Page({ data: { status: 'idle' },
                fetch(url, timeout) {
                    var page = this;
                    return new Promise(function (resolve) {
                        wx.request({ url: url, timeout: timeout,
                            success(res) { page.setData({ status: res.data.msg }); resolve('ok ' + res.statusCode); },
                            fail(err) { resolve(err.errMsg); } });
                    });
                },
                abortable(url) {
                    return new Promise(function (resolve) {
                        var task = wx.request({ url: url, fail(err) { resolve(err.errMsg); } });
                        task.abort();
                    });
                } });"#,
        ),
    ]);
    let host = Arc::new(HoldingHost::default());
    let options =
        LaunchOptions { request_domains: Some(vec!["api.example.com".into()]), ..LaunchOptions::default() };
    let mut local = launch_with(&dir, options, host.clone());
    let fetch = |local: &mut LocalSession, url: &str, timeout: u64| {
        let page = local.session.current_page().unwrap().id;
        local.session.call_method(page, "fetch", &json!([url, timeout])).unwrap().unwrap_err()
    };
    let outcome = |local: &mut LocalSession, pending: u64| {
        local.pump();
        local.session.take_settled(pending).map(|(_, value)| value)
    };

    // Outside the list, or not https: refused without reaching the host.
    let p = fetch(&mut local, "http://api.example.com/x", 5000);
    assert_eq!(
        outcome(&mut local, p).unwrap(),
        "request:fail url not in domain list: http://api.example.com/x (only https is allowed)"
    );
    let p = fetch(&mut local, "https://evil.example.net/x", 5000);
    assert_eq!(
        outcome(&mut local, p).unwrap(),
        "request:fail url not in domain list: https://evil.example.net/x"
    );
    assert!(host.held.lock().unwrap().is_empty());

    // Ten in flight at most.
    let pending: Vec<u64> =
        (0..10).map(|i| fetch(&mut local, &format!("https://api.example.com/{i}"), 60_000)).collect();
    let p = fetch(&mut local, "https://api.example.com/eleventh", 5000);
    assert_eq!(outcome(&mut local, p).unwrap(), "request:fail exceed max concurrent requests (10)");
    assert_eq!(host.held.lock().unwrap().len(), 10);

    // An answer reaches the page; a slot frees up.
    let (url, reply) = host.held.lock().unwrap().remove(0);
    assert_eq!(url, "https://api.example.com/0");
    reply(Ok(json!({ "data": { "msg": "hello" }, "statusCode": 200, "header": {} })));
    assert_eq!(outcome(&mut local, pending[0]).unwrap(), "ok 200");
    assert!(tree_text(&local).contains("hello"));

    // A request the host never answers fails with `timeout` at its deadline.
    let p = fetch(&mut local, "https://api.example.com/slow", 50);
    assert!(outcome(&mut local, p).is_none());
    local.run_for(Duration::from_millis(200));
    assert_eq!(local.session.take_settled(p).unwrap().1, "request:fail timeout");

    // RequestTask.abort fails the request with `abort` and frees its slot.
    let page = local.session.current_page().unwrap().id;
    let p = local
        .session
        .call_method(page, "abortable", &json!(["https://api.example.com/a"]))
        .unwrap()
        .unwrap_err();
    assert_eq!(outcome(&mut local, p).unwrap(), "request:fail abort");
}

#[test]
fn app_and_page_events_wxs_timers_and_set_data_rules() {
    let page = r#"Page({
        data: { n: 1, items: [] },
        onLoad(query) { getApp().log.push('load ' + query.x); },
        onPullDownRefresh() { getApp().log.push('pull'); wx.stopPullDownRefresh(); },
        onReachBottom() { getApp().log.push('bottom'); },
        onPageScroll(e) { getApp().log.push('scroll ' + e.scrollTop); },
        onShareAppMessage(res) { return { title: 'Share ' + this.data.n, path: '/pages/index/index?x=2' }; },
        bump() {
            var page = this;
            this.setData({ n: this.data.n + 1 }, function () { getApp().log.push('rendered ' + page.data.n); });
            getApp().log.push('after setData');
        },
        later() {
            setTimeout(function () { getApp().log.push('timeout'); }, 10);
            wx.nextTick(function () { getApp().log.push('tick'); });
            getApp().log.push('sync');
        },
        boom() { throw new Error('kaboom'); }
    });"#;
    let dir = app(&[
        ("app.json", r#"{"pages": ["pages/index/index"]}"#),
        (
            "app.js",
            r#"App({ log: [],
                onLaunch(o) { this.log.push('app launch ' + o.path); },
                onShow() { this.log.push('app show'); },
                onError(text) { this.log.push('app error ' + text.split('\n')[0]); },
                onPageNotFound(res) {
                    this.log.push('not found ' + res.path);
                    wx.redirectTo({ url: '/pages/index/index?x=' + res.query.x });
                } });"#,
        ),
        (
            "pages/index/fmt.wxs",
            "module.exports = { price: function (n) { return '¥' + (n * 10).toFixed(2); } };",
        ),
        (
            "pages/index/index.wxml",
            r#"<wxs src="./fmt.wxs" module="fmt" /><view id="price">{{fmt.price(n)}}</view><view id="boom" bindtap="boom">!</view>"#,
        ),
        ("pages/index/index.js", page),
    ]);
    // A launch at a missing page goes to App.onPageNotFound, which redirects.
    let options =
        LaunchOptions { route: Some("pages/gone/gone".into()), query: "x=1".into(), ..Default::default() };
    let mut local = launch_with(&dir, options, Arc::new(TestHost::new()));
    let entries = log(&mut local);
    assert_eq!(entries[..2], ["app launch pages/gone/gone", "app show"], "{entries:?}");
    assert_eq!(entries[2..], ["not found pages/gone/gone", "load 1"], "{entries:?}");
    assert_eq!(routes(&local), ["pages/index/index"]);

    // WXS runs in the sandbox and renders.
    assert!(tree_text(&local).contains("¥10.00"), "{}", tree_text(&local));
    // The setData callback runs after the render, not during the call.
    let page = local.session.current_page().unwrap().id;
    local.session.call_method(page, "bump", &json!([])).unwrap().unwrap();
    local.pump();
    assert_eq!(log(&mut local), ["after setData", "rendered 2"]);
    assert!(tree_text(&local).contains("¥20.00"));

    // Page events reach the page; onShareAppMessage's value comes back.
    local.session.page_event("onPullDownRefresh", None);
    local.session.page_event("onReachBottom", None);
    local.session.page_event("onPageScroll", Some(&json!({ "scrollTop": 120 })));
    let share = local.session.page_event("onShareAppMessage", Some(&json!({ "from": "menu" }))).unwrap();
    assert_eq!(share["title"], "Share 2");
    assert_eq!(log(&mut local), ["pull", "bottom", "scroll 120"]);

    // nextTick before timers; timers on the session's loop.
    local.session.call_method(page, "later", &json!([])).unwrap().unwrap();
    local.run_for(Duration::from_millis(100));
    assert_eq!(log(&mut local), ["sync", "tick", "timeout"]);

    // An uncaught error in a handler reaches App.onError; the session carries on.
    tap(&mut local, "#boom");
    let entries = log(&mut local);
    assert!(entries.iter().any(|e| e.contains("kaboom")), "{entries:?}");

    // setData over 1 MB is refused with a RangeError and changes nothing.
    let huge = "function () { try { getCurrentPages()[0].setData({ items: 'z'.repeat(1100000) }); return 'set'; } \
                catch (e) { return e.name + ': ' + e.message; } }";
    let error = eval(&mut local, huge);
    assert!(error.as_str().unwrap().starts_with("RangeError: setData: the data is"), "{error}");
    assert_eq!(local.session.data(page, Some("items")).unwrap(), json!([]));
    // `wx` and `tt` are one object.
    assert_eq!(eval(&mut local, "function () { return wx === tt; }"), json!(true));
}

#[test]
fn host_apis_answer_with_promises_or_callbacks_and_wechat_err_msgs() {
    let dir = app(&[
        ("app.json", r#"{"pages": ["pages/index/index"]}"#),
        ("pages/index/index.wxml", "<view />"),
        ("pages/index/index.js", "Page({});"),
    ]);
    let host = Arc::new(TestHost::new());
    host.answer("requestPayment", Err("cancel".into()));
    host.answer("scanCode", Ok(json!({ "result": "https://example.test/s/abc", "scanType": "QR_CODE" })));
    let mut local = launch_with(&dir, LaunchOptions::default(), host.clone());

    // Promise form: resolves with the host's answer plus `errMsg: "name:ok"`.
    for (api, args) in [
        ("showToast", json!({ "title": "Hi", "icon": "none" })),
        ("showModal", json!({ "title": "Sure?", "content": "Really" })),
        ("showLoading", json!({ "title": "Wait" })),
        ("hideLoading", json!({})),
        ("showActionSheet", json!({ "itemList": ["A", "B"] })),
        ("setNavigationBarTitle", json!({ "title": "New" })),
        ("setNavigationBarColor", json!({ "frontColor": "#ffffff", "backgroundColor": "#000000" })),
        ("stopPullDownRefresh", json!({})),
        ("pageScrollTo", json!({ "scrollTop": 0 })),
        ("showShareMenu", json!({})),
        ("login", json!({})),
        ("getUserProfile", json!({ "desc": "profile" })),
        ("scanCode", json!({})),
    ] {
        let (ok, value) = wx(&mut local, api, args.clone());
        assert!(ok, "{api}: {value}");
        assert_eq!(value["errMsg"], format!("{api}:ok"), "{api}: {value}");
        let seen = host.calls();
        assert!(
            seen.iter().any(|(name, given)| name == api && given == &args),
            "{api} not delegated: {seen:?}"
        );
    }
    assert_eq!(wx(&mut local, "showModal", json!({ "title": "x" })).1["confirm"], true);
    assert_eq!(wx(&mut local, "login", json!({})).1["code"], "test-code");
    assert_eq!(wx(&mut local, "scanCode", json!({})).1["result"], "https://example.test/s/abc");

    // Rejections carry `name:fail reason`; unsupported APIs fail the same way.
    let (ok, value) = wx(&mut local, "requestPayment", json!({ "timeStamp": "1" }));
    assert!(!ok);
    assert_eq!(value["errMsg"], "requestPayment:fail cancel");
    let (ok, value) = wx(&mut local, "navigateToMiniProgram", json!({ "appId": "other" }));
    assert!(!ok);
    assert_eq!(value["errMsg"], "navigateToMiniProgram:fail not supported by this host");

    // Callback form: success/fail then complete, in that order, and no promise.
    let callbacks = r#"function () {
        var seen = [];
        var returned = tt.pay({ orderInfo: { order_id: 'o1' }, service: 5,
            success(r) { seen.push('success ' + r.errMsg); },
            fail(r) { seen.push('fail ' + r.errMsg); },
            complete(r) { seen.push('complete ' + r.errMsg); getApp().log.push(seen.join(' | ')); } });
        wx.showToast({ title: 't', success(r) { getApp().log.push('toast ' + r.errMsg); } });
        return typeof returned === 'object' && returned !== null && typeof returned.then === 'function';
    }"#;
    host.answer("pay", Ok(json!({ "code": 0 })));
    assert_eq!(eval(&mut local, callbacks), json!(false));
    assert_eq!(log(&mut local), ["success pay:ok | complete pay:ok", "toast showToast:ok"]);
}

/// The CSS sent for a page so far, in order.
fn styles(local: &LocalSession) -> String {
    local
        .take_updates()
        .into_iter()
        .filter_map(|update| match update {
            capsule_runtime::Update::Style { css, .. } => Some(css),
            _ => None,
        })
        .collect()
}

#[test]
fn styles_are_scoped_per_component_with_wechat_isolation() {
    let dir = app(&[
        ("app.json", r#"{"pages": ["pages/index/index"]}"#),
        ("app.wxss", "@import 'common.wxss';\npage { color: #333; }"),
        ("common.wxss", ".shared-look { margin: 10rpx; }"),
        (
            "pages/index/index.json",
            r#"{"usingComponents": {"iso": "/c/iso", "apply": "/c/apply", "share": "/c/share", "late": "/c/late"}}"#,
        ),
        (
            "pages/index/index.wxml",
            r#"<view class="pg" hover-class="pressed" style="width: 375rpx"><iso class="h" ext="big"/><apply/><share/><view wx:if="{{later}}"><late/></view></view>"#,
        ),
        (
            "pages/index/index.js",
            "Page({ data: { later: false }, show() { this.setData({ later: true }); } });",
        ),
        ("pages/index/index.wxss", ".pg { padding: 2rpx; }"),
        ("c/iso.wxml", r#"<view class="t ext" hover-class="down">iso</view>"#),
        ("c/iso.js", "Component({ externalClasses: ['ext'] });"),
        ("c/iso.wxss", ":host { display: block; } .t { color: red; }"),
        (
            "c/apply.wxml",
            r#"<view class="t" hover-class="down">apply</view><view hover-class="none">x</view>"#,
        ),
        ("c/apply.js", "Component({ options: { addGlobalClass: true } });"),
        ("c/apply.wxss", ".t { color: green; }"),
        ("c/share.json", r#"{"component": true, "styleIsolation": "shared"}"#),
        ("c/share.wxml", r#"<view class="t">share</view>"#),
        ("c/share.js", "Component({});"),
        ("c/share.wxss", ".t { color: blue; }"),
        ("c/late.wxml", "<view class=\"l\">late</view>"),
        ("c/late.js", "Component({});"),
        ("c/late.wxss", ".l { color: gray; }"),
    ]);
    let mut local = launch(&dir);
    let css = styles(&local);
    // app first (with its import inlined), then components, then the page.
    let order = ["shared-look", "wx-page", ".c-iso {", ".c-iso--t", ".c-apply--t", ".t {", ".pg"];
    let found: Vec<usize> =
        order.iter().map(|s| css.find(s).unwrap_or_else(|| panic!("{s} in {css}"))).collect();
    assert!(found.windows(2).all(|w| w[0] < w[1]), "{css}");
    assert!(css.contains("margin: calc(10 * var(--capsule-rpx, .5px))"), "{css}");
    assert!(!css.contains(".l {") && !css.contains("late"), "late is not on the page yet: {css}");

    let text = tree_text(&local);
    // Isolated: prefixed only; its external class is the page's, unprefixed; the host carries the prefix.
    assert!(text.contains(r#""class":"c-iso--t big""#), "{text}");
    assert!(text.contains(r#""class":"h c-iso""#), "{text}");
    // apply-shared and shared: prefixed and plain, so page styles reach them.
    assert!(text.contains(r#""class":"c-apply--t t""#), "{text}");
    assert!(text.contains(r#""class":"c-share--t t""#), "{text}");
    // hover-class is scoped as class is ("none" stays "none").
    assert!(text.contains(r#""hoverClass":"c-iso--down""#), "{text}");
    assert!(text.contains(r#""hoverClass":"c-apply--down down""#), "{text}");
    assert!(text.contains(r#""hoverClass":"none""#), "{text}");
    // Page nodes as written; rpx in inline styles becomes CSS.
    assert!(text.contains(r#""class":"pg""#), "{text}");
    assert!(text.contains(r#""hoverClass":"pressed""#), "{text}");
    assert!(text.contains("width: calc(375 * var(--capsule-rpx, 0.5px))"), "{text}");

    // A component appearing later brings its sheet, once.
    eval(&mut local, "function () { getCurrentPages()[0].show(); }");
    let css = styles(&local);
    assert!(css.contains(".c-late--l"), "{css}");
    assert!(!css.contains("wx-page"), "only the new sheet: {css}");
}

#[test]
fn marks_merge_along_the_path_and_stop_at_a_component() {
    let dir = app(&[
        ("app.json", r#"{"pages": ["pages/index/index"]}"#),
        ("pages/index/index.json", r#"{"usingComponents": {"card": "/components/card/card"}}"#),
        (
            "pages/index/index.wxml",
            r#"<view mark:where="page" mark:list="outer" bindtap="pageTap"><card mark:card="c1" /></view>"#,
        ),
        (
            "pages/index/index.js",
            "Page({ pageTap(e) { getApp().log.push('page ' + JSON.stringify(e.mark)); } });",
        ),
        ("components/card/card.json", r#"{"component": true}"#),
        (
            "components/card/card.wxml",
            r#"<view mark:where="card"><view id="buy" mark:action="buy" bindtap="cardTap">buy</view></view>"#,
        ),
        (
            "components/card/card.js",
            "Component({ methods: { cardTap(e) { getApp().log.push('card ' + JSON.stringify(e.mark)); } } });",
        ),
    ]);
    let mut local = launch(&dir);
    log(&mut local);
    tap(&mut local, "#buy");
    // The component sees only its own marks; the page sees the whole path, inner names winning.
    assert_eq!(
        log(&mut local),
        [
            r#"card {"where":"card","action":"buy"}"#,
            r#"page {"list":"outer","where":"card","card":"c1","action":"buy"}"#
        ]
    );
}

#[test]
fn an_input_handler_that_returns_text_replaces_the_field() {
    let dir = app(&[
        ("app.json", r#"{"pages": ["pages/index/index"]}"#),
        (
            "pages/index/index.wxml",
            r#"<input id="code" bindinput="upper" /><input id="plain" bindinput="keep" />"#,
        ),
        (
            "pages/index/index.js",
            "Page({ upper(e) { return e.detail.value.toUpperCase(); }, keep(e) { this.seen = e.detail.value; } });",
        ),
    ]);
    let mut local = launch(&dir);
    let page = local.session.current_page().unwrap().id;
    local.take_updates();
    let input = |value: &str| ViewEvent {
        kind: "input".into(),
        detail: json!({ "value": value, "cursor": value.len() }),
        ..ViewEvent::default()
    };
    local.session.dispatch(page, &[0], &input("ab12")).unwrap();
    local.pump();
    let values = |local: &LocalSession| -> Vec<(Vec<usize>, String, String)> {
        local
            .take_updates()
            .into_iter()
            .filter_map(|update| match update {
                capsule_runtime::Update::Value { path, value, typed, .. } => Some((path, value, typed)),
                _ => None,
            })
            .collect()
    };
    assert_eq!(values(&local), [(vec![0], "AB12".to_string(), "ab12".to_string())]);
    // A handler that returns nothing leaves the field to the person.
    local.session.dispatch(page, &[1], &input("xy")).unwrap();
    local.pump();
    assert!(values(&local).is_empty());
}
