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
use crate::value::{Object, Value};

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
    let mut renderer =
        Renderer { library, host, limits, diagnostics: Vec::new(), nodes: 0, depth: 0, modules: HashMap::new() };
    let mut tree = Vec::new();
    match library.file(entry) {
        Some(file) => {
            let mut scope = Scope { data: data.clone(), locals: Vec::new() };
            renderer.file_nodes(file, &file.nodes, &mut scope, &mut tree);
        }
        None => renderer.problem("missing-file", entry, format!("`{entry}` is not in the library")),
    }
    Rendered { tree, diagnostics: renderer.diagnostics }
}

/// Names in reach of an expression: loop variables and modules, then the data object.
struct Scope {
    data: Value,
    locals: Vec<(Arc<str>, Value)>,
}

impl Scope {
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
    depth: usize,
    modules: HashMap<String, Value>,
}

/// Set once the node budget is spent, to stop rendering without unwinding by hand everywhere.
const EXHAUSTED: &str = "render-limit";

impl Renderer<'_> {
    fn problem(&mut self, code: &'static str, file: &str, message: String) {
        if self.diagnostics.iter().any(|d| d.code == code && d.message == message) {
            return;
        }
        self.diagnostics.push(Diagnostic::error(code, message).in_file(file));
    }

    fn exhausted(&self) -> bool {
        self.nodes > self.limits.max_nodes
    }

    fn count_node(&mut self, file: &str) -> bool {
        self.nodes += 1;
        if self.nodes == self.limits.max_nodes + 1 {
            let max = self.limits.max_nodes;
            self.problem(EXHAUSTED, file, format!("the page has more than {max} nodes; rendering stopped"));
        }
        !self.exhausted()
    }

    /// Renders nodes of `file` with that file's WXS modules in scope.
    fn file_nodes(&mut self, file: &CompiledFile, nodes: &[Node], scope: &mut Scope, out: &mut Vec<TreeNode>) {
        let pushed = file.modules.len();
        for module in &file.modules {
            let exports = self.module(&file.path, &module.source_key);
            scope.locals.push((module.name.clone(), exports));
        }
        for node in nodes {
            self.node(file, node, scope, out);
        }
        scope.locals.truncate(scope.locals.len() - pushed);
    }

    fn module(&mut self, file: &str, key: &str) -> Value {
        if let Some(exports) = self.modules.get(key) {
            return exports.clone();
        }
        let exports = match self.host.module(key, self.library.scripts()) {
            Ok(exports) => exports,
            Err(err) => {
                self.problem("wxs-error", file, format!("WXS module `{key}`: {err}"));
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
                        self.write_text(file, text, scope, &mut s);
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
                        AttrValue::Interpolated(value) => self.interpolated(file, value, scope),
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
                    let pass = match test {
                        Some(test) => self.interpolated(file, test, scope).truthy(),
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
            Node::CallTemplate { name, data, .. } => self.call_template(file, name, data.as_ref(), scope, out),
            Node::Include { path } => {
                let Some(included) = self.library.file(path).cloned() else { return };
                if self.enter(&file.path) {
                    self.file_nodes(&included, &included.nodes, scope, out);
                    self.depth -= 1;
                }
            }
        }
    }

    fn enter(&mut self, file: &str) -> bool {
        if self.depth >= self.limits.max_depth {
            let max = self.limits.max_depth;
            self.problem("too-deep", file, format!("templates and includes nest deeper than {max}"));
            return false;
        }
        self.depth += 1;
        true
    }

    fn call_template(
        &mut self,
        file: &CompiledFile,
        name: &Interpolated,
        data: Option<&Expr>,
        scope: &mut Scope,
        out: &mut Vec<TreeNode>,
    ) {
        let name = self.interpolated(file, name, scope).to_js_string();
        let Some(target) = self.library.template(&file.path, &name).cloned() else {
            self.problem("missing-template", &file.path, format!("template `{name}` is not defined or imported"));
            return;
        };
        let data = match data {
            Some(expr) => self.eval(expr, scope),
            None => Value::Undefined,
        };
        if !self.enter(&file.path) {
            return;
        }
        let mut inner = Scope { data, locals: Vec::new() };
        let body = target.file.templates[target.index].1.clone();
        self.file_nodes(&target.file, &body, &mut inner, out);
        self.depth -= 1;
    }

    fn for_loop(&mut self, file: &CompiledFile, for_loop: &ForLoop, scope: &mut Scope, out: &mut Vec<TreeNode>) {
        let list = self.interpolated(file, &for_loop.list, scope);
        let mut each = |renderer: &mut Self, index: Value, item: Value, scope: &mut Scope| {
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
            renderer.node(file, &for_loop.body, scope, out);
            if let Some(key) = key {
                for node in &mut out[start..] {
                    if let TreeNode::Element(element) = node {
                        element.key = Some(key.clone());
                    }
                }
            }
            scope.locals.truncate(scope.locals.len() - 2);
        };
        match &list {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if self.exhausted() {
                        break;
                    }
                    each(self, Value::Number(i as f64), item.clone(), scope);
                }
            }
            Value::Object(map) => {
                for (key, item) in map.iter() {
                    if self.exhausted() {
                        break;
                    }
                    each(self, Value::String(key.clone()), item.clone(), scope);
                }
            }
            Value::Number(n) => {
                let count = if n.is_finite() && *n > 0.0 { n.ceil() as u64 } else { 0 };
                for i in 0..count {
                    if self.exhausted() {
                        break;
                    }
                    each(self, Value::Number(i as f64), Value::Number(i as f64), scope);
                }
            }
            Value::String(s) => {
                let units: Vec<u16> = s.encode_utf16().collect();
                for (i, unit) in units.iter().enumerate() {
                    if self.exhausted() {
                        break;
                    }
                    let text: String = char::decode_utf16([*unit]).map(|c| c.unwrap_or('\u{FFFD}')).collect();
                    each(self, Value::Number(i as f64), Value::string(text), scope);
                }
            }
            _ => {}
        }
    }

    /// Evaluates an attribute-like value: one `{{ }}` keeps its type, a mix becomes a string.
    fn interpolated(&mut self, file: &CompiledFile, value: &Interpolated, scope: &Scope) -> Value {
        match value {
            Interpolated::Literal(s) => Value::String(s.clone()),
            Interpolated::Single(expr) => self.eval(expr, scope),
            Interpolated::Mixed(_) => {
                let mut s = String::new();
                self.write_text(file, value, scope, &mut s);
                Value::string(s)
            }
        }
    }

    fn write_text(&mut self, _file: &CompiledFile, value: &Interpolated, scope: &Scope, out: &mut String) {
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
            Expr::Ident(name) => scope.lookup(name),
            Expr::Member(object, name) => self.eval(object, scope).get_named(name),
            Expr::Index(object, key) => {
                let object = self.eval(object, scope);
                let key = self.eval(key, scope);
                object.get(&key)
            }
            Expr::Call(callee, args) => {
                let function = self.eval(callee, scope);
                let Value::Function(function) = function else {
                    return Value::Undefined;
                };
                let args: Vec<Value> = args.iter().map(|arg| self.eval(arg, scope)).collect();
                match self.host.call(function, &args) {
                    Ok(value) => value,
                    Err(err) => {
                        self.problem("wxs-error", "", format!("WXS call failed: {err}"));
                        Value::Undefined
                    }
                }
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
                let mut items = Vec::with_capacity(elements.len());
                for ArrayElement::Item(expr) in elements {
                    items.push(self.eval(expr, scope));
                }
                Value::Array(Arc::new(items))
            }
            Expr::Object(properties) => {
                let mut object = Object::with_capacity(properties.len());
                for property in properties {
                    match property {
                        Property::KeyValue(key, expr) => {
                            let value = self.eval(expr, scope);
                            object.insert(key.clone(), value);
                        }
                        Property::Spread(expr) => match self.eval(expr, scope) {
                            Value::Object(spread) => {
                                object.extend(spread.iter().map(|(k, v)| (k.clone(), v.clone())));
                            }
                            Value::Array(spread) => object.extend(
                                spread.iter().enumerate().map(|(i, v)| (Arc::from(i.to_string()), v.clone())),
                            ),
                            _ => {}
                        },
                    }
                }
                Value::object(object)
            }
        }
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
