//! Compiles a syntax tree to the IR: directives, interpolation, attribute naming, file references.

use std::sync::Arc;

use capsule_diagnostics::{Diagnostic, Position};

use crate::expr::{self, Expr};
use crate::ir::{AttrValue, Attribute, CompiledFile, Element, ForLoop, Interpolated, LoopKey, ModuleDecl, Node, Part};
use crate::path::resolve;
use crate::syntax::{self, SyntaxNode};

/// Parses and compiles one template file at project path `path`.
pub fn compile(source: &str, path: &str) -> (CompiledFile, Vec<Diagnostic>) {
    let (tree, diagnostics) = syntax::parse(source, path);
    let mut compiler = Compiler {
        source,
        path,
        diagnostics,
        file: CompiledFile { path: path.to_string(), ..CompiledFile::default() },
        next_loop: 0,
    };
    let nodes = compiler.children(&tree.nodes);
    compiler.file.nodes = nodes;
    (compiler.file, compiler.diagnostics)
}

/// The directive a `wx:`/`tt:` attribute names (`if`, `for-item`, ...), if it is one.
pub(crate) fn directive(name: &str) -> Option<&str> {
    name.strip_prefix("wx:").or_else(|| name.strip_prefix("tt:"))
}

struct Compiler<'a> {
    source: &'a str,
    path: &'a str,
    diagnostics: Vec<Diagnostic>,
    file: CompiledFile,
    next_loop: u32,
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
                    if text.trim().is_empty() {
                        continue;
                    }
                    chain_open = false;
                    let text = self.interpolate(text, *offset);
                    out.push(Node::Text(text));
                    continue;
                }
                SyntaxNode::Element(element) => element,
            };
            let condition = element.attrs.iter().find_map(|a| match directive(&a.name) {
                Some(kind @ ("if" | "elif" | "else")) => Some((kind, a)),
                _ => None,
            });
            let Some(compiled) = self.element(element) else {
                continue;
            };
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

    /// Compiles one element with its `wx:for`; `None` for elements that render nothing here.
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
                    self.error("template-without-name", element.offset, "`<template>` needs `name` or `is`".into());
                    return None;
                };
                let name = self.attr_interpolation(is);
                let data = element.attr("data").and_then(|attr| self.template_data(attr));
                Node::CallTemplate { name, data, offset: element.offset }
            }
            "block" => Node::Block(self.children(&element.children)),
            _ => Node::Element(Element {
                tag: name.into(),
                attrs: self.attributes(element),
                children: self.children(&element.children),
            }),
        };
        Some(self.wrap_in_loop(element, node))
    }

    fn wrap_in_loop(&mut self, element: &syntax::Element, body: Node) -> Node {
        let mut list = None;
        let mut item: Arc<str> = "item".into();
        let mut index: Arc<str> = "index".into();
        let mut key = None;
        for attr in &element.attrs {
            match directive(&attr.name) {
                Some("for" | "for-items") => list = Some(self.attr_interpolation(attr)),
                Some("for-item") => item = attr.value.as_deref().unwrap_or("item").trim().into(),
                Some("for-index") => index = attr.value.as_deref().unwrap_or("index").trim().into(),
                Some("key") => {
                    key = attr.value.as_deref().map(str::trim).filter(|k| !k.is_empty()).map(|k| {
                        if k == "*this" { LoopKey::This } else { LoopKey::Property(k.into()) }
                    });
                }
                _ => {}
            }
        }
        let Some(list) = list else { return body };
        self.next_loop += 1;
        Node::For(Box::new(ForLoop { id: self.next_loop, list, item, index, key, body }))
    }

    fn attributes(&mut self, element: &syntax::Element) -> Vec<Attribute> {
        let mut attrs = Vec::with_capacity(element.attrs.len());
        for attr in &element.attrs {
            if directive(&attr.name).is_some() {
                continue;
            }
            let value = match &attr.value {
                None => AttrValue::Bare,
                Some(_) => AttrValue::Interpolated(self.attr_interpolation(attr)),
            };
            attrs.push(Attribute { name: tree_attribute_name(&attr.name).into(), value });
        }
        attrs
    }

    fn attr_interpolation(&mut self, attr: &syntax::Attribute) -> Interpolated {
        match &attr.value {
            Some(value) => self.interpolate(value, attr.value_offset),
            None => Interpolated::Literal("".into()),
        }
    }

    fn src_attr(&mut self, element: &syntax::Element) -> Option<String> {
        let Some(src) = element.attr("src").and_then(|a| a.value.as_deref()) else {
            self.error("missing-src", element.offset, format!("`<{}>` needs a `src`", element.name));
            return None;
        };
        let target = if src.ends_with(".wxml") || src.ends_with(".ttml") || src.ends_with(".wxs") || src.ends_with(".sjs") {
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
            self.error("wxs-without-module", element.offset, format!("`<{}>` needs a `module` name", element.name));
            return;
        };
        let (source_key, inline_source) = if element.attr("src").is_some() {
            match self.src_attr(element) {
                Some(path) => (path, None),
                None => return,
            }
        } else {
            let script: String = element
                .children
                .iter()
                .filter_map(|child| match child {
                    SyntaxNode::Text { text, .. } => Some(text.as_str()),
                    SyntaxNode::Element(_) => None,
                })
                .collect();
            (format!("{}#{name}", self.path), Some(script))
        };
        if self.file.modules.iter().any(|m| *m.name == *name) {
            self.error("duplicate-module", element.offset, format!("module `{name}` is declared twice"));
            return;
        }
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
                self.error("bad-expression", body_offset + err.offset, format!("bad template data: {}", err.message));
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
                parts.push(Part::Literal(rest[..open].into()));
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
            parts.push(Part::Literal(rest.into()));
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

/// The attribute name as wcc puts it in the tree: hyphenated names camel-cased, except
/// `data-*` and event bindings, which stay as written.
pub fn tree_attribute_name(name: &str) -> String {
    let is_event = ["bind", "catch", "capture-bind", "capture-catch", "mut-bind"]
        .iter()
        .any(|prefix| name.starts_with(prefix));
    if name.starts_with("data-") || is_event || !name.contains('-') {
        return name.to_string();
    }
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '-' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}
