//! `capsule render`: one template and its data to the tree WeChat's view layer would build.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use capsule_diagnostics::has_errors;
use capsule_template::{Library, Value, render, tree};

pub fn run(file: &Path, data: Option<&Path>, repeat: u32) -> Result<ExitCode> {
    let data = match data {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            let json: serde_json::Value = serde_json::from_str(&text)
                .with_context(|| format!("{} is not valid JSON", path.display()))?;
            Value::from_json(&json)
        }
        None => Value::object([]),
    };
    let (root, entry) = project_root(file)?;
    let (library, diagnostics) = Library::load(&entry, |path| std::fs::read_to_string(root.join(path)).ok());
    for diagnostic in &diagnostics {
        eprintln!("{diagnostic}");
    }
    if has_errors(&diagnostics) {
        return Ok(ExitCode::FAILURE);
    }
    let mut host = capsule_sandbox::WxsHost::new();
    let mut rendered = render(&library, &entry, &data, &mut host);
    for _ in 1..repeat {
        rendered = render(&library, &entry, &data, &mut host);
    }
    for diagnostic in &rendered.diagnostics {
        eprintln!("{diagnostic}");
    }
    if has_errors(&rendered.diagnostics) {
        return Ok(ExitCode::FAILURE);
    }
    let out = serde_json::json!({ "tree": tree::to_json(&rendered.tree) });
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer(&mut stdout, &out)?;
    writeln!(stdout)?;
    Ok(ExitCode::SUCCESS)
}

/// The project folder (the nearest one holding `app.json`, else the file's own folder) and the
/// file's path inside it.
fn project_root(file: &Path) -> Result<(PathBuf, String)> {
    let file = file.canonicalize().with_context(|| format!("cannot open {}", file.display()))?;
    let folder = file.parent().context("the template has no folder")?;
    let root = folder
        .ancestors()
        .find(|dir| dir.join("app.json").is_file() || dir.join("manifest.json").is_file())
        .unwrap_or(folder);
    let entry = file.strip_prefix(root).context("the template is outside its project")?;
    let entry = entry.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
    Ok((root.to_path_buf(), entry))
}
