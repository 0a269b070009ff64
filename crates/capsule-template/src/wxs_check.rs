//! Checks that WXS stays within its ES5 dialect, as WeChat's compiler requires.
//!
//! WXS is not modern JavaScript: `let`/`const`, arrow functions, template literals, exponent
//! number literals, classes and `for…in` are rejected by WeChat. The JS engine that runs WXS
//! would accept them, so they are caught here, with positions, before anything runs.

/// A construct WXS does not allow, at a byte offset into the script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WxsProblem {
    pub offset: usize,
    pub message: &'static str,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Token<'a> {
    Ident(&'a str),
    Punct(&'a str),
    /// A number, string or regular expression literal.
    Literal,
}

/// Every construct outside the WXS dialect in `source`.
pub fn check_wxs(source: &str) -> Vec<WxsProblem> {
    let mut problems = Vec::new();
    let tokens = tokenize(source, &mut problems);
    for (i, &(offset, token)) in tokens.iter().enumerate() {
        let next = tokens.get(i + 1).map(|(_, t)| *t);
        match token {
            Token::Ident("let" | "const")
                if matches!(next, Some(Token::Ident(_) | Token::Punct("[" | "{"))) =>
            {
                problems.push(WxsProblem { offset, message: "WXS has no `let` or `const`: use `var`" });
            }
            Token::Ident("class") if matches!(next, Some(Token::Ident(_) | Token::Punct("{"))) => {
                problems.push(WxsProblem { offset, message: "WXS has no classes" });
            }
            Token::Punct("=>") => problems.push(WxsProblem { offset, message: "WXS has no arrow functions" }),
            Token::Ident("for") if next == Some(Token::Punct("(")) && is_for_in(&tokens[i + 1..]) => {
                problems.push(WxsProblem { offset, message: "WXS has no `for…in` loops" });
            }
            _ => {}
        }
    }
    problems.sort_by_key(|p| p.offset);
    problems
}

/// Whether the loop head starting at `(` is `for (x in y)`: an `in` at depth one before any `;`.
fn is_for_in(tokens: &[(usize, Token<'_>)]) -> bool {
    let mut depth = 0;
    for (_, token) in tokens {
        match token {
            Token::Punct("(" | "[" | "{") => depth += 1,
            Token::Punct(")" | "]" | "}") => {
                depth -= 1;
                if depth == 0 {
                    return false;
                }
            }
            Token::Punct(";") if depth == 1 => return false,
            Token::Ident("in") if depth == 1 => return true,
            _ => {}
        }
    }
    false
}

const PUNCTUATORS: [&str; 4] = ["=>", "===", "!==", "..."];

fn tokenize<'a>(source: &'a str, problems: &mut Vec<WxsProblem>) -> Vec<(usize, Token<'a>)> {
    let bytes = source.as_bytes();
    let mut tokens: Vec<(usize, Token<'a>)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        if b.is_ascii_whitespace() || b >= 0x80 && source[i..].starts_with(char::is_whitespace) {
            i += source[i..].chars().next().map_or(1, char::len_utf8);
        } else if source[i..].starts_with("//") {
            i = source[i..].find('\n').map_or(bytes.len(), |n| i + n);
        } else if source[i..].starts_with("/*") {
            i = source[i + 2..].find("*/").map_or(bytes.len(), |n| i + 2 + n + 2);
        } else if b == b'\'' || b == b'"' {
            i = skip_quoted(bytes, i, b);
            tokens.push((start, Token::Literal));
        } else if b == b'`' {
            problems.push(WxsProblem { offset: i, message: "WXS has no template literals" });
            i = skip_quoted(bytes, i, b'`');
            tokens.push((start, Token::Literal));
        } else if b.is_ascii_digit() || (b == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            let hex = b == b'0' && matches!(bytes.get(i + 1), Some(b'x' | b'X'));
            i += if hex { 2 } else { 0 };
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                if !hex && matches!(bytes[i], b'e' | b'E') {
                    problems
                        .push(WxsProblem { offset: start, message: "WXS has no exponent number literals" });
                    if matches!(bytes.get(i + 1), Some(b'+' | b'-')) {
                        i += 1;
                    }
                }
                i += 1;
            }
            tokens.push((start, Token::Literal));
        } else if b == b'_' || b == b'$' || b.is_ascii_alphabetic() || b >= 0x80 {
            while i < bytes.len()
                && (bytes[i] == b'_'
                    || bytes[i] == b'$'
                    || bytes[i].is_ascii_alphanumeric()
                    || bytes[i] >= 0x80)
            {
                i += 1;
            }
            tokens.push((start, Token::Ident(&source[start..i])));
        } else if b == b'/' && regex_allowed(tokens.last().map(|(_, t)| *t)) {
            i = skip_regex(bytes, i);
            tokens.push((start, Token::Literal));
        } else {
            let len = PUNCTUATORS.iter().find(|p| source[i..].starts_with(**p)).map_or(1, |p| p.len());
            tokens.push((start, Token::Punct(&source[i..i + len])));
            i += len;
        }
    }
    tokens
}

/// Whether a `/` after `previous` starts a regular expression rather than dividing.
fn regex_allowed(previous: Option<Token<'_>>) -> bool {
    match previous {
        None => true,
        Some(Token::Literal) => false,
        Some(Token::Punct(p)) => !matches!(p, ")" | "]" | "}"),
        Some(Token::Ident(word)) => {
            matches!(word, "return" | "typeof" | "case" | "do" | "else" | "in" | "void")
        }
    }
}

fn skip_quoted(bytes: &[u8], start: usize, quote: u8) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == quote => return i + 1,
            b'\n' if quote != b'`' => return i,
            _ => i += 1,
        }
    }
    bytes.len()
}

fn skip_regex(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    let mut in_class = false;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'[' => in_class = true,
            b']' => in_class = false,
            b'/' if !in_class => {
                i += 1;
                while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                    i += 1;
                }
                return i;
            }
            b'\n' => return i,
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::check_wxs;

    fn messages(source: &str) -> Vec<&'static str> {
        check_wxs(source).into_iter().map(|p| p.message).collect()
    }

    #[test]
    fn es5_passes() {
        let source = "var a = 1.5, b = 0x1f; // let x = 1\nfunction f(o) { for (var i = 0; i < o.length; i++) {} \
                      return /a\\/b[/]/g.test('x => y') ? a / b : 'let'; }\nmodule.exports = { f: f, inside: 'a' in {} };";
        assert!(messages(source).is_empty(), "{:?}", check_wxs(source));
    }

    #[test]
    fn modern_javascript_is_refused() {
        assert_eq!(messages("let b = 2;"), ["WXS has no `let` or `const`: use `var`"]);
        assert_eq!(messages("var f = (x) => x;"), ["WXS has no arrow functions"]);
        assert_eq!(messages("var v = 1e21;"), ["WXS has no exponent number literals"]);
        assert_eq!(messages("for (var k in o) {}"), ["WXS has no `for…in` loops"]);
        assert_eq!(messages("var s = `t`;"), ["WXS has no template literals"]);
    }
}
