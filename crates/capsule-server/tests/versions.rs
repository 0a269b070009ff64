//! Versions over HTTP on each database: a developer uploads (the checks report per page), a
//! reviewer rejects with a reason and then approves, the owner releases, the host opens the
//! release after verifying it, refuses a package altered in the store, rolls back and
//! unpublishes.

mod support;

use std::path::Path;

use serde_json::json;
use support::{Client, Publisher, Server, ok, one_page_package as package};

fn open(server: &Server, appid: &str) -> support::Answer {
    support::request(
        &server.addr,
        "POST",
        "/api/sessions",
        Some(&json!({ "appid": appid })),
        &[("Cookie", "capsule_device=visitor")],
    )
}

fn stored_package(folder: &Path, sha256: &str) -> std::path::PathBuf {
    folder.join("packages/packages").join(&sha256[..2]).join(format!("{sha256}.capsule"))
}

#[test]
fn upload_review_release_verify_rollback_and_unpublish() {
    for backend in support::backends() {
        let server = support::start_on(backend);
        let Publisher { dev, reviewer, org } = Publisher::new(&server, "mug");
        let members = ok(dev.call("GET", &format!("/api/orgs/{org}/members"), None))["members"].clone();
        let listed: Vec<(&str, &str)> = members
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["username"].as_str().unwrap(), m["role"].as_str().unwrap()))
            .collect();
        assert_eq!(listed, [("mug-dev", "owner"), ("mug-rev", "operator")], "{backend:?}");
        let stranger = Client::sign_up(&server, "d3", "stranger");
        assert_eq!(stranger.call("GET", &format!("/api/orgs/{org}/members"), None).status, 403);
        let app = ok(dev.call(
            "POST",
            &format!("/api/orgs/{org}/apps"),
            Some(&json!({ "name": "Mugs", "icon": "☕" })),
        ));
        let appid = app["appid"].as_str().unwrap().to_string();
        let versions = format!("/api/console/apps/{appid}/versions");

        let v1 =
            ok(dev
                .send(&format!("{versions}?version=1.0.0&description=first"), &package("Blue mugs", false)));
        assert_eq!(v1["status"], "checked", "{backend:?} {v1}");
        assert_eq!(v1["checks"]["pages"][0]["route"], "pages/index/index");
        assert_eq!(v1["checks"]["pages"][0]["passed"], true);
        let v1_id = v1["id"].as_str().unwrap().to_string();

        let broken = ok(dev.send(&format!("{versions}?version=1.0.1"), &package("Blue mugs", true)));
        assert_eq!(broken["status"], "check_failed");
        assert_eq!(broken["checks"]["pages"][0]["passed"], false);
        assert!(broken["checks"]["pages"][0]["errors"][0].as_str().unwrap().contains("null"), "{broken}");
        let no_label = dev.send(&versions, b"whatever");
        assert_eq!(no_label.status, 400);

        // Not published yet.
        assert_eq!(open(&server, &appid).status, 404);

        ok(dev.call("POST", &format!("{versions}/{v1_id}/submit"), None));
        let self_review =
            dev.call("POST", &format!("{versions}/{v1_id}/review"), Some(&json!({ "approve": true })));
        assert_eq!(self_review.status, 403);
        let rejected = ok(reviewer.call(
            "POST",
            &format!("{versions}/{v1_id}/review"),
            Some(&json!({ "approve": false, "reason": "The page needs a price" })),
        ));
        assert_eq!(
            (rejected["status"].as_str(), rejected["review_reason"].as_str()),
            (Some("rejected"), Some("The page needs a price"))
        );
        ok(dev.call("POST", &format!("{versions}/{v1_id}/submit"), None));
        ok(reviewer.call("POST", &format!("{versions}/{v1_id}/review"), Some(&json!({ "approve": true }))));
        let released = ok(dev.call("POST", &format!("{versions}/{v1_id}/release"), Some(&json!({}))));
        assert_eq!(released["status"], "released");

        let opened = ok(open(&server, &appid));
        assert!(opened["html"].as_str().unwrap().contains("Blue mugs"), "{opened}");
        assert_eq!(opened["config"]["version"], "1.0.0");
        let listed = ok(support::request(&server.addr, "GET", "/api/miniapps", None, &[]));
        assert!(listed["all"].as_array().unwrap().iter().any(|a| a["appid"] == appid.as_str()));

        // Version 2, altered in the store after the platform signed it: the host refuses it.
        let v2 = ok(dev.send(&format!("{versions}?version=2.0.0"), &package("Red mugs", false)));
        let v2_id = v2["id"].as_str().unwrap().to_string();
        ok(dev.call("POST", &format!("{versions}/{v2_id}/submit"), None));
        ok(reviewer.call("POST", &format!("{versions}/{v2_id}/review"), Some(&json!({ "approve": true }))));
        ok(dev.call("POST", &format!("{versions}/{v2_id}/release"), Some(&json!({ "percent": 100 }))));
        let file = stored_package(&server.folder, v2["package_sha256"].as_str().unwrap());
        let mut bytes = std::fs::read(&file).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0x20;
        std::fs::write(&file, bytes).unwrap();
        let refused = open(&server, &appid);
        assert_eq!(refused.status, 422);
        let message = refused.json()["error"].as_str().unwrap().to_string();
        assert!(message.contains("Mugs 2.0.0 cannot run") && message.contains("altered"), "{message}");

        // Roll back to 1.0.0, then take the app down.
        ok(dev.call("POST", &format!("{versions}/{v1_id}/rollback"), None));
        assert!(ok(open(&server, &appid))["html"].as_str().unwrap().contains("Blue mugs"));
        let channels = ok(dev.call("GET", &format!("/api/console/apps/{appid}/channels"), None));
        let release = channels["channels"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["channel"] == "release")
            .unwrap()
            .clone();
        assert_eq!(release["version_id"], v1_id.as_str());
        ok(dev.call("POST", &format!("/api/console/apps/{appid}/unpublish"), None));
        assert_eq!(open(&server, &appid).status, 404);
        let listed = ok(support::request(&server.addr, "GET", "/api/miniapps", None, &[]));
        assert!(!listed["all"].as_array().unwrap().iter().any(|a| a["appid"] == appid.as_str()));

        let key = ok(support::request(&server.addr, "GET", "/api/platform/release-key", None, &[]));
        assert_eq!(key["public_key"].as_str().unwrap().len(), 64);
    }
}
