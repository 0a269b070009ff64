//! WXS modules in QuickJS: loads module sources, converts values both ways, answers calls.
//!
//! One [`WxsHost`] is one QuickJS runtime with a memory cap, a stack cap and a deadline per
//! load or call, and nothing but the WXS globals (`getDate`, `getRegExp`, `require`).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use capsule_template::{FunctionRef, Object, ScriptError, ScriptHost, ScriptSources, Value};
use rquickjs::function::Args;
use rquickjs::{Ctx, Function, Persistent, Type};

use crate::engine::{JsError, Sandbox, SandboxLimits};

/// Resource bounds for WXS: those of a sandbox, tighter by default.
pub type WxsLimits = SandboxLimits;

fn default_wxs_limits() -> WxsLimits {
    SandboxLimits { memory_bytes: 32 << 20, stack_bytes: 512 << 10, deadline: Duration::from_millis(500) }
}

/// The module loader, defined once per runtime. WXS modules are CommonJS-like: each sees
/// `module`, `exports` and `require`, resolved relative to its own path.
const LOADER: &str = r#"
(function () {
  var cache = Object.create(null);
  // In WXS `x.constructor` is the type's name as a string ('Array', 'Object', ...), which
  // WXS code relies on for type checks; real constructors stay untouched for the builtins.
  Object.defineProperty(Object.prototype, '__wxsConstructor', {
    get: function () { return Object.prototype.toString.call(this).slice(8, -1); },
    enumerable: false,
  });
  function resolve(from, target) {
    var parts = target.charAt(0) === '/' ? [] : from.split('/').slice(0, -1);
    target.split('/').forEach(function (p) {
      if (p === '..') parts.pop(); else if (p !== '.' && p !== '') parts.push(p);
    });
    return parts.join('/');
  }
  function getDate() {
    var a = arguments;
    return a.length === 0 ? new Date() : new (Function.prototype.bind.apply(Date, [null].concat([].slice.call(a))))();
  }
  function getRegExp(pattern, flags) { return new RegExp(pattern, flags); }
  function load(key, sources) {
    if (cache[key]) return cache[key].exports;
    var source = sources[key];
    if (typeof source !== 'string') throw new Error('module not found: ' + key);
    var module = { exports: {} };
    cache[key] = module;
    source = source.replace(/\.(\s*)constructor\b/g, '.$1__wxsConstructor');
    var body = new Function('module', 'exports', 'require', 'getDate', 'getRegExp', source);
    body(module, module.exports, function (target) { return load(resolve(key, target), sources); }, getDate, getRegExp);
    return module.exports;
  }
  return load;
})()
"#;

/// Runs WXS modules for the template renderer.
pub struct WxsHost {
    // Field order matters: persistent handles must drop before the sandbox.
    functions: Vec<Persistent<Function<'static>>>,
    loader: Option<Persistent<Function<'static>>>,
    modules: HashMap<String, Value>,
    sandbox: Sandbox,
}

impl std::fmt::Debug for WxsHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WxsHost").field("modules", &self.modules.len()).finish_non_exhaustive()
    }
}

impl Default for WxsHost {
    fn default() -> Self {
        Self::new()
    }
}

impl WxsHost {
    pub fn new() -> Self {
        Self::with_limits(default_wxs_limits())
    }

    pub fn with_limits(limits: WxsLimits) -> Self {
        // Creating a runtime only fails when the process is out of memory.
        let sandbox = Sandbox::new(limits).unwrap_or_else(|err| panic!("{err}"));
        Self { functions: Vec::new(), loader: None, modules: HashMap::new(), sandbox }
    }
}

impl ScriptHost for WxsHost {
    fn module(&mut self, key: &str, sources: &ScriptSources) -> Result<Value, ScriptError> {
        if let Some(exports) = self.modules.get(key) {
            return Ok(exports.clone());
        }
        let sandbox = self.sandbox.clone();
        let result = sandbox.with(|ctx| -> Result<Value, ScriptError> {
            let loader = match &self.loader {
                Some(loader) => loader.clone().restore(&ctx).map_err(|e| js_error(&ctx, e))?,
                None => {
                    let loader: Function = ctx.eval(LOADER).map_err(|e| js_error(&ctx, e))?;
                    self.loader = Some(Persistent::save(&ctx, loader.clone()));
                    loader
                }
            };
            let table = rquickjs::Object::new(ctx.clone()).map_err(|e| js_error(&ctx, e))?;
            for (name, source) in sources {
                table.set(name.as_str(), source.as_str()).map_err(|e| js_error(&ctx, e))?;
            }
            let exports: rquickjs::Value = loader.call((key, table)).map_err(|e| js_error(&ctx, e))?;
            Ok(self.import_value(&ctx, &exports, 0))
        });
        let exports = result?;
        self.modules.insert(key.to_string(), exports.clone());
        Ok(exports)
    }

    fn call(&mut self, function: FunctionRef, args: &[Value]) -> Result<Value, ScriptError> {
        let Some(persistent) = self.functions.get(function.0 as usize).cloned() else {
            return Err(ScriptError::new("call of an unknown function"));
        };
        let sandbox = self.sandbox.clone();
        sandbox.with(|ctx| -> Result<Value, ScriptError> {
            let function = persistent.restore(&ctx).map_err(|e| js_error(&ctx, e))?;
            let mut js_args = Args::new(ctx.clone(), args.len());
            for arg in args {
                let value = self.export_value(&ctx, arg, 0).map_err(|e| js_error(&ctx, e))?;
                js_args.push_arg(value).map_err(|e| js_error(&ctx, e))?;
            }
            let result: rquickjs::Value = function.call_arg(js_args).map_err(|e| js_error(&ctx, e))?;
            Ok(self.import_value(&ctx, &result, 0))
        })
    }
}

/// Deeper structures than this are cut off: they can only come from cyclic or hostile values.
const MAX_DEPTH: usize = 64;

impl WxsHost {
    fn import_value<'js>(&mut self, ctx: &Ctx<'js>, value: &rquickjs::Value<'js>, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return Value::Undefined;
        }
        match value.type_of() {
            Type::Null => Value::Null,
            Type::Bool => Value::Bool(value.get::<bool>().unwrap_or(false)),
            Type::Int | Type::Float => Value::Number(value.as_number().unwrap_or(f64::NAN)),
            Type::String => Value::string(value.get::<String>().unwrap_or_default()),
            Type::Array => {
                let Ok(array) = value.get::<rquickjs::Array>() else { return Value::Undefined };
                let items = array
                    .iter::<rquickjs::Value>()
                    .map(|item| item.map(|item| self.import_value(ctx, &item, depth + 1)).unwrap_or_default())
                    .collect();
                Value::Array(Arc::new(items))
            }
            Type::Function | Type::Constructor => {
                let Ok(function) = value.get::<Function>() else { return Value::Undefined };
                self.functions.push(Persistent::save(ctx, function));
                Value::Function(FunctionRef(u32::try_from(self.functions.len() - 1).unwrap_or(u32::MAX)))
            }
            Type::Object | Type::Exception => {
                let Ok(object) = value.get::<rquickjs::Object>() else { return Value::Undefined };
                let is_a = |class: &str| {
                    ctx.globals().get::<_, rquickjs::Value>(class).is_ok_and(|c| object.is_instance_of(c))
                };
                if is_a("Date") || is_a("RegExp") {
                    // Dates and regular expressions print as their strings in templates.
                    let text = ctx
                        .globals()
                        .get::<_, Function>("String")
                        .and_then(|f| f.call::<_, String>((value.clone(),)))
                        .unwrap_or_default();
                    return Value::string(text);
                }
                let mut map = Object::new();
                for entry in object.props::<String, rquickjs::Value>() {
                    let Ok((key, item)) = entry else { continue };
                    map.insert(key.into(), self.import_value(ctx, &item, depth + 1));
                }
                Value::object(map)
            }
            _ => Value::Undefined,
        }
    }

    fn export_value<'js>(
        &self,
        ctx: &Ctx<'js>,
        value: &Value,
        depth: usize,
    ) -> rquickjs::Result<rquickjs::Value<'js>> {
        use rquickjs::IntoJs;
        if depth > MAX_DEPTH {
            return Ok(rquickjs::Value::new_undefined(ctx.clone()));
        }
        Ok(match value {
            Value::Undefined => rquickjs::Value::new_undefined(ctx.clone()),
            Value::Null => rquickjs::Value::new_null(ctx.clone()),
            Value::Bool(b) => rquickjs::Value::new_bool(ctx.clone(), *b),
            Value::Number(n) => rquickjs::Value::new_number(ctx.clone(), *n),
            Value::String(s) => (**s).into_js(ctx)?,
            Value::Array(items) => {
                let array = rquickjs::Array::new(ctx.clone())?;
                for (i, item) in items.iter().enumerate() {
                    array.set(i, self.export_value(ctx, item, depth + 1)?)?;
                }
                array.into_value()
            }
            Value::Object(map) => {
                let object = rquickjs::Object::new(ctx.clone())?;
                for (key, item) in map.iter() {
                    object.set(&**key, self.export_value(ctx, item, depth + 1)?)?;
                }
                object.into_value()
            }
            Value::Function(function) => match self.functions.get(function.0 as usize) {
                Some(persistent) => persistent.clone().restore(ctx)?.into_value(),
                None => rquickjs::Value::new_undefined(ctx.clone()),
            },
        })
    }
}

fn js_error(ctx: &Ctx<'_>, error: rquickjs::Error) -> ScriptError {
    ScriptError::new(JsError::from_quickjs(ctx, error).message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(entries: &[(&str, &str)]) -> ScriptSources {
        entries.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn loads_modules_and_calls_functions() {
        let mut host = WxsHost::new();
        let sources = sources(&[
            (
                "util.wxs",
                "var h = require('./helper.wxs'); module.exports = { twice: function (x) { return h.add(x, x); }, pi: 3 };",
            ),
            ("helper.wxs", "module.exports.add = function (a, b) { return a + b; };"),
        ]);
        let exports = host.module("util.wxs", &sources).unwrap();
        assert_eq!(exports.get_named("pi").to_js_string(), "3");
        let Value::Function(twice) = exports.get_named("twice") else { panic!("not a function") };
        let result = host.call(twice, &[Value::Number(21.0)]).unwrap();
        assert_eq!(result.to_js_string(), "42");
    }

    #[test]
    fn runaway_scripts_are_stopped() {
        let mut host =
            WxsHost::with_limits(WxsLimits { deadline: Duration::from_millis(50), ..default_wxs_limits() });
        let sources = sources(&[("loop.wxs", "module.exports.spin = function () { while (true) {} };")]);
        let exports = host.module("loop.wxs", &sources).unwrap();
        let Value::Function(spin) = exports.get_named("spin") else { panic!("not a function") };
        assert!(host.call(spin, &[]).is_err());
        // The host still works afterwards.
        let again = host.module("loop.wxs", &sources).unwrap();
        assert!(matches!(again.get_named("spin"), Value::Function(_)));
    }

    #[test]
    fn no_ambient_authority() {
        let mut host = WxsHost::new();
        let sources = sources(&[(
            "probe.wxs",
            "module.exports = [typeof require, typeof process, typeof fetch, typeof setTimeout, typeof console].join(',');",
        )]);
        let exports = host.module("probe.wxs", &sources).unwrap();
        assert_eq!(exports.to_js_string(), "function,undefined,undefined,undefined,undefined");
    }
}
