//! Sessions in worker processes: one process per mini-program holds all its sessions; the
//! [`Runtime`] in the host process spawns, supervises and restarts them.
//!
//! Requests (parent → worker): `load`, `launch`, `event`, `view`, `page_event`, `automation`,
//! `resolve`, `close`. Events (worker → parent): `{"session", "update"}` and
//! `{"session", "async": {api, args, callback}}`; calls (worker waits): `{"session", "api", "args"}`
//! for synchronous APIs such as storage.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

use capsule_sandbox::worker::{
    Answer, ChildChannel, Incoming, Worker, WorkerError, WorkerHandler, WorkerSpec,
};
use capsule_template::tree;
use serde_json::{Value as Json, json};

use crate::bundle::AppBundle;
use crate::events::ViewEvent;
use crate::host::{Host, SessionScope, Storage, storage_call};
use crate::session::{LaunchOptions, Outside, Session, SessionLimits, Update};
use crate::view::{self, Selector, VElement};

/// How the host process runs workers.
#[derive(Clone, Debug)]
pub struct RuntimeConfig {
    /// The worker executable and its arguments.
    pub program: PathBuf,
    pub args: Vec<String>,
    /// A worker busy past this in one entry into JavaScript is killed (the soft deadline,
    /// `SessionLimits::sandbox.deadline`, stops ordinary scripts first).
    pub hard_deadline: Duration,
    pub memory_cap_bytes: u64,
    pub limits: SessionLimits,
    /// A worker with no session for this long is stopped (the next launch starts another), so
    /// mini-programs opened once, or only preloaded, hold no process for long.
    pub idle_worker_timeout: Duration,
}

impl RuntimeConfig {
    pub fn new(program: PathBuf, args: Vec<String>) -> Self {
        Self {
            program,
            args,
            hard_deadline: Duration::from_secs(3),
            memory_cap_bytes: 2 << 30,
            limits: SessionLimits::default(),
            idle_worker_timeout: Duration::from_secs(300),
        }
    }
}

/// An app's worker and the sessions it serves.
struct AppWorker {
    worker: Arc<Worker>,
    handler: Arc<ParentHandler>,
}

/// Receives a session's updates in their wire form ([`update_to_json`]).
pub type UpdateSink = Arc<dyn Fn(Json) + Send + Sync>;

/// The host process's runtime: one worker per mini-program, restarted after it dies.
pub struct Runtime {
    config: RuntimeConfig,
    host: Arc<dyn Host>,
    storage: Arc<dyn Storage>,
    apps: Mutex<HashMap<String, AppWorker>>,
    next_session: Mutex<u64>,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime").field("config", &self.config).finish_non_exhaustive()
    }
}

/// Why a session operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// The worker died; the session is gone and may be launched again.
    #[error("{0}; relaunch the mini-program")]
    Stopped(WorkerError),
    #[error("{0}")]
    Failed(String),
}

impl From<WorkerError> for SessionError {
    fn from(err: WorkerError) -> Self {
        match err {
            WorkerError::Failed(message) => SessionError::Failed(message),
            other => SessionError::Stopped(other),
        }
    }
}

/// Where one session's calls and updates go.
#[derive(Clone)]
struct SessionEnds {
    scope: SessionScope,
    /// Answers its asynchronous host calls: the runtime's host, or one of its own (a browser tab).
    host: Arc<dyn Host>,
    /// Receives its updates in their wire form ([`update_to_json`]).
    sink: UpdateSink,
}

struct ParentHandler {
    worker: OnceLock<Weak<Worker>>,
    storage: Arc<dyn Storage>,
    sessions: Mutex<HashMap<u64, SessionEnds>>,
    /// When a launch last asked for the worker or one of its sessions last closed.
    last_used: Mutex<Instant>,
}

impl ParentHandler {
    fn touch(&self) {
        *self.last_used.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
    }

    /// Whether the worker has had no session for `timeout`.
    fn idle_for(&self, timeout: Duration) -> bool {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner()).is_empty()
            && self.last_used.lock().unwrap_or_else(|e| e.into_inner()).elapsed() >= timeout
    }

    fn forget(&self, session: u64) {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner()).remove(&session);
        self.touch();
    }

    fn ends<R>(&self, session: u64, pick: impl FnOnce(&SessionEnds) -> R) -> Option<R> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner()).get(&session).map(pick)
    }
}

impl WorkerHandler for ParentHandler {
    fn call(&self, body: Json, answer: Answer) {
        let session = body["session"].as_u64().unwrap_or(0);
        let api = body["api"].as_str().unwrap_or("");
        let result = match self.ends(session, |e| e.scope.clone()) {
            Some(scope) => storage_call(&*self.storage, &scope, api, &body["args"])
                .unwrap_or_else(|| Err("not supported".into())),
            None => Err("no such session".into()),
        };
        answer.send(match result {
            Ok(value) => json!({ "ok": value }),
            Err(reason) => json!({ "err": reason }),
        });
    }

    /// Each of the worker's sessions hears that it stopped, in its update stream.
    fn exited(&self, reason: &WorkerError) {
        let sinks: Vec<UpdateSink> = self
            .sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .map(|e| e.sink.clone())
            .collect();
        let stopped = json!({ "kind": "stopped", "text": SessionError::Stopped(reason.clone()).to_string() });
        for sink in sinks {
            sink(stopped.clone());
        }
    }

    fn event(&self, body: Json) {
        let session = body["session"].as_u64().unwrap_or(0);
        if let Some(call) = body.get("async") {
            let Some((scope, host)) = self.ends(session, |e| (e.scope.clone(), e.host.clone())) else {
                return;
            };
            let callback = call["callback"].as_u64().unwrap_or(0);
            let worker = self.worker.get().cloned();
            host.call(
                &scope,
                call["api"].as_str().unwrap_or(""),
                call["args"].clone(),
                Box::new(move |result| {
                    if let Some(worker) = worker.and_then(|w| w.upgrade()) {
                        let result = match result {
                            Ok(value) => json!({ "ok": value }),
                            Err(reason) => json!({ "err": reason }),
                        };
                        worker.notify(json!({ "op": "resolve", "session": session, "callback": callback, "result": result }));
                    }
                }),
            );
        } else if let Some(update) = body.get("update")
            && let Some(sink) = self.ends(session, |e| e.sink.clone())
        {
            sink(update.clone());
        }
    }
}

impl Runtime {
    pub fn new(config: RuntimeConfig, host: Arc<dyn Host>, storage: Arc<dyn Storage>) -> Arc<Runtime> {
        let runtime =
            Arc::new(Runtime { config, host, storage, apps: Mutex::default(), next_session: Mutex::new(1) });
        // Idle workers are looked for twice per timeout (between 50 ms and 30 s apart), for as
        // long as the runtime lives.
        let every = (runtime.config.idle_worker_timeout / 2)
            .clamp(Duration::from_millis(50), Duration::from_secs(30));
        let watched = Arc::downgrade(&runtime);
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(every);
                let Some(runtime) = watched.upgrade() else { break };
                runtime.stop_idle_workers();
            }
        });
        runtime
    }

    /// Stops the workers that have had no session for the idle timeout (and forgets dead ones).
    fn stop_idle_workers(&self) {
        let timeout = self.config.idle_worker_timeout;
        let stopped: Vec<AppWorker> = {
            let mut apps = self.apps.lock().unwrap_or_else(|e| e.into_inner());
            let idle: Vec<String> = apps
                .iter()
                .filter(|(_, app)| !app.worker.is_alive() || app.handler.idle_for(timeout))
                .map(|(key, _)| key.clone())
                .collect();
            idle.iter().filter_map(|key| apps.remove(key)).collect()
        };
        // Outside the lock: stopping waits for the process to end.
        for app in stopped {
            app.worker.kill(WorkerError::Idle);
        }
    }

    /// The live worker for `source` (a project folder or package), started when needed.
    fn worker_for(
        &self,
        source: &Path,
        trust_bytecode: bool,
    ) -> Result<(Arc<Worker>, Arc<ParentHandler>), SessionError> {
        let key = source.display().to_string();
        let mut apps = self.apps.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(app) = apps.get(&key)
            && app.worker.is_alive()
        {
            app.handler.touch();
            return Ok((app.worker.clone(), app.handler.clone()));
        }
        let handler = Arc::new(ParentHandler {
            worker: OnceLock::new(),
            storage: self.storage.clone(),
            sessions: Mutex::default(),
            last_used: Mutex::new(Instant::now()),
        });
        let spec = WorkerSpec {
            program: self.config.program.clone(),
            args: self.config.args.clone(),
            hard_deadline: self.config.hard_deadline + Duration::from_secs(2),
            memory_cap_bytes: self.config.memory_cap_bytes,
        };
        let worker = Worker::spawn(spec, handler.clone())?;
        let _ = handler.worker.set(Arc::downgrade(&worker));
        worker.request(json!({
            "op": "load", "source": key, "trust_bytecode": trust_bytecode,
            "hard_deadline_ms": self.config.hard_deadline.as_millis() as u64,
            "limits": limits_to_json(&self.config.limits),
        }))?;
        apps.insert(key, AppWorker { worker: worker.clone(), handler: handler.clone() });
        Ok((worker, handler))
    }

    /// Starts the worker for `source` and opens the mini-program in it (package read, templates
    /// compiled), unless it is running already, so that its next launch only starts a session.
    pub fn warm(&self, source: &Path) -> Result<(), SessionError> {
        self.worker_for(source, source.is_file()).map(|_| ())
    }

    /// The process ids of the live workers (one per mini-program that launched or was warmed).
    pub fn worker_pids(&self) -> Vec<u32> {
        let apps = self.apps.lock().unwrap_or_else(|e| e.into_inner());
        apps.values().filter(|a| a.worker.is_alive()).map(|a| a.worker.pid()).collect()
    }

    /// Launches a session of the mini-program at `source` for `user`.
    pub fn launch(
        self: &Arc<Self>,
        source: &Path,
        options: &LaunchOptions,
        user: Option<String>,
    ) -> Result<RemoteSession, SessionError> {
        self.launch_with(source, options, user, None, None).map(|(session, _)| session)
    }

    /// Launches a session whose host calls go to `host` (instead of the runtime's host) and
    /// whose updates go to `sink` (instead of [`RemoteSession::updates`]). Both are called on
    /// the same thread in the order the session produced them. Also answers the session's view
    /// right after its launch (as [`RemoteSession::view`], with `updates`: how many updates the
    /// launch sent, all of which that view already shows).
    pub fn launch_with(
        self: &Arc<Self>,
        source: &Path,
        options: &LaunchOptions,
        user: Option<String>,
        host: Option<Arc<dyn Host>>,
        sink: Option<UpdateSink>,
    ) -> Result<(RemoteSession, Json), SessionError> {
        let (worker, handler) = self.worker_for(source, source.is_file())?;
        let id = {
            let mut next = self.next_session.lock().unwrap_or_else(|e| e.into_inner());
            *next += 1;
            *next
        };
        let (tx, rx) = mpsc::channel();
        let sink = sink.unwrap_or_else(|| {
            let tx = Mutex::new(tx);
            Arc::new(move |update| {
                let _ = tx.lock().unwrap_or_else(|e| e.into_inner()).send(update);
            })
        });
        let ends = SessionEnds {
            scope: SessionScope { app_id: options.app_id.clone(), user },
            host: host.unwrap_or_else(|| self.host.clone()),
            sink,
        };
        handler.sessions.lock().unwrap_or_else(|e| e.into_inner()).insert(id, ends);
        let reply = worker.request(json!({
            "op": "launch", "session": id, "app_id": options.app_id, "route": options.route,
            "query": options.query, "scene": options.scene, "request_domains": options.request_domains,
            "ext_config": options.ext_config,
            "system_info": options.system_info,
        }));
        match reply {
            Ok(view) => Ok((RemoteSession { id, worker, handler, updates: Mutex::new(rx) }, view)),
            Err(err) => {
                handler.forget(id);
                Err(err.into())
            }
        }
    }

    /// The worker process serving `source`, if one is alive.
    pub fn worker_pid(&self, source: &Path) -> Option<u32> {
        let apps = self.apps.lock().unwrap_or_else(|e| e.into_inner());
        apps.get(&source.display().to_string()).filter(|a| a.worker.is_alive()).map(|a| a.worker.pid())
    }
}

/// A session running in a worker process.
pub struct RemoteSession {
    id: u64,
    worker: Arc<Worker>,
    handler: Arc<ParentHandler>,
    updates: Mutex<Receiver<Json>>,
}

impl std::fmt::Debug for RemoteSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteSession").field("id", &self.id).finish_non_exhaustive()
    }
}

impl RemoteSession {
    fn request(&self, mut body: Json) -> Result<Json, SessionError> {
        body["session"] = json!(self.id);
        Ok(self.worker.request(body)?)
    }

    pub fn is_alive(&self) -> bool {
        self.worker.is_alive()
    }

    /// The page stack and the current page's tree: `{"stack": [...], "tree": [...]}`.
    pub fn view(&self) -> Result<Json, SessionError> {
        self.request(json!({ "op": "view" }))
    }

    /// Dispatches a view event at the element `path` of `page`.
    pub fn event(&self, page: u32, path: &[usize], event: &ViewEvent) -> Result<Json, SessionError> {
        self.request(json!({
            "op": "event", "page": page, "path": path, "type": event.kind, "detail": event.detail,
            "touches": event.touches, "changedTouches": event.changed_touches,
        }))
    }

    /// An automation call (see [`automation`] for the operations).
    pub fn automation(&self, call: Json) -> Result<Json, SessionError> {
        self.request(json!({ "op": "automation", "call": call }))
    }

    /// A page event such as `onPullDownRefresh` on the current page.
    pub fn page_event(&self, name: &str, arg: Json) -> Result<Json, SessionError> {
        self.request(json!({ "op": "page_event", "name": name, "arg": arg }))
    }

    /// Updates pushed since the last call, in their wire form ([`update_to_json`]). When the
    /// worker dies, its sessions' last update is `{"kind": "stopped", "text": why}`.
    pub fn updates(&self) -> Vec<Json> {
        let rx = self.updates.lock().unwrap_or_else(|e| e.into_inner());
        rx.try_iter().collect()
    }

    /// Waits for the next update, at most `timeout`. A session whose updates go to a sink has
    /// none here: the call still waits out `timeout`, so a polling loop cannot spin.
    pub fn next_update(&self, timeout: Duration) -> Option<Json> {
        let rx = self.updates.lock().unwrap_or_else(|e| e.into_inner());
        match rx.recv_timeout(timeout) {
            Ok(update) => Some(update),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => None,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                std::thread::sleep(timeout);
                None
            }
        }
    }

    pub fn close(&self) {
        let _ = self.request(json!({ "op": "close" }));
        self.handler.forget(self.id);
    }
}

fn limits_to_json(limits: &SessionLimits) -> Json {
    json!({
        "memory_bytes": limits.sandbox.memory_bytes, "stack_bytes": limits.sandbox.stack_bytes,
        "deadline_ms": limits.sandbox.deadline.as_millis() as u64, "set_data_bytes": limits.set_data_bytes,
        "page_stack": limits.page_stack, "concurrent_requests": limits.concurrent_requests,
        "request_timeout_ms": limits.request_timeout.as_millis() as u64,
    })
}

fn limits_from_json(json: &Json) -> SessionLimits {
    let d = SessionLimits::default();
    let n = |key: &str, default: u64| json.get(key).and_then(Json::as_u64).unwrap_or(default);
    SessionLimits {
        sandbox: capsule_sandbox::SandboxLimits {
            memory_bytes: n("memory_bytes", d.sandbox.memory_bytes as u64) as usize,
            stack_bytes: n("stack_bytes", d.sandbox.stack_bytes as u64) as usize,
            deadline: Duration::from_millis(n("deadline_ms", d.sandbox.deadline.as_millis() as u64)),
        },
        set_data_bytes: n("set_data_bytes", d.set_data_bytes as u64) as usize,
        page_stack: n("page_stack", d.page_stack as u64) as usize,
        concurrent_requests: n("concurrent_requests", d.concurrent_requests as u64) as usize,
        request_timeout: Duration::from_millis(n("request_timeout_ms", d.request_timeout.as_millis() as u64)),
    }
}

/// An update in its wire form.
pub fn update_to_json(update: &Update) -> Json {
    match update {
        Update::Style { page, css } => json!({ "kind": "style", "page": page, "css": css }),
        Update::Render { page, tree } => {
            json!({ "kind": "render", "page": page, "tree": tree::to_json(tree) })
        }
        Update::Patches { page, patches } => {
            json!({ "kind": "patches", "page": page, "patches": patches.iter().map(|p| p.to_json()).collect::<Vec<_>>() })
        }
        Update::Stack { pages } => {
            json!({ "kind": "stack", "pages": pages.iter().map(|p| p.to_json()).collect::<Vec<_>>() })
        }
        Update::Log { level, text } => json!({ "kind": "log", "level": level, "text": text }),
        Update::Error { text } => json!({ "kind": "error", "text": text }),
        Update::Value { page, path, value, typed } => {
            json!({ "kind": "value", "page": page, "path": path, "value": value, "typed": typed })
        }
    }
}

// ---- the worker process ------------------------------------------------------------------

struct WorkerOutside {
    session: u64,
    channel: Rc<RefCell<ChildChannel>>,
    /// How many updates the session has sent (the launch's reply names those its view shows).
    updates_sent: std::cell::Cell<u64>,
}

impl Outside for WorkerOutside {
    fn call_sync(&self, api: &str, args: Json) -> Result<Json, String> {
        let answer =
            self.channel.borrow_mut().call(json!({ "session": self.session, "api": api, "args": args }));
        match answer.get("err") {
            Some(err) => Err(err.as_str().unwrap_or("failed").to_string()),
            None => Ok(answer.get("ok").cloned().unwrap_or(Json::Null)),
        }
    }

    fn call_async(&self, api: &str, args: Json, callback: u64) {
        self.channel.borrow().event(json!({
            "session": self.session, "async": { "api": api, "args": args, "callback": callback }
        }));
    }

    fn update(&self, update: Update) {
        self.updates_sent.set(self.updates_sent.get() + 1);
        self.channel.borrow().event(json!({ "session": self.session, "update": update_to_json(&update) }));
    }
}

/// The worker process's main loop: serves requests for the sessions of one mini-program.
pub fn child_main() {
    let mut hard_deadline = Duration::from_secs(3);
    let channel = Rc::new(RefCell::new(ChildChannel::open(hard_deadline)));
    let mut bundle: Option<Arc<AppBundle>> = None;
    let mut limits = SessionLimits::default();
    let mut sessions: HashMap<u64, Session> = HashMap::new();
    // Automation promises being awaited: settle id → (session, request id).
    let mut awaiting: Vec<(u64, u64, u64)> = Vec::new();
    loop {
        let next_timer = sessions.values().filter_map(Session::next_timer).min();
        let timeout = next_timer.map(|t| t.saturating_duration_since(Instant::now()));
        let incoming = channel.borrow_mut().next(timeout);
        channel.borrow().enter();
        match incoming {
            Some(Incoming::Request { id, body }) => {
                let reply =
                    serve(&body, &channel, &mut bundle, &mut limits, &mut sessions, &mut hard_deadline);
                match reply {
                    Served::Now(result) => channel.borrow().reply(id, result),
                    Served::Later { session, settle } => awaiting.push((settle, session, id)),
                    Served::Silent => {}
                }
            }
            Some(Incoming::Answer { .. }) => {}
            None => {}
        }
        let now = Instant::now();
        for session in sessions.values_mut() {
            session.run_timers(now);
        }
        awaiting.retain(|(settle, session, request)| {
            let Some(s) = sessions.get_mut(session) else {
                channel.borrow().reply(*request, Err("the session closed".into()));
                return false;
            };
            match s.take_settled(*settle) {
                Some((true, value)) => {
                    channel.borrow().reply(*request, Ok(json!({ "result": value })));
                    false
                }
                Some((false, value)) => {
                    // An API's rejection is `{errMsg}`; a thrown error arrives as its text.
                    let message = value.get("errMsg").unwrap_or(&value);
                    let message = message.as_str().map_or_else(|| message.to_string(), str::to_string);
                    channel.borrow().reply(*request, Err(message));
                    false
                }
                None => true,
            }
        });
        channel.borrow().leave();
    }
}

enum Served {
    Now(Result<Json, String>),
    Later { session: u64, settle: u64 },
    Silent,
}

fn serve(
    body: &Json,
    channel: &Rc<RefCell<ChildChannel>>,
    bundle: &mut Option<Arc<AppBundle>>,
    limits: &mut SessionLimits,
    sessions: &mut HashMap<u64, Session>,
    hard_deadline: &mut Duration,
) -> Served {
    let session_id = body["session"].as_u64().unwrap_or(0);
    let op = body["op"].as_str().unwrap_or("");
    let result = match op {
        "load" => {
            let source = PathBuf::from(body["source"].as_str().unwrap_or(""));
            *limits = limits_from_json(&body["limits"]);
            if let Some(ms) = body["hard_deadline_ms"].as_u64() {
                *hard_deadline = Duration::from_millis(ms);
                channel.borrow().set_hard_deadline(*hard_deadline);
            }
            let loaded = if source.is_dir() {
                AppBundle::from_dir(&source)
            } else {
                std::fs::read(&source)
                    .map_err(|e| crate::bundle::BundleError::Io {
                        path: source.display().to_string(),
                        message: e.to_string(),
                    })
                    .and_then(|bytes| {
                        AppBundle::from_package(&bytes, body["trust_bytecode"].as_bool().unwrap_or(false))
                    })
            };
            loaded.map(|b| *bundle = Some(Arc::new(b))).map(|()| json!({})).map_err(|e| e.to_string())
        }
        "launch" => match bundle {
            None => Err("no mini-program loaded".into()),
            Some(bundle) => {
                let options = LaunchOptions {
                    app_id: body["app_id"].as_str().unwrap_or("local").to_string(),
                    route: body["route"].as_str().map(str::to_string),
                    query: body["query"].as_str().unwrap_or("").to_string(),
                    scene: body["scene"].as_u64().unwrap_or(1001) as u32,
                    request_domains: serde_json::from_value(body["request_domains"].clone()).ok(),
                    system_info: body["system_info"].clone(),
                    ext_config: body["ext_config"].clone(),
                    limits: limits.clone(),
                };
                let outside = Rc::new(WorkerOutside {
                    session: session_id,
                    channel: channel.clone(),
                    updates_sent: Default::default(),
                });
                match Session::launch(bundle.clone(), options, outside.clone()) {
                    Ok(session) => {
                        let mut view = view_json(&session);
                        view["updates"] = json!(outside.updates_sent.get());
                        sessions.insert(session_id, session);
                        Ok(view)
                    }
                    Err(err) => Err(err.to_string()),
                }
            }
        },
        "resolve" => {
            if let Some(session) = sessions.get_mut(&session_id) {
                let result = &body["result"];
                let result = match result.get("err") {
                    Some(err) => Err(err.as_str().unwrap_or("failed").to_string()),
                    None => Ok(result.get("ok").cloned().unwrap_or(Json::Null)),
                };
                session.resolve(body["callback"].as_u64().unwrap_or(0), result);
            }
            return Served::Silent;
        }
        "close" => {
            if let Some(mut session) = sessions.remove(&session_id) {
                session.close();
            }
            Ok(json!({}))
        }
        _ => {
            let Some(session) = sessions.get_mut(&session_id) else {
                return Served::Now(Err("no such session".into()));
            };
            match op {
                "view" => Ok(view_json(session)),
                "event" => {
                    let page = body["page"].as_u64().unwrap_or(0) as u32;
                    let path: Vec<usize> = serde_json::from_value(body["path"].clone()).unwrap_or_default();
                    let event = ViewEvent {
                        kind: body["type"].as_str().unwrap_or("").to_string(),
                        detail: body["detail"].clone(),
                        touches: body["touches"].clone(),
                        changed_touches: body["changedTouches"].clone(),
                    };
                    session.dispatch(page, &path, &event).map(|()| json!({}))
                }
                "page_event" => {
                    let name = body["name"].as_str().unwrap_or("");
                    let arg = (!body["arg"].is_null()).then_some(&body["arg"]);
                    Ok(json!({ "result": session.page_event(name, arg) }))
                }
                "automation" => match automation(session, &body["call"]) {
                    Ok(Ok(value)) => Ok(value),
                    Ok(Err(settle)) => return Served::Later { session: session_id, settle },
                    Err(err) => Err(err),
                },
                _ => Err(format!("unknown operation {op}")),
            }
        }
    };
    Served::Now(result)
}

/// `{"stack": [...], "page": id, "tree": [...], "style": "css"}` for the current page.
pub fn view_json(session: &Session) -> Json {
    let stack: Vec<Json> = session.page_stack().iter().map(|p| p.to_json()).collect();
    let current = session.current_page();
    let tree = current.as_ref().map(|p| tree::to_json(&session.tree(p.id))).unwrap_or(json!([]));
    let style = current.as_ref().map(|p| session.page_style(p.id)).unwrap_or_default();
    json!({ "stack": stack, "page": current.map(|p| p.id), "tree": tree, "style": style })
}

/// Automation operations on a session, shared by the worker and in-process hosts. `Ok(Err(id))`
/// means the answer is a promise to await with [`Session::take_settled`].
pub fn automation(session: &mut Session, call: &Json) -> Result<Result<Json, u64>, String> {
    let op = call["op"].as_str().unwrap_or("");
    let page_id = || -> Result<u32, String> {
        call["page"]
            .as_u64()
            .map(|p| p as u32)
            .or_else(|| session_page(session))
            .ok_or_else(|| "no page".to_string())
    };
    match op {
        "callWx" => {
            let args = if call["args"].is_array() { call["args"].clone() } else { json!([]) };
            session.call_wx(call["method"].as_str().unwrap_or(""), &args)
        }
        "mockWx" => session
            .mock_wx(
                call["method"].as_str().unwrap_or(""),
                call["function"].as_str(),
                &call["args"],
                call.get("result"),
            )
            .map(|()| Ok(json!({}))),
        "restoreWx" => session.restore_wx(call["method"].as_str().unwrap_or("")).map(|()| Ok(json!({}))),
        "evaluate" => {
            session.evaluate(call["function"].as_str().unwrap_or("function(){}"), &array(&call["args"]))
        }
        "callMethod" => {
            let instance = instance_of(session, call)?;
            session.call_method(instance, call["method"].as_str().unwrap_or(""), &array(&call["args"]))
        }
        "data" => {
            let instance = instance_of(session, call)?;
            session.data(instance, call["path"].as_str()).map(Ok)
        }
        "setData" => {
            let instance = instance_of(session, call)?;
            session.set_data(instance, &call["data"]).map(|()| Ok(json!({})))
        }
        "select" => {
            let page = page_id()?;
            let selector = Selector::parse(call["selector"].as_str().unwrap_or(""))?;
            let within: Vec<usize> = serde_json::from_value(call["within"].clone()).unwrap_or_default();
            let all = call["all"].as_bool().unwrap_or(false);
            Ok(Ok(session.with_view(page, |nodes| {
                let (scope, owner): (&[view::VNode], Option<u32>) = if within.is_empty() {
                    (nodes, Some(page))
                } else {
                    match view::element_at(nodes, &within) {
                        Some(e) => (&e.children, e.component),
                        None => return json!([]),
                    }
                };
                let found: Vec<Json> = view::select(scope, &selector, owner, all)
                    .into_iter()
                    .filter_map(|p| {
                        let element = view::element_at(scope, &p)?;
                        let mut full = within.clone();
                        full.extend(p);
                        Some(describe_element(element, &full))
                    })
                    .collect();
                Json::Array(found)
            })))
        }
        "element" => {
            let page = page_id()?;
            let path: Vec<usize> = serde_json::from_value(call["path"].clone()).unwrap_or_default();
            Ok(Ok(session.with_view(page, |nodes| match view::element_at(nodes, &path) {
                Some(element) => element_info(element),
                None => Json::Null,
            })))
        }
        _ => Err(format!("unknown automation operation {op}")),
    }
}

fn array(value: &Json) -> Json {
    if value.is_array() { value.clone() } else { json!([]) }
}

fn session_page(session: &Session) -> Option<u32> {
    session.current_page().map(|p| p.id)
}

fn instance_of(session: &Session, call: &Json) -> Result<u32, String> {
    if let Some(id) = call["instance"].as_u64() {
        return Ok(id as u32);
    }
    session_page(session).ok_or_else(|| "no page".into())
}

/// An element as automation sees it: its path, tag and, for a component, its instance.
pub fn describe_element(element: &VElement, path: &[usize]) -> Json {
    json!({ "path": path, "tagName": &*element.tag, "component": element.component })
}

/// Everything automation reads from one element.
pub fn element_info(element: &VElement) -> Json {
    let mut text = String::new();
    for child in &element.children {
        view::text_of(child, &mut text);
    }
    let attrs: serde_json::Map<String, Json> =
        element.attrs.iter().map(|(n, v)| (n.to_string(), v.to_json().unwrap_or(Json::Null))).collect();
    let inner = tree::to_json(&view::to_tree(&element.children));
    let outer = tree::to_json(&view::to_tree(&[view::VNode::Element(element.clone())]));
    json!({
        "tagName": &*element.tag, "text": text, "attributes": attrs, "component": element.component,
        "inner": inner, "outer": outer, "dataset": element.dataset(), "id": element.id(),
    })
}
