//! Payment callbacks from the platform: Douyin's `{timestamp, nonce, msg, msg_signature, type}`.
//! A callback counts only if its signature is right (SHA-1 over the sorted payment salt,
//! timestamp, nonce and msg), its timestamp is within the window, and its nonce is new;
//! anything else is refused without changing an order.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value as Json_, json};
use sha1::{Digest, Sha1};

use crate::Merchant;

/// How far a callback's timestamp may be from the backend's clock.
pub const REPLAY_WINDOW_SECS: i64 = 300;

/// `msg_signature`: SHA-1 of the token (the payment salt), timestamp, nonce and msg, sorted and
/// concatenated.
pub fn msg_signature(token: &str, timestamp: &str, nonce: &str, msg: &str) -> String {
    let mut parts = [token, timestamp, nonce, msg];
    parts.sort();
    crate::hex(&Sha1::digest(parts.concat().as_bytes()))
}

/// Why a callback was refused.
fn refuse(status: StatusCode, tips: &str) -> (StatusCode, Json<Json_>) {
    (status, Json(json!({ "err_no": 1, "err_tips": tips })))
}

/// `POST /notify`.
pub(crate) async fn payment_callback(
    State(merchant): State<Merchant>,
    Json(body): Json<Json_>,
) -> (StatusCode, Json<Json_>) {
    let text = |key: &str| body[key].as_str().unwrap_or("").to_string();
    let (timestamp, nonce, msg) = (text("timestamp"), text("nonce"), text("msg"));
    let Ok(message) = serde_json::from_str::<Json_>(&msg) else {
        return refuse(StatusCode::BAD_REQUEST, "msg is not JSON");
    };
    let appid = message["appid"].as_str().unwrap_or("");
    let Some(keys) = merchant.config.apps.get(appid) else {
        return refuse(StatusCode::BAD_REQUEST, "unknown app");
    };
    let expected = msg_signature(&keys.payment_salt, &timestamp, &nonce, &msg);
    if expected != text("msg_signature") {
        return refuse(StatusCode::UNAUTHORIZED, "bad msg_signature");
    }
    let now = crate::unix_seconds();
    let Ok(sent_at) = timestamp.parse::<i64>() else {
        return refuse(StatusCode::BAD_REQUEST, "bad timestamp");
    };
    if (now - sent_at).abs() > REPLAY_WINDOW_SECS {
        return refuse(StatusCode::UNAUTHORIZED, "stale timestamp");
    }
    let fresh = merchant.change_ledger(|ledger| {
        ledger.nonces.retain(|_, at| now - *at <= REPLAY_WINDOW_SECS);
        if ledger.nonces.contains_key(&nonce) {
            return false;
        }
        ledger.nonces.insert(nonce.clone(), sent_at);
        if text("type") == "payment" {
            ledger.settle(
                message["cp_orderno"].as_str().unwrap_or(""),
                message["status"].as_str().unwrap_or(""),
            );
        }
        true
    });
    if !fresh {
        return refuse(StatusCode::CONFLICT, "replayed nonce");
    }
    (StatusCode::OK, Json(json!({ "err_no": 0, "err_tips": "success" })))
}
