//! The mini-program runtime: App/Page/Component lifecycles, `setData`, events, the page stack
//! and the `wx`/`tt` APIs over a QuickJS sandbox and the template engine.
//!
//! - [`AppBundle`]: a mini-program's files and configuration, from a folder or a package.
//! - [`Session`]: one user's running mini-program, driven through [`Outside`].
//! - [`Host`] and [`Storage`]: what the embedding app provides; [`TestHost`] and
//!   [`MemoryStorage`] for tests and headless runs.
//! - [`worker`]: sessions inside supervised worker processes, one process per mini-program.
//! - [`build`]: checking a project folder and packing it, scripts compiled to bytecode.

pub mod build;
pub mod bundle;
pub mod events;
pub mod host;
pub mod local;
pub mod session;
pub mod view;
pub mod worker;

pub use bundle::{AppBundle, BundleError};
pub use events::ViewEvent;
pub use host::{Host, MemoryStorage, SessionScope, Storage, StorageLimits, TestHost};
pub use local::{LocalOutside, LocalSession};
pub use session::{LaunchOptions, Outside, PageInfo, RuntimeError, Session, SessionLimits, Update};
pub use view::{InstanceId, Selector, VElement, VNode};
