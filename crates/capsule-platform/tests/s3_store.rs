//! The package store on an S3-compatible service: a real S3 server (s3s-fs: signed requests
//! checked against its keys, objects kept on disk) on a loopback port, reached through
//! `s3://BUCKET/PREFIX` as `capsule serve --store-url` is. Objects are content-addressed and
//! never overwritten; a version uploaded, signed and released through it verifies.

use std::net::SocketAddr;

mod support;

use capsule_db::testing;
use capsule_platform::{Actor, Channel, PackageStore, Platform, PlatformError};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;
use support::project;

const ACCESS_KEY: &str = "capsule-test";
const SECRET_KEY: &str = "capsule-test-secret";

/// Serves S3 over `root` on a free loopback port; `root/BUCKET` folders are buckets.
async fn s3_server(root: &std::path::Path) -> SocketAddr {
    let fs = s3s_fs::FileSystem::new(root).unwrap();
    let mut builder = S3ServiceBuilder::new(fs);
    builder.set_auth(SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
    let service = builder.build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else { return };
            let service = service.clone();
            tokio::spawn(async move {
                let _ = ConnBuilder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(socket), service)
                    .await;
            });
        }
    });
    addr
}

fn settings(addr: SocketAddr, secret: &str) -> Vec<(String, String)> {
    [
        ("AWS_ENDPOINT", format!("http://{addr}")),
        ("AWS_ALLOW_HTTP", "true".into()),
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY.into()),
        ("AWS_SECRET_ACCESS_KEY", secret.into()),
        ("AWS_REGION", "us-east-1".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn packages_live_in_an_s3_bucket_immutable_and_verified() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("capsule")).unwrap();
    let addr = s3_server(root.path()).await;
    let store = PackageStore::from_url_with("s3://capsule/platform", settings(addr, SECRET_KEY)).unwrap();

    let sha = store.put(b"first").await.unwrap();
    assert_eq!(store.put(b"first").await.unwrap(), sha, "storing again is a no-op");
    assert_eq!(store.get(&sha).await.unwrap(), b"first");
    let on_disk =
        root.path().join("capsule/platform/packages").join(&sha[..2]).join(format!("{sha}.capsule"));
    assert_eq!(std::fs::read(&on_disk).unwrap(), b"first");
    assert!(matches!(store.get(&"0".repeat(64)).await, Err(PlatformError::NotFound(_))));

    // Wrong keys: a clear store error, nothing written.
    let forged = PackageStore::from_url_with("s3://capsule/platform", settings(addr, "wrong")).unwrap();
    let refused = forged.put(b"second").await.unwrap_err();
    assert!(matches!(refused, PlatformError::Store(_)), "{refused}");
    assert!(refused.to_string().contains("storing a package"), "{refused}");
    assert!(
        !root
            .path()
            .join("capsule/platform/packages")
            .join(&capsule_package::sha256_hex(b"second")[..2])
            .exists()
    );

    // Bad URLs say what is wanted.
    let no_bucket = PackageStore::from_url_with("s3://", Vec::new()).unwrap_err();
    assert!(no_bucket.to_string().contains("names no bucket"), "{no_bucket}");
    let other = PackageStore::from_url_with("gs://bucket", Vec::new()).unwrap_err();
    assert!(other.to_string().contains("s3://BUCKET"), "{other}");

    // A version through the whole pipeline on the bucket: checked, signed, released, verified.
    let test = testing::sqlite().await.unwrap();
    let platform = Platform::open(test.db.clone()).await.unwrap();
    platform.ensure_org("o-s3", "S3 Org").await.unwrap();
    let app = platform
        .create_app_as_operator(
            "o-s3",
            capsule_platform::AppSettings { name: "Bucket".into(), ..Default::default() },
        )
        .await
        .unwrap();
    let appid = app.app.appid.clone();
    let dir = tempfile::tempdir().unwrap();
    let version = platform
        .upload_version(
            Actor::Operator,
            &store,
            &appid,
            "1.0.0",
            "",
            project(dir.path(), "From the bucket", false),
        )
        .await
        .unwrap();
    assert!(version.checks.passed, "{:?}", version.checks);
    platform.submit_for_review(Actor::Operator, &appid, &version.id).await.unwrap();
    platform.review(Actor::Operator, &appid, &version.id, true, "").await.unwrap();
    platform.release(Actor::Operator, &appid, &version.id, 100).await.unwrap();
    let target = platform.launch_target(&appid, Channel::Release, None, "device").await.unwrap();
    let bytes = store.get(&target.package_sha256).await.unwrap();
    target.verify(&platform.release_key(), &bytes).unwrap();
    drop(test);
}
