//! The template IR: what a compiled `.wxml`/`.ttml` file is, ready to render against data.

use std::sync::Arc;

use crate::expr::Expr;

/// One compiled template file.
#[derive(Clone, Debug, Default)]
pub struct CompiledFile {
    /// The file's path in its project, `/`-separated, without a leading slash.
    pub path: String,
    /// What the file renders (template definitions, imports and WXS modules leave no node).
    pub nodes: Vec<Node>,
    /// `<template name>` definitions, in source order.
    pub templates: Vec<(Arc<str>, Arc<[Node]>)>,
    /// `<import src>` targets, resolved to project paths.
    pub imports: Vec<String>,
    /// `<wxs module>` declarations.
    pub modules: Vec<ModuleDecl>,
}

/// A `<wxs module="name">` (or `<sjs>`) declaration.
#[derive(Clone, Debug)]
pub struct ModuleDecl {
    pub name: Arc<str>,
    /// The key of the module's source in the library: the `.wxs` path, or `file.wxml#name` when inline.
    pub source_key: String,
    /// The script of an inline module.
    pub inline_source: Option<String>,
}

#[derive(Clone, Debug)]
pub enum Node {
    Text(Interpolated),
    Element(Element),
    /// A `wx:if` / `wx:elif` / `wx:else` chain; a branch without a condition is the `else`.
    If(Vec<(Option<Interpolated>, Node)>),
    For(Box<ForLoop>),
    /// `<block>`: its children, with no node of its own.
    Block(Vec<Node>),
    /// `<template is="..." data="...">`.
    CallTemplate {
        name: Interpolated,
        data: Option<Expr>,
    },
    /// `<include src>`: the target's nodes, rendered in place.
    Include {
        path: String,
    },
}

#[derive(Clone, Debug)]
pub struct Element {
    pub tag: Arc<str>,
    pub attrs: Vec<Attribute>,
    pub children: Vec<Node>,
}

#[derive(Clone, Debug)]
pub struct Attribute {
    /// The name as the tree shows it (camel-cased where wcc camel-cases).
    pub name: Arc<str>,
    pub value: AttrValue,
}

#[derive(Clone, Debug)]
pub enum AttrValue {
    /// A bare attribute: `true`.
    Bare,
    Interpolated(Interpolated),
}

/// Text that may hold `{{ }}`: literal, one expression (keeps its type), or a mix (a string).
#[derive(Clone, Debug)]
pub enum Interpolated {
    Literal(Arc<str>),
    Single(Expr),
    Mixed(Vec<Part>),
}

#[derive(Clone, Debug)]
pub enum Part {
    Literal(Arc<str>),
    Expr(Expr),
}

#[derive(Clone, Debug)]
pub struct ForLoop {
    /// Identifies this loop, so keys of two loops under one parent never collide.
    pub id: u32,
    pub list: Interpolated,
    pub item: Arc<str>,
    pub index: Arc<str>,
    pub key: Option<LoopKey>,
    pub body: Node,
}

/// `wx:key`: a property of each item, or the item itself (`*this`).
#[derive(Clone, Debug)]
pub enum LoopKey {
    This,
    Property(Arc<str>),
}
