//! One running mini-program for one user: its QuickJS sandbox with the base library, the page
//! stack, component instances, rendering, events and the APIs the runtime answers itself.
//!
//! JavaScript owns behaviour (lifecycles, methods, observers); Rust owns the view: each
//! instance's data (kept in step through `setData`), its rendered template, the composed tree,
//! diffs, event routing and navigation. Native functions only queue effects or answer from
//! state; the session applies them after each entry into JavaScript.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use capsule_diagnostics::Severity;
use capsule_sandbox::{JsError, Sandbox, SandboxLimits, WxsHost, bytecode};
use capsule_style::{Isolation, Scope};
use capsule_template::compile::tree_attribute_name;
use capsule_template::diff::{Patch, diff};
use capsule_template::{NoScripts, ScriptHost, TreeNode, Value, render};
use rquickjs::function::Args;
use rquickjs::{Ctx, Function, Object, Persistent};
use serde_json::{Value as Json, json};

use crate::bundle::AppBundle;
use crate::events::{self, Plan, ViewEvent};
use crate::view::{self, ClassScope, InstanceId, Selector, VElement, VNode};

/// The runtime's limits for one session (DESIGN.md's defaults).
#[derive(Clone, Debug)]
pub struct SessionLimits {
    pub sandbox: SandboxLimits,
    /// One `setData` payload, as JSON bytes.
    pub set_data_bytes: usize,
    pub page_stack: usize,
    pub concurrent_requests: usize,
    pub request_timeout: Duration,
}

impl Default for SessionLimits {
    fn default() -> Self {
        Self {
            sandbox: SandboxLimits::default(),
            set_data_bytes: 1 << 20,
            page_stack: 10,
            concurrent_requests: 10,
            request_timeout: Duration::from_secs(60),
        }
    }
}

/// How a session starts.
#[derive(Clone, Debug)]
pub struct LaunchOptions {
    pub app_id: String,
    /// The first page; the app's entry page when `None`.
    pub route: Option<String>,
    /// The first page's query string (`a=1&b=2`).
    pub query: String,
    pub scene: u32,
    /// The https domains `request` may reach; `None` skips the check (local development).
    pub request_domains: Option<Vec<String>>,
    /// What `getSystemInfoSync` answers (merged over defaults).
    pub system_info: Json,
    /// What `getExtConfigSync` answers: the configuration the platform keeps for the app
    /// (WeChat's third-party `ext`), such as the address of its backend.
    pub ext_config: Json,
    pub limits: SessionLimits,
}

impl Default for LaunchOptions {
    fn default() -> Self {
        Self {
            app_id: "local".into(),
            route: None,
            query: String::new(),
            scene: 1001,
            request_domains: None,
            system_info: json!({}),
            ext_config: json!({}),
            limits: SessionLimits::default(),
        }
    }
}

/// Something the session tells its embedder.
#[derive(Clone, Debug, PartialEq)]
pub enum Update {
    /// CSS the view needs for a page, sent before the tree or patches that use it.
    Style { page: InstanceId, css: String },
    /// A page's first tree; later changes come as [`Update::Patches`] against it.
    Render { page: InstanceId, tree: Vec<TreeNode> },
    /// The view of a page changed.
    Patches { page: InstanceId, patches: Vec<Patch> },
    /// The page stack changed (navigation).
    Stack { pages: Vec<PageInfo> },
    /// `console.*` from the mini-program.
    Log { level: String, text: String },
    /// An uncaught error in the mini-program's code.
    Error { text: String },
    /// An input handler returned new text for the field at `path` (WeChat's `bindinput` return)
    /// when the field read `typed`; the view ignores it if the person has typed on since.
    Value { page: InstanceId, path: Vec<usize>, value: String, typed: String },
}

/// A page on the stack.
#[derive(Clone, Debug, PartialEq)]
pub struct PageInfo {
    pub id: InstanceId,
    pub route: String,
    pub query: BTreeMap<String, String>,
}

impl PageInfo {
    pub fn to_json(&self) -> Json {
        json!({ "id": self.id, "route": self.route, "query": self.query })
    }
}

/// The session's way out: APIs it does not answer itself, and its updates.
pub trait Outside {
    /// A synchronous API (storage): answered before the script continues.
    fn call_sync(&self, api: &str, args: Json) -> Result<Json, String>;
    /// An asynchronous API; the answer comes back through [`Session::resolve`] with `callback`.
    fn call_async(&self, api: &str, args: Json, callback: u64);
    /// A `RequestTask.abort()`.
    fn cancel(&self, _callback: u64) {}
    fn update(&self, update: Update);
}

/// Why a session could not start or an operation failed.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error("{0}")]
    Script(#[from] JsError),
    #[error("{0}")]
    Sandbox(#[from] capsule_sandbox::SandboxError),
    #[error("{0}")]
    Invalid(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Page,
    Component,
}

#[derive(Debug)]
struct Instance {
    kind: Kind,
    path: String,
    page: InstanceId,
    data: Value,
    dirty: bool,
    raw: Option<Arc<Vec<TreeNode>>>,
    /// Component: declared property names, the last values handed in, its identity.
    properties: Vec<String>,
    last_properties: Option<Json>,
    identity: Option<(InstanceId, String)>,
    sibling_index: usize,
    external_classes: Vec<String>,
    /// Component: how its classes are scoped in the view.
    class_scope: Option<ClassScope>,
    multiple_slots: bool,
    relations: Vec<Relation>,
    ready: bool,
    /// Page: its query and whether onReady has run.
    query: BTreeMap<String, String>,
}

/// The stylesheets of one page's view: which were sent (`app`, the page, components by scope)
/// and their CSS, in order.
#[derive(Debug, Default)]
struct PageStyles {
    sent: HashSet<String>,
    sheets: Vec<Arc<str>>,
}

#[derive(Clone, Debug)]
struct Relation {
    /// The key as the component declared it (`../list/list`), which its JavaScript uses.
    key: String,
    /// The related component's resolved path.
    path: String,
    kind: String,
}

#[derive(Debug, Default)]
struct Effects {
    set_data: Vec<(InstanceId, String)>,
    routes: Vec<(String, Json, u64)>,
    async_calls: Vec<(String, Json, u64)>,
    timers: Vec<(u64, u64)>,
    cleared_timers: Vec<u64>,
    /// Asynchronous calls the mini-program aborted (`RequestTask.abort`).
    aborted: Vec<u64>,
    errors: Vec<String>,
    settled: Vec<(u64, bool, String)>,
}

#[derive(Debug)]
struct State {
    effects: Effects,
    instances: HashMap<InstanceId, Instance>,
    stack: Vec<InstanceId>,
    tab_pages: HashMap<String, InstanceId>,
    views: HashMap<InstanceId, Vec<VNode>>,
    /// Per page: the stylesheets the view has been sent.
    styled: HashMap<InstanceId, PageStyles>,
    identities: HashMap<(InstanceId, String), InstanceId>,
    links: HashSet<(InstanceId, InstanceId, String)>,
    next_id: InstanceId,
    started: Instant,
    set_data_limit: usize,
}

/// One running mini-program session.
pub struct Session {
    // Field order matters: JavaScript handles drop before the sandbox that owns them.
    rt: Persistent<Object<'static>>,
    wxs: Option<WxsHost>,
    sandbox: Sandbox,
    state: Rc<RefCell<State>>,
    outside: Rc<dyn Outside>,
    bundle: Arc<AppBundle>,
    options: LaunchOptions,
    timers: BTreeMap<(Instant, u64), u64>,
    timer_due: HashMap<u64, Instant>,
    /// Requests the host has not answered yet, with when each times out.
    requests_in_flight: HashMap<u64, Instant>,
    /// Settled automation promises: id → (ok, JSON).
    settled: HashMap<u64, (bool, String)>,
    tab_routes: Vec<String>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").field("app", &self.options.app_id).finish_non_exhaustive()
    }
}

const BASE_LIBRARY: &str = include_str!("base/base.js");

/// Event types that bubble, as WeChat's.
const BUBBLING: &[&str] = &[
    "touchstart",
    "touchmove",
    "touchcancel",
    "touchend",
    "tap",
    "longpress",
    "longtap",
    "transitionend",
    "animationstart",
    "animationiteration",
    "animationend",
    "touchforcechange",
];

/// One argument to a base-library entry point.
enum Arg {
    Id(InstanceId),
    Num(f64),
    Str(String),
    Bool(bool),
    Null,
}

impl Session {
    /// Starts the mini-program: base library, `app.js`, `App.onLaunch`/`onShow`, the first page.
    pub fn launch(
        bundle: Arc<AppBundle>,
        options: LaunchOptions,
        outside: Rc<dyn Outside>,
    ) -> Result<Session, RuntimeError> {
        let sandbox = Sandbox::new(options.limits.sandbox)?;
        let state = Rc::new(RefCell::new(State {
            effects: Effects::default(),
            instances: HashMap::new(),
            stack: Vec::new(),
            tab_pages: HashMap::new(),
            views: HashMap::new(),
            styled: HashMap::new(),
            identities: HashMap::new(),
            links: HashSet::new(),
            next_id: 1,
            started: Instant::now(),
            set_data_limit: options.limits.set_data_bytes,
        }));
        let rt = sandbox.with(|ctx| install(&ctx, &bundle, &state, &outside, &options))?;
        let tab_routes = bundle.tab_routes();
        let mut session = Session {
            rt,
            wxs: None,
            sandbox,
            state,
            outside,
            bundle,
            options,
            timers: BTreeMap::new(),
            timer_due: HashMap::new(),
            requests_in_flight: HashMap::new(),
            settled: HashMap::new(),
            tab_routes,
        };
        let has_app = session.call("boot", vec![Arg::Str("app.js".into())])?;
        if has_app.as_deref() != Some("true") {
            return Err(RuntimeError::Invalid("app.js did not call App()".into()));
        }
        let route = session
            .options
            .route
            .clone()
            .or_else(|| session.bundle.entry_route())
            .ok_or_else(|| RuntimeError::Invalid("the app has no pages".into()))?;
        let route = route.trim_start_matches('/').to_string();
        let query = parse_query(&session.options.query);
        let launch =
            json!({ "path": route, "query": query, "scene": session.options.scene, "referrerInfo": {} });
        session.app_lifetime("onLaunch", &launch)?;
        session.app_lifetime("onShow", &launch)?;
        session.settle();
        if !session.bundle.routes().contains(&route) {
            let found = session.page_not_found(&route, &query, true);
            if !found {
                return Err(RuntimeError::Invalid(format!("page \"{route}\" is not found")));
            }
            return Ok(session);
        }
        session.open_page(&route, query, OpenMode::Launch).map_err(RuntimeError::Invalid)?;
        Ok(session)
    }

    // ---- calling into JavaScript --------------------------------------------------------

    fn call(&mut self, name: &str, args: Vec<Arg>) -> Result<Option<String>, JsError> {
        let rt = self.rt.clone();
        let result = self.sandbox.with(|ctx| -> Result<Option<String>, JsError> {
            let rt = rt.restore(&ctx).map_err(|e| JsError::from_quickjs(&ctx, e))?;
            let function: Function = rt.get(name).map_err(|e| JsError::from_quickjs(&ctx, e))?;
            let mut js_args = Args::new(ctx.clone(), args.len());
            for arg in args {
                let pushed = match arg {
                    Arg::Id(id) => js_args.push_arg(id),
                    Arg::Num(n) => js_args.push_arg(n),
                    Arg::Str(s) => js_args.push_arg(s),
                    Arg::Bool(b) => js_args.push_arg(b),
                    Arg::Null => js_args.push_arg(rquickjs::Null),
                };
                pushed.map_err(|e| JsError::from_quickjs(&ctx, e))?;
            }
            let value: rquickjs::Value =
                function.call_arg(js_args).map_err(|e| JsError::from_quickjs(&ctx, e))?;
            Ok(value.as_string().and_then(|s| s.to_string().ok()))
        });
        if let Err(err) = &result {
            self.state.borrow_mut().effects.errors.push(err.message.clone());
        }
        result
    }

    fn app_lifetime(&mut self, name: &str, arg: &Json) -> Result<bool, JsError> {
        let handled = self.call("appLifetime", vec![Arg::Str(name.into()), Arg::Str(arg.to_string())])?;
        Ok(handled.as_deref() == Some("true"))
    }

    fn lifetime(&mut self, id: InstanceId, name: &str, arg: Option<&Json>) -> Option<String> {
        let arg = arg.map_or(Arg::Null, |a| Arg::Str(a.to_string()));
        self.call("lifetime", vec![Arg::Id(id), Arg::Str(name.into()), arg]).ok().flatten()
    }

    // ---- pages --------------------------------------------------------------------------

    fn new_id(&self) -> InstanceId {
        let mut state = self.state.borrow_mut();
        let id = state.next_id;
        state.next_id += 1;
        id
    }

    fn create_page(&mut self, route: &str, query: BTreeMap<String, String>) -> Result<InstanceId, String> {
        let id = self.new_id();
        let data = self
            .call("createPage", vec![Arg::Id(id), Arg::Str(route.into()), Arg::Str(json!(query).to_string())])
            .map_err(|e| e.message)?;
        let data = parse_value(data.as_deref());
        self.state.borrow_mut().instances.insert(
            id,
            Instance {
                kind: Kind::Page,
                path: route.to_string(),
                page: id,
                data,
                dirty: true,
                raw: None,
                properties: Vec::new(),
                last_properties: None,
                identity: None,
                sibling_index: 0,
                external_classes: Vec::new(),
                class_scope: None,
                multiple_slots: false,
                relations: Vec::new(),
                ready: false,
                query,
            },
        );
        Ok(id)
    }

    /// Creates a page, renders it, runs onLoad/onShow, renders again and runs onReady.
    fn open_page(
        &mut self,
        route: &str,
        query: BTreeMap<String, String>,
        mode: OpenMode,
    ) -> Result<InstanceId, String> {
        let id = self.create_page(route, query.clone())?;
        match mode {
            OpenMode::Push | OpenMode::Launch => self.state.borrow_mut().stack.push(id),
            OpenMode::Replace => {
                let mut state = self.state.borrow_mut();
                state.stack.pop();
                state.stack.push(id);
            }
        }
        if self.tab_routes.iter().any(|r| r == route) {
            self.state.borrow_mut().tab_pages.insert(route.to_string(), id);
        }
        self.sync_stack();
        // The first render uses the initial data; components attach before onLoad, as WeChat.
        self.render_page(id);
        self.lifetime(id, "onLoad", Some(&json!(query)));
        self.lifetime(id, "onShow", None);
        self.settle();
        self.mark_ready(id);
        self.settle();
        Ok(id)
    }

    fn mark_ready(&mut self, page: InstanceId) {
        let pending = self.components_on(page, |_, inst| !inst.ready);
        for id in pending {
            if let Some(inst) = self.state.borrow_mut().instances.get_mut(&id) {
                inst.ready = true;
            }
            self.lifetime(id, "ready", None);
        }
        let page_ready = self.state.borrow().instances.get(&page).is_some_and(|p| !p.ready);
        if page_ready {
            if let Some(inst) = self.state.borrow_mut().instances.get_mut(&page) {
                inst.ready = true;
            }
            self.lifetime(page, "onReady", None);
        }
    }

    /// The components on `page` that `keep` selects, in creation order.
    fn components_on(
        &self,
        page: InstanceId,
        keep: impl Fn(InstanceId, &Instance) -> bool,
    ) -> Vec<InstanceId> {
        let state = self.state.borrow();
        let mut ids: Vec<InstanceId> = state
            .instances
            .iter()
            .filter(|(id, inst)| inst.page == page && inst.kind == Kind::Component && keep(**id, inst))
            .map(|(id, _)| *id)
            .collect();
        ids.sort_unstable();
        ids
    }

    fn unload_page(&mut self, id: InstanceId) {
        let components = self.components_on(id, |_, _| true);
        self.lifetime(id, "onUnload", None);
        for component in components {
            self.destroy_component(component);
        }
        let mut state = self.state.borrow_mut();
        state.instances.remove(&id);
        state.views.remove(&id);
        state.styled.remove(&id);
        state.tab_pages.retain(|_, page| *page != id);
    }

    fn sync_stack(&mut self) {
        let pages = self.page_stack();
        let ids: Vec<InstanceId> = pages.iter().map(|p| p.id).collect();
        let _ = self.call("setPageStack", vec![Arg::Str(json!(ids).to_string())]);
        self.outside.update(Update::Stack { pages });
    }

    /// The pages on the stack, bottom first.
    pub fn page_stack(&self) -> Vec<PageInfo> {
        let state = self.state.borrow();
        state
            .stack
            .iter()
            .filter_map(|id| {
                let inst = state.instances.get(id)?;
                Some(PageInfo { id: *id, route: inst.path.clone(), query: inst.query.clone() })
            })
            .collect()
    }

    pub fn current_page(&self) -> Option<PageInfo> {
        self.page_stack().pop()
    }

    fn page_not_found(&mut self, route: &str, query: &BTreeMap<String, String>, entry: bool) -> bool {
        let arg = json!({ "path": route, "query": query, "isEntryPage": entry });
        let handled = self.app_lifetime("onPageNotFound", &arg).unwrap_or(false);
        self.settle();
        handled && !self.state.borrow().stack.is_empty()
    }

    /// Performs one routing API call; `Err` is the `errMsg` reason.
    fn route(&mut self, api: &str, args: &Json) -> Result<(), String> {
        let url = args.get("url").and_then(Json::as_str).unwrap_or("");
        let current = self.current_page().map(|p| p.route).unwrap_or_default();
        let (route, query) = split_url(url, &current);
        let is_tab = self.tab_routes.contains(&route);
        if api != "navigateBack" {
            if url.is_empty() {
                return Err("parameter.url should be String".into());
            }
            if !self.bundle.routes().contains(&route) {
                self.page_not_found(&route, &query, false);
                return Err(format!("page \"{route}\" is not found"));
            }
        }
        match api {
            "navigateTo" => {
                if is_tab {
                    return Err("can not navigateTo a tabbar page".into());
                }
                if self.state.borrow().stack.len() >= self.options.limits.page_stack {
                    return Err("webview count limit exceed".into());
                }
                if let Some(top) = self.current_page() {
                    self.lifetime(top.id, "onHide", None);
                    self.page_lifetimes_of(top.id, "hide");
                }
                self.open_page(&route, query, OpenMode::Push)?;
            }
            "redirectTo" => {
                if is_tab {
                    return Err("can not redirectTo a tabbar page".into());
                }
                if let Some(top) = self.current_page() {
                    self.unload_page(top.id);
                }
                self.open_page(&route, query, OpenMode::Replace)?;
            }
            "navigateBack" => {
                let delta = args.get("delta").and_then(Json::as_u64).unwrap_or(1).max(1) as usize;
                let depth = self.state.borrow().stack.len();
                if depth <= 1 {
                    return Err("cannot navigate back at first page.".into());
                }
                let closing = delta.min(depth - 1);
                for _ in 0..closing {
                    let Some(top) = self.state.borrow_mut().stack.pop() else { break };
                    self.unload_page(top);
                }
                self.sync_stack();
                if let Some(top) = self.current_page() {
                    self.lifetime(top.id, "onShow", None);
                    self.page_lifetimes_of(top.id, "show");
                }
            }
            "switchTab" => {
                if !is_tab {
                    return Err("can not switch to no-tabBar page".into());
                }
                let stack: Vec<InstanceId> = self.state.borrow().stack.clone();
                for id in stack.iter().rev() {
                    let kept_tab = self.state.borrow().tab_pages.values().any(|t| t == id);
                    if kept_tab {
                        self.lifetime(*id, "onHide", None);
                        self.page_lifetimes_of(*id, "hide");
                    } else {
                        self.unload_page(*id);
                    }
                }
                self.state.borrow_mut().stack.clear();
                let existing = self.state.borrow().tab_pages.get(&route).copied();
                match existing {
                    Some(id) => {
                        self.state.borrow_mut().stack.push(id);
                        self.sync_stack();
                        self.lifetime(id, "onShow", None);
                        self.page_lifetimes_of(id, "show");
                    }
                    None => {
                        self.open_page(&route, query, OpenMode::Launch)?;
                    }
                }
            }
            "reLaunch" => {
                let mut all: Vec<InstanceId> = self.state.borrow().stack.clone();
                for tab in self.state.borrow().tab_pages.values() {
                    if !all.contains(tab) {
                        all.push(*tab);
                    }
                }
                for id in all.iter().rev() {
                    self.unload_page(*id);
                }
                self.state.borrow_mut().stack.clear();
                self.open_page(&route, query, OpenMode::Launch)?;
            }
            _ => return Err(format!("unknown route {api}")),
        }
        Ok(())
    }

    fn page_lifetimes_of(&mut self, page: InstanceId, name: &str) {
        let components = self.components_on(page, |_, _| true);
        for id in components {
            self.lifetime(id, &format!("page:{name}"), None);
        }
    }

    // ---- rendering ----------------------------------------------------------------------

    fn render_instance(&mut self, id: InstanceId) -> Arc<Vec<TreeNode>> {
        let (path, data, cached) = {
            let state = self.state.borrow();
            let Some(inst) = state.instances.get(&id) else { return Arc::new(Vec::new()) };
            (inst.path.clone(), inst.data.clone(), (!inst.dirty).then(|| inst.raw.clone()).flatten())
        };
        if let Some(raw) = cached {
            return raw;
        }
        let template = self.bundle.template(&path);
        let mut errors = Vec::new();
        let tree = match &template.library {
            Some(library) => {
                for d in &template.diagnostics {
                    if d.severity == Severity::Error {
                        errors.push(d.to_string());
                    }
                }
                let rendered = if library.scripts().is_empty() {
                    render(library, &template.entry, &data, &mut NoScripts)
                } else {
                    let host = self.wxs.get_or_insert_with(WxsHost::new);
                    render(library, &template.entry, &data, host as &mut dyn ScriptHost)
                };
                for d in &rendered.diagnostics {
                    if d.severity == Severity::Error {
                        errors.push(d.to_string());
                    }
                }
                rendered.tree
            }
            None => Vec::new(),
        };
        let tree = Arc::new(tree);
        let mut state = self.state.borrow_mut();
        state.effects.errors.extend(errors);
        if let Some(inst) = state.instances.get_mut(&id) {
            inst.raw = Some(tree.clone());
            inst.dirty = false;
        }
        tree
    }

    /// Renders and composes one page, creating and removing components, and emits patches.
    fn render_page(&mut self, page: InstanceId) {
        let mut seen = HashSet::new();
        let mut created = Vec::new();
        let nodes = self.compose(page, page, &mut seen, &mut created);
        // Components of this page that are no longer in its tree leave.
        let gone = self.components_on(page, |id, _| !seen.contains(&id));
        for id in &gone {
            self.lifetime(*id, "detached", None);
        }
        for id in &created {
            self.lifetime(*id, "attached", None);
        }
        // As WeChat: `linked` after `attached`, `unlinked` after `detached` (while the leaving
        // component still exists).
        self.update_relations(page, &nodes);
        for id in gone {
            self.forget_component(id);
        }
        let page_ready = self.state.borrow().instances.get(&page).is_some_and(|p| p.ready);
        if page_ready && !created.is_empty() {
            for id in &created {
                if let Some(inst) = self.state.borrow_mut().instances.get_mut(id) {
                    inst.ready = true;
                }
                self.lifetime(*id, "ready", None);
            }
        }
        self.send_styles(page, &created);
        let new = self.view_tree(&nodes);
        let old = self.state.borrow_mut().views.insert(page, nodes);
        // A page's first render reaches the view through its tree, later ones as patches.
        match old {
            Some(old) => {
                let patches = diff(&self.view_tree(&old), &new);
                if !patches.is_empty() {
                    self.outside.update(Update::Patches { page, patches });
                }
            }
            None => self.outside.update(Update::Render { page, tree: new }),
        }
    }

    fn class_scope(&self, id: InstanceId) -> Option<ClassScope> {
        self.state.borrow().instances.get(&id).and_then(|i| i.class_scope.clone())
    }

    /// The view tree of composed nodes (component classes scoped, rpx in inline styles).
    fn view_tree(&self, nodes: &[VNode]) -> Vec<TreeNode> {
        let state = self.state.borrow();
        view::to_view_tree(nodes, &|id| {
            state.instances.get(&id).and_then(|i| i.class_scope.as_ref()).map(|s| s.prefix.clone())
        })
    }

    /// Sends the view the stylesheets of `page` it does not have yet: on the first render the
    /// app's and the page's, and whenever a component appears, that component's.
    fn send_styles(&mut self, page: InstanceId, created: &[InstanceId]) {
        let mut wanted: Vec<(String, Option<ClassScope>)> = Vec::new();
        {
            let state = self.state.borrow();
            let first = !state.styled.contains_key(&page);
            if !first && created.is_empty() {
                return;
            }
            let Some(route) = state.instances.get(&page).map(|p| p.path.clone()) else { return };
            if first {
                wanted.push(("app".to_string(), None));
            }
            // Components created in this render: on the first one, every component of the page.
            for id in created {
                if let Some(inst) = state.instances.get(id) {
                    wanted.push((inst.path.clone(), inst.class_scope.clone()));
                }
            }
            if first {
                wanted.push((route, None));
            }
        }
        let mut css = String::new();
        let mut state = self.state.borrow_mut();
        let styles = state.styled.entry(page).or_default();
        for (unit, scope) in wanted {
            let key = match &scope {
                Some(scope) => format!("{unit}\0{:?}", scope.isolation),
                None => unit.clone(),
            };
            if !styles.sent.insert(key) {
                continue;
            }
            let scope = match &scope {
                Some(scope) => Scope::Component { prefix: &scope.prefix, isolation: scope.isolation },
                None => Scope::Page,
            };
            let sheet = self.bundle.style(&unit, scope);
            if !sheet.is_empty() {
                css.push_str(&sheet);
                styles.sheets.push(sheet);
            }
        }
        drop(state);
        if !css.is_empty() {
            self.outside.update(Update::Style { page, css });
        }
    }

    /// A component's style isolation: `options.styleIsolation` or `addGlobalClass` in its
    /// script, else `styleIsolation` in its JSON.
    fn isolation_of(&self, path: &str, info: &Json) -> Isolation {
        if let Some(option) = info.get("styleIsolation").and_then(Json::as_str) {
            return Isolation::from_option(option);
        }
        if info.get("addGlobalClass").and_then(Json::as_bool) == Some(true) {
            return Isolation::ApplyShared;
        }
        let config = self.bundle.config(path);
        config.get("styleIsolation").and_then(Json::as_str).map(Isolation::from_option).unwrap_or_default()
    }

    fn compose(
        &mut self,
        id: InstanceId,
        page: InstanceId,
        seen: &mut HashSet<InstanceId>,
        created: &mut Vec<InstanceId>,
    ) -> Vec<VNode> {
        let raw = self.render_instance(id);
        let path = self.state.borrow().instances.get(&id).map(|i| i.path.clone()).unwrap_or_default();
        let components = self.bundle.components_of(&path);
        self.compose_nodes(&raw, id, page, &components, seen, created, &mut String::new())
    }

    #[allow(clippy::too_many_arguments)]
    fn compose_nodes(
        &mut self,
        nodes: &[TreeNode],
        owner: InstanceId,
        page: InstanceId,
        components: &BTreeMap<String, String>,
        seen: &mut HashSet<InstanceId>,
        created: &mut Vec<InstanceId>,
        prefix: &mut String,
    ) -> Vec<VNode> {
        let mut out = Vec::with_capacity(nodes.len());
        let mut local: HashMap<Arc<str>, usize> = HashMap::new();
        for node in nodes {
            let element = match node {
                TreeNode::Text(text) => {
                    out.push(VNode::Text(text.clone()));
                    continue;
                }
                TreeNode::Element(element) => element,
            };
            // Identity among siblings: the wx:key when there is one, else the tag's ordinal, so
            // a wx:if toggling a different tag does not recreate components.
            let ordinal = local.entry(element.tag.clone()).or_default();
            let segment = match &element.key {
                Some(key) => format!("{}#k{}:{}", element.tag, key.loop_id, key.value),
                None => format!("{}#{}", element.tag, ordinal),
            };
            *ordinal += 1;
            let saved = prefix.len();
            prefix.push('/');
            prefix.push_str(&segment);
            let children =
                self.compose_nodes(&element.children, owner, page, components, seen, created, prefix);
            let mut velement = VElement {
                tag: element.tag.clone(),
                attrs: element.attrs.clone(),
                children,
                key: element.key.clone(),
                owner,
                component: None,
                view_class: None,
                view_hover_class: None,
            };
            if let Some(scope) = self.class_scope(owner) {
                let scoped = |value: &Value| {
                    let mut scoped = Vec::new();
                    view::scope_classes(&value.to_js_string(), Some(&scope), &mut scoped);
                    Arc::<str>::from(scoped.join(" "))
                };
                velement.view_class = velement.attr("class").map(scoped);
                // "none" is no class: it turns the hover state off.
                velement.view_hover_class =
                    velement.attr("hoverClass").filter(|v| v.to_js_string() != "none").map(scoped);
            }
            if let Some(component_path) = components.get(&*element.tag) {
                let identity = (owner, prefix.clone());
                let index = out.len();
                if let Some(component) = self.component_for(
                    identity,
                    component_path,
                    page,
                    &velement.attrs,
                    index,
                    element.key.is_some(),
                    created,
                ) {
                    seen.insert(component);
                    let slot_content = std::mem::take(&mut velement.children);
                    let mut shadow = self.compose(component, page, seen, created);
                    let (multiple, external) = {
                        let state = self.state.borrow();
                        let inst = state.instances.get(&component);
                        (
                            inst.is_some_and(|i| i.multiple_slots),
                            inst.map(|i| i.external_classes.clone()).unwrap_or_default(),
                        )
                    };
                    fill_slots(&mut shadow, component, slot_content, multiple);
                    if !external.is_empty() {
                        let scopes = (self.class_scope(component), self.class_scope(owner));
                        apply_external_classes(&mut shadow, component, &external, &velement.attrs, scopes);
                    }
                    velement.children = shadow;
                    velement.component = Some(component);
                }
            }
            prefix.truncate(saved);
            out.push(VNode::Element(velement));
        }
        out
    }

    /// Finds or creates the component instance for a host node and hands it its properties.
    #[allow(clippy::too_many_arguments)]
    fn component_for(
        &mut self,
        identity: (InstanceId, String),
        path: &str,
        page: InstanceId,
        attrs: &[(Arc<str>, Value)],
        index: usize,
        keyed: bool,
        created: &mut Vec<InstanceId>,
    ) -> Option<InstanceId> {
        let existing = self.state.borrow().identities.get(&identity).copied();
        let id = match existing {
            Some(id) => {
                let moved = {
                    let mut state = self.state.borrow_mut();
                    let inst = state.instances.get_mut(&id)?;
                    let moved = keyed && inst.sibling_index != index;
                    inst.sibling_index = index;
                    moved
                };
                if moved {
                    self.lifetime(id, "moved", None);
                }
                id
            }
            None => {
                let id = self.new_id();
                let info = match self
                    .call("createComponent", vec![Arg::Id(id), Arg::Str(path.into()), Arg::Id(page)])
                {
                    Ok(info) => parse_json(info.as_deref()),
                    Err(_) => return None,
                };
                let strings = |key: &str| -> Vec<String> {
                    info.get(key)
                        .and_then(Json::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(Json::as_str)
                        .map(str::to_string)
                        .collect()
                };
                let relations = info
                    .get("relations")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|r| {
                        let rel_path = r.get("path")?.as_str()?;
                        Some(Relation {
                            key: rel_path.to_string(),
                            path: capsule_template::resolve(path, rel_path).unwrap_or_default(),
                            kind: r.get("type")?.as_str()?.to_string(),
                        })
                    })
                    .collect();
                let mut state = self.state.borrow_mut();
                state.identities.insert(identity.clone(), id);
                state.instances.insert(
                    id,
                    Instance {
                        kind: Kind::Component,
                        path: path.to_string(),
                        page,
                        data: Value::from_json(info.get("data").unwrap_or(&Json::Null)),
                        dirty: true,
                        raw: None,
                        properties: strings("properties"),
                        last_properties: None,
                        identity: Some(identity),
                        sibling_index: index,
                        external_classes: strings("externalClasses"),
                        class_scope: Some(ClassScope {
                            prefix: capsule_style::component_prefix(path).into(),
                            isolation: self.isolation_of(path, &info),
                        }),
                        multiple_slots: info.get("multipleSlots").and_then(Json::as_bool).unwrap_or(false),
                        relations,
                        ready: false,
                        query: BTreeMap::new(),
                    },
                );
                drop(state);
                self.lifetime(id, "created", None);
                created.push(id);
                id
            }
        };
        // Properties: only declared ones, only when they changed.
        let props = {
            let state = self.state.borrow();
            let inst = state.instances.get(&id)?;
            let mut props = serde_json::Map::new();
            for (name, value) in attrs {
                if inst.properties.iter().any(|p| **p == **name) {
                    props.insert(name.to_string(), value.to_json().unwrap_or(Json::Null));
                }
            }
            let props = Json::Object(props);
            (inst.last_properties.as_ref() != Some(&props)).then_some(props)
        };
        if let Some(props) = props {
            if let Some(inst) = self.state.borrow_mut().instances.get_mut(&id) {
                inst.last_properties = Some(props.clone());
            }
            let _ = self.call("setProperties", vec![Arg::Id(id), Arg::Str(props.to_string())]);
            self.apply_set_data();
        }
        Some(id)
    }

    fn destroy_component(&mut self, id: InstanceId) {
        self.lifetime(id, "detached", None);
        self.forget_component(id);
    }

    fn forget_component(&mut self, id: InstanceId) {
        let _ = self.call("forgetComponent", vec![Arg::Id(id)]);
        let mut state = self.state.borrow_mut();
        if let Some(inst) = state.instances.remove(&id)
            && let Some(identity) = inst.identity
        {
            state.identities.remove(&identity);
        }
        state.links.retain(|(a, b, _)| *a != id && *b != id);
    }

    /// Links components whose `relations` name each other (parent/child, ancestor/descendant).
    fn update_relations(&mut self, page: InstanceId, nodes: &[VNode]) {
        let mut pairs = Vec::new();
        fn walk(
            nodes: &[VNode],
            ancestors: &mut Vec<InstanceId>,
            pairs: &mut Vec<(InstanceId, InstanceId, bool)>,
        ) {
            for node in nodes {
                let VNode::Element(element) = node else { continue };
                if let Some(component) = element.component {
                    for (depth, ancestor) in ancestors.iter().rev().enumerate() {
                        pairs.push((*ancestor, component, depth == 0));
                    }
                    ancestors.push(component);
                    walk(&element.children, ancestors, pairs);
                    ancestors.pop();
                } else {
                    walk(&element.children, ancestors, pairs);
                }
            }
        }
        walk(nodes, &mut Vec::new(), &mut pairs);
        let mut now = HashSet::new();
        {
            let state = self.state.borrow();
            for (upper, lower, direct) in pairs {
                let (Some(u), Some(l)) = (state.instances.get(&upper), state.instances.get(&lower)) else {
                    continue;
                };
                let down = u
                    .relations
                    .iter()
                    .find(|r| r.path == l.path && (r.kind == "descendant" || (direct && r.kind == "child")));
                let up = l
                    .relations
                    .iter()
                    .find(|r| r.path == u.path && (r.kind == "ancestor" || (direct && r.kind == "parent")));
                if let (Some(down), Some(_)) = (down, up) {
                    now.insert((upper, lower, down.path.clone()));
                }
            }
        }
        let before: HashSet<_> = {
            let state = self.state.borrow();
            state
                .links
                .iter()
                .filter(|(a, _, _)| state.instances.get(a).is_some_and(|i| i.page == page))
                .cloned()
                .collect()
        };
        for gone in before.difference(&now) {
            self.relation_event(gone.0, gone.1, "unlinked");
        }
        for added in now.difference(&before) {
            self.relation_event(added.0, added.1, "linked");
        }
        let mut state = self.state.borrow_mut();
        let State { links, instances, .. } = &mut *state;
        links.retain(|(a, _, _)| state_page(instances, *a) != Some(page));
        links.extend(now);
    }

    fn relation_event(&mut self, upper: InstanceId, lower: InstanceId, kind: &str) {
        for (this, other) in [(upper, lower), (lower, upper)] {
            let key = {
                let state = self.state.borrow();
                let (Some(a), Some(b)) = (state.instances.get(&this), state.instances.get(&other)) else {
                    continue;
                };
                a.relations.iter().find(|r| r.path == b.path).map(|r| r.key.clone())
            };
            if let Some(key) = key {
                let _ = self.call(
                    "relation",
                    vec![Arg::Id(this), Arg::Str(key), Arg::Id(other), Arg::Str(kind.into())],
                );
            }
        }
    }

    // ---- effects --------------------------------------------------------------------------

    /// Applies queued `setData` payloads to Rust's copy of each instance's data.
    fn apply_set_data(&mut self) -> Vec<InstanceId> {
        let payloads = std::mem::take(&mut self.state.borrow_mut().effects.set_data);
        let mut touched = Vec::new();
        let mut state = self.state.borrow_mut();
        for (id, json) in payloads {
            let Some(inst) = state.instances.get_mut(&id) else { continue };
            let Ok(Json::Object(payload)) = serde_json::from_str::<Json>(&json) else { continue };
            for (key, value) in payload {
                set_path(&mut inst.data, &key, Value::from_json(&value));
            }
            inst.dirty = true;
            if !touched.contains(&id) {
                touched.push(id);
            }
        }
        touched
    }

    /// Runs everything the last entries into JavaScript queued: renders, callbacks, routes,
    /// API calls, timers and errors, until nothing is left (bounded).
    pub fn settle(&mut self) {
        for _ in 0..64 {
            let touched = self.apply_set_data();
            if !touched.is_empty() {
                let pages: Vec<InstanceId> = {
                    let state = self.state.borrow();
                    let mut pages: Vec<InstanceId> =
                        touched.iter().filter_map(|id| state.instances.get(id).map(|i| i.page)).collect();
                    pages.sort_unstable();
                    pages.dedup();
                    pages
                };
                for page in pages {
                    self.render_page(page);
                }
                let _ = self.call("flushed", vec![Arg::Str(json!(touched).to_string())]);
                continue;
            }
            // `apply_set_data` just drained the payloads, so everything left is other work.
            let Effects {
                routes,
                async_calls: calls,
                timers,
                cleared_timers: cleared,
                aborted,
                errors,
                settled,
                ..
            } = std::mem::take(&mut self.state.borrow_mut().effects);
            if routes.is_empty()
                && calls.is_empty()
                && aborted.is_empty()
                && timers.is_empty()
                && cleared.is_empty()
                && errors.is_empty()
                && settled.is_empty()
            {
                return;
            }
            for (id, delay) in timers {
                if let Some(old) = self.timer_due.remove(&id) {
                    self.timers.remove(&(old, id));
                }
                let due = Instant::now() + Duration::from_millis(delay);
                self.timers.insert((due, id), id);
                self.timer_due.insert(id, due);
            }
            for id in cleared {
                if let Some(due) = self.timer_due.remove(&id) {
                    self.timers.remove(&(due, id));
                }
            }
            for (id, ok, json) in settled {
                self.settled.insert(id, (ok, json));
            }
            for text in errors {
                self.outside.update(Update::Error { text: text.clone() });
                let _ = self.app_lifetime("onError", &Json::String(text));
            }
            for (api, args, callback) in routes {
                let result = self.route(&api, &args);
                self.complete(callback, result.map(|()| json!({})));
            }
            for (api, args, callback) in calls {
                self.start_async(&api, args, callback);
            }
            for callback in aborted {
                if self.requests_in_flight.contains_key(&callback) {
                    self.cancel_request(callback, "abort");
                }
            }
        }
        self.outside.update(Update::Error {
            text: "the mini-program keeps scheduling work; stopped settling".into(),
        });
    }

    fn complete(&mut self, callback: u64, result: Result<Json, String>) {
        let _ = self.resolve_now(callback, result);
    }

    /// Stops a request the host has not answered: the host is told, the call fails with `reason`.
    fn cancel_request(&mut self, callback: u64, reason: &str) {
        self.outside.cancel(callback);
        self.complete(callback, Err(reason.into()));
    }

    fn start_async(&mut self, api: &str, mut args: Json, callback: u64) {
        match api {
            "__echo" => {
                let ok = args.get("ok").and_then(Json::as_bool).unwrap_or(false);
                let value = args.get("value").cloned().unwrap_or(Json::Null);
                let _ = self.call(
                    "resolve",
                    vec![Arg::Num(callback as f64), Arg::Bool(ok), Arg::Str(value.to_string())],
                );
            }
            "request" => {
                if let Err(reason) = self.check_request(&args) {
                    self.complete(callback, Err(reason));
                    return;
                }
                let timeout = args
                    .get("timeout")
                    .and_then(Json::as_u64)
                    .unwrap_or(u64::MAX)
                    .min(self.options.limits.request_timeout.as_millis() as u64);
                args["timeout"] = json!(timeout);
                // The session enforces the timeout itself, whatever the host's transport does.
                let due = Instant::now() + Duration::from_millis(timeout);
                self.requests_in_flight.insert(callback, due);
                self.outside.call_async(api, args, callback);
            }
            _ => self.outside.call_async(api, args, callback),
        }
    }

    fn check_request(&self, args: &Json) -> Result<(), String> {
        let url = args.get("url").and_then(Json::as_str).unwrap_or("");
        if url.is_empty() {
            return Err("parameter.url should be String".into());
        }
        if self.requests_in_flight.len() >= self.options.limits.concurrent_requests {
            return Err(format!(
                "exceed max concurrent requests ({})",
                self.options.limits.concurrent_requests
            ));
        }
        let Some(domains) = &self.options.request_domains else { return Ok(()) };
        if request_allowed(url, domains) {
            return Ok(());
        }
        if url.starts_with("https://") {
            Err(format!("url not in domain list: {url}"))
        } else {
            Err(format!("url not in domain list: {url} (only https is allowed)"))
        }
    }

    /// Delivers the answer to an asynchronous API call, then settles.
    pub fn resolve(&mut self, callback: u64, result: Result<Json, String>) {
        let _ = self.resolve_now(callback, result);
        self.settle();
    }

    fn resolve_now(&mut self, callback: u64, result: Result<Json, String>) -> Result<(), JsError> {
        self.requests_in_flight.remove(&callback);
        let (ok, value) = match result {
            Ok(value) => (true, value),
            Err(reason) => (false, json!({ "__reason": reason })),
        };
        self.call("resolve", vec![Arg::Num(callback as f64), Arg::Bool(ok), Arg::Str(value.to_string())])?;
        Ok(())
    }

    /// When the next timer (or request timeout) is due.
    pub fn next_timer(&self) -> Option<Instant> {
        let timer = self.timers.keys().next().map(|(due, _)| *due);
        let request = self.requests_in_flight.values().min().copied();
        timer.into_iter().chain(request).min()
    }

    /// Fires every timer due by `now` and fails requests past their timeout, then settles.
    pub fn run_timers(&mut self, now: Instant) {
        let expired: Vec<u64> =
            self.requests_in_flight.iter().filter(|(_, due)| **due <= now).map(|(id, _)| *id).collect();
        for callback in &expired {
            self.cancel_request(*callback, "timeout");
        }
        if !expired.is_empty() {
            self.settle();
        }
        while let Some((&(due, id), _)) = self.timers.iter().next() {
            if due > now {
                break;
            }
            self.timers.remove(&(due, id));
            self.timer_due.remove(&id);
            let _ = self.call("fireTimer", vec![Arg::Num(id as f64)]);
            self.settle();
        }
    }

    // ---- the view and events ---------------------------------------------------------------

    /// A page's current tree, as the view draws it.
    pub fn tree(&self, page: InstanceId) -> Vec<TreeNode> {
        self.state.borrow().views.get(&page).map(|nodes| self.view_tree(nodes)).unwrap_or_default()
    }

    /// All the CSS a page's view has been sent, in order.
    pub fn page_style(&self, page: InstanceId) -> String {
        self.state.borrow().styled.get(&page).map(|s| s.sheets.concat()).unwrap_or_default()
    }

    /// Reads a page's composed view.
    pub fn with_view<R>(&self, page: InstanceId, f: impl FnOnce(&[VNode]) -> R) -> R {
        let state = self.state.borrow();
        f(state.views.get(&page).map(Vec::as_slice).unwrap_or_default())
    }

    /// The page a node's instance belongs to.
    pub fn page_of(&self, instance: InstanceId) -> Option<InstanceId> {
        self.state.borrow().instances.get(&instance).map(|i| i.page)
    }

    /// The path of the component or page `path`… belongs to, for automation.
    pub fn instance_path(&self, instance: InstanceId) -> Option<String> {
        self.state.borrow().instances.get(&instance).map(|i| i.path.clone())
    }

    /// Dispatches a view event at the element `path` of `page`.
    pub fn dispatch(&mut self, page: InstanceId, path: &[usize], event: &ViewEvent) -> Result<(), String> {
        let plan = {
            let state = self.state.borrow();
            let nodes = state.views.get(&page).ok_or("no such page")?;
            let chain = view::chain_to(nodes, path).ok_or("no element at that path")?;
            let bubbles = BUBBLING.contains(&event.kind.as_str());
            events::plan_view_event(&chain, event, bubbles, elapsed_ms(state.started))
        };
        if let Some(value) = self.run_plan(&plan)
            && event.kind == "input"
        {
            let typed = event.detail["value"].as_str().unwrap_or_default().to_string();
            self.outside.update(Update::Value { page, path: path.to_vec(), value, typed });
        }
        Ok(())
    }

    /// Runs the plan's handlers; an `input` handler's replacement text comes back.
    fn run_plan(&mut self, plan: &Plan) -> Option<String> {
        if plan.calls.is_empty() {
            return None;
        }
        let replacement = self.call("runPlan", vec![Arg::Str(plan.to_json().to_string())]).ok().flatten();
        self.settle();
        replacement
    }

    /// Runs a page event (`onPullDownRefresh`, `onReachBottom`, `onPageScroll`,
    /// `onShareAppMessage`, …) on the current page and returns its result.
    pub fn page_event(&mut self, name: &str, arg: Option<&Json>) -> Option<Json> {
        let page = self.current_page()?;
        let result = self.lifetime(page.id, name, arg);
        self.settle();
        result.and_then(|r| serde_json::from_str(&r).ok())
    }

    /// App `onShow`/`onHide` when the host brings the mini-program forward or sends it away.
    pub fn app_visibility(&mut self, visible: bool) {
        let page = self.current_page();
        if visible {
            let _ = self.app_lifetime("onShow", &json!({ "scene": self.options.scene }));
            if let Some(page) = &page {
                self.lifetime(page.id, "onShow", None);
            }
        } else {
            if let Some(page) = &page {
                self.lifetime(page.id, "onHide", None);
            }
            let _ = self.app_lifetime("onHide", &json!({}));
        }
        self.settle();
    }

    /// Closes every page (onUnload), as when the host closes the mini-program.
    pub fn close(&mut self) {
        let stack: Vec<InstanceId> = self.state.borrow().stack.clone();
        for id in stack.into_iter().rev() {
            self.unload_page(id);
        }
        self.state.borrow_mut().stack.clear();
    }

    /// Bytes QuickJS holds for this session.
    pub fn memory_used(&self) -> usize {
        self.sandbox.memory_used()
    }

    // ---- automation ------------------------------------------------------------------------

    /// The result of a settled promise returned by an automation call.
    pub fn take_settled(&mut self, id: u64) -> Option<(bool, Json)> {
        self.settled.remove(&id).map(|(ok, text)| (ok, serde_json::from_str(&text).unwrap_or(Json::Null)))
    }

    /// Runs an automation entry point whose answer may be a promise: `Ok(Ok(value))` now or
    /// `Ok(Err(id))` to wait on with [`Session::take_settled`].
    fn automation(&mut self, name: &str, args: Vec<Arg>) -> Result<Result<Json, u64>, String> {
        let result = self.call(name, args).map_err(|e| e.message);
        // A failing automation call is the caller's problem, not an app error.
        self.state.borrow_mut().effects.errors.clear();
        let text = result?;
        self.settle();
        let reply = parse_json(text.as_deref());
        match reply.get("pending").and_then(Json::as_u64) {
            Some(id) => Ok(Err(id)),
            None => Ok(Ok(reply.get("value").cloned().unwrap_or(Json::Null))),
        }
    }

    pub fn call_method(
        &mut self,
        instance: InstanceId,
        method: &str,
        args: &Json,
    ) -> Result<Result<Json, u64>, String> {
        self.automation(
            "callMethod",
            vec![Arg::Id(instance), Arg::Str(method.into()), Arg::Str(args.to_string())],
        )
    }

    pub fn evaluate(&mut self, source: &str, args: &Json) -> Result<Result<Json, u64>, String> {
        self.automation("evaluate", vec![Arg::Str(source.into()), Arg::Str(args.to_string())])
    }

    pub fn call_wx(&mut self, method: &str, args: &Json) -> Result<Result<Json, u64>, String> {
        self.automation("callWx", vec![Arg::Str(method.into()), Arg::Str(args.to_string())])
    }

    pub fn mock_wx(
        &mut self,
        method: &str,
        function: Option<&str>,
        args: &Json,
        result: Option<&Json>,
    ) -> Result<(), String> {
        let function = function.map_or(Arg::Null, |f| Arg::Str(f.into()));
        let result = result.map_or(Arg::Null, |r| Arg::Str(r.to_string()));
        self.call("mockWx", vec![Arg::Str(method.into()), function, Arg::Str(args.to_string()), result])
            .map(|_| ())
            .map_err(|e| e.message)
    }

    pub fn restore_wx(&mut self, method: &str) -> Result<(), String> {
        self.call("restoreWx", vec![Arg::Str(method.into())]).map(|_| ()).map_err(|e| e.message)
    }

    pub fn data(&mut self, instance: InstanceId, path: Option<&str>) -> Result<Json, String> {
        let path = path.map_or(Arg::Null, |p| Arg::Str(p.into()));
        let text = self.call("dataOf", vec![Arg::Id(instance), path]).map_err(|e| e.message)?;
        Ok(parse_json(text.as_deref()))
    }

    pub fn set_data(&mut self, instance: InstanceId, data: &Json) -> Result<(), String> {
        let result = self.call("setDataOf", vec![Arg::Id(instance), Arg::Str(data.to_string())]);
        self.settle();
        result.map(|_| ()).map_err(|e| e.message)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OpenMode {
    Launch,
    Push,
    Replace,
}

fn state_page(instances: &HashMap<InstanceId, Instance>, id: InstanceId) -> Option<InstanceId> {
    instances.get(&id).map(|i| i.page)
}

fn elapsed_ms(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}

fn parse_value(text: Option<&str>) -> Value {
    Value::from_json(&parse_json(text))
}

fn parse_json(text: Option<&str>) -> Json {
    text.and_then(|t| serde_json::from_str(t).ok()).unwrap_or(Json::Null)
}

/// `a=1&b=x%20y` → map, percent-decoded.
pub fn parse_query(query: &str) -> BTreeMap<String, String> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 3 <= bytes.len()
            && let Some(byte) =
                std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A routing URL relative to the current page → (route, query).
fn split_url(url: &str, current: &str) -> (String, BTreeMap<String, String>) {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let route = if path.starts_with('/') {
        path.trim_start_matches('/').to_string()
    } else {
        capsule_template::resolve(current, path).unwrap_or_else(|| path.to_string())
    };
    (route, parse_query(query))
}

/// Writes `value` at a setData key path (`a.b[1].c`) into `data`, creating containers.
pub fn set_path(data: &mut Value, key: &str, value: Value) {
    let segments = parse_key(key);
    set_segments(data, &segments, value);
}

#[derive(Debug, PartialEq)]
enum Segment {
    Name(String),
    Index(usize),
}

fn parse_key(key: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut name = String::new();
    let mut chars = key.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                if !name.is_empty() {
                    out.push(Segment::Name(std::mem::take(&mut name)));
                }
            }
            '[' => {
                if !name.is_empty() {
                    out.push(Segment::Name(std::mem::take(&mut name)));
                }
                let mut digits = String::new();
                for d in chars.by_ref() {
                    if d == ']' {
                        break;
                    }
                    digits.push(d);
                }
                match digits.trim().parse() {
                    Ok(index) => out.push(Segment::Index(index)),
                    Err(_) => out.push(Segment::Name(digits)),
                }
            }
            _ => name.push(c),
        }
    }
    if !name.is_empty() {
        out.push(Segment::Name(name));
    }
    out
}

fn set_segments(node: &mut Value, segments: &[Segment], value: Value) {
    let Some((first, rest)) = segments.split_first() else {
        *node = value;
        return;
    };
    match first {
        Segment::Index(index) => {
            if !matches!(node, Value::Array(_)) {
                *node = Value::Array(Arc::new(Vec::new()));
            }
            let Value::Array(items) = node else { return };
            let items = Arc::make_mut(items);
            // Bounded growth: a hostile index cannot allocate without limit.
            if *index > items.len() + 100_000 {
                return;
            }
            if items.len() <= *index {
                items.resize(*index + 1, Value::Undefined);
            }
            set_segments(&mut items[*index], rest, value);
        }
        Segment::Name(name) => {
            if !matches!(node, Value::Object(_)) {
                *node = Value::object([]);
            }
            let Value::Object(map) = node else { return };
            let map = Arc::make_mut(map);
            let slot = map.entry(Arc::from(name.as_str())).or_insert(Value::Undefined);
            set_segments(slot, rest, value);
        }
    }
}

/// Puts slot content in place of the component's `<slot>` nodes.
fn fill_slots(shadow: &mut Vec<VNode>, component: InstanceId, content: Vec<VNode>, multiple: bool) {
    let mut by_name: HashMap<String, Vec<VNode>> = HashMap::new();
    for node in content {
        let name = match (&node, multiple) {
            (VNode::Element(e), true) => e.attr_text("slot"),
            _ => String::new(),
        };
        by_name.entry(name).or_default().push(node);
    }
    fn walk(nodes: &mut Vec<VNode>, component: InstanceId, by_name: &mut HashMap<String, Vec<VNode>>) {
        let mut i = 0;
        while i < nodes.len() {
            let replace = match &nodes[i] {
                VNode::Element(e) if e.owner == component && &*e.tag == "slot" => Some(e.attr_text("name")),
                _ => None,
            };
            if let Some(name) = replace {
                let filling = by_name.remove(&name).unwrap_or_default();
                let count = filling.len();
                nodes.splice(i..=i, filling);
                i += count;
                continue;
            }
            if let VNode::Element(e) = &mut nodes[i] {
                walk(&mut e.children, component, by_name);
            }
            i += 1;
        }
    }
    walk(shadow, component, &mut by_name);
}

/// Replaces external class names in the component's own nodes with the classes its host passes.
/// In the view those classes belong to the host's scope, the others to the component's.
fn apply_external_classes(
    shadow: &mut [VNode],
    component: InstanceId,
    external: &[String],
    host_attrs: &[(Arc<str>, Value)],
    (component_scope, host_scope): (Option<ClassScope>, Option<ClassScope>),
) {
    let passed: HashMap<&str, String> = external
        .iter()
        .filter_map(|name| {
            // The host's attribute carries the name the template compiler gave it.
            let attribute = tree_attribute_name(name);
            let value = host_attrs.iter().find(|(n, _)| **n == *attribute)?;
            Some((name.as_str(), value.1.to_js_string()))
        })
        .collect();
    let scopes = [component_scope.as_ref(), host_scope.as_ref()];
    fn walk(
        nodes: &mut [VNode],
        component: InstanceId,
        external: &[String],
        passed: &HashMap<&str, String>,
        scopes: [Option<&ClassScope>; 2],
    ) {
        for node in nodes {
            let VNode::Element(e) = node else { continue };
            if e.owner == component
                && let Some((_, Value::String(class))) = e.attrs.iter_mut().find(|(n, _)| &**n == "class")
            {
                let mut replaced = Vec::new();
                let mut view_class = Vec::new();
                for token in class.split_ascii_whitespace() {
                    if external.iter().any(|x| x == token) {
                        let given = passed.get(token).map(String::as_str).unwrap_or_default();
                        replaced.extend(given.split_ascii_whitespace().map(str::to_string));
                        view::scope_classes(given, scopes[1], &mut view_class);
                    } else {
                        replaced.push(token.to_string());
                        view::scope_classes(token, scopes[0], &mut view_class);
                    }
                }
                *class = Arc::from(replaced.join(" "));
                e.view_class = Some(view_class.join(" ").into());
            }
            walk(&mut e.children, component, external, passed, scopes);
        }
    }
    walk(shadow, component, external, &passed, scopes);
}

// ---- the sandbox's native functions -------------------------------------------------------

/// Loads the base library into a fresh context, granting it the native functions, and returns
/// its entry points.
fn install<'js>(
    ctx: &Ctx<'js>,
    bundle: &Arc<AppBundle>,
    state: &Rc<RefCell<State>>,
    outside: &Rc<dyn Outside>,
    options: &LaunchOptions,
) -> Result<Persistent<Object<'static>>, JsError> {
    let e = |err| JsError::from_quickjs(ctx, err);
    let native = Object::new(ctx.clone()).map_err(e)?;

    let st = state.clone();
    grant(&native, "setData", move |ctx: Ctx<'js>, id: InstanceId, json: String| -> rquickjs::Result<()> {
        let limit = st.borrow().set_data_limit;
        if json.len() > limit {
            return Err(rquickjs::Exception::throw_range(
                &ctx,
                &format!(
                    "setData: the data is {} KB, over the limit of {} KB; send smaller updates",
                    json.len() / 1024,
                    limit / 1024
                ),
            ));
        }
        st.borrow_mut().effects.set_data.push((id, json));
        Ok(())
    })
    .map_err(e)?;

    let st = state.clone();
    grant(&native, "route", move |api: String, args: String, callback: f64| {
        let args = serde_json::from_str(&args).unwrap_or(Json::Null);
        st.borrow_mut().effects.routes.push((api, args, callback as u64));
    })
    .map_err(e)?;

    let st = state.clone();
    grant(&native, "callAsync", move |api: String, args: String, callback: f64| {
        let args = serde_json::from_str(&args).unwrap_or(Json::Null);
        st.borrow_mut().effects.async_calls.push((api, args, callback as u64));
    })
    .map_err(e)?;

    let st = state.clone();
    grant(&native, "cancel", move |callback: f64| st.borrow_mut().effects.aborted.push(callback as u64))
        .map_err(e)?;

    let out = outside.clone();
    let system = system_info(options);
    let launch = json!({
        "path": options.route.clone().or_else(|| bundle.entry_route()).unwrap_or_default(),
        "query": parse_query(&options.query), "scene": options.scene, "referrerInfo": {}
    });
    let account =
        json!({ "miniProgram": { "appId": options.app_id, "envVersion": "release", "version": "" } });
    let ext_config = if options.ext_config.is_object() { options.ext_config.clone() } else { json!({}) };
    grant(&native, "callSync", move |api: String, args: String| -> String {
        let args: Json = serde_json::from_str(&args).unwrap_or(Json::Null);
        let result = match api.as_str() {
            "getSystemInfoSync" | "getWindowInfo" | "getDeviceInfo" | "getAppBaseInfo" => Ok(system.clone()),
            "getLaunchOptionsSync" | "getEnterOptionsSync" => Ok(launch.clone()),
            "getAccountInfoSync" => Ok(account.clone()),
            "getExtConfigSync" => Ok(ext_config.clone()),
            "getMenuButtonBoundingClientRect" => {
                Ok(json!({ "width": 87, "height": 32, "top": 48, "right": 368, "bottom": 80, "left": 281 }))
            }
            _ => out.call_sync(&api, args),
        };
        match result {
            Ok(value) => json!({ "value": value }).to_string(),
            Err(reason) => json!({ "error": format!("{api}:fail {reason}") }).to_string(),
        }
    })
    .map_err(e)?;

    let st = state.clone();
    grant(&native, "timer", move |id: f64, delay: f64| {
        st.borrow_mut().effects.timers.push((id as u64, delay.clamp(0.0, 2_147_483_647.0) as u64));
    })
    .map_err(e)?;
    let st = state.clone();
    grant(&native, "clearTimer", move |id: f64| st.borrow_mut().effects.cleared_timers.push(id as u64))
        .map_err(e)?;

    let out = outside.clone();
    grant(&native, "log", move |level: String, text: String| {
        out.update(Update::Log { level, text });
    })
    .map_err(e)?;
    let st = state.clone();
    grant(&native, "error", move |text: String| st.borrow_mut().effects.errors.push(text)).map_err(e)?;
    let st = state.clone();
    grant(&native, "settled", move |id: f64, ok: bool, json: String| {
        st.borrow_mut().effects.settled.push((id as u64, ok, json));
    })
    .map_err(e)?;

    let st = state.clone();
    grant(
        &native,
        "select",
        move |ctx: Ctx<'js>, id: InstanceId, selector: String, all: bool| -> rquickjs::Result<String> {
            let selector =
                Selector::parse(&selector).map_err(|m| rquickjs::Exception::throw_syntax(&ctx, &m))?;
            let state = st.borrow();
            Ok(json!(select_components(&state, id, &selector, all)).to_string())
        },
    )
    .map_err(e)?;

    let st = state.clone();
    grant(&native, "query", move |id: InstanceId, op: String| -> String {
        let op: Json = serde_json::from_str(&op).unwrap_or(Json::Null);
        let state = st.borrow();
        query_nodes(&state, id, &op).to_string()
    })
    .map_err(e)?;

    let st = state.clone();
    grant(
        &native,
        "trigger",
        move |id: InstanceId, name: String, detail: String, options: String| -> Option<String> {
            let state = st.borrow();
            let page = state.instances.get(&id)?.page;
            let nodes = state.views.get(&page)?;
            let path = view::host_path(nodes, id)?;
            let chain = view::chain_to(nodes, &path)?;
            let options: Json = serde_json::from_str(&options).unwrap_or(Json::Null);
            let detail: Json = serde_json::from_str(&detail).unwrap_or(Json::Null);
            let plan =
                events::plan_component_event(&chain, &name, detail, &options, elapsed_ms(state.started));
            Some(plan.to_json().to_string())
        },
    )
    .map_err(e)?;

    // Script sources: `has(path)` and `load(path)` → the script's factory.
    let sources = Object::new(ctx.clone()).map_err(e)?;
    let b = bundle.clone();
    grant(&sources, "has", move |path: String| b.has(&path)).map_err(e)?;
    let b = bundle.clone();
    grant(&sources, "load", move |ctx: Ctx<'js>, path: String| -> rquickjs::Result<rquickjs::Value<'js>> {
        let Some(source) = b.text(&path) else { return Ok(rquickjs::Value::new_undefined(ctx)) };
        let loaded = match b.bytecode(&path) {
            Some(code) if bytecode::matches_source(code, &source) => {
                bytecode::load_script(&ctx, &path, &source, code)
            }
            _ => bytecode::eval_script(&ctx, &path, &source),
        };
        match loaded {
            Ok(factory) => Ok(factory.into_value()),
            Err(err) => Err(rquickjs::Exception::throw_message(&ctx, &format!("{path}: {}", err.message))),
        }
    })
    .map_err(e)?;

    let factory: Function = ctx
        .eval_with_options(BASE_LIBRARY, {
            let mut o = rquickjs::context::EvalOptions::default();
            o.strict = false;
            o.global = true;
            o.filename = Some("capsule-base.js".into());
            o
        })
        .map_err(e)?;
    let rt: Object = factory.call((native, sources)).map_err(e)?;
    Ok(Persistent::save(ctx, rt))
}

/// Puts one native function on `object`.
fn grant<'js, P, F>(object: &Object<'js>, name: &str, function: F) -> rquickjs::Result<()>
where
    F: rquickjs::function::IntoJsFunc<'js, P> + 'js,
{
    object.set(name, Function::new(object.ctx().clone(), function)?)
}

fn system_info(options: &LaunchOptions) -> Json {
    let mut info = json!({
        "brand": "capsule", "model": "headless", "pixelRatio": 2, "screenWidth": 375, "screenHeight": 812,
        "windowWidth": 375, "windowHeight": 812, "statusBarHeight": 44, "language": "zh_CN", "version": "8.0.0",
        "system": "Capsule 1.0", "platform": "devtools", "SDKVersion": "3.0.0", "fontSizeSetting": 16,
        "safeArea": { "left": 0, "right": 375, "top": 44, "bottom": 778, "width": 375, "height": 734 },
        "appName": "Capsule", "theme": "light",
    });
    if let (Some(base), Some(extra)) = (info.as_object_mut(), options.system_info.as_object()) {
        for (k, v) in extra {
            base.insert(k.clone(), v.clone());
        }
    }
    info
}

/// Component instances among `id`'s own nodes that match `selector`.
fn select_components(state: &State, id: InstanceId, selector: &Selector, all: bool) -> Vec<InstanceId> {
    let Some(inst) = state.instances.get(&id) else { return Vec::new() };
    let Some(nodes) = state.views.get(&inst.page) else { return Vec::new() };
    let scope: &[VNode] = if inst.kind == Kind::Page {
        nodes
    } else {
        match view::host_path(nodes, id).and_then(|p| view::element_at(nodes, &p)) {
            Some(host) => &host.children,
            None => return Vec::new(),
        }
    };
    let mut found = Vec::new();
    for path in view::select(scope, selector, Some(id), true) {
        if let Some(component) = view::element_at(scope, &path).and_then(|e| e.component) {
            found.push(component);
            if !all {
                break;
            }
        }
    }
    found
}

/// A selector query's answer: id, dataset and (headless) zero geometry for each node.
fn query_nodes(state: &State, id: InstanceId, op: &Json) -> Json {
    let selector_text = op.get("selector").and_then(Json::as_str).unwrap_or("");
    let all = op.get("all").and_then(Json::as_bool).unwrap_or(false);
    let describe = |e: &VElement| {
        json!({
            "id": e.id(), "dataset": e.dataset(), "left": 0, "top": 0, "right": 0, "bottom": 0,
            "width": 0, "height": 0, "scrollLeft": 0, "scrollTop": 0,
        })
    };
    if selector_text == "viewport" {
        return json!({ "id": "", "dataset": {}, "left": 0, "top": 0, "right": 375, "bottom": 812, "width": 375, "height": 812, "scrollLeft": 0, "scrollTop": 0 });
    }
    let Ok(selector) = Selector::parse(selector_text) else { return Json::Null };
    let Some(inst) = state.instances.get(&id) else { return Json::Null };
    let Some(nodes) = state.views.get(&inst.page) else { return Json::Null };
    let owner = Some(id);
    let scope: &[VNode] = match inst.kind {
        Kind::Page => nodes,
        Kind::Component => match view::host_path(nodes, id).and_then(|p| view::element_at(nodes, &p)) {
            Some(host) => &host.children,
            None => return Json::Null,
        },
    };
    let found: Vec<Json> = view::select(scope, &selector, owner, all)
        .iter()
        .filter_map(|p| view::element_at(scope, p))
        .map(describe)
        .collect();
    if all { Json::Array(found) } else { found.into_iter().next().unwrap_or(Json::Null) }
}

/// Whether `url` is on the allow-list `domains`: https to a listed host (any port unless the
/// entry names one); plain http only to a loopback backend listed with its `http://` scheme and
/// port, as a developer's local server is.
pub fn request_allowed(url: &str, domains: &[String]) -> bool {
    let (https, rest) = match (url.strip_prefix("https://"), url.strip_prefix("http://")) {
        (Some(rest), _) => (true, rest),
        (None, Some(rest)) => (false, rest),
        _ => return false,
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or(authority);
    domains.iter().any(|entry| {
        let entry = entry.trim_end_matches('/');
        if https {
            let d = entry.strip_prefix("https://").unwrap_or(entry);
            !entry.starts_with("http://")
                && (host.eq_ignore_ascii_case(d)
                    || host.split(':').next().is_some_and(|h| h.eq_ignore_ascii_case(d)))
        } else {
            entry
                .strip_prefix("http://")
                .is_some_and(|d| d.eq_ignore_ascii_case(host) && is_loopback_authority(d))
        }
    })
}

/// `127.0.0.1:port`, `localhost:port` or `[::1]:port`: a service on this machine, named with
/// its port.
pub fn is_loopback_authority(authority: &str) -> bool {
    match authority.rsplit_once(':') {
        Some((host, port)) if port.parse::<u16>().is_ok() => {
            matches!(host.to_ascii_lowercase().as_str(), "127.0.0.1" | "localhost" | "[::1]")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_data_paths_create_containers() {
        let mut data = Value::from_json(&json!({ "a": { "b": [1, 2] } }));
        set_path(&mut data, "a.b[1]", Value::Number(5.0));
        set_path(&mut data, "a.c.d", Value::string("x"));
        set_path(&mut data, "list[2].name", Value::string("n"));
        assert_eq!(
            data.to_json().unwrap(),
            json!({ "a": { "b": [1, 5], "c": { "d": "x" } }, "list": [null, null, { "name": "n" }] })
        );
    }

    #[test]
    fn urls_resolve_against_the_current_page() {
        let (route, query) = split_url("../cart/cart?id=3&q=a%20b", "pages/index/index");
        assert_eq!(route, "pages/cart/cart");
        assert_eq!(query.get("q").map(String::as_str), Some("a b"));
        assert_eq!(split_url("/pages/x/x", "a/b").0, "pages/x/x");
    }

    #[test]
    fn requests_reach_listed_https_hosts_and_listed_loopback_backends_only() {
        let domains: Vec<String> = ["https://api.example.com", "http://127.0.0.1:8788", "http://10.0.0.1:80"]
            .map(String::from)
            .into();
        assert!(request_allowed("https://api.example.com/a?b=1", &domains));
        assert!(request_allowed("https://api.example.com:8443/a", &domains));
        assert!(!request_allowed("https://evil.example.com/", &domains));
        assert!(request_allowed("http://127.0.0.1:8788/shop/orders", &domains));
        // Another port, plain http to a listed https host, or a listed non-loopback http host: no.
        assert!(!request_allowed("http://127.0.0.1:5432/", &domains));
        assert!(!request_allowed("http://api.example.com/", &domains));
        assert!(!request_allowed("http://10.0.0.1:80/", &domains));
        assert!(!request_allowed("ftp://api.example.com/", &domains));
        assert!(is_loopback_authority("localhost:3000") && !is_loopback_authority("127.0.0.2:1"));
        assert!(!is_loopback_authority("127.0.0.1"));
    }
}
