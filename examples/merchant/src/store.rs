//! The backend's own records (sessions, addresses, orders, scores, callbacks seen), kept in
//! one JSON file: enough for a demo, and a developer would put them in a database.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Address {
    pub name: String,
    pub phone: String,
    pub detail: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Order {
    pub out_order_no: String,
    pub appid: String,
    pub openid: String,
    pub title: String,
    pub lines: Json,
    /// Fen.
    pub total: i64,
    pub address: Json,
    pub show: Option<String>,
    pub seats: Vec<String>,
    /// `unpaid`, `paid` or `closed`.
    pub status: String,
    pub order_id: String,
    pub order_token: String,
    pub created_at: i64,
    pub paid_at: Option<i64>,
    /// The e-ticket's code, once a cinema order is paid.
    pub ticket_code: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Score {
    pub appid: String,
    pub openid: String,
    pub name: String,
    pub score: u64,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Ledger {
    /// Session token → (appid, openid).
    pub sessions: BTreeMap<String, (String, String)>,
    pub addresses: BTreeMap<String, Vec<Address>>,
    pub orders: Vec<Order>,
    pub scores: Vec<Score>,
    /// Callback nonces already accepted, with their timestamps (pruned past the window).
    pub nonces: BTreeMap<String, i64>,
}

impl Ledger {
    pub fn load(file: &Path) -> anyhow::Result<Ledger> {
        match std::fs::read_to_string(file) {
            Ok(text) => Ok(serde_json::from_str(&text)?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Ledger::default()),
            Err(e) => Err(e.into()),
        }
    }

    /// Writes the ledger whole, through a temporary file, so a crash leaves the old one.
    pub fn save(&self, file: &Path) -> std::io::Result<()> {
        let partial = file.with_extension("json.partial");
        std::fs::write(&partial, serde_json::to_vec_pretty(self).unwrap_or_default())?;
        std::fs::rename(partial, file)
    }

    /// Records the platform's word on an order (`SUCCESS`, `TIMEOUT`, `FAIL`); paying twice
    /// changes nothing.
    pub fn settle(&mut self, out_order_no: &str, platform_status: &str) {
        let Some(order) = self.orders.iter_mut().find(|o| o.out_order_no == out_order_no) else { return };
        if order.status != "unpaid" {
            return;
        }
        match platform_status {
            "SUCCESS" => {
                order.status = "paid".into();
                order.paid_at = Some(crate::unix_seconds());
                if order.show.is_some() {
                    order.ticket_code = Some(format!("CINEMA-{}", &order.out_order_no));
                }
            }
            "TIMEOUT" | "FAIL" => order.status = "closed".into(),
            _ => {}
        }
    }

    /// Seats held by unpaid orders or sold, for a show.
    pub fn taken_seats(&self, show: &str) -> Vec<String> {
        self.orders
            .iter()
            .filter(|o| o.show.as_deref() == Some(show) && o.status != "closed")
            .flat_map(|o| o.seats.iter().cloned())
            .collect()
    }

    /// Keeps each player's best score.
    pub fn record_score(&mut self, appid: &str, openid: &str, name: &str, score: u64) {
        match self.scores.iter_mut().find(|s| s.appid == appid && s.openid == openid) {
            Some(best) => {
                best.score = best.score.max(score);
                best.name = name.to_string();
            }
            None => self.scores.push(Score {
                appid: appid.into(),
                openid: openid.into(),
                name: name.into(),
                score,
            }),
        }
    }

    /// The top ten, best first: `[{rank, name, score}]`.
    pub fn leaderboard(&self, appid: &str) -> Vec<Json> {
        let mut scores: Vec<&Score> = self.scores.iter().filter(|s| s.appid == appid).collect();
        scores.sort_by(|a, b| b.score.cmp(&a.score).then(a.name.cmp(&b.name)));
        scores
            .iter()
            .take(10)
            .enumerate()
            .map(|(i, s)| serde_json::json!({ "rank": i + 1, "name": s.name, "score": s.score }))
            .collect()
    }
}

/// 32 hex characters from the system's randomness.
pub fn random_token() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system's random number generator");
    crate::hex(&bytes)
}
