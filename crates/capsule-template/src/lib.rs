//! The WXML/TTML template engine: parser, `{{ }}` expressions, IR, render to a tree and diff to patches.
//!
//! The pipeline is `source ─parse→ SyntaxTree ─compile→ CompiledFile (IR) ─link→ Library`,
//! then `Library + data ─render→ tree ─diff→ patches`. Nothing here does IO: callers hand in
//! file contents through [`Library::load`]'s reader. Problems are [`Diagnostic`]s with
//! file:line:col, never panics; WXS runs through a [`ScriptHost`] the caller provides.
//!
//! [`Diagnostic`]: capsule_diagnostics::Diagnostic

pub mod compile;
pub mod diff;
mod escape;
pub mod expr;
pub mod ir;
mod library;
pub mod number;
mod path;
mod render;
mod script;
pub mod syntax;
pub mod tree;
mod value;
mod wxs_check;

pub use compile::compile;
pub use library::Library;
pub use path::resolve;
pub use render::{RenderLimits, Rendered, render, render_with};
pub use script::{NoScripts, ScriptError, ScriptHost, ScriptSources, required_paths};
pub use tree::{Key, TreeElement, TreeNode};
pub use value::{FunctionRef, Object, Value};
pub use wxs_check::{WxsProblem, check_wxs};
