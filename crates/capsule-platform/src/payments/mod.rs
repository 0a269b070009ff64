//! Payments as Douyin's guaranteed pay (担保支付) does them: a developer's server creates an
//! order (`create_order`, signed with the app's payment salt or its RSA key), the mini-program
//! opens the host's cashier with the order's id and token, the person pays through a payment
//! provider (Alipay, or the built-in sandbox gateway), and the developer's server hears of it
//! through a signed callback. Orders expire, can be queried and refunded; the platform's rows
//! are the ledger.

pub mod notify;
pub mod provider;
pub mod sandbox;
pub mod sign;

use serde::Serialize;
use serde_json::{Map, Value as Json, json};

use crate::accounts::User;
use crate::apps::App;
use crate::login::OpenApiError;
use crate::{Platform, Result, random_hex, sha256_hex};
use provider::{PaymentProvider, TradeState};

pub use crate::login::{ERR_BAD_APPID, ERR_BAD_PARAMS};
/// The `sign` does not match the parameters.
pub const ERR_BAD_SIGN: i64 = 40016;
/// An `out_order_no` or `out_refund_no` used before with different parameters.
pub const ERR_NO_REUSED: i64 = 40021;
pub const ERR_NO_ORDER: i64 = 40022;
/// The order cannot be refunded (not paid, or more than what is left).
pub const ERR_REFUND: i64 = 40023;

/// Douyin's bounds on `valid_time`, in seconds.
pub const VALID_TIME: std::ops::RangeInclusive<i64> = 300..=172_800;
/// The largest order: ten million yuan, in fen.
pub const MAX_AMOUNT: i64 = 1_000_000_000;

/// An order's state, as `query_order` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum OrderStatus {
    Processing,
    Success,
    Fail,
    Timeout,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Processing => "PROCESSING",
            OrderStatus::Success => "SUCCESS",
            OrderStatus::Fail => "FAIL",
            OrderStatus::Timeout => "TIMEOUT",
        }
    }

    fn parse(text: &str) -> OrderStatus {
        match text {
            "SUCCESS" => OrderStatus::Success,
            "FAIL" => OrderStatus::Fail,
            "TIMEOUT" => OrderStatus::Timeout,
            _ => OrderStatus::Processing,
        }
    }
}

/// An order as the platform keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Order {
    pub order_id: String,
    pub appid: String,
    pub out_order_no: String,
    pub total_amount: i64,
    pub subject: String,
    pub body: String,
    pub cp_extra: String,
    pub notify_url: String,
    pub status: OrderStatus,
    pub created_at: i64,
    pub expires_at: i64,
    pub paid_at: Option<i64>,
    pub channel_no: String,
    pub way: String,
    pub payer_openid: String,
    pub refunded_amount: i64,
}

#[derive(sqlx::FromRow)]
struct OrderRow {
    order_id: String,
    appid: String,
    out_order_no: String,
    total_amount: i64,
    subject: String,
    body: String,
    cp_extra: String,
    notify_url: String,
    status: String,
    created_at: i64,
    expires_at: i64,
    paid_at: Option<i64>,
    channel_no: String,
    way: String,
    payer_openid: String,
    refunded_amount: i64,
}

impl From<OrderRow> for Order {
    fn from(row: OrderRow) -> Order {
        Order {
            order_id: row.order_id,
            appid: row.appid,
            out_order_no: row.out_order_no,
            total_amount: row.total_amount,
            subject: row.subject,
            body: row.body,
            cp_extra: row.cp_extra,
            notify_url: row.notify_url,
            status: OrderStatus::parse(&row.status),
            created_at: row.created_at,
            expires_at: row.expires_at,
            paid_at: row.paid_at,
            channel_no: row.channel_no,
            way: row.way,
            payer_openid: row.payer_openid,
            refunded_amount: row.refunded_amount,
        }
    }
}

macro_rules! order_columns {
    () => {
        "SELECT order_id, appid, out_order_no, total_amount, subject, body, cp_extra, notify_url, status, \
         created_at, expires_at, paid_at, channel_no, way, payer_openid, refunded_amount FROM pay_orders "
    };
}

/// What `create_order` answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CreatedOrder {
    pub order_id: String,
    pub order_token: String,
}

/// A refund's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Refund {
    pub refund_id: String,
    pub appid: String,
    pub out_refund_no: String,
    pub order_id: String,
    pub out_order_no: String,
    pub refund_amount: i64,
    pub reason: String,
    pub cp_extra: String,
    pub status: String,
    pub created_at: i64,
    pub refunded_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct RefundRow {
    refund_id: String,
    appid: String,
    out_refund_no: String,
    order_id: String,
    out_order_no: String,
    refund_amount: i64,
    reason: String,
    cp_extra: String,
    status: String,
    created_at: i64,
    refunded_at: Option<i64>,
}

impl From<RefundRow> for Refund {
    fn from(r: RefundRow) -> Refund {
        Refund {
            refund_id: r.refund_id,
            appid: r.appid,
            out_refund_no: r.out_refund_no,
            order_id: r.order_id,
            out_order_no: r.out_order_no,
            refund_amount: r.refund_amount,
            reason: r.reason,
            cp_extra: r.cp_extra,
            status: r.status,
            created_at: r.created_at,
            refunded_at: r.refunded_at,
        }
    }
}

/// The columns of [`RefundRow`] (refunds `r` joined to their orders `o`), for `concat!`.
macro_rules! refund_columns {
    () => {
        "SELECT r.refund_id, r.appid, r.out_refund_no, r.order_id, o.out_order_no, r.refund_amount, r.reason, \
         r.cp_extra, r.status, r.created_at, r.refunded_at FROM pay_refunds r \
         JOIN pay_orders o ON o.order_id = r.order_id "
    };
}

// After the column macros, which it uses.
pub mod ledger;

/// `2006-01-02 15:04:05` in UTC+8, as Douyin writes times, from Unix milliseconds.
pub fn format_time(millis: i64) -> String {
    let seconds = millis.div_euclid(1000) + 8 * 3600;
    let (days, rest) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}", rest / 3600, rest % 3600 / 60, rest % 60)
}

/// A required string parameter, at most `max` characters.
fn text_param(
    params: &Map<String, Json>,
    key: &str,
    max: usize,
    required: bool,
) -> Result<String, OpenApiError> {
    let value = match params.get(key) {
        None | Some(Json::Null) => String::new(),
        Some(Json::String(text)) => text.trim().to_string(),
        Some(Json::Number(number)) => number.to_string(),
        Some(_) => return Err(OpenApiError::bad_params(format!("bad params: {key} must be a string"))),
    };
    if required && value.is_empty() {
        return Err(OpenApiError::bad_params(format!("bad params: {key} is required")));
    }
    if value.chars().count() > max {
        return Err(OpenApiError::bad_params(format!("bad params: {key} is at most {max} characters")));
    }
    Ok(value)
}

/// An integer parameter (a JSON number, or a string of digits).
fn int_param(params: &Map<String, Json>, key: &str) -> Result<i64, OpenApiError> {
    let value = match params.get(key) {
        Some(Json::Number(number)) => number.as_i64(),
        Some(Json::String(text)) => text.trim().parse().ok(),
        _ => return Err(OpenApiError::bad_params(format!("bad params: {key} is required"))),
    };
    value.ok_or_else(|| OpenApiError::bad_params(format!("bad params: {key} must be a whole number")))
}

/// An `out_order_no`-like merchant number: 1 to 64 letters, digits, `_` and `-`.
fn merchant_no(params: &Map<String, Json>, key: &str) -> Result<String, OpenApiError> {
    let value = text_param(params, key, 64, true)?;
    if !value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        return Err(OpenApiError::bad_params(format!("bad params: {key} takes letters, digits, _ and -")));
    }
    Ok(value)
}

/// How long a confirmation's claim on an order holds: past it, the confirmation is taken to
/// have died (its charge, if any, is found by querying the provider).
const PAY_CLAIM_LEASE_MS: i64 = 60_000;

impl Platform {
    /// The app a payment request names, with its signature checked: RSA2 when the app
    /// registered an RSA key (`sign_type: "RSA2"` over the sorted `key=value` string of every
    /// parameter but `sign` and `sign_type`), else Douyin's MD5 over the values and the salt.
    async fn signed_app(&self, params: &Map<String, Json>) -> Result<App, OpenApiError> {
        let appid = text_param(params, "app_id", 64, true)?;
        let app = match self.app(&appid).await {
            Ok(app) => app,
            Err(crate::PlatformError::NotFound(_)) => {
                return Err(OpenApiError::new(ERR_BAD_APPID, "bad app_id: no such app"));
            }
            Err(e) => return Err(OpenApiError::system(e)),
        };
        let sign = text_param(params, "sign", 1024, true)?;
        let rsa_key: String = sqlx::query_scalar("SELECT rsa_public_key FROM apps WHERE appid = $1")
            .bind(&appid)
            .fetch_one(self.db.pool())
            .await
            .map_err(OpenApiError::system)?;
        let valid = if rsa_key.is_empty() {
            crate::constant_time_eq(&sign.to_ascii_lowercase(), &sign::ecpay_sign(params, &app.payment_salt))
        } else {
            if params.get("sign_type").and_then(Json::as_str) != Some("RSA2") {
                return Err(OpenApiError::new(
                    ERR_BAD_SIGN,
                    "sign mismatch: this app signs with RSA2 (sign_type RSA2)",
                ));
            }
            let der = sign::parse_public_key(&rsa_key).map_err(OpenApiError::system)?;
            sign::rsa2_verify(&der, &sign::sorted_json_pairs(params, &["sign", "sign_type"]), &sign)
        };
        if !valid {
            return Err(OpenApiError::new(
                ERR_BAD_SIGN,
                "sign mismatch: check the parameters and the payment salt",
            ));
        }
        Ok(app)
    }

    /// The token the cashier needs to pay `order_id`: derived, so the same request gets the same one.
    fn order_token(&self, order_id: &str) -> String {
        format!("ot-{}", &self.keys.derive(&["order-token", order_id])[..40])
    }

    /// `POST /api/apps/ecpay/v1/create_order`: a new order, or the same one for the same request.
    pub async fn create_order(&self, params: &Map<String, Json>) -> Result<CreatedOrder, OpenApiError> {
        let app = self.signed_app(params).await?;
        let out_order_no = merchant_no(params, "out_order_no")?;
        let total_amount = int_param(params, "total_amount")?;
        if total_amount <= 0 || total_amount > MAX_AMOUNT {
            return Err(OpenApiError::bad_params(format!(
                "bad params: total_amount is in fen, 1 to {MAX_AMOUNT}"
            )));
        }
        let subject = text_param(params, "subject", 128, true)?;
        let body = text_param(params, "body", 128, true)?;
        let valid_time = int_param(params, "valid_time")?;
        if !VALID_TIME.contains(&valid_time) {
            return Err(OpenApiError::bad_params(format!(
                "bad params: valid_time is in seconds, {} to {}",
                VALID_TIME.start(),
                VALID_TIME.end()
            )));
        }
        let cp_extra = text_param(params, "cp_extra", 2048, false)?;
        let mut notify_url = text_param(params, "notify_url", 256, false)?;
        if notify_url.is_empty() {
            notify_url = app.settings.notify_url.clone();
        }
        if !notify_url.is_empty() && !notify::is_notify_url(&notify_url) {
            return Err(OpenApiError::bad_params("bad params: notify_url must be an http(s) URL"));
        }
        let digest = sha256_hex(&sign::sorted_json_pairs(params, &["sign"]));
        let order_id = format!("N{}", random_hex(12));
        let now = self.now();
        let inserted = sqlx::query(
            "INSERT INTO pay_orders (order_id, appid, out_order_no, request_digest, total_amount, subject, body, \
             cp_extra, notify_url, status, created_at, expires_at, channel_no, way, payer_openid, refunded_amount) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'PROCESSING', $10, $11, '', '', '', 0) \
             ON CONFLICT (appid, out_order_no) DO NOTHING",
        )
        .bind(&order_id)
        .bind(&app.appid)
        .bind(&out_order_no)
        .bind(&digest)
        .bind(total_amount)
        .bind(&subject)
        .bind(&body)
        .bind(&cp_extra)
        .bind(&notify_url)
        .bind(now)
        .bind(now + valid_time * 1000)
        .execute(self.db.pool())
        .await
        .map_err(OpenApiError::system)?;
        if inserted.rows_affected() == 1 {
            return Ok(CreatedOrder { order_token: self.order_token(&order_id), order_id });
        }
        // The number was used: the same request is answered with the same order.
        let (existing, existing_digest): (String, String) = sqlx::query_as(
            "SELECT order_id, request_digest FROM pay_orders WHERE appid = $1 AND out_order_no = $2",
        )
        .bind(&app.appid)
        .bind(&out_order_no)
        .fetch_one(self.db.pool())
        .await
        .map_err(OpenApiError::system)?;
        if existing_digest != digest {
            return Err(OpenApiError::new(
                ERR_NO_REUSED,
                format!("out_order_no {out_order_no} was used for an order with other parameters"),
            ));
        }
        Ok(CreatedOrder { order_token: self.order_token(&existing), order_id: existing })
    }

    async fn order_row(&self, order_id: &str) -> Result<Option<Order>> {
        let row: Option<OrderRow> = sqlx::query_as(concat!(order_columns!(), "WHERE order_id = $1"))
            .bind(order_id)
            .fetch_optional(self.db.pool())
            .await?;
        Ok(row.map(Order::from))
    }

    /// An order by the app's number, expired first if its time is up.
    pub async fn order_by_out_no(&self, appid: &str, out_order_no: &str) -> Result<Option<Order>> {
        let row: Option<OrderRow> =
            sqlx::query_as(concat!(order_columns!(), "WHERE appid = $1 AND out_order_no = $2"))
                .bind(appid)
                .bind(out_order_no)
                .fetch_optional(self.db.pool())
                .await?;
        let Some(order) = row.map(Order::from) else { return Ok(None) };
        self.expire_if_due(order).await.map(Some)
    }

    /// An order by the platform's id, expired first if its time is up.
    pub async fn order(&self, order_id: &str) -> Result<Option<Order>> {
        let Some(order) = self.order_row(order_id).await? else { return Ok(None) };
        self.expire_if_due(order).await.map(Some)
    }

    async fn expire_if_due(&self, order: Order) -> Result<Order> {
        if order.status != OrderStatus::Processing || order.expires_at > self.now() {
            return Ok(order);
        }
        self.time_out_if_due(&order.order_id).await?;
        Ok(self.order_row(&order.order_id).await?.unwrap_or(order))
    }

    /// Marks the order TIMEOUT if it is unpaid and its time is up; answers whether it did. Not
    /// while a live confirmation is charging: it decides. A claim older than the lease was left
    /// by a confirmation that died, and does not count.
    async fn time_out_if_due(&self, order_id: &str) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE pay_orders SET status = 'TIMEOUT' WHERE order_id = $1 AND status = 'PROCESSING' \
             AND expires_at <= $2 AND (paying_since IS NULL OR paying_since < $3)",
        )
        .bind(order_id)
        .bind(self.now())
        .bind(self.now() - PAY_CLAIM_LEASE_MS)
        .execute(self.db.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Marks every unpaid order whose time is up as TIMEOUT, and closes its trade with the
    /// provider (if it has one) so that it cannot be paid later; answers the orders expired.
    pub async fn expire_orders(&self, provider: &dyn PaymentProvider) -> Result<Vec<String>> {
        let due: Vec<String> = sqlx::query_scalar(
            "SELECT order_id FROM pay_orders WHERE status = 'PROCESSING' AND expires_at <= $1 \
             AND (paying_since IS NULL OR paying_since < $2)",
        )
        .bind(self.now())
        .bind(self.now() - PAY_CLAIM_LEASE_MS)
        .fetch_all(self.db.pool())
        .await?;
        let mut expired = Vec::new();
        for order_id in due {
            // Another node, or a confirmation, may have got there first.
            if !self.time_out_if_due(&order_id).await? {
                continue;
            }
            match provider.close(&order_id).await {
                Ok(()) => {}
                // No trade was ever made: nothing to close.
                Err(crate::PlatformError::Payment(message)) if message.contains("TRADE_NOT_EXIST") => {}
                Err(e) => eprintln!("payments: closing the trade of expired order {order_id}: {e}"),
            }
            expired.push(order_id);
        }
        Ok(expired)
    }

    /// `POST /api/apps/ecpay/v1/query_order`.
    pub async fn query_order(&self, params: &Map<String, Json>) -> Result<Order, OpenApiError> {
        let app = self.signed_app(params).await?;
        let out_order_no = merchant_no(params, "out_order_no")?;
        self.order_by_out_no(&app.appid, &out_order_no)
            .await
            .map_err(OpenApiError::system)?
            .ok_or_else(|| OpenApiError::new(ERR_NO_ORDER, format!("no order {out_order_no}")))
    }

    /// The order the cashier shows, when `order_token` is its token.
    pub async fn order_for_cashier(&self, order_id: &str, order_token: &str) -> Result<(Order, App)> {
        let order = self.order(order_id).await?;
        let Some(order) = order.filter(|_| crate::constant_time_eq(order_token, &self.order_token(order_id)))
        else {
            return Err(crate::PlatformError::NotFound("no such order, or a wrong order_token".into()));
        };
        let app = self.app(&order.appid).await?;
        Ok((order, app))
    }

    /// The order a mini-program of `appid` asks the host's cashier to pay, with its token:
    /// `order_token` when the API passed one (`tt.pay`, `wx.requestPayment`), which must match;
    /// none for `my.tradePay({tradeNO})`, whose trade number is the order id. Another app's
    /// order is not found.
    pub async fn order_for_mini_program(
        &self,
        appid: &str,
        order_id: &str,
        order_token: Option<&str>,
    ) -> Result<(Order, App, String)> {
        let token = self.order_token(order_id);
        let (order, app) = self.order_for_cashier(order_id, order_token.unwrap_or(&token)).await?;
        if order.appid != appid {
            return Err(crate::PlatformError::NotFound("no such order for this mini-program".into()));
        }
        Ok((order, app, token))
    }

    /// Pays the order through `provider` on behalf of `payer`, who confirmed in the cashier
    /// with `auth` (the sandbox PIN). At most one confirmation charges: others see the order
    /// as being paid, then paid. A charge the provider already took (after a crash) is found by
    /// querying, never taken again.
    pub async fn pay_order(
        &self,
        provider: &dyn PaymentProvider,
        order_id: &str,
        order_token: &str,
        payer: &User,
        auth: &str,
    ) -> Result<Order> {
        let (order, app) = self.order_for_cashier(order_id, order_token).await?;
        match order.status {
            OrderStatus::Processing => {}
            OrderStatus::Success => {
                return Err(crate::PlatformError::Conflict("the order is already paid".into()));
            }
            OrderStatus::Timeout => {
                return Err(crate::PlatformError::Conflict("the order has expired".into()));
            }
            OrderStatus::Fail => return Err(crate::PlatformError::Conflict("the order was closed".into())),
        }
        let now = self.now();
        // A claim left by a confirmation that died is taken over after a minute.
        // The claimant is noted as the payer, for a notification that arrives without them.
        let claimed = sqlx::query(
            "UPDATE pay_orders SET paying_since = $1, payer_user_id = $4 WHERE order_id = $2 \
             AND status = 'PROCESSING' AND (paying_since IS NULL OR paying_since < $3)",
        )
        .bind(now)
        .bind(order_id)
        .bind(now - PAY_CLAIM_LEASE_MS)
        .bind(&payer.id)
        .execute(self.db.pool())
        .await?;
        if claimed.rows_affected() != 1 {
            return Err(crate::PlatformError::Conflict("the order is being paid".into()));
        }
        let charged = self.charge(provider, &order, &app, auth).await;
        let result = match charged {
            Ok(state) => self.record_payment(provider, &order, &app, &payer.id, &state).await,
            Err(e) => Err(e),
        };
        // Whatever happened, the claim is let go (a paid order is no longer PROCESSING anyway).
        sqlx::query("UPDATE pay_orders SET paying_since = NULL WHERE order_id = $1")
            .bind(order_id)
            .execute(self.db.pool())
            .await?;
        result
    }

    async fn charge(
        &self,
        provider: &dyn PaymentProvider,
        order: &Order,
        app: &App,
        auth: &str,
    ) -> Result<TradeState> {
        provider
            .pay(
                &provider::TradeRequest {
                    out_trade_no: order.order_id.clone(),
                    total_amount: order.total_amount,
                    subject: order.subject.clone(),
                    body: order.body.clone(),
                    seller: app.settings.name.clone(),
                    expires_at: order.expires_at,
                },
                auth,
            )
            .await
    }

    async fn record_payment(
        &self,
        provider: &dyn PaymentProvider,
        order: &Order,
        app: &App,
        payer_id: &str,
        state: &TradeState,
    ) -> Result<Order> {
        let openid = self.keys.openid(&app.appid, payer_id);
        let now = self.now();
        let mut tx = self.db.pool().begin().await?;
        let updated = sqlx::query(
            "UPDATE pay_orders SET status = 'SUCCESS', paid_at = $1, channel_no = $2, way = $3, payer_user_id = $4, \
             payer_openid = $5 WHERE order_id = $6 AND status = 'PROCESSING'",
        )
        .bind(now)
        .bind(&state.trade_no)
        .bind(provider.way())
        .bind(payer_id)
        .bind(&openid)
        .bind(&order.order_id)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 1 && !order.notify_url.is_empty() {
            let msg = json!({
                "appid": app.appid, "cp_orderno": order.out_order_no, "cp_extra": order.cp_extra,
                "way": provider.way(), "channel_no": state.trade_no, "channel_gateway_no": "",
                "payment_order_no": state.trade_no, "out_channel_order_no": state.trade_no,
                "total_amount": order.total_amount, "status": "SUCCESS", "seller_uid": "", "extra": "",
                "item_id": "", "paid_at": now / 1000, "message": "", "order_id": order.order_id,
            });
            notify::enqueue(
                &mut tx,
                now,
                &app.appid,
                "payment",
                &order.out_order_no,
                &order.notify_url,
                &msg,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(self.order(&order.order_id).await?.unwrap_or_else(|| order.clone()))
    }

    /// The provider's asynchronous notification about the trade of an order, its signature
    /// already checked: a payment the platform had not recorded yet (the confirmation that took
    /// it died) is recorded, with its callback to the developer, exactly as if confirmed; a
    /// notification repeated, or about an order already paid, changes nothing. The amount must
    /// be the order's.
    pub async fn trade_notified(
        &self,
        provider: &dyn PaymentProvider,
        notice: &provider::TradeNotice,
    ) -> Result<Order> {
        let order = self
            .order_row(&notice.out_trade_no)
            .await?
            .ok_or_else(|| crate::PlatformError::NotFound(format!("no order {}", notice.out_trade_no)))?;
        if !notice.state.paid || order.status == OrderStatus::Success {
            return Ok(order);
        }
        if notice.total_amount != order.total_amount {
            return Err(crate::PlatformError::Invalid(format!(
                "the notification says {} fen were paid for an order of {}",
                notice.total_amount, order.total_amount
            )));
        }
        // The money moved even if the order timed out meanwhile: it is recorded, not lost.
        let payer: Option<String> =
            sqlx::query_scalar("SELECT payer_user_id FROM pay_orders WHERE order_id = $1")
                .bind(&order.order_id)
                .fetch_one(self.db.pool())
                .await?;
        let payer = payer.unwrap_or_default();
        sqlx::query("UPDATE pay_orders SET status = 'PROCESSING' WHERE order_id = $1 AND status = 'TIMEOUT'")
            .bind(&order.order_id)
            .execute(self.db.pool())
            .await?;
        let app = self.app(&order.appid).await?;
        self.record_payment(provider, &order, &app, &payer, &notice.state).await
    }

    /// `POST /api/apps/ecpay/v1/create_refund`: refunds part or all of a paid order through
    /// the provider that took it.
    pub async fn create_refund(
        &self,
        provider: &dyn PaymentProvider,
        params: &Map<String, Json>,
    ) -> Result<Refund, OpenApiError> {
        let app = self.signed_app(params).await?;
        let out_order_no = merchant_no(params, "out_order_no")?;
        let out_refund_no = merchant_no(params, "out_refund_no")?;
        let amount = int_param(params, "refund_amount")?;
        let reason = text_param(params, "reason", 256, true)?;
        let cp_extra = text_param(params, "cp_extra", 2048, false)?;
        let mut notify_url = text_param(params, "notify_url", 256, false)?;
        if notify_url.is_empty() {
            notify_url = app.settings.notify_url.clone();
        }
        if let Some(existing) =
            self.refund_by_no(&app.appid, &out_refund_no).await.map_err(OpenApiError::system)?
        {
            if existing.out_order_no != out_order_no || existing.refund_amount != amount {
                return Err(OpenApiError::new(
                    ERR_NO_REUSED,
                    format!("out_refund_no {out_refund_no} was used for another refund"),
                ));
            }
            return Ok(existing);
        }
        let order = self
            .order_by_out_no(&app.appid, &out_order_no)
            .await
            .map_err(OpenApiError::system)?
            .ok_or_else(|| OpenApiError::new(ERR_NO_ORDER, format!("no order {out_order_no}")))?;
        if order.status != OrderStatus::Success {
            return Err(OpenApiError::new(ERR_REFUND, format!("order {out_order_no} is not paid")));
        }
        if amount <= 0 || amount > order.total_amount - order.refunded_amount {
            return Err(OpenApiError::new(
                ERR_REFUND,
                format!(
                    "refund_amount is in fen, 1 to {} (what is left of the order)",
                    order.total_amount - order.refunded_amount
                ),
            ));
        }
        // Reserve the amount first, so two refunds at once cannot both take the last of it.
        let now = self.now();
        let refund_id = format!("R{}", random_hex(12));
        let mut tx = self.db.pool().begin().await.map_err(OpenApiError::system)?;
        let reserved = sqlx::query(
            "UPDATE pay_orders SET refunded_amount = refunded_amount + $1 WHERE order_id = $2 \
             AND refunded_amount + $1 <= total_amount",
        )
        .bind(amount)
        .bind(&order.order_id)
        .execute(&mut *tx)
        .await
        .map_err(OpenApiError::system)?;
        if reserved.rows_affected() != 1 {
            return Err(OpenApiError::new(
                ERR_REFUND,
                "refund_amount is more than what is left of the order",
            ));
        }
        let inserted = sqlx::query(
            "INSERT INTO pay_refunds (refund_id, appid, out_refund_no, order_id, refund_amount, reason, cp_extra, \
             notify_url, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'PROCESSING', $9) \
             ON CONFLICT (appid, out_refund_no) DO NOTHING",
        )
        .bind(&refund_id)
        .bind(&app.appid)
        .bind(&out_refund_no)
        .bind(&order.order_id)
        .bind(amount)
        .bind(&reason)
        .bind(&cp_extra)
        .bind(&notify_url)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(OpenApiError::system)?;
        if inserted.rows_affected() != 1 {
            return Err(OpenApiError::new(
                ERR_NO_REUSED,
                format!("out_refund_no {out_refund_no} is being used"),
            ));
        }
        tx.commit().await.map_err(OpenApiError::system)?;
        let outcome = provider.refund(&order.order_id, &refund_id, amount).await;
        self.finish_refund(&app, &order, &refund_id, outcome.is_ok()).await.map_err(OpenApiError::system)?;
        if let Err(e) = outcome {
            return Err(OpenApiError::new(
                ERR_REFUND,
                format!("the payment provider refused the refund: {e}"),
            ));
        }
        self.refund_by_no(&app.appid, &out_refund_no)
            .await
            .map_err(OpenApiError::system)?
            .ok_or_else(|| OpenApiError::system("the refund vanished"))
    }

    async fn finish_refund(&self, app: &App, order: &Order, refund_id: &str, succeeded: bool) -> Result<()> {
        let now = self.now();
        let mut tx = self.db.pool().begin().await?;
        let status = if succeeded { "SUCCESS" } else { "FAIL" };
        sqlx::query("UPDATE pay_refunds SET status = $1, refunded_at = $2 WHERE refund_id = $3")
            .bind(status)
            .bind(now)
            .bind(refund_id)
            .execute(&mut *tx)
            .await?;
        let refund: (String, i64, String, String) = sqlx::query_as(
            "SELECT out_refund_no, refund_amount, cp_extra, notify_url FROM pay_refunds WHERE refund_id = $1",
        )
        .bind(refund_id)
        .fetch_one(&mut *tx)
        .await?;
        if !succeeded {
            // The reserved amount goes back.
            sqlx::query("UPDATE pay_orders SET refunded_amount = refunded_amount - $1 WHERE order_id = $2")
                .bind(refund.1)
                .bind(&order.order_id)
                .execute(&mut *tx)
                .await?;
        }
        if !refund.3.is_empty() {
            let msg = json!({
                "appid": app.appid, "cp_refundno": refund.0, "cp_extra": refund.2, "status": status,
                "refund_amount": refund.1, "is_all_settled": false, "refunded_at": now / 1000, "message": "",
                "order_id": order.order_id, "refund_no": refund_id,
            });
            notify::enqueue(&mut tx, now, &app.appid, "refund", &refund.0, &refund.3, &msg).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn refund_by_no(&self, appid: &str, out_refund_no: &str) -> Result<Option<Refund>> {
        let row: Option<RefundRow> =
            sqlx::query_as(concat!(refund_columns!(), "WHERE r.appid = $1 AND r.out_refund_no = $2"))
                .bind(appid)
                .bind(out_refund_no)
                .fetch_optional(self.db.pool())
                .await?;
        Ok(row.map(Refund::from))
    }

    /// `POST /api/apps/ecpay/v1/query_refund`.
    pub async fn query_refund(&self, params: &Map<String, Json>) -> Result<Refund, OpenApiError> {
        let app = self.signed_app(params).await?;
        let out_refund_no = merchant_no(params, "out_refund_no")?;
        self.refund_by_no(&app.appid, &out_refund_no)
            .await
            .map_err(OpenApiError::system)?
            .ok_or_else(|| OpenApiError::new(ERR_NO_ORDER, format!("no refund {out_refund_no}")))
    }

    /// Registers (or with an empty text, removes) the RSA public key the app signs payment
    /// requests with; owners may.
    pub async fn set_payment_key(&self, actor: &User, appid: &str, public_key: &str) -> Result<()> {
        let app = self.app(appid).await?;
        self.require_role(actor, &app.org_id, &[crate::Role::Owner]).await?;
        let key = public_key.trim();
        if !key.is_empty() {
            sign::parse_public_key(key)?;
        }
        sqlx::query("UPDATE apps SET rsa_public_key = $1, updated_at = $2 WHERE appid = $3")
            .bind(key)
            .bind(self.now())
            .bind(appid)
            .execute(self.db.pool())
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_in_china_time() {
        assert_eq!(format_time(0), "1970-01-01 08:00:00");
        assert_eq!(format_time(1_700_000_000_000), "2023-11-15 06:13:20");
        assert_eq!(format_time(951_782_400_000), "2000-02-29 08:00:00");
    }
}
