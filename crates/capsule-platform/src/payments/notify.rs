//! Signed callbacks to developers' servers, Douyin's way: a POST of JSON `{timestamp, nonce,
//! msg, msg_signature, type}` where `msg_signature` is SHA-1 over the sorted token (the app's
//! payment salt), timestamp, nonce and msg. Callbacks wait in a database outbox, so they survive
//! a restart, and are retried on Douyin's schedule until the server answers
//! `{"err_no":0,"err_tips":"success"}`. One row per (app, kind, merchant number): an order is
//! announced as paid once, however often it is confirmed.

use std::time::Duration;

use capsule_db::sqlx::{self, Any, Transaction};
use serde_json::{Value as Json, json};

use super::provider::BoxFuture;
use super::sign::msg_signature;
use crate::{Platform, Result, random_hex};

/// Waits after each failed attempt, as Douyin retries: 15 retries over about a day.
pub const RETRY_SCHEDULE: [Duration; 15] = [
    Duration::from_secs(15),
    Duration::from_secs(15),
    Duration::from_secs(30),
    Duration::from_secs(3 * 60),
    Duration::from_secs(10 * 60),
    Duration::from_secs(20 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(60 * 60),
    Duration::from_secs(3 * 3600),
    Duration::from_secs(3 * 3600),
    Duration::from_secs(3 * 3600),
    Duration::from_secs(6 * 3600),
    Duration::from_secs(6 * 3600),
];

/// How long one attempt holds its callback before another node may try it.
const LEASE: Duration = Duration::from_secs(60);

/// Whether `url` can receive callbacks.
pub fn is_notify_url(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() <= 256
        && !url.contains(char::is_whitespace)
}

/// Posts a callback's JSON body to a URL and brings back the answer's body.
pub trait NotifySender: Send + Sync {
    fn post<'a>(&'a self, url: &'a str, body: &'a Json)
    -> BoxFuture<'a, std::result::Result<String, String>>;
}

/// Queues a callback in the caller's transaction (with the change it announces); a second
/// one for the same subject is ignored.
pub(crate) async fn enqueue(
    tx: &mut Transaction<'_, Any>,
    now: i64,
    appid: &str,
    kind: &str,
    subject_no: &str,
    url: &str,
    msg: &Json,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO pay_notifications (id, appid, kind, subject_no, url, msg, attempts, next_at, last_error, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 0, $7, '', $7) ON CONFLICT (appid, kind, subject_no) DO NOTHING",
    )
    .bind(random_hex(12))
    .bind(appid)
    .bind(kind)
    .bind(subject_no)
    .bind(url)
    .bind(msg.to_string())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A callback as the outbox holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notification {
    pub id: String,
    pub appid: String,
    pub kind: String,
    pub subject_no: String,
    pub url: String,
    pub msg: String,
    pub attempts: i64,
    pub next_at: Option<i64>,
    pub delivered_at: Option<i64>,
    pub last_error: String,
}

type NotificationRow =
    (String, String, String, String, String, String, i64, Option<i64>, Option<i64>, String);

fn notification(row: NotificationRow) -> Notification {
    Notification {
        id: row.0,
        appid: row.1,
        kind: row.2,
        subject_no: row.3,
        url: row.4,
        msg: row.5,
        attempts: row.6,
        next_at: row.7,
        delivered_at: row.8,
        last_error: row.9,
    }
}

macro_rules! notification_columns {
    () => {
        "SELECT id, appid, kind, subject_no, url, msg, attempts, next_at, delivered_at, last_error \
         FROM pay_notifications "
    };
}

impl Platform {
    /// Callbacks about `appid`, newest first.
    pub async fn notifications(&self, appid: &str) -> Result<Vec<Notification>> {
        let rows: Vec<NotificationRow> =
            sqlx::query_as(concat!(notification_columns!(), "WHERE appid = $1 ORDER BY created_at DESC, id"))
                .bind(appid)
                .fetch_all(self.db().pool())
                .await?;
        Ok(rows.into_iter().map(notification).collect())
    }

    /// The callback body for `msg` now: fresh timestamp and nonce, signed with the app's salt.
    pub async fn signed_callback(&self, appid: &str, kind: &str, msg: &str) -> Result<Json> {
        let app = self.app(appid).await?;
        let timestamp = (self.now() / 1000).to_string();
        let nonce = random_hex(8);
        let signature = msg_signature(&app.payment_salt, &timestamp, &nonce, msg);
        Ok(
            json!({ "timestamp": timestamp, "nonce": nonce, "msg": msg, "msg_signature": signature, "type": kind }),
        )
    }

    /// Sends every callback that is due, each once; answers how many were delivered. A
    /// callback another node is sending (its lease not over) is left to it.
    pub async fn deliver_notifications(&self, sender: &dyn NotifySender) -> Result<usize> {
        let now = self.now();
        let due: Vec<NotificationRow> = sqlx::query_as(concat!(
            notification_columns!(),
            "WHERE next_at IS NOT NULL AND next_at <= $1 ORDER BY next_at LIMIT 100"
        ))
        .bind(now)
        .fetch_all(self.db().pool())
        .await?;
        let mut delivered = 0;
        for row in due.into_iter().map(notification) {
            let leased =
                sqlx::query("UPDATE pay_notifications SET next_at = $1 WHERE id = $2 AND next_at = $3")
                    .bind(now + LEASE.as_millis() as i64)
                    .bind(&row.id)
                    .bind(row.next_at)
                    .execute(self.db().pool())
                    .await?;
            if leased.rows_affected() != 1 {
                continue;
            }
            let body = self.signed_callback(&row.appid, &row.kind, &row.msg).await?;
            let outcome = match sender.post(&row.url, &body).await {
                Ok(answer) => match serde_json::from_str::<Json>(&answer) {
                    Ok(answer) if answer["err_no"] == 0 => Ok(()),
                    _ => Err(format!("answered {}", answer.chars().take(200).collect::<String>())),
                },
                Err(e) => Err(e),
            };
            let attempts = row.attempts + 1;
            let done = self.now();
            match outcome {
                Ok(()) => {
                    sqlx::query(
                        "UPDATE pay_notifications SET attempts = $1, next_at = NULL, delivered_at = $2, last_error = '' \
                         WHERE id = $3",
                    )
                    .bind(attempts)
                    .bind(done)
                    .bind(&row.id)
                    .execute(self.db().pool())
                    .await?;
                    delivered += 1;
                }
                Err(error) => {
                    // Retry number `attempts` waits the schedule's `attempts`th wait; after the
                    // last, the callback stays undelivered for the console to show.
                    let next =
                        RETRY_SCHEDULE.get(attempts as usize - 1).map(|wait| done + wait.as_millis() as i64);
                    sqlx::query("UPDATE pay_notifications SET attempts = $1, next_at = $2, last_error = $3 WHERE id = $4")
                        .bind(attempts)
                        .bind(next)
                        .bind(error.chars().take(500).collect::<String>())
                        .bind(&row.id)
                        .execute(self.db().pool())
                        .await?;
                }
            }
        }
        Ok(delivered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_is_douyins_and_spans_about_a_day() {
        let total: Duration = RETRY_SCHEDULE.iter().sum();
        assert_eq!(
            total,
            Duration::from_secs(
                15 + 15 + 30 + 180 + 600 + 1200 + 3 * 1800 + 3600 + 3 * 3 * 3600 + 2 * 6 * 3600
            )
        );
        assert!(is_notify_url("https://merchant.example.com/notify"));
        assert!(!is_notify_url("ftp://x"));
    }
}
