//! Checking and building a project folder into a package: the one path `capsule check`,
//! `capsule build` and the platform's upload all take.

use std::collections::BTreeSet;
use std::path::Path;

use capsule_diagnostics::{Diagnostic, has_errors};
use capsule_package::{Limits, PackageBuilder, PackageError, Project, check, sort_diagnostics};
use capsule_template::Library;

use crate::bundle::compile_scripts;

/// Validates the project and compiles every template and stylesheet in it.
pub fn check_project(dir: &Path, limits: &Limits) -> (Option<Project>, Vec<Diagnostic>) {
    let (project, mut diagnostics) = check(dir, limits);
    if let Some(project) = &project {
        diagnostics.extend(template_diagnostics(project));
        diagnostics.extend(style_diagnostics(project));
        sort_diagnostics(&mut diagnostics);
    }
    (project, diagnostics)
}

/// A package built from a project, with the warnings the check found.
#[derive(Debug)]
pub struct Built {
    pub bytes: Vec<u8>,
    /// The manifest's hash over the files, which names the contents.
    pub package_hash: String,
    pub warnings: Vec<Diagnostic>,
}

/// Why a project did not build: its diagnostics (errors first among them) and script errors.
#[derive(Debug, thiserror::Error)]
#[error("not built: {}", .problems.join("; "))]
pub struct BuildFailure {
    pub diagnostics: Vec<Diagnostic>,
    /// One line per problem, `file:line:col: error[code]: message` for diagnostics.
    pub problems: Vec<String>,
}

/// Checks the project and packs it with QuickJS bytecode for every script; the same input
/// gives the same bytes.
pub fn build_project(dir: &Path, limits: &Limits) -> Result<Built, BuildFailure> {
    let (project, diagnostics) = check_project(dir, limits);
    let project = match project {
        Some(project) if !has_errors(&diagnostics) => project,
        _ => {
            let problems = diagnostics.iter().filter(|d| d.is_error()).map(ToString::to_string).collect();
            return Err(BuildFailure { diagnostics, problems });
        }
    };
    let generated = compile_scripts(&project)
        .map_err(|problems| BuildFailure { diagnostics: diagnostics.clone(), problems })?;
    let packing_failed =
        |e: PackageError| BuildFailure { diagnostics: diagnostics.clone(), problems: vec![e.to_string()] };
    // What `build_package` does, keeping the manifest's hash on the way.
    let mut builder = PackageBuilder::from_project(&project).map_err(packing_failed)?;
    for file in generated {
        builder.add_generated(file.path, file.bytes).map_err(packing_failed)?;
    }
    let package_hash = builder.manifest().package_hash;
    let bytes = builder.build().map_err(packing_failed)?;
    Ok(Built { bytes, package_hash, warnings: diagnostics })
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
