//! The `{{ }}` expression language: tokens, a Pratt parser and the expression tree.

use std::sync::Arc;

use crate::escape::{Piece, static_text};
use crate::value::Value;

/// A parsed `{{ }}` expression.
#[derive(Clone, Debug)]
pub enum Expr {
    Literal(Value),
    Ident(Arc<str>),
    /// `object.name`
    Member(Box<Expr>, Arc<str>),
    /// `object[key]`
    Index(Box<Expr>, Box<Expr>),
    Call(Box<Expr>, Vec<Expr>),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Conditional(Box<Expr>, Box<Expr>, Box<Expr>),
    Array(Vec<Element>),
    Object(Vec<Property>),
}

/// An item of an array literal.
#[derive(Clone, Debug)]
pub enum Element {
    Item(Expr),
}

/// An entry of an object literal (also the body of a template's `data`).
#[derive(Clone, Debug)]
pub enum Property {
    KeyValue(Arc<str>, Expr),
    Spread(Expr),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    Negate,
    BitNot,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Eq,
    NotEq,
    StrictEq,
    StrictNotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    BitAnd,
    BitOr,
    BitXor,
    ShiftLeft,
    ShiftRight,
}

/// A syntax error in an expression, at a byte offset into the expression's source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExprError {
    pub offset: usize,
    pub message: String,
}

/// Parses a whole `{{ }}` body as one expression.
pub fn parse_expression(source: &str) -> Result<Expr, ExprError> {
    let mut parser = Parser::new(source)?;
    let expr = parser.expression()?;
    parser.expect_end()?;
    Ok(expr)
}

/// Parses the body of a template's `data="{{ }}"`: object entries without braces
/// (`a: 1, b`, `...item`), so `{{item}}` means `{item: item}`.
pub fn parse_object_body(source: &str) -> Result<Expr, ExprError> {
    let mut parser = Parser::new(source)?;
    let properties = parser.properties(Tok::End)?;
    parser.expect_end()?;
    Ok(Expr::Object(properties))
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Number(f64),
    Str(String),
    Ident(String),
    Punct(&'static str),
    End,
}

struct Token {
    tok: Tok,
    offset: usize,
}

/// The operators wcc's expression language has (no `>>>`, `**`, `??`, `?.` or assignment).
const PUNCTUATORS: [&str; 33] = [
    "===", "!==", "...", "==", "!=", "<=", ">=", "&&", "||", "<<", ">>", "?", ":", ".", ",", "(", ")", "[",
    "]", "{", "}", "+", "-", "*", "/", "%", "<", ">", "!", "~", "&", "|", "^",
];

fn tokenize(source: &str) -> Result<Vec<Token>, ExprError> {
    let bytes = source.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = source[i..].chars().next().unwrap_or(' ');
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        let start = i;
        if c.is_ascii_digit() || (c == '.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            let (n, len) = lex_number(&source[i..])
                .ok_or_else(|| ExprError { offset: i, message: "invalid number".into() })?;
            tokens.push(Token { tok: Tok::Number(n), offset: start });
            i += len;
        } else if c == '\'' || c == '"' {
            let (s, len) = lex_string(&source[i..], c)
                .map_err(|offset| ExprError { offset: i + offset, message: "unterminated string".into() })?;
            tokens.push(Token { tok: Tok::Str(s), offset: start });
            i += len;
        } else if c == '_' || c == '$' || c.is_alphabetic() {
            let len = source[i..]
                .char_indices()
                .find(|&(_, c)| !(c == '_' || c == '$' || c.is_alphanumeric()))
                .map_or(source.len() - i, |(j, _)| j);
            tokens.push(Token { tok: Tok::Ident(source[i..i + len].to_string()), offset: start });
            i += len;
        } else if let Some(p) = PUNCTUATORS.iter().find(|p| source[i..].starts_with(**p)) {
            tokens.push(Token { tok: Tok::Punct(p), offset: start });
            i += p.len();
        } else {
            return Err(ExprError { offset: i, message: format!("unexpected character `{c}`") });
        }
    }
    tokens.push(Token { tok: Tok::End, offset: source.len() });
    Ok(tokens)
}

/// Lexes a number literal as wcc reads them: decimal digits with an optional fraction, or a
/// legacy octal integer (`010` is 8; `08` is decimal). No hex, no exponent.
fn lex_number(s: &str) -> Option<(f64, usize)> {
    let bytes = s.as_bytes();
    let mut len = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    let octal = len > 1 && bytes[0] == b'0' && bytes[..len].iter().all(|b| (b'0'..=b'7').contains(b));
    if octal {
        if bytes.get(len) == Some(&b'.') {
            return None;
        }
        let value = bytes[1..len].iter().fold(0.0, |acc, b| acc * 8.0 + f64::from(b - b'0'));
        return Some((value, len));
    }
    // `1.5`, `.5` and `1.` are numbers; `1.x` is not (member access on a number is an error).
    if bytes.get(len) == Some(&b'.')
        && !bytes.get(len + 1).is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
    {
        len += 1 + bytes[len + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
    }
    Some((s[..len].parse().ok()?, len))
}

/// Lexes a quoted string; on failure returns the offset of the problem. A backslash only keeps
/// the next character from ending the string; its meaning is wcc's (see `escape`).
fn lex_string(s: &str, quote: char) -> Result<(String, usize), usize> {
    let bytes = s.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'\n' => return Err(i),
            b if b == quote as u8 => {
                let content = static_text(&s[1..i], Piece::StringLiteral).into_owned();
                return Ok((content, i + 1));
            }
            _ => i += 1,
        }
    }
    Err(s.len())
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn new(source: &str) -> Result<Self, ExprError> {
        Ok(Self { tokens: tokenize(source)?, pos: 0 })
    }

    fn peek(&self) -> &Tok {
        &self.tokens[self.pos.min(self.tokens.len() - 1)].tok
    }

    fn offset(&self) -> usize {
        self.tokens[self.pos.min(self.tokens.len() - 1)].offset
    }

    fn next(&mut self) -> Tok {
        let tok = self.peek().clone();
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
        tok
    }

    /// Steps back over the token `next` returned, to report it.
    fn unexpected_previous<T>(&mut self, previous: usize) -> Result<T, ExprError> {
        self.pos = previous;
        self.unexpected()
    }

    fn eat(&mut self, punct: &str) -> bool {
        if matches!(self.peek(), Tok::Punct(p) if *p == punct) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn error<T>(&self, message: impl Into<String>) -> Result<T, ExprError> {
        Err(ExprError { offset: self.offset(), message: message.into() })
    }

    fn unexpected<T>(&self) -> Result<T, ExprError> {
        match self.peek() {
            Tok::End => self.error("unexpected end of expression"),
            Tok::Punct(p) => self.error(format!("unexpected token `{p}`")),
            Tok::Ident(name) => self.error(format!("unexpected identifier `{name}`")),
            Tok::Number(_) => self.error("unexpected number"),
            Tok::Str(_) => self.error("unexpected string"),
        }
    }

    fn expect(&mut self, punct: &str) -> Result<(), ExprError> {
        if self.eat(punct) { Ok(()) } else { self.unexpected() }
    }

    fn expect_end(&mut self) -> Result<(), ExprError> {
        if *self.peek() == Tok::End { Ok(()) } else { self.unexpected() }
    }

    fn expression(&mut self) -> Result<Expr, ExprError> {
        let condition = self.binary(0)?;
        if !self.eat("?") {
            return Ok(condition);
        }
        let then = self.expression()?;
        self.expect(":")?;
        let otherwise = self.expression()?;
        Ok(Expr::Conditional(Box::new(condition), Box::new(then), Box::new(otherwise)))
    }

    /// Binary operators by precedence climbing; `min` is the lowest precedence accepted.
    fn binary(&mut self, min: u8) -> Result<Expr, ExprError> {
        let mut left = self.unary()?;
        while let Tok::Punct(p) = *self.peek() {
            let Some(precedence) = binary_precedence(p).filter(|&precedence| precedence >= min) else {
                break;
            };
            self.pos += 1;
            let right = self.binary(precedence + 1)?;
            left = match p {
                "&&" => Expr::And(Box::new(left), Box::new(right)),
                "||" => Expr::Or(Box::new(left), Box::new(right)),
                _ => Expr::Binary(binary_op(p), Box::new(left), Box::new(right)),
            };
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, ExprError> {
        let op = match self.peek() {
            Tok::Punct("!") => UnaryOp::Not,
            Tok::Punct("-") => UnaryOp::Negate,
            Tok::Punct("~") => UnaryOp::BitNot,
            _ => return self.postfix(),
        };
        self.pos += 1;
        let operand = self.unary()?;
        Ok(Expr::Unary(op, Box::new(operand)))
    }

    /// Member access, indexing and calls, which wcc allows on names and array literals only:
    /// not on other literals or parenthesised expressions (`'abc'.length`, `(s).length`).
    fn postfix(&mut self) -> Result<Expr, ExprError> {
        let parenthesised = matches!(self.peek(), Tok::Punct("("));
        let mut expr = self.primary()?;
        if parenthesised || !matches!(expr, Expr::Ident(_) | Expr::Array(_)) {
            return Ok(expr);
        }
        loop {
            if self.eat(".") {
                let at = self.pos;
                match self.next() {
                    Tok::Ident(name) if !is_literal_keyword(&name) => {
                        expr = Expr::Member(Box::new(expr), name.into());
                    }
                    _ => return self.unexpected_previous(at),
                }
            } else if self.eat("[") {
                let key = self.expression()?;
                self.expect("]")?;
                expr = Expr::Index(Box::new(expr), Box::new(key));
            } else if self.eat("(") {
                let mut args = Vec::new();
                while !self.eat(")") {
                    args.push(self.expression()?);
                    if !self.eat(",") {
                        self.expect(")")?;
                        break;
                    }
                }
                expr = Expr::Call(Box::new(expr), args);
            } else {
                return Ok(expr);
            }
        }
    }

    fn primary(&mut self) -> Result<Expr, ExprError> {
        let at = self.pos;
        match self.next() {
            Tok::Number(n) => Ok(Expr::Literal(Value::Number(n))),
            Tok::Str(s) => Ok(Expr::Literal(Value::string(s))),
            Tok::Ident(name) => Ok(match name.as_str() {
                "true" => Expr::Literal(Value::Bool(true)),
                "false" => Expr::Literal(Value::Bool(false)),
                "null" => Expr::Literal(Value::Null),
                "undefined" => Expr::Literal(Value::Undefined),
                _ => Expr::Ident(name.into()),
            }),
            Tok::Punct("(") => {
                let inner = self.expression()?;
                self.expect(")")?;
                Ok(inner)
            }
            Tok::Punct("[") => {
                let mut items = Vec::new();
                while !self.eat("]") {
                    items.push(Element::Item(self.expression()?));
                    if !self.eat(",") {
                        self.expect("]")?;
                        break;
                    }
                }
                Ok(Expr::Array(items))
            }
            Tok::Punct("{") => Ok(Expr::Object(self.properties(Tok::Punct("}"))?)),
            _ => self.unexpected_previous(at),
        }
    }

    /// Object entries up to and including `close` (`}` or the end of input): `key: value`,
    /// `...spread` or a shorthand `key`; keys are names; at least one entry, no trailing comma.
    fn properties(&mut self, close: Tok) -> Result<Vec<Property>, ExprError> {
        let mut properties = Vec::new();
        loop {
            if self.eat("...") {
                properties.push(Property::Spread(self.expression()?));
            } else {
                let at = self.pos;
                let key: Arc<str> = match self.next() {
                    Tok::Ident(name) => name.into(),
                    _ => return self.unexpected_previous(at),
                };
                if self.eat(":") {
                    properties.push(Property::KeyValue(key, self.expression()?));
                } else {
                    properties.push(Property::KeyValue(key.clone(), Expr::Ident(key)));
                }
            }
            if *self.peek() == close {
                if close != Tok::End {
                    self.pos += 1;
                }
                return Ok(properties);
            }
            self.expect(",")?;
        }
    }
}

/// Literal words that cannot name a property after `.` (`o.null` is an error in wcc).
fn is_literal_keyword(name: &str) -> bool {
    matches!(name, "true" | "false" | "null" | "undefined")
}

/// JavaScript's precedence for the binary operators wcc has.
fn binary_precedence(p: &str) -> Option<u8> {
    Some(match p {
        "||" => 1,
        "&&" => 2,
        "|" => 3,
        "^" => 4,
        "&" => 5,
        "==" | "!=" | "===" | "!==" => 6,
        "<" | "<=" | ">" | ">=" => 7,
        "<<" | ">>" => 8,
        "+" | "-" => 9,
        "*" | "/" | "%" => 10,
        _ => return None,
    })
}

fn binary_op(p: &str) -> BinaryOp {
    match p {
        "+" => BinaryOp::Add,
        "-" => BinaryOp::Sub,
        "*" => BinaryOp::Mul,
        "/" => BinaryOp::Div,
        "%" => BinaryOp::Rem,
        "==" => BinaryOp::Eq,
        "!=" => BinaryOp::NotEq,
        "===" => BinaryOp::StrictEq,
        "!==" => BinaryOp::StrictNotEq,
        "<" => BinaryOp::Lt,
        "<=" => BinaryOp::LtEq,
        ">" => BinaryOp::Gt,
        ">=" => BinaryOp::GtEq,
        "&" => BinaryOp::BitAnd,
        "|" => BinaryOp::BitOr,
        "^" => BinaryOp::BitXor,
        "<<" => BinaryOp::ShiftLeft,
        _ => BinaryOp::ShiftRight,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(source: &str) -> String {
        format!("{:?}", parse_expression(source).unwrap())
    }

    #[test]
    fn precedence_and_associativity() {
        assert_eq!(shape("a + b * 2"), shape("a + (b * 2)"));
        assert_eq!(shape("a ? b ? 1 : 2 : 3"), shape("a ? (b ? 1 : 2) : 3"));
        assert_eq!(shape("a || b && c"), shape("a || (b && c)"));
        assert_eq!(shape("a - b - c"), shape("(a - b) - c"));
    }

    #[test]
    fn errors_point_at_the_token() {
        let err = parse_expression("a + ").unwrap_err();
        assert_eq!(err.offset, 4);
        let err = parse_expression("a $ b").unwrap_err();
        assert_eq!(err.offset, 2);
        assert!(parse_expression("'open").is_err());
    }

    #[test]
    fn template_data_bodies() {
        assert!(matches!(parse_object_body("a: 1, b, ...c").unwrap(), Expr::Object(p) if p.len() == 3));
        assert!(matches!(parse_object_body("label").unwrap(), Expr::Object(p) if p.len() == 1));
    }
}
