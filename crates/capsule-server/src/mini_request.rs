//! The web host's transport for a mini-program's `tt.request` / `wx.request`, run on the server
//! after the runtime has checked the URL against the app's request domains: WeChat's options
//! (`method`, `header`, `data`, `dataType`, `timeout`) in, its answer (`statusCode`, `header`,
//! `data`, `cookies`) out.

use std::time::Duration;

use serde_json::{Map, Value as Json, json};

/// The most a response body may hold; a larger one fails the call rather than filling memory.
const MAX_RESPONSE_BYTES: u64 = 10 << 20;

const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT", "PATCH"];

/// Performs one request; `Err` is the reason after `request:fail `.
pub fn perform(agent: &ureq::Agent, args: &Json) -> Result<Json, String> {
    let url = args["url"].as_str().unwrap_or("");
    let method = args["method"].as_str().unwrap_or("GET").to_ascii_uppercase();
    if !METHODS.contains(&method.as_str()) {
        return Err(format!("invalid method {method}"));
    }
    let headers: Map<String, Json> = args["header"].as_object().cloned().unwrap_or_default();
    let content_type = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        .and_then(|(_, v)| v.as_str())
        .unwrap_or("application/json")
        .to_string();
    let (url, body) = encode(url, &method, &content_type, &args["data"]);
    let mut request = ureq::http::Request::builder().method(method.as_str()).uri(&url);
    for (name, value) in &headers {
        request = request.header(name.as_str(), text_of(value));
    }
    if body.is_some() && !headers.keys().any(|k| k.eq_ignore_ascii_case("content-type")) {
        request = request.header("content-type", &content_type);
    }
    let request = request.body(body.unwrap_or_default()).map_err(|e| format!("invalid request: {e}"))?;
    let timeout = Duration::from_millis(args["timeout"].as_u64().unwrap_or(60_000));
    let request = agent.configure_request(request).timeout_global(Some(timeout)).build();
    let mut response = agent.run(request).map_err(|e| match e {
        ureq::Error::Timeout(_) => "timeout".to_string(),
        other => other.to_string(),
    })?;
    let status = response.status().as_u16();
    let mut header = Map::new();
    let mut cookies = Vec::new();
    for (name, value) in response.headers() {
        let value = value.to_str().unwrap_or("").to_string();
        if name == "set-cookie" {
            cookies.push(Json::String(value.clone()));
        }
        header.insert(name.to_string(), Json::String(value));
    }
    let text = response
        .body_mut()
        .with_config()
        .limit(MAX_RESPONSE_BYTES)
        .read_to_string()
        .map_err(|e| format!("cannot read the response: {e}"))?;
    let data = if args["dataType"].as_str().unwrap_or("json") == "json" {
        serde_json::from_str(&text).unwrap_or(Json::String(text))
    } else {
        Json::String(text)
    };
    Ok(json!({ "statusCode": status, "header": header, "data": data, "cookies": cookies }))
}

/// WeChat's rule for `data`: on GET it becomes the query string; otherwise an object is sent as
/// JSON, or as a form when the content type says so, and a string as it is.
fn encode(url: &str, method: &str, content_type: &str, data: &Json) -> (String, Option<Vec<u8>>) {
    let pairs = |object: &Map<String, Json>| {
        object
            .iter()
            .map(|(k, v)| format!("{}={}", percent(k), percent(&text_of(v))))
            .collect::<Vec<_>>()
            .join("&")
    };
    match (method, data) {
        (_, Json::Null) => (url.to_string(), None),
        ("GET", Json::Object(object)) if !object.is_empty() => {
            let separator = if url.contains('?') { '&' } else { '?' };
            (format!("{url}{separator}{}", pairs(object)), None)
        }
        ("GET", _) => (url.to_string(), None),
        (_, Json::String(text)) => (url.to_string(), Some(text.clone().into_bytes())),
        (_, Json::Object(object)) if content_type.starts_with("application/x-www-form-urlencoded") => {
            (url.to_string(), Some(pairs(object).into_bytes()))
        }
        (_, other) => (url.to_string(), Some(other.to_string().into_bytes())),
    }
}

/// A header or form value: a string as it is, anything else as its JSON text.
fn text_of(value: &Json) -> String {
    match value {
        Json::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Percent-encodes all but the unreserved characters.
fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_goes_in_the_query_on_get_and_in_the_body_otherwise() {
        let data = json!({ "q": "mug & tea", "page": 2 });
        assert_eq!(
            encode("http://h/s", "GET", "application/json", &data).0,
            "http://h/s?q=mug%20%26%20tea&page=2"
        );
        assert_eq!(encode("http://h/s?a=1", "GET", "", &data).0, "http://h/s?a=1&q=mug%20%26%20tea&page=2");
        let (_, body) = encode("http://h/s", "POST", "application/json", &data);
        assert_eq!(serde_json::from_slice::<Json>(&body.unwrap()).unwrap(), data);
        let (_, body) = encode("http://h/s", "POST", "application/x-www-form-urlencoded", &data);
        assert_eq!(body.unwrap(), b"q=mug%20%26%20tea&page=2");
        assert_eq!(encode("http://h/s", "PUT", "text/plain", &json!("raw")).1.unwrap(), b"raw");
        assert_eq!(encode("http://h/s", "POST", "application/json", &Json::Null).1, None);
    }
}
