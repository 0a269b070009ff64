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
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use capsule_platform::payments::OrderStatus;
use capsule_platform::{Channel, HostProfile};
use capsule_runtime::host::Reply;
use capsule_runtime::worker::{RemoteSession, SessionError, UpdateSink};
use capsule_runtime::{AppBundle, Host, LaunchOptions, SessionScope, ViewEvent};
use serde_json::{Value as Json_, json};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use crate::catalog::MiniApp;
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
    "previewImage",
    "setTabBarBadge",
    "removeTabBarBadge",
    "showTabBarRedDot",
    "hideTabBarRedDot",
    "showTabBar",
    "hideTabBar",
    "setTabBarStyle",
    "setTabBarItem",
    "exitMiniProgram",
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
    /// Whoever is logged in on this browser now.
    async fn user(&self) -> Result<Option<capsule_platform::User>, String> {
        match &self.device {
            Some(device) => self.platform.user_on_device(device).await.map_err(|e| e.to_string()),
            None => Ok(None),
        }
    }

    /// Codes for whoever is logged in on this browser now; `None` if no one is.
    async fn codes(&self, anonymous_allowed: bool) -> Result<Option<Json_>, String> {
        let user = self.user().await?;
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
        self.login.runtime.spawn(async move {
            let codes = async {
                if let Some(codes) = host.login.codes(!force).await? {
                    return Ok(codes);
                }
                host.prompt_login().await?;
                host.login.codes(false).await?.ok_or_else(|| "user did not log in".to_string())
            };
            reply(codes.await);
        });
    }

    /// The host's log-in sheet; an error if the person closes it.
    async fn prompt_login(&self) -> Result<(), String> {
        self.ask("login", json!({})).await.map(drop).map_err(|_| "user cancelled login".to_string())
    }

    /// `tt.getUserProfile` / `wx.getUserProfile` (and `getUserInfo`): the person, logged in
    /// (the host asks them to log in first), decides in the host's sheet whether the app gets
    /// their name. The name is their host account's, never the browser's word; a refusal
    /// answers `auth deny`, as the platforms do.
    fn user_profile(self: &Arc<Self>, args: Json_, reply: Reply) {
        let host = self.clone();
        self.login.runtime.spawn(async move {
            let profile = async {
                let user = match host.login.user().await? {
                    Some(user) => user,
                    None => {
                        host.prompt_login().await?;
                        host.login.user().await?.ok_or("user did not log in")?
                    }
                };
                let name = if user.display_name.is_empty() { user.username } else { user.display_name };
                let ask = json!({ "desc": args["desc"].as_str().unwrap_or(""), "nickName": name });
                host.ask("getUserProfile", ask).await.map_err(|_| "auth deny".to_string())?;
                Ok::<_, String>(json!({ "userInfo": {
                    "nickName": name, "avatarUrl": "", "gender": 0, "country": "", "province": "",
                    "city": "", "language": "en",
                } }))
            };
            reply(profile.await);
        });
    }

    /// `tt.pay`, `wx.requestPayment` and `my.tradePay`: the order (which must be this app's)
    /// goes to the browser's cashier sheet; once the person has paid or left it, the order's
    /// state on the platform (not the browser's word) decides the answer, in the called API's
    /// own result codes.
    fn pay(self: &Arc<Self>, api: &str, args: Json_, reply: Reply) {
        let api = PayApi::from_name(api);
        let Some((order_id, order_token)) = api.order_of(&args) else {
            return reply(Err(api.missing_order().into()));
        };
        let host = self.clone();
        let context = self.login.clone();
        context.runtime.clone().spawn(async move {
            let found = context
                .platform
                .order_for_mini_program(&context.appid, &order_id, order_token.as_deref())
                .await;
            let (order, app, token) = match found {
                Ok(found) => found,
                Err(e) => return reply(Err(e.to_string())),
            };
            let mut view = crate::payments::cashier_view(&order, &app);
            view["order_token"] = json!(token);
            let after_sheet: Reply = Box::new(move |answer| {
                let runtime = context.runtime.clone();
                runtime.spawn(async move {
                    let status = match context.platform.order(&order_id).await {
                        Ok(Some(order)) => order.status,
                        Ok(None) => OrderStatus::Fail,
                        Err(e) => return reply(Err(e.to_string())),
                    };
                    let cancelled = matches!(&answer, Err(reason) if reason == "cancel");
                    reply(api.result(status, cancelled));
                });
            });
            host.ask_browser("pay", view, after_sheet);
        });
    }

    /// The browser's answer to a host call, awaited.
    async fn ask(&self, api: &str, args: Json_) -> Result<Json_, String> {
        let (answered, answer) = tokio::sync::oneshot::channel();
        self.ask_browser(
            api,
            args,
            Box::new(move |result| {
                let _ = answered.send(result);
            }),
        );
        answer.await.unwrap_or_else(|_| Err("the view is gone".into()))
    }

    fn ask_browser(&self, api: &str, args: Json_, reply: Reply) {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        self.pending.lock().unwrap_or_else(|e| e.into_inner()).insert(id, reply);
        if self.out.send(json!({ "kind": "call", "id": id, "api": api, "args": args })).is_err() {
            self.answer(id, Err("the view is gone".into()));
        }
    }

    /// The view is gone: every call still waiting for the browser fails, so nothing (a task
    /// awaiting `ask`, holding this host) waits for ever.
    fn forget_pending(&self) {
        let pending = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()));
        for (_, reply) in pending {
            reply(Err("the view is gone".into()));
        }
    }

    fn answer(&self, id: u64, result: Result<Json_, String>) {
        let reply = self.pending.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
        if let Some(reply) = reply {
            reply(result);
        }
    }
}

/// The client for mini-programs' requests. It follows no redirects: a listed domain must not
/// lead the server on to one that is not listed.
fn request_agent() -> &'static ureq::Agent {
    static AGENT: std::sync::OnceLock<ureq::Agent> = std::sync::OnceLock::new();
    AGENT.get_or_init(|| {
        ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into()
    })
}

/// The three payment APIs, each naming the order its own way and answering in its own codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PayApi {
    /// Douyin's `tt.pay({orderInfo: {order_id, order_token}, service: 5})`: success with
    /// `code` 0 paid, 1 timed out, 2 failed, 3 closed, 4 cancelled, 9 unknown.
    Douyin,
    /// WeChat's `wx.requestPayment({package: "prepay_id=<order_id>", paySign: <order_token>})`:
    /// `requestPayment:ok`, or `requestPayment:fail cancel` / `:fail <reason>`.
    WeChat,
    /// Alipay's `my.tradePay({tradeNO: <order_id>})`: success with `resultCode` "9000" paid,
    /// "6001" cancelled, "4000" failed.
    Alipay,
}

impl PayApi {
    fn from_name(api: &str) -> PayApi {
        match api {
            "requestPayment" => PayApi::WeChat,
            "tradePay" => PayApi::Alipay,
            _ => PayApi::Douyin,
        }
    }

    /// The order id and, except for `tradePay`, the token the call carries.
    fn order_of(self, args: &Json_) -> Option<(String, Option<String>)> {
        let text = |value: &Json_| value.as_str().map(str::trim).filter(|s| !s.is_empty()).map(String::from);
        match self {
            PayApi::Douyin => {
                let info = &args["orderInfo"];
                Some((text(&info["order_id"])?, Some(text(&info["order_token"])?)))
            }
            PayApi::WeChat => {
                let package = text(&args["package"])?;
                let order_id = package.strip_prefix("prepay_id=")?.to_string();
                Some((order_id, Some(text(&args["paySign"])?)))
            }
            PayApi::Alipay => Some((text(&args["tradeNO"])?, None)),
        }
    }

    fn missing_order(self) -> &'static str {
        match self {
            PayApi::Douyin => "invalid orderInfo: order_id and order_token are required",
            PayApi::WeChat => "invalid package: expected prepay_id=<order_id>, with paySign",
            PayApi::Alipay => "tradeNO is required",
        }
    }

    /// The answer once the cashier closed: the order's status, and whether the person cancelled.
    fn result(self, status: OrderStatus, cancelled: bool) -> Result<Json_, String> {
        match self {
            PayApi::Douyin => Ok(json!({ "code": match status {
                OrderStatus::Success => 0,
                OrderStatus::Timeout => 1,
                OrderStatus::Fail => 3,
                OrderStatus::Processing if cancelled => 4,
                OrderStatus::Processing => 2,
            } })),
            PayApi::WeChat => match status {
                OrderStatus::Success => Ok(json!({})),
                OrderStatus::Processing if cancelled => Err("cancel".into()),
                OrderStatus::Timeout => Err("the order has expired".into()),
                OrderStatus::Fail => Err("the order was closed".into()),
                OrderStatus::Processing => Err("the payment did not go through".into()),
            },
            PayApi::Alipay => Ok(json!({ "resultCode": match status {
                OrderStatus::Success => "9000",
                OrderStatus::Processing if cancelled => "6001",
                _ => "4000",
            } })),
        }
    }
}

/// The session's handle on its [`WebHost`] (the runtime wants an owned `Arc<dyn Host>`).
struct SharedHost(Arc<WebHost>);

impl Host for SharedHost {
    fn call(&self, _scope: &SessionScope, api: &str, args: Json_, reply: Reply) {
        if api == "login" {
            self.0.log_in(args, reply);
        } else if matches!(api, "getUserProfile" | "getUserInfo") {
            self.0.user_profile(args, reply);
        } else if matches!(api, "pay" | "requestPayment" | "tradePay") {
            self.0.pay(api, args, reply);
        } else if api == "request" {
            // The runtime has checked the URL against the app's request domains.
            self.0
                .login
                .runtime
                .spawn_blocking(move || reply(crate::mini_request::perform(request_agent(), &args)));
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
    /// The package the session runs, whose pictures and media its pages show.
    bundle: Arc<AppBundle>,
    outgoing: Mutex<Option<(UnboundedReceiver<Json_>, FirstFrame)>>,
    closed: AtomicBool,
}

/// What the response that opened a session showed: the view right after its launch, which
/// already holds the launch's first `updates` updates (its page's tree, style and stack).
struct FirstFrame {
    page: Json_,
    updates: u64,
}

impl FirstFrame {
    /// Whether `message`, the next on the session's channel, is one of the launch's updates that
    /// the first frame already shows (so the browser need not build that page again). Host calls
    /// share the channel but are no updates; logs and other pages' trees still go out.
    fn shows(&mut self, message: &Json_) -> bool {
        if self.updates == 0 || message["kind"] == "call" {
            return false;
        }
        self.updates -= 1;
        match message["kind"].as_str() {
            Some("stack") => true,
            Some("render" | "style" | "patches") => message["page"] == self.page,
            _ => false,
        }
    }
}

impl Live {
    fn close(&self) {
        if !self.closed.swap(true, Ordering::SeqCst) {
            self.remote.close();
            self.host.forget_pending();
        }
    }
}

/// How long an opened session waits for its page's socket by default.
const CONNECT_WITHIN: Duration = Duration::from_secs(30);

/// The sessions the server runs, by id.
pub struct Sessions {
    live: Mutex<HashMap<String, Arc<Live>>>,
    /// A session whose page has not connected by then is closed: a page that went away, or a
    /// script opening sessions by the hundred, holds no mini-program in a worker.
    connect_within: Duration,
}

impl Default for Sessions {
    fn default() -> Self {
        Sessions::connecting_within(CONNECT_WITHIN)
    }
}

impl Sessions {
    pub fn connecting_within(connect_within: Duration) -> Self {
        Sessions { live: Mutex::default(), connect_within }
    }

    fn get(&self, id: &str) -> Option<Arc<Live>> {
        self.live.lock().unwrap_or_else(|e| e.into_inner()).get(id).cloned()
    }

    fn remove(&self, id: &str) -> Option<Arc<Live>> {
        self.live.lock().unwrap_or_else(|e| e.into_inner()).remove(id)
    }

    /// Keeps `live` as `id` until its page connects, or closes it when no page has in time.
    fn insert(self: &Arc<Self>, id: String, live: Arc<Live>) {
        // The timer holds the session weakly: one that ends sooner is freed at once.
        let watched = Arc::downgrade(&live);
        self.live.lock().unwrap_or_else(|e| e.into_inner()).insert(id.clone(), live);
        let sessions = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(sessions.connect_within).await;
            let Some(live) = watched.upgrade() else { return };
            // Taking its outgoing side leaves nothing for a page that connects after all.
            let unconnected = live.outgoing.lock().unwrap_or_else(|e| e.into_inner()).take().is_some();
            if unconnected {
                sessions.remove(&id);
                live.close();
            }
        });
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/sessions", post(open))
        .route("/api/sessions/preload", post(preload))
        .route("/api/sessions/{id}/socket", get(socket))
        .route("/api/sessions/{id}/files/{*path}", get(package_file))
}

/// The content types of the package files a page may show: pictures, audio, video and fonts.
/// Scripts, templates and styles are the runtime's, never served.
const MEDIA_TYPES: &[(&str, &str)] = &[
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("webp", "image/webp"),
    ("svg", "image/svg+xml"),
    ("bmp", "image/bmp"),
    ("ico", "image/x-icon"),
    ("mp4", "video/mp4"),
    ("webm", "video/webm"),
    ("mp3", "audio/mpeg"),
    ("m4a", "audio/mp4"),
    ("aac", "audio/aac"),
    ("wav", "audio/wav"),
    ("ogg", "audio/ogg"),
    ("woff", "font/woff"),
    ("woff2", "font/woff2"),
    ("ttf", "font/ttf"),
    ("otf", "font/otf"),
];

/// The content type a package file is served with, when it is media a page may show.
fn media_type(path: &str) -> Option<&'static str> {
    let (_, extension) = path.rsplit_once('.')?;
    MEDIA_TYPES.iter().find(|(known, _)| known.eq_ignore_ascii_case(extension)).map(|(_, mime)| *mime)
}

/// A picture or other media file from the package a session runs (`<image src="/images/a.png">`
/// asks for `files/images/a.png`), for as long as the session lives.
async fn package_file(
    State(state): State<AppState>,
    Path((id, path)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let live = state.sessions.get(&id).ok_or_else(|| AppError::NotFound("no such session".into()))?;
    let content_type = media_type(&path).ok_or_else(|| {
        AppError::NotFound(format!("{path} is not a picture or media file a page can show"))
    })?;
    let bytes = live
        .bundle
        .file(&path)
        .ok_or_else(|| AppError::NotFound(format!("the package has no file {path}")))?
        .to_vec();
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "private, max-age=3600"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            // A mini-program's SVG opened on its own must not run script on the host's origin.
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'; sandbox"),
        ],
        bytes,
    )
        .into_response())
}

/// The mini-program `{appid, channel}` names, in the version this browser (its device and
/// whoever is logged in on it) gets, ready to launch.
struct Chosen {
    appid: String,
    device: Option<String>,
    user: Option<capsule_platform::User>,
    app: Arc<MiniApp>,
}

async fn choose(state: &AppState, headers: &HeaderMap, body: &Json_) -> Result<Chosen, AppError> {
    let appid =
        body["appid"].as_str().ok_or_else(|| AppError::BadRequest("appid is required".into()))?.to_string();
    let device = crate::host_app::device_of(headers);
    let channel = Channel::parse(body["channel"].as_str().unwrap_or("release"))?;
    let user = match &device {
        Some(device) => state.platform.user_on_device(device).await?,
        None => None,
    };
    let app = state.catalog.launch(&appid, channel, user.as_ref(), device.as_deref().unwrap_or("")).await?;
    Ok(Chosen { appid, device, user, app })
}

/// Gets `{appid, channel}` ready to open for this browser: its worker started and its package
/// opened, so that opening it only starts a session. The host asks when an anchor comes into
/// view, as short-video hosts preload the mini-program a video carries.
async fn preload(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(body): Json<Json_>,
) -> Result<Json<Json_>, AppError> {
    let Chosen { app, .. } = choose(&state, &headers, &body).await?;
    let runtime = state.runtime.clone();
    tokio::task::spawn_blocking(move || runtime.warm(&app.source))
        .await
        .map_err(|e| AppError::Runtime(e.to_string()))?
        .map_err(|e| AppError::Runtime(e.to_string()))?;
    Ok(Json(json!({ "ready": true })))
}

/// Opens `{appid, path, query}` for this browser and answers with the first frame.
async fn open(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(body): Json<Json_>,
) -> Result<Json<Json_>, AppError> {
    let Chosen { appid, device, user, app } = choose(&state, &headers, &body).await?;
    let host = HostProfile::get(body["host"].as_str().unwrap_or(HostProfile::default_host().id))?;
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
        ext_config: app.app.ext_config.clone(),
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
    let bundle = app.bundle.clone();
    let session_host: Arc<dyn Host> = Arc::new(SharedHost(host.clone()));
    // The session's storage is this browser's.
    let storage_owner = device.clone();
    // Updates and host calls leave on one channel, in the order the session made them.
    let updates = out;
    let sink: UpdateSink = Arc::new(move |update| {
        let _ = updates.send(update);
    });
    let (remote, view) = tokio::task::spawn_blocking(move || {
        runtime.launch_with(&source, &options, storage_owner, Some(session_host), Some(sink))
    })
    .await
    .map_err(|e| AppError::Runtime(e.to_string()))?
    .map_err(|e| AppError::Runtime(e.to_string()))?;

    let id = capsule_platform::random_hex(16);
    let live = Arc::new(Live {
        remote,
        host,
        bundle,
        outgoing: Mutex::new(Some((
            rx,
            FirstFrame { page: view["page"].clone(), updates: view["updates"].as_u64().unwrap_or(0) },
        ))),
        closed: AtomicBool::new(false),
    });
    state.sessions.insert(id.clone(), live);
    if let Some(visitor) = crate::host_app::visitor(user.as_ref(), device.as_deref()) {
        state.platform.record_open(&appid, &visitor).await?;
    }
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
    let (outgoing, first_frame) = live
        .outgoing
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take()
        .ok_or_else(|| AppError::BadRequest("this session already has a view".into()))?;
    Ok(upgrade.on_upgrade(move |socket| async move {
        drive(socket, live.clone(), outgoing, first_frame).await;
        live.close();
        state.sessions.remove(&id);
    }))
}

/// Sent after each message from the browser has been handled, after all it caused.
const SETTLED: &str = r#"{"kind":"settled"}"#;

async fn drive(
    mut socket: WebSocket,
    live: Arc<Live>,
    mut outgoing: UnboundedReceiver<Json_>,
    mut first_frame: FirstFrame,
) {
    // The browser's message being handled, if any: one at a time, in order. The session's
    // updates (an event's patches) go out as soon as they come, not when the handling ends,
    // and always before the handling's own answer (`biased`: updates are looked at first).
    let mut handling: Option<tokio::task::JoinHandle<Option<Json_>>> = None;
    loop {
        tokio::select! {
            biased;
            update = outgoing.recv() => {
                let Some(update) = update else { return };
                if first_frame.shows(&update) {
                    continue;
                }
                if socket.send(Message::Text(update.to_string().into())).await.is_err() {
                    return;
                }
            }
            answer = async { handling.as_mut().expect("guarded by the branch condition").await }, if handling.is_some() => {
                handling = None;
                if let Ok(Some(answer)) = answer
                    && socket.send(Message::Text(answer.to_string().into())).await.is_err()
                {
                    return;
                }
                // Everything the message caused has been sent: the page may paint now.
                if socket.send(Message::Text(SETTLED.into())).await.is_err() {
                    return;
                }
            }
            message = socket.recv(), if handling.is_none() => {
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
                handling = Some(tokio::task::spawn_blocking(move || handle(&live, &message)));
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
        // The nav bar's Back closes one page; a navigator's open-type="navigateBack" names `delta`.
        "back" => {
            let delta = message["delta"].as_u64().filter(|delta| *delta > 0).unwrap_or(1);
            call_wx(live, "navigateBack", json!({ "delta": delta }))
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_payment_api_names_its_order_its_own_way() {
        let tt = json!({ "orderInfo": { "order_id": "N1", "order_token": "ot-1" }, "service": 5 });
        assert_eq!(PayApi::Douyin.order_of(&tt), Some(("N1".into(), Some("ot-1".into()))));
        assert_eq!(PayApi::Douyin.order_of(&json!({ "orderInfo": { "order_id": "N1" } })), None);
        let wx = json!({ "timeStamp": "1", "nonceStr": "n", "package": "prepay_id=N2", "signType": "RSA", "paySign": "ot-2" });
        assert_eq!(PayApi::WeChat.order_of(&wx), Some(("N2".into(), Some("ot-2".into()))));
        assert_eq!(PayApi::WeChat.order_of(&json!({ "package": "N2", "paySign": "x" })), None);
        assert_eq!(PayApi::Alipay.order_of(&json!({ "tradeNO": "N3" })), Some(("N3".into(), None)));
        assert_eq!(PayApi::Alipay.order_of(&json!({})), None);
    }

    #[test]
    fn each_payment_api_answers_in_its_own_codes() {
        use OrderStatus::*;
        let code = |status, cancelled| PayApi::Douyin.result(status, cancelled).unwrap()["code"].clone();
        assert_eq!(
            [code(Success, false), code(Timeout, false), code(Processing, false), code(Fail, false)],
            [json!(0), json!(1), json!(2), json!(3)]
        );
        assert_eq!(code(Processing, true), json!(4));
        // A payment that went through counts even if the sheet was then dismissed.
        assert_eq!(code(Success, true), json!(0));
        assert_eq!(PayApi::WeChat.result(Success, false), Ok(json!({})));
        assert_eq!(PayApi::WeChat.result(Processing, true), Err("cancel".into()));
        let alipay =
            |status, cancelled| PayApi::Alipay.result(status, cancelled).unwrap()["resultCode"].clone();
        assert_eq!(
            [alipay(Success, false), alipay(Processing, true), alipay(Timeout, false)],
            [json!("9000"), json!("6001"), json!("4000")]
        );
    }
}
