//! The built-in sandbox Alipay gateway: it takes the same signed form requests as Alipay's
//! open gateway (`alipay.trade.create`, `pay`, `query`, `refund`, `close`), checks the
//! merchant's RSA2 signature, keeps its trades in the database and answers in Alipay's JSON
//! form signed with its own key. Its one buyer pays with the sandbox PIN. When a trade is paid
//! it posts Alipay's asynchronous notification, RSA2-signed, to the request's `notify_url`.

use serde_json::{Map, Value as Json, json};

use std::sync::Arc;

use super::provider::{Alipay, AlipayConfig, BoxFuture, FormPoster, GatewayTransport, fen, yuan};
use super::sign::{RsaKey, parse_public_key, rsa2_verify, sorted_pairs};
use crate::{Platform, PlatformError, Result, random_hex};

/// The sandbox buyer's payment PIN.
pub const SANDBOX_PIN: &str = "111111";

/// The sandbox gateway: its key, the merchant it serves, the platform's database, and how its
/// notifications are posted (none are sent without).
pub struct SandboxAlipay {
    platform: Platform,
    gateway_key: RsaKey,
    merchant_app_id: String,
    merchant_public_key: Vec<u8>,
    notifier: Option<Arc<dyn FormPoster>>,
}

impl std::fmt::Debug for SandboxAlipay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxAlipay")
            .field("merchant_app_id", &self.merchant_app_id)
            .finish_non_exhaustive()
    }
}

fn failure(code: &str, msg: &str, sub_code: &str, sub_msg: &str) -> Json {
    json!({ "code": code, "msg": msg, "sub_code": sub_code, "sub_msg": sub_msg })
}

fn business(sub_code: &str, sub_msg: &str) -> Json {
    failure("40004", "Business Failed", sub_code, sub_msg)
}

impl SandboxAlipay {
    pub fn new(
        platform: Platform,
        gateway_key: RsaKey,
        merchant_app_id: String,
        merchant_public_key: Vec<u8>,
    ) -> SandboxAlipay {
        SandboxAlipay { platform, gateway_key, merchant_app_id, merchant_public_key, notifier: None }
    }

    /// Posts a notification for every trade paid, through `notifier`.
    pub fn with_notifier(mut self, notifier: Arc<dyn FormPoster>) -> SandboxAlipay {
        self.notifier = Some(notifier);
        self
    }

    /// Alipay's asynchronous notification that a trade was paid, signed with the gateway's key.
    pub fn notification(
        &self,
        out_trade_no: &str,
        trade_no: &str,
        total: i64,
    ) -> Result<Vec<(String, String)>> {
        let now = crate::payments::format_time(self.platform.now());
        let mut form: Vec<(String, String)> = [
            ("notify_time", now.as_str()),
            ("notify_type", "trade_status_sync"),
            ("notify_id", &random_hex(16)),
            ("app_id", &self.merchant_app_id),
            ("charset", "utf-8"),
            ("version", "1.0"),
            ("sign_type", "RSA2"),
            ("trade_no", trade_no),
            ("out_trade_no", out_trade_no),
            ("trade_status", "TRADE_SUCCESS"),
            ("total_amount", &yuan(total)),
            ("receipt_amount", &yuan(total)),
            ("gmt_payment", now.as_str()),
            ("buyer_logon_id", "sandbox***buyer"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let text = sorted_pairs(form.iter().map(|(k, v)| (k.as_str(), v.as_str())), &["sign", "sign_type"]);
        form.push(("sign".into(), self.gateway_key.sign(&text)?));
        Ok(form)
    }

    /// After a payment, its notification goes out on its own task: Alipay answers the payment
    /// first and notifies after.
    fn notify_paid(&self, notify_url: &str, response: &Json) -> Result<()> {
        let Some(notifier) = self.notifier.clone().filter(|_| !notify_url.is_empty()) else { return Ok(()) };
        let text = |key: &str| response[key].as_str().unwrap_or("").to_string();
        let total = fen(&text("total_amount")).unwrap_or(0);
        let form = self.notification(&text("out_trade_no"), &text("trade_no"), total)?;
        let url = notify_url.to_string();
        tokio::spawn(async move {
            // A few tries a second apart; the platform also learns of the payment directly.
            for _ in 0..3 {
                match notifier.post_form(&url, &form).await {
                    Ok(body) if body.trim() == "success" => return,
                    _ => tokio::time::sleep(std::time::Duration::from_secs(1)).await,
                }
            }
            eprintln!("sandbox Alipay: {url} did not acknowledge the notification");
        });
        Ok(())
    }

    /// Answers one gateway request (its form parameters) with the body Alipay would send.
    pub async fn handle(&self, form: &[(String, String)]) -> Result<String> {
        let get = |key: &str| form.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).unwrap_or("");
        let method = get("method");
        let response_key = format!("{}_response", method.replace('.', "_"));
        let text = sorted_pairs(form.iter().map(|(k, v)| (k.as_str(), v.as_str())), &["sign"]);
        let response = if get("app_id") != self.merchant_app_id {
            failure("40002", "Invalid Arguments", "isv.invalid-app-id", "no such app_id")
        } else if get("sign_type") != "RSA2" || !rsa2_verify(&self.merchant_public_key, &text, get("sign")) {
            failure(
                "40002",
                "Invalid Arguments",
                "isv.invalid-signature",
                "the request's signature does not verify",
            )
        } else {
            match serde_json::from_str::<Map<String, Json>>(get("biz_content")) {
                Err(_) => failure(
                    "40002",
                    "Invalid Arguments",
                    "isv.invalid-biz-content",
                    "biz_content is not JSON",
                ),
                Ok(biz) => {
                    let response = self.dispatch(method, &biz).await?;
                    if method == "alipay.trade.pay" && response["code"] == "10000" {
                        self.notify_paid(get("notify_url"), &response)?;
                    }
                    response
                }
            }
        };
        let signed = response.to_string();
        let sign = self.gateway_key.sign(&signed)?;
        Ok(format!("{{\"{response_key}\":{signed},\"sign\":{}}}", Json::String(sign)))
    }

    async fn dispatch(&self, method: &str, biz: &Map<String, Json>) -> Result<Json> {
        let text = |key: &str| biz.get(key).and_then(Json::as_str).unwrap_or("").to_string();
        let out_trade_no = text("out_trade_no");
        if out_trade_no.is_empty() {
            return Ok(failure(
                "40002",
                "Invalid Arguments",
                "isv.missing-out-trade-no",
                "out_trade_no is required",
            ));
        }
        let pool = self.platform.db().pool();
        let now = self.platform.now();
        type Trade = (String, i64, i64, String, i64);
        let trade: Option<Trade> = sqlx::query_as(
            "SELECT trade_no, total_fen, refunded_fen, status, expires_at FROM sandbox_alipay_trades WHERE out_trade_no = $1",
        )
        .bind(&out_trade_no)
        .fetch_optional(pool)
        .await?;
        let ok = |extra: Json| {
            let mut answer = json!({ "code": "10000", "msg": "Success", "out_trade_no": out_trade_no });
            if let (Some(answer), Json::Object(extra)) = (answer.as_object_mut(), extra) {
                answer.extend(extra);
            }
            answer
        };
        Ok(match (method, trade) {
            ("alipay.trade.create", Some(_)) => {
                business("ACQ.TRADE_HAS_EXIST", "a trade exists under out_trade_no")
            }
            ("alipay.trade.create", None) => {
                let Some(total) = fen(&text("total_amount")).filter(|fen| *fen > 0) else {
                    return Ok(business("ACQ.INVALID_PARAMETER", "total_amount is yuan, more than 0"));
                };
                let trade_no = format!("2026{}", random_hex(12));
                sqlx::query(
                    "INSERT INTO sandbox_alipay_trades (out_trade_no, trade_no, app_id, total_fen, refunded_fen, subject, \
                     status, expires_at, created_at) VALUES ($1, $2, $3, $4, 0, $5, 'WAIT_BUYER_PAY', $6, $7) \
                     ON CONFLICT (out_trade_no) DO NOTHING",
                )
                .bind(&out_trade_no)
                .bind(&trade_no)
                .bind(&self.merchant_app_id)
                .bind(total)
                .bind(text("subject"))
                .bind(now + 15 * 60_000)
                .bind(now)
                .execute(pool)
                .await?;
                ok(json!({ "trade_no": trade_no }))
            }
            (_, None) => business("ACQ.TRADE_NOT_EXIST", "no trade under out_trade_no"),
            ("alipay.trade.query", Some((trade_no, total, _, status, _))) => {
                ok(json!({ "trade_no": trade_no, "trade_status": status, "total_amount": yuan(total) }))
            }
            ("alipay.trade.pay", Some((trade_no, total, _, status, _))) => {
                if status == "TRADE_SUCCESS" {
                    return Ok(business("ACQ.TRADE_HAS_SUCCESS", "the trade is already paid"));
                }
                if status != "WAIT_BUYER_PAY" {
                    return Ok(business("ACQ.TRADE_HAS_CLOSE", "the trade is closed"));
                }
                if text("auth_code") != SANDBOX_PIN {
                    return Ok(business("ACQ.PAYMENT_AUTH_CODE_INVALID", "the sandbox PIN is wrong"));
                }
                // Only one payment moves the trade from waiting to paid.
                let paid = sqlx::query(
                    "UPDATE sandbox_alipay_trades SET status = 'TRADE_SUCCESS', paid_at = $1 \
                     WHERE out_trade_no = $2 AND status = 'WAIT_BUYER_PAY'",
                )
                .bind(now)
                .bind(&out_trade_no)
                .execute(pool)
                .await?;
                if paid.rows_affected() != 1 {
                    return Ok(business("ACQ.TRADE_HAS_SUCCESS", "the trade is already paid"));
                }
                ok(
                    json!({ "trade_no": trade_no, "total_amount": yuan(total), "buyer_logon_id": "sandbox***buyer" }),
                )
            }
            ("alipay.trade.refund", Some((trade_no, total, refunded, status, _))) => {
                let out_request_no = text("out_request_no");
                let Some(amount) = fen(&text("refund_amount")).filter(|fen| *fen > 0) else {
                    return Ok(business("ACQ.INVALID_PARAMETER", "refund_amount is yuan, more than 0"));
                };
                let seen: Option<i64> = sqlx::query_scalar(
                    "SELECT amount_fen FROM sandbox_alipay_refunds WHERE out_trade_no = $1 AND out_request_no = $2",
                )
                .bind(&out_trade_no)
                .bind(&out_request_no)
                .fetch_optional(pool)
                .await?;
                if let Some(seen) = seen {
                    // The same refund again answers as before and moves nothing.
                    return Ok(ok(
                        json!({ "trade_no": trade_no, "refund_fee": yuan(seen), "fund_change": "N" }),
                    ));
                }
                if status != "TRADE_SUCCESS" {
                    return Ok(business("ACQ.TRADE_STATUS_ERROR", "the trade is not paid"));
                }
                if refunded + amount > total {
                    return Ok(business(
                        "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
                        "more than what is left of the trade",
                    ));
                }
                let mut tx = pool.begin().await?;
                let moved = sqlx::query(
                    "UPDATE sandbox_alipay_trades SET refunded_fen = refunded_fen + $1 WHERE out_trade_no = $2 \
                     AND refunded_fen + $1 <= total_fen",
                )
                .bind(amount)
                .bind(&out_trade_no)
                .execute(&mut *tx)
                .await?;
                if moved.rows_affected() != 1 {
                    return Ok(business(
                        "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
                        "more than what is left of the trade",
                    ));
                }
                sqlx::query(
                    "INSERT INTO sandbox_alipay_refunds (out_trade_no, out_request_no, amount_fen, created_at) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(&out_trade_no)
                .bind(&out_request_no)
                .bind(amount)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                ok(json!({ "trade_no": trade_no, "refund_fee": yuan(refunded + amount), "fund_change": "Y" }))
            }
            ("alipay.trade.close", Some((trade_no, _, _, status, _))) => {
                if status == "TRADE_SUCCESS" {
                    return Ok(business("ACQ.TRADE_STATUS_ERROR", "a paid trade cannot be closed"));
                }
                sqlx::query(
                    "UPDATE sandbox_alipay_trades SET status = 'TRADE_CLOSED' WHERE out_trade_no = $1",
                )
                .bind(&out_trade_no)
                .execute(pool)
                .await?;
                ok(json!({ "trade_no": trade_no }))
            }
            (other, _) => {
                failure("40004", "Business Failed", "isv.invalid-method", &format!("unknown method {other}"))
            }
        })
    }
}

/// The sandbox reached in-process, through the same signed forms a real gateway takes.
impl GatewayTransport for SandboxAlipay {
    fn send<'a>(&'a self, form: Vec<(String, String)>) -> BoxFuture<'a, Result<String>> {
        Box::pin(async move { self.handle(&form).await })
    }
}

/// The sandbox's merchant app id.
pub const SANDBOX_APP_ID: &str = "2021000000000001";

/// The Alipay provider wired to the built-in sandbox, in-process: the sandbox's key and the
/// platform's merchant key are made on first run and kept in the database. With a `notifier`,
/// the sandbox posts its notifications to `notify_url`.
pub async fn sandbox_alipay(
    platform: &Platform,
    notify_url: &str,
    notifier: Option<Arc<dyn FormPoster>>,
) -> Result<Alipay> {
    let gateway_key = platform.stored_rsa_key("sandbox-alipay-gateway-rsa").await?;
    let merchant_key = platform.stored_rsa_key("sandbox-alipay-merchant-rsa").await?;
    let gateway_public = parse_public_key(&gateway_key.public_base64()?)?;
    let merchant_public = parse_public_key(&merchant_key.public_base64()?)?;
    let mut sandbox =
        SandboxAlipay::new(platform.clone(), gateway_key, SANDBOX_APP_ID.into(), merchant_public);
    if let Some(notifier) = notifier {
        sandbox = sandbox.with_notifier(notifier);
    }
    let config = AlipayConfig {
        app_id: SANDBOX_APP_ID.into(),
        merchant_key,
        alipay_public_key: gateway_public,
        notify_url: notify_url.into(),
    };
    Ok(Alipay::new(config, Arc::new(sandbox)))
}

impl Platform {
    /// The RSA key kept as `name`, made on first use (two nodes starting at once agree).
    pub async fn stored_rsa_key(&self, name: &str) -> Result<RsaKey> {
        let fresh = RsaKey::generate()?.to_pkcs8_base64()?;
        let stored = crate::identity::stored_value(self.db(), name, &fresh).await?;
        RsaKey::from_pkcs8(stored.as_bytes())
            .map_err(|e| PlatformError::Invalid(format!("the stored key {name}: {e}")))
    }
}
