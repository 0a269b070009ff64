//! Opening a mini-program in the host: a runtime session on the server, its first frame
//! rendered into the response, then a WebSocket that streams patches to the browser and
//! carries the person's events, and the host calls (toast, modal, …) the browser answers.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use capsule_platform::{Channel, HostProfile};
use capsule_runtime::host::Reply;
use capsule_runtime::worker::{RemoteSession, SessionError, UpdateSink};
use capsule_runtime::{Host, LaunchOptions, SessionScope, ViewEvent};
use serde_json::{Value as Json_, json};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use crate::{AppError, AppState, html};

/// The host APIs the browser answers (its toast, modal, loading, action sheet, navigation bar,
/// pull-down refresh, scrolling and the scanner).
pub const BROWSER_APIS: &[&str] = &[
    "showToast",
    "hideToast",
    "showModal",
    "showLoading",
    "hideLoading",
    "showActionSheet",
    "setNavigationBarTitle",
    "setNavigationBarColor",
    "showNavigationBarLoading",
    "hideNavigationBarLoading",
    "startPullDownRefresh",
    "stopPullDownRefresh",
    "pageScrollTo",
    "showShareMenu",
    "hideShareMenu",
    "scanCode",
    "setBackgroundColor",
    "vibrateShort",
    "vibrateLong",
];

/// The host side of one browser's session: calls go out on the socket, answers come back.
pub struct WebHost {
    out: UnboundedSender<Json_>,
    pending: Mutex<HashMap<u64, Reply>>,
    next: AtomicU64,
    login: LoginContext,
}

/// What `tt.login` needs to know: the platform, the app, the browser and the host app.
#[derive(Clone)]
struct LoginContext {
    platform: capsule_platform::Platform,
    appid: String,
    device: Option<String>,
    host: &'static str,
    runtime: tokio::runtime::Handle,
}

impl LoginContext {
    /// Codes for whoever is logged in on this browser now; `None` if no one is.
    async fn codes(&self, anonymous_allowed: bool) -> Result<Option<Json_>, String> {
        let user = match &self.device {
            Some(device) => self.platform.user_on_device(device).await.map_err(|e| e.to_string())?,
            None => None,
        };
        if user.is_none() && !anonymous_allowed {
            return Ok(None);
        }
        let codes = self
            .platform
            .issue_login_codes(&self.appid, user.as_ref(), self.device.as_deref(), self.host)
            .await
            .map_err(|e| e.to_string())?;
        Ok(Some(json!({
            "code": codes.code.unwrap_or_default(),
            "anonymousCode": codes.anonymous_code.unwrap_or_default(),
            "isLogin": codes.is_login,
        })))
    }
}

impl WebHost {
    /// `tt.login` / `wx.login`: codes at once for a logged-in person; otherwise the host asks
    /// them to log in (unless `force: false`, which settles for an anonymous code).
    fn log_in(self: &Arc<Self>, args: Json_, reply: Reply) {
        let force = args["force"].as_bool().unwrap_or(true);
        let host = self.clone();
        let context = self.login.clone();
        context.runtime.clone().spawn(async move {
            match context.codes(!force).await {
                Ok(Some(codes)) => reply(Ok(codes)),
                Err(reason) => reply(Err(reason)),
                Ok(None) => {
                    let after_prompt: Reply = Box::new(move |answer| {
                        let runtime = context.runtime.clone();
                        runtime.spawn(async move {
                            reply(match answer {
                                Err(_) => Err("user cancelled login".into()),
                                Ok(_) => match context.codes(false).await {
                                    Ok(Some(codes)) => Ok(codes),
                                    Ok(None) => Err("user did not log in".into()),
                                    Err(reason) => Err(reason),
                                },
                            });
                        });
                    });
                    host.ask_browser("login", json!({}), after_prompt);
                }
            }
        });
    }

    fn ask_browser(&self, api: &str, args: Json_, reply: Reply) {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        self.pending.lock().unwrap_or_else(|e| e.into_inner()).insert(id, reply);
        if self.out.send(json!({ "kind": "call", "id": id, "api": api, "args": args })).is_err() {
            self.answer(id, Err("the view is gone".into()));
        }
    }

    fn answer(&self, id: u64, result: Result<Json_, String>) {
        let reply = self.pending.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
        if let Some(reply) = reply {
            reply(result);
        }
    }
}

/// The session's handle on its [`WebHost`] (the runtime wants an owned `Arc<dyn Host>`).
struct SharedHost(Arc<WebHost>);

impl Host for SharedHost {
    fn call(&self, _scope: &SessionScope, api: &str, args: Json_, reply: Reply) {
        if api == "login" {
            self.0.log_in(args, reply);
        } else if BROWSER_APIS.contains(&api) {
            self.0.ask_browser(api, args, reply);
        } else {
            reply(Err("not supported by this host".into()));
        }
    }
}

/// A session the server runs for a browser.
pub struct Live {
    pub remote: RemoteSession,
    host: Arc<WebHost>,
    outgoing: Mutex<Option<UnboundedReceiver<Json_>>>,
    closed: AtomicBool,
}

impl Live {
    fn close(&self) {
        if !self.closed.swap(true, Ordering::SeqCst) {
            self.remote.close();
        }
    }
}

#[derive(Default)]
pub struct Sessions(Mutex<HashMap<String, Arc<Live>>>);

impl Sessions {
    fn get(&self, id: &str) -> Option<Arc<Live>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).get(id).cloned()
    }

    fn remove(&self, id: &str) -> Option<Arc<Live>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).remove(id)
    }
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/sessions", post(open)).route("/api/sessions/{id}/socket", get(socket))
}

/// Opens `{appid, path, query}` for this browser and answers with the first frame.
async fn open(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(body): Json<Json_>,
) -> Result<Json<Json_>, AppError> {
    let appid =
        body["appid"].as_str().ok_or_else(|| AppError::BadRequest("appid is required".into()))?.to_string();
    let device = crate::host_app::device_of(&headers);
    let channel = Channel::parse(body["channel"].as_str().unwrap_or("release"))?;
    let host = HostProfile::get(body["host"].as_str().unwrap_or(HostProfile::default_host().id))?;
    let user = match &device {
        Some(device) => state.platform.user_on_device(device).await?,
        None => None,
    };
    let app = state.catalog.launch(&appid, channel, user.as_ref(), device.as_deref().unwrap_or("")).await?;
    let route =
        body["path"].as_str().map(|p| p.trim_start_matches('/').to_string()).filter(|p| !p.is_empty());
    let query = body["query"].as_str().unwrap_or("").trim_start_matches('?').to_string();
    let options = LaunchOptions {
        app_id: appid.clone(),
        route,
        query,
        scene: body["scene"].as_u64().unwrap_or(1001) as u32,
        system_info: json!({
            "windowWidth": 375, "windowHeight": 667, "platform": "web",
            "appName": host.name, "hostName": host.id,
        }),
        request_domains: Some(app.app.settings.request_domains.clone()),
        ..LaunchOptions::default()
    };
    let (out, rx) = unbounded_channel();
    let login = LoginContext {
        platform: state.platform.clone(),
        appid: appid.clone(),
        device: device.clone(),
        host: host.id,
        runtime: tokio::runtime::Handle::current(),
    };
    let host =
        Arc::new(WebHost { out: out.clone(), pending: Mutex::default(), next: AtomicU64::new(0), login });
    let runtime = state.runtime.clone();
    let source = app.source.clone();
    let session_host: Arc<dyn Host> = Arc::new(SharedHost(host.clone()));
    // The session's storage is this browser's.
    let storage_owner = device.clone();
    // Updates and host calls leave on one channel, in the order the session made them.
    let updates = out.clone();
    let sink: UpdateSink = Arc::new(move |update| {
        let _ = updates.send(update);
    });
    let (remote, view) = tokio::task::spawn_blocking(move || {
        let remote = runtime.launch_with(&source, &options, storage_owner, Some(session_host), Some(sink))?;
        let view = remote.view()?;
        Ok::<_, SessionError>((remote, view))
    })
    .await
    .map_err(|e| AppError::Runtime(e.to_string()))?
    .map_err(|e| AppError::Runtime(e.to_string()))?;

    let id = capsule_platform::random_hex(16);
    let live =
        Arc::new(Live { remote, host, outgoing: Mutex::new(Some(rx)), closed: AtomicBool::new(false) });
    state.sessions.0.lock().unwrap_or_else(|e| e.into_inner()).insert(id.clone(), live.clone());
    if let Some(visitor) = crate::host_app::visitor(user.as_ref(), device.as_deref()) {
        state.platform.record_open(&appid, &visitor).await?;
    }
    // Updates reach the socket through the sink; this thread only watches the worker, so a
    // crash reaches the browser as `stopped`.
    std::thread::spawn(move || {
        while !live.closed.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(200));
            if !live.remote.is_alive() {
                let _ =
                    out.send(json!({ "kind": "stopped", "text": "the mini-program stopped; relaunch it" }));
                break;
            }
        }
    });
    Ok(Json(json!({
        "session": id,
        "page": view["page"],
        "stack": view["stack"],
        "tree": view["tree"],
        "style": view["style"],
        "html": html::render(&view["tree"]),
        "config": app.config(),
    })))
}

async fn socket(
    State(state): State<AppState>,
    Path(id): Path<String>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, AppError> {
    let live = state.sessions.get(&id).ok_or_else(|| AppError::NotFound("no such session".into()))?;
    let upgrade = upgrade.map_err(|_| AppError::BadRequest("expected a WebSocket upgrade".into()))?;
    let outgoing = live
        .outgoing
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take()
        .ok_or_else(|| AppError::BadRequest("this session already has a view".into()))?;
    Ok(upgrade.on_upgrade(move |socket| async move {
        drive(socket, live.clone(), outgoing).await;
        live.close();
        state.sessions.remove(&id);
    }))
}

async fn drive(mut socket: WebSocket, live: Arc<Live>, mut outgoing: UnboundedReceiver<Json_>) {
    loop {
        tokio::select! {
            update = outgoing.recv() => {
                let Some(update) = update else { return };
                if socket.send(Message::Text(update.to_string().into())).await.is_err() {
                    return;
                }
            }
            message = socket.recv() => {
                let Some(Ok(message)) = message else { return };
                let text = match message {
                    Message::Text(text) => text.to_string(),
                    Message::Close(_) => return,
                    _ => continue,
                };
                let Ok(message) = serde_json::from_str::<Json_>(&text) else { continue };
                if message["type"] == "close" {
                    return;
                }
                let live = live.clone();
                let answer = tokio::task::spawn_blocking(move || handle(&live, &message)).await;
                if let Ok(Some(answer)) = answer
                    && socket.send(Message::Text(answer.to_string().into())).await.is_err()
                {
                    return;
                }
            }
        }
    }
}

/// One message from the browser; `Some` answer goes back on the socket.
fn handle(live: &Live, message: &Json_) -> Option<Json_> {
    let result = match message["type"].as_str().unwrap_or("") {
        "event" => {
            let path: Vec<usize> = serde_json::from_value(message["path"].clone()).unwrap_or_default();
            let event = ViewEvent {
                kind: message["event"].as_str().unwrap_or("tap").to_string(),
                detail: message["detail"].clone(),
                touches: message["touches"].clone(),
                changed_touches: message["changedTouches"].clone(),
            };
            let page = message["page"].as_u64().unwrap_or(0) as u32;
            live.remote.event(page, &path, &event)
        }
        "reply" => {
            let id = message["id"].as_u64().unwrap_or(0);
            let result = if message["ok"].as_bool().unwrap_or(false) {
                Ok(message["value"].clone())
            } else {
                Err(message["reason"].as_str().unwrap_or("fail").to_string())
            };
            live.host.answer(id, result);
            return None;
        }
        "back" => call_wx(live, "navigateBack", json!({})),
        "switchTab" => call_wx(live, "switchTab", json!({ "url": message["url"] })),
        // A `navigator` tapped in the view.
        "route" => match message["method"].as_str() {
            Some(method @ ("navigateTo" | "redirectTo" | "reLaunch")) => {
                call_wx(live, method, json!({ "url": message["url"] }))
            }
            _ => return None,
        },
        "pageEvent" => live.remote.page_event(message["name"].as_str().unwrap_or(""), message["arg"].clone()),
        _ => return None,
    };
    match result {
        Ok(value) if message["type"] == "pageEvent" => Some(
            json!({ "kind": "pageEventResult", "name": message["name"], "value": value, "ref": message["ref"] }),
        ),
        Ok(_) => None,
        Err(err @ SessionError::Stopped(_)) => Some(json!({ "kind": "stopped", "text": err.to_string() })),
        Err(SessionError::Failed(text)) => Some(json!({ "kind": "error", "text": text })),
    }
}

/// A routing API called for the person (the back button, the tabBar, a navigator).
fn call_wx(live: &Live, method: &str, options: Json_) -> Result<Json_, SessionError> {
    live.remote.automation(json!({ "op": "callWx", "method": method, "args": [options] }))
}
