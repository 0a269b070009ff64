//! Renders IR against page data into a tree, evaluating `{{ }}` with JavaScript semantics.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use capsule_diagnostics::Diagnostic;

use crate::expr::{BinaryOp, Element as ArrayElement, Expr, Property, UnaryOp};
use crate::ir::{AttrValue, CompiledFile, ForLoop, Interpolated, LoopKey, Node, Part};
use crate::library::Library;
use crate::script::ScriptHost;
use crate::tree::{Key, TreeElement, TreeNode, push_text};
use crate::value::{Object, Value, code_units};

/// Bounds that keep a hostile template or data from exhausting the host.
#[derive(Clone, Copy, Debug)]
pub struct RenderLimits {
    /// Nested template calls and includes.
    pub max_depth: usize,
    /// Elements and text nodes in one render.
    pub max_nodes: usize,
}

impl Default for RenderLimits {
    fn default() -> Self {
        Self { max_depth: 64, max_nodes: 200_000 }
    }
}

/// What a render produced: the tree, and problems met on the way (missing templates, WXS errors).
#[derive(Debug, Default)]
pub struct Rendered {
    pub tree: Vec<TreeNode>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Renders the file `entry` of `library` with `data` (the page data object).
pub fn render(library: &Library, entry: &str, data: &Value, host: &mut dyn ScriptHost) -> Rendered {
    render_with(library, entry, data, host, RenderLimits::default())
}

pub fn render_with(
    library: &Library,
    entry: &str,
    data: &Value,
    host: &mut dyn ScriptHost,
    limits: RenderLimits,
) -> Rendered {
    let mut renderer = Renderer {
        library,
        host,
        limits,
        diagnostics: Vec::new(),
        nodes: 0,
        modules: HashMap::new(),
        templates: Vec::new(),
        includes: Vec::new(),
    };
    let mut tree = Vec::new();
    match library.file(entry) {
        Some(file) => {
            let mut scope = Scope::new(data.clone());
            scope.modules = renderer.modules_of(file);
            for node in &file.nodes {
                renderer.node(file, node, &mut scope, &mut tree);
            }
        }
        None => renderer.problem("missing-file", entry, format!("`{entry}` is not in the library")),
    }
    Rendered { tree, diagnostics: renderer.diagnostics }
}

/// Names in reach of an expression, in wcc's lookup order: the WXS modules of the file being
/// rendered, then loop variables, then the data object's own properties.
struct Scope {
    data: Value,
    locals: Vec<(Arc<str>, Value)>,
    modules: Vec<(Arc<str>, Value)>,
}

impl Scope {
    fn new(data: Value) -> Self {
        Self { data, locals: Vec::new(), modules: Vec::new() }
    }

    fn module(&self, name: &str) -> Option<&Value> {
        self.modules.iter().rev().find(|(module, _)| &**module == name).map(|(_, exports)| exports)
    }

    fn lookup(&self, name: &str) -> Value {
        for (local, value) in self.locals.iter().rev() {
            if &**local == name {
                return value.clone();
            }
        }
        self.data.get_named(name)
    }
}

struct Renderer<'a> {
    library: &'a Library,
    host: &'a mut dyn ScriptHost,
    limits: RenderLimits,
    diagnostics: Vec<Diagnostic>,
    nodes: usize,
    modules: HashMap<String, Value>,
    /// Templates being rendered, as (defining file, name): a template never re-enters itself.
    templates: Vec<(String, Arc<str>)>,
    /// Files being included: an include cycle stops where it would repeat.
    includes: Vec<String>,
}

impl Renderer<'_> {
    /// A problem the view tolerates (it renders what it can), reported once.
    fn problem(&mut self, code: &'static str, file: &str, message: String) {
        self.report(Diagnostic::warning(code, message).in_file(file));
    }

    /// A problem that makes the render wrong (a WXS module that does not load).
    fn failure(&mut self, code: &'static str, file: &str, message: String) {
        self.report(Diagnostic::error(code, message).in_file(file));
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        if !self.diagnostics.iter().any(|d| d.code == diagnostic.code && d.message == diagnostic.message) {
            self.diagnostics.push(diagnostic);
        }
    }

    fn exhausted(&self) -> bool {
        self.nodes > self.limits.max_nodes
    }

    fn count_node(&mut self, file: &str) -> bool {
        self.nodes += 1;
        if self.nodes == self.limits.max_nodes + 1 {
            let max = self.limits.max_nodes;
            self.problem(
                "render-limit",
                file,
                format!("the page has more than {max} nodes; rendering stopped"),
            );
        }
        !self.exhausted()
    }

    /// The exports of the WXS modules `file` declares; the last of two same-named ones wins.
    fn modules_of(&mut self, file: &CompiledFile) -> Vec<(Arc<str>, Value)> {
        file.modules
            .iter()
            .map(|module| (module.name.clone(), self.module(&file.path, &module.source_key)))
            .collect()
    }

    fn module(&mut self, file: &str, key: &str) -> Value {
        if let Some(exports) = self.modules.get(key) {
            return exports.clone();
        }
        let exports = match self.host.module(key, self.library.scripts()) {
            Ok(exports) => exports,
            Err(err) => {
                self.failure("wxs-error", file, format!("WXS module `{key}`: {err}"));
                Value::Undefined
            }
        };
        self.modules.insert(key.to_string(), exports.clone());
        exports
    }

    fn node(&mut self, file: &CompiledFile, node: &Node, scope: &mut Scope, out: &mut Vec<TreeNode>) {
        if self.exhausted() {
            return;
        }
        match node {
            Node::Text(text) => {
                if !self.count_node(&file.path) {
                    return;
                }
                match text {
                    Interpolated::Literal(s) => push_text(out, s),
                    _ => {
                        let mut s = String::new();
                        self.write_text(text, scope, &mut s);
                        push_text(out, &s);
                    }
                }
            }
            Node::Element(element) => {
                if !self.count_node(&file.path) {
                    return;
                }
                let mut tree = TreeElement::new(element.tag.clone());
                tree.attrs.reserve(element.attrs.len());
                for attr in &element.attrs {
                    let value = match &attr.value {
                        AttrValue::Bare => Value::Bool(true),
                        AttrValue::Interpolated(value) => self.interpolated(value, scope),
                    };
                    tree.attrs.push((attr.name.clone(), value));
                }
                for child in &element.children {
                    self.node(file, child, scope, &mut tree.children);
                }
                out.push(TreeNode::Element(tree));
            }
            Node::If(branches) => {
                for (test, body) in branches {
                    // A WXS function as a condition is false: wcc hands the view a placeholder.
                    let pass = match test {
                        Some(test) => match self.interpolated(test, scope) {
                            Value::Function(_) => false,
                            value => value.truthy(),
                        },
                        None => true,
                    };
                    if pass {
                        self.node(file, body, scope, out);
                        break;
                    }
                }
            }
            Node::For(for_loop) => self.for_loop(file, for_loop, scope, out),
            Node::Block(children) => {
                for child in children {
                    self.node(file, child, scope, out);
                }
            }
            Node::CallTemplate { name, data } => self.call_template(file, name, data.as_ref(), scope, out),
            Node::Include { path } => {
                // The included file renders with the includer's data, scope and WXS modules,
                // calling templates as the included file sees them.
                let Some(included) = self.library.file(path).cloned() else {
                    self.problem("missing-file", &file.path, format!("included `{path}` does not exist"));
                    return;
                };
                if self.includes.iter().any(|p| p == path) {
                    self.problem(
                        "include-cycle",
                        &file.path,
                        format!("`{path}` includes itself; the cycle stops"),
                    );
                    return;
                }
                self.includes.push(path.clone());
                for node in &included.nodes {
                    self.node(&included, node, scope, out);
                }
                self.includes.pop();
            }
        }
    }

    fn call_template(
        &mut self,
        file: &CompiledFile,
        name: &Interpolated,
        data: Option<&Expr>,
        scope: &mut Scope,
        out: &mut Vec<TreeNode>,
    ) {
        let name: Arc<str> = self.interpolated(name, scope).to_js_string().into();
        let Some(target) = self.library.template(&file.path, &name).cloned() else {
            self.problem(
                "missing-template",
                &file.path,
                format!("template `{name}` is not defined or imported"),
            );
            return;
        };
        let key = (target.file.path.clone(), name);
        if self.templates.contains(&key) {
            let message = format!("template `{}` calls itself; the inner call renders nothing", key.1);
            self.problem("template-recursion", &file.path, message);
            return;
        }
        if self.templates.len() >= self.limits.max_depth {
            let max = self.limits.max_depth;
            self.failure("too-deep", &file.path, format!("templates nest deeper than {max}"));
            return;
        }
        let data = match data {
            Some(expr) => self.eval(expr, scope),
            None => Value::Undefined,
        };
        // A template sees its data only (page data and loop variables stay outside), with the
        // WXS modules of the file that defines it.
        let data = if data.truthy() { data } else { Value::object([]) };
        let mut inner = Scope::new(data);
        inner.modules = self.modules_of(&target.file);
        self.templates.push(key);
        let body = target.file.templates[target.index].1.clone();
        for node in body.iter() {
            self.node(&target.file, node, &mut inner, out);
        }
        self.templates.pop();
    }

    fn for_loop(
        &mut self,
        file: &CompiledFile,
        for_loop: &ForLoop,
        scope: &mut Scope,
        out: &mut Vec<TreeNode>,
    ) {
        let list = self.interpolated(&for_loop.list, scope);
        // (index, item) pairs as wcc iterates each kind of value; lazy, so `wx:for="{{1e9}}"`
        // only goes as far as the node budget allows.
        let entries: Box<dyn Iterator<Item = (Value, Value)> + '_> = match &list {
            Value::Array(items) => {
                Box::new(items.iter().enumerate().map(|(i, item)| (Value::Number(i as f64), item.clone())))
            }
            Value::Object(map) => {
                Box::new(map.iter().map(|(key, item)| (Value::String(key.clone()), item.clone())))
            }
            Value::Number(n) => {
                let count = if n.is_finite() && *n > 0.0 { n.ceil() as u64 } else { 0 };
                Box::new((0..count).map(|i| (Value::Number(i as f64), Value::Number(i as f64))))
            }
            Value::String(s) => {
                Box::new(code_units(s).enumerate().map(|(i, unit)| (Value::Number(i as f64), unit)))
            }
            _ => Box::new(std::iter::empty()),
        };
        for (index, item) in entries {
            if self.exhausted() {
                break;
            }
            let key = for_loop.key.as_ref().map(|key| Key {
                loop_id: for_loop.id,
                value: match key {
                    LoopKey::This => item.to_js_string().into(),
                    LoopKey::Property(name) => item.get_named(name).to_js_string().into(),
                },
            });
            scope.locals.push((for_loop.item.clone(), item));
            scope.locals.push((for_loop.index.clone(), index));
            let start = out.len();
            self.node(file, &for_loop.body, scope, out);
            if let Some(key) = key {
                for node in &mut out[start..] {
                    if let TreeNode::Element(element) = node {
                        element.key = Some(key.clone());
                    }
                }
            }
            scope.locals.truncate(scope.locals.len() - 2);
        }
    }

    /// Evaluates an attribute-like value: one `{{ }}` keeps its type, a mix becomes a string.
    fn interpolated(&mut self, value: &Interpolated, scope: &Scope) -> Value {
        match value {
            Interpolated::Literal(s) => Value::String(s.clone()),
            Interpolated::Single(expr) => self.eval(expr, scope),
            Interpolated::Mixed(_) => {
                let mut s = String::new();
                self.write_text(value, scope, &mut s);
                Value::string(s)
            }
        }
    }

    fn write_text(&mut self, value: &Interpolated, scope: &Scope, out: &mut String) {
        match value {
            Interpolated::Literal(s) => out.push_str(s),
            Interpolated::Single(expr) => self.eval(expr, scope).write_display(out),
            Interpolated::Mixed(parts) => {
                for part in parts {
                    match part {
                        Part::Literal(s) => out.push_str(s),
                        Part::Expr(expr) => self.eval(expr, scope).write_display(out),
                    }
                }
            }
        }
    }

    fn eval(&mut self, expr: &Expr, scope: &Scope) -> Value {
        match expr {
            Expr::Literal(value) => value.clone(),
            Expr::Ident(_) | Expr::Member(..) | Expr::Index(..) | Expr::Call(..) => {
                self.access(expr, scope).0
            }
            Expr::Unary(op, operand) => {
                let value = self.eval(operand, scope);
                match op {
                    UnaryOp::Not => Value::Bool(!value.truthy()),
                    // wcc computes `-x` as `0 - x`, so `-0` is `0`.
                    UnaryOp::Negate => Value::Number(0.0 - value.to_number()),
                    UnaryOp::BitNot => Value::Number(f64::from(!to_int32(value.to_number()))),
                }
            }
            Expr::Binary(op, left, right) => {
                let left = self.eval(left, scope);
                let right = self.eval(right, scope);
                binary(*op, &left, &right)
            }
            Expr::And(left, right) => {
                let left = self.eval(left, scope);
                if left.truthy() { self.eval(right, scope) } else { left }
            }
            Expr::Or(left, right) => {
                let left = self.eval(left, scope);
                if left.truthy() { left } else { self.eval(right, scope) }
            }
            Expr::Conditional(test, then, otherwise) => {
                if self.eval(test, scope).truthy() {
                    self.eval(then, scope)
                } else {
                    self.eval(otherwise, scope)
                }
            }
            Expr::Array(elements) => {
                let items = elements.iter().map(|ArrayElement::Item(expr)| self.eval(expr, scope)).collect();
                Value::Array(Arc::new(items))
            }
            Expr::Object(properties) => self.object(properties, scope),
        }
    }

    /// Evaluates a name, member, index or call chain. The flag says whether the chain starts at
    /// a WXS module: only such chains may reach functions and call them (`s.toUpperCase()` on
    /// page data is `undefined`, as in wcc).
    fn access(&mut self, expr: &Expr, scope: &Scope) -> (Value, bool) {
        let (value, from_module) = match expr {
            Expr::Ident(name) => match scope.module(name) {
                Some(exports) => return (exports.clone(), true),
                None => return (scope.lookup(name), false),
            },
            Expr::Member(object, name) => {
                let (object, from_module) = self.access(object, scope);
                (property(&object, &Value::String(name.clone())), from_module)
            }
            Expr::Index(object, key) => {
                let (object, from_module) = self.access(object, scope);
                let key = self.eval(key, scope);
                (property(&object, &key), from_module)
            }
            Expr::Call(callee, args) => {
                let (function, from_module) = self.access(callee, scope);
                let Value::Function(function) = function else { return (Value::Undefined, from_module) };
                if !from_module {
                    return (Value::Undefined, false);
                }
                let args: Vec<Value> = args.iter().map(|arg| self.eval(arg, scope)).collect();
                // A WXS function that throws yields `undefined`, as in wcc.
                let result = self.host.call(function, &args).unwrap_or_else(|err| {
                    self.problem("wxs-error", "", format!("a WXS call threw: {err}"));
                    Value::Undefined
                });
                (result, true)
            }
            other => (self.eval(other, scope), false),
        };
        match value {
            Value::Function(_) if !from_module => (Value::Undefined, false),
            value => (value, from_module),
        }
    }

    /// An object literal (or a template's data) with wcc's merge order: entries fold left;
    /// when the first entry is a spread, the second's keys come first and the spread fills in
    /// what is missing, so `{...o, ...p}` lists `p`'s keys before `o`'s.
    fn object(&mut self, properties: &[Property], scope: &Scope) -> Value {
        let mut entries = properties.iter();
        let Some(first) = entries.next() else { return Value::object([]) };
        let mut merged = match first {
            Property::KeyValue(key, expr) => Value::object([(key.clone(), self.eval(expr, scope))]),
            Property::Spread(expr) => self.eval(expr, scope),
        };
        let first_is_spread = matches!(first, Property::Spread(_));
        for (i, property) in entries.enumerate() {
            let right = match property {
                Property::KeyValue(key, expr) => vec![(key.clone(), self.eval(expr, scope))],
                Property::Spread(expr) => enumerable(&self.eval(expr, scope)),
            };
            let mut out = Object::new();
            if i == 0 && first_is_spread {
                out.extend(right);
                for (key, value) in enumerable(&merged) {
                    out.entry(key).or_insert(value);
                }
            } else {
                out.extend(enumerable(&merged));
                for (key, value) in right {
                    out.insert(key, value);
                }
            }
            merged = Value::object(out);
        }
        merged
    }
}

/// `object[key]` as wcc reads it: never throws, and `__proto__`, `prototype` and `caller` are
/// out of reach.
fn property(object: &Value, key: &Value) -> Value {
    match key {
        Value::Undefined | Value::Null => Value::Undefined,
        Value::String(name) if matches!(&**name, "__proto__" | "prototype" | "caller") => Value::Undefined,
        key => object.get(key),
    }
}

/// The (key, value) pairs a `for…in` over `value` visits.
fn enumerable(value: &Value) -> Vec<(Arc<str>, Value)> {
    match value {
        Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        Value::Array(items) => {
            items.iter().enumerate().map(|(i, v)| (Arc::from(i.to_string()), v.clone())).collect()
        }
        Value::String(s) => {
            code_units(s).enumerate().map(|(i, unit)| (Arc::from(i.to_string()), unit)).collect()
        }
        _ => Vec::new(),
    }
}

fn binary(op: BinaryOp, left: &Value, right: &Value) -> Value {
    let number = |f: fn(f64, f64) -> f64| Value::Number(f(left.to_number(), right.to_number()));
    let ordered = |accept: fn(Ordering) -> bool| Value::Bool(left.compare(right).is_some_and(accept));
    let int32 = |f: fn(i32, i32) -> i32| {
        Value::Number(f64::from(f(to_int32(left.to_number()), to_int32(right.to_number()))))
    };
    match op {
        BinaryOp::Add => left.add(right),
        BinaryOp::Sub => number(|a, b| a - b),
        BinaryOp::Mul => number(|a, b| a * b),
        BinaryOp::Div => number(|a, b| a / b),
        BinaryOp::Rem => number(|a, b| a % b),
        BinaryOp::Eq => Value::Bool(left.loose_equals(right)),
        BinaryOp::NotEq => Value::Bool(!left.loose_equals(right)),
        BinaryOp::StrictEq => Value::Bool(left.strict_equals(right)),
        BinaryOp::StrictNotEq => Value::Bool(!left.strict_equals(right)),
        BinaryOp::Lt => ordered(Ordering::is_lt),
        BinaryOp::LtEq => ordered(Ordering::is_le),
        BinaryOp::Gt => ordered(Ordering::is_gt),
        BinaryOp::GtEq => ordered(Ordering::is_ge),
        BinaryOp::BitAnd => int32(|a, b| a & b),
        BinaryOp::BitOr => int32(|a, b| a | b),
        BinaryOp::BitXor => int32(|a, b| a ^ b),
        BinaryOp::ShiftLeft => int32(|a, b| a.wrapping_shl(b as u32 & 31)),
        BinaryOp::ShiftRight => int32(|a, b| a.wrapping_shr(b as u32 & 31)),
    }
}

/// ECMAScript's ToInt32.
fn to_int32(n: f64) -> i32 {
    if !n.is_finite() {
        return 0;
    }
    let wrapped = n.trunc().rem_euclid(4_294_967_296.0);
    (wrapped as u64 as u32) as i32
}
