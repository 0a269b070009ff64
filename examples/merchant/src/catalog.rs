//! What the backend sells and at what price: the shop's goods and the cinema's shows. The
//! mini-programs show the same catalogue; this copy is the one that counts, so a price changed
//! in a mini-program's code cannot change what is charged.

use serde_json::{Value as Json, json};

/// (id, title, price in fen, in stock).
const PRODUCTS: &[(&str, &str, i64, bool)] = &[
    ("p1", "Ceramic mug", 3900, true),
    ("p2", "Linen tote bag", 5900, false),
    ("p3", "Green tea, 100 g", 8800, true),
    ("p4", "Notebook A5", 2500, true),
];

/// (show id, film, time, price in fen, seats on sale).
const SHOWS: &[(&str, &str, &str, i64, u32)] = &[
    ("s1", "The Grinch", "13:30", 4500, 48),
    ("s2", "The Grinch", "19:10", 7800, 48),
    ("s3", "Night Train", "21:40", 3900, 48),
    ("s4", "The Long Summer", "15:00", 4200, 48),
];

/// The most tickets one order may hold.
const MAX_SEATS: usize = 6;

/// An order priced, before the platform sees it.
#[derive(Debug)]
pub struct Draft {
    pub prefix: &'static str,
    pub title: String,
    pub lines: Json,
    pub total: i64,
    pub show: Option<String>,
    pub seats: Vec<String>,
}

/// `{lines: [{id, count}]}`: each line priced from the catalogue.
pub fn shop_order(body: &Json) -> Result<Draft, String> {
    let lines = body["lines"].as_array().filter(|l| !l.is_empty()).ok_or("the cart is empty")?;
    let mut priced = Vec::new();
    let mut total = 0;
    for line in lines {
        let id = line["id"].as_str().unwrap_or("");
        let count = line["count"].as_i64().filter(|c| (1..=99).contains(c)).ok_or("a count is 1 to 99")?;
        let &(_, title, price, in_stock) =
            PRODUCTS.iter().find(|p| p.0 == id).ok_or_else(|| format!("no product {id}"))?;
        if !in_stock {
            return Err(format!("{title} is out of stock"));
        }
        // The spec (colour, style) is a label the customer chose; it does not change the price.
        let spec = line["spec"].as_str().unwrap_or("").trim().chars().take(30).collect::<String>();
        total += price * count;
        priced.push(json!({ "id": id, "title": title, "spec": spec, "price": price, "count": count }));
    }
    let first = priced[0]["title"].as_str().unwrap_or("").to_string();
    let title = if priced.len() > 1 { format!("{first} and {} more", priced.len() - 1) } else { first };
    Ok(Draft { prefix: "S", title, lines: Json::Array(priced), total, show: None, seats: Vec::new() })
}

/// `{show, seats: ["E5", ...]}`: seats that exist and are free, at the show's price.
pub fn ticket_order(body: &Json, taken: &[String]) -> Result<Draft, String> {
    let show = body["show"].as_str().unwrap_or("");
    let &(id, film, time, price, capacity) =
        SHOWS.iter().find(|s| s.0 == show).ok_or_else(|| format!("no show {show}"))?;
    let seats: Vec<String> =
        body["seats"].as_array().into_iter().flatten().filter_map(|s| s.as_str().map(String::from)).collect();
    if seats.is_empty() || seats.len() > MAX_SEATS {
        return Err(format!("pick 1 to {MAX_SEATS} seats"));
    }
    for seat in &seats {
        if !seat_exists(seat, capacity) {
            return Err(format!("there is no seat {seat}"));
        }
        if taken.contains(seat) || seats.iter().filter(|s| *s == seat).count() > 1 {
            return Err(format!("seat {seat} is taken"));
        }
    }
    let title = format!("{film} {time}, {} seat(s)", seats.len());
    let lines =
        json!([{ "id": id, "title": format!("{film} {time}"), "price": price, "count": seats.len() }]);
    Ok(Draft { prefix: "T", title, lines, total: price * seats.len() as i64, show: Some(id.into()), seats })
}

/// Rows A.. of eight seats: `A1`..`F8` for 48 seats.
fn seat_exists(seat: &str, capacity: u32) -> bool {
    let mut chars = seat.chars();
    let (Some(row), Ok(number)) = (chars.next(), chars.as_str().parse::<u32>()) else { return false };
    let rows = capacity / 8;
    row.is_ascii_uppercase() && (row as u32 - 'A' as u32) < rows && (1..=8).contains(&number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backend_prices_orders_itself() {
        let draft = shop_order(
            &json!({ "lines": [{ "id": "p1", "count": 2, "price": 1, "spec": "Sky blue" }, { "id": "p4", "count": 1 }] }),
        )
        .unwrap();
        assert_eq!(draft.total, 2 * 3900 + 2500);
        assert_eq!(draft.lines[0]["spec"], "Sky blue");
        assert_eq!(draft.title, "Ceramic mug and 1 more");
        assert!(
            shop_order(&json!({ "lines": [{ "id": "p2", "count": 1 }] }))
                .unwrap_err()
                .contains("out of stock")
        );
        assert!(shop_order(&json!({ "lines": [] })).is_err());
        let taken = vec!["A1".to_string()];
        let tickets = ticket_order(&json!({ "show": "s1", "seats": ["A2", "B3"] }), &taken).unwrap();
        assert_eq!(tickets.total, 9000);
        assert!(
            ticket_order(&json!({ "show": "s1", "seats": ["A1"] }), &taken).unwrap_err().contains("taken")
        );
        assert!(
            ticket_order(&json!({ "show": "s1", "seats": ["Z9"] }), &taken).unwrap_err().contains("no seat")
        );
        assert!(ticket_order(&json!({ "show": "s1", "seats": ["A3", "A3"] }), &taken).is_err());
    }
}
