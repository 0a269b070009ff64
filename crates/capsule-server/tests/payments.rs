//! The guaranteed-pay open API over HTTP on each database: a developer's server creates an
//! order with its salt-signed parameters, forged and reused requests are refused, a host user
//! pays in the cashier with the sandbox PIN (a wrong PIN is refused), the server's worker posts
//! the signed callback to the developer's notify URL, and the order queries as paid and refunds.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

use capsule_platform::payments::sandbox::SANDBOX_PIN;
use capsule_platform::payments::sign::{ecpay_sign, msg_signature};
use serde_json::{Map, Value as Json, json};
use support::{Client, Publisher, ok, request, request_bytes};

/// A developer's notify endpoint on loopback: answers success and passes each body on.
fn notify_receiver() -> (String, mpsc::Receiver<Json>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/notify", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let _ = tx.send(serde_json::from_slice(&body).unwrap_or(Json::Null));
            let answer = r#"{"err_no":0,"err_tips":"success"}"#;
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    (url, rx)
}

#[test]
fn orders_are_created_paid_in_the_cashier_notified_and_refunded() {
    for backend in support::backends() {
        let server = support::start_on(backend);
        let (notify_url, notified) = notify_receiver();
        let publisher = Publisher::new(&server, "mugs");
        let created = ok(publisher.dev.call(
            "POST",
            &format!("/api/orgs/{}/apps", publisher.org),
            Some(&json!({ "name": "Mug Shop", "notify_url": notify_url })),
        ));
        let appid = created["appid"].as_str().unwrap().to_string();
        let salt = created["payment_salt"].as_str().unwrap().to_string();
        let signed = |params: Json| {
            let mut params: Map<String, Json> = params.as_object().unwrap().clone();
            params.insert("app_id".into(), json!(appid));
            params.insert("sign".into(), json!(ecpay_sign(&params, &salt)));
            Json::Object(params)
        };
        let call = |path: &str, body: Json| {
            request(&server.addr, "POST", &format!("/api/apps/ecpay/v1/{path}"), Some(&body), &[]).json()
        };
        let order_params = json!({
            "out_order_no": "W-1", "total_amount": 4990, "subject": "Two mugs", "body": "Blue and green",
            "valid_time": 900,
        });
        let answer = call("create_order", signed(order_params.clone()));
        assert_eq!(answer["err_no"], 0, "{backend:?}: {answer}");
        let order_id = answer["data"]["order_id"].as_str().unwrap().to_string();
        let order_token = answer["data"]["order_token"].as_str().unwrap().to_string();
        let mut forged = signed(order_params.clone());
        forged["total_amount"] = json!(1);
        let refused = call("create_order", forged);
        assert_eq!(refused["err_no"], 40016, "{refused}");
        assert!(refused["err_tips"].as_str().unwrap().contains("sign"));
        let mut reused = order_params.clone();
        reused["total_amount"] = json!(10);
        assert_eq!(call("create_order", signed(reused))["err_no"], 40021);
        assert_eq!(call("create_order", json!("not an object"))["err_no"], 40014);

        // The cashier shows the order to whoever has its token.
        let sheet = ok(request(
            &server.addr,
            "GET",
            &format!("/api/cashier/{order_id}?order_token={order_token}"),
            None,
            &[],
        ));
        assert_eq!(
            (sheet["merchant"].as_str(), sheet["total_amount"].as_i64()),
            (Some("Mug Shop"), Some(4990))
        );
        let wrong =
            request(&server.addr, "GET", &format!("/api/cashier/{order_id}?order_token=ot-x"), None, &[]);
        assert_eq!(wrong.status, 404);

        let buyer = Client::sign_up(&server, "buyer-device", "buyer");
        let pay = |pin: &str| {
            buyer.call(
                "POST",
                &format!("/api/cashier/{order_id}/pay"),
                Some(&json!({ "order_token": order_token, "pin": pin })),
            )
        };
        let bad_pin = pay("123456");
        assert_eq!(bad_pin.status, 422);
        assert!(String::from_utf8_lossy(&bad_pin.body).contains("PIN"));
        assert_eq!(ok(pay(SANDBOX_PIN))["status"], "SUCCESS");
        assert_eq!(pay(SANDBOX_PIN).status, 409);

        // Alipay's asynchronous notifications are checked with Alipay's key: a forged one is
        // refused (the sandbox's own, signed, is posted after each payment and accepted).
        let forged = format!(
            "app_id=2021000000000001&out_trade_no={order_id}&trade_no=1&trade_status=TRADE_SUCCESS\
             &total_amount=49.90&sign_type=RSA2&sign=Zm9yZ2Vk"
        );
        let refused = request_bytes(
            &server.addr,
            "POST",
            "/api/payments/alipay/notify",
            forged.as_bytes(),
            "application/x-www-form-urlencoded",
            &[],
        );
        assert_eq!((refused.status, refused.body.as_slice()), (400, b"fail".as_slice()));

        // The worker posts the signed callback to the developer's notify URL.
        let callback = notified.recv_timeout(Duration::from_secs(20)).expect("a payment callback");
        let field = |key: &str| callback[key].as_str().unwrap().to_string();
        assert_eq!(field("type"), "payment");
        assert_eq!(
            field("msg_signature"),
            msg_signature(&salt, &field("timestamp"), &field("nonce"), &field("msg"))
        );
        let msg: Json = serde_json::from_str(&field("msg")).unwrap();
        assert_eq!((msg["cp_orderno"].as_str(), msg["total_amount"].as_i64()), (Some("W-1"), Some(4990)));

        let queried = call("query_order", signed(json!({ "out_order_no": "W-1" })));
        assert_eq!(queried["payment_info"]["order_status"], "SUCCESS", "{queried}");
        assert_eq!(queried["payment_info"]["total_fee"], 4990);
        let refund = call(
            "create_refund",
            signed(
                json!({ "out_order_no": "W-1", "out_refund_no": "WR-1", "refund_amount": 990, "reason": "one broke" }),
            ),
        );
        assert_eq!(
            (refund["err_no"].as_i64(), refund["refund_status"].as_str()),
            (Some(0), Some("SUCCESS")),
            "{refund}"
        );
        let queried = call("query_refund", signed(json!({ "out_refund_no": "WR-1" })));
        assert_eq!(queried["refundInfo"]["refund_amount"], 990, "{queried}");
        let refund_callback = notified.recv_timeout(Duration::from_secs(20)).expect("a refund callback");
        assert_eq!(refund_callback["type"], "refund");
    }
}
