//! Worker processes: a child speaks newline-delimited JSON frames on stdin/stdout; the parent
//! side sends requests, answers the child's calls, and kills the child when it passes its hard
//! deadline or memory cap, or hangs.
//!
//! Frames, parent → child: `{"id": n, "request": …}` and `{"answer": n, "value": …}`;
//! child → parent: `{"reply": n, "ok": …}` or `{"reply": n, "err": "…"}`, `{"call": n, "body": …}`
//! (the parent must answer) and `{"event": …}`.
//!
//! The child also watches itself: [`ChildChannel::enter`] arms a timer that ends the process
//! when one entry into JavaScript outlives the hard deadline, because some QuickJS builtins
//! ignore the interrupt handler.

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value as Json, json};

/// How to start a worker and when to stop it.
#[derive(Clone, Debug)]
pub struct WorkerSpec {
    pub program: PathBuf,
    pub args: Vec<String>,
    /// A request unanswered for this long means the worker is stuck: it is killed.
    pub hard_deadline: Duration,
    /// Resident memory above this kills the worker.
    pub memory_cap_bytes: u64,
}

/// Why a request to a worker failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WorkerError {
    #[error("the mini-program's worker could not start: {0}")]
    Spawn(String),
    #[error("the mini-program was stopped: it ran past its time limit")]
    Deadline,
    #[error("the mini-program was stopped: it used more than {0} MiB of memory")]
    Memory(u64),
    #[error("the mini-program's worker stopped unexpectedly ({0})")]
    Crashed(String),
    #[error("the mini-program's worker was stopped: it had no session for a while")]
    Idle,
    #[error("{0}")]
    Failed(String),
}

/// What the parent does with the child's calls and events.
pub trait WorkerHandler: Send + Sync {
    /// A call the child waits on; answer it through `answer`, now or later.
    fn call(&self, body: Json, answer: Answer);
    fn event(&self, body: Json);
    /// The worker has died, for `reason`; called once, after its pending requests failed.
    fn exited(&self, _reason: &WorkerError) {}
}

/// Sends one answer to one call of the child.
pub struct Answer {
    id: u64,
    stdin: Arc<Mutex<Option<ChildStdin>>>,
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answer").field("id", &self.id).finish()
    }
}

impl Answer {
    pub fn send(self, value: Json) {
        write_frame(&self.stdin, &json!({ "answer": self.id, "value": value }));
    }
}

type Pending = Arc<Mutex<HashMap<u64, Sender<Result<Json, WorkerError>>>>>;

/// The parent's handle on one worker process.
pub struct Worker {
    stdin: Arc<Mutex<Option<ChildStdin>>>,
    child: Arc<Mutex<Child>>,
    pending: Pending,
    next_id: AtomicU64,
    alive: Arc<AtomicBool>,
    /// Why the worker died, once it has.
    death: Arc<Mutex<Option<WorkerError>>>,
    spec: WorkerSpec,
    pid: u32,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker").field("pid", &self.pid).field("alive", &self.is_alive()).finish()
    }
}

fn write_frame(stdin: &Mutex<Option<ChildStdin>>, frame: &Json) -> bool {
    let mut line = frame.to_string();
    line.push('\n');
    let mut guard = stdin.lock().unwrap_or_else(|e| e.into_inner());
    match guard.as_mut() {
        Some(pipe) => pipe.write_all(line.as_bytes()).and_then(|()| pipe.flush()).is_ok(),
        None => false,
    }
}

impl Worker {
    pub fn spawn(spec: WorkerSpec, handler: Arc<dyn WorkerHandler>) -> Result<Arc<Worker>, WorkerError> {
        let mut child = Command::new(&spec.program)
            .args(&spec.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .env_clear()
            .spawn()
            .map_err(|err| WorkerError::Spawn(format!("{}: {err}", spec.program.display())))?;
        let pid = child.id();
        let stdin = Arc::new(Mutex::new(child.stdin.take()));
        let stdout = child.stdout.take().ok_or_else(|| WorkerError::Spawn("no stdout".into()))?;
        let worker = Arc::new(Worker {
            stdin,
            child: Arc::new(Mutex::new(child)),
            pending: Arc::default(),
            next_id: AtomicU64::new(1),
            alive: Arc::new(AtomicBool::new(true)),
            death: Arc::default(),
            spec,
            pid,
        });
        let reader = worker.clone();
        std::thread::Builder::new()
            .name(format!("worker-{pid}-reader"))
            .spawn(move || reader.read_loop(BufReader::new(stdout), handler))
            .map_err(|err| WorkerError::Spawn(err.to_string()))?;
        let watched = Arc::downgrade(&worker);
        std::thread::Builder::new()
            .name(format!("worker-{pid}-watchdog"))
            .spawn(move || {
                while let Some(worker) = watched.upgrade() {
                    if !worker.is_alive() {
                        break;
                    }
                    if let Some(rss) = resident_bytes(worker.pid)
                        && rss > worker.spec.memory_cap_bytes
                    {
                        worker.kill(WorkerError::Memory(worker.spec.memory_cap_bytes >> 20));
                        break;
                    }
                    drop(worker);
                    std::thread::sleep(Duration::from_millis(20));
                }
            })
            .map_err(|err| WorkerError::Spawn(err.to_string()))?;
        Ok(worker)
    }

    pub fn pid(&self) -> u32 {
        self.pid
    }

    pub fn is_alive(&self) -> bool {
        self.alive.load(Ordering::SeqCst)
    }

    /// Why the worker died, if it has.
    pub fn death(&self) -> Option<WorkerError> {
        self.death.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Resident memory of the worker process in bytes.
    pub fn resident_bytes(&self) -> Option<u64> {
        resident_bytes(self.pid)
    }

    /// Sends a request and waits for its reply, at most the hard deadline.
    pub fn request(&self, request: Json) -> Result<Json, WorkerError> {
        self.request_within(request, self.spec.hard_deadline)
    }

    pub fn request_within(&self, request: Json, limit: Duration) -> Result<Json, WorkerError> {
        if let Some(death) = self.death() {
            return Err(death);
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::channel();
        self.pending.lock().unwrap_or_else(|e| e.into_inner()).insert(id, tx);
        if !write_frame(&self.stdin, &json!({ "id": id, "request": request })) {
            self.pending.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
            return Err(self.death().unwrap_or_else(|| WorkerError::Crashed("its input closed".into())));
        }
        match rx.recv_timeout(limit) {
            Ok(result) => result,
            Err(RecvTimeoutError::Timeout) => {
                self.kill(WorkerError::Deadline);
                Err(WorkerError::Deadline)
            }
            Err(RecvTimeoutError::Disconnected) => {
                Err(self.death().unwrap_or_else(|| WorkerError::Crashed("no reply".into())))
            }
        }
    }

    /// Sends a request without waiting for its reply.
    pub fn notify(&self, request: Json) -> bool {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        write_frame(&self.stdin, &json!({ "id": id, "request": request }))
    }

    /// Ends the worker, recording why; pending requests fail with that reason.
    pub fn kill(&self, reason: WorkerError) {
        {
            let mut death = self.death.lock().unwrap_or_else(|e| e.into_inner());
            if death.is_none() {
                *death = Some(reason.clone());
            }
        }
        self.alive.store(false, Ordering::SeqCst);
        let mut child = self.child.lock().unwrap_or_else(|e| e.into_inner());
        let _ = child.kill();
        let _ = child.wait();
        drop(child);
        self.stdin.lock().unwrap_or_else(|e| e.into_inner()).take();
        self.fail_pending();
    }

    fn fail_pending(&self) {
        let reason = self.death().unwrap_or_else(|| WorkerError::Crashed("it exited".into()));
        let pending: Vec<_> = self.pending.lock().unwrap_or_else(|e| e.into_inner()).drain().collect();
        for (_, tx) in pending {
            let _ = tx.send(Err(reason.clone()));
        }
    }

    fn read_loop(self: Arc<Self>, stdout: impl BufRead, handler: Arc<dyn WorkerHandler>) {
        for line in stdout.lines() {
            let Ok(line) = line else { break };
            let Ok(frame) = serde_json::from_str::<Json>(&line) else { continue };
            if let Some(id) = frame.get("reply").and_then(Json::as_u64) {
                let tx = self.pending.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
                if let Some(tx) = tx {
                    let result = match frame.get("err") {
                        Some(err) => Err(WorkerError::Failed(err.as_str().unwrap_or("failed").to_string())),
                        None => Ok(frame.get("ok").cloned().unwrap_or(Json::Null)),
                    };
                    let _ = tx.send(result);
                }
            } else if let Some(id) = frame.get("call").and_then(Json::as_u64) {
                let body = frame.get("body").cloned().unwrap_or(Json::Null);
                handler.call(body, Answer { id, stdin: self.stdin.clone() });
            } else if let Some(body) = frame.get("event") {
                handler.event(body.clone());
            }
        }
        // End of output: the child exited or was killed.
        let status = self.child.lock().unwrap_or_else(|e| e.into_inner()).wait();
        {
            let mut death = self.death.lock().unwrap_or_else(|e| e.into_inner());
            if death.is_none() {
                *death = Some(match status {
                    Ok(status) if status.code() == Some(DEADLINE_EXIT_CODE) => WorkerError::Deadline,
                    Ok(status) => WorkerError::Crashed(status.to_string()),
                    Err(err) => WorkerError::Crashed(err.to_string()),
                });
            }
        }
        self.alive.store(false, Ordering::SeqCst);
        self.stdin.lock().unwrap_or_else(|e| e.into_inner()).take();
        self.fail_pending();
        handler.exited(&self.death().unwrap_or_else(|| WorkerError::Crashed("it exited".into())));
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let mut child = self.child.lock().unwrap_or_else(|e| e.into_inner());
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// Resident set size from `/proc`; `None` where that is not available.
fn resident_bytes(pid: u32) -> Option<u64> {
    let statm = std::fs::read_to_string(format!("/proc/{pid}/statm")).ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// The exit status a worker uses when its own watchdog stops it.
pub const DEADLINE_EXIT_CODE: i32 = 70;

/// The child's end: frames in from stdin (read on a thread), frames out to stdout.
pub struct ChildChannel {
    incoming: Receiver<Json>,
    /// Frames that arrived while the child waited for an answer.
    backlog: VecDeque<Json>,
    next_call: u64,
    watchdog: Arc<Watchdog>,
}

impl std::fmt::Debug for ChildChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChildChannel").field("backlog", &self.backlog.len()).finish()
    }
}

/// One message for the child: a request to reply to, or the answer to one of its calls.
#[derive(Debug)]
pub enum Incoming {
    Request { id: u64, body: Json },
    Answer { id: u64, value: Json },
}

impl ChildChannel {
    /// Starts reading stdin and the self-watchdog with the given hard deadline.
    pub fn open(hard_deadline: Duration) -> Self {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let stdin = std::io::stdin();
            for line in stdin.lock().lines() {
                let Ok(line) = line else { break };
                if let Ok(frame) = serde_json::from_str::<Json>(&line)
                    && tx.send(frame).is_err()
                {
                    break;
                }
            }
            // The parent went away: nothing left to serve.
            std::process::exit(0);
        });
        let watchdog = Watchdog::start(hard_deadline, || {
            eprintln!("capsule worker: a script ran past the hard deadline; stopping");
            std::process::exit(DEADLINE_EXIT_CODE);
        });
        Self { incoming: rx, backlog: VecDeque::new(), next_call: 1, watchdog }
    }

    /// Changes the hard deadline, for the entry in progress too.
    pub fn set_hard_deadline(&self, hard_deadline: Duration) {
        self.watchdog.set_limit(hard_deadline);
    }

    /// Marks the start of work that must finish within the hard deadline.
    pub fn enter(&self) {
        self.watchdog.enter();
    }

    /// Marks the end of that work.
    pub fn leave(&self) {
        self.watchdog.leave();
    }

    /// The next message, waiting at most `timeout` (forever when `None`).
    pub fn next(&mut self, timeout: Option<Duration>) -> Option<Incoming> {
        if let Some(frame) = self.backlog.pop_front() {
            return parse_incoming(frame);
        }
        let frame = match timeout {
            Some(timeout) => self.incoming.recv_timeout(timeout).ok()?,
            None => self.incoming.recv().ok()?,
        };
        parse_incoming(frame)
    }

    pub fn reply(&self, id: u64, result: Result<Json, String>) {
        let frame = match result {
            Ok(value) => json!({ "reply": id, "ok": value }),
            Err(err) => json!({ "reply": id, "err": err }),
        };
        emit(&frame);
    }

    pub fn event(&self, body: Json) {
        emit(&json!({ "event": body }));
    }

    /// Sends a call and blocks until the parent answers it; other frames wait in the backlog.
    pub fn call(&mut self, body: Json) -> Json {
        let id = self.next_call;
        self.next_call += 1;
        emit(&json!({ "call": id, "body": body }));
        // Waiting on the parent is not script time.
        let entered = self.watchdog.leave();
        let answer = loop {
            let Ok(frame) = self.incoming.recv() else { std::process::exit(0) };
            if frame.get("answer").and_then(Json::as_u64) == Some(id) {
                break frame.get("value").cloned().unwrap_or(Json::Null);
            }
            self.backlog.push_back(frame);
        };
        if entered {
            self.enter();
        }
        answer
    }
}

/// Ends the worker when one entry into JavaScript outlives the hard deadline. Its thread sleeps
/// until the deadline of the entry in progress, or, with none, until one starts: an idle worker
/// never wakes it.
struct Watchdog {
    watch: Mutex<Watch>,
    wake: Condvar,
}

struct Watch {
    entered_at: Option<Instant>,
    limit: Duration,
    /// The thread waits for an entry (not for a deadline): the next entry must wake it.
    idle: bool,
    /// How many times the thread has woken (for tests: an idle worker's stays put).
    wakeups: u64,
}

impl Watchdog {
    /// Starts watching; `overrun` runs (on the watchdog's thread) when an entry passes `limit`.
    fn start(limit: Duration, overrun: impl FnOnce() + Send + 'static) -> Arc<Self> {
        let watchdog = Arc::new(Watchdog {
            watch: Mutex::new(Watch { entered_at: None, limit, idle: false, wakeups: 0 }),
            wake: Condvar::new(),
        });
        let watching = watchdog.clone();
        std::thread::spawn(move || {
            watching.until_overrun();
            overrun();
        });
        watchdog
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Watch> {
        self.watch.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn until_overrun(&self) {
        let mut watch = self.lock();
        loop {
            watch = match watch.entered_at {
                None => {
                    watch.idle = true;
                    self.wake.wait(watch).unwrap_or_else(|e| e.into_inner())
                }
                Some(at) => {
                    let now = Instant::now();
                    let deadline = at + watch.limit;
                    if now >= deadline {
                        return;
                    }
                    self.wake.wait_timeout(watch, deadline - now).unwrap_or_else(|e| e.into_inner()).0
                }
            };
            watch.wakeups += 1;
        }
    }

    fn enter(&self) {
        let mut watch = self.lock();
        watch.entered_at = Some(Instant::now());
        // A thread waiting for a deadline wakes by itself, at one no later than this entry's.
        if std::mem::take(&mut watch.idle) {
            self.wake.notify_one();
        }
    }

    /// Ends the entry in progress; whether there was one.
    fn leave(&self) -> bool {
        self.lock().entered_at.take().is_some()
    }

    fn set_limit(&self, limit: Duration) {
        self.lock().limit = limit;
        // A shorter limit may bring the deadline forward.
        self.wake.notify_one();
    }
}

fn parse_incoming(frame: Json) -> Option<Incoming> {
    if let Some(id) = frame.get("answer").and_then(Json::as_u64) {
        return Some(Incoming::Answer { id, value: frame.get("value").cloned().unwrap_or(Json::Null) });
    }
    let id = frame.get("id").and_then(Json::as_u64)?;
    Some(Incoming::Request { id, body: frame.get("request").cloned().unwrap_or(Json::Null) })
}

fn emit(frame: &Json) {
    let mut line = frame.to_string();
    line.push('\n');
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(line.as_bytes()).and_then(|()| stdout.flush()).is_err() {
        std::process::exit(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watchdog(limit: Duration) -> (Arc<Watchdog>, Receiver<()>) {
        let (overran, overrun) = mpsc::channel();
        let watchdog = Watchdog::start(limit, move || {
            let _ = overran.send(());
        });
        (watchdog, overrun)
    }

    const NOTICED_WITHIN: Duration = Duration::from_secs(5);

    #[test]
    fn an_entry_past_its_limit_is_stopped_and_one_that_leaves_in_time_is_not() {
        let (watchdog, overrun) = watchdog(Duration::from_millis(500));
        watchdog.enter();
        assert!(watchdog.leave());
        assert!(!watchdog.leave(), "nothing left to leave");
        assert!(overrun.recv_timeout(Duration::from_millis(800)).is_err(), "a finished entry was stopped");
        watchdog.enter();
        overrun.recv_timeout(NOTICED_WITHIN).expect("an entry past its limit is stopped");
    }

    #[test]
    fn an_idle_watchdog_sleeps_until_the_next_entry_wakes_it() {
        let (watchdog, overrun) = watchdog(Duration::from_millis(30));
        std::thread::sleep(Duration::from_millis(200));
        // A watchdog that ticked would have woken about twenty times by now.
        assert_eq!(watchdog.lock().wakeups, 0, "an idle watchdog woke");
        // A short entry: woken for it, and once more at its deadline, then it waits again.
        watchdog.enter();
        watchdog.leave();
        std::thread::sleep(Duration::from_millis(200));
        assert!(watchdog.lock().wakeups <= 2, "woke {} times for one entry", watchdog.lock().wakeups);
        assert!(overrun.try_recv().is_err());
        // Entries after idleness are watched still.
        watchdog.enter();
        overrun.recv_timeout(NOTICED_WITHIN).expect("an entry past its limit is stopped");
    }

    #[test]
    fn a_shorter_limit_brings_the_deadline_of_the_entry_in_progress_forward() {
        let (watchdog, overrun) = watchdog(Duration::from_secs(600));
        watchdog.enter();
        watchdog.set_limit(Duration::from_millis(20));
        overrun.recv_timeout(NOTICED_WITHIN).expect("the new limit applies to the entry in progress");
    }
}
