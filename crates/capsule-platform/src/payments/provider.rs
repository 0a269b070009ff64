//! Payment providers: what the platform needs from whoever moves the money, and the Alipay
//! implementation speaking Alipay's open gateway API (`alipay.trade.create`, `pay`, `query`,
//! `refund`, `close`: form parameters signed with RSA2, JSON answers whose `…_response` object
//! is RSA2-signed by Alipay). Where the gateway is reached is a [`GatewayTransport`]: the
//! built-in sandbox in-process, or HTTPS to a real gateway.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde_json::{Value as Json, json};

use super::sign::{RsaKey, rsa2_verify, sorted_pairs};
use crate::{PlatformError, Result};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A charge to make.
#[derive(Clone, Debug)]
pub struct TradeRequest {
    /// The platform's order id: the provider refuses a second trade under it.
    pub out_trade_no: String,
    /// Fen.
    pub total_amount: i64,
    pub subject: String,
    pub body: String,
    /// The merchant's name as the buyer sees it.
    pub seller: String,
    /// Unix milliseconds after which the provider must not take the money.
    pub expires_at: i64,
}

/// A trade as the provider reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TradeState {
    pub trade_no: String,
    pub paid: bool,
    pub status: String,
}

/// What an asynchronous notification from the provider says about a trade, once its signature
/// checked out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TradeNotice {
    pub out_trade_no: String,
    /// Fen.
    pub total_amount: i64,
    pub state: TradeState,
}

/// Whoever moves the money.
pub trait PaymentProvider: Send + Sync {
    /// Douyin's `way` for payments through this provider (`2` is Alipay).
    fn way(&self) -> &'static str;
    /// Creates (if needed) and pays the trade with the buyer's authorisation.
    fn pay<'a>(&'a self, trade: &'a TradeRequest, auth: &'a str) -> BoxFuture<'a, Result<TradeState>>;
    /// The trade under `out_trade_no`, if the provider has one.
    fn query<'a>(&'a self, out_trade_no: &'a str) -> BoxFuture<'a, Result<Option<TradeState>>>;
    /// Refunds `amount` fen of a paid trade, once per `out_request_no`.
    fn refund<'a>(
        &'a self,
        out_trade_no: &'a str,
        out_request_no: &'a str,
        amount: i64,
    ) -> BoxFuture<'a, Result<()>>;
    /// Closes an unpaid trade.
    fn close<'a>(&'a self, out_trade_no: &'a str) -> BoxFuture<'a, Result<()>>;
    /// Reads an asynchronous notification (its form parameters); one the provider did not
    /// sign, or about another merchant, is refused.
    fn verify_notification(&self, form: &[(String, String)]) -> Result<TradeNotice>;
}

/// Posts a form to a URL and brings back the answer's body: how a gateway's notifications
/// travel.
pub trait FormPoster: Send + Sync {
    fn post_form<'a>(
        &'a self,
        url: &'a str,
        form: &'a [(String, String)],
    ) -> BoxFuture<'a, std::result::Result<String, String>>;
}

/// Carries a signed request's form parameters to the gateway and brings back its body.
pub trait GatewayTransport: Send + Sync {
    fn send<'a>(&'a self, form: Vec<(String, String)>) -> BoxFuture<'a, Result<String>>;
}

/// Alipay's gateway settings for one merchant app.
#[derive(Debug)]
pub struct AlipayConfig {
    /// The merchant's Alipay app id.
    pub app_id: String,
    /// The merchant's private key, requests are signed with it.
    pub merchant_key: RsaKey,
    /// Alipay's public key (X.509 DER), answers and notifications are checked with it.
    pub alipay_public_key: Vec<u8>,
    /// Where Alipay posts its asynchronous notifications.
    pub notify_url: String,
}

/// The Alipay provider.
pub struct Alipay {
    config: AlipayConfig,
    transport: Arc<dyn GatewayTransport>,
}

impl std::fmt::Debug for Alipay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Alipay").field("app_id", &self.config.app_id).finish_non_exhaustive()
    }
}

/// Fen as Alipay writes yuan: `19.90`.
pub fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// Alipay's `yuan` back to fen; `None` when malformed.
pub fn fen(yuan: &str) -> Option<i64> {
    let (whole, part) = yuan.split_once('.').unwrap_or((yuan, "0"));
    if part.len() > 2 || whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let part: i64 = format!("{part:0<2}").parse().ok()?;
    Some(whole.parse::<i64>().ok()? * 100 + part)
}

impl Alipay {
    pub fn new(config: AlipayConfig, transport: Arc<dyn GatewayTransport>) -> Alipay {
        Alipay { config, transport }
    }

    /// Calls `method` with `biz_content` and answers the checked `…_response` object: its
    /// signature must be Alipay's, and its `code` 10000, else the error says what Alipay said.
    pub async fn call(&self, method: &str, biz_content: Json) -> Result<Json> {
        let mut form: Vec<(String, String)> = vec![
            ("app_id".into(), self.config.app_id.clone()),
            ("method".into(), method.into()),
            ("format".into(), "JSON".into()),
            ("charset".into(), "utf-8".into()),
            ("sign_type".into(), "RSA2".into()),
            ("timestamp".into(), super::format_time(crate::unix_millis())),
            ("version".into(), "1.0".into()),
            ("biz_content".into(), biz_content.to_string()),
        ];
        if !self.config.notify_url.is_empty() {
            form.push(("notify_url".into(), self.config.notify_url.clone()));
        }
        let text = sorted_pairs(form.iter().map(|(k, v)| (k.as_str(), v.as_str())), &["sign"]);
        form.push(("sign".into(), self.config.merchant_key.sign(&text)?));
        let body = self.transport.send(form).await?;
        let response_key = format!("{}_response", method.replace('.', "_"));
        let (signed, signature) = signed_response(&body, &response_key).ok_or_else(|| {
            PlatformError::Payment(format!("Alipay answered {method} without a signed {response_key}"))
        })?;
        if !rsa2_verify(&self.config.alipay_public_key, signed, &signature) {
            return Err(PlatformError::Payment(format!("the answer to {method} is not signed by Alipay")));
        }
        let response: Json = serde_json::from_str(signed)
            .map_err(|e| PlatformError::Payment(format!("Alipay's answer to {method}: {e}")))?;
        if response["code"] != "10000" {
            return Err(PlatformError::Payment(format!(
                "Alipay refused {method}: {} {}",
                response["sub_code"].as_str().unwrap_or(response["code"].as_str().unwrap_or("")),
                response["sub_msg"].as_str().unwrap_or(response["msg"].as_str().unwrap_or(""))
            )));
        }
        Ok(response)
    }
}

/// The raw text of the `key` object in an Alipay answer, as it was signed, and the `sign`.
pub fn signed_response<'a>(body: &'a str, key: &str) -> Option<(&'a str, String)> {
    let parsed: Json = serde_json::from_str(body).ok()?;
    let signature = parsed["sign"].as_str()?.to_string();
    // Alipay signs the exact bytes of the object: find them rather than re-serialising.
    let marker = format!("\"{key}\":");
    let start = body.find(&marker)? + marker.len();
    let rest = body[start..].trim_start();
    let offset = body.len() - rest.len();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (index, byte) in rest.bytes().enumerate() {
        match (in_string, escaped, byte) {
            (true, true, _) => escaped = false,
            (true, false, b'\\') => escaped = true,
            (true, false, b'"') => in_string = false,
            (false, _, b'"') => in_string = true,
            (false, _, b'{') => depth += 1,
            (false, _, b'}') => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some((&body[offset..offset + index + 1], signature));
                }
            }
            _ => {}
        }
    }
    None
}

fn trade_state(response: &Json) -> TradeState {
    let status = response["trade_status"].as_str().unwrap_or("WAIT_BUYER_PAY");
    state_of(response["trade_no"].as_str().unwrap_or_default(), status)
}

fn state_of(trade_no: &str, status: &str) -> TradeState {
    TradeState {
        trade_no: trade_no.to_string(),
        paid: status == "TRADE_SUCCESS" || status == "TRADE_FINISHED",
        status: status.to_string(),
    }
}

impl PaymentProvider for Alipay {
    fn way(&self) -> &'static str {
        "2"
    }

    fn pay<'a>(&'a self, trade: &'a TradeRequest, auth: &'a str) -> BoxFuture<'a, Result<TradeState>> {
        Box::pin(async move {
            // alipay.trade.create refuses a second trade under the same out_trade_no, so a
            // retried confirmation pays the trade that exists.
            let existing = self.query(&trade.out_trade_no).await?;
            if let Some(state) = &existing
                && state.paid
            {
                return Ok(state.clone());
            }
            if existing.is_none() {
                self.call(
                    "alipay.trade.create",
                    json!({
                        "out_trade_no": trade.out_trade_no, "total_amount": yuan(trade.total_amount),
                        "subject": trade.subject, "body": trade.body, "product_code": "JSAPI_PAY",
                        "time_expire": super::format_time(trade.expires_at),
                    }),
                )
                .await?;
            }
            let paid = self
                .call(
                    "alipay.trade.pay",
                    json!({
                        "out_trade_no": trade.out_trade_no, "scene": "security_code", "auth_code": auth,
                        "total_amount": yuan(trade.total_amount), "subject": trade.subject,
                    }),
                )
                .await?;
            Ok(TradeState {
                trade_no: paid["trade_no"].as_str().unwrap_or_default().to_string(),
                paid: true,
                status: "TRADE_SUCCESS".into(),
            })
        })
    }

    fn query<'a>(&'a self, out_trade_no: &'a str) -> BoxFuture<'a, Result<Option<TradeState>>> {
        Box::pin(async move {
            match self.call("alipay.trade.query", json!({ "out_trade_no": out_trade_no })).await {
                Ok(response) => Ok(Some(trade_state(&response))),
                Err(PlatformError::Payment(message)) if message.contains("ACQ.TRADE_NOT_EXIST") => Ok(None),
                Err(e) => Err(e),
            }
        })
    }

    fn refund<'a>(
        &'a self,
        out_trade_no: &'a str,
        out_request_no: &'a str,
        amount: i64,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            self.call(
                "alipay.trade.refund",
                json!({ "out_trade_no": out_trade_no, "out_request_no": out_request_no, "refund_amount": yuan(amount) }),
            )
            .await
            .map(|_| ())
        })
    }

    fn close<'a>(&'a self, out_trade_no: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            self.call("alipay.trade.close", json!({ "out_trade_no": out_trade_no })).await.map(|_| ())
        })
    }

    /// Alipay's notification: RSA2 over every non-empty parameter but `sign` and `sign_type`,
    /// sorted, checked with Alipay's public key.
    fn verify_notification(&self, form: &[(String, String)]) -> Result<TradeNotice> {
        let get = |key: &str| form.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).unwrap_or("");
        let text = sorted_pairs(form.iter().map(|(k, v)| (k.as_str(), v.as_str())), &["sign", "sign_type"]);
        if get("sign_type") != "RSA2" || !rsa2_verify(&self.config.alipay_public_key, &text, get("sign")) {
            return Err(PlatformError::Payment("the notification is not signed by Alipay".into()));
        }
        if get("app_id") != self.config.app_id {
            return Err(PlatformError::Payment(format!("the notification is for app_id {}", get("app_id"))));
        }
        let total_amount = fen(get("total_amount"))
            .ok_or_else(|| PlatformError::Payment("the notification's total_amount is not yuan".into()))?;
        Ok(TradeNotice {
            out_trade_no: get("out_trade_no").to_string(),
            total_amount,
            state: state_of(get("trade_no"), get("trade_status")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_and_fen_convert_exactly() {
        assert_eq!(yuan(1990), "19.90");
        assert_eq!(yuan(5), "0.05");
        assert_eq!(fen("19.90"), Some(1990));
        assert_eq!(fen("19.9"), Some(1990));
        assert_eq!(fen("7"), Some(700));
        assert_eq!(fen("1.234"), None);
        assert_eq!(fen("-1.00"), None);
    }

    #[test]
    fn the_signed_object_is_cut_from_the_answer_as_sent() {
        let body =
            r#"{"alipay_trade_query_response":{"code":"10000","msg":"Success","x":"a}\"{"},"sign":"SIG"}"#;
        let (signed, sign) = signed_response(body, "alipay_trade_query_response").unwrap();
        assert_eq!(signed, r#"{"code":"10000","msg":"Success","x":"a}\"{"}"#);
        assert_eq!(sign, "SIG");
        assert!(signed_response("{}", "alipay_trade_query_response").is_none());
    }
}
