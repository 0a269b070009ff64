//! The open API's QR codes: a developer's server gets an access token, asks for a code of a
//! page, and the PNG (or SVG) it gets holds the platform link that lands on a page naming the
//! app and opening it at that page in the host; bad tokens and parameters are refused.

mod support;

use serde_json::{Value as Json, json};
use support::request;

const SHOP: &str = "tt0000000000shop";

/// The text of the QR code in a PNG.
fn decode_png(bytes: &[u8]) -> String {
    let (width, height, luma) = support::png_luma(bytes);
    capsule_platform::qr::decode_luma(width, height, &luma).expect("a QR code in the image")
}

#[test]
fn qr_codes_hold_a_link_that_lands_on_the_app_and_opens_the_page() {
    let server = support::start();
    let token = support::access_token(&server, SHOP);

    let ask = |body: Json| request(&server.addr, "POST", "/api/apps/qrcode", Some(&body), &[]);
    let png = ask(json!({
        "access_token": token, "appname": "toutiao", "path": "pages%2Fdetail%2Fdetail%3Fid%3D3",
        "width": 300, "line_color": { "r": 20, "g": 20, "b": 120 }, "background": { "r": 255, "g": 250, "b": 240 },
        "set_icon": true,
    }));
    assert_eq!(png.status, 200);
    assert!(png.head.to_lowercase().contains("content-type: image/png"), "{}", png.head);
    let link = decode_png(&png.body);
    let expected =
        format!("http://{}/s/{SHOP}?host=toutiao&path=pages/detail/detail&query=id%3D3", server.addr);
    assert_eq!(link, expected);

    // The link, reached from an ordinary browser: the app's name and icon, and a way in.
    let landing =
        request(&server.addr, "GET", link.trim_start_matches(&format!("http://{}", server.addr)), None, &[]);
    assert_eq!(landing.status, 200);
    let page = String::from_utf8(landing.body).unwrap();
    assert!(page.contains("<h1>Capsule Shop</h1>") && page.contains("🛍️"), "{page}");
    assert!(page.contains("Open in Toutiao"), "{page}");
    assert!(
        page.contains(
            "href=\"/toutiao/?appid=tt0000000000shop&amp;path=pages/detail/detail&amp;query=id%3D3\""
        ),
        "{page}"
    );
    assert!(!page.contains("Open in Douyin"), "{page}");
    // A code for every host offers each.
    let everywhere = request(&server.addr, "GET", &format!("/s/{SHOP}?host=all"), None, &[]);
    let page = String::from_utf8(everywhere.body).unwrap();
    assert!(page.contains("href=\"/?appid=tt0000000000shop\">Open in Douyin</a>"), "{page}");
    assert!(page.contains("href=\"/toutiao/?appid=tt0000000000shop\">Open in Toutiao</a>"), "{page}");

    let svg = ask(json!({ "access_token": token, "path": "pages%2Findex%2Findex", "format": "svg" }));
    assert!(svg.head.to_lowercase().contains("content-type: image/svg+xml"));
    assert!(String::from_utf8(svg.body).unwrap().starts_with("<svg"));

    let refused = |body: Json, errcode: i64, says: &str| {
        let answer = ask(body).json();
        assert_eq!(answer["errcode"], errcode, "{answer}");
        assert!(answer["errmsg"].as_str().unwrap().contains(says), "{answer}");
    };
    refused(json!({ "access_token": "clt.forged", "path": "" }), 40002, "access_token");
    refused(json!({ "access_token": token, "width": 20 }), 40014, "width");
    refused(json!({ "access_token": token, "appname": "wechat" }), 40014, "appname");
    refused(json!({ "access_token": token, "line_color": "red" }), 40014, "line_color");
    refused(json!({ "access_token": token, "path": "%zz" }), 40014, "path");
    assert_eq!(request(&server.addr, "GET", "/s/tt-unknown", None, &[]).status, 404);
}
