//! Mini-program scripts as QuickJS bytecode: compiled once, loaded into every session.
//!
//! A script becomes an ES module whose default export is a CommonJS-style factory
//! `function (require, module, exports, …globals)`. Its bytecode carries a header with the
//! QuickJS build and the sha256 of the source it came from, so stale or foreign bytecode is
//! refused and the source used instead.

use rquickjs::{Ctx, Function, Module, WriteOptions};
use sha2::{Digest, Sha256};

use crate::engine::{JsError, Sandbox, SandboxLimits};

/// The names a script's factory receives, in order.
pub const FACTORY_PARAMETERS: &str =
    "require, module, exports, App, Page, Component, Behavior, getApp, getCurrentPages, wx, tt";

/// Identifies the QuickJS build whose bytecode format we write; bumped with rquickjs.
const BYTECODE_FORMAT: &str = "capsule-qjs-bytecode/rquickjs-0.14/1";

/// The module source for one script: the factory on the script's first line, so line numbers
/// in stack traces stay the script's own.
pub fn wrap_script(source: &str) -> String {
    format!("export default function ({FACTORY_PARAMETERS}) {{{source}\n}}\n")
}

fn header(source: &str) -> Vec<u8> {
    let digest = Sha256::digest(source.as_bytes());
    let mut out = Vec::with_capacity(BYTECODE_FORMAT.len() + 34);
    out.extend_from_slice(BYTECODE_FORMAT.as_bytes());
    out.push(0);
    out.extend_from_slice(&digest);
    out
}

/// Compiles `source` (a script file named `name`) to bytecode in a throwaway sandbox.
/// Syntax errors come back as `JsError` with the file's line.
pub fn compile_script(name: &str, source: &str) -> Result<Vec<u8>, JsError> {
    let sandbox = Sandbox::new(SandboxLimits { memory_bytes: 256 << 20, ..SandboxLimits::default() })
        .map_err(|err| JsError::new(err.to_string()))?;
    sandbox.with(|ctx| compile_in(&ctx, name, source))
}

/// Compiles within an existing context (the worker's cache does this for source fallbacks).
pub fn compile_in(ctx: &Ctx<'_>, name: &str, source: &str) -> Result<Vec<u8>, JsError> {
    let module = declare(ctx, name, source)?;
    let code = module.write(WriteOptions::default()).map_err(|err| JsError::from_quickjs(ctx, err))?;
    let mut out = header(source);
    out.extend_from_slice(&code);
    Ok(out)
}

/// Whether `bytecode` was compiled by this build from exactly `source`.
pub fn matches_source(bytecode: &[u8], source: &str) -> bool {
    bytecode.starts_with(&header(source))
}

/// Loads bytecode from [`compile_script`] and returns the script's factory.
///
/// `source` must be the script the bytecode claims to come from; bytecode that does not carry
/// its hash is refused, because QuickJS does not verify bytecode and malformed bytecode is
/// memory-unsafe. Callers only pass bytecode this build wrote (see the crate docs).
pub fn load_script<'js>(
    ctx: &Ctx<'js>,
    name: &str,
    source: &str,
    bytecode: &[u8],
) -> Result<Function<'js>, JsError> {
    let head = header(source);
    let Some(code) = bytecode.strip_prefix(head.as_slice()) else {
        return Err(JsError::new(format!("{name}: bytecode does not match its source")));
    };
    factory_of(ctx, read_module(ctx, code)?)
}

/// Compiles and evaluates `source` directly, for scripts without bytecode.
pub fn eval_script<'js>(ctx: &Ctx<'js>, name: &str, source: &str) -> Result<Function<'js>, JsError> {
    factory_of(ctx, declare(ctx, name, source)?)
}

/// A script as a declared (not yet evaluated) module.
fn declare<'js>(ctx: &Ctx<'js>, name: &str, source: &str) -> Result<Module<'js>, JsError> {
    Module::declare(ctx.clone(), name, wrap_script(source)).map_err(|err| JsError::from_quickjs(ctx, err))
}

/// Evaluates a script's module and returns its default export, the factory.
fn factory_of<'js>(ctx: &Ctx<'js>, module: Module<'js>) -> Result<Function<'js>, JsError> {
    let (module, promise) = module.eval().map_err(|err| JsError::from_quickjs(ctx, err))?;
    while ctx.execute_pending_job() {}
    promise.finish::<()>().map_err(|err| JsError::from_quickjs(ctx, err))?;
    module.get::<_, Function>("default").map_err(|err| JsError::from_quickjs(ctx, err))
}

#[allow(unsafe_code)]
fn read_module<'js>(ctx: &Ctx<'js>, code: &[u8]) -> Result<Module<'js>, JsError> {
    // SAFETY: `code` follows a header naming this build's bytecode format and the sha256 of
    // the source; only this crate writes such headers, from source it compiled itself, and the
    // runtime only hands in bytecode from packages it built or that the platform signed.
    unsafe { Module::load(ctx.clone(), code) }.map_err(|err| JsError::from_quickjs(ctx, err))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytecode_round_trips_and_refuses_other_sources() {
        let source = "module.exports = { answer: 6 * 7 };";
        let bytecode = compile_script("a.js", source).unwrap();
        assert!(matches_source(&bytecode, source));
        assert!(!matches_source(&bytecode, "module.exports = 1;"));
        let sandbox = Sandbox::new(SandboxLimits::default()).unwrap();
        let answer = sandbox.with(|ctx| {
            let factory = load_script(&ctx, "a.js", source, &bytecode).unwrap();
            let module = rquickjs::Object::new(ctx.clone()).unwrap();
            module.set("exports", rquickjs::Object::new(ctx.clone()).unwrap()).unwrap();
            factory.call::<_, ()>((rquickjs::Undefined, module.clone())).unwrap();
            let exports: rquickjs::Object = module.get("exports").unwrap();
            exports.get::<_, i32>("answer").unwrap()
        });
        assert_eq!(answer, 42);
        let refused = sandbox.with(|ctx| load_script(&ctx, "a.js", "other", &bytecode).map(|_| ()));
        assert!(refused.is_err());
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let err = compile_script("bad.js", "var a = 1;\nvar = ;").unwrap_err();
        assert!(err.message.contains("SyntaxError"), "{err:?}");
    }
}
