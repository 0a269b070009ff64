//! The OpenAPI document of the open API, generated from the handlers' `#[utoipa::path]`
//! annotations and the request and answer shapes below, each with a working example.
//! `GET /api/openapi.json` serves it; `docs/openapi.json` is its committed copy, which a test
//! keeps equal to what the code generates and whose examples the same test runs against a
//! real server.

use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

/// `POST /api/apps/v2/jscode2session`.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({ "appid": "tt0000000000shop", "secret": "APPSECRET", "code": "CODE_FROM_TT_LOGIN" }))]
pub struct Code2SessionRequest {
    /// The mini-program's appid.
    pub appid: String,
    /// Its AppSecret (shown once when the app was created or its secret reset).
    pub secret: String,
    /// `code` from `tt.login` (a logged-in user); one of `code` and `anonymous_code` is needed.
    pub code: Option<String>,
    /// `anonymousCode` from `tt.login` (this device, logged in or not).
    pub anonymous_code: Option<String>,
}

// The handlers answer with the `…Data` types, so the document cannot drift from the answers.

/// The user's ids in this app; ids that do not apply are empty strings.
#[derive(Serialize, ToSchema)]
pub struct Code2SessionData {
    /// The key the app's server may use to check data the user signed; never sent to clients.
    pub session_key: String,
    /// Stable per (app, user).
    pub openid: String,
    /// Stable per (app, device), for a visitor.
    pub anonymous_openid: String,
    /// Stable per (organisation, host app, user).
    pub unionid: String,
}

/// Always HTTP 200; `err_no` 0 means success.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({ "err_no": 0, "err_tips": "success", "data": {
    "session_key": "S2V5IGZvciBzaWduZWQgZGF0YQ==", "openid": "_000ab12", "anonymous_openid": "", "unionid": "9f8e7d" } }))]
pub struct Code2SessionAnswer {
    /// 0, or 40014 bad params, 40015 unknown appid, 40017 wrong secret, 40018 bad, used or
    /// expired code, 40019 bad anonymous code, 40021 too many calls.
    pub err_no: i64,
    pub err_tips: String,
    pub data: Option<Code2SessionData>,
}

impl From<capsule_platform::Code2Session> for Code2SessionData {
    fn from(session: capsule_platform::Code2Session) -> Self {
        let capsule_platform::Code2Session { session_key, openid, anonymous_openid, unionid } = session;
        Code2SessionData { session_key, openid, anonymous_openid, unionid }
    }
}

/// `POST /api/apps/v2/token`.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({ "appid": "tt0000000000shop", "secret": "APPSECRET", "grant_type": "client_credential" }))]
pub struct TokenRequest {
    pub appid: String,
    pub secret: String,
    /// Always `client_credential`.
    pub grant_type: String,
}

/// A token for the other open APIs.
#[derive(Serialize, ToSchema)]
pub struct TokenData {
    /// Sent as `access_token` to the other open APIs (the QR code API).
    pub access_token: String,
    /// Seconds: 7200.
    pub expires_in: u64,
}

/// Always HTTP 200; `err_no` 0 means success.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({ "err_no": 0, "err_tips": "success", "data": { "access_token": "clt.0123abcd", "expires_in": 7200 } }))]
pub struct TokenAnswer {
    /// 0, or 40014 bad params, 40015 unknown appid, 40017 wrong secret, 40020 bad grant_type,
    /// 40021 too many calls.
    pub err_no: i64,
    pub err_tips: String,
    pub data: Option<TokenData>,
}

/// A colour, 0 to 255 per channel.
#[derive(Serialize, ToSchema)]
pub struct Colour {
    pub r: u8,
    pub g: u8,
    pub b: u8,
}

/// `POST /api/apps/qrcode`.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({ "access_token": "ACCESS_TOKEN", "appname": "douyin",
    "path": "pages%2Fdetail%2Fdetail%3Fid%3D3", "width": 430, "line_color": { "r": 0, "g": 0, "b": 0 },
    "background": { "r": 255, "g": 255, "b": 255 }, "set_icon": false }))]
pub struct QrCodeRequest {
    /// From `POST /api/apps/v2/token`.
    pub access_token: String,
    /// The host app the code opens in: `douyin`, `toutiao` or `all`; `douyin` when left out.
    pub appname: Option<String>,
    /// The page and query, URL-encoded (`pages%2Fa%2Fa%3Fid%3D1`); the entry page when empty.
    pub path: Option<String>,
    /// Pixels, 280 to 1280; 430 when left out.
    pub width: Option<u32>,
    pub line_color: Option<Colour>,
    pub background: Option<Colour>,
    /// Put the app's icon in the middle (the code is drawn with error correction H): the PNG icon
    /// the app uploaded, or a clear plate when its icon is an emoji.
    pub set_icon: Option<bool>,
    /// `svg` for an SVG picture instead of PNG.
    pub format: Option<String>,
}

/// How the QR code API fails (as Douyin's legacy API), with HTTP 200.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({ "errcode": 40014, "errmsg": "bad params: width: 280 to 1280 pixels" }))]
pub struct QrCodeError {
    /// 40002 bad access_token, 40014 bad params, -1 the platform failed (the app's icon unreadable).
    pub errcode: i64,
    pub errmsg: String,
}

// ---- guaranteed pay (ecpay) ---------------------------------------------------------------
//
// Every request carries `app_id` and `sign`: the MD5 of the sorted, non-empty parameter values
// (leaving out `sign`, `app_id`, `thirdparty_id` and `other_settle_params`) with the app's
// payment salt, or, for an app that registered an RSA public key, `sign_type: "RSA2"` and an
// RSA-SHA256 signature (base64) over the sorted `key=value` pairs but `sign` and `sign_type`.

/// `POST /api/apps/ecpay/v1/create_order`.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({ "app_id": "tt0000000000shop", "out_order_no": "shop-20261121-0001",
    "total_amount": 3900, "subject": "Ceramic mug", "body": "Ceramic mug, Sky blue × 1", "valid_time": 900,
    "cp_extra": "cart=7", "sign": "SIGN" }))]
pub struct CreateOrderRequest {
    pub app_id: String,
    /// The developer's own order number, at most 64 characters; sending it again with the
    /// same parameters answers the same order, with different ones is refused (40021).
    pub out_order_no: String,
    /// Fen, 1 and more.
    pub total_amount: i64,
    /// At most 128 characters; shown in the cashier.
    pub subject: String,
    /// At most 128 characters.
    pub body: String,
    /// Seconds the order stays payable, 300 to 172800; then it times out (`TIMEOUT`).
    pub valid_time: i64,
    /// Returned untouched in queries and callbacks, at most 2048 characters.
    pub cp_extra: Option<String>,
    /// Where the payment callback goes (`PaymentCallback`); the app's notify URL when left out.
    pub notify_url: Option<String>,
    /// A service provider's id; not signed.
    pub thirdparty_id: Option<String>,
    /// `RSA2` for an app that signs with its RSA key.
    pub sign_type: Option<String>,
    pub sign: String,
}

/// The order the platform made.
#[derive(Serialize, ToSchema)]
pub struct CreateOrderData {
    /// The platform's order id.
    pub order_id: String,
    /// What the mini-program passes to `tt.pay({orderInfo: {order_id, order_token}})`.
    pub order_token: String,
}

impl From<capsule_platform::payments::CreatedOrder> for CreateOrderData {
    fn from(created: capsule_platform::payments::CreatedOrder) -> Self {
        let capsule_platform::payments::CreatedOrder { order_id, order_token } = created;
        CreateOrderData { order_id, order_token }
    }
}

/// Always HTTP 200; `err_no` 0 means success.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({ "err_no": 0, "err_tips": "", "data": {
    "order_id": "N7f3a9c2e41b05d88", "order_token": "ot-0f6b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b" } }))]
pub struct CreateOrderAnswer {
    /// 0, or 40014 bad params, 40015 unknown app, 40016 sign mismatch, 40021 `out_order_no`
    /// used with other parameters, -1 the platform failed.
    pub err_no: i64,
    pub err_tips: String,
    pub data: Option<CreateOrderData>,
}

/// `POST /api/apps/ecpay/v1/query_order`.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({ "app_id": "tt0000000000shop", "out_order_no": "shop-20261121-0001", "sign": "SIGN" }))]
pub struct QueryOrderRequest {
    pub app_id: String,
    pub out_order_no: String,
    pub thirdparty_id: Option<String>,
    pub sign_type: Option<String>,
    pub sign: String,
}

/// An order's payment, in Douyin's shape.
#[derive(Serialize, ToSchema)]
pub struct PaymentInfo {
    /// Fen.
    pub total_fee: i64,
    /// `PROCESSING` (not paid yet), `SUCCESS`, `FAIL` or `TIMEOUT`.
    pub order_status: String,
    /// `2006-01-02 15:04:05` (UTC+8); empty until paid.
    pub pay_time: String,
    /// The payment channel: `2` is Alipay.
    pub way: String,
    /// The channel's trade number.
    pub channel_no: String,
    pub channel_gateway_no: String,
    pub seller_uid: String,
    pub item_id: String,
    pub cp_extra: String,
}

impl From<&capsule_platform::payments::Order> for PaymentInfo {
    fn from(order: &capsule_platform::payments::Order) -> Self {
        PaymentInfo {
            total_fee: order.total_amount,
            order_status: order.status.as_str().to_string(),
            pay_time: order.paid_at.map(capsule_platform::payments::format_time).unwrap_or_default(),
            way: order.way.clone(),
            channel_no: order.channel_no.clone(),
            channel_gateway_no: String::new(),
            seller_uid: String::new(),
            item_id: String::new(),
            cp_extra: order.cp_extra.clone(),
        }
    }
}

/// Always HTTP 200; `err_no` 0 means success.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({ "err_no": 0, "err_tips": "", "out_order_no": "shop-20261121-0001",
    "order_id": "N7f3a9c2e41b05d88", "payment_info": { "total_fee": 3900, "order_status": "SUCCESS",
    "pay_time": "2026-11-21 20:15:03", "way": "2", "channel_no": "2026112122001400000001", "channel_gateway_no": "",
    "seller_uid": "", "item_id": "", "cp_extra": "cart=7" } }))]
pub struct QueryOrderAnswer {
    /// 0, or 40014, 40015, 40016 as `create_order`, 40022 no such order.
    pub err_no: i64,
    pub err_tips: String,
    pub out_order_no: Option<String>,
    pub order_id: Option<String>,
    pub payment_info: Option<PaymentInfo>,
}

/// `POST /api/apps/ecpay/v1/create_refund`.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({ "app_id": "tt0000000000shop", "out_order_no": "shop-20261121-0001",
    "out_refund_no": "shop-refund-0001", "reason": "Arrived chipped", "refund_amount": 3900, "sign": "SIGN" }))]
pub struct CreateRefundRequest {
    pub app_id: String,
    /// The paid order.
    pub out_order_no: String,
    /// The developer's own refund number; idempotent as `out_order_no`.
    pub out_refund_no: String,
    /// At most 256 characters.
    pub reason: String,
    /// Fen, at most what is left of the order after earlier refunds.
    pub refund_amount: i64,
    pub cp_extra: Option<String>,
    /// Where the refund callback goes; the app's notify URL when left out.
    pub notify_url: Option<String>,
    pub thirdparty_id: Option<String>,
    pub sign_type: Option<String>,
    pub sign: String,
}

/// Always HTTP 200; `err_no` 0 means success.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({ "err_no": 0, "err_tips": "", "refund_no": "R3c1d9e0a7b2f4c66", "refund_status": "SUCCESS" }))]
pub struct CreateRefundAnswer {
    /// 0, or 40014, 40015, 40016 as `create_order`, 40021 `out_refund_no` reused with other
    /// parameters, 40022 no such order, 40023 not paid or more than is left.
    pub err_no: i64,
    pub err_tips: String,
    /// The platform's refund id.
    pub refund_no: Option<String>,
    /// `PROCESSING`, `SUCCESS` or `FAIL`.
    pub refund_status: Option<String>,
}

/// `POST /api/apps/ecpay/v1/query_refund`.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({ "app_id": "tt0000000000shop", "out_refund_no": "shop-refund-0001", "sign": "SIGN" }))]
pub struct QueryRefundRequest {
    pub app_id: String,
    pub out_refund_no: String,
    pub thirdparty_id: Option<String>,
    pub sign_type: Option<String>,
    pub sign: String,
}

/// A refund, in Douyin's shape.
#[derive(Serialize, ToSchema)]
pub struct RefundInfo {
    pub refund_no: String,
    /// Fen.
    pub refund_amount: i64,
    /// `PROCESSING`, `SUCCESS` or `FAIL`.
    pub refund_status: String,
    /// Unix seconds; null until refunded.
    pub refunded_at: Option<i64>,
    pub is_all_settled: bool,
    pub cp_extra: String,
}

impl From<&capsule_platform::payments::Refund> for RefundInfo {
    fn from(refund: &capsule_platform::payments::Refund) -> Self {
        RefundInfo {
            refund_no: refund.refund_id.clone(),
            refund_amount: refund.refund_amount,
            refund_status: refund.status.clone(),
            refunded_at: refund.refunded_at.map(|millis| millis / 1000),
            is_all_settled: false,
            cp_extra: refund.cp_extra.clone(),
        }
    }
}

/// Always HTTP 200; `err_no` 0 means success.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({ "err_no": 0, "err_tips": "", "refundInfo": { "refund_no": "R3c1d9e0a7b2f4c66",
    "refund_amount": 3900, "refund_status": "SUCCESS", "refunded_at": 1795263303, "is_all_settled": false, "cp_extra": "" } }))]
pub struct QueryRefundAnswer {
    /// 0, or 40014, 40015, 40016 as `create_order`, 40022 no such refund.
    pub err_no: i64,
    pub err_tips: String,
    #[serde(rename = "refundInfo")]
    #[schema(rename = "refundInfo")]
    pub refund_info: Option<RefundInfo>,
}

/// What the platform posts (JSON) to the developer's notify URL after a payment or a refund,
/// retried after 15 s, 15 s, 30 s, 3 min, 10 min, 20 min, 30 min ×3, 60 min, 3 h ×3 and 6 h ×2
/// until the answer is `CallbackReply`. Check `msg_signature` before trusting `msg`.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({ "timestamp": "1795263303", "nonce": "8f14e45fceea167a", "type": "payment",
    "msg": "{\"appid\":\"tt0000000000shop\",\"cp_orderno\":\"shop-20261121-0001\",\"cp_extra\":\"cart=7\",\"way\":\"2\",\"channel_no\":\"2026112122001400000001\",\"channel_gateway_no\":\"\",\"payment_order_no\":\"2026112122001400000001\",\"out_channel_order_no\":\"2026112122001400000001\",\"total_amount\":3900,\"status\":\"SUCCESS\",\"seller_uid\":\"\",\"extra\":\"\",\"item_id\":\"\",\"paid_at\":1795263303,\"message\":\"\",\"order_id\":\"N7f3a9c2e41b05d88\"}",
    "msg_signature": "3e0d5b7e43f1f3d7d2c9a1b6e3f0c8a4b2d1e6f7" }))]
pub struct PaymentCallback {
    /// Unix seconds, as text.
    pub timestamp: String,
    pub nonce: String,
    /// `payment` or `refund`.
    #[serde(rename = "type")]
    #[schema(rename = "type")]
    pub kind: String,
    /// The event as a JSON string: for a payment `cp_orderno`, `order_id`, `total_amount`,
    /// `status` (`SUCCESS`), `way`, `channel_no`, `paid_at`, `cp_extra`; for a refund
    /// `cp_refundno`, `refund_no`, `refund_amount`, `status`, `refunded_at`, `cp_extra`.
    pub msg: String,
    /// SHA-1 (hex) of the payment salt, `timestamp`, `nonce` and `msg`, sorted and joined.
    pub msg_signature: String,
}

/// The answer that stops a callback's retries.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({ "err_no": 0, "err_tips": "success" }))]
pub struct CallbackReply {
    pub err_no: i64,
    pub err_tips: String,
}

/// Alipay's asynchronous notification to the platform (a form, `application/x-www-form-urlencoded`),
/// sent by the gateway the platform pays through: the in-process sandbox, or a real Alipay.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({ "notify_time": "2026-11-21 20:15:03", "notify_type": "trade_status_sync",
    "notify_id": "ac05099524730693a8b330c5ecf72da9", "app_id": "2021000000000001", "charset": "utf-8",
    "version": "1.0", "sign_type": "RSA2", "trade_no": "2026112122001400000001", "out_trade_no": "N7f3a9c2e41b05d88",
    "trade_status": "TRADE_SUCCESS", "total_amount": "39.00", "receipt_amount": "39.00",
    "gmt_payment": "2026-11-21 20:15:03", "buyer_logon_id": "sandbox***buyer", "sign": "SIGNATURE" }))]
pub struct AlipayNotification {
    pub notify_time: String,
    /// `trade_status_sync`.
    pub notify_type: String,
    pub notify_id: String,
    /// The merchant's Alipay app id; a notification for another is refused.
    pub app_id: String,
    pub charset: String,
    pub version: String,
    /// `RSA2`.
    pub sign_type: String,
    /// Alipay's trade number.
    pub trade_no: String,
    /// The platform's order id.
    pub out_trade_no: String,
    /// `TRADE_SUCCESS` or `TRADE_FINISHED` record the payment.
    pub trade_status: String,
    /// Yuan, two decimals; must be the order's amount.
    pub total_amount: String,
    pub receipt_amount: Option<String>,
    pub gmt_payment: Option<String>,
    pub buyer_logon_id: Option<String>,
    /// RSA-SHA256 (base64) by Alipay's key over the sorted `key=value` pairs but `sign` and
    /// `sign_type`.
    pub sign: String,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Capsule open API",
        description = "What a mini-program's own server calls, in Douyin's shapes: trading tt.login codes for the \
                       user's ids, access tokens, QR codes of pages, and guaranteed pay (orders, queries, refunds; \
                       the signed callbacks the platform posts back are `PaymentCallback`, answered with \
                       `CallbackReply`). Also the notification Alipay's gateway posts to the platform.",
        version = "1"
    ),
    paths(
        crate::open_api::jscode2session,
        crate::open_api::token,
        crate::open_api::qrcode,
        crate::payments::create_order,
        crate::payments::query_order,
        crate::payments::create_refund,
        crate::payments::query_refund,
        crate::payments::alipay_notify,
    ),
    components(schemas(
        Code2SessionRequest,
        Code2SessionData,
        Code2SessionAnswer,
        TokenRequest,
        TokenData,
        TokenAnswer,
        Colour,
        QrCodeRequest,
        QrCodeError,
        CreateOrderRequest,
        CreateOrderData,
        CreateOrderAnswer,
        QueryOrderRequest,
        PaymentInfo,
        QueryOrderAnswer,
        CreateRefundRequest,
        CreateRefundAnswer,
        QueryRefundRequest,
        RefundInfo,
        QueryRefundAnswer,
        PaymentCallback,
        CallbackReply,
        AlipayNotification
    ))
)]
pub struct OpenApiDoc;

/// The document as pretty JSON.
pub fn document() -> String {
    OpenApiDoc::openapi().to_pretty_json().unwrap_or_default()
}
