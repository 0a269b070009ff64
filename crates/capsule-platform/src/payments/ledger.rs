//! What the platform keeps of an app's money: its ledger for the console (orders, refunds and
//! settlement totals) and, for apps that opt in to order-centre sync, the orders a host user
//! sees in the host's "Services and Orders". Without the opt-in, an app's orders stay its own.

use serde::Serialize;

use super::{Order, OrderRow, Refund, RefundRow};
use crate::{Platform, Result, Role, User};

/// How many of the latest orders and refunds the ledger lists (the totals count them all).
const LEDGER_ROWS: i64 = 200;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Orders paid, and what they took (fen).
    pub paid_orders: i64,
    pub paid: i64,
    /// What went back in refunds that succeeded.
    pub refunded: i64,
    /// What the app is owed: paid less refunded.
    pub settlement: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AppLedger {
    pub appid: String,
    pub order_sync: bool,
    pub totals: Totals,
    pub orders: Vec<Order>,
    pub refunds: Vec<Refund>,
}

/// An order in the host's "Services and Orders".
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HostOrder {
    pub appid: String,
    pub app_name: String,
    pub app_icon: String,
    pub order_id: String,
    pub subject: String,
    pub total_amount: i64,
    pub status: String,
    pub paid_at: Option<i64>,
}

impl Platform {
    /// The app's ledger; any member of its organisation may read it.
    pub async fn ledger(&self, actor: &User, appid: &str) -> Result<AppLedger> {
        let app = self.app(appid).await?;
        self.require_role(actor, &app.org_id, &[Role::Owner, Role::Developer, Role::Operator]).await?;
        let orders: Vec<OrderRow> = sqlx::query_as(concat!(
            order_columns!(),
            "WHERE appid = $1 ORDER BY created_at DESC, order_id LIMIT $2"
        ))
        .bind(appid)
        .bind(LEDGER_ROWS)
        .fetch_all(self.db.pool())
        .await?;
        let refunds: Vec<RefundRow> = sqlx::query_as(concat!(
            refund_columns!(),
            "WHERE r.appid = $1 ORDER BY r.created_at DESC, r.refund_id LIMIT $2"
        ))
        .bind(appid)
        .bind(LEDGER_ROWS)
        .fetch_all(self.db.pool())
        .await?;
        let (paid_orders, paid): (i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), CAST(SUM(total_amount) AS BIGINT) FROM pay_orders WHERE appid = $1 AND status = 'SUCCESS'",
        )
        .bind(appid)
        .fetch_one(self.db.pool())
        .await?;
        let refunded: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(SUM(refund_amount) AS BIGINT) FROM pay_refunds WHERE appid = $1 AND status = 'SUCCESS'",
        )
        .bind(appid)
        .fetch_one(self.db.pool())
        .await?;
        let (paid, refunded) = (paid.unwrap_or(0), refunded.unwrap_or(0));
        Ok(AppLedger {
            appid: appid.to_string(),
            order_sync: self.order_sync(appid).await?,
            totals: Totals { paid_orders, paid, refunded, settlement: paid - refunded },
            orders: orders.into_iter().map(Order::from).collect(),
            refunds: refunds.into_iter().map(Refund::from).collect(),
        })
    }

    async fn order_sync(&self, appid: &str) -> Result<bool> {
        let flag: i64 = sqlx::query_scalar("SELECT order_sync FROM apps WHERE appid = $1")
            .bind(appid)
            .fetch_one(self.db.pool())
            .await?;
        Ok(flag != 0)
    }

    /// Opts the app in to (or out of) order-centre sync; owners and developers may.
    pub async fn set_order_sync(&self, actor: &User, appid: &str, enabled: bool) -> Result<()> {
        let app = self.app(appid).await?;
        self.require_role(actor, &app.org_id, &[Role::Owner, Role::Developer]).await?;
        self.seed_order_sync(appid, enabled).await
    }

    /// Sets order-centre sync without a person behind it: for the server's own demo apps.
    pub async fn seed_order_sync(&self, appid: &str, enabled: bool) -> Result<()> {
        sqlx::query("UPDATE apps SET order_sync = $1, updated_at = $2 WHERE appid = $3")
            .bind(enabled as i64)
            .bind(self.now())
            .bind(appid)
            .execute(self.db.pool())
            .await?;
        Ok(())
    }

    /// The orders `user` paid in apps that sync to the order centre, latest first.
    pub async fn host_orders(&self, user: &User) -> Result<Vec<HostOrder>> {
        type Row = (String, String, String, String, String, i64, String, Option<i64>);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT o.appid, a.name, a.icon, o.order_id, o.subject, o.total_amount, o.status, o.paid_at \
             FROM pay_orders o JOIN apps a ON a.appid = o.appid \
             WHERE o.payer_user_id = $1 AND a.order_sync = 1 ORDER BY o.paid_at DESC, o.order_id LIMIT $2",
        )
        .bind(&user.id)
        .bind(LEDGER_ROWS)
        .fetch_all(self.db.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| HostOrder {
                appid: r.0,
                app_name: r.1,
                app_icon: r.2,
                order_id: r.3,
                subject: r.4,
                total_amount: r.5,
                status: r.6,
                paid_at: r.7,
            })
            .collect())
    }
}
