//! One QuickJS runtime and context with a memory cap, a stack cap and a deadline per entry.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rquickjs::{Context, Ctx, Runtime};

/// Resource bounds for one sandbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SandboxLimits {
    pub memory_bytes: usize,
    pub stack_bytes: usize,
    /// How long one entry into JavaScript (a load, a call, an event) may run.
    pub deadline: Duration,
}

impl Default for SandboxLimits {
    fn default() -> Self {
        Self { memory_bytes: 64 << 20, stack_bytes: 512 << 10, deadline: Duration::from_millis(1000) }
    }
}

/// Why a sandbox could not be created.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("cannot create a QuickJS runtime: {0}")]
    Create(String),
}

/// A QuickJS runtime and its one context. JavaScript in it sees only the globals the owner
/// defines; QuickJS's `std`/`os` modules are never loaded. Clones share the runtime.
#[derive(Clone)]
pub struct Sandbox {
    // Field order matters: the context must drop before the runtime.
    context: Context,
    runtime: Runtime,
    deadline: Arc<AtomicU64>,
    started: Instant,
    limits: SandboxLimits,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox").field("limits", &self.limits).finish_non_exhaustive()
    }
}

impl Sandbox {
    pub fn new(limits: SandboxLimits) -> Result<Self, SandboxError> {
        let runtime = Runtime::new().map_err(|err| SandboxError::Create(err.to_string()))?;
        runtime.set_memory_limit(limits.memory_bytes);
        runtime.set_max_stack_size(limits.stack_bytes);
        let started = Instant::now();
        let deadline = Arc::new(AtomicU64::new(u64::MAX));
        let handler_deadline = deadline.clone();
        runtime.set_interrupt_handler(Some(Box::new(move || {
            started.elapsed().as_nanos() as u64 > handler_deadline.load(Ordering::Relaxed)
        })));
        let context = Context::full(&runtime).map_err(|err| SandboxError::Create(err.to_string()))?;
        Ok(Self { context, runtime, deadline, started, limits })
    }

    pub fn limits(&self) -> SandboxLimits {
        self.limits
    }

    /// Runs `f` inside the context with the deadline armed, then runs the promise jobs it
    /// queued under the same deadline.
    pub fn with<R>(&self, f: impl FnOnce(Ctx<'_>) -> R) -> R {
        let at = self.started.elapsed() + self.limits.deadline;
        self.deadline.store(at.as_nanos() as u64, Ordering::Relaxed);
        let result = self.context.with(|ctx| {
            let result = f(ctx.clone());
            while ctx.execute_pending_job() {}
            result
        });
        self.deadline.store(u64::MAX, Ordering::Relaxed);
        result
    }

    /// Bytes QuickJS has allocated for this sandbox.
    pub fn memory_used(&self) -> usize {
        usize::try_from(self.runtime.memory_usage().memory_used_size).unwrap_or(usize::MAX)
    }

    pub fn run_gc(&self) {
        self.runtime.run_gc();
    }
}

/// A JavaScript failure as text: `Name: message` for thrown errors, with the stack when known.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct JsError {
    pub message: String,
    pub stack: Option<String>,
}

impl JsError {
    pub fn new(message: impl Into<String>) -> Self {
        Self { message: message.into(), stack: None }
    }

    /// Turns a QuickJS error into a message, reading the pending exception when there is one.
    pub fn from_quickjs(ctx: &Ctx<'_>, error: rquickjs::Error) -> Self {
        if !error.is_exception() {
            return Self::new(error.to_string());
        }
        let exception = ctx.catch();
        if let Some(object) = exception.as_object() {
            let message: String = object.get("message").unwrap_or_default();
            let name: String = object.get("name").unwrap_or_else(|_| "Error".into());
            let stack: Option<String> = object.get("stack").ok();
            if !message.is_empty() || object.get::<_, String>("name").is_ok() {
                return Self { message: format!("{name}: {message}"), stack };
            }
        }
        if exception.is_null() || exception.is_undefined() {
            return Self::new("uncatchable error: interrupted (deadline passed) or out of memory");
        }
        let text = exception.get::<String>().unwrap_or_else(|_| "uncatchable error".into());
        Self::new(text)
    }
}
