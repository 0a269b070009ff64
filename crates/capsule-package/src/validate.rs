//! Project validation: the cross-file rules (pages exist, tab bar, subpackages, components, sizes, file
//! names) that a loaded project must meet before it can be packaged.

use std::collections::HashMap;
use std::path::Path;

use capsule_diagnostics::{Diagnostic, Position};

use crate::dialect::Dialect;
use crate::limits::{Limits, describe_bytes};
use crate::manifest::MANIFEST_PATH;
use crate::paths;
use crate::project::{LoadOptions, Project};

/// Tab bars hold this many items, no fewer and no more.
const TAB_BAR_ITEMS: std::ops::RangeInclusive<usize> = 2..=5;

/// `preloadRule` names the main package with this.
const MAIN_PACKAGE_ALIAS: &str = "__APP__";

/// Loads the project in `dir` and validates it: every diagnostic, sorted by file and position.
pub fn check(dir: &Path, limits: &Limits) -> (Option<Project>, Vec<Diagnostic>) {
    check_with(dir, &LoadOptions::default(), limits)
}

/// [`check`] with load options (for example the W3C test-suite layout).
pub fn check_with(dir: &Path, options: &LoadOptions, limits: &Limits) -> (Option<Project>, Vec<Diagnostic>) {
    let (project, mut diagnostics) = Project::load_with(dir, options);
    if let Some(project) = &project {
        diagnostics.extend(validate(project, limits));
    }
    sort_diagnostics(&mut diagnostics);
    (project, diagnostics)
}

/// Orders diagnostics by file, then position (file-level ones first), keeping emission order otherwise.
pub fn sort_diagnostics(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| a.file.cmp(&b.file).then(a.position.cmp(&b.position)));
}

/// Checks the rules that span files. [`Project::load`] already reported syntax, types, unknown
/// fields and unresolved components.
pub fn validate(project: &Project, limits: &Limits) -> Vec<Diagnostic> {
    let mut validator = Validator { project, diagnostics: Vec::new() };
    validator.app_files();
    validator.pages();
    validator.entry_page();
    validator.tab_bar();
    validator.subpackages();
    validator.preload_rules();
    validator.components();
    validator.referenced_files();
    validator.file_names();
    validator.sizes(limits);
    validator.diagnostics
}

struct Validator<'a> {
    project: &'a Project,
    diagnostics: Vec<Diagnostic>,
}

impl Validator<'_> {
    /// An error about the config file, at the value `pointer` names.
    fn config_error(&mut self, code: &'static str, message: String, pointer: &str) {
        let diagnostic =
            Diagnostic::error(code, message).in_file(self.project.display_path(&self.project.config_file));
        let position = self.position_in(&self.project.config_file, pointer);
        self.diagnostics.push(diagnostic.at(position));
    }

    fn position_in(&self, json: &str, pointer: &str) -> Position {
        self.project.json_doc(json).map_or_else(Position::default, |doc| doc.value_position(pointer))
    }

    fn app_files(&mut self) {
        let required: &[&str] = match self.project.dialect {
            Dialect::W3c => &["app.js", "app.css"],
            Dialect::WeChat | Dialect::ByteDance => &["app.js"],
        };
        for file in required {
            if !self.project.has_file(file) {
                let message = format!("the app has no {file}, which every mini-program needs");
                let diagnostic =
                    Diagnostic::error("missing-app-file", message).in_file(self.project.display_path(file));
                self.diagnostics.push(diagnostic);
            }
        }
    }

    fn pages(&mut self) {
        let project = self.project;
        if project.app.raw.get("pages").and_then(serde_json::Value::as_array).is_some_and(Vec::is_empty) {
            self.config_error("no-pages", "`pages` must list at least one page".into(), "/pages");
        }
        let script_required = project.dialect != Dialect::W3c;
        for page in &project.pages {
            let Some(pointer) = project.app.route_pointer(&page.route) else { continue };
            if page.files.template.is_none() {
                let template = project.dialect.template_path(&page.route);
                let message = format!("page `{}` has no template: {template} is missing", page.route);
                self.config_error("missing-page-file", message, pointer);
            }
            if script_required && page.files.script.is_none() {
                let message = format!("page `{}` has no script: {}.js is missing", page.route, page.route);
                self.config_error("missing-page-file", message, pointer);
            }
        }
        for widget in &project.app.widgets {
            if !project.has_file(&Dialect::W3c.template_path(&widget.path)) {
                let message =
                    format!("widget `{}` has no page: {}.html is missing", widget.name, widget.path);
                self.config_error("missing-page-file", message, &widget.pointer);
            }
        }
    }

    fn entry_page(&mut self) {
        let app = &self.project.app;
        if let (Some(entry), Some(pointer)) = (&app.entry_page, &app.entry_pointer)
            && !app.all_routes().any(|route| route == entry)
        {
            self.config_error(
                "unknown-page",
                format!("entry page `{entry}` is not a declared page"),
                pointer,
            );
        }
    }

    fn tab_bar(&mut self) {
        let project = self.project;
        let Some(tab_bar) = &project.app.tab_bar else { return };
        let count = tab_bar.items.len();
        let declared = project.app.raw.pointer(&tab_bar.list_pointer).and_then(serde_json::Value::as_array);
        if declared.is_some() && !TAB_BAR_ITEMS.contains(&count) {
            let message = format!(
                "tabBar.list has {count} item{}; it must have {} to {}",
                if count == 1 { "" } else { "s" },
                TAB_BAR_ITEMS.start(),
                TAB_BAR_ITEMS.end()
            );
            self.config_error("tab-bar-size", message, &tab_bar.list_pointer);
        }
        for item in &tab_bar.items {
            if let Some(page) = &item.page_path {
                let page_pointer = format!("{}/pagePath", item.pointer);
                let route = page.trim_start_matches('/');
                let in_main = project.app.pages.iter().any(|main| main == route);
                if !in_main && project.app.all_routes().any(|any| any == route) {
                    let message =
                        format!("tab bar page `{page}` must be in the main package, not a subpackage");
                    self.config_error("tab-bar-page-in-subpackage", message, &page_pointer);
                } else if !in_main {
                    let message = format!("tab bar page `{page}` is not listed in `pages`");
                    self.config_error("unknown-page", message, &page_pointer);
                }
            }
            for (key, icon) in [("iconPath", &item.icon_path), ("selectedIconPath", &item.selected_icon_path)]
            {
                if let Some(icon) = icon {
                    let icon_pointer = format!("{}/{key}", item.pointer);
                    self.require_file(icon, &icon_pointer, "tab bar icon");
                }
            }
        }
        if tab_bar.custom {
            let template = project.dialect.template_path("custom-tab-bar/index");
            let missing: Vec<String> = ["custom-tab-bar/index.js".to_owned(), template]
                .into_iter()
                .filter(|file| !project.has_file(file))
                .collect();
            if !missing.is_empty() {
                let message = format!("a custom tab bar needs {}", missing.join(" and "));
                self.config_error("missing-file", message, "/tabBar/custom");
            }
        }
    }

    /// Reports `reference` (a path relative to the app root, as written) when no such file exists.
    fn require_file(&mut self, reference: &str, pointer: &str, what: &str) {
        if reference.contains("://") {
            return;
        }
        let exists = paths::resolve("", reference).is_some_and(|path| self.project.has_file(&path));
        if !exists {
            self.config_error("missing-file", format!("{what} `{reference}` does not exist"), pointer);
        }
    }

    fn subpackages(&mut self) {
        let project = self.project;
        let subpackages = &project.app.subpackages;
        let mut names: HashMap<&str, &str> = HashMap::new();
        for (index, subpackage) in subpackages.iter().enumerate() {
            let root_pointer = format!("{}/root", subpackage.pointer);
            if !project.files.iter().any(|file| paths::is_within(&file.path, &subpackage.root)) {
                let message = format!("subpackage root `{}` is not a folder of the app", subpackage.root);
                self.config_error("missing-subpackage-root", message, &root_pointer);
            }
            for earlier in &subpackages[..index] {
                if earlier.root == subpackage.root {
                    let message = format!("subpackage root `{}` is declared twice", subpackage.root);
                    self.config_error("duplicate-subpackage", message, &root_pointer);
                } else if paths::is_within(&subpackage.root, &earlier.root)
                    || paths::is_within(&earlier.root, &subpackage.root)
                {
                    let message = format!(
                        "subpackage roots `{}` and `{}` are nested; subpackages must not contain each other",
                        earlier.root, subpackage.root
                    );
                    self.config_error("nested-subpackage", message, &root_pointer);
                }
            }
            if let Some(name) = &subpackage.name
                && let Some(previous_root) = names.insert(name, &subpackage.root)
            {
                let message = format!(
                    "subpackage name `{name}` is already used by the subpackage at `{previous_root}`"
                );
                self.config_error("duplicate-subpackage", message, &format!("{}/name", subpackage.pointer));
            }
            // Judged on the list as written: duplicates dropped from the model still count here.
            let pages_pointer = format!("{}/pages", subpackage.pointer);
            if project
                .app
                .raw
                .pointer(&pages_pointer)
                .and_then(serde_json::Value::as_array)
                .is_some_and(Vec::is_empty)
            {
                let message = format!("subpackage `{}` lists no pages", subpackage.root);
                self.config_error("invalid-subpackage", message, &pages_pointer);
            }
        }
        for route in &project.app.pages {
            if let Some(subpackage) = subpackages.iter().find(|s| paths::is_within(route, &s.root))
                && let Some(pointer) = project.app.route_pointer(route)
            {
                let message = format!(
                    "main-package page `{route}` lies inside subpackage root `{}`; list it in that subpackage",
                    subpackage.root
                );
                self.config_error("page-in-subpackage-root", message, pointer);
            }
        }
    }

    fn preload_rules(&mut self) {
        let app = &self.project.app;
        for rule in &app.preload_rules {
            if !app.all_routes().any(|route| route == rule.page) {
                let message = format!("preload rule for `{}`, which is not a declared page", rule.page);
                let diagnostic = Diagnostic::error("unknown-page", message)
                    .in_file(self.project.display_path(&self.project.config_file));
                let position = self
                    .project
                    .json_doc(&self.project.config_file)
                    .map_or_else(Position::default, |doc| doc.key_position(&rule.pointer));
                self.diagnostics.push(diagnostic.at(position));
            }
            for package in &rule.packages {
                let known = package.value == MAIN_PACKAGE_ALIAS
                    || app.subpackages.iter().any(|s| {
                        s.root == package.value.trim_end_matches('/')
                            || s.name.as_deref() == Some(&package.value)
                    });
                if !known {
                    let message = format!(
                        "preload rule names `{}`, which is not a subpackage name or root",
                        package.value
                    );
                    self.config_error("unknown-subpackage", message, &package.pointer);
                }
            }
        }
    }

    fn components(&mut self) {
        let project = self.project;
        let template_extension = project.dialect.template_extension();
        for component in project.components.values() {
            let (reference_json, reference_pointer) = &component.first_reference;
            let reference_position = self.position_in(reference_json, reference_pointer);
            let mut missing = Vec::new();
            if component.files.template.is_none() {
                missing.push(format!("{}.{template_extension}", component.path));
            }
            if component.files.script.is_none() {
                missing.push(format!("{}.js", component.path));
            }
            if !missing.is_empty() {
                let message = format!(
                    "component `{}` is incomplete: {} missing",
                    component.path,
                    missing.join(" and ")
                );
                let diagnostic = Diagnostic::error("missing-component-file", message)
                    .in_file(project.display_path(reference_json))
                    .at(reference_position);
                self.diagnostics.push(diagnostic);
            }
            if component.declared_component {
                continue;
            }
            let diagnostic = match &component.files.json {
                Some(json) => {
                    let position = project.json_doc(json).map_or(Position::new(1, 1), |doc| {
                        if doc.value().get("component").is_some() {
                            doc.value_position("/component")
                        } else {
                            Position::new(1, 1)
                        }
                    });
                    let message =
                        format!("{json} is used as a component but does not say \"component\": true");
                    Diagnostic::warning("not-a-component", message)
                        .in_file(project.display_path(json))
                        .at(position)
                }
                None => {
                    let message = format!(
                        "component `{}` has no {}.json declaring \"component\": true",
                        component.path, component.path
                    );
                    Diagnostic::warning("not-a-component", message)
                        .in_file(project.display_path(reference_json))
                        .at(reference_position)
                }
            };
            self.diagnostics.push(diagnostic);
        }
    }

    fn referenced_files(&mut self) {
        let app = &self.project.app;
        for reference in &app.referenced_files {
            let what = reference.pointer.trim_start_matches('/').to_owned();
            self.require_file(&reference.value, &reference.pointer, &what);
        }
        for icon in &app.icons {
            self.require_file(&icon.value, &icon.pointer, "icon");
        }
    }

    /// Names the package reader would refuse: case or spelling twins, and the reserved manifest name.
    fn file_names(&mut self) {
        let project = self.project;
        let mut seen: HashMap<String, &str> = HashMap::new();
        for file in &project.files {
            if file.path == MANIFEST_PATH {
                let message =
                    format!("{MANIFEST_PATH} is reserved for the package manifest; rename this file");
                let diagnostic =
                    Diagnostic::error("reserved-path", message).in_file(project.display_path(&file.path));
                self.diagnostics.push(diagnostic);
            }
            if let Some(previous) = seen.insert(paths::collision_key(&file.path), &file.path) {
                let message = format!("`{}` and `{previous}` differ only in letter case", file.path);
                let diagnostic = Diagnostic::error("file-name-conflict", message)
                    .in_file(project.display_path(&file.path));
                self.diagnostics.push(diagnostic);
            }
        }
    }

    fn sizes(&mut self, limits: &Limits) {
        let project = self.project;
        let config_display = project.display_path(&project.config_file);
        let sizes = project.package_sizes();
        let mut too_large = |what: String, size: u64, limit: u64| {
            let message =
                format!("{what} is {}, over the limit of {}", describe_bytes(size), describe_bytes(limit));
            self.diagnostics
                .push(Diagnostic::error("package-too-large", message).in_file(config_display.clone()));
        };
        if sizes.main > limits.main_package_bytes {
            too_large("the main package".into(), sizes.main, limits.main_package_bytes);
        }
        for (root, size) in &sizes.subpackages {
            if *size > limits.subpackage_bytes {
                too_large(format!("subpackage `{root}`"), *size, limits.subpackage_bytes);
            }
        }
        if sizes.total > limits.total_bytes {
            too_large("the whole app".into(), sizes.total, limits.total_bytes);
        }
        // The package also holds its manifest.
        if project.files.len().saturating_add(1) > limits.max_entries {
            let message = format!(
                "the app has {} files; a package holds at most {}",
                project.files.len(),
                limits.max_entries.saturating_sub(1)
            );
            self.diagnostics.push(Diagnostic::error("too-many-files", message).in_file(config_display));
        }
    }
}
