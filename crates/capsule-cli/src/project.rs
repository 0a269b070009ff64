//! `capsule check` and `capsule build`: validate a project (config and every template) and pack it.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use capsule_diagnostics::{Diagnostic, has_errors};
use capsule_package::Limits;
use capsule_runtime::build::{Built, build_project, check_project};

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
    pub fn limits(&self) -> Limits {
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

fn print(diagnostics: &[Diagnostic]) {
    for diagnostic in diagnostics {
        eprintln!("{diagnostic}");
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    eprintln!("{errors} errors, {} warnings", diagnostics.len() - errors);
}

pub fn run_check(dir: &Path, limits: &LimitArgs) -> Result<ExitCode> {
    let (_, diagnostics) = check_project(dir, &limits.limits());
    print(&diagnostics);
    Ok(if has_errors(&diagnostics) { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// Builds the package of `dir`, printing what the check found; `None` after printing why not.
pub fn build(dir: &Path, limits: &Limits) -> Option<Built> {
    match build_project(dir, limits) {
        Ok(built) => {
            if !built.warnings.is_empty() {
                print(&built.warnings);
            }
            Some(built)
        }
        Err(failure) => {
            if has_errors(&failure.diagnostics) {
                print(&failure.diagnostics);
            } else {
                failure.problems.iter().for_each(|problem| eprintln!("{problem}"));
            }
            eprintln!("not built: fix the errors above first");
            None
        }
    }
}

pub fn run_build(dir: &Path, output: &Path, limits: &LimitArgs) -> Result<ExitCode> {
    let Some(Built { bytes, .. }) = build(dir, &limits.limits()) else { return Ok(ExitCode::FAILURE) };
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
