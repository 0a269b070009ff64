//! An example merchant backend for the demo mini-programs (the shop, the cinema, the game), as
//! a developer would write one: it talks to Capsule only through the open API over HTTP
//! (`jscode2session`, `ecpay/v1/create_order`, `query_order`), keeps its own users' orders,
//! addresses and scores, and accepts payment callbacks only when their `msg_signature` is right
//! and they are neither stale nor replayed.

mod catalog;
mod notify;
mod store;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use md5::{Digest, Md5};
use serde_json::{Value as Json_, json};

pub use notify::{REPLAY_WINDOW_SECS, msg_signature};
pub use store::{Address, Ledger, Order};

/// One mini-program's credentials, from the platform's console (the demo writes them to
/// `demo-secrets.json`).
#[derive(Clone, Debug, serde::Deserialize)]
pub struct AppKeys {
    pub secret: String,
    pub payment_salt: String,
}

#[derive(Clone, Debug)]
pub struct Config {
    /// The platform's address, such as `http://127.0.0.1:8787`.
    pub platform: String,
    /// The apps this backend serves, by appid.
    pub apps: BTreeMap<String, AppKeys>,
    /// Where the ledger is kept between starts; in memory only when `None`.
    pub data_file: Option<PathBuf>,
}

/// Reads `demo-secrets.json` (`{appid: {secret, payment_salt}}`).
pub fn read_secrets(file: &std::path::Path) -> anyhow::Result<BTreeMap<String, AppKeys>> {
    let text = std::fs::read_to_string(file)?;
    Ok(serde_json::from_str(&text)?)
}

#[derive(Clone)]
struct Merchant {
    config: Arc<Config>,
    /// This backend's own address, for the orders' `notify_url`.
    origin: String,
    ledger: Arc<Mutex<Ledger>>,
    agent: ureq::Agent,
}

/// Serves on `listener` until the process ends; answers the backend's address at once.
pub async fn start(config: Config, listener: tokio::net::TcpListener) -> anyhow::Result<String> {
    let origin = format!("http://{}", listener.local_addr()?);
    let ledger = match &config.data_file {
        Some(file) => Ledger::load(file)?,
        None => Ledger::default(),
    };
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    let merchant = Merchant {
        config: Arc::new(config),
        origin: origin.clone(),
        ledger: Arc::new(Mutex::new(ledger)),
        agent,
    };
    let app = Router::new()
        .route("/api/login", post(login))
        .route("/api/addresses", get(addresses).post(add_address))
        .route("/api/orders", get(orders).post(create_order))
        .route("/api/orders/{out_order_no}", get(order))
        .route("/api/showtimes/{show}/seats", get(taken_seats))
        .route("/api/scores", get(leaderboard).post(add_score))
        .route("/notify", post(notify::payment_callback))
        .with_state(merchant);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(origin)
}

pub(crate) fn unix_seconds() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// A refusal the mini-program shows: `{error}` with a status.
struct Refusal(StatusCode, String);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

fn bad(text: impl Into<String>) -> Refusal {
    Refusal(StatusCode::BAD_REQUEST, text.into())
}

impl Merchant {
    fn read_ledger<R>(&self, read: impl FnOnce(&Ledger) -> R) -> R {
        read(&self.ledger.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Changes the ledger and writes it to its file (when it has one) before answering.
    fn change_ledger<R>(&self, change: impl FnOnce(&mut Ledger) -> R) -> R {
        let mut ledger = self.ledger.lock().unwrap_or_else(|e| e.into_inner());
        let result = change(&mut ledger);
        if let Some(file) = &self.config.data_file
            && let Err(e) = ledger.save(file)
        {
            eprintln!("merchant: cannot save {}: {e}", file.display());
        }
        result
    }

    /// The logged-in user of a request (`x-session` header): (appid, openid).
    fn user(&self, headers: &HeaderMap) -> Result<(String, String), Refusal> {
        let token = headers.get("x-session").and_then(|v| v.to_str().ok()).unwrap_or("");
        self.read_ledger(|ledger| ledger.sessions.get(token).cloned())
            .ok_or_else(|| Refusal(StatusCode::UNAUTHORIZED, "log in first".into()))
    }

    /// Calls the platform's open API and answers its `data` (or the whole answer when it has
    /// none); a non-zero `err_no` is an error.
    async fn open_api(&self, path: &str, body: Json_) -> Result<Json_, Refusal> {
        let url = format!("{}{path}", self.config.platform.trim_end_matches('/'));
        let agent = self.agent.clone();
        let answer = tokio::task::spawn_blocking(move || -> Result<Json_, String> {
            let mut response = agent.post(&url).send_json(&body).map_err(|e| e.to_string())?;
            response.body_mut().read_json::<Json_>().map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| Refusal(StatusCode::BAD_GATEWAY, e.to_string()))?
        .map_err(|e| Refusal(StatusCode::BAD_GATEWAY, format!("the platform cannot be reached: {e}")))?;
        if answer["err_no"].as_i64().unwrap_or(0) != 0 {
            let tips = answer["err_tips"].as_str().unwrap_or("refused");
            return Err(Refusal(StatusCode::BAD_GATEWAY, format!("the platform refused: {tips}")));
        }
        Ok(if answer.get("data").is_some() { answer["data"].clone() } else { answer })
    }

    fn keys(&self, appid: &str) -> Result<&AppKeys, Refusal> {
        self.config.apps.get(appid).ok_or_else(|| bad(format!("this backend does not serve {appid}")))
    }
}

/// `POST /api/login {appid, code}`: the code from `tt.login` traded for the user's openid.
async fn login(State(merchant): State<Merchant>, Json(body): Json<Json_>) -> Result<Json<Json_>, Refusal> {
    let appid = body["appid"].as_str().unwrap_or("").to_string();
    let keys = merchant.keys(&appid)?.clone();
    let session = merchant
        .open_api(
            "/api/apps/v2/jscode2session",
            json!({ "appid": appid, "secret": keys.secret, "code": body["code"], "anonymous_code": body["anonymous_code"] }),
        )
        .await?;
    let openid = session["openid"].as_str().filter(|s| !s.is_empty()).unwrap_or("").to_string();
    if openid.is_empty() {
        return Err(Refusal(StatusCode::UNAUTHORIZED, "log in to the host first".into()));
    }
    let token = store::random_token();
    merchant.change_ledger(|ledger| ledger.sessions.insert(token.clone(), (appid, openid.clone())));
    Ok(Json(json!({ "session": token, "openid": openid })))
}

async fn addresses(State(merchant): State<Merchant>, headers: HeaderMap) -> Result<Json<Json_>, Refusal> {
    let (_, openid) = merchant.user(&headers)?;
    let list = merchant.read_ledger(|ledger| ledger.addresses.get(&openid).cloned().unwrap_or_default());
    Ok(Json(json!({ "addresses": list })))
}

async fn add_address(
    State(merchant): State<Merchant>,
    headers: HeaderMap,
    Json(body): Json<Json_>,
) -> Result<Json<Json_>, Refusal> {
    let (_, openid) = merchant.user(&headers)?;
    let field = |key: &str| body[key].as_str().unwrap_or("").trim().to_string();
    let address = Address { name: field("name"), phone: field("phone"), detail: field("detail") };
    if address.name.is_empty() || address.detail.is_empty() || address.name.chars().count() > 40 {
        return Err(bad("a name and an address are required"));
    }
    let list = merchant.change_ledger(|ledger| {
        let list = ledger.addresses.entry(openid).or_default();
        list.push(address);
        list.clone()
    });
    Ok(Json(json!({ "addresses": list })))
}

/// `POST /api/orders`: `{lines: [{id, count}], address}` for the shop, `{show, seats}` for the
/// cinema. The backend prices the order from its own catalogue (never from the mini-program),
/// creates it on the platform signed with the payment salt, and answers what `tt.pay` needs.
async fn create_order(
    State(merchant): State<Merchant>,
    headers: HeaderMap,
    Json(body): Json<Json_>,
) -> Result<Json<Json_>, Refusal> {
    let (appid, openid) = merchant.user(&headers)?;
    let draft = if body.get("show").is_some() {
        let taken = merchant.read_ledger(|ledger| ledger.taken_seats(body["show"].as_str().unwrap_or("")));
        catalog::ticket_order(&body, &taken).map_err(bad)?
    } else {
        catalog::shop_order(&body).map_err(bad)?
    };
    let out_order_no = format!("{}{}", draft.prefix, store::random_token()[..12].to_ascii_uppercase());
    let mut params = json!({
        "app_id": appid, "out_order_no": out_order_no, "total_amount": draft.total,
        "subject": draft.title, "body": draft.title, "valid_time": 900,
        "notify_url": format!("{}/notify", merchant.origin),
    });
    params["sign"] = json!(ecpay_sign(&params, &merchant.keys(&appid)?.payment_salt));
    let created = merchant.open_api("/api/apps/ecpay/v1/create_order", params).await?;
    let order = Order {
        out_order_no: out_order_no.clone(),
        appid,
        openid,
        title: draft.title,
        lines: draft.lines,
        total: draft.total,
        address: body.get("address").cloned().unwrap_or(Json_::Null),
        show: draft.show,
        seats: draft.seats,
        status: "unpaid".into(),
        order_id: created["order_id"].as_str().unwrap_or("").into(),
        order_token: created["order_token"].as_str().unwrap_or("").into(),
        created_at: unix_seconds(),
        paid_at: None,
        ticket_code: None,
    };
    merchant.change_ledger(|ledger| ledger.orders.push(order.clone()));
    Ok(Json(serde_json::to_value(order).unwrap_or_default()))
}

async fn orders(State(merchant): State<Merchant>, headers: HeaderMap) -> Result<Json<Json_>, Refusal> {
    let (appid, openid) = merchant.user(&headers)?;
    let list: Vec<Order> = merchant.read_ledger(|ledger| {
        ledger.orders.iter().rev().filter(|o| o.appid == appid && o.openid == openid).cloned().collect()
    });
    Ok(Json(json!({ "orders": list })))
}

/// One order; while unpaid, its state is checked with the platform's `query_order` too (the
/// callback may still be on its way).
async fn order(
    State(merchant): State<Merchant>,
    headers: HeaderMap,
    Path(out_order_no): Path<String>,
) -> Result<Json<Json_>, Refusal> {
    let (appid, openid) = merchant.user(&headers)?;
    let find = |ledger: &Ledger| {
        ledger.orders.iter().find(|o| o.out_order_no == out_order_no && o.openid == openid).cloned()
    };
    let order =
        merchant.read_ledger(find).ok_or_else(|| Refusal(StatusCode::NOT_FOUND, "no such order".into()))?;
    if order.status == "unpaid" {
        let mut params = json!({ "app_id": appid, "out_order_no": out_order_no });
        params["sign"] = json!(ecpay_sign(&params, &merchant.keys(&appid)?.payment_salt));
        let answer = merchant.open_api("/api/apps/ecpay/v1/query_order", params).await?;
        let status = answer["payment_info"]["order_status"].as_str().unwrap_or("");
        merchant.change_ledger(|ledger| ledger.settle(&out_order_no, status));
    }
    let mut answer = serde_json::to_value(merchant.read_ledger(find)).unwrap_or_default();
    if let Some(code) = answer["ticket_code"].as_str() {
        answer["ticket_qr"] = json!(ticket_qr(code));
    }
    Ok(Json(answer))
}

/// The e-ticket's QR code as an SVG data URL: the picture travels with the order through
/// `tt.request`, because a person's browser cannot reach this backend itself.
fn ticket_qr(code: &str) -> String {
    use base64::Engine as _;
    let svg = qrcode::QrCode::new(code.as_bytes())
        .map(|qr| qr.render::<qrcode::render::svg::Color>().min_dimensions(240, 240).quiet_zone(true).build())
        .unwrap_or_default();
    format!("data:image/svg+xml;base64,{}", base64::engine::general_purpose::STANDARD.encode(svg))
}

async fn taken_seats(State(merchant): State<Merchant>, Path(show): Path<String>) -> Json<Json_> {
    Json(json!({ "taken": merchant.read_ledger(|ledger| ledger.taken_seats(&show)) }))
}

async fn add_score(
    State(merchant): State<Merchant>,
    headers: HeaderMap,
    Json(body): Json<Json_>,
) -> Result<Json<Json_>, Refusal> {
    let (appid, openid) = merchant.user(&headers)?;
    let score =
        body["score"].as_u64().filter(|s| *s <= 10_000_000).ok_or_else(|| bad("score must be a number"))?;
    let name = body["name"].as_str().unwrap_or("").trim().chars().take(20).collect::<String>();
    let board = merchant.change_ledger(|ledger| {
        ledger.record_score(&appid, &openid, if name.is_empty() { "Player" } else { &name }, score);
        ledger.leaderboard(&appid)
    });
    Ok(Json(json!({ "leaderboard": board })))
}

async fn leaderboard(State(merchant): State<Merchant>, headers: HeaderMap) -> Result<Json<Json_>, Refusal> {
    let (appid, _) = merchant.user(&headers)?;
    Ok(Json(json!({ "leaderboard": merchant.read_ledger(|ledger| ledger.leaderboard(&appid)) })))
}

/// Douyin's guaranteed-pay signature: MD5 over the sorted non-empty values (not `sign`,
/// `app_id`, `thirdparty_id`, `other_settle_params`) and the salt, joined with `&`.
pub fn ecpay_sign(params: &Json_, salt: &str) -> String {
    let skipped = ["sign", "app_id", "thirdparty_id", "other_settle_params"];
    let mut values: Vec<String> = params
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(key, _)| !skipped.contains(&key.as_str()))
        .map(|(_, value)| match value {
            Json_::String(text) => text.trim().to_string(),
            other => other.to_string(),
        })
        .filter(|value| !value.is_empty() && value != "null")
        .collect();
    values.push(salt.to_string());
    values.sort();
    hex(&Md5::digest(values.join("&").as_bytes()))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
