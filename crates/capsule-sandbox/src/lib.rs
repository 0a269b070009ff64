//! Runs untrusted JavaScript: QuickJS sandboxes with limits, bytecode, WXS for templates, and
//! the worker processes that hold mini-programs apart.
//!
//! - [`Sandbox`]: one QuickJS runtime with a memory cap, a stack cap and a deadline per entry.
//! - [`bytecode`]: scripts compiled to QuickJS bytecode at build time and loaded per session.
//! - [`WxsHost`]: the template engine's [`ScriptHost`](capsule_template::ScriptHost) for WXS.
//! - [`worker`]: child processes spoken to in JSON frames, and the supervisor that kills and
//!   restarts them when they pass a hard deadline or memory cap, or crash.
//!
//! Bytecode is trusted only from builds this crate made (QuickJS does not verify it); see
//! [`bytecode::load_script`].

pub mod bytecode;
mod engine;
pub mod worker;
mod wxs;

pub use engine::{JsError, Sandbox, SandboxError, SandboxLimits};
pub use wxs::{WxsHost, WxsLimits};
