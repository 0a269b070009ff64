//! Backslashes in templates, read as wcc reads them.
//!
//! wcc pastes static text into generated JavaScript string literals, escaping only some
//! characters, so a backslash's meaning depends on what follows it. These functions give the
//! same strings without generating any JavaScript.

use std::borrow::Cow;

/// Where a static piece of text stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece {
    /// Text between tags or around `{{ }}`, or an attribute's text.
    Markup,
    /// The inside of a `'...'` or `"..."` literal in an expression.
    StringLiteral,
}

/// The first pass over a raw attribute value, before `{{ }}` are found: `\n`, `\t`, `\r` become
/// the control characters and `\X` becomes `X` (so `\{{a}}` is a real mustache).
pub fn unescape_attribute(raw: &str) -> Cow<'_, str> {
    if !raw.contains('\\') {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    Cow::Owned(out)
}

/// The value of a static piece: wcc emits a backslash as-is only before `n r t \ ' "` (and,
/// in a string literal, before its end) and as `\x5c` elsewhere; the browser then reads the
/// result as a JavaScript string, where quotes had become the four characters `\x27`/`\x22`.
pub fn static_text(s: &str, piece: Piece) -> Cow<'_, str> {
    if !s.contains('\\') {
        return Cow::Borrowed(s);
    }
    let emitted_plain = |next: Option<char>| {
        matches!(next, Some('n' | 'r' | 't' | '\\' | '\'' | '"'))
            || next.is_none() && piece == Piece::StringLiteral
    };
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '\\' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let next = chars.get(i + 1).copied();
        if !emitted_plain(next) {
            out.push('\\');
            i += 1;
            continue;
        }
        match next {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('\'') => out.push_str("\\x27"),
            Some('"') => out.push_str("\\x22"),
            Some('\\') => {
                out.push('\\');
                if !emitted_plain(chars.get(i + 2).copied()) {
                    out.push_str("x5c");
                }
            }
            _ => {}
        }
        i += 2;
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backslashes_in_text() {
        assert_eq!(static_text(r"[\n][\t]", Piece::Markup), "[\n][\t]");
        assert_eq!(static_text(r"[\\]", Piece::Markup), r"[\x5c]");
        assert_eq!(static_text(r#"[\"]"#, Piece::Markup), r"[\x22]");
        assert_eq!(static_text(r"[\u4e2d]", Piece::Markup), r"[\u4e2d]");
        assert_eq!(static_text(r"C:\path\to", Piece::Markup), "C:\\path\to");
    }

    #[test]
    fn backslashes_in_string_literals() {
        assert_eq!(static_text(r"\\", Piece::StringLiteral), r"\");
        assert_eq!(static_text(r"\\x", Piece::StringLiteral), r"\x5cx");
        assert_eq!(static_text(r"\'", Piece::StringLiteral), r"\x27");
    }

    #[test]
    fn backslashes_in_attributes() {
        assert_eq!(unescape_attribute(r"\{{a}}"), "{{a}}");
        assert_eq!(unescape_attribute(r"C:\path\to"), "C:path\to");
    }
}
