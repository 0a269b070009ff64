//! The server on a real port: the feed, search, opening a mini-program with its first frame,
//! and its WebSocket (an event in, patches and a host call out, the reply back).

mod support;

use std::time::Duration;

use serde_json::{Value as Json, json};
use support::{http, json_of};

/// Opens the shop for a browser without a device cookie; its answer, the first frame.
fn open_shop(addr: &str) -> Json {
    let (status, _, body) =
        http(addr, "POST", "/api/sessions", Some(&json!({ "appid": "tt0000000000shop" })));
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    json_of(&body)
}

type Socket = tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<std::net::TcpStream>>;

/// A session's WebSocket, whose reads give up after 10 s.
fn connect(url: &str) -> Socket {
    let (socket, _) = tungstenite::connect(url).unwrap();
    if let tungstenite::stream::MaybeTlsStream::Plain(stream) = socket.get_ref() {
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    }
    socket
}

#[test]
fn the_host_app_serves_its_page_assets_feed_and_search() {
    let server = support::start();
    let addr = server.addr.clone();
    let (status, head, body) = http(&addr, "GET", "/", None);
    assert_eq!(status, 200);
    assert!(head.to_ascii_lowercase().contains("content-type: text/html"));
    assert!(String::from_utf8_lossy(&body).contains("/static/host.js"));
    // Cross-origin isolated, page and worker, so the page can share memory with the worker
    // that holds its sessions' sockets.
    let isolated = |head: &str| {
        let head = head.to_ascii_lowercase();
        head.contains("cross-origin-opener-policy: same-origin")
            && head.contains("cross-origin-embedder-policy: credentialless")
    };
    assert!(isolated(&head), "{head}");
    let (status, head, _) = http(&addr, "GET", "/static/socket-worker.js", None);
    assert!(status == 200 && isolated(&head), "{head}");
    assert_eq!(http(&addr, "GET", "/static/container.js", None).0, 200);
    let (status, head, video) = http(&addr, "GET", "/media/shop-promo.mp4", None);
    assert_eq!(status, 200);
    assert!(head.contains("video/mp4") && video.len() > 1000);
    assert_eq!(http(&addr, "GET", "/static/nope.js", None).0, 404);

    let feed = json_of(&http(&addr, "GET", "/api/feed", None).2);
    let anchored: Vec<&Json> =
        feed["videos"].as_array().unwrap().iter().filter(|v| !v["anchor"].is_null()).collect();
    assert_eq!(anchored.len(), 4);
    assert_eq!(anchored[0]["anchor"]["name"], "Capsule Shop");
    // One anchor opens a film's own page: its path and query reach the page's onLoad.
    let film = anchored.iter().find(|v| v["anchor"]["path"] == "pages/film/film").expect("the film anchor");
    assert_eq!(film["anchor"]["query"], "id=f1");
    let launch = json!({ "appid": film["anchor"]["appid"], "path": "pages/film/film", "query": "id=f1" });
    let opened = json_of(&http(&addr, "POST", "/api/sessions", Some(&launch)).2);
    let html = opened["html"].as_str().unwrap();
    assert!(html.contains("The Grinch") && html.contains("86 min"), "{html}");

    let found = json_of(&http(&addr, "GET", "/api/search?q=tea", None).2);
    assert_eq!(found["miniapps"][0]["name"], "Capsule Shop");
    assert!(!found["videos"].as_array().unwrap().is_empty());
    let none = json_of(&http(&addr, "GET", "/api/search?q=zzzz", None).2);
    assert_eq!(none["miniapps"], json!([]));
}

#[test]
fn preloading_starts_the_mini_programs_worker_once_and_opening_it_then_starts_no_other() {
    let server = support::start();
    let addr = server.addr.clone();
    assert_eq!(server.runtime.worker_pids().len(), 0, "no worker before anything is asked");
    let shop = json!({ "appid": "tt0000000000shop" });
    let (status, _, body) = http(&addr, "POST", "/api/sessions/preload", Some(&shop));
    assert_eq!((status, json_of(&body)), (200, json!({ "ready": true })));
    assert_eq!(server.runtime.worker_pids().len(), 1, "the shop's worker is up before it opens");
    // Asking again (another anchor of the same mini-program) starts nothing more.
    assert_eq!(http(&addr, "POST", "/api/sessions/preload", Some(&shop)).0, 200);
    open_shop(&addr);
    assert_eq!(server.runtime.worker_pids().len(), 1, "opening used the preloaded worker");

    // Bad requests say what is wrong and start nothing.
    let (status, _, body) = http(&addr, "POST", "/api/sessions/preload", Some(&json!({})));
    assert_eq!(status, 400);
    assert!(json_of(&body)["error"].as_str().unwrap().contains("appid"));
    let (status, _, body) =
        http(&addr, "POST", "/api/sessions/preload", Some(&json!({ "appid": "tt00000000nosuch" })));
    assert_eq!(status, 404, "{}", String::from_utf8_lossy(&body));
    let (status, _, _) = http(
        &addr,
        "POST",
        "/api/sessions/preload",
        Some(&json!({ "appid": "tt0000000000shop", "channel": "nightly" })),
    );
    assert_eq!(status, 400);
    assert_eq!(server.runtime.worker_pids().len(), 1);
}

#[test]
fn a_session_whose_page_never_connects_is_closed_and_one_that_connects_lives_on() {
    let connect_within = Duration::from_millis(400);
    let server = support::start_with(capsule_db::Backend::Sqlite, move |state| {
        state.sessions =
            std::sync::Arc::new(capsule_server::sessions::Sessions::connecting_within(connect_within));
    });
    let addr = server.addr.clone();
    let socket_url =
        |opened: &Json| format!("ws://{addr}/api/sessions/{}/socket", opened["session"].as_str().unwrap());
    let abandoned = open_shop(&addr);
    let kept = open_shop(&addr);
    let mut socket = connect(&socket_url(&kept));
    std::thread::sleep(connect_within * 3);
    // The page that never came finds its session gone.
    let late = tungstenite::connect(socket_url(&abandoned)).expect_err("a closed session takes no socket");
    assert!(matches!(&late, tungstenite::Error::Http(response) if response.status() == 404), "{late}");
    // The connected one still answers: "Add to cart" changes its page and asks for a toast.
    let page = kept["page"].as_u64().unwrap();
    let add = json!({ "type": "event", "page": page, "path": [3, 0, 0, 3], "event": "tap", "detail": {} });
    socket.send(tungstenite::Message::Text(add.to_string().into())).unwrap();
    let mut kinds = Vec::new();
    while kinds.last().map(String::as_str) != Some("settled") {
        if let tungstenite::Message::Text(text) = socket.read().expect("the kept session answers") {
            let message: Json = serde_json::from_str(&text).unwrap();
            kinds.push(message["kind"].as_str().unwrap_or("").to_string());
        }
    }
    assert!(kinds.contains(&"call".to_string()) && !kinds.contains(&"stopped".to_string()), "{kinds:?}");
}

#[test]
fn a_worker_that_dies_tells_the_open_socket_its_mini_program_stopped() {
    let server = support::start();
    let addr = server.addr.clone();
    let opened = open_shop(&addr);
    let mut socket =
        connect(&format!("ws://{addr}/api/sessions/{}/socket", opened["session"].as_str().unwrap()));
    // The worker dies from outside (a crash, the OOM killer): the socket hears it, with why.
    let pids = server.runtime.worker_pids();
    assert_eq!(pids.len(), 1);
    let killed = std::process::Command::new("kill").args(["-9", &pids[0].to_string()]).status().unwrap();
    assert!(killed.success());
    let stopped = loop {
        match socket.read().expect("the socket says the mini-program stopped") {
            tungstenite::Message::Text(text) => {
                let message: Json = serde_json::from_str(&text).unwrap();
                if message["kind"] == "stopped" {
                    break message;
                }
            }
            tungstenite::Message::Close(_) => panic!("the socket closed without saying why"),
            _ => {}
        }
    };
    let text = stopped["text"].as_str().unwrap();
    assert!(text.contains("stopped unexpectedly") && text.contains("relaunch"), "{text}");
    // Opening it again starts a new worker.
    let again = open_shop(&addr);
    assert!(again["html"].as_str().unwrap().contains("Ceramic mug"));
    assert!(!server.runtime.worker_pids().contains(&pids[0]));
}

#[test]
fn opening_a_mini_program_renders_its_first_frame_and_streams_over_a_socket() {
    let server = support::start();
    let addr = server.addr.clone();
    let (status, _, body) = http(
        &addr,
        "POST",
        "/api/sessions",
        Some(&json!({ "appid": "tt0000000000shop", "path": "/pages/index/index" })),
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let opened = json_of(&body);
    let html = opened["html"].as_str().unwrap();
    assert!(html.contains("<wx-product-card") && html.contains("Ceramic mug"), "{html}");
    // The page's compiled WXSS comes with it: app.wxss, the card's scoped rules, the page's.
    let style = opened["style"].as_str().unwrap();
    assert!(
        style.contains("wx-page {") && style.contains(".components-product-card-product-card--card {"),
        "{style}"
    );
    assert!(html.contains("components-product-card-product-card--card"), "{html}");
    assert_eq!(opened["config"]["tabBar"]["list"][1]["text"], "Cart");
    assert_eq!(opened["config"]["pages"]["pages/cart/cart"]["navigationBarTitleText"], "Cart");
    // The entrance now lists it as recently used for this device.
    let apps = json_of(&http(&addr, "GET", "/api/miniapps", None).2);
    assert_eq!(apps["recent"][0]["appid"], "tt0000000000shop");

    let url = format!("ws://{addr}/api/sessions/{}/socket", opened["session"].as_str().unwrap());
    let mut socket = connect(&url);
    // The next message of `kind` (of any kind when it is empty).
    let next = |socket: &mut tungstenite::WebSocket<_>, kind: &str| loop {
        let message = socket.read().unwrap();
        if let tungstenite::Message::Text(text) = message {
            let message: Json = serde_json::from_str(&text).unwrap();
            if kind.is_empty() || message["kind"] == kind {
                return message;
            }
        }
    };
    // The person's tap on "Add to cart". The socket does not repeat what the first frame showed
    // (the launch's tree, style and stack): what comes first is what the tap caused, and each
    // message the page sends is followed, once handled, by `settled`, after all it caused.
    let page = opened["page"].as_u64().unwrap();
    let add = json!({ "type": "event", "page": page, "path": [3, 0, 0, 3], "event": "tap", "detail": {} });
    socket.send(tungstenite::Message::Text(add.to_string().into())).unwrap();
    let mut caused = Vec::new();
    loop {
        let message = next(&mut socket, "");
        if message["kind"] == "settled" {
            break;
        }
        caused.push(message);
    }
    let kinds: Vec<&str> = caused.iter().map(|m| m["kind"].as_str().unwrap_or("")).collect();
    assert!(!kinds.iter().any(|k| ["render", "style", "stack"].contains(k)), "{kinds:?}");
    let call = caused.iter().find(|m| m["kind"] == "call").expect("the toast");
    assert_eq!(call["api"], "showToast");
    assert_eq!(call["args"]["title"], "Added");
    let reply = json!({ "type": "reply", "id": call["id"], "ok": true, "value": {} });
    socket.send(tungstenite::Message::Text(reply.to_string().into())).unwrap();
    next(&mut socket, "settled");

    // Typing filters the list: patches come back, before `settled`.
    let input = json!({ "type": "event", "page": page, "path": [0, 0, 1], "event": "input", "detail": { "value": "zzz" } });
    socket.send(tungstenite::Message::Text(input.to_string().into())).unwrap();
    let patches = next(&mut socket, "patches");
    assert!(patches["patches"].to_string().contains("No products match"), "{patches}");
    next(&mut socket, "settled");

    // Back at the first page fails quietly; a route to the cart tab shows a new stack.
    let tab = json!({ "type": "switchTab", "url": "/pages/cart/cart" });
    socket.send(tungstenite::Message::Text(tab.to_string().into())).unwrap();
    let stack = next(&mut socket, "stack");
    assert_eq!(stack["pages"][0]["route"], "pages/cart/cart");

    // Unknown apps and sessions are clear errors.
    let (status, _, body) = http(&addr, "POST", "/api/sessions", Some(&json!({ "appid": "nope" })));
    assert_eq!(status, 404);
    assert_eq!(json_of(&body)["error"], "no mini-program nope");
    assert_eq!(http(&addr, "GET", "/api/sessions/unknown/socket", None).0, 404);

    // The session serves its package's pictures (the first frame names them by package path),
    // as the package holds them, and nothing that is not media.
    assert!(html.contains(r#"src="/images/thumbs/p1.jpg""#), "{html}");
    let session = opened["session"].as_str().unwrap();
    let file = |path: &str| http(&addr, "GET", &format!("/api/sessions/{session}/files/{path}"), None);
    let (status, head, photo) = file("images/thumbs/p1.jpg");
    assert_eq!(status, 200);
    let head = head.to_ascii_lowercase();
    assert!(head.contains("content-type: image/jpeg"), "{head}");
    assert!(
        head.contains("content-security-policy: default-src 'none'") && head.contains("nosniff"),
        "{head}"
    );
    let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/shop/images/thumbs/p1.jpg");
    assert_eq!(photo, std::fs::read(shipped).unwrap());
    let (status, head, video) = file("packageProduct/media/mug.mp4");
    assert_eq!(status, 200);
    assert!(head.to_ascii_lowercase().contains("content-type: video/mp4") && video.len() > 1000);
    let (status, _, body) = file("app.js");
    assert_eq!(status, 404);
    assert_eq!(json_of(&body)["error"], "app.js is not a picture or media file a page can show");
    let (status, _, body) = file("images/missing.png");
    assert_eq!(status, 404);
    assert_eq!(json_of(&body)["error"], "the package has no file images/missing.png");
    assert_eq!(file("packageProduct/images/%2e%2e/%2e%2e/images/thumbs/p1.jpg").0, 404);
    assert_eq!(http(&addr, "GET", "/api/sessions/unknown/files/images/thumbs/p1.jpg", None).0, 404);
}
