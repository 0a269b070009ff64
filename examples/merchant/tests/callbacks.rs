//! The merchant backend's payment callback endpoint against real HTTP: a correctly signed,
//! fresh callback is accepted once; a forged, stale or replayed one is refused.

use std::collections::BTreeMap;

use capsule_merchant::{AppKeys, Config, REPLAY_WINDOW_SECS, msg_signature};
use serde_json::{Value as Json, json};

const APPID: &str = "tt-callback-test";
const SALT: &str = "the-payment-salt";

async fn merchant() -> String {
    let mut apps = BTreeMap::new();
    apps.insert(APPID.to_string(), AppKeys { secret: "s".into(), payment_salt: SALT.into() });
    // The platform is never called here: callbacks come to the backend, not from it.
    let config = Config { platform: "http://127.0.0.1:9".into(), apps, data_file: None };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    capsule_merchant::start(config, listener).await.unwrap()
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// A callback as the platform signs it.
fn callback(timestamp: i64, nonce: &str, salt: &str) -> Json {
    let msg =
        json!({ "appid": APPID, "cp_orderno": "S-1", "status": "SUCCESS", "total_amount": 3900 }).to_string();
    let timestamp = timestamp.to_string();
    let signature = msg_signature(salt, &timestamp, nonce, &msg);
    json!({ "timestamp": timestamp, "nonce": nonce, "msg": msg, "msg_signature": signature, "type": "payment" })
}

async fn post(origin: &str, body: Json) -> (u16, Json) {
    let url = format!("{origin}/notify");
    tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let mut response = agent.post(&url).send_json(&body).unwrap();
        (response.status().as_u16(), response.body_mut().read_json::<Json>().unwrap())
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn callbacks_are_accepted_once_and_only_when_signed_and_fresh() {
    let origin = merchant().await;
    let good = callback(now(), "nonce-1", SALT);
    let (status, answer) = post(&origin, good.clone()).await;
    assert_eq!((status, answer), (200, json!({ "err_no": 0, "err_tips": "success" })));

    // The very same callback again: a replay.
    let (status, answer) = post(&origin, good).await;
    assert_eq!(status, 409, "{answer}");
    assert_ne!(answer["err_no"], 0);

    // Signed with another salt, or changed after signing: forged.
    let (status, _) = post(&origin, callback(now(), "nonce-2", "not-the-salt")).await;
    assert_eq!(status, 401);
    let mut changed = callback(now(), "nonce-3", SALT);
    changed["msg"] = json!(changed["msg"].as_str().unwrap().replace("3900", "1"));
    let (status, answer) = post(&origin, changed).await;
    assert_eq!(status, 401);
    assert_eq!(answer["err_tips"], "bad msg_signature");

    // Correctly signed but outside the window: a recorded callback played back later.
    let (status, answer) = post(&origin, callback(now() - REPLAY_WINDOW_SECS - 60, "nonce-4", SALT)).await;
    assert_eq!(status, 401);
    assert_eq!(answer["err_tips"], "stale timestamp");

    // A fresh nonce within the window is accepted (the platform's retries carry new ones).
    let (status, _) = post(&origin, callback(now(), "nonce-5", SALT)).await;
    assert_eq!(status, 200);
}
