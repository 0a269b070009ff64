//! Compiles a syntax tree to the IR: directives, interpolation, attribute naming, file references.

use std::sync::Arc;

use capsule_diagnostics::{Diagnostic, Position};

use crate::escape::{Piece, static_text, unescape_attribute};
use crate::expr::{self, Expr};
use crate::ir::{
    AttrValue, Attribute, CompiledFile, Element, ForLoop, Interpolated, LoopKey, ModuleDecl, Node, Part,
};
use crate::path::resolve;
use crate::syntax::{self, SyntaxNode};
use crate::wxs_check::check_wxs;

/// Parses and compiles one template file at project path `path`.
pub fn compile(source: &str, path: &str) -> (CompiledFile, Vec<Diagnostic>) {
    // Windows line ends read as `\n`, as wcc reads them.
    let normalized;
    let source = if source.contains("\r\n") {
        normalized = source.replace("\r\n", "\n");
        normalized.as_str()
    } else {
        source
    };
    let (tree, diagnostics) = syntax::parse(source, path);
    let mut compiler = Compiler {
        source,
        path,
        diagnostics,
        file: CompiledFile { path: path.to_string(), ..CompiledFile::default() },
        next_loop: 0,
        dialect: Dialect::of_path(path),
    };
    let nodes = compiler.children(&tree.nodes);
    compiler.file.nodes = nodes;
    (compiler.file, compiler.diagnostics)
}

/// Which directive prefixes a file understands: WXML knows `wx:` only (wcc treats `tt:if` as an
/// ordinary attribute); TTML knows `tt:` and, for templates ported from WeChat, `wx:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Wxml,
    Ttml,
}

impl Dialect {
    pub fn of_path(path: &str) -> Self {
        if path.ends_with(".ttml") { Dialect::Ttml } else { Dialect::Wxml }
    }

    /// The directive an attribute names (`if`, `for-item`, ...), if it is one.
    pub fn directive(self, name: &str) -> Option<&str> {
        match self {
            Dialect::Wxml => name.strip_prefix("wx:"),
            Dialect::Ttml => name.strip_prefix("tt:").or_else(|| name.strip_prefix("wx:")),
        }
    }
}

struct Compiler<'a> {
    source: &'a str,
    path: &'a str,
    diagnostics: Vec<Diagnostic>,
    file: CompiledFile,
    next_loop: u32,
    dialect: Dialect,
}

impl Compiler<'_> {
    fn error(&mut self, code: &'static str, offset: usize, message: String) {
        let position = Position::of_offset(self.source, offset);
        self.diagnostics.push(Diagnostic::error(code, message).in_file(self.path).at(position));
    }

    /// Compiles a list of siblings, gathering `wx:if`/`wx:elif`/`wx:else` into chains.
    fn children(&mut self, nodes: &[SyntaxNode]) -> Vec<Node> {
        let mut out: Vec<Node> = Vec::new();
        // Whether the last node in `out` is an if-chain that an `elif`/`else` may extend.
        let mut chain_open = false;
        for node in nodes {
            let element = match node {
                SyntaxNode::Text { text, offset } => {
                    // Only ASCII blanks make a text node ignorable; NBSP or U+3000 are content.
                    if text.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')) {
                        continue;
                    }
                    chain_open = false;
                    let text = self.interpolate(text, *offset);
                    out.push(Node::Text(text));
                    continue;
                }
                SyntaxNode::Element(element) => element,
            };
            let conditions: Vec<(&str, &syntax::Attribute)> = element
                .attrs
                .iter()
                .filter_map(|a| match self.dialect.directive(&a.name) {
                    Some(kind @ ("if" | "elif" | "else")) => Some((kind, a)),
                    _ => None,
                })
                .collect();
            if let [_, (_, second), ..] = conditions[..] {
                let message = format!("`{}` cannot share an element with another condition", second.name);
                self.error("conflicting-conditions", second.offset, message);
            }
            let condition = conditions.first().copied();
            let for_loop = self.loop_of(element);
            let Some(mut compiled) = self.element(element) else {
                // `<wxs>` leaves a `wx:if` chain open; imports and template definitions end it.
                chain_open &= matches!(element.name.as_str(), "wxs" | "sjs");
                continue;
            };
            if let Some((kind, attr)) = condition
                && kind != "else"
                && attr.value.is_none()
            {
                self.error(
                    "missing-condition",
                    attr.offset,
                    format!("`{}` needs a `{{{{ }}}}` value", attr.name),
                );
            }
            if let Some(mut for_loop) = for_loop {
                // `wx:for` applies first: the condition is tested for each item.
                match condition {
                    Some(("if", attr)) => {
                        compiled = Node::If(vec![(Some(self.attr_interpolation(attr)), compiled)])
                    }
                    Some((_, attr)) => self.error(
                        "else-with-for",
                        attr.offset,
                        format!("`{}` cannot share an element with `wx:for`", attr.name),
                    ),
                    None => {}
                }
                for_loop.body = compiled;
                out.push(Node::For(Box::new(for_loop)));
                chain_open = false;
                continue;
            }
            match condition {
                Some(("if", attr)) => {
                    let test = self.attr_interpolation(attr);
                    out.push(Node::If(vec![(Some(test), compiled)]));
                    chain_open = true;
                }
                Some((kind, attr)) => {
                    let test = (kind == "elif").then(|| self.attr_interpolation(attr));
                    match out.last_mut() {
                        Some(Node::If(branches)) if chain_open => branches.push((test, compiled)),
                        _ => {
                            self.error(
                                "orphan-else",
                                attr.offset,
                                format!("`{}` must follow an element with `wx:if` or `wx:elif`", attr.name),
                            );
                            out.push(compiled);
                        }
                    }
                    chain_open = kind == "elif";
                }
                None => {
                    chain_open = false;
                    out.push(compiled);
                }
            }
        }
        out
    }

    /// Compiles one element without its directives; `None` for elements that render nothing here.
    fn element(&mut self, element: &syntax::Element) -> Option<Node> {
        let name = element.name.as_str();
        let node = match name {
            "import" => {
                if let Some(src) = self.src_attr(element) {
                    self.file.imports.push(src);
                }
                return None;
            }
            "wxs" | "sjs" => {
                self.module(element);
                return None;
            }
            "include" => Node::Include { path: self.src_attr(element)? },
            "template" if element.attr("name").is_some() => {
                let attr = element.attr("name")?;
                let template_name: Arc<str> = attr.value.as_deref().unwrap_or_default().into();
                let body: Arc<[Node]> = self.children(&element.children).into();
                self.file.templates.push((template_name, body));
                return None;
            }
            "template" => {
                let Some(is) = element.attr("is") else {
                    self.error(
                        "template-without-name",
                        element.offset,
                        "`<template>` needs `name` or `is`".into(),
                    );
                    return None;
                };
                let name = self.attr_interpolation(is);
                let data = element.attr("data").and_then(|attr| self.template_data(attr));
                Node::CallTemplate { name, data }
            }
            "block" => Node::Block(self.children(&element.children)),
            _ => Node::Element(Element {
                tag: name.into(),
                attrs: self.attributes(element),
                children: self.children(&element.children),
            }),
        };
        Some(node)
    }

    /// The element's `wx:for`, with an empty body for the caller to fill.
    fn loop_of(&mut self, element: &syntax::Element) -> Option<ForLoop> {
        let mut list = None;
        let mut item: Arc<str> = "item".into();
        let mut index: Arc<str> = "index".into();
        let mut key = None;
        for attr in &element.attrs {
            match self.dialect.directive(&attr.name) {
                Some("for" | "for-items") => list = Some(self.attr_interpolation(attr)),
                // Names are taken as written (wcc does not trim them); empty means the default.
                Some("for-item") => {
                    item = attr.value.as_deref().filter(|v| !v.is_empty()).unwrap_or("item").into()
                }
                Some("for-index") => {
                    index = attr.value.as_deref().filter(|v| !v.is_empty()).unwrap_or("index").into();
                }
                Some("key") => {
                    key = attr
                        .value
                        .as_deref()
                        .map(str::trim)
                        .filter(|k| !k.is_empty())
                        .map(|k| if k == "*this" { LoopKey::This } else { LoopKey::Property(k.into()) });
                }
                _ => {}
            }
        }
        let list = list?;
        self.next_loop += 1;
        Some(ForLoop { id: self.next_loop, list, item, index, key, body: Node::Block(Vec::new()) })
    }

    /// The element's attributes in wcc's order: bare ones, then valued ones, each sorted by
    /// name. Two names that camel-case alike keep the later value in that order.
    fn attributes(&mut self, element: &syntax::Element) -> Vec<Attribute> {
        let mut written: Vec<&syntax::Attribute> = element.attrs.iter().collect();
        written.sort_by(|a, b| (a.value.is_some(), &a.name).cmp(&(b.value.is_some(), &b.name)));
        let mut attrs: Vec<Attribute> = Vec::with_capacity(written.len());
        for attr in written {
            if self.dialect.directive(&attr.name).is_some() || attr.name.starts_with("generic:") {
                // `generic:` names a component for an abstract node: it is resolved at build
                // time, so it must be static and leaves no attribute.
                if attr.name.starts_with("generic:")
                    && attr.value.as_deref().is_some_and(|v| v.contains("{{"))
                {
                    self.error(
                        "dynamic-generic",
                        attr.offset,
                        format!("`{}` must name a component, not hold `{{{{ }}}}`", attr.name),
                    );
                }
                continue;
            }
            let value = match &attr.value {
                None => AttrValue::Bare,
                Some(_) => AttrValue::Interpolated(self.attr_interpolation(attr)),
            };
            let name: Arc<str> = tree_attribute_name(&attr.name).into();
            match attrs.iter_mut().find(|a| a.name == name) {
                Some(earlier) => earlier.value = value,
                None => attrs.push(Attribute { name, value }),
            }
        }
        attrs
    }

    fn attr_interpolation(&mut self, attr: &syntax::Attribute) -> Interpolated {
        match &attr.value {
            Some(value) => self.interpolate(&unescape_attribute(value), attr.value_offset),
            None => Interpolated::Literal("".into()),
        }
    }

    fn src_attr(&mut self, element: &syntax::Element) -> Option<String> {
        let Some(src) = element.attr("src").and_then(|a| a.value.as_deref()) else {
            self.error("missing-src", element.offset, format!("`<{}>` needs a `src`", element.name));
            return None;
        };
        let target = if src.ends_with(".wxml")
            || src.ends_with(".ttml")
            || src.ends_with(".wxs")
            || src.ends_with(".sjs")
        {
            src.to_string()
        } else if element.name == "wxs" || element.name == "sjs" {
            format!("{src}.{}", element.name)
        } else {
            format!("{src}.{}", self.path.rsplit_once('.').map_or("wxml", |(_, ext)| ext))
        };
        match resolve(self.path, &target) {
            Some(path) => Some(path),
            None => {
                self.error("bad-path", element.offset, format!("`{src}` points outside the project"));
                None
            }
        }
    }

    fn module(&mut self, element: &syntax::Element) {
        let Some(name) = element.attr("module").and_then(|a| a.value.clone()) else {
            self.error(
                "wxs-without-module",
                element.offset,
                format!("`<{}>` needs a `module` name", element.name),
            );
            return;
        };
        let valid = name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && name.bytes().next().is_some_and(|b| !b.is_ascii_digit());
        if !valid {
            let message = format!(
                "invalid module name `{name}`: use letters, digits and `_`, not starting with a digit"
            );
            self.error("bad-module-name", element.offset, message);
            return;
        }
        let has_content = element.children.iter().any(|child| match child {
            SyntaxNode::Text { text, .. } => !text.trim().is_empty(),
            SyntaxNode::Element(_) => true,
        });
        if element.attr("src").is_some() && has_content {
            let message = format!("`<{}>` with `src` must not hold a script of its own", element.name);
            self.error("wxs-src-with-content", element.offset, message);
            return;
        }
        let (source_key, inline_source) = if element.attr("src").is_some() {
            match self.src_attr(element) {
                Some(path) => (path, None),
                None => return,
            }
        } else {
            let mut script = String::new();
            for child in &element.children {
                if let SyntaxNode::Text { text, offset } = child {
                    for problem in check_wxs(text) {
                        self.error("wxs-syntax", offset + problem.offset, problem.message.to_string());
                    }
                    script.push_str(text);
                }
            }
            (format!("{}#{name}", self.path), Some(script))
        };
        // Of two modules with one name the last wins, as in wcc.
        self.file.modules.retain(|m| *m.name != *name);
        self.file.modules.push(ModuleDecl { name: name.into(), source_key, inline_source });
    }

    /// `data="{{a: 1, b}}"` on a `<template is>`: an object body.
    fn template_data(&mut self, attr: &syntax::Attribute) -> Option<Expr> {
        let value = attr.value.as_deref()?;
        let trimmed = value.trim();
        let Some(body) = trimmed.strip_prefix("{{").and_then(|b| b.strip_suffix("}}")) else {
            self.error("bad-template-data", attr.value_offset, "`data` must be one `{{ }}`".into());
            return None;
        };
        let body_offset = attr.value_offset + (value.len() - value.trim_start().len()) + 2;
        match expr::parse_object_body(body) {
            Ok(expr) => Some(expr),
            Err(err) => {
                self.error(
                    "bad-expression",
                    body_offset + err.offset,
                    format!("bad template data: {}", err.message),
                );
                None
            }
        }
    }

    /// Splits text at `{{ }}` and parses each expression.
    fn interpolate(&mut self, text: &str, offset: usize) -> Interpolated {
        let mut parts: Vec<Part> = Vec::new();
        let mut rest = text;
        let mut at = offset;
        while let Some(open) = rest.find("{{") {
            if open > 0 {
                parts.push(Part::Literal(static_text(&rest[..open], Piece::Markup).into()));
            }
            let body_start = open + 2;
            let Some(len) = syntax::mustache_end(&rest[body_start..]) else {
                self.error("unclosed-mustache", at + open, "`{{` is not closed with `}}`".into());
                parts.push(Part::Literal(rest[open..].into()));
                rest = "";
                break;
            };
            let body = &rest[body_start..body_start + len];
            if body.trim().is_empty() {
                parts.push(Part::Literal("".into()));
            } else {
                match expr::parse_expression(body) {
                    Ok(expr) => parts.push(Part::Expr(expr)),
                    Err(err) => self.error(
                        "bad-expression",
                        at + body_start + err.offset,
                        format!("bad expression `{}`: {}", body.trim(), err.message),
                    ),
                }
            }
            let consumed = body_start + len + 2;
            rest = &rest[consumed..];
            at += consumed;
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(static_text(rest, Piece::Markup).into()));
        }
        match parts.len() {
            0 => Interpolated::Literal("".into()),
            1 => match parts.pop() {
                Some(Part::Literal(s)) => Interpolated::Literal(s),
                Some(Part::Expr(e)) => Interpolated::Single(e),
                None => Interpolated::Literal("".into()),
            },
            _ => Interpolated::Mixed(parts),
        }
    }
}

/// The attribute name as wcc puts it in the tree. `data-*` and names with a colon
/// (`bind:tap`, `mark:id`) stay as written; `model:x` becomes `x`; elsewhere each run of
/// hyphens is dropped and the next lowercase ASCII letter after it is capitalised
/// (`hover-class` → `hoverClass`, `a-1b` → `a1B`, `bind-tap` → `bindTap`).
pub fn tree_attribute_name(name: &str) -> String {
    let name = name.strip_prefix("model:").unwrap_or(name);
    if name.starts_with("data-") || name.contains(':') || !name.contains('-') {
        return name.to_string();
    }
    let mut out = String::with_capacity(name.len());
    let mut capitalise = false;
    for c in name.chars() {
        if c == '-' {
            capitalise = true;
        } else if capitalise && c.is_ascii_lowercase() {
            out.push(c.to_ascii_uppercase());
            capitalise = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::tree_attribute_name;

    #[test]
    fn attribute_names_follow_wcc() {
        let cases = [
            ("hover-class", "hoverClass"),
            ("-x", "X"),
            ("x-", "x"),
            ("a-1b", "a1B"),
            ("Ab-Cd", "AbCD"),
            ("a-_b", "a_B"),
            ("k---", "k"),
            ("data-user-id", "data-user-id"),
            ("bind:my-event", "bind:my-event"),
            ("bindtouch-start", "bindtouchStart"),
            ("model:my-prop", "myProp"),
        ];
        for (written, expected) in cases {
            assert_eq!(tree_attribute_name(written), expected, "{written}");
        }
    }
}
