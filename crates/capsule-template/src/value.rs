//! Template values with JavaScript semantics: coercions, equality, comparison and printing.
//!
//! Page data arrives as JSON, but `{{ }}` expressions behave as JavaScript does in WeChat's
//! view layer (`"1" + 1` is `"11"`, `null` prints as `null`, `undefined` as nothing), so values
//! carry `undefined` and follow ECMAScript's abstract operations.

use std::cmp::Ordering;
use std::fmt::Write as _;
use std::sync::Arc;

use indexmap::IndexMap;

use crate::number::{number_to_string, string_to_number};

/// An object's properties, in JavaScript's own-property order (integer keys first, ascending).
pub type Object = IndexMap<Arc<str>, Value>;

/// A function exported by a WXS module: an opaque handle the script host resolves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FunctionRef(pub u32);

/// A value inside the template engine.
#[derive(Clone, Debug, Default)]
pub enum Value {
    #[default]
    Undefined,
    Null,
    Bool(bool),
    Number(f64),
    String(Arc<str>),
    Array(Arc<Vec<Value>>),
    Object(Arc<Object>),
    Function(FunctionRef),
}

impl Value {
    pub fn string(s: impl Into<Arc<str>>) -> Self {
        Value::String(s.into())
    }

    /// Builds an object, putting integer-like keys first as JavaScript does.
    pub fn object(entries: impl IntoIterator<Item = (Arc<str>, Value)>) -> Self {
        Value::Object(Arc::new(js_ordered(entries.into_iter().collect())))
    }

    /// Converts parsed JSON (page data) into a value.
    pub fn from_json(json: &serde_json::Value) -> Self {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
            serde_json::Value::String(s) => Value::String(Arc::from(s.as_str())),
            serde_json::Value::Array(items) => {
                Value::Array(Arc::new(items.iter().map(Value::from_json).collect()))
            }
            serde_json::Value::Object(map) => {
                Value::object(map.iter().map(|(k, v)| (Arc::from(k.as_str()), Value::from_json(v))))
            }
        }
    }

    /// What `JSON.stringify` would keep: `None` for values it drops (`undefined`, functions).
    pub fn to_json(&self) -> Option<serde_json::Value> {
        Some(match self {
            Value::Undefined | Value::Function(_) => return None,
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => number_to_json(*n),
            Value::String(s) => serde_json::Value::String(s.to_string()),
            Value::Array(items) => serde_json::Value::Array(
                items.iter().map(|v| v.to_json().unwrap_or(serde_json::Value::Null)).collect(),
            ),
            Value::Object(map) => serde_json::Value::Object(
                map.iter().filter_map(|(k, v)| Some((k.to_string(), v.to_json()?))).collect(),
            ),
        })
    }

    pub fn is_nullish(&self) -> bool {
        matches!(self, Value::Undefined | Value::Null)
    }

    /// JavaScript's ToBoolean.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Undefined | Value::Null => false,
            Value::Bool(b) => *b,
            Value::Number(n) => *n != 0.0 && !n.is_nan(),
            Value::String(s) => !s.is_empty(),
            Value::Array(_) | Value::Object(_) | Value::Function(_) => true,
        }
    }

    /// JavaScript's ToNumber.
    pub fn to_number(&self) -> f64 {
        match self {
            Value::Undefined | Value::Function(_) => f64::NAN,
            Value::Null => 0.0,
            Value::Bool(b) => f64::from(u8::from(*b)),
            Value::Number(n) => *n,
            Value::String(s) => string_to_number(s),
            Value::Array(_) | Value::Object(_) => string_to_number(&self.to_js_string()),
        }
    }

    /// JavaScript's ToString (`String(value)`).
    pub fn to_js_string(&self) -> String {
        let mut out = String::new();
        self.write_js_string(&mut out);
        out
    }

    /// Appends `String(value)` to `out`.
    pub fn write_js_string(&self, out: &mut String) {
        match self {
            Value::Undefined => out.push_str("undefined"),
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => write_number(out, *n),
            Value::String(s) => out.push_str(s),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    if !item.is_nullish() {
                        item.write_js_string(out);
                    }
                }
            }
            Value::Object(_) => out.push_str("[object Object]"),
            Value::Function(_) => out.push_str("function () { [native code] }"),
        }
    }

    /// How a `{{ }}` prints in text: `String(value)`, except that `undefined` prints nothing.
    pub fn write_display(&self, out: &mut String) {
        if !matches!(self, Value::Undefined) {
            self.write_js_string(out);
        }
    }

    /// Property access `value[key]`; `undefined` when there is no such property.
    pub fn get(&self, key: &Value) -> Value {
        match self {
            Value::Array(items) => match array_index(key) {
                Some(i) => items.get(i).cloned().unwrap_or_default(),
                None if key_is(key, "length") => Value::Number(items.len() as f64),
                None => Value::Undefined,
            },
            Value::String(s) => match array_index(key) {
                Some(i) => string_unit_at(s, i),
                None if key_is(key, "length") => Value::Number(s.encode_utf16().count() as f64),
                None => Value::Undefined,
            },
            Value::Object(map) => match key {
                Value::String(k) => map.get(k).cloned().unwrap_or_default(),
                other => map.get(other.to_js_string().as_str()).cloned().unwrap_or_default(),
            },
            _ => Value::Undefined,
        }
    }

    /// Property access by name, the fast path for `a.b`.
    pub fn get_named(&self, name: &str) -> Value {
        match self {
            Value::Object(map) => map.get(name).cloned().unwrap_or_default(),
            Value::Array(_) | Value::String(_) => self.get(&Value::string(name)),
            _ => Value::Undefined,
        }
    }

    /// JavaScript's strict equality (`===`).
    pub fn strict_equals(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Undefined, Value::Undefined) | (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Array(a), Value::Array(b)) => Arc::ptr_eq(a, b),
            (Value::Object(a), Value::Object(b)) => Arc::ptr_eq(a, b),
            (Value::Function(a), Value::Function(b)) => a == b,
            _ => false,
        }
    }

    /// JavaScript's abstract equality (`==`).
    pub fn loose_equals(&self, other: &Value) -> bool {
        use Value::*;
        match (self, other) {
            (Undefined | Null, Undefined | Null) => true,
            (Undefined | Null, _) | (_, Undefined | Null) => false,
            (Number(a), String(_)) => *a == other.to_number(),
            (String(_), Number(b)) => self.to_number() == *b,
            (Bool(_), _) => Number(self.to_number()).loose_equals(other),
            (_, Bool(_)) => self.loose_equals(&Number(other.to_number())),
            (Array(_) | Object(_) | Function(_), Number(_) | String(_)) => {
                Value::String(self.to_js_string().into()).loose_equals(other)
            }
            (Number(_) | String(_), Array(_) | Object(_) | Function(_)) => {
                self.loose_equals(&Value::String(other.to_js_string().into()))
            }
            _ => self.strict_equals(other),
        }
    }

    /// JavaScript's abstract relational comparison; `None` when a NaN is involved.
    pub fn compare(&self, other: &Value) -> Option<Ordering> {
        let a = self.to_primitive();
        let b = other.to_primitive();
        if let (Value::String(x), Value::String(y)) = (&a, &b) {
            return Some(x.encode_utf16().cmp(y.encode_utf16()));
        }
        a.to_number().partial_cmp(&b.to_number())
    }

    /// JavaScript's `a + b`.
    pub fn add(&self, other: &Value) -> Value {
        let a = self.to_primitive();
        let b = other.to_primitive();
        if matches!(a, Value::String(_)) || matches!(b, Value::String(_)) {
            let mut s = a.to_js_string();
            b.write_js_string(&mut s);
            Value::String(s.into())
        } else {
            Value::Number(a.to_number() + b.to_number())
        }
    }

    /// ToPrimitive with the default hint: objects and arrays become their strings.
    fn to_primitive(&self) -> Value {
        match self {
            Value::Array(_) | Value::Object(_) | Value::Function(_) => {
                Value::String(self.to_js_string().into())
            }
            other => other.clone(),
        }
    }
}

impl PartialEq for Value {
    /// Structural equality, as the diff needs (`NaN` equals `NaN` so unchanged data yields no patch).
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Number(a), Value::Number(b)) => a == b || (a.is_nan() && b.is_nan()),
            (Value::Array(a), Value::Array(b)) => Arc::ptr_eq(a, b) || a == b,
            (Value::Object(a), Value::Object(b)) => {
                Arc::ptr_eq(a, b) || (a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x == y))
            }
            _ => self.strict_equals(other),
        }
    }
}

fn key_is(key: &Value, name: &str) -> bool {
    matches!(key, Value::String(s) if &**s == name)
}

/// The array index a property key denotes, if any (`1`, `"1"`; not `1.5` or `"01"`).
fn array_index(key: &Value) -> Option<usize> {
    match key {
        Value::Number(n) if *n >= 0.0 && n.fract() == 0.0 && *n < 4_294_967_295.0 => Some(*n as usize),
        Value::String(s) => canonical_index(s),
        _ => None,
    }
}

/// `Some(i)` when `s` is the canonical decimal form of an array index.
pub(crate) fn canonical_index(s: &str) -> Option<usize> {
    if s.is_empty()
        || s.len() > 10
        || (s.len() > 1 && s.starts_with('0'))
        || !s.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let n: u64 = s.parse().ok()?;
    (n < 4_294_967_295).then_some(n as usize)
}

fn string_unit_at(s: &str, index: usize) -> Value {
    code_units(s).nth(index).unwrap_or_default()
}

/// The one-unit strings JavaScript sees when it indexes or iterates `s` (UTF-16 code units; a
/// lone surrogate half, which Rust strings cannot hold, becomes U+FFFD).
pub(crate) fn code_units(s: &str) -> impl Iterator<Item = Value> + '_ {
    s.encode_utf16().map(|unit| {
        Value::string(char::decode_utf16([unit]).map(|c| c.unwrap_or('\u{FFFD}')).collect::<String>())
    })
}

/// Reorders keys as JavaScript enumerates them: array-index keys ascending, then the rest in order.
fn js_ordered(map: Object) -> Object {
    if !map.keys().any(|k| canonical_index(k).is_some()) {
        return map;
    }
    let (mut numeric, named): (Vec<_>, Vec<_>) =
        map.into_iter().partition(|(k, _)| canonical_index(k).is_some());
    numeric.sort_by_key(|(k, _)| canonical_index(k));
    numeric.into_iter().chain(named).collect()
}

fn write_number(out: &mut String, n: f64) {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        // Integers are by far the most common; skip the general algorithm.
        let _ = write!(out, "{}", n as i64);
    } else {
        out.push_str(&number_to_string(n));
    }
}

fn number_to_json(n: f64) -> serde_json::Value {
    if !n.is_finite() {
        serde_json::Value::Null
    } else if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        serde_json::Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(serde_json::Value::Null, serde_json::Value::Number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Value {
        Value::string(text)
    }

    #[test]
    fn addition_follows_javascript() {
        assert_eq!(s("1").add(&Value::Number(1.0)).to_js_string(), "11");
        assert_eq!(Value::Bool(true).add(&Value::Number(1.0)).to_js_string(), "2");
        assert_eq!(Value::Null.add(&Value::Number(1.0)).to_js_string(), "1");
        assert_eq!(Value::Undefined.add(&Value::Number(1.0)).to_js_string(), "NaN");
        let list = Value::Array(Arc::new(vec![Value::Number(1.0), Value::Number(2.0)]));
        assert_eq!(list.add(&Value::Number(1.0)).to_js_string(), "1,21");
    }

    #[test]
    fn equality_follows_javascript() {
        assert!(Value::Number(7.0).loose_equals(&s("7")));
        assert!(!Value::Number(7.0).strict_equals(&s("7")));
        assert!(Value::Null.loose_equals(&Value::Undefined));
        assert!(!Value::Null.loose_equals(&Value::Number(0.0)));
        assert!(Value::Bool(false).loose_equals(&s("")));
        assert!(!Value::Number(f64::NAN).loose_equals(&Value::Number(f64::NAN)));
    }

    #[test]
    fn comparison_of_strings_is_by_code_units() {
        assert_eq!(s("b").compare(&s("a")), Some(Ordering::Greater));
        assert_eq!(s("10").compare(&s("9")), Some(Ordering::Less));
        assert_eq!(s("10").compare(&Value::Number(9.0)), Some(Ordering::Greater));
        assert_eq!(Value::Undefined.compare(&Value::Number(0.0)), None);
    }

    #[test]
    fn objects_enumerate_integer_keys_first() {
        let json: serde_json::Value = serde_json::from_str(r#"{"b":1,"2":2,"a":3,"1":4}"#).unwrap();
        let Value::Object(map) = Value::from_json(&json) else { panic!() };
        let keys: Vec<&str> = map.keys().map(|k| &**k).collect();
        assert_eq!(keys, ["1", "2", "b", "a"]);
    }

    #[test]
    fn strings_index_by_utf16_units() {
        assert_eq!(s("中文").get_named("length").to_js_string(), "2");
        assert_eq!(s("😀").get_named("length").to_js_string(), "2");
        assert_eq!(s("abc").get(&Value::Number(1.0)).to_js_string(), "b");
    }
}
