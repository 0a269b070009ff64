//! Versions from upload to release against real databases: automatic checks per page, review,
//! signed release, gray release stable per user, rollback, channels, unpublishing, and a
//! tampered package refused.

mod support;

use capsule_platform::{
    Actor, AppSettings, Channel, PackageStore, Platform, PlatformError, Role, User, VersionStatus,
};
use support::{platforms, project};

struct Fixture {
    platform: Platform,
    store: PackageStore,
    owner: User,
    reviewer: User,
    appid: String,
    _folder: tempfile::TempDir,
}

async fn fixture(platform: Platform) -> Fixture {
    let folder = tempfile::tempdir().unwrap();
    let store = PackageStore::local(&folder.path().join("store")).unwrap();
    let owner = platform.sign_up("owner", "correct horse", "").await.unwrap();
    let reviewer = platform.sign_up("reviewer", "correct horse", "").await.unwrap();
    let org = platform.create_org(&owner, "Studio").await.unwrap();
    platform.set_member(&owner, &org.id, "reviewer", Role::Operator).await.unwrap();
    let settings = AppSettings { name: "Mugs".into(), ..AppSettings::default() };
    let appid = platform.create_app(&owner, &org.id, settings).await.unwrap().app.appid;
    Fixture { platform, store, owner, reviewer, appid, _folder: folder }
}

impl Fixture {
    async fn upload(&self, label: &str, title: &str, broken: bool) -> capsule_platform::Version {
        let dir = tempfile::tempdir().unwrap();
        let package = project(dir.path(), title, broken);
        self.platform
            .upload_version(Actor::User(&self.owner), &self.store, &self.appid, label, "notes", package)
            .await
            .unwrap()
    }

    async fn approve(&self, id: &str) {
        let owner = Actor::User(&self.owner);
        self.platform.submit_for_review(owner, &self.appid, id).await.unwrap();
        self.platform.review(Actor::User(&self.reviewer), &self.appid, id, true, "").await.unwrap();
    }
}

#[tokio::test]
async fn checks_report_per_page_and_a_failing_version_cannot_go_further() {
    for (test, platform) in platforms().await {
        let f = fixture(platform).await;
        let good = f.upload("1.0.0", "Blue mugs", false).await;
        assert_eq!(good.status, VersionStatus::Checked, "{:?} {:?}", test.backend(), good.checks);
        let routes: Vec<_> = good.checks.pages.iter().map(|p| (p.route.as_str(), p.passed)).collect();
        assert_eq!(routes, [("pages/index/index", true), ("pages/about/about", true)]);
        assert!(
            good.page_text.contains("Blue mugs") && good.page_text.contains("About us"),
            "{}",
            good.page_text
        );
        assert!(good.signature.is_some());
        // The develop channel follows uploads that pass.
        assert_eq!(
            f.platform.channel(&f.appid, Channel::Develop).await.unwrap().unwrap().version_id,
            good.id
        );

        let bad = f.upload("1.0.1", "Blue mugs", true).await;
        assert_eq!(bad.status, VersionStatus::CheckFailed);
        let about = bad.checks.pages.iter().find(|p| p.route == "pages/about/about").unwrap();
        assert!(
            !about.passed && about.errors.iter().any(|e| e.contains("the about page broke")),
            "{about:?}"
        );
        assert!(bad.checks.pages.iter().any(|p| p.route == "pages/index/index" && p.passed));
        assert!(bad.signature.is_none());
        let refused = f.platform.submit_for_review(Actor::User(&f.owner), &f.appid, &bad.id).await;
        assert!(matches!(refused, Err(PlatformError::Conflict(_))), "{refused:?}");
        assert_eq!(
            f.platform.channel(&f.appid, Channel::Develop).await.unwrap().unwrap().version_id,
            good.id
        );

        // Not a package at all: kept, with a clear problem.
        let junk = f
            .platform
            .upload_version(Actor::Operator, &f.store, &f.appid, "junk", "", b"not a zip".to_vec())
            .await
            .unwrap();
        assert_eq!(junk.status, VersionStatus::CheckFailed);
        assert!(junk.checks.problems[0].contains("not a valid package"), "{:?}", junk.checks);
        // Labels are unique per app.
        let again = f.platform.upload_version(Actor::Operator, &f.store, &f.appid, "1.0.0", "", vec![]).await;
        assert!(matches!(again, Err(PlatformError::Conflict(_))));
    }
}

#[tokio::test]
async fn review_release_gray_rollback_and_unpublish() {
    for (_test, platform) in platforms().await {
        let f = fixture(platform).await;
        let owner = Actor::User(&f.owner);
        let v1 = f.upload("1.0.0", "One", false).await;
        let not_published = f.platform.launch_target(&f.appid, Channel::Release, None, "device").await;
        assert!(matches!(not_published, Err(PlatformError::NotFound(_))));

        // Only approved versions are released; developers cannot review.
        assert!(f.platform.release(owner, &f.appid, &v1.id, 100).await.is_err());
        f.platform.submit_for_review(owner, &f.appid, &v1.id).await.unwrap();
        let self_review = f.platform.review(owner, &f.appid, &v1.id, true, "").await;
        assert!(matches!(self_review, Err(PlatformError::Forbidden(_))), "{self_review:?}");
        let no_reason = f.platform.review(Actor::User(&f.reviewer), &f.appid, &v1.id, false, " ").await;
        assert!(matches!(no_reason, Err(PlatformError::Invalid(_))));
        let rejected = f
            .platform
            .review(Actor::User(&f.reviewer), &f.appid, &v1.id, false, "The about page is empty")
            .await
            .unwrap();
        assert_eq!(rejected.status, VersionStatus::Rejected);
        assert_eq!(rejected.review_reason.as_deref(), Some("The about page is empty"));
        f.approve(&v1.id).await;
        let released = f.platform.release(owner, &f.appid, &v1.id, 100).await.unwrap();
        assert_eq!(released.status, VersionStatus::Released);

        // Hosts verify what they launch with the platform's public key.
        let target = f.platform.launch_target(&f.appid, Channel::Release, None, "device").await.unwrap();
        assert_eq!(target.version_id, v1.id);
        let bytes = f.store.get(&target.package_sha256).await.unwrap();
        let key = f.platform.release_key();
        target.verify(&key, &bytes).unwrap();
        let mut tampered = bytes.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 0x55;
        let refused = target.verify(&key, &tampered).unwrap_err();
        assert!(refused.to_string().contains("altered"), "{refused}");

        // A gray release at 30%: each user always gets the same version, about 30% the new one.
        let v2 = f.upload("2.0.0", "Two", false).await;
        f.approve(&v2.id).await;
        f.platform.release(owner, &f.appid, &v2.id, 30).await.unwrap();
        let mut on_new = 0;
        for n in 0..200 {
            let device = format!("device-{n}");
            let first = f.platform.launch_target(&f.appid, Channel::Release, None, &device).await.unwrap();
            let again = f.platform.launch_target(&f.appid, Channel::Release, None, &device).await.unwrap();
            assert_eq!(first.version_id, again.version_id);
            on_new += usize::from(first.version_id == v2.id);
        }
        assert!((35..90).contains(&on_new), "{on_new} of 200 on the gray version");
        // Widening to everyone needs no second review.
        f.platform.release(owner, &f.appid, &v2.id, 100).await.unwrap();
        let everyone = f.platform.launch_target(&f.appid, Channel::Release, None, "device-1").await.unwrap();
        assert_eq!(everyone.version_id, v2.id);

        // Rollback to an earlier release, and never to a version that was not released.
        let v3 = f.upload("3.0.0", "Three", false).await;
        assert!(matches!(
            f.platform.rollback(owner, &f.appid, &v3.id).await,
            Err(PlatformError::Conflict(_))
        ));
        f.platform.rollback(owner, &f.appid, &v1.id).await.unwrap();
        let back = f.platform.launch_target(&f.appid, Channel::Release, None, "device-1").await.unwrap();
        assert_eq!(back.version_id, v1.id);
        let published = f.platform.published_apps().await.unwrap();
        assert_eq!(published.iter().map(|a| a.appid.as_str()).collect::<Vec<_>>(), [f.appid.as_str()]);
        let release = f.platform.channel(&f.appid, Channel::Release).await.unwrap().unwrap();
        assert_eq!((release.version_id.as_str(), release.gray_version_id), (v1.id.as_str(), None));

        f.platform.unpublish(owner, &f.appid).await.unwrap();
        assert!(f.platform.published_apps().await.unwrap().is_empty());
        assert!(f.platform.launch_target(&f.appid, Channel::Release, None, "device-1").await.is_err());
    }
}

#[tokio::test]
async fn develop_and_trial_channels_are_for_members_and_testers() {
    for (_test, platform) in platforms().await {
        let f = fixture(platform).await;
        let owner = Actor::User(&f.owner);
        let v1 = f.upload("1.0.0", "One", false).await;
        let v2 = f.upload("1.1.0", "Two", false).await;
        let stranger = f.platform.sign_up("stranger", "correct horse", "").await.unwrap();

        let develop =
            f.platform.launch_target(&f.appid, Channel::Develop, Some(&f.owner), "d").await.unwrap();
        assert_eq!(develop.version_id, v2.id);
        let anonymous = f.platform.launch_target(&f.appid, Channel::Develop, None, "d").await;
        assert!(matches!(anonymous, Err(PlatformError::Unauthorized(_))));

        f.platform.set_trial(owner, &f.appid, &v1.id).await.unwrap();
        let refused = f.platform.launch_target(&f.appid, Channel::Trial, Some(&stranger), "d").await;
        assert!(matches!(refused, Err(PlatformError::Forbidden(_))), "{refused:?}");
        f.platform.add_tester(owner, &f.appid, "stranger").await.unwrap();
        let trial = f.platform.launch_target(&f.appid, Channel::Trial, Some(&stranger), "d").await.unwrap();
        assert_eq!(trial.version_id, v1.id);
        // Testers get trial, not develop.
        let develop = f.platform.launch_target(&f.appid, Channel::Develop, Some(&stranger), "d").await;
        assert!(matches!(develop, Err(PlatformError::Forbidden(_))));
    }
}
