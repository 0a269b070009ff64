//! The boundary to WXS: the template engine calls module functions through a [`ScriptHost`].
//!
//! The engine knows no JavaScript. A host (the sandbox crate) loads WXS modules from the
//! sources the library gathered and answers calls; functions travel as [`FunctionRef`]s.

use std::collections::HashMap;

use crate::value::{FunctionRef, Value};

/// WXS sources by key: a `.wxs`/`.sjs` project path, or `file.wxml#module` for an inline module.
pub type ScriptSources = HashMap<String, String>;

/// Runs WXS modules for the renderer.
pub trait ScriptHost {
    /// The exports of the module at `key` (loaded once, then cached by the host).
    fn module(&mut self, key: &str, sources: &ScriptSources) -> Result<Value, ScriptError>;

    /// Calls a function that a module exported.
    fn call(&mut self, function: FunctionRef, args: &[Value]) -> Result<Value, ScriptError>;
}

/// A WXS module failed to load or a call threw.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ScriptError {
    pub message: String,
}

impl ScriptError {
    pub fn new(message: impl Into<String>) -> Self {
        Self { message: message.into() }
    }
}

/// A host for templates without WXS: any module use is an error.
#[derive(Debug, Default)]
pub struct NoScripts;

impl ScriptHost for NoScripts {
    fn module(&mut self, key: &str, _: &ScriptSources) -> Result<Value, ScriptError> {
        Err(ScriptError::new(format!("no script engine to run WXS module `{key}`")))
    }

    fn call(&mut self, _: FunctionRef, _: &[Value]) -> Result<Value, ScriptError> {
        Err(ScriptError::new("no script engine to run WXS"))
    }
}

/// The `require('...')` targets a WXS source names, so the library can gather them.
pub fn required_paths(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = source;
    while let Some(at) = rest.find("require") {
        rest = &rest[at + "require".len()..];
        let after = rest.trim_start();
        let Some(after) = after.strip_prefix('(') else { continue };
        let after = after.trim_start();
        let Some(quote) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else { continue };
        if let Some(end) = after[1..].find(quote) {
            found.push(after[1..1 + end].to_string());
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::required_paths;

    #[test]
    fn finds_required_modules() {
        let source = "var a = require('./a.wxs');\nvar b = require( \"../b.wxs\" ); // require";
        assert_eq!(required_paths(source), ["./a.wxs", "../b.wxs"]);
    }
}
