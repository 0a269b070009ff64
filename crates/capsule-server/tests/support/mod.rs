//! What the server's integration tests share: the real server on a free loopback port over a
//! fresh database (SQLite, or PostgreSQL when `CAPSULE_TEST_POSTGRES` is set) with the demo
//! seeded, and a small HTTP/1.1 client that keeps cookies.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use capsule_db::{Backend, testing};
use capsule_platform::Platform;
use capsule_runtime::worker::{Runtime, RuntimeConfig};
use capsule_runtime::{MemoryStorage, TestHost};
use capsule_server::{AppState, PackageStore};
use serde_json::Value as Json;

/// A running server; dropping it stops the server and drops its database.
pub struct Server {
    pub addr: String,
    pub backend: Backend,
    /// The demo apps' secrets, as `capsule serve` writes them: `{appid: {secret, payment_salt}}`.
    pub secrets: Json,
    /// The server's data folder: `packages/` (the store), `cache/`, `demo-secrets.json`.
    pub folder: PathBuf,
    /// The runtime whose worker processes run the server's sessions.
    pub runtime: Arc<Runtime>,
    _folder: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The databases this machine tests against: SQLite always, PostgreSQL when configured.
pub fn backends() -> Vec<Backend> {
    let mut all = vec![Backend::Sqlite];
    if std::env::var(testing::POSTGRES_ENV).is_ok() {
        all.push(Backend::Postgres);
    }
    all
}

pub fn start() -> Server {
    start_on(Backend::Sqlite)
}

pub fn start_on(backend: Backend) -> Server {
    start_with(backend, |_| {})
}

/// A server whose state `adjust` changes before it serves (shorter limits, for one).
pub fn start_with(backend: Backend, adjust: impl FnOnce(&mut AppState) + Send + 'static) -> Server {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let worker = PathBuf::from(env!("CARGO_BIN_EXE_capsule-server-worker"));
    let runtime = Runtime::new(
        RuntimeConfig::new(worker, Vec::new()),
        Arc::new(TestHost::new()),
        Arc::new(MemoryStorage::default()),
    );
    let kept = tempfile::tempdir().unwrap();
    let folder = kept.path().to_path_buf();
    let data = folder.clone();
    let serving = runtime.clone();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async move {
            let test = match backend {
                Backend::Sqlite => testing::sqlite().await.unwrap(),
                Backend::Postgres => testing::postgres().await.unwrap().expect("CAPSULE_TEST_POSTGRES"),
            };
            let platform = Platform::open(test.db.clone()).await.unwrap();
            let secrets_file = data.join("demo-secrets.json");
            let store = PackageStore::local(&data.join("packages")).unwrap();
            capsule_server::demo::seed(&platform, &store, &examples, Some(&secrets_file)).await.unwrap();
            let secrets: Json =
                serde_json::from_str(&std::fs::read_to_string(&secrets_file).unwrap()).unwrap();
            let mut state = AppState::new(platform, store, serving, &data.join("cache"));
            adjust(&mut state);
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            ready_tx.send((listener.local_addr().unwrap().to_string(), secrets)).unwrap();
            capsule_server::serve_until(listener, state, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
            drop(test);
        });
    });
    let (addr, secrets) = ready_rx.recv().unwrap();
    Server { addr, backend, secrets, folder, runtime, _folder: kept, stop: Some(stop), thread: Some(thread) }
}

/// An HTTP answer.
pub struct Answer {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Json {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&self.body)))
    }

    /// The value this answer sets for cookie `name` (empty when it clears it).
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            if !key.eq_ignore_ascii_case("set-cookie") {
                return None;
            }
            let (cookie, _) = value.trim().split_once(';').unwrap_or((value.trim(), ""));
            let (key, value) = cookie.split_once('=')?;
            (key == name).then(|| value.to_string())
        })
    }
}

/// One request (one connection) with a JSON body; `headers` are added as given.
pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    body: Option<&Json>,
    headers: &[(&str, &str)],
) -> Answer {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    request_bytes(addr, method, path, body.as_bytes(), "application/json", headers)
}

/// One request (one connection) with `body` as it is.
pub fn request_bytes(
    addr: &str,
    method: &str,
    path: &str,
    body: &[u8],
    content_type: &str,
    headers: &[(&str, &str)],
) -> Answer {
    let mut stream = TcpStream::connect(addr).unwrap();
    let extra: String = headers.iter().map(|(k, v)| format!("{k}: {v}\r\n")).collect();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: {content_type}\r\n{extra}Content-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    stream.write_all(body).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&response[..split]).to_string();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    Answer { status, head, body: response[split + 4..].to_vec() }
}

/// The host test's browser: a fixed device cookie.
pub fn http(addr: &str, method: &str, path: &str, body: Option<&Json>) -> (u16, String, Vec<u8>) {
    let answer = request(addr, method, path, body, &[("Cookie", "capsule_device=test-device")]);
    (answer.status, answer.head, answer.body)
}

pub fn json_of(bytes: &[u8]) -> Json {
    serde_json::from_slice(bytes).unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(bytes)))
}

/// A browser (or script) logged in as one user: its cookies and CSRF token.
pub struct Client {
    pub addr: String,
    pub cookie: String,
    pub csrf: String,
}

impl Client {
    /// Signs `username` up on `device` and keeps the session.
    pub fn sign_up(server: &Server, device: &str, username: &str) -> Client {
        let answer = request(
            &server.addr,
            "POST",
            "/api/account/signup",
            Some(&serde_json::json!({ "username": username, "password": "correct horse" })),
            &[("Cookie", &format!("capsule_device={device}"))],
        );
        assert_eq!(answer.status, 200, "{}", String::from_utf8_lossy(&answer.body));
        let session = answer.set_cookie("capsule_session").expect("a session cookie");
        Client {
            addr: server.addr.clone(),
            cookie: format!("capsule_device={device}; capsule_session={session}"),
            csrf: answer.json()["csrf"].as_str().unwrap().to_string(),
        }
    }

    pub fn call(&self, method: &str, path: &str, body: Option<&Json>) -> Answer {
        request(&self.addr, method, path, body, &[("Cookie", &self.cookie), ("x-csrf-token", &self.csrf)])
    }

    pub fn send(&self, path: &str, body: &[u8]) -> Answer {
        self.send_as("POST", path, body)
    }

    /// Sends `body` as it is with `method`.
    pub fn send_as(&self, method: &str, path: &str, body: &[u8]) -> Answer {
        let headers = [("Cookie", self.cookie.as_str()), ("x-csrf-token", self.csrf.as_str())];
        request_bytes(&self.addr, method, path, body, "application/octet-stream", &headers)
    }
}

/// Asserts a 200 answer and gives its JSON.
pub fn ok(answer: Answer) -> Json {
    assert_eq!(answer.status, 200, "{}", String::from_utf8_lossy(&answer.body));
    answer.json()
}

/// A one-page project whose page shows `text`; `broken` makes it throw while loading.
pub fn one_page_package(text: &str, broken: bool) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| {
        let target = dir.path().join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, text).unwrap();
    };
    write("app.json", r#"{"pages": ["pages/index/index"], "window": {"navigationBarTitleText": "Mugs"}}"#);
    write("app.js", "App({})");
    write("pages/index/index.wxml", &format!("<view class=\"title\">{text}</view>"));
    let script = if broken { "Page({ onLoad() { null.boom() } })" } else { "Page({})" };
    write("pages/index/index.js", script);
    capsule_runtime::build::build_project(dir.path(), &capsule_package::Limits::default()).unwrap().bytes
}

/// A developer with an organisation and a reviewer in it, for publishing apps in tests.
pub struct Publisher {
    pub dev: Client,
    pub reviewer: Client,
    pub org: String,
}

impl Publisher {
    pub fn new(server: &Server, name: &str) -> Publisher {
        let dev = Client::sign_up(server, &format!("{name}-dev-device"), &format!("{name}-dev"));
        let reviewer = Client::sign_up(server, &format!("{name}-rev-device"), &format!("{name}-rev"));
        let org = ok(dev.call("POST", "/api/orgs", Some(&serde_json::json!({ "name": name }))))["id"]
            .as_str()
            .unwrap()
            .to_string();
        ok(dev.call(
            "POST",
            &format!("/api/orgs/{org}/members"),
            Some(&serde_json::json!({ "username": format!("{name}-rev"), "role": "reviewer" })),
        ));
        Publisher { dev, reviewer, org }
    }

    /// Creates an app with `settings` and answers its appid.
    pub fn create_app(&self, settings: Json) -> String {
        ok(self.dev.call("POST", &format!("/api/orgs/{}/apps", self.org), Some(&settings)))["appid"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Uploads `package` as `version`, has it reviewed and releases it to everyone.
    pub fn release(&self, appid: &str, version: &str, package: &[u8]) -> Json {
        let versions = format!("/api/console/apps/{appid}/versions");
        let uploaded = ok(self.dev.send(&format!("{versions}?version={version}"), package));
        let id = uploaded["id"].as_str().unwrap().to_string();
        ok(self.dev.call("POST", &format!("{versions}/{id}/submit"), None));
        ok(self.reviewer.call(
            "POST",
            &format!("{versions}/{id}/review"),
            Some(&serde_json::json!({ "approve": true })),
        ));
        ok(self.dev.call("POST", &format!("{versions}/{id}/release"), Some(&serde_json::json!({}))))
    }
}

/// A PNG (RGB) as width, height and its pixels, three bytes each.
pub fn png_rgb(bytes: &[u8]) -> (usize, usize, Vec<u8>) {
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes)).read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut pixels).unwrap();
    assert_eq!(frame.color_type, png::ColorType::Rgb);
    pixels.truncate(frame.buffer_size());
    (frame.width as usize, frame.height as usize, pixels)
}

/// A PNG (RGB) as width, height and one luminance byte per pixel, as the host's scan sends it.
pub fn png_luma(bytes: &[u8]) -> (usize, usize, Vec<u8>) {
    let (width, height, pixels) = png_rgb(bytes);
    let luma = pixels
        .chunks(3)
        .map(|rgb| ((u32::from(rgb[0]) + u32::from(rgb[1]) + u32::from(rgb[2])) / 3) as u8)
        .collect();
    (width, height, luma)
}

/// An access token for `appid` from the open API, as a developer's server gets one.
pub fn access_token(server: &Server, appid: &str) -> String {
    let secret = server.secrets[appid]["secret"].as_str().unwrap();
    let body = serde_json::json!({ "appid": appid, "secret": secret, "grant_type": "client_credential" });
    ok(request(&server.addr, "POST", "/api/apps/v2/token", Some(&body), &[]))["data"]["access_token"]
        .as_str()
        .unwrap()
        .to_string()
}
