//! The open API's QR codes: a developer's server gets an access token, asks for a code of a
//! page, and the PNG (or SVG) it gets holds the platform link that lands on a page naming the
//! app and opening it at that page in the host; bad tokens and parameters are refused.

mod support;

use serde_json::{Value as Json, json};
use support::{Publisher, ok, request};

const SHOP: &str = "tt0000000000shop";
const SHOP_ICON: &[u8] = include_bytes!("../../../web/media/shop-icon.png");

fn rgb_at(rgb: &[u8], side: usize, x: usize, y: usize) -> [u8; 3] {
    let at = (y * side + x) * 3;
    [rgb[at], rgb[at + 1], rgb[at + 2]]
}

/// A `side`-pixel square PNG in one colour.
fn solid_png(side: u32, color: [u8; 3]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(&color.repeat((side * side) as usize)).unwrap();
    writer.finish().unwrap();
    out
}

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
    let shop_icon = format!("/icons/{}.png", capsule_package::sha256_hex(SHOP_ICON));
    assert!(page.contains("<h1>Capsule Shop</h1>"), "{page}");
    assert!(page.contains(&format!("src=\"{shop_icon}\" alt=\"Capsule Shop icon\"")), "{page}");
    let icon = request(&server.addr, "GET", &shop_icon, None, &[]);
    assert_eq!((icon.status, icon.body.as_slice()), (200, SHOP_ICON));
    assert!(icon.head.to_lowercase().contains("content-type: image/png"), "{}", icon.head);
    // The icon is drawn in the middle of the code: colours that are neither module nor background.
    let (side, _, rgb) = support::png_rgb(&png.body);
    let middle = rgb_at(&rgb, side, side / 2, side / 2);
    assert!(middle != [20, 20, 120] && middle != [255, 250, 240], "{middle:?}");
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

#[test]
fn apps_upload_a_png_icon_that_their_codes_and_pages_show() {
    let server = support::start();
    let publisher = Publisher::new(&server, "iconic");
    let created = ok(publisher.dev.call(
        "POST",
        &format!("/api/orgs/{}/apps", publisher.org),
        Some(&json!({ "name": "Red Kite", "icon": "🪁" })),
    ));
    let appid = created["appid"].as_str().unwrap();
    let icon_path = format!("/api/console/apps/{appid}/icon");

    // What is not a PNG, or is too small, is refused and the emoji stays.
    let refused = publisher.dev.send_as("PUT", &icon_path, b"GIF89a not a png");
    assert_eq!(refused.status, 400);
    assert!(String::from_utf8_lossy(&refused.body).contains("not a PNG"));
    let tiny = publisher.dev.send_as("PUT", &icon_path, &solid_png(8, [0, 0, 0]));
    assert!(String::from_utf8_lossy(&tiny.body).contains("16 to 1024"), "{}", tiny.status);
    // Reviewers do not change apps.
    assert_eq!(publisher.reviewer.send_as("PUT", &icon_path, &solid_png(64, [200, 30, 40])).status, 403);
    let shown = ok(publisher.dev.call("GET", &format!("/api/console/apps/{appid}"), None));
    assert_eq!(shown["icon"], "🪁", "{shown}");

    let red = solid_png(64, [200, 30, 40]);
    let uploaded = ok(publisher.dev.send_as("PUT", &icon_path, &red));
    let url = format!("/icons/{}.png", capsule_package::sha256_hex(&red));
    assert_eq!(uploaded["icon"], url.as_str(), "{uploaded}");
    assert_eq!(request(&server.addr, "GET", &url, None, &[]).body, red);
    assert_eq!(request(&server.addr, "GET", "/icons/..%2F..%2Fsecrets.png", None, &[]).status, 404);

    // The open API's code has the icon in its middle and still reads.
    let secret = created["secret"].as_str().unwrap();
    let token = ok(request(
        &server.addr,
        "POST",
        "/api/apps/v2/token",
        Some(&json!({ "appid": appid, "secret": secret, "grant_type": "client_credential" })),
        &[],
    ))["data"]["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let png = request(
        &server.addr,
        "POST",
        "/api/apps/qrcode",
        Some(&json!({ "access_token": token, "path": "", "set_icon": true })),
        &[],
    );
    let (side, _, rgb) = support::png_rgb(&png.body);
    assert_eq!(rgb_at(&rgb, side, side / 2, side / 2), [200, 30, 40]);
    assert!(decode_png(&png.body).contains(&format!("/s/{appid}?host=douyin")));
    // So has the share sheet's code.
    let share = request(&server.addr, "GET", &format!("/api/share-code?appid={appid}"), None, &[]);
    assert!(String::from_utf8_lossy(&share.body).contains("<image"), "{}", share.status);
}
