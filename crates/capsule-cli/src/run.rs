//! `capsule run`: launch a mini-program headless in a worker process and print its page tree;
//! with `--interactive`, tap and type by selector.

use std::io::{BufRead, Write as _};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, Result, bail};
use capsule_runtime::worker::{RemoteSession, Runtime, RuntimeConfig};
use capsule_runtime::{LaunchOptions, MemoryStorage, TestHost, ViewEvent};
use serde_json::{Value as Json, json};

/// The runtime this binary drives: workers are this same executable.
pub fn runtime() -> Result<Arc<Runtime>> {
    let program = std::env::current_exe().context("cannot find the capsule executable")?;
    let config = RuntimeConfig::new(program, vec![crate::WORKER_COMMAND.to_string()]);
    Ok(Runtime::new(config, Arc::new(TestHost::new()), Arc::new(MemoryStorage::default())))
}

pub fn launch(source: &Path, page: Option<String>, query: Option<String>) -> Result<RemoteSession> {
    let source = source.canonicalize().with_context(|| format!("cannot open {}", source.display()))?;
    let options = LaunchOptions { route: page, query: query.unwrap_or_default(), ..LaunchOptions::default() };
    runtime()?.launch(&source, &options, Some("local-user".into())).map_err(|e| anyhow::anyhow!("{e}"))
}

pub fn run(
    source: &Path,
    page: Option<String>,
    query: Option<String>,
    interactive: bool,
) -> Result<ExitCode> {
    let session = launch(source, page, query)?;
    print_view(&session)?;
    if !interactive {
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("commands: tap SELECTOR | input SELECTOR TEXT | back | data [PATH] | tree | quit");
    let stdin = std::io::stdin();
    for line in stdin.lock().lines() {
        let line = line?;
        let line = line.trim();
        let (command, rest) = line.split_once(' ').unwrap_or((line, ""));
        let outcome = match command {
            "" => continue,
            "quit" | "exit" => break,
            "tree" => print_view(&session),
            "back" => session
                .automation(json!({ "op": "callWx", "method": "navigateBack", "args": [{}] }))
                .map_err(|e| anyhow::anyhow!("{e}"))
                .and_then(|_| print_view(&session)),
            "data" => session
                .automation(json!({ "op": "data", "path": (!rest.is_empty()).then_some(rest) }))
                .map_err(|e| anyhow::anyhow!("{e}"))
                .map(|data| println!("{data}")),
            "tap" => {
                fire(&session, rest, "tap", json!({ "x": 0, "y": 0 })).and_then(|()| print_view(&session))
            }
            "input" => {
                let (selector, text) = rest.split_once(' ').unwrap_or((rest, ""));
                let detail = json!({ "value": text, "cursor": text.chars().count(), "keyCode": 0 });
                fire(&session, selector, "input", detail).and_then(|()| print_view(&session))
            }
            other => Err(anyhow::anyhow!("unknown command {other}")),
        };
        if let Err(err) = outcome {
            eprintln!("error: {err:#}");
        }
    }
    session.close();
    Ok(ExitCode::SUCCESS)
}

fn fire(session: &RemoteSession, selector: &str, kind: &str, detail: Json) -> Result<()> {
    let found = session
        .automation(json!({ "op": "select", "selector": selector }))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let Some(first) = found.as_array().and_then(|a| a.first()) else {
        bail!("no element matches {selector}")
    };
    let path: Vec<usize> = serde_json::from_value(first["path"].clone())?;
    let view = session.view().map_err(|e| anyhow::anyhow!("{e}"))?;
    let page = view["page"].as_u64().context("no page")? as u32;
    session
        .event(page, &path, &ViewEvent { kind: kind.into(), detail, ..ViewEvent::default() })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

fn print_view(session: &RemoteSession) -> Result<()> {
    let view = session.view().map_err(|e| anyhow::anyhow!("{e}"))?;
    let page = view["stack"].as_array().and_then(|s| s.last()).cloned().unwrap_or(Json::Null);
    let out = json!({ "page": page["route"], "query": page["query"], "tree": view["tree"] });
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer(&mut stdout, &out)?;
    writeln!(stdout)?;
    Ok(())
}
