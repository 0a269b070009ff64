//! The platform's flows against real databases: every test runs on a fresh SQLite file and, when
//! `CAPSULE_TEST_POSTGRES` is set (as `.ci/run` sets it), on a fresh PostgreSQL database too.

use std::time::Duration;

mod support;

use capsule_platform::login::{
    ERR_BAD_ACCESS_TOKEN, ERR_BAD_ANONYMOUS_CODE, ERR_BAD_APPID, ERR_BAD_CODE, ERR_BAD_GRANT_TYPE,
    ERR_BAD_PARAMS, ERR_BAD_SECRET, ERR_RATE_LIMITED,
};
use capsule_platform::{AppSettings, Platform, PlatformError, Role, User};
use support::platforms;

fn settings(name: &str) -> AppSettings {
    AppSettings {
        name: name.into(),
        icon: "🛍️".into(),
        description: "A shop".into(),
        category: "Shopping".into(),
        keywords: vec!["shop".into(), " mug ".into(), "".into()],
        request_domains: vec!["https://api.example.com/".into()],
        notify_url: "http://127.0.0.1:9/notify".into(),
        allow_mount: true,
    }
}

async fn developer(platform: &Platform, name: &str) -> (User, String) {
    let user = platform.sign_up(name, "correct horse", "").await.unwrap();
    let org = platform.create_org(&user, &format!("{name}'s studio")).await.unwrap();
    (user, org.id)
}

#[tokio::test]
async fn accounts_sign_up_log_in_and_out() {
    for (test, platform) in platforms().await {
        let backend = test.backend();
        let user = platform.sign_up("Alice", "correct horse", "Alice L.").await.unwrap();
        assert_eq!((user.username.as_str(), user.display_name.as_str()), ("alice", "Alice L."));
        assert!(matches!(
            platform.sign_up("alice", "another one", "").await,
            Err(PlatformError::Conflict(_))
        ));
        assert!(matches!(platform.sign_up("a!", "correct horse", "").await, Err(PlatformError::Invalid(_))));
        assert!(matches!(platform.sign_up("bob", "short", "").await, Err(PlatformError::Invalid(_))));

        let wrong = platform.log_in("alice", "wrong horse", Some("d1")).await.unwrap_err();
        let unknown = platform.log_in("nobody", "correct horse", Some("d1")).await.unwrap_err();
        // The same answer, so a username cannot be probed.
        assert_eq!(wrong.to_string(), unknown.to_string(), "{backend:?}");
        assert!(matches!(wrong, PlatformError::Unauthorized(_)));

        let session = platform.log_in("ALICE", "correct horse", Some("d1")).await.unwrap();
        assert_eq!(session.user, user);
        let (found, csrf) = platform.session(&session.token).await.unwrap().expect("live session");
        assert_eq!((found.id.as_str(), csrf.as_str()), (user.id.as_str(), session.csrf_token.as_str()));
        assert_eq!(platform.user_on_device("d1").await.unwrap(), Some(user.clone()));
        assert_eq!(platform.user_on_device("d2").await.unwrap(), None);

        platform.log_out(&session.token).await.unwrap();
        assert!(platform.session(&session.token).await.unwrap().is_none());
        assert_eq!(platform.user_on_device("d1").await.unwrap(), None);

        // Sessions end on their own after their time.
        let session = platform.log_in("alice", "correct horse", None).await.unwrap();
        platform.advance_clock(platform.limits.user_session_ttl + Duration::from_secs(1));
        assert!(platform.session(&session.token).await.unwrap().is_none(), "{backend:?}");
    }
}

#[tokio::test]
async fn organisations_roles_and_app_secrets() {
    for (test, platform) in platforms().await {
        let backend = test.backend();
        let (owner, org) = developer(&platform, "owner").await;
        for name in ["dev", "ops", "outsider"] {
            platform.sign_up(name, "correct horse", "").await.unwrap();
        }
        let dev = platform.user_by_name("dev").await.unwrap();
        let op = platform.user_by_name("ops").await.unwrap();
        let outsider = platform.user_by_name("outsider").await.unwrap();
        platform.set_member(&owner, &org, "dev", Role::Developer).await.unwrap();
        platform.set_member(&owner, &org, "ops", Role::parse("reviewer").unwrap()).await.unwrap();
        assert!(matches!(
            platform.set_member(&dev, &org, "outsider", Role::Owner).await,
            Err(PlatformError::Forbidden(_))
        ));
        assert_eq!(platform.role_in(&op, &org).await.unwrap(), Some(Role::Operator));
        assert_eq!(platform.orgs_of(&dev).await.unwrap()[0].1, Role::Developer);

        let created = platform.create_app(&dev, &org, settings("Capsule Shop")).await.unwrap();
        let app = &created.app;
        assert!(app.appid.starts_with("tt") && app.appid.len() == 18, "{}", app.appid);
        assert_eq!(app.settings.keywords, ["shop", "mug"]);
        assert_eq!(app.settings.request_domains, ["https://api.example.com"]);
        assert_eq!(created.secret.len(), 40);
        assert_eq!(app.payment_salt.len(), 32);
        // The secret is shown once: the stored app never carries it.
        let stored = platform.app(&app.appid).await.unwrap();
        assert!(!serde_json::to_string(&stored).unwrap().contains(&created.secret));
        assert_eq!(&stored, app);
        assert!(platform.secret_matches(&app.appid, &created.secret).await.unwrap());

        let refused = platform.create_app(&op, &org, settings("Nope")).await.unwrap_err();
        assert!(refused.to_string().contains("operator"), "{refused}");
        assert!(matches!(
            platform.create_app(&outsider, &org, settings("Nope")).await,
            Err(PlatformError::Forbidden(_))
        ));
        let mut bad = settings("Bad");
        bad.request_domains = vec!["http://insecure.example.com".into()];
        let error = platform.create_app(&dev, &org, bad).await.unwrap_err();
        assert!(error.to_string().starts_with("request_domains"), "{error}");
        assert!(
            platform.create_app(&dev, &org, settings("")).await.unwrap_err().to_string().starts_with("name")
        );

        // Only owners reset the secret; the old one stops working.
        assert!(matches!(platform.reset_secret(&dev, &app.appid).await, Err(PlatformError::Forbidden(_))));
        let fresh = platform.reset_secret(&owner, &app.appid).await.unwrap();
        assert!(!platform.secret_matches(&app.appid, &created.secret).await.unwrap(), "{backend:?}");
        assert!(platform.secret_matches(&app.appid, &fresh).await.unwrap());

        let mut renamed = settings("Capsule Shop 2");
        renamed.allow_mount = false;
        let updated = platform.update_app(&dev, &app.appid, renamed).await.unwrap();
        assert_eq!(platform.app(&app.appid).await.unwrap(), updated);
        assert_eq!(platform.apps_of_org(&org).await.unwrap().len(), 1);

        // A platform admin may act in any organisation.
        let admin = platform.make_admin("outsider").await.unwrap();
        platform.create_app(&admin, &org, settings("By admin")).await.unwrap();
    }
}

#[tokio::test]
async fn login_codes_trade_for_ids_once() {
    for (test, mut platform) in platforms().await {
        let backend = test.backend();
        let (dev, org) = developer(&platform, "dev").await;
        let shop = platform.create_app(&dev, &org, settings("Shop")).await.unwrap();
        let tickets = platform.create_app(&dev, &org, settings("Tickets")).await.unwrap();
        let user = platform.sign_up("viewer", "correct horse", "").await.unwrap();
        let (appid, secret) = (shop.app.appid.as_str(), shop.secret.as_str());

        let codes = platform.issue_login_codes(appid, Some(&user), Some("device-1"), "douyin").await.unwrap();
        assert!(codes.is_login);
        let (code, anonymous) = (codes.code.unwrap(), codes.anonymous_code.unwrap());
        let session = platform.code2session(appid, secret, Some(&code), Some(&anonymous)).await.unwrap();
        assert!(session.openid.starts_with("_000") && !session.openid.contains(&user.id));
        assert!(session.anonymous_openid.starts_with("_001"));
        assert_eq!(session.session_key.len(), 32);
        assert!(!session.unionid.is_empty());

        // Single use, with a reason that says so.
        let again = platform.code2session(appid, secret, Some(&code), None).await.unwrap_err();
        assert_eq!(again.err_no, ERR_BAD_CODE, "{backend:?}");
        assert!(again.err_tips.contains("already been used"), "{}", again.err_tips);
        let again = platform.code2session(appid, secret, None, Some(&anonymous)).await.unwrap_err();
        assert_eq!(again.err_no, ERR_BAD_ANONYMOUS_CODE);

        // Stable ids: same user, same app, a later login.
        let later = platform.issue_login_codes(appid, Some(&user), None, "douyin").await.unwrap();
        assert_eq!(later.anonymous_code, None);
        let later = platform.code2session(appid, secret, later.code.as_deref(), None).await.unwrap();
        assert_eq!(
            (later.openid.as_str(), later.unionid.as_str()),
            (session.openid.as_str(), session.unionid.as_str())
        );
        assert_eq!(later.anonymous_openid, "");
        assert_ne!(later.session_key, session.session_key);

        // Another app of the same organisation: another openid, the same unionid in the same
        // host app; another host app: another unionid.
        let other =
            platform.issue_login_codes(&tickets.app.appid, Some(&user), None, "douyin").await.unwrap();
        let other = platform
            .code2session(&tickets.app.appid, &tickets.secret, other.code.as_deref(), None)
            .await
            .unwrap();
        assert_ne!(other.openid, session.openid);
        assert_eq!(other.unionid, session.unionid);
        let toutiao = platform.issue_login_codes(appid, Some(&user), None, "toutiao").await.unwrap();
        let toutiao = platform.code2session(appid, secret, toutiao.code.as_deref(), None).await.unwrap();
        assert_eq!(toutiao.openid, session.openid);
        assert_ne!(toutiao.unionid, session.unionid);

        // Not logged in: only an anonymous code.
        let visitor = platform.issue_login_codes(appid, None, Some("device-2"), "douyin").await.unwrap();
        assert!(!visitor.is_login && visitor.code.is_none());
        let visitor =
            platform.code2session(appid, secret, None, visitor.anonymous_code.as_deref()).await.unwrap();
        assert_eq!(visitor.openid, "");
        assert_ne!(visitor.anonymous_openid, session.anonymous_openid);
        assert!(platform.issue_login_codes(appid, None, None, "wechat").await.is_err());

        // Wrong secret, unknown app, missing code, a code of another app, an expired code.
        let fresh =
            platform.issue_login_codes(appid, Some(&user), None, "douyin").await.unwrap().code.unwrap();
        let e = platform.code2session(appid, "not-the-secret", Some(&fresh), None).await.unwrap_err();
        assert_eq!(e.err_no, ERR_BAD_SECRET);
        let e = platform.code2session("tt-nope", secret, Some(&fresh), None).await.unwrap_err();
        assert_eq!(e.err_no, ERR_BAD_APPID);
        let e = platform.code2session(appid, secret, None, Some("")).await.unwrap_err();
        assert_eq!(e.err_no, ERR_BAD_PARAMS);
        let e =
            platform.code2session(&tickets.app.appid, &tickets.secret, Some(&fresh), None).await.unwrap_err();
        assert!(e.err_no == ERR_BAD_CODE && e.err_tips.contains("not issued to this app"), "{e}");
        platform.advance_clock(Duration::from_secs(5 * 60 + 1));
        let e = platform.code2session(appid, secret, Some(&fresh), None).await.unwrap_err();
        assert!(e.err_no == ERR_BAD_CODE && e.err_tips.contains("expired"), "{e}");
        let e = platform.code2session(appid, secret, Some("made-up"), None).await.unwrap_err();
        assert!(e.err_no == ERR_BAD_CODE && e.err_tips.contains("no such"), "{e}");

        // Too many calls in a minute.
        platform.advance_clock(Duration::from_secs(60));
        platform.limits.code2session_per_minute = 2;
        for _ in 0..2 {
            let e = platform.code2session(appid, secret, Some("made-up"), None).await.unwrap_err();
            assert_eq!(e.err_no, ERR_BAD_CODE);
        }
        let e = platform.code2session(appid, secret, Some("made-up"), None).await.unwrap_err();
        assert_eq!(e.err_no, ERR_RATE_LIMITED, "{backend:?}");
        platform.advance_clock(Duration::from_secs(60));
        let e = platform.code2session(appid, secret, Some("made-up"), None).await.unwrap_err();
        assert_eq!(e.err_no, ERR_BAD_CODE);
    }
}

#[tokio::test]
async fn access_tokens_last_two_hours() {
    for (_test, platform) in platforms().await {
        let (dev, org) = developer(&platform, "dev").await;
        let shop = platform.create_app(&dev, &org, settings("Shop")).await.unwrap();
        let appid = shop.app.appid.as_str();
        let e = platform.access_token(appid, &shop.secret, "authorization_code").await.unwrap_err();
        assert_eq!(e.err_no, ERR_BAD_GRANT_TYPE);
        let e = platform.access_token(appid, "wrong", "client_credential").await.unwrap_err();
        assert_eq!(e.err_no, ERR_BAD_SECRET);
        let (token, expires_in) =
            platform.access_token(appid, &shop.secret, "client_credential").await.unwrap();
        assert_eq!(expires_in, 7200);
        assert_eq!(platform.app_of_token(&token).await.unwrap().appid, appid);
        assert_eq!(platform.app_of_token("clt.forged").await.unwrap_err().err_no, ERR_BAD_ACCESS_TOKEN);
        platform.advance_clock(Duration::from_secs(7201));
        assert_eq!(platform.app_of_token(&token).await.unwrap_err().err_no, ERR_BAD_ACCESS_TOKEN);
    }
}
