//! The schema comes up on both databases, twice over (migrations are recorded), and the
//! portable SQL behaves the same on each.

use capsule_db::testing;

#[tokio::test]
async fn migrations_apply_and_portable_sql_agrees() {
    for test in testing::each().await {
        // Connecting again finds the schema current.
        let again = capsule_db::Db::connect(&test.url).await.expect("reconnect");
        let tables: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(again.pool()).await.unwrap();
        assert_eq!(tables, 0, "{:?}", test.backend());
        again.close().await;

        let pool = test.db.pool();
        sqlx::query("INSERT INTO orgs (id, name, created_at) VALUES ($1, $2, $3)")
            .bind("o1")
            .bind("Org")
            .bind(1_i64)
            .execute(pool)
            .await
            .unwrap();
        let duplicate = sqlx::query("INSERT INTO orgs (id, name, created_at) VALUES ($1, $2, $3)")
            .bind("o1")
            .bind("Again")
            .bind(2_i64)
            .execute(pool)
            .await
            .unwrap_err();
        assert!(capsule_db::is_unique_violation(&duplicate), "{:?}: {duplicate}", test.backend());
        // Foreign keys hold on both (SQLite needs them switched on per connection).
        let orphan = sqlx::query(
            "INSERT INTO org_members (org_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind("o1")
        .bind("nobody")
        .bind("owner")
        .bind(1_i64)
        .execute(pool)
        .await;
        assert!(orphan.is_err(), "{:?}", test.backend());
        let (name, created): (String, i64) =
            sqlx::query_as("SELECT name, created_at FROM orgs WHERE id = $1")
                .bind("o1")
                .fetch_one(pool)
                .await
                .unwrap();
        assert_eq!((name.as_str(), created), ("Org", 1));
    }
}

#[tokio::test]
async fn a_bad_url_is_a_clear_error() {
    let error = capsule_db::Db::connect("mysql://localhost/x").await.unwrap_err();
    assert!(error.to_string().contains("unsupported database URL"), "{error}");
}
