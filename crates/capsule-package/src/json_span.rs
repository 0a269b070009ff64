//! JSON parsing that remembers where every key and value starts, so diagnostics can point into the text.
//!
//! serde_json parses the value; a second, small scanner walks the (now known valid) text and records
//! the byte offset of each key and value under its JSON Pointer (`/tabBar/list/0/pagePath`).

use std::collections::HashMap;

use capsule_diagnostics::Position;
use serde_json::Value;

/// A parsed JSON document with the source positions of its keys and values.
#[derive(Clone, Debug)]
pub struct JsonDoc {
    text: String,
    value: Value,
    spans: HashMap<String, Span>,
    duplicate_keys: Vec<String>,
}

#[derive(Clone, Copy, Debug)]
struct Span {
    key: Option<usize>,
    value: usize,
}

/// A JSON syntax error, positioned like an editor would show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonSyntaxError {
    pub message: String,
    pub position: Position,
}

impl JsonDoc {
    /// Parses `text`. A leading UTF-8 byte order mark is ignored, as editors hide it.
    pub fn parse(text: &str) -> Result<Self, JsonSyntaxError> {
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        let value: Value = serde_json::from_str(text).map_err(|error| JsonSyntaxError {
            message: syntax_message(&error),
            position: serde_position(text, &error),
        })?;
        let mut scanner =
            Scanner { bytes: text.as_bytes(), pos: 0, spans: HashMap::new(), duplicates: Vec::new() };
        scanner.value(String::new(), None);
        Ok(Self { text: text.to_owned(), value, spans: scanner.spans, duplicate_keys: scanner.duplicates })
    }

    pub fn value(&self) -> &Value {
        &self.value
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Where the key of the member at `pointer` starts; the value's position for array items.
    /// Unknown pointers give 1:1 so a diagnostic always has a place.
    pub fn key_position(&self, pointer: &str) -> Position {
        match self.spans.get(pointer) {
            Some(span) => Position::of_offset(&self.text, span.key.unwrap_or(span.value)),
            None => Position::new(1, 1),
        }
    }

    /// Where the value at `pointer` starts (1:1 for unknown pointers).
    pub fn value_position(&self, pointer: &str) -> Position {
        match self.spans.get(pointer) {
            Some(span) => Position::of_offset(&self.text, span.value),
            None => Position::new(1, 1),
        }
    }

    /// Pointers of object members whose key appeared more than once (the last one wins).
    pub fn duplicate_keys(&self) -> &[String] {
        &self.duplicate_keys
    }
}

/// `base` extended by one reference token, escaped as RFC 6901 requires.
pub fn pointer(base: &str, token: &str) -> String {
    let mut out = String::with_capacity(base.len() + token.len() + 1);
    out.push_str(base);
    out.push('/');
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}

/// `base` extended by an array index.
pub fn pointer_index(base: &str, index: usize) -> String {
    format!("{base}/{index}")
}

fn syntax_message(error: &serde_json::Error) -> String {
    // serde_json appends " at line L column C"; the diagnostic carries the position itself.
    let full = error.to_string();
    match full.rfind(" at line ") {
        Some(i) => full[..i].to_owned(),
        None => full,
    }
}

/// serde_json reports a 1-based line and a byte column (the offending byte's, or the end of the
/// text for EOF errors); diagnostics count characters.
fn serde_position(text: &str, error: &serde_json::Error) -> Position {
    let line_start = if error.line() <= 1 {
        0
    } else {
        text.match_indices('\n').nth(error.line() - 2).map_or(text.len(), |(i, _)| i + 1)
    };
    let column = if error.is_eof() { error.column() } else { error.column().saturating_sub(1) };
    Position::of_offset(text, line_start.saturating_add(column))
}

/// Walks JSON text that serde_json already accepted, so it can be lenient about errors.
struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
    spans: HashMap<String, Span>,
    duplicates: Vec<String>,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn value(&mut self, path: String, key: Option<usize>) {
        self.skip_whitespace();
        let start = self.pos;
        self.spans.insert(path.clone(), Span { key, value: start });
        match self.peek() {
            Some(b'{') => self.object(&path),
            Some(b'[') => self.array(&path),
            Some(b'"') => {
                self.string();
            }
            Some(_) => {
                while !matches!(self.peek(), None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')) {
                    self.pos += 1;
                }
            }
            None => {}
        }
    }

    fn object(&mut self, path: &str) {
        self.pos += 1;
        let mut seen: Vec<String> = Vec::new();
        loop {
            self.skip_whitespace();
            match self.peek() {
                Some(b'"') => {}
                Some(b'}') | None => {
                    self.pos += 1;
                    return;
                }
                Some(_) => {
                    self.pos += 1;
                    continue;
                }
            }
            let key_start = self.pos;
            let key = self.string();
            let child = pointer(path, &key);
            if seen.contains(&key) {
                self.duplicates.push(child.clone());
            } else {
                seen.push(key);
            }
            self.skip_whitespace();
            if self.peek() == Some(b':') {
                self.pos += 1;
            }
            self.value(child, Some(key_start));
            self.skip_whitespace();
            if self.peek() == Some(b',') {
                self.pos += 1;
            }
        }
    }

    fn array(&mut self, path: &str) {
        self.pos += 1;
        let mut index = 0;
        loop {
            self.skip_whitespace();
            match self.peek() {
                Some(b']') | None => {
                    self.pos += 1;
                    return;
                }
                Some(_) => {}
            }
            self.value(pointer_index(path, index), None);
            index += 1;
            self.skip_whitespace();
            if self.peek() == Some(b',') {
                self.pos += 1;
            }
        }
    }

    /// Consumes a string literal and returns its decoded text.
    fn string(&mut self) -> String {
        let start = self.pos;
        self.pos += 1;
        while let Some(byte) = self.peek() {
            self.pos += 1;
            match byte {
                b'\\' => self.pos += 1,
                b'"' => break,
                _ => {}
            }
        }
        let end = self.pos.min(self.bytes.len());
        std::str::from_utf8(&self.bytes[start..end])
            .ok()
            .and_then(|literal| serde_json::from_str::<String>(literal).ok())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{
  "pages": ["pages/a/a", "pages/b/b"],
  "window": { "navigationBarTitleText": "店铺" , "x/y~z": 1 },
  "n": -1.5e3,
  "pages": []
}"#;

    #[test]
    fn records_key_and_value_positions() {
        let doc = JsonDoc::parse(SAMPLE).unwrap();
        assert_eq!(doc.key_position("/window"), Position::new(3, 3));
        assert_eq!(doc.value_position("/window"), Position::new(3, 13));
        assert_eq!(doc.key_position("/window/navigationBarTitleText"), Position::new(3, 15));
        assert_eq!(doc.value_position("/window/navigationBarTitleText"), Position::new(3, 41));
        assert_eq!(doc.key_position("/window/x~1y~0z"), Position::new(3, 48));
        assert_eq!(doc.value_position("/n"), Position::new(4, 8));
        assert_eq!(doc.value_position(""), Position::new(1, 1));
        assert_eq!(doc.value_position("/missing"), Position::new(1, 1));
    }

    #[test]
    fn later_duplicate_keys_win_and_are_reported() {
        let doc = JsonDoc::parse(SAMPLE).unwrap();
        assert_eq!(doc.duplicate_keys(), ["/pages"]);
        assert_eq!(doc.value()["pages"], serde_json::json!([]));
        assert_eq!(doc.key_position("/pages"), Position::new(5, 3));
    }

    #[test]
    fn array_items_point_at_values() {
        let doc = JsonDoc::parse(r#"{"a": [1, {"b": "x\"y"}, "z"]}"#).unwrap();
        assert_eq!(doc.key_position("/a/1"), Position::new(1, 11));
        assert_eq!(doc.value_position("/a/1/b"), Position::new(1, 17));
        assert_eq!(doc.value_position("/a/2"), Position::new(1, 26));
    }

    #[test]
    fn syntax_errors_carry_editor_positions() {
        let error = JsonDoc::parse("{\n  \"a\": 1,\n  \"中\": ?\n}").unwrap_err();
        assert_eq!(error.position, Position::new(3, 8));
        assert_eq!(error.message, "expected value");
        let error = JsonDoc::parse("{\"a\": 1").unwrap_err();
        assert_eq!(error.message, "EOF while parsing an object");
        assert_eq!(error.position, Position::new(1, 8));
    }

    #[test]
    fn byte_order_mark_is_ignored() {
        let doc = JsonDoc::parse("\u{FEFF}{\"a\": true}").unwrap();
        assert_eq!(doc.value_position("/a"), Position::new(1, 7));
    }

    #[test]
    fn pointers_escape_tokens() {
        assert_eq!(pointer("/usingComponents", "a/b~c"), "/usingComponents/a~1b~0c");
        assert_eq!(pointer_index("/pages", 3), "/pages/3");
    }
}
