//! Payments against real databases (SQLite always, PostgreSQL with `CAPSULE_TEST_POSTGRES`):
//! orders created with Douyin's signed guaranteed-pay parameters (MD5 with the salt, or RSA2),
//! paid through the Alipay provider talking to the sandbox gateway, queried, expired and
//! refunded; concurrent confirmations charge once; callbacks are signed, retried on Douyin's
//! schedule from the outbox across a restart, and stop at the developer's success answer.

use std::sync::{Arc, Mutex};
use std::time::Duration;

mod support;

use capsule_platform::payments::notify::{NotifySender, RETRY_SCHEDULE};
use capsule_platform::payments::provider::{Alipay, BoxFuture, PaymentProvider, TradeRequest};
use capsule_platform::payments::sandbox::{SANDBOX_APP_ID, SANDBOX_PIN, SandboxAlipay, sandbox_alipay};
use capsule_platform::payments::sign::{
    RsaKey, ecpay_sign, msg_signature, parse_public_key, sorted_json_pairs, sorted_pairs,
};
use capsule_platform::payments::{
    ERR_BAD_APPID, ERR_BAD_PARAMS, ERR_BAD_SIGN, ERR_NO_REUSED, ERR_REFUND, OrderStatus,
};
use capsule_platform::{AppSettings, CreatedApp, Platform, PlatformError, User};
use serde_json::{Map, Value as Json, json};
use support::platforms;

struct Shop {
    created: CreatedApp,
    buyer: User,
    alipay: Alipay,
}

async fn shop(platform: &Platform) -> Shop {
    let owner = platform.sign_up("owner", "correct horse", "").await.unwrap();
    let org = platform.create_org(&owner, "Mug Co").await.unwrap();
    let settings = AppSettings {
        name: "Mug Shop".into(),
        notify_url: "http://127.0.0.1:9/notify".into(),
        ..AppSettings::default()
    };
    let created = platform.create_app(&owner, &org.id, settings).await.unwrap();
    let buyer = platform.sign_up("buyer", "correct horse", "").await.unwrap();
    let alipay = sandbox_alipay(platform, "", None).await.unwrap();
    Shop { created, buyer, alipay }
}

/// `params` signed as a developer's server signs them, with the app's salt.
fn signed(shop: &Shop, params: Json) -> Map<String, Json> {
    let mut params = params.as_object().unwrap().clone();
    params.insert("app_id".into(), json!(shop.created.app.appid));
    let sign = ecpay_sign(&params, &shop.created.app.payment_salt);
    params.insert("sign".into(), json!(sign));
    params
}

fn order_params(out_order_no: &str, amount: i64) -> Json {
    json!({
        "out_order_no": out_order_no, "total_amount": amount, "subject": "Blue mug",
        "body": "One blue mug, 350 ml", "valid_time": 900, "cp_extra": "{\"cart\":7}",
    })
}

#[tokio::test]
async fn orders_are_created_only_with_a_valid_signature_and_sound_parameters() {
    for (test, platform) in platforms().await {
        let backend = test.backend();
        let shop = shop(&platform).await;
        let first = platform.create_order(&signed(&shop, order_params("A-1", 1990))).await.unwrap();
        assert!(first.order_id.starts_with('N') && first.order_token.starts_with("ot-"), "{first:?}");
        // The same request again is the same order (a retried call), not a second one.
        let again = platform.create_order(&signed(&shop, order_params("A-1", 1990))).await.unwrap();
        assert_eq!(again, first, "{backend:?}");
        // The same number with other content is refused.
        let reused = platform.create_order(&signed(&shop, order_params("A-1", 2990))).await.unwrap_err();
        assert_eq!(reused.err_no, ERR_NO_REUSED, "{reused:?}");

        // A forged signature: changed after signing, or signed with another salt.
        let mut forged = signed(&shop, order_params("A-2", 1990));
        forged.insert("total_amount".into(), json!(1));
        assert_eq!(platform.create_order(&forged).await.unwrap_err().err_no, ERR_BAD_SIGN);
        let mut other_salt = order_params("A-2", 1990).as_object().unwrap().clone();
        other_salt.insert("app_id".into(), json!(shop.created.app.appid));
        other_salt.insert("sign".into(), json!(ecpay_sign(&other_salt, "not-the-salt")));
        let refused = platform.create_order(&other_salt).await.unwrap_err();
        assert_eq!(refused.err_no, ERR_BAD_SIGN);
        assert!(refused.err_tips.contains("sign"), "{refused:?}");

        for amount in [0, -100] {
            let bad = platform.create_order(&signed(&shop, order_params("A-3", amount))).await.unwrap_err();
            assert_eq!(bad.err_no, ERR_BAD_PARAMS, "{amount}");
            assert!(bad.err_tips.contains("total_amount"), "{bad:?}");
        }
        let mut short = order_params("A-4", 100);
        short["valid_time"] = json!(10);
        assert_eq!(platform.create_order(&signed(&shop, short)).await.unwrap_err().err_no, ERR_BAD_PARAMS);
        let mut unknown = signed(&shop, order_params("A-5", 100));
        unknown.insert("app_id".into(), json!("tt-nobody"));
        assert_eq!(platform.create_order(&unknown).await.unwrap_err().err_no, ERR_BAD_APPID);

        let order = platform.query_order(&signed(&shop, json!({ "out_order_no": "A-1" }))).await.unwrap();
        assert_eq!((order.status, order.total_amount), (OrderStatus::Processing, 1990));
        assert_eq!(order.status.as_str(), "PROCESSING");
    }
}

#[tokio::test]
async fn apps_with_an_rsa_key_sign_with_rsa2_instead() {
    for (_test, platform) in platforms().await {
        let shop = shop(&platform).await;
        let owner = platform.log_in("owner", "correct horse", None).await.unwrap().user;
        let key = RsaKey::generate().unwrap();
        assert!(platform.set_payment_key(&owner, &shop.created.app.appid, "not a key").await.is_err());
        platform
            .set_payment_key(&owner, &shop.created.app.appid, &key.public_base64().unwrap())
            .await
            .unwrap();
        let rsa_signed = |params: Json| {
            let mut params = params.as_object().unwrap().clone();
            params.insert("app_id".into(), json!(shop.created.app.appid));
            params.insert("sign_type".into(), json!("RSA2"));
            let text = sorted_json_pairs(&params, &["sign", "sign_type"]);
            params.insert("sign".into(), json!(key.sign(&text).unwrap()));
            params
        };
        platform.create_order(&rsa_signed(order_params("R-1", 500))).await.unwrap();
        // MD5 with the salt no longer does, and a changed parameter breaks the RSA2 signature.
        let md5 = platform.create_order(&signed(&shop, order_params("R-2", 500))).await.unwrap_err();
        assert_eq!(md5.err_no, ERR_BAD_SIGN);
        let mut tampered = rsa_signed(order_params("R-3", 500));
        tampered.insert("subject".into(), json!("Gold mug"));
        assert_eq!(platform.create_order(&tampered).await.unwrap_err().err_no, ERR_BAD_SIGN);
    }
}

#[tokio::test]
async fn paying_through_the_sandbox_gateway_takes_the_money_once() {
    for (test, platform) in platforms().await {
        let backend = test.backend();
        let shop = shop(&platform).await;
        let created = platform.create_order(&signed(&shop, order_params("P-1", 1990))).await.unwrap();
        let pay = |pin: &'static str| {
            let (platform, shop, created) = (&platform, &shop, &created);
            async move {
                platform
                    .pay_order(&shop.alipay, &created.order_id, &created.order_token, &shop.buyer, pin)
                    .await
            }
        };
        // A wrong token finds nothing; a wrong PIN is refused and the order stays payable.
        let wrong_token =
            platform.pay_order(&shop.alipay, &created.order_id, "ot-forged", &shop.buyer, SANDBOX_PIN).await;
        assert!(matches!(wrong_token, Err(PlatformError::NotFound(_))), "{wrong_token:?}");
        let wrong_pin = pay("000000").await.unwrap_err();
        assert!(wrong_pin.to_string().contains("PIN"), "{wrong_pin}");
        let order = platform.order(&created.order_id).await.unwrap().unwrap();
        assert_eq!(order.status, OrderStatus::Processing);

        // Eight confirmations at once: one charge.
        let attempts: Vec<_> = (0..8).map(|_| pay(SANDBOX_PIN)).collect();
        let results = futures_join_all(attempts).await;
        let paid: Vec<_> = results.iter().filter(|r| r.is_ok()).collect();
        assert_eq!(paid.len(), 1, "{backend:?}: {results:?}");
        for refused in results.iter().filter_map(|r| r.as_ref().err()) {
            assert!(matches!(refused, PlatformError::Conflict(_)), "{refused:?}");
        }
        let again = pay(SANDBOX_PIN).await.unwrap_err();
        assert!(again.to_string().contains("already paid"), "{again}");

        let order = platform.query_order(&signed(&shop, json!({ "out_order_no": "P-1" }))).await.unwrap();
        assert_eq!(order.status, OrderStatus::Success);
        assert_eq!(order.way, "2");
        assert!(!order.channel_no.is_empty() && !order.payer_openid.is_empty());
        let trades: Vec<(String, i64)> = capsule_db::sqlx::query_as(
            "SELECT status, total_fen FROM sandbox_alipay_trades WHERE out_trade_no = $1",
        )
        .bind(&created.order_id)
        .fetch_all(platform.db().pool())
        .await
        .unwrap();
        assert_eq!(trades, vec![("TRADE_SUCCESS".to_string(), 1990)]);
        // One payment callback, whatever the number of confirmations.
        let notes = platform.notifications(&shop.created.app.appid).await.unwrap();
        assert_eq!(notes.len(), 1);
        let msg: Json = serde_json::from_str(&notes[0].msg).unwrap();
        assert_eq!((msg["cp_orderno"].as_str(), msg["total_amount"].as_i64()), (Some("P-1"), Some(1990)));
        assert_eq!((msg["status"].as_str(), msg["way"].as_str()), (Some("SUCCESS"), Some("2")));
    }
}

/// Runs the futures concurrently on this task and answers their results in order.
async fn futures_join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut set = Vec::new();
    for future in futures {
        set.push(Box::pin(future));
    }
    let mut results: Vec<Option<F::Output>> = set.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, result) in set.iter_mut().zip(results.iter_mut()) {
            if result.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => *result = Some(value),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending { std::task::Poll::Pending } else { std::task::Poll::Ready(()) }
    })
    .await;
    results.into_iter().map(Option::unwrap).collect()
}

/// Marks an order as being charged since `after_created` ms past its creation, as a
/// confirmation does.
async fn claim(platform: &Platform, out_order_no: &str, after_created: i64) {
    sqlx::query("UPDATE pay_orders SET paying_since = created_at + $1 WHERE out_order_no = $2")
        .bind(after_created)
        .bind(out_order_no)
        .execute(platform.db().pool())
        .await
        .unwrap();
}

#[tokio::test]
async fn unpaid_orders_expire() {
    for (_test, platform) in platforms().await {
        let shop = shop(&platform).await;
        let mut params = order_params("E-1", 800);
        params["valid_time"] = json!(300);
        let created = platform.create_order(&signed(&shop, params)).await.unwrap();
        platform.advance_clock(Duration::from_secs(301));
        let order = platform.query_order(&signed(&shop, json!({ "out_order_no": "E-1" }))).await.unwrap();
        assert_eq!(order.status, OrderStatus::Timeout);
        assert_eq!(order.status.as_str(), "TIMEOUT");
        let late = platform
            .pay_order(&shop.alipay, &created.order_id, &created.order_token, &shop.buyer, SANDBOX_PIN)
            .await
            .unwrap_err();
        assert!(late.to_string().contains("expired"), "{late}");
        // The sweep finds what nobody asked about.
        platform.create_order(&signed(&shop, order_params("E-2", 800))).await.unwrap();
        // A claim left by a confirmation that died while charging does not keep an order alive.
        platform.create_order(&signed(&shop, order_params("E-3", 800))).await.unwrap();
        claim(&platform, "E-3", 0).await;
        // A wrong PIN leaves a trade open at Alipay: expiry closes it, so it cannot be paid late.
        let e5 = platform.create_order(&signed(&shop, order_params("E-5", 800))).await.unwrap();
        platform
            .pay_order(&shop.alipay, &e5.order_id, &e5.order_token, &shop.buyer, "000000")
            .await
            .unwrap_err();
        assert_eq!(shop.alipay.query(&e5.order_id).await.unwrap().unwrap().status, "WAIT_BUYER_PAY");
        platform.advance_clock(Duration::from_secs(901));
        assert_eq!(platform.expire_orders(&shop.alipay).await.unwrap().len(), 3);
        assert_eq!(shop.alipay.query(&e5.order_id).await.unwrap().unwrap().status, "TRADE_CLOSED");
        // A live claim (under a minute old) does: the confirmation decides.
        let mut params = order_params("E-4", 800);
        params["valid_time"] = json!(300);
        platform.create_order(&signed(&shop, params)).await.unwrap();
        platform.advance_clock(Duration::from_secs(301));
        claim(&platform, "E-4", 301_000).await;
        assert!(platform.expire_orders(&shop.alipay).await.unwrap().is_empty());
        let order = platform.query_order(&signed(&shop, json!({ "out_order_no": "E-4" }))).await.unwrap();
        assert_eq!(order.status, OrderStatus::Processing);
    }
}

#[tokio::test]
async fn paid_orders_are_refunded_up_to_what_was_paid() {
    for (_test, platform) in platforms().await {
        let shop = shop(&platform).await;
        let refund = |no: &str, amount: i64| {
            signed(
                &shop,
                json!({ "out_order_no": "F-1", "out_refund_no": no, "refund_amount": amount, "reason": "cracked" }),
            )
        };
        let created = platform.create_order(&signed(&shop, order_params("F-1", 3000))).await.unwrap();
        let unpaid = platform.create_refund(&shop.alipay, &refund("RF-0", 100)).await.unwrap_err();
        assert_eq!(unpaid.err_no, ERR_REFUND, "{unpaid:?}");
        platform
            .pay_order(&shop.alipay, &created.order_id, &created.order_token, &shop.buyer, SANDBOX_PIN)
            .await
            .unwrap();

        let first = platform.create_refund(&shop.alipay, &refund("RF-1", 1000)).await.unwrap();
        assert_eq!((first.status.as_str(), first.refund_amount), ("SUCCESS", 1000));
        // The same refund again is answered as before and refunds nothing more.
        let replay = platform.create_refund(&shop.alipay, &refund("RF-1", 1000)).await.unwrap();
        assert_eq!(replay.refund_id, first.refund_id);
        let reused = platform.create_refund(&shop.alipay, &refund("RF-1", 500)).await.unwrap_err();
        assert_eq!(reused.err_no, ERR_NO_REUSED);
        let too_much = platform.create_refund(&shop.alipay, &refund("RF-2", 2001)).await.unwrap_err();
        assert_eq!(too_much.err_no, ERR_REFUND);
        assert!(too_much.err_tips.contains("2000"), "{too_much:?}");
        platform.create_refund(&shop.alipay, &refund("RF-3", 2000)).await.unwrap();

        let queried =
            platform.query_refund(&signed(&shop, json!({ "out_refund_no": "RF-3" }))).await.unwrap();
        assert_eq!((queried.status.as_str(), queried.out_order_no.as_str()), ("SUCCESS", "F-1"));
        let order = platform.order(&created.order_id).await.unwrap().unwrap();
        assert_eq!(order.refunded_amount, 3000);
        let refunded: i64 = capsule_db::sqlx::query_scalar(
            "SELECT refunded_fen FROM sandbox_alipay_trades WHERE out_trade_no = $1",
        )
        .bind(&created.order_id)
        .fetch_one(platform.db().pool())
        .await
        .unwrap();
        assert_eq!(refunded, 3000);
        let kinds: Vec<String> = platform
            .notifications(&shop.created.app.appid)
            .await
            .unwrap()
            .into_iter()
            .map(|n| n.kind)
            .collect();
        assert_eq!(kinds.iter().filter(|k| *k == "refund").count(), 2, "{kinds:?}");
    }
}

/// A developer's server that fails until told to succeed, keeping what it was sent.
#[derive(Default)]
struct Receiver {
    succeed: Mutex<bool>,
    received: Mutex<Vec<Json>>,
}

impl NotifySender for Receiver {
    fn post<'a>(&'a self, _url: &'a str, body: &'a Json) -> BoxFuture<'a, Result<String, String>> {
        Box::pin(async move {
            self.received.lock().unwrap().push(body.clone());
            match *self.succeed.lock().unwrap() {
                true => Ok(r#"{"err_no":0,"err_tips":"success"}"#.to_string()),
                false => Err("connection refused".to_string()),
            }
        })
    }
}

#[tokio::test]
async fn callbacks_are_signed_and_retried_on_schedule_across_a_restart() {
    for (test, platform) in platforms().await {
        let backend = test.backend();
        let shop = shop(&platform).await;
        let created = platform.create_order(&signed(&shop, order_params("C-1", 1200))).await.unwrap();
        platform
            .pay_order(&shop.alipay, &created.order_id, &created.order_token, &shop.buyer, SANDBOX_PIN)
            .await
            .unwrap();
        let receiver = Arc::new(Receiver::default());
        assert_eq!(platform.deliver_notifications(receiver.as_ref()).await.unwrap(), 0);
        let sent = receiver.received.lock().unwrap().clone();
        assert_eq!(sent.len(), 1);
        let body = &sent[0];
        assert_eq!(body["type"], "payment");
        // The developer's server checks the signature with its salt.
        let field = |key: &str| body[key].as_str().unwrap().to_string();
        assert_eq!(
            field("msg_signature"),
            msg_signature(
                &shop.created.app.payment_salt,
                &field("timestamp"),
                &field("nonce"),
                &field("msg")
            )
        );
        assert_ne!(
            field("msg_signature"),
            msg_signature("a forger's guess", &field("timestamp"), &field("nonce"), &field("msg"))
        );

        // Nothing is due until the schedule's first wait is over.
        platform.advance_clock(Duration::from_secs(14));
        platform.deliver_notifications(receiver.as_ref()).await.unwrap();
        assert_eq!(receiver.received.lock().unwrap().len(), 1);

        // The server restarts: the outbox is in the database.
        let restarted = Platform::open(platform.db().clone()).await.unwrap();
        restarted.advance_clock(Duration::from_secs(14 + 2));
        restarted.deliver_notifications(receiver.as_ref()).await.unwrap();
        assert_eq!(receiver.received.lock().unwrap().len(), 2, "{backend:?}");
        let note = &restarted.notifications(&shop.created.app.appid).await.unwrap()[0];
        assert_eq!(note.attempts, 2);
        assert_eq!(note.last_error, "connection refused");

        // The second wait is 15 s too; then the developer's server answers success.
        *receiver.succeed.lock().unwrap() = true;
        restarted.advance_clock(RETRY_SCHEDULE[1] + Duration::from_secs(1));
        assert_eq!(restarted.deliver_notifications(receiver.as_ref()).await.unwrap(), 1);
        restarted.advance_clock(Duration::from_secs(24 * 3600));
        restarted.deliver_notifications(receiver.as_ref()).await.unwrap();
        assert_eq!(receiver.received.lock().unwrap().len(), 3, "no more after success");
        let note = &restarted.notifications(&shop.created.app.appid).await.unwrap()[0];
        assert!(note.delivered_at.is_some() && note.next_at.is_none());
        // Every attempt carried the same message.
        let msgs: Vec<Json> = receiver.received.lock().unwrap().iter().map(|b| b["msg"].clone()).collect();
        assert!(msgs.windows(2).all(|pair| pair[0] == pair[1]));
    }
}

#[tokio::test]
async fn a_callback_nobody_accepts_is_given_up_after_the_last_retry() {
    for (_test, platform) in platforms().await {
        let shop = shop(&platform).await;
        let created = platform.create_order(&signed(&shop, order_params("G-1", 100))).await.unwrap();
        platform
            .pay_order(&shop.alipay, &created.order_id, &created.order_token, &shop.buyer, SANDBOX_PIN)
            .await
            .unwrap();
        let receiver = Receiver::default();
        platform.deliver_notifications(&receiver).await.unwrap();
        for wait in RETRY_SCHEDULE {
            platform.advance_clock(wait + Duration::from_secs(1));
            platform.deliver_notifications(&receiver).await.unwrap();
        }
        assert_eq!(receiver.received.lock().unwrap().len(), 1 + RETRY_SCHEDULE.len());
        let note = &platform.notifications(&shop.created.app.appid).await.unwrap()[0];
        assert_eq!((note.attempts, note.next_at, note.delivered_at), (16, None, None));
        platform.advance_clock(Duration::from_secs(7 * 24 * 3600));
        platform.deliver_notifications(&receiver).await.unwrap();
        assert_eq!(receiver.received.lock().unwrap().len(), 16);
    }
}

#[tokio::test]
async fn the_ledger_totals_what_was_paid_and_order_sync_shares_orders_with_the_host() {
    for (_test, platform) in platforms().await {
        let shop = shop(&platform).await;
        let appid = shop.created.app.appid.clone();
        let owner = platform.log_in("owner", "correct horse", None).await.unwrap().user;
        let created = platform.create_order(&signed(&shop, order_params("L-1", 3000))).await.unwrap();
        platform.create_order(&signed(&shop, order_params("L-2", 500))).await.unwrap();
        platform
            .pay_order(&shop.alipay, &created.order_id, &created.order_token, &shop.buyer, SANDBOX_PIN)
            .await
            .unwrap();
        let refund = json!({ "out_order_no": "L-1", "out_refund_no": "LR-1", "refund_amount": 1000, "reason": "late" });
        platform.create_refund(&shop.alipay, &signed(&shop, refund)).await.unwrap();

        let ledger = platform.ledger(&owner, &appid).await.unwrap();
        assert_eq!(
            (ledger.totals.paid_orders, ledger.totals.paid, ledger.totals.refunded, ledger.totals.settlement),
            (1, 3000, 1000, 2000)
        );
        assert_eq!(ledger.orders.len(), 2);
        assert_eq!(ledger.refunds.len(), 1);
        assert_eq!(ledger.refunds[0].out_order_no, "L-1");
        assert!(!ledger.order_sync);
        // Only the app's organisation reads its ledger or changes its sync.
        assert!(matches!(platform.ledger(&shop.buyer, &appid).await, Err(PlatformError::Forbidden(_))));
        assert!(platform.set_order_sync(&shop.buyer, &appid, true).await.is_err());

        // The order is the mini-program's own: the host's list does not show it...
        assert!(platform.host_orders(&shop.buyer).await.unwrap().is_empty());
        // ...until the app opts in to order-centre sync.
        platform.set_order_sync(&owner, &appid, true).await.unwrap();
        let listed = platform.host_orders(&shop.buyer).await.unwrap();
        assert_eq!(listed.len(), 1, "{listed:?}");
        assert_eq!((listed[0].subject.as_str(), listed[0].app_name.as_str()), ("Blue mug", "Mug Shop"));
        assert_eq!((listed[0].total_amount, listed[0].status.as_str()), (3000, "SUCCESS"));
        // Another person paid nothing: their list stays empty.
        let other = platform.sign_up("other", "correct horse", "").await.unwrap();
        assert!(platform.host_orders(&other).await.unwrap().is_empty());
        assert!(platform.ledger(&owner, &appid).await.unwrap().order_sync);

        // A mini-program opens the cashier only for its own orders.
        let (order, _, token) =
            platform.order_for_mini_program(&appid, &created.order_id, None).await.unwrap();
        assert_eq!((order.out_order_no.as_str(), token), ("L-1", created.order_token.clone()));
        assert!(platform.order_for_mini_program("tt-another", &created.order_id, None).await.is_err());
        assert!(platform.order_for_mini_program(&appid, &created.order_id, Some("ot-wrong")).await.is_err());
    }
}

/// The sandbox gateway as it signs its notifications (the same keys `sandbox_alipay` uses).
async fn sandbox_gateway(platform: &Platform) -> SandboxAlipay {
    let gateway_key = platform.stored_rsa_key("sandbox-alipay-gateway-rsa").await.unwrap();
    let merchant_key = platform.stored_rsa_key("sandbox-alipay-merchant-rsa").await.unwrap();
    let merchant_public = parse_public_key(&merchant_key.public_base64().unwrap()).unwrap();
    SandboxAlipay::new(platform.clone(), gateway_key, SANDBOX_APP_ID.into(), merchant_public)
}

#[tokio::test]
async fn alipay_notifications_are_verified_and_record_a_payment_once() {
    for (_test, platform) in platforms().await {
        let shop = shop(&platform).await;
        let created = platform.create_order(&signed(&shop, order_params("N-1", 1500))).await.unwrap();
        // The confirmation claimed the order and Alipay took the money, then it died before
        // recording anything: only Alipay's notification can tell the platform.
        sqlx::query(
            "UPDATE pay_orders SET paying_since = created_at, payer_user_id = $1 WHERE order_id = $2",
        )
        .bind(&shop.buyer.id)
        .bind(&created.order_id)
        .execute(platform.db().pool())
        .await
        .unwrap();
        let trade = TradeRequest {
            out_trade_no: created.order_id.clone(),
            total_amount: 1500,
            subject: "Mugs".into(),
            body: "Mugs".into(),
            seller: "Mug Shop".into(),
            expires_at: i64::MAX,
        };
        let state = shop.alipay.pay(&trade, SANDBOX_PIN).await.unwrap();
        let form =
            sandbox_gateway(&platform).await.notification(&created.order_id, &state.trade_no, 1500).unwrap();

        // Forged: a changed amount, or signed with another key, or for another merchant.
        let mut changed = form.clone();
        changed.iter_mut().find(|(k, _)| k == "total_amount").unwrap().1 = "0.01".into();
        assert!(shop.alipay.verify_notification(&changed).is_err());
        let mut other_key = form.clone();
        other_key.retain(|(k, _)| k != "sign");
        let text =
            sorted_pairs(other_key.iter().map(|(k, v)| (k.as_str(), v.as_str())), &["sign", "sign_type"]);
        other_key.push(("sign".into(), RsaKey::generate().unwrap().sign(&text).unwrap()));
        let refused = shop.alipay.verify_notification(&other_key).unwrap_err();
        assert!(refused.to_string().contains("not signed by Alipay"), "{refused}");
        assert_eq!(platform.order(&created.order_id).await.unwrap().unwrap().status, OrderStatus::Processing);

        // The real one records the payment, for the payer, with one callback; again, nothing.
        let notice = shop.alipay.verify_notification(&form).unwrap();
        assert_eq!((notice.total_amount, notice.state.paid), (1500, true));
        for _ in 0..2 {
            let order = platform.trade_notified(&shop.alipay, &notice).await.unwrap();
            assert_eq!(order.status, OrderStatus::Success);
        }
        let order = platform.order(&created.order_id).await.unwrap().unwrap();
        assert_eq!(order.channel_no, state.trade_no);
        assert_eq!(platform.notifications(&shop.created.app.appid).await.unwrap().len(), 1);
        let payer: Option<String> =
            sqlx::query_scalar("SELECT payer_user_id FROM pay_orders WHERE order_id = $1")
                .bind(&created.order_id)
                .fetch_one(platform.db().pool())
                .await
                .unwrap();
        assert_eq!(payer.as_deref(), Some(shop.buyer.id.as_str()));

        // A notification whose amount is not the order's is refused.
        let other = platform.create_order(&signed(&shop, order_params("N-2", 900))).await.unwrap();
        let mut wrong = notice.clone();
        wrong.out_trade_no = other.order_id;
        assert!(platform.trade_notified(&shop.alipay, &wrong).await.is_err());
    }
}
