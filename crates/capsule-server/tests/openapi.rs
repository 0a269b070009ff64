//! The open API's OpenAPI document: generated from the code, equal to the committed
//! `docs/openapi.json` (run with `CAPSULE_UPDATE_OPENAPI=1` to rewrite it after a change), served
//! at `/api/openapi.json`, and its examples, sent to a real server, answer in the documented
//! shapes: login, tokens, QR codes, and an order created, paid, queried and refunded.

mod support;

use capsule_platform::payments::sandbox::SANDBOX_PIN;
use capsule_platform::payments::sign::ecpay_sign;
use serde_json::{Value as Json, json};
use support::{Client, ok, request, request_bytes};

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
const SHOP: &str = "tt0000000000shop";

fn keys(value: &Json) -> Vec<String> {
    let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

#[test]
fn the_document_is_current_served_and_its_examples_work() {
    let generated = capsule_server::open_api_doc::document();
    if std::env::var_os("CAPSULE_UPDATE_OPENAPI").is_some() {
        std::fs::write(COMMITTED, format!("{generated}\n")).unwrap();
    }
    let committed = std::fs::read_to_string(COMMITTED).unwrap_or_default();
    assert_eq!(
        committed.trim_end(),
        generated,
        "docs/openapi.json is not what the code generates: run the test with CAPSULE_UPDATE_OPENAPI=1"
    );

    let server = support::start();
    let served = ok(request(&server.addr, "GET", "/api/openapi.json", None, &[]));
    let doc: Json = serde_json::from_str(&generated).unwrap();
    assert_eq!(served, doc);
    let paths = keys(&doc["paths"]);
    assert_eq!(
        paths,
        [
            "/api/apps/ecpay/v1/create_order",
            "/api/apps/ecpay/v1/create_refund",
            "/api/apps/ecpay/v1/query_order",
            "/api/apps/ecpay/v1/query_refund",
            "/api/apps/qrcode",
            "/api/apps/v2/jscode2session",
            "/api/apps/v2/token",
            "/api/payments/alipay/notify",
        ]
    );
    let schema = |name: &str| doc["components"]["schemas"][name].clone();
    let example = |name: &str| {
        let text = schema(name)["example"].to_string();
        let secret = server.secrets[SHOP]["secret"].as_str().unwrap();
        serde_json::from_str::<Json>(&text.replace("APPSECRET", secret)).unwrap()
    };

    // token: the example works as it is, and answers the documented fields.
    let token = ok(request(&server.addr, "POST", "/api/apps/v2/token", Some(&example("TokenRequest")), &[]));
    assert_eq!(token["err_no"], 0, "{token}");
    assert_eq!(keys(&token), keys(&schema("TokenAnswer")["properties"]));
    assert_eq!(keys(&token["data"]), keys(&schema("TokenData")["properties"]));
    let access_token = token["data"]["access_token"].as_str().unwrap();

    // jscode2session: the example's placeholder code is refused in the documented shape.
    let traded = ok(request(
        &server.addr,
        "POST",
        "/api/apps/v2/jscode2session",
        Some(&example("Code2SessionRequest")),
        &[],
    ));
    assert_eq!(traded["err_no"], 40018, "{traded}");
    assert_eq!(keys(&traded), keys(&schema("Code2SessionAnswer")["properties"]));
    assert_eq!(
        keys(&schema("Code2SessionAnswer")["example"]["data"]),
        keys(&schema("Code2SessionData")["properties"])
    );

    // qrcode: the example with a real token draws a PNG; a bad width fails as documented.
    let mut qr = example("QrCodeRequest");
    qr["access_token"] = json!(access_token);
    let png = request(&server.addr, "POST", "/api/apps/qrcode", Some(&qr), &[]);
    assert!(png.head.to_lowercase().contains("content-type: image/png"), "{}", png.head);
    qr["width"] = json!(20);
    let refused = ok(request(&server.addr, "POST", "/api/apps/qrcode", Some(&qr), &[]));
    assert_eq!(keys(&refused), keys(&schema("QrCodeError")["properties"]));
    assert_eq!(refused["errcode"], schema("QrCodeError")["example"]["errcode"]);

    // Guaranteed pay. The examples as they are carry a placeholder sign: refused as documented.
    let post = |path: &str, body: &Json| ok(request(&server.addr, "POST", path, Some(body), &[]));
    let forged = post("/api/apps/ecpay/v1/create_order", &example("CreateOrderRequest"));
    assert_eq!(forged["err_no"], 40016, "{forged}");
    assert_eq!(keys(&forged), ["err_no", "err_tips"]);
    // Signed with the shop's payment salt they create an order…
    let salt = server.secrets[SHOP]["payment_salt"].as_str().unwrap().to_string();
    let signed = |name: &str| {
        let mut params = example(name).as_object().unwrap().clone();
        params.insert("sign".into(), json!(ecpay_sign(&params, &salt)));
        Json::Object(params)
    };
    let created = post("/api/apps/ecpay/v1/create_order", &signed("CreateOrderRequest"));
    assert_eq!(created["err_no"], 0, "{created}");
    assert_eq!(keys(&created), keys(&schema("CreateOrderAnswer")["properties"]));
    assert_eq!(keys(&created["data"]), keys(&schema("CreateOrderData")["properties"]));
    // …that a person pays in the host's cashier…
    let buyer = Client::sign_up(&server, "openapi-buyer", "openapi-buyer");
    let pay = json!({ "order_token": created["data"]["order_token"], "pin": SANDBOX_PIN });
    let order_id = created["data"]["order_id"].as_str().unwrap();
    assert_eq!(
        ok(buyer.call("POST", &format!("/api/cashier/{order_id}/pay"), Some(&pay)))["status"],
        "SUCCESS"
    );
    // …which queries as paid, refunds, and the refund queries, each in the documented shape.
    let queried = post("/api/apps/ecpay/v1/query_order", &signed("QueryOrderRequest"));
    assert_eq!(queried["payment_info"]["order_status"], "SUCCESS", "{queried}");
    assert_eq!(keys(&queried), keys(&schema("QueryOrderAnswer")["properties"]));
    assert_eq!(keys(&queried["payment_info"]), keys(&schema("PaymentInfo")["properties"]));
    assert_eq!(keys(&schema("QueryOrderAnswer")["example"]["payment_info"]), keys(&queried["payment_info"]));
    let refund = post("/api/apps/ecpay/v1/create_refund", &signed("CreateRefundRequest"));
    assert_eq!(refund["refund_status"], "SUCCESS", "{refund}");
    assert_eq!(keys(&refund), keys(&schema("CreateRefundAnswer")["properties"]));
    let refund = post("/api/apps/ecpay/v1/query_refund", &signed("QueryRefundRequest"));
    assert_eq!(
        refund["refundInfo"]["refund_amount"],
        example("CreateRefundRequest")["refund_amount"],
        "{refund}"
    );
    assert_eq!(keys(&refund), keys(&schema("QueryRefundAnswer")["properties"]));
    assert_eq!(keys(&refund["refundInfo"]), keys(&schema("RefundInfo")["properties"]));
    assert_eq!(keys(&schema("QueryRefundAnswer")["example"]["refundInfo"]), keys(&refund["refundInfo"]));

    // Alipay's notification: the example's signature is not Alipay's, so it fails as documented.
    let form: Vec<String> = example("AlipayNotification")
        .as_object()
        .unwrap()
        .iter()
        .map(|(key, value)| format!("{key}={}", value.as_str().unwrap().replace(' ', "+")))
        .collect();
    let refused = request_bytes(
        &server.addr,
        "POST",
        "/api/payments/alipay/notify",
        form.join("&").as_bytes(),
        "application/x-www-form-urlencoded",
        &[],
    );
    assert_eq!((refused.status, refused.body.as_slice()), (400, b"fail".as_slice()));
}
