//! What the platform's integration tests share: a platform on each database this machine tests.

use capsule_db::testing;
use capsule_platform::Platform;

/// A platform on a fresh SQLite file and, when `CAPSULE_TEST_POSTGRES` is set, on a fresh
/// PostgreSQL database; each database lives as long as its `TestDb`.
pub async fn platforms() -> Vec<(testing::TestDb, Platform)> {
    let mut all = Vec::new();
    for test in testing::each().await {
        let platform = Platform::open(test.db.clone()).await.expect("platform");
        all.push((test, platform));
    }
    all
}
