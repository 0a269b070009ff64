//! Payments over HTTP: Douyin's guaranteed-pay open API (`/api/apps/ecpay/v1/create_order`,
//! `query_order`, `create_refund`, `query_refund`, answering `{err_no, err_tips, …}`), the
//! payment provider the platform pays through (the in-process sandbox Alipay gateway unless a
//! real gateway is configured), the host's cashier (`/api/cashier/{order_id}`: what it shows,
//! and paying with the sandbox PIN), and the background worker that sends due callbacks and expires
//! unpaid orders.

use std::sync::Arc;
use std::time::Duration;

use std::collections::HashMap;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use capsule_platform::login::OpenApiError;
use capsule_platform::payments::Order;
use capsule_platform::payments::notify::NotifySender;
use capsule_platform::payments::provider::{
    Alipay, AlipayConfig, BoxFuture, FormPoster, GatewayTransport, PaymentProvider,
};
use capsule_platform::payments::sandbox::sandbox_alipay;
use capsule_platform::payments::sign::{RsaKey, parse_public_key};
use capsule_platform::{App, Platform, PlatformError};
use serde_json::{Map, Value as Json_, json};
use tokio::sync::OnceCell;

use crate::account::CurrentUser;
use crate::open_api_doc::{CreateOrderData, PaymentInfo, RefundInfo};
use crate::{AppError, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/apps/ecpay/v1/create_order", post(create_order))
        .route("/api/apps/ecpay/v1/query_order", post(query_order))
        .route("/api/apps/ecpay/v1/create_refund", post(create_refund))
        .route("/api/apps/ecpay/v1/query_refund", post(query_refund))
        .route("/api/cashier/{order_id}", get(cashier))
        .route("/api/cashier/{order_id}/pay", post(pay))
        .route(ALIPAY_NOTIFY_PATH, post(alipay_notify))
}

/// Where Alipay posts its asynchronous notifications to the platform.
pub const ALIPAY_NOTIFY_PATH: &str = "/api/payments/alipay/notify";

/// Alipay's asynchronous notification (a form): checked with Alipay's key, then the payment is
/// recorded unless it already was. Alipay repeats a notification until the answer is `success`.
#[utoipa::path(
    post,
    path = "/api/payments/alipay/notify",
    tag = "payments",
    request_body(content = crate::open_api_doc::AlipayNotification, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "`success`: the payment is recorded (now or before)", body = String, content_type = "text/plain"),
        (status = 400, description = "`fail`: a bad signature, another merchant, an unknown order or another amount", body = String, content_type = "text/plain"),
    )
)]
pub(crate) async fn alipay_notify(
    State(state): State<AppState>,
    axum::extract::Form(form): axum::extract::Form<Vec<(String, String)>>,
) -> (axum::http::StatusCode, &'static str) {
    let outcome = async {
        let provider = state.payments.provider(&state.platform).await?;
        let notice = provider.verify_notification(&form)?;
        state.platform.trade_notified(provider.as_ref(), &notice).await
    };
    match outcome.await {
        Ok(_) => (axum::http::StatusCode::OK, "success"),
        Err(e) => {
            eprintln!("payments: refused an Alipay notification: {e}");
            (axum::http::StatusCode::BAD_REQUEST, "fail")
        }
    }
}

/// What the host's cashier sheet shows: `GET /api/cashier/{order_id}?order_token=`.
async fn cashier(
    State(state): State<AppState>,
    Path(order_id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Json_>, AppError> {
    let token = query.get("order_token").map(String::as_str).unwrap_or("");
    let (order, app) = state.platform.order_for_cashier(&order_id, token).await?;
    Ok(Json(cashier_view(&order, &app)))
}

/// What the cashier sheet shows for `order` of `app`.
pub(crate) fn cashier_view(order: &Order, app: &App) -> Json_ {
    json!({
        "order_id": order.order_id, "merchant": app.settings.name, "icon": app.settings.icon,
        "subject": order.subject, "body": order.body, "total_amount": order.total_amount,
        "status": order.status.as_str(), "expires_at": order.expires_at, "way": "Alipay",
    })
}

/// The person confirmed in the cashier: `POST /api/cashier/{order_id}/pay {order_token, pin}`.
async fn pay(
    State(state): State<AppState>,
    Path(order_id): Path<String>,
    me: CurrentUser,
    body: Result<Json<Json_>, JsonRejection>,
) -> Result<Json<Json_>, AppError> {
    let Ok(Json(body)) = body else { return Err(AppError::BadRequest("the body must be JSON".into())) };
    let text = |key: &str| body[key].as_str().unwrap_or("").to_string();
    let provider = state.payments.provider(&state.platform).await?;
    let order = state
        .platform
        .pay_order(provider.as_ref(), &order_id, &text("order_token"), &me.user, &text("pin"))
        .await?;
    Ok(Json(json!({ "order_id": order.order_id, "status": order.status.as_str() })))
}

/// A real Alipay gateway and the merchant's keys, from the environment:
/// `CAPSULE_ALIPAY_GATEWAY` (such as `https://openapi.alipay.com/gateway.do`),
/// `CAPSULE_ALIPAY_APP_ID`, `CAPSULE_ALIPAY_PRIVATE_KEY` (a file: the merchant's PKCS#8 key,
/// PEM or base64) and `CAPSULE_ALIPAY_PUBLIC_KEY` (a file: Alipay's public key).
#[derive(Clone, Debug, Default)]
pub struct AlipaySettings {
    pub gateway: String,
    pub app_id: String,
    pub private_key_file: String,
    pub public_key_file: String,
    /// Where Alipay posts its notifications (the platform's public URL).
    pub notify_url: String,
}

impl AlipaySettings {
    /// The settings in the environment, when a gateway is named.
    pub fn from_env() -> Option<AlipaySettings> {
        let get = |name: &str| std::env::var(name).unwrap_or_default();
        let gateway = get("CAPSULE_ALIPAY_GATEWAY");
        (!gateway.is_empty()).then(|| AlipaySettings {
            gateway,
            app_id: get("CAPSULE_ALIPAY_APP_ID"),
            private_key_file: get("CAPSULE_ALIPAY_PRIVATE_KEY"),
            public_key_file: get("CAPSULE_ALIPAY_PUBLIC_KEY"),
            notify_url: get("CAPSULE_ALIPAY_NOTIFY_URL"),
        })
    }

    fn provider(&self) -> Result<Alipay, PlatformError> {
        let read = |file: &str, what: &str| {
            std::fs::read(file).map_err(|e| PlatformError::Invalid(format!("reading {what} {file:?}: {e}")))
        };
        let merchant_key = RsaKey::from_pkcs8(&read(&self.private_key_file, "the Alipay private key")?)?;
        let public = read(&self.public_key_file, "Alipay's public key")?;
        let alipay_public_key = parse_public_key(&String::from_utf8_lossy(&public))?;
        let config = AlipayConfig {
            app_id: self.app_id.clone(),
            merchant_key,
            alipay_public_key,
            notify_url: self.notify_url.clone(),
        };
        Ok(Alipay::new(
            config,
            Arc::new(HttpGateway { url: self.gateway.clone(), agent: agent(Duration::from_secs(10)) }),
        ))
    }
}

/// The provider payments go through, made on first use.
#[derive(Default)]
pub struct Payments {
    settings: Option<AlipaySettings>,
    provider: OnceCell<Arc<dyn PaymentProvider>>,
    /// The server's own address, where the sandbox posts its notifications.
    origin: std::sync::OnceLock<String>,
}

impl Payments {
    /// Payments through a real gateway when `settings` name one, else the sandbox.
    pub fn new(settings: Option<AlipaySettings>) -> Payments {
        Payments { settings, provider: OnceCell::new(), origin: std::sync::OnceLock::new() }
    }

    /// The server's address (`http://127.0.0.1:8787`), once it listens: the sandbox gateway
    /// then notifies the platform of payments over HTTP, as Alipay does.
    pub fn set_origin(&self, origin: String) {
        let _ = self.origin.set(origin);
    }

    pub async fn provider(&self, platform: &Platform) -> Result<Arc<dyn PaymentProvider>, PlatformError> {
        self.provider
            .get_or_try_init(|| async {
                let provider: Arc<dyn PaymentProvider> = match &self.settings {
                    Some(settings) => Arc::new(settings.provider()?),
                    None => {
                        let notify_url = match self.origin.get() {
                            Some(origin) => format!("{origin}{ALIPAY_NOTIFY_PATH}"),
                            None => String::new(),
                        };
                        let poster: Arc<dyn FormPoster> = Arc::new(HttpSender::default());
                        Arc::new(sandbox_alipay(platform, &notify_url, Some(poster)).await?)
                    }
                };
                Ok(provider)
            })
            .await
            .cloned()
    }
}

/// An HTTP client that answers every status as a response and gives up after `timeout`.
fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).timeout_global(Some(timeout)).build().into()
}

/// Posts `form` to `url` on a blocking thread and reads back the answer's body; the error says
/// which step failed.
async fn post_form(agent: &ureq::Agent, url: &str, form: Vec<(String, String)>) -> Result<String, String> {
    let (agent, url) = (agent.clone(), url.to_string());
    tokio::task::spawn_blocking(move || {
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let mut response =
            agent.post(&url).send_form(pairs).map_err(|e| format!("{url} cannot be reached: {e}"))?;
        response.body_mut().read_to_string().map_err(|e| format!("reading the answer of {url}: {e}"))
    })
    .await
    .map_err(|e| e.to_string())?
}

/// A real gateway over HTTPS: the signed form posted, the body read back.
struct HttpGateway {
    url: String,
    agent: ureq::Agent,
}

impl GatewayTransport for HttpGateway {
    fn send<'a>(&'a self, form: Vec<(String, String)>) -> BoxFuture<'a, Result<String, PlatformError>> {
        Box::pin(async move {
            post_form(&self.agent, &self.url, form)
                .await
                .map_err(|e| PlatformError::Payment(format!("Alipay's gateway: {e}")))
        })
    }
}

/// Posts callbacks over HTTP, waiting at most 5 seconds for the developer's server.
pub struct HttpSender {
    agent: ureq::Agent,
}

impl Default for HttpSender {
    fn default() -> Self {
        HttpSender { agent: agent(Duration::from_secs(5)) }
    }
}

impl FormPoster for HttpSender {
    fn post_form<'a>(
        &'a self,
        url: &'a str,
        form: &'a [(String, String)],
    ) -> BoxFuture<'a, Result<String, String>> {
        Box::pin(post_form(&self.agent, url, form.to_vec()))
    }
}

impl NotifySender for HttpSender {
    fn post<'a>(&'a self, url: &'a str, body: &'a Json_) -> BoxFuture<'a, Result<String, String>> {
        Box::pin(async move {
            let (agent, url, body) = (self.agent.clone(), url.to_string(), body.clone());
            tokio::task::spawn_blocking(move || {
                let mut response = agent.post(&url).send_json(&body).map_err(|e| e.to_string())?;
                let status = response.status();
                let text = response.body_mut().read_to_string().map_err(|e| e.to_string())?;
                match status.is_success() {
                    true => Ok(text),
                    false => Err(format!("HTTP {status}: {}", text.chars().take(200).collect::<String>())),
                }
            })
            .await
            .map_err(|e| e.to_string())?
        })
    }
}

/// Every `interval`: unpaid orders past their time expire (their trades closed), and due
/// callbacks are sent.
pub async fn run_worker(platform: Platform, payments: Arc<Payments>, interval: Duration) {
    let sender = HttpSender::default();
    loop {
        let expired = match payments.provider(&platform).await {
            Ok(provider) => platform.expire_orders(provider.as_ref()).await,
            Err(e) => Err(e),
        };
        if let Err(e) = expired {
            eprintln!("payments: expiring orders failed: {e}");
        }
        if let Err(e) = platform.deliver_notifications(&sender).await {
            eprintln!("payments: sending callbacks failed: {e}");
        }
        tokio::time::sleep(interval).await;
    }
}

fn params(body: Result<Json<Json_>, JsonRejection>) -> Result<Map<String, Json_>, OpenApiError> {
    match body {
        Ok(Json(Json_::Object(params))) => Ok(params),
        Ok(_) => Err(OpenApiError::bad_params("bad params: the body must be a JSON object")),
        Err(e) => {
            Err(OpenApiError::bad_params(format!("bad params: the body must be JSON: {}", e.body_text())))
        }
    }
}

/// Douyin's answer: `err_no`, `err_tips` and the fields of `data` at the top level, as the
/// guaranteed-pay API answers.
fn answer(result: Result<Json_, OpenApiError>) -> Json<Json_> {
    Json(match result {
        Ok(Json_::Object(fields)) => {
            let mut answer = json!({ "err_no": 0, "err_tips": "" });
            if let Some(answer) = answer.as_object_mut() {
                answer.extend(fields);
            }
            answer
        }
        Ok(other) => json!({ "err_no": 0, "err_tips": "", "data": other }),
        Err(e) => json!({ "err_no": e.err_no, "err_tips": e.err_tips }),
    })
}

/// `create_order`: `{err_no, err_tips, data: {order_id, order_token}}`.
#[utoipa::path(
    post,
    path = "/api/apps/ecpay/v1/create_order",
    tag = "payments",
    request_body = crate::open_api_doc::CreateOrderRequest,
    responses((status = 200, description = "The order, or err_no and err_tips", body = crate::open_api_doc::CreateOrderAnswer))
)]
pub(crate) async fn create_order(
    State(state): State<AppState>,
    body: Result<Json<Json_>, JsonRejection>,
) -> Json<Json_> {
    answer(
        async {
            let created = state.platform.create_order(&params(body)?).await?;
            Ok(json!({ "data": CreateOrderData::from(created) }))
        }
        .await,
    )
}

/// `query_order`: `{err_no, err_tips, out_order_no, order_id, payment_info}`.
#[utoipa::path(
    post,
    path = "/api/apps/ecpay/v1/query_order",
    tag = "payments",
    request_body = crate::open_api_doc::QueryOrderRequest,
    responses((status = 200, description = "The order's payment, or err_no and err_tips", body = crate::open_api_doc::QueryOrderAnswer))
)]
pub(crate) async fn query_order(
    State(state): State<AppState>,
    body: Result<Json<Json_>, JsonRejection>,
) -> Json<Json_> {
    answer(
        async {
            let order = state.platform.query_order(&params(body)?).await?;
            Ok(json!({
                "out_order_no": order.out_order_no, "order_id": order.order_id,
                "payment_info": PaymentInfo::from(&order),
            }))
        }
        .await,
    )
}

/// `create_refund`: `{err_no, err_tips, refund_no, refund_status}`.
#[utoipa::path(
    post,
    path = "/api/apps/ecpay/v1/create_refund",
    tag = "payments",
    request_body = crate::open_api_doc::CreateRefundRequest,
    responses((status = 200, description = "The refund, or err_no and err_tips", body = crate::open_api_doc::CreateRefundAnswer))
)]
pub(crate) async fn create_refund(
    State(state): State<AppState>,
    body: Result<Json<Json_>, JsonRejection>,
) -> Json<Json_> {
    answer(
        async {
            let params = params(body)?;
            let provider = state.payments.provider(&state.platform).await.map_err(OpenApiError::system)?;
            let refund = state.platform.create_refund(provider.as_ref(), &params).await?;
            Ok(json!({ "refund_no": refund.refund_id, "refund_status": refund.status }))
        }
        .await,
    )
}

/// `query_refund`: `{err_no, err_tips, refundInfo}`.
#[utoipa::path(
    post,
    path = "/api/apps/ecpay/v1/query_refund",
    tag = "payments",
    request_body = crate::open_api_doc::QueryRefundRequest,
    responses((status = 200, description = "The refund, or err_no and err_tips", body = crate::open_api_doc::QueryRefundAnswer))
)]
pub(crate) async fn query_refund(
    State(state): State<AppState>,
    body: Result<Json<Json_>, JsonRejection>,
) -> Json<Json_> {
    answer(
        async {
            let refund = state.platform.query_refund(&params(body)?).await?;
            Ok(json!({ "refundInfo": RefundInfo::from(&refund) }))
        }
        .await,
    )
}
