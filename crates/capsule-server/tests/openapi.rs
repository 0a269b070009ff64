//! The open API's OpenAPI document: generated from the code, equal to the committed
//! `docs/openapi.json` (run with `CAPSULE_UPDATE_OPENAPI=1` to rewrite it after a change), served
//! at `/api/openapi.json`, and its examples, sent to a real server, answer in the documented
//! shapes.

mod support;

use serde_json::{Value as Json, json};
use support::{ok, request};

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
    assert_eq!(paths, ["/api/apps/qrcode", "/api/apps/v2/jscode2session", "/api/apps/v2/token"]);
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
}
