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

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Capsule open API",
        description = "What a mini-program's own server calls, in Douyin's shapes: trading tt.login codes for the \
                       user's ids, access tokens, and QR codes of pages.",
        version = "1"
    ),
    paths(crate::open_api::jscode2session, crate::open_api::token, crate::open_api::qrcode,),
    components(schemas(
        Code2SessionRequest,
        Code2SessionData,
        Code2SessionAnswer,
        TokenRequest,
        TokenData,
        TokenAnswer,
        Colour,
        QrCodeRequest,
        QrCodeError
    ))
)]
pub struct OpenApiDoc;

/// The document as pretty JSON.
pub fn document() -> String {
    OpenApiDoc::openapi().to_pretty_json().unwrap_or_default()
}
