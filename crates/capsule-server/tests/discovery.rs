//! Discovery over HTTP on each database: videos posted with a mini-program anchor (allowed
//! only when the app lets creators mount it, only on a page it has), the feed, Chinese
//! full-text search over apps (with their pages' text) and videos, unpublishing taking an app
//! out of search and its anchors off the feed, the entrance's recently used and popular lists,
//! the two host profiles running the same release, share codes and scanning them.

mod support;

use serde_json::{Value as Json, json};
use support::{Client, Publisher, ok, request, request_bytes};

const SHOP: &str = "tt0000000000shop";
const TICKETS: &str = "tt00000000ticket";

fn video_bytes() -> Vec<u8> {
    std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../web/media/city-walk.mp4")).unwrap()
}

fn search(server: &support::Server, q: &str) -> Json {
    let path = format!("/api/search?q={}", capsule_server::host_app::encode(q));
    ok(request(&server.addr, "GET", &path, None, &[]))
}

fn appids(list: &Json) -> Vec<&str> {
    list.as_array().unwrap().iter().map(|app| app["appid"].as_str().unwrap()).collect()
}

#[test]
fn videos_with_anchors_search_and_unpublishing() {
    for backend in support::backends() {
        let server = support::start_on(backend);
        let publisher = Publisher::new(&server, "takeout");
        let appid = publisher.create_app(json!({
            "name": "美团外卖", "icon": "🥡", "description": "美食外卖，半小时送到家",
            "category": "生活服务", "keywords": ["外卖", "美食"], "allow_mount": true,
        }));
        publisher.release(&appid, "1.0.0", &support::one_page_package("今日特价 Dumplings 饺子", false));

        // Chinese words, English words from the pages' text; apps before videos.
        let found = search(&server, "外卖");
        assert_eq!(appids(&found["miniapps"]), [appid.as_str()], "{backend:?} {found}");
        assert_eq!(appids(&search(&server, "dumplings")["miniapps"]), [appid.as_str()]);
        assert_eq!(appids(&search(&server, "饺子")["miniapps"]), [appid.as_str()]);
        assert_eq!(appids(&search(&server, "tea")["miniapps"]), [SHOP]);
        assert!(search(&server, "火车票")["miniapps"].as_array().unwrap().is_empty());

        // A host user posts a video mounting the app.
        let creator = Client::sign_up(&server, "creator-phone", "creator");
        let post = |query: &str, body: &[u8]| {
            request_bytes(
                &server.addr,
                "POST",
                &format!("/api/videos?{query}"),
                body,
                "video/mp4",
                &[("Cookie", &creator.cookie), ("x-csrf-token", &creator.csrf)],
            )
        };
        let caption = capsule_server::host_app::encode("午饭吃什么？外卖到了");
        let title = capsule_server::host_app::encode("点外卖");
        let posted = ok(post(
            &format!(
                "caption={caption}&appid={appid}&path=pages/index/index&query=from%3Dvideo&title={title}"
            ),
            &video_bytes(),
        ));
        assert_eq!(posted["author"], "@creator");
        assert_eq!(posted["anchor"]["name"], "美团外卖");
        let feed = ok(request(&server.addr, "GET", "/api/feed", None, &[]));
        let first = &feed["videos"][0];
        assert_eq!(
            (first["id"].clone(), first["anchor"]["query"].clone()),
            (posted["id"].clone(), json!("from=video"))
        );
        let media = request(&server.addr, "GET", first["src"].as_str().unwrap(), None, &[]);
        assert_eq!(media.status, 200);
        assert!(media.head.contains("video/mp4"));
        assert_eq!(media.body, video_bytes());
        let videos = search(&server, "午饭")["videos"].clone();
        assert_eq!(videos[0]["id"], posted["id"], "{videos}");

        // Refused: not a video, no such page, a missing title, not logged in, and an app that
        // does not allow mounting. Nothing is posted.
        let refused = post("caption=x", b"<html>not a video</html>");
        assert_eq!(refused.status, 400);
        assert!(refused.json()["error"].as_str().unwrap().contains("not an MP4 or WebM"));
        let no_page = post(&format!("caption=x&appid={appid}&path=pages/nope/nope&title=Go"), &video_bytes());
        assert_eq!(no_page.status, 400);
        assert!(no_page.json()["error"].as_str().unwrap().contains("no page"), "{}", no_page.json());
        assert_eq!(post(&format!("caption=x&appid={appid}"), &video_bytes()).status, 400);
        let anonymous =
            request_bytes(&server.addr, "POST", "/api/videos?caption=x", &video_bytes(), "video/mp4", &[]);
        assert_eq!(anonymous.status, 401);
        ok(publisher.dev.call(
            "PUT",
            &format!("/api/console/apps/{appid}"),
            Some(&json!({ "name": "美团外卖", "icon": "🥡", "description": "美食外卖，半小时送到家",
                          "category": "生活服务", "keywords": ["外卖", "美食"], "allow_mount": false })),
        ));
        let not_allowed = post(&format!("caption=x&appid={appid}&title=Go"), &video_bytes());
        assert_eq!(not_allowed.status, 403);
        assert!(not_allowed.json()["error"].as_str().unwrap().contains("does not allow mounting"));
        let count =
            ok(request(&server.addr, "GET", "/api/feed", None, &[]))["videos"].as_array().unwrap().len();
        assert_eq!(count, 7, "six demo videos and the one posted");

        // Unpublished: out of search, its anchor off the feed.
        ok(publisher.dev.call("POST", &format!("/api/console/apps/{appid}/unpublish"), None));
        assert!(search(&server, "外卖")["miniapps"].as_array().unwrap().is_empty());
        let feed = ok(request(&server.addr, "GET", "/api/feed", None, &[]));
        assert_eq!(feed["videos"][0]["anchor"], Json::Null);
    }
}

#[test]
fn the_entrance_lists_recently_used_per_person_and_popular_apps() {
    for backend in support::backends() {
        let server = support::start_on(backend);
        let open = |device: &str, appid: &str| {
            let cookie = format!("capsule_device={device}");
            ok(request(
                &server.addr,
                "POST",
                "/api/sessions",
                Some(&json!({ "appid": appid })),
                &[("Cookie", &cookie)],
            ));
        };
        open("phone-a", SHOP);
        open("phone-a", TICKETS);
        open("phone-b", TICKETS);
        open("phone-c", TICKETS);
        let entrance = |device: &str| {
            ok(request(
                &server.addr,
                "GET",
                "/api/miniapps",
                None,
                &[("Cookie", &format!("capsule_device={device}"))],
            ))
        };
        let a = entrance("phone-a");
        assert_eq!(appids(&a["recent"]), [TICKETS, SHOP], "{backend:?}");
        assert_eq!(appids(&a["popular"]), [TICKETS, SHOP]);
        assert_eq!(appids(&entrance("phone-b")["recent"]), [TICKETS]);
        assert!(entrance("phone-new")["recent"].as_array().unwrap().is_empty());
        open("phone-b", SHOP);
        open("phone-c", SHOP);
        open("phone-c", SHOP);
        // Three people opened each now; people count, not opens.
        assert_eq!(appids(&entrance("phone-c")["popular"]), [SHOP, TICKETS]);
        assert_eq!(appids(&entrance("phone-c")["recent"]), [SHOP, TICKETS]);
    }
}

#[test]
fn both_host_profiles_run_the_same_release() {
    let server = support::start();
    let douyin = request(&server.addr, "GET", "/", None, &[]);
    let toutiao = request(&server.addr, "GET", "/toutiao/", None, &[]);
    let page = String::from_utf8(toutiao.body).unwrap();
    assert!(
        page.contains("data-host=\"toutiao\"") && page.contains("<title>Toutiao · Capsule</title>"),
        "{page}"
    );
    assert!(String::from_utf8(douyin.body).unwrap().contains("data-host=\"douyin\""));
    let open = |host: &str| {
        ok(request(
            &server.addr,
            "POST",
            "/api/sessions",
            Some(&json!({ "appid": SHOP, "host": host })),
            &[("Cookie", "capsule_device=d")],
        ))
    };
    let (in_douyin, in_toutiao) = (open("douyin"), open("toutiao"));
    assert_eq!(in_douyin["html"], in_toutiao["html"]);
    assert_eq!(in_douyin["config"]["version"], in_toutiao["config"]["version"]);
    let unknown = request(
        &server.addr,
        "POST",
        "/api/sessions",
        Some(&json!({ "appid": SHOP, "host": "wechat" })),
        &[],
    );
    assert_eq!(unknown.status, 400);
    assert!(unknown.json()["error"].as_str().unwrap().contains("unknown host app"));
}

#[test]
fn share_codes_scan_back_to_the_page_in_the_host_that_shared_it() {
    let server = support::start();
    let shared = request(
        &server.addr,
        "GET",
        "/api/share-code?appid=tt0000000000shop&path=packageProduct/pages/detail/detail&query=id%3Dp3&host=toutiao",
        None,
        &[],
    );
    assert_eq!(shared.status, 200);
    assert!(shared.head.to_ascii_lowercase().contains("content-type: image/svg+xml"));
    let link =
        shared.head.lines().find_map(|line| line.strip_prefix("x-share-link: ")).unwrap().trim().to_string();
    assert_eq!(
        link,
        format!(
            "http://{}/s/{SHOP}?host=toutiao&path=packageProduct/pages/detail/detail&query=id%3Dp3",
            server.addr
        )
    );

    // The open API's PNG of the same page, scanned as the browser sends a picture: luminance.
    let token = support::access_token(&server, SHOP);
    let png = request(
        &server.addr,
        "POST",
        "/api/apps/qrcode",
        Some(&json!({ "access_token": token, "appname": "toutiao",
                      "path": "packageProduct%2Fpages%2Fdetail%2Fdetail%3Fid%3Dp3" })),
        &[],
    );
    let (width, height, luma) = support::png_luma(&png.body);
    let scan = |query: &str, body: &[u8]| {
        request_bytes(
            &server.addr,
            "POST",
            &format!("/api/scan?{query}"),
            body,
            "application/octet-stream",
            &[],
        )
    };
    let scanned = ok(scan(&format!("width={width}&height={height}"), &luma));
    assert_eq!(scanned["scanType"], "QR_CODE");
    assert_eq!(
        scanned["target"],
        json!({ "appid": SHOP, "path": "packageProduct/pages/detail/detail", "query": "id=p3", "host": "toutiao" })
    );
    assert!(scanned["result"].as_str().unwrap().ends_with(&link[link.find("/s/").unwrap()..]));

    // A host share link scans to its page too; other text has no target.
    assert_eq!(
        capsule_server::host_app::target_of("http://x/toutiao/?appid=tt1&path=pages%2Fa%2Fa"),
        json!({ "appid": "tt1", "path": "pages/a/a", "query": "", "host": "toutiao" })
    );
    assert_eq!(capsule_server::host_app::target_of("hello"), Json::Null);
    assert_eq!(capsule_server::host_app::target_of("https://example.com/other?appid=tt1"), Json::Null);

    // No code in the picture, or the wrong number of bytes: clear errors.
    let blank = scan("width=64&height=64", &[255; 64 * 64]);
    assert_eq!(blank.status, 422);
    assert!(blank.json()["error"].as_str().unwrap().contains("no QR code"));
    assert_eq!(scan("width=64&height=64", &[255; 10]).status, 400);
    assert_eq!(scan("", &[]).status, 400);
}
