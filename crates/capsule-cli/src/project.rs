//! `capsule check` and `capsule build`: validate a project (config and every template) and pack it.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use capsule_diagnostics::{Diagnostic, has_errors};
use capsule_package::{Limits, Project, build_package, check, sort_diagnostics};
use capsule_template::Library;

/// Size limits from the command line, in KiB; unset ones keep the platform defaults.
#[derive(clap::Args, Debug, Default)]
pub struct LimitArgs {
    /// Largest main package, in KiB (default 2048).
    #[arg(long, value_name = "KIB")]
    pub max_main_kib: Option<u64>,
    /// Largest subpackage, in KiB (default 2048).
    #[arg(long, value_name = "KIB")]
    pub max_subpackage_kib: Option<u64>,
    /// Largest total of all packages, in KiB (default 20480).
    #[arg(long, value_name = "KIB")]
    pub max_total_kib: Option<u64>,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        let mut limits = Limits::default();
        if let Some(kib) = self.max_main_kib {
            limits.main_package_bytes = kib * 1024;
        }
        if let Some(kib) = self.max_subpackage_kib {
            limits.subpackage_bytes = kib * 1024;
        }
        if let Some(kib) = self.max_total_kib {
            limits.total_bytes = kib * 1024;
        }
        limits
    }
}

/// Validates the project and compiles every template in it; prints diagnostics.
fn check_all(dir: &Path, limits: &Limits) -> (Option<Project>, Vec<Diagnostic>) {
    let (project, mut diagnostics) = check(dir, limits);
    if let Some(project) = &project {
        diagnostics.extend(template_diagnostics(project));
        diagnostics.extend(style_diagnostics(project));
        sort_diagnostics(&mut diagnostics);
    }
    (project, diagnostics)
}

/// Reads a project's stylesheets from disk for the style compiler.
struct ProjectStyles<'a>(&'a Project);

impl capsule_style::StyleFiles for ProjectStyles<'_> {
    fn read(&self, path: &str) -> Option<String> {
        std::fs::read_to_string(self.0.root.join(path)).ok()
    }

    fn resolve(&self, from: &str, target: &str) -> Option<String> {
        capsule_template::resolve(from, target)
    }
}

/// Diagnostics from compiling the app's, every page's and every component's stylesheet (with
/// what it imports), each in its own scope.
fn style_diagnostics(project: &Project) -> Vec<Diagnostic> {
    use capsule_style::{Isolation, Scope, component_prefix};
    let files = ProjectStyles(project);
    let app = project.dialect.app_style_file();
    let mut sheets: Vec<(String, Option<String>)> = Vec::new();
    if project.files.iter().any(|f| f.path == app) {
        sheets.push((app, None));
    }
    sheets.extend(project.pages.iter().filter_map(|p| Some((p.files.style.clone()?, None))));
    sheets.extend(
        project
            .components
            .values()
            .filter_map(|c| Some((c.files.style.clone()?, Some(component_prefix(&c.path))))),
    );
    let mut found = Vec::new();
    for (sheet, prefix) in sheets {
        let scope = match &prefix {
            Some(prefix) => Scope::Component { prefix, isolation: Isolation::Isolated },
            None => Scope::Page,
        };
        let (_, diagnostics) = capsule_style::compile(&sheet, scope, &files);
        found.extend(diagnostics.into_iter().map(|mut d| {
            d.file = project.display_path(&d.file);
            d
        }));
    }
    found.dedup();
    found
}

/// Diagnostics from compiling each template file with what it imports and includes, once each.
fn template_diagnostics(project: &Project) -> Vec<Diagnostic> {
    let mut seen = BTreeSet::new();
    let mut found = Vec::new();
    let templates = project.files.iter().filter(|f| f.path.ends_with(".wxml") || f.path.ends_with(".ttml"));
    for template in templates {
        let read = |path: &str| std::fs::read_to_string(project.root.join(path)).ok();
        let (_, diagnostics) = Library::load(&template.path, read);
        for mut diagnostic in diagnostics {
            diagnostic.file = project.display_path(&diagnostic.file);
            let key = diagnostic.to_string();
            if seen.insert(key) {
                found.push(diagnostic);
            }
        }
    }
    found
}

fn print(diagnostics: &[Diagnostic]) {
    for diagnostic in diagnostics {
        eprintln!("{diagnostic}");
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    eprintln!("{errors} errors, {} warnings", diagnostics.len() - errors);
}

pub fn run_check(dir: &Path, limits: &LimitArgs) -> Result<ExitCode> {
    let (_, diagnostics) = check_all(dir, &limits.limits());
    print(&diagnostics);
    Ok(if has_errors(&diagnostics) { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

pub fn run_build(dir: &Path, output: &Path, limits: &LimitArgs) -> Result<ExitCode> {
    let (project, diagnostics) = check_all(dir, &limits.limits());
    let project = match project {
        Some(project) if !has_errors(&diagnostics) => project,
        _ => {
            print(&diagnostics);
            eprintln!("not built: fix the errors above first");
            return Ok(ExitCode::FAILURE);
        }
    };
    if !diagnostics.is_empty() {
        print(&diagnostics);
    }
    let generated = match capsule_runtime::bundle::compile_scripts(&project) {
        Ok(generated) => generated,
        Err(errors) => {
            errors.iter().for_each(|error| eprintln!("{error}"));
            eprintln!("not built: fix the errors above first");
            return Ok(ExitCode::FAILURE);
        }
    };
    let bytes = build_package(&project, generated).context("building the package")?;
    std::fs::write(output, &bytes).with_context(|| format!("writing {}", output.display()))?;
    let package =
        capsule_package::read_package(&bytes, &limits.limits()).context("reading back the package")?;
    println!(
        "{}: {} files, {} bytes, package hash {}",
        output.display(),
        package.paths().count(),
        bytes.len(),
        package.package_hash()
    );
    Ok(ExitCode::SUCCESS)
}
