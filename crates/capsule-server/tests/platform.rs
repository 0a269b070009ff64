//! The platform over HTTP on each database: host accounts (cookies, CSRF, cross-site refusal),
//! the console's organisations and apps, and login end to end: a mini-program's wx.login asks
//! the host to log the person in, the code it then gets is traded by the developer's server
//! with jscode2session once, and the token API.

mod support;

use std::time::Duration;

use serde_json::{Value as Json, json};
use support::{Client, Server, request};

const SHOP: &str = "tt0000000000shop";

fn cookies(device: &str, session: Option<&str>) -> String {
    match session {
        Some(session) => format!("capsule_device={device}; capsule_session={session}"),
        None => format!("capsule_device={device}"),
    }
}

#[test]
fn accounts_use_http_only_cookies_and_csrf_tokens() {
    for backend in support::backends() {
        let server = support::start_on(backend);
        let addr = &server.addr;
        let signed = request(
            addr,
            "POST",
            "/api/account/signup",
            Some(&json!({ "username": "alice", "password": "correct horse", "display_name": "Alice" })),
            &[("Cookie", "capsule_device=d1")],
        );
        assert_eq!(signed.status, 200, "{backend:?}");
        let line = signed
            .head
            .lines()
            .find(|l| l.to_lowercase().starts_with("set-cookie: capsule_session"))
            .unwrap();
        assert!(line.contains("HttpOnly") && line.contains("SameSite=Lax"), "{line}");
        assert_eq!(signed.json()["user"]["display_name"], "Alice");
        assert!(signed.json()["user"].get("is_admin").is_none());
        let session = signed.set_cookie("capsule_session").unwrap();
        let csrf = signed.json()["csrf"].as_str().unwrap().to_string();
        let cookie = cookies("d1", Some(&session));

        let me = request(addr, "GET", "/api/account/me", None, &[("Cookie", &cookie)]).json();
        assert_eq!(
            (me["user"]["username"].as_str(), me["csrf"].as_str()),
            (Some("alice"), Some(csrf.as_str()))
        );

        // Taken name, bad JSON, wrong password, another site's page: clear errors.
        let again = request(
            addr,
            "POST",
            "/api/account/signup",
            Some(&json!({ "username": "alice", "password": "correct horse" })),
            &[],
        );
        assert_eq!(again.status, 409);
        assert!(again.json()["error"].as_str().unwrap().contains("taken"));
        assert_eq!(
            request(addr, "POST", "/api/account/login", Some(&json!({ "user": "x" })), &[]).status,
            400
        );
        let wrong = request(
            addr,
            "POST",
            "/api/account/login",
            Some(&json!({ "username": "alice", "password": "nope nope" })),
            &[],
        );
        assert_eq!(wrong.status, 401);
        let forged = request(
            addr,
            "POST",
            "/api/account/login",
            Some(&json!({ "username": "alice", "password": "correct horse" })),
            &[("Origin", "http://evil.example")],
        );
        assert_eq!(forged.status, 403);

        // State-changing requests need the CSRF token.
        let no_token =
            request(addr, "POST", "/api/orgs", Some(&json!({ "name": "Studio" })), &[("Cookie", &cookie)]);
        assert_eq!(no_token.status, 403, "{backend:?}");
        assert!(no_token.json()["error"].as_str().unwrap().contains("x-csrf-token"));
        let with_token = |method: &str, path: &str, body: Json| {
            request(addr, method, path, Some(&body), &[("Cookie", &cookie), ("x-csrf-token", &csrf)])
        };
        let org = with_token("POST", "/api/orgs", json!({ "name": "Studio" }));
        assert_eq!(org.status, 200);
        let org = org.json()["id"].as_str().unwrap().to_string();

        // The console: an app's secret appears once, in the answer that creates it.
        let created = with_token(
            "POST",
            &format!("/api/orgs/{org}/apps"),
            json!({ "name": "Tea House", "icon": "🍵", "keywords": ["tea"], "request_domains": ["https://tea.example.com"] }),
        );
        assert_eq!(created.status, 200, "{}", String::from_utf8_lossy(&created.body));
        let created = created.json();
        let (appid, secret) = (created["appid"].as_str().unwrap(), created["secret"].as_str().unwrap());
        let listed = request(addr, "GET", &format!("/api/orgs/{org}/apps"), None, &[("Cookie", &cookie)]);
        assert_eq!(listed.json()["apps"][0]["appid"], appid);
        assert!(!String::from_utf8_lossy(&listed.body).contains(secret));
        let bad = with_token("POST", &format!("/api/orgs/{org}/apps"), json!({ "name": "" }));
        assert_eq!(bad.status, 400);
        let reset = with_token("POST", &format!("/api/console/apps/{appid}/secret"), json!({}));
        assert_ne!(reset.json()["secret"].as_str().unwrap(), secret);
        // Someone else's organisation is closed to this user.
        let bob = Client::sign_up(&server, "d2", "bob");
        let refused = bob.call("POST", &format!("/api/orgs/{org}/apps"), Some(&json!({ "name": "Sneaky" })));
        assert_eq!(refused.status, 403);
        assert_eq!(request(addr, "GET", "/api/orgs", None, &[]).status, 401);

        // Log out ends the session and clears the cookie.
        assert_eq!(request(addr, "POST", "/api/account/logout", None, &[("Cookie", &cookie)]).status, 403);
        let out = request(
            addr,
            "POST",
            "/api/account/logout",
            None,
            &[("Cookie", &cookie), ("x-csrf-token", &csrf)],
        );
        assert_eq!(out.status, 200);
        assert_eq!(out.set_cookie("capsule_session").as_deref(), Some(""));
        assert_eq!(
            request(addr, "GET", "/api/account/me", None, &[("Cookie", &cookie)]).json()["user"],
            Json::Null
        );
    }
}

/// Reads socket messages until one of `kind` arrives.
fn next(
    socket: &mut tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<std::net::TcpStream>>,
    kind: &str,
) -> Json {
    loop {
        if let tungstenite::Message::Text(text) = socket.read().unwrap() {
            let message: Json = serde_json::from_str(&text).unwrap();
            if message["kind"] == kind {
                return message;
            }
        }
    }
}

fn open_socket(
    server: &Server,
    cookie: &str,
    path: &str,
) -> (tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<std::net::TcpStream>>, Json) {
    open_socket_in(server, "douyin", cookie, path)
}

/// Opens the shop at `path` in the host app `host`, with its socket; the response that opened
/// it (its first frame) comes with it.
fn open_socket_in(
    server: &Server,
    host: &str,
    cookie: &str,
    path: &str,
) -> (tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<std::net::TcpStream>>, Json) {
    let opened = request(
        &server.addr,
        "POST",
        "/api/sessions",
        Some(&json!({ "appid": SHOP, "path": path, "host": host })),
        &[("Cookie", cookie)],
    );
    assert_eq!(opened.status, 200);
    let opened = opened.json();
    let url = format!("ws://{}/api/sessions/{}/socket", server.addr, opened["session"].as_str().unwrap());
    let (socket, _) = tungstenite::connect(url).unwrap();
    if let tungstenite::stream::MaybeTlsStream::Plain(stream) = socket.get_ref() {
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    }
    (socket, opened)
}

fn send(
    socket: &mut tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<std::net::TcpStream>>,
    message: Json,
) {
    socket.send(tungstenite::Message::Text(message.to_string().into())).unwrap();
}

/// Taps the shop profile's "Log in" button, found in the page's first frame.
fn tap_log_in(
    socket: &mut tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<std::net::TcpStream>>,
    opened: &Json,
) {
    fn path_to(nodes: &Json, handler: &str, path: &mut Vec<usize>) -> bool {
        for (index, node) in nodes.as_array().into_iter().flatten().enumerate() {
            path.push(index);
            if node["attr"]["bindtap"] == handler || path_to(&node["children"], handler, path) {
                return true;
            }
            path.pop();
        }
        false
    }
    let mut path = Vec::new();
    assert!(path_to(&opened["tree"], "onLogin", &mut path), "no Log in button: {opened}");
    send(
        socket,
        json!({ "type": "event", "page": opened["page"], "path": path, "event": "tap", "detail": {} }),
    );
}

/// The login code the shop's profile page gets from wx.login in `host` for the person already
/// logged in on `device`.
fn code_of_logged_in(server: &Server, host: &str, device: &str) -> String {
    let (mut socket, opened) = open_socket_in(server, host, &cookies(device, None), "pages/profile/profile");
    tap_log_in(&mut socket, &opened);
    let log = next(&mut socket, "log");
    log["text"].as_str().unwrap().rsplit(' ').next().unwrap().to_string()
}

fn code2session(server: &Server, body: Json) -> Json {
    let answer = request(&server.addr, "POST", "/api/apps/v2/jscode2session", Some(&body), &[]);
    assert_eq!(answer.status, 200);
    answer.json()
}

#[test]
fn wx_login_asks_the_host_to_log_in_and_the_code_trades_once() {
    for backend in support::backends() {
        let server = support::start_on(backend);
        let secret = server.secrets[SHOP]["secret"].as_str().unwrap().to_string();
        // Not logged in: the mini-program's wx.login makes the host ask the person.
        let (mut socket, opened) = open_socket(&server, &cookies("phone", None), "pages/profile/profile");
        tap_log_in(&mut socket, &opened);
        let ask = next(&mut socket, "call");
        assert_eq!(ask["api"], "login", "{backend:?}");
        // The person logs in on this browser, and the host answers the call.
        Client::sign_up(&server, "phone", "viewer");
        send(&mut socket, json!({ "type": "reply", "id": ask["id"], "ok": true, "value": {} }));
        let log = next(&mut socket, "log");
        let code = log["text"].as_str().unwrap().rsplit(' ').next().unwrap().to_string();
        assert_eq!(code.len(), 32, "{log}");
        let patches = next(&mut socket, "patches");
        assert!(patches.to_string().contains("Logged in"), "{patches}");

        // The developer's server trades the code for the user's ids, once.
        let traded = code2session(&server, json!({ "appid": SHOP, "secret": secret, "code": code }));
        assert_eq!(traded["err_no"], 0, "{traded}");
        assert_eq!(traded["err_tips"], "success");
        let data = &traded["data"];
        assert!(data["openid"].as_str().unwrap().starts_with("_000"));
        assert!(
            !data["unionid"].as_str().unwrap().is_empty()
                && !data["session_key"].as_str().unwrap().is_empty()
        );
        let reused = code2session(&server, json!({ "appid": SHOP, "secret": secret, "code": code }));
        assert_eq!(reused["err_no"], 40018);
        assert!(reused["err_tips"].as_str().unwrap().contains("already been used"));
        let wrong = code2session(&server, json!({ "appid": SHOP, "secret": "guess", "code": "x" }));
        assert_eq!(wrong["err_no"], 40017);
        let garbage = request(&server.addr, "POST", "/api/apps/v2/jscode2session", None, &[]).json();
        assert_eq!(garbage["err_no"], 40014);

        // Logged in already: wx.login answers at once, with the same openid.
        let code = code_of_logged_in(&server, "douyin", "phone");
        let again = code2session(&server, json!({ "appid": SHOP, "secret": secret, "code": code }));
        assert_eq!(again["data"]["openid"], data["openid"]);

        // The same person in the Toutiao-style host: the same openid, another unionid.
        let code = code_of_logged_in(&server, "toutiao", "phone");
        let in_toutiao = code2session(&server, json!({ "appid": SHOP, "secret": secret, "code": code }));
        assert_eq!(in_toutiao["data"]["openid"], data["openid"]);
        assert_ne!(in_toutiao["data"]["unionid"], data["unionid"], "{backend:?}");

        // A person who cancels the host's log-in: wx.login fails, the page says so.
        let (mut socket, opened) = open_socket(&server, &cookies("tablet", None), "pages/profile/profile");
        tap_log_in(&mut socket, &opened);
        let ask = next(&mut socket, "call");
        send(&mut socket, json!({ "type": "reply", "id": ask["id"], "ok": false, "reason": "cancel" }));
        let toast = next(&mut socket, "call");
        assert_eq!(
            (toast["api"].as_str(), toast["args"]["title"].as_str()),
            (Some("showToast"), Some("Not logged in"))
        );

        // The token API.
        let token = request(
            &server.addr,
            "POST",
            "/api/apps/v2/token",
            Some(&json!({ "appid": SHOP, "secret": secret, "grant_type": "client_credential" })),
            &[],
        )
        .json();
        assert_eq!(token["err_no"], 0);
        assert_eq!(token["data"]["expires_in"], 7200);
        assert!(token["data"]["access_token"].as_str().unwrap().starts_with("clt."));
    }
}
