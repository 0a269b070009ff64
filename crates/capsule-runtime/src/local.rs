//! Sessions run in this process, for tests, benchmarks and the inside of a worker process
//! whose host calls are answered by the embedder directly.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value as Json;

use crate::bundle::AppBundle;
use crate::host::{Host, SessionScope, Storage, storage_call};
use crate::session::{LaunchOptions, Outside, RuntimeError, Session, Update};

type Answers = Arc<Mutex<Vec<(u64, Result<Json, String>)>>>;

/// An [`Outside`] that answers from a [`Host`] and a [`Storage`] in this process.
pub struct LocalOutside {
    scope: SessionScope,
    host: Arc<dyn Host>,
    storage: Arc<dyn Storage>,
    answers: Answers,
    updates: RefCell<Vec<Update>>,
}

impl Outside for LocalOutside {
    fn call_sync(&self, api: &str, args: Json) -> Result<Json, String> {
        storage_call(&*self.storage, &self.scope, api, &args).unwrap_or_else(|| Err("not supported".into()))
    }

    fn call_async(&self, api: &str, args: Json, callback: u64) {
        let answers = self.answers.clone();
        self.host.call(
            &self.scope,
            api,
            args,
            Box::new(move |result| {
                answers.lock().unwrap_or_else(|e| e.into_inner()).push((callback, result))
            }),
        );
    }

    fn update(&self, update: Update) {
        self.updates.borrow_mut().push(update);
    }
}

/// A session and its in-process outside.
pub struct LocalSession {
    pub session: Session,
    outside: Rc<LocalOutside>,
}

impl std::fmt::Debug for LocalSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalSession").finish_non_exhaustive()
    }
}

impl LocalSession {
    pub fn launch(
        bundle: Arc<AppBundle>,
        options: LaunchOptions,
        user: Option<String>,
        host: Arc<dyn Host>,
        storage: Arc<dyn Storage>,
    ) -> Result<LocalSession, RuntimeError> {
        let outside = Rc::new(LocalOutside {
            scope: SessionScope { app_id: options.app_id.clone(), user },
            host,
            storage,
            answers: Arc::default(),
            updates: RefCell::default(),
        });
        let session = Session::launch(bundle, options, outside.clone())?;
        let mut local = LocalSession { session, outside };
        local.pump();
        Ok(local)
    }

    /// Delivers host answers that have arrived and runs due timers, until nothing is ready.
    pub fn pump(&mut self) {
        loop {
            let answers: Vec<_> =
                std::mem::take(&mut *self.outside.answers.lock().unwrap_or_else(|e| e.into_inner()));
            let timers_due = self.session.next_timer().is_some_and(|t| t <= Instant::now());
            if answers.is_empty() && !timers_due {
                return;
            }
            for (callback, result) in answers {
                self.session.resolve(callback, result);
            }
            self.session.run_timers(Instant::now());
        }
    }

    /// Pumps, sleeping until timers fire, for at most `limit`.
    pub fn run_for(&mut self, limit: Duration) {
        let end = Instant::now() + limit;
        loop {
            self.pump();
            let Some(next) = self.session.next_timer() else { return };
            if next > end {
                return;
            }
            std::thread::sleep(next.saturating_duration_since(Instant::now()));
        }
    }

    /// Updates since the last call.
    pub fn take_updates(&self) -> Vec<Update> {
        std::mem::take(&mut *self.outside.updates.borrow_mut())
    }
}
