//! The WXML/TTML parser: source text to a syntax tree, with diagnostics and no panics.
//!
//! WXML is not XML: `{{ a < b }}` may appear in text, attributes may be bare, and `<wxs>`
//! holds raw script. The parser is lenient: it reports every problem it finds and still
//! returns the tree it could build, closing open tags where the input went wrong.

use capsule_diagnostics::{Diagnostic, Position};

/// A parsed template file.
#[derive(Clone, Debug, Default)]
pub struct SyntaxTree {
    pub nodes: Vec<SyntaxNode>,
}

#[derive(Clone, Debug)]
pub enum SyntaxNode {
    /// Text as written (entities are kept), with `{{ }}` still inside.
    Text {
        text: String,
        offset: usize,
    },
    Element(Element),
}

#[derive(Clone, Debug)]
pub struct Element {
    pub name: String,
    pub offset: usize,
    pub attrs: Vec<Attribute>,
    pub children: Vec<SyntaxNode>,
}

#[derive(Clone, Debug)]
pub struct Attribute {
    pub name: String,
    /// `None` for a bare attribute such as `checked`.
    pub value: Option<String>,
    pub offset: usize,
    /// Where the value's text starts in the source (after the quote).
    pub value_offset: usize,
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&Attribute> {
        self.attrs.iter().find(|a| a.name == name)
    }
}

/// Elements whose content is raw script, not markup.
fn is_raw_text(name: &str) -> bool {
    matches!(name, "wxs" | "sjs")
}

/// Parses `source`; diagnostics carry `file` and line:col positions.
pub fn parse(source: &str, file: &str) -> (SyntaxTree, Vec<Diagnostic>) {
    let mut parser = Parser { src: source, pos: 0, file, diagnostics: Vec::new() };
    let nodes = parser.document();
    (SyntaxTree { nodes }, parser.diagnostics)
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
    file: &'a str,
    diagnostics: Vec<Diagnostic>,
}

struct Open {
    element: Element,
    /// The enclosing children list, restored when this element closes.
    parent_children: Vec<SyntaxNode>,
}

impl<'a> Parser<'a> {
    fn error(&mut self, code: &'static str, offset: usize, message: String) {
        let position = Position::of_offset(self.src, offset);
        self.diagnostics.push(Diagnostic::error(code, message).in_file(self.file).at(position));
    }

    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    fn document(&mut self) -> Vec<SyntaxNode> {
        let mut stack: Vec<Open> = Vec::new();
        let mut children: Vec<SyntaxNode> = Vec::new();
        while self.pos < self.src.len() {
            let rest = self.rest();
            if rest.starts_with("<!--") {
                self.comment();
            } else if rest.starts_with("<!") || rest.starts_with("<?") {
                self.error(
                    "bad-markup",
                    self.pos,
                    "declarations such as `<!DOCTYPE>` and `<?xml?>` are not WXML".into(),
                );
                self.skip_to_tag_end();
            } else if let Some(after) = rest.strip_prefix("</") {
                let start = self.pos;
                let name_len = name_length(after);
                let name = &after[..name_len];
                self.pos += 2 + name_len;
                self.skip_whitespace();
                if self.rest().starts_with('>') {
                    self.pos += 1;
                } else {
                    self.error("bad-end-tag", self.pos, format!("expected `>` to end `</{name}`"));
                    self.skip_to_tag_end();
                }
                self.close(&mut stack, &mut children, name, start);
            } else if rest.starts_with('<') {
                // In WXML a `<` always opens markup, even before a space (`< view>` is a tag).
                let Some((element, self_closing)) = self.start_tag() else { continue };
                if self_closing {
                    children.push(SyntaxNode::Element(element));
                } else if is_raw_text(&element.name) {
                    let element = self.raw_text(element);
                    children.push(SyntaxNode::Element(element));
                } else {
                    stack.push(Open { element, parent_children: std::mem::take(&mut children) });
                }
            } else {
                self.text(&mut children);
            }
        }
        while let Some(open) = stack.pop() {
            let name = open.element.name.clone();
            self.error("unclosed-tag", open.element.offset, format!("expected end tag `</{name}>`"));
            let mut element = open.element;
            element.children = std::mem::replace(&mut children, open.parent_children);
            children.push(SyntaxNode::Element(element));
        }
        children
    }

    /// Handles `</name>`: closes the matching open element, reporting anything left open.
    fn close(&mut self, stack: &mut Vec<Open>, children: &mut Vec<SyntaxNode>, name: &str, offset: usize) {
        let Some(depth) = stack.iter().rposition(|open| open.element.name == name) else {
            match stack.last() {
                Some(open) => {
                    let message = format!("expected end tag `</{}>`, found `</{name}>`", open.element.name);
                    self.error("mismatched-end-tag", offset, message);
                }
                None => self.error("stray-end-tag", offset, format!("end tag `</{name}>` has no start tag")),
            }
            return;
        };
        while stack.len() > depth {
            let Some(open) = stack.pop() else { break };
            if stack.len() > depth {
                self.error(
                    "mismatched-end-tag",
                    offset,
                    format!("expected end tag `</{}>`, found `</{name}>`", open.element.name),
                );
            }
            let mut element = open.element;
            element.children = std::mem::replace(children, open.parent_children);
            children.push(SyntaxNode::Element(element));
        }
    }

    fn comment(&mut self) {
        match self.rest()[4..].find("-->") {
            Some(end) => self.pos += 4 + end + 3,
            // wcc lets a comment that never ends run to the end of the file.
            None => self.pos = self.src.len(),
        }
    }

    fn skip_whitespace(&mut self) {
        let n = self.rest().len() - self.rest().trim_start().len();
        self.pos += n;
    }

    /// After a reported problem in a start tag: skip to its `>` and keep the element, open
    /// unless the tag ended with `/>`, so its end tag does not cause a second error.
    fn recover_start_tag(&mut self, element: Element) -> (Element, bool) {
        self.skip_to_tag_end();
        let self_closing = self.src[..self.pos].ends_with("/>") || self.pos >= self.src.len();
        (element, self_closing)
    }

    fn skip_to_tag_end(&mut self) {
        match self.rest().find('>') {
            Some(i) => self.pos += i + 1,
            None => self.pos = self.src.len(),
        }
    }

    /// Parses `<name attr...>` or `<name .../>`; the position is at `<`.
    fn start_tag(&mut self) -> Option<(Element, bool)> {
        let offset = self.pos;
        self.pos += 1;
        self.skip_whitespace();
        let name_len = name_length(self.rest());
        let first = self.rest().chars().next();
        if name_len == 0 || first.is_some_and(|c| c.is_ascii_digit()) {
            let what = match first {
                Some(c) => format!("unexpected `{c}` where a tag name should start"),
                None => "the file ends inside a tag".to_string(),
            };
            self.error("bad-tag", self.pos, what);
            self.skip_to_tag_end();
            return None;
        }
        let name = self.rest()[..name_len].to_string();
        self.pos += name_len;
        if name.starts_with("wx-") {
            self.error(
                "reserved-tag",
                offset,
                format!("`<{name}>`: tag names starting with `wx-` are reserved"),
            );
        }
        let mut attrs: Vec<Attribute> = Vec::new();
        loop {
            self.skip_whitespace();
            let rest = self.rest();
            if rest.is_empty() {
                self.error("unclosed-tag", offset, format!("start tag `<{name}` is not closed with `>`"));
                return Some((Element { name, offset, attrs, children: Vec::new() }, true));
            }
            if rest.starts_with('/') {
                if rest.starts_with("/>") {
                    self.pos += 2;
                    return Some((Element { name, offset, attrs, children: Vec::new() }, true));
                }
                self.error("bad-tag", self.pos + 1, format!("expected `>` right after `/` in `<{name}>`"));
                return Some(self.recover_start_tag(Element { name, offset, attrs, children: Vec::new() }));
            }
            if rest.starts_with('>') {
                self.pos += 1;
                return Some((Element { name, offset, attrs, children: Vec::new() }, false));
            }
            let attr_len = attr_name_length(rest);
            let first = rest.chars().next().unwrap_or(' ');
            if attr_len == 0 || first.is_ascii_digit() {
                self.error(
                    "bad-attribute",
                    self.pos,
                    format!("unexpected `{first}` in start tag `<{name}>`"),
                );
                return Some(self.recover_start_tag(Element { name, offset, attrs, children: Vec::new() }));
            }
            let attr_offset = self.pos;
            let attr_name = rest[..attr_len].to_string();
            self.pos += attr_len;
            let before_eq = self.pos;
            self.skip_whitespace();
            let (value, value_offset) = if self.rest().starts_with('=') {
                self.pos += 1;
                self.skip_whitespace();
                match self.attribute_value(&name, &attr_name) {
                    Some(value) => value,
                    None => {
                        return Some(self.recover_start_tag(Element {
                            name,
                            offset,
                            attrs,
                            children: Vec::new(),
                        }));
                    }
                }
            } else {
                self.pos = before_eq;
                if self.rest().chars().next().is_some_and(|c| !(c.is_whitespace() || c == '>' || c == '/')) {
                    let c = self.rest().chars().next().unwrap_or(' ');
                    self.error(
                        "bad-attribute",
                        self.pos,
                        format!("unexpected `{c}` in attribute name `{attr_name}`"),
                    );
                    return Some(self.recover_start_tag(Element {
                        name,
                        offset,
                        attrs,
                        children: Vec::new(),
                    }));
                }
                (None, before_eq)
            };
            let attribute = Attribute { name: attr_name, value, offset: attr_offset, value_offset };
            // Of two same-named attributes the last counts, as in wcc.
            match attrs.iter_mut().find(|a| a.name == attribute.name) {
                Some(earlier) => *earlier = attribute,
                None => attrs.push(attribute),
            }
        }
    }

    /// A quoted attribute value: `(raw text, where it starts)`. `\` keeps the next character
    /// from ending the value; a line feed inside is an error, as in wcc.
    fn attribute_value(&mut self, tag: &str, attr: &str) -> Option<(Option<String>, usize)> {
        let rest = self.rest();
        let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            let found = rest.chars().next().map_or("the end of the file".to_string(), |c| format!("`{c}`"));
            self.error(
                "unquoted-attribute",
                self.pos,
                format!("value of `{attr}` in `<{tag}>` must be quoted, found {found}"),
            );
            return None;
        };
        let start = self.pos + 1;
        let bytes = rest.as_bytes();
        let mut i = 1;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 2,
                b'\n' => {
                    self.error(
                        "newline-in-attribute",
                        self.pos + i,
                        format!("line break inside the value of `{attr}`"),
                    );
                    return None;
                }
                b if b == quote as u8 => {
                    self.pos = start + i;
                    return Some((Some(rest[1..i].to_string()), start));
                }
                _ => i += 1,
            }
        }
        self.error(
            "unclosed-attribute",
            self.pos,
            format!("value of `{attr}` in `<{tag}>` is not closed with {quote}"),
        );
        self.pos = self.src.len();
        None
    }

    /// Reads the raw content of `<wxs>` up to its end tag.
    fn raw_text(&mut self, mut element: Element) -> Element {
        let close = format!("</{}", element.name);
        let content_start = self.pos;
        match self.rest().find(&close) {
            Some(end) => {
                let text = self.rest()[..end].to_string();
                self.pos += end + close.len();
                self.skip_whitespace();
                if self.rest().starts_with('>') {
                    self.pos += 1;
                }
                if !text.is_empty() {
                    element.children.push(SyntaxNode::Text { text, offset: content_start });
                }
            }
            None => {
                let name = element.name.clone();
                self.error("unclosed-tag", element.offset, format!("expected end tag `</{name}>`"));
                let text = self.rest().to_string();
                self.pos = self.src.len();
                element.children.push(SyntaxNode::Text { text, offset: content_start });
            }
        }
        element
    }

    /// Text up to the next tag; `<` inside `{{ }}` does not end it.
    fn text(&mut self, children: &mut Vec<SyntaxNode>) {
        let start = self.pos;
        let bytes = self.src.as_bytes();
        let mut i = self.pos;
        while i < bytes.len() {
            match bytes[i] {
                b'{' if bytes.get(i + 1) == Some(&b'{') => match mustache_end(&self.src[i + 2..]) {
                    Some(len) => i += 2 + len + 2,
                    None => {
                        // Reported by the compiler, which knows the mustache's context.
                        i = bytes.len();
                    }
                },
                // wcc's lexer takes a lone `{` together with the character after it, so `{<`
                // is text, not the start of a tag.
                b'{' => i += 1 + self.src[i + 1..].chars().next().map_or(0, char::len_utf8),
                b'<' => break,
                _ => i += 1,
            }
        }
        self.pos = i;
        children.push(SyntaxNode::Text { text: self.src[start..i].to_string(), offset: start });
    }
}

/// The length of a mustache body: the offset of its closing `}}`, skipping quoted strings.
pub fn mustache_end(body: &str) -> Option<usize> {
    let bytes = body.as_bytes();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(_) if b == b'\\' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'\'' || b == b'"' => quote = Some(b),
            // The first `}}` outside a string ends it, as in wcc (`{{a}}}` is `a` then `}`).
            None if b == b'}' && bytes.get(i + 1) == Some(&b'}') => return Some(i),
            None => {}
        }
        i += 1;
    }
    None
}

/// Tag and attribute names: ASCII letters, digits, `_`, `-` and `:` (wcc rejects the rest).
fn name_length(s: &str) -> usize {
    s.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':'))).unwrap_or(s.len())
}

fn attr_name_length(s: &str) -> usize {
    name_length(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(nodes: &[SyntaxNode]) -> Vec<String> {
        nodes
            .iter()
            .map(|n| match n {
                SyntaxNode::Text { text, .. } => format!("{text:?}"),
                SyntaxNode::Element(e) => format!("<{}>{}", e.name, names(&e.children).join("")),
            })
            .collect()
    }

    #[test]
    fn mustaches_may_hold_angle_brackets() {
        let (tree, diagnostics) = parse("<view>{{a < b}} x</view>", "t.wxml");
        assert!(diagnostics.is_empty());
        assert_eq!(names(&tree.nodes), ["<view>\"{{a < b}} x\""]);
    }

    #[test]
    fn mismatched_end_tag_is_reported_and_recovered() {
        let (tree, diagnostics) = parse("<view><text>open</view>", "t.wxml");
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].code, "mismatched-end-tag");
        assert_eq!(diagnostics[0].position, Position::new(1, 17));
        assert_eq!(names(&tree.nodes), ["<view><text>\"open\""]);
    }

    #[test]
    fn unclosed_tags_are_reported_at_their_start() {
        let (_, diagnostics) = parse("<view>\n  <text>", "t.wxml");
        let found: Vec<_> = diagnostics.iter().map(|d| (d.code, d.position)).collect();
        assert_eq!(found, [("unclosed-tag", Position::new(2, 3)), ("unclosed-tag", Position::new(1, 1))]);
    }

    #[test]
    fn wxs_content_is_raw() {
        let (tree, diagnostics) = parse("<wxs module=\"m\">var a = 1 < 2;</wxs>", "t.wxml");
        assert!(diagnostics.is_empty());
        assert_eq!(names(&tree.nodes), ["<wxs>\"var a = 1 < 2;\""]);
    }
}
