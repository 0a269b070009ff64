//! Reading a project folder: finding the app root and layout (WeChat, ByteDance, W3C), listing the
//! app's files, and tying pages and custom components to their template, style, script and json files.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use capsule_diagnostics::Diagnostic;
use serde_json::Value;

use crate::config::{self, AppConfig, Located, Subpackage, UnitConfig};
use crate::dialect::Dialect;
use crate::json_span::JsonDoc;
use crate::limits::PackageSizes;
use crate::paths;

/// The WeChat/ByteDance developer-tool settings file; it may move the app into a subfolder.
pub const PROJECT_CONFIG_FILE: &str = "project.config.json";

/// Configuration JSON larger than this is refused unread; real ones are a few kilobytes.
const MAX_JSON_BYTES: u64 = 4 * 1024 * 1024;

/// More entries than this in a project folder stops the walk: it is surely not a mini-program.
const MAX_WALKED_ENTRIES: usize = 200_000;

/// A mini-program project read from disk.
#[derive(Clone, Debug)]
pub struct Project {
    /// The folder that was loaded (where `project.config.json` lives, if any).
    pub project_dir: PathBuf,
    /// The app root: `project_dir` joined with `root_prefix`. Package paths are relative to it.
    pub root: PathBuf,
    /// The app root relative to `project_dir` (`miniprogramRoot`, or `src` for W3C test-suite
    /// folders), `/`-separated, without a trailing `/`; empty when they are the same folder.
    pub root_prefix: String,
    pub dialect: Dialect,
    /// `app.json` or `manifest.json`, relative to the app root.
    pub config_file: String,
    pub app: AppConfig,
    /// The app's files (tooling files, dotfiles and `node_modules` left out), sorted by path.
    pub files: Vec<ProjectFile>,
    /// Every declared page whose route is valid, main package first, in declaration order.
    pub pages: Vec<Page>,
    /// Every custom component reachable from `usingComponents`, keyed by its path.
    pub components: BTreeMap<String, Component>,
    /// Components `app.json` makes available to every page and component.
    pub app_components: BTreeMap<String, ComponentTarget>,
    /// Parsed JSON files by package path, kept for positioning diagnostics.
    json_docs: BTreeMap<String, JsonDoc>,
}

/// One file of the app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectFile {
    /// Relative to the app root, `/`-separated.
    pub path: String,
    pub size: u64,
}

/// The files that make up a page or component; each is a package path when the file exists.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceFiles {
    pub template: Option<String>,
    pub style: Option<String>,
    pub script: Option<String>,
    pub json: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Page {
    /// `pages/index/index`; also the files' path without extension.
    pub route: String,
    /// The root of the subpackage that holds the page; `None` for the main package.
    pub subpackage: Option<String>,
    pub files: SourceFiles,
    /// The page's own `usingComponents` that resolved (see also [`Project::app_components`]).
    pub using_components: BTreeMap<String, ComponentTarget>,
}

#[derive(Clone, Debug)]
pub struct Component {
    /// The files' path without extension (`components/card/card`, `miniprogram_npm/x/index`).
    pub path: String,
    pub files: SourceFiles,
    pub using_components: BTreeMap<String, ComponentTarget>,
    /// Whether its json says `"component": true`.
    pub declared_component: bool,
    /// The first `usingComponents` entry that led here: (json package path, JSON pointer).
    pub(crate) first_reference: (String, String),
}

/// What a `usingComponents` entry resolved to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ComponentTarget {
    /// A component in this app: its path without extension.
    Local(String),
    /// A plugin component (`plugin://provider/name`), provided by the host.
    Plugin(String),
}

/// Switches for unusual layouts.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// W3C test-suite quirk: a route `pages/home/home` may resolve to `pages/home.html` when the
    /// last two segments repeat. Off by default: spec-strict loading.
    pub w3c_test_suite: bool,
}

impl Project {
    /// Reads the project in `dir`. Never panics; every problem, IO included, becomes a diagnostic.
    /// The project is `None` when no app configuration could be read at all.
    pub fn load(dir: &Path) -> (Option<Project>, Vec<Diagnostic>) {
        Self::load_with(dir, &LoadOptions::default())
    }

    pub fn load_with(dir: &Path, options: &LoadOptions) -> (Option<Project>, Vec<Diagnostic>) {
        let mut diagnostics = Vec::new();
        let project = Loader { dir, options, diagnostics: &mut diagnostics }.load();
        (project, diagnostics)
    }

    /// `path` (relative to the app root) as the user sees it from the project folder.
    pub fn display_path(&self, path: &str) -> String {
        join_display(&self.root_prefix, path)
    }

    pub fn file(&self, path: &str) -> Option<&ProjectFile> {
        self.files.binary_search_by(|file| file.path.as_str().cmp(path)).ok().map(|i| &self.files[i])
    }

    pub fn has_file(&self, path: &str) -> bool {
        self.file(path).is_some()
    }

    /// Reads one of the app's files from disk.
    pub fn read_file(&self, path: &str) -> io::Result<Vec<u8>> {
        fs::read(self.root.join(path))
    }

    pub fn page(&self, route: &str) -> Option<&Page> {
        self.pages.iter().find(|page| page.route == route)
    }

    /// The subpackage whose root holds `path`, if any.
    pub fn subpackage_of(&self, path: &str) -> Option<&Subpackage> {
        self.app.subpackages.iter().find(|subpackage| paths::is_within(path, &subpackage.root))
    }

    /// The bytes of the main package and of each subpackage.
    pub fn package_sizes(&self) -> PackageSizes {
        let roots: Vec<&str> = self.app.subpackages.iter().map(|s| s.root.as_str()).collect();
        PackageSizes::measure(self.files.iter().map(|f| (f.path.as_str(), f.size)), &roots)
    }

    /// The parsed JSON file at `path`, if the loader read it.
    pub(crate) fn json_doc(&self, path: &str) -> Option<&JsonDoc> {
        self.json_docs.get(path)
    }
}

fn join_display(prefix: &str, path: &str) -> String {
    match (prefix.is_empty(), path.is_empty()) {
        (true, _) => path.to_owned(),
        (false, true) => prefix.to_owned(),
        (false, false) => format!("{prefix}/{path}"),
    }
}

struct Loader<'a> {
    dir: &'a Path,
    options: &'a LoadOptions,
    diagnostics: &'a mut Vec<Diagnostic>,
}

enum Layout {
    AppJson,
    Manifest,
}

impl Loader<'_> {
    fn load(mut self) -> Option<Project> {
        if !self.dir.is_dir() {
            let message = format!("`{}` is not a readable folder", self.dir.display());
            self.diagnostics.push(Diagnostic::error("io-error", message));
            return None;
        }
        let mut root_prefix = self.read_miniprogram_root()?;
        let mut root = self.dir.join(&root_prefix);
        let layout = if root.join("app.json").is_file() {
            Layout::AppJson
        } else if root.join("manifest.json").is_file() {
            Layout::Manifest
        } else if root_prefix.is_empty() && root.join("src").join("manifest.json").is_file() {
            // W3C test-suite folders keep the app in `src/` next to `test.jsonld`.
            root_prefix = "src".to_owned();
            root = self.dir.join("src");
            Layout::Manifest
        } else {
            let message = "no app.json or manifest.json found: this is not a mini-program project";
            let file = join_display(&root_prefix, "app.json");
            self.diagnostics.push(Diagnostic::error("missing-app-config", message).in_file(file));
            return None;
        };
        let config_file = match layout {
            Layout::AppJson => "app.json",
            Layout::Manifest => "manifest.json",
        };
        let files = self.list_files(&root, &root_prefix);
        let config_display = join_display(&root_prefix, config_file);
        let doc = self.read_json(&root.join(config_file), &config_display)?;

        let (dialect, app) = match layout {
            Layout::AppJson => {
                let dialect =
                    self.detect_dialect(&config::declared_routes(doc.value()), &files, &root_prefix);
                (dialect, config::parse_app_json(&doc, &config_display, dialect, self.diagnostics))
            }
            Layout::Manifest => {
                (Dialect::W3c, config::parse_manifest(&doc, &config_display, self.diagnostics))
            }
        };
        let mut project = Project {
            project_dir: self.dir.to_path_buf(),
            root,
            root_prefix,
            dialect,
            config_file: config_file.to_owned(),
            app,
            files,
            pages: Vec::new(),
            components: BTreeMap::new(),
            app_components: BTreeMap::new(),
            json_docs: BTreeMap::new(),
        };
        project.json_docs.insert(config_file.to_owned(), doc);
        self.load_pages(&mut project);
        if dialect != Dialect::W3c {
            ComponentResolver::new(&mut self, &mut project).run();
        }
        Some(project)
    }

    /// `miniprogramRoot` from `project.config.json`, normalised; `""` when absent.
    fn read_miniprogram_root(&mut self) -> Option<String> {
        let path = self.dir.join(PROJECT_CONFIG_FILE);
        if !path.is_file() {
            return Some(String::new());
        }
        let doc = self.read_json(&path, PROJECT_CONFIG_FILE)?;
        let Some(raw) = doc.value().get("miniprogramRoot") else { return Some(String::new()) };
        let position = doc.value_position("/miniprogramRoot");
        let Some(raw) = raw.as_str() else {
            let diagnostic = Diagnostic::error("invalid-type", "`miniprogramRoot` must be a string")
                .in_file(PROJECT_CONFIG_FILE)
                .at(position);
            self.diagnostics.push(diagnostic);
            return None;
        };
        let root = if raw.starts_with('/') { None } else { paths::normalize(raw) };
        match root {
            Some(root) if self.dir.join(&root).is_dir() => Some(root),
            Some(_) => {
                let message =
                    format!("`miniprogramRoot` names `{raw}`, which is not a folder of this project");
                let diagnostic =
                    Diagnostic::error("missing-app-root", message).in_file(PROJECT_CONFIG_FILE).at(position);
                self.diagnostics.push(diagnostic);
                None
            }
            None => {
                let message = format!("`miniprogramRoot` `{raw}` must stay inside the project folder");
                let diagnostic =
                    Diagnostic::error("invalid-path", message).in_file(PROJECT_CONFIG_FILE).at(position);
                self.diagnostics.push(diagnostic);
                None
            }
        }
    }

    /// Reads and parses a JSON file; reports IO, encoding and syntax problems.
    fn read_json(&mut self, path: &Path, display: &str) -> Option<JsonDoc> {
        if let Ok(metadata) = fs::metadata(path)
            && metadata.len() > MAX_JSON_BYTES
        {
            let message = format!(
                "the file is {} bytes; configuration files are at most {MAX_JSON_BYTES}",
                metadata.len()
            );
            self.diagnostics.push(Diagnostic::error("file-too-large", message).in_file(display));
            return None;
        }
        let bytes = match fs::read(path) {
            Ok(bytes) => bytes,
            Err(error) => {
                let message = format!("cannot read the file: {error}");
                self.diagnostics.push(Diagnostic::error("io-error", message).in_file(display));
                return None;
            }
        };
        let Ok(text) = String::from_utf8(bytes) else {
            let diagnostic =
                Diagnostic::error("invalid-json", "the file is not valid UTF-8").in_file(display);
            self.diagnostics.push(diagnostic);
            return None;
        };
        match JsonDoc::parse(&text) {
            Ok(doc) => {
                for duplicate in doc.duplicate_keys() {
                    let message = format!(
                        "`{}` appears more than once; only the last one counts",
                        config::display_pointer(duplicate)
                    );
                    let diagnostic = Diagnostic::warning("duplicate-key", message)
                        .in_file(display)
                        .at(doc.key_position(duplicate));
                    self.diagnostics.push(diagnostic);
                }
                Some(doc)
            }
            Err(error) => {
                let message = format!("invalid JSON: {}", error.message);
                let diagnostic =
                    Diagnostic::error("invalid-json", message).in_file(display).at(error.position);
                self.diagnostics.push(diagnostic);
                None
            }
        }
    }

    /// Lists the app's files under `root`, sorted. Symlinks are skipped (never followed).
    fn list_files(&mut self, root: &Path, root_prefix: &str) -> Vec<ProjectFile> {
        let mut files = Vec::new();
        let mut walked = 0usize;
        let mut pending: Vec<(PathBuf, String)> = vec![(root.to_path_buf(), String::new())];
        while let Some((folder, relative)) = pending.pop() {
            let entries = match fs::read_dir(&folder) {
                Ok(entries) => entries,
                Err(error) => {
                    let message = format!("cannot list the folder: {error}");
                    let file = join_display(root_prefix, &relative);
                    self.diagnostics.push(Diagnostic::error("io-error", message).in_file(file));
                    continue;
                }
            };
            let mut names = Vec::new();
            for entry in entries {
                match entry {
                    Ok(entry) => names.push(entry.file_name()),
                    Err(error) => {
                        let message = format!("cannot list the folder: {error}");
                        let file = join_display(root_prefix, &relative);
                        self.diagnostics.push(Diagnostic::error("io-error", message).in_file(file));
                    }
                }
            }
            names.sort();
            for name in names {
                walked += 1;
                if walked > MAX_WALKED_ENTRIES {
                    let message = format!("the folder holds more than {MAX_WALKED_ENTRIES} entries");
                    let file = join_display(root_prefix, "");
                    self.diagnostics.push(Diagnostic::error("too-many-files", message).in_file(file));
                    return sorted(files);
                }
                let Some(name_text) = name.to_str() else {
                    let shown = join_display(&join_display(root_prefix, &relative), &name.to_string_lossy());
                    let message = "file names must be valid UTF-8; this file cannot be packaged";
                    self.diagnostics.push(Diagnostic::error("invalid-file-name", message).in_file(shown));
                    continue;
                };
                let path = join_display(&relative, name_text);
                if paths::is_excluded_from_package(&path) {
                    continue;
                }
                let absolute = folder.join(&name);
                let metadata = match fs::symlink_metadata(&absolute) {
                    Ok(metadata) => metadata,
                    Err(error) => {
                        let message = format!("cannot read the file: {error}");
                        let shown = join_display(root_prefix, &path);
                        self.diagnostics.push(Diagnostic::error("io-error", message).in_file(shown));
                        continue;
                    }
                };
                if metadata.file_type().is_symlink() {
                    let message = "symbolic links are not packaged; copy the file instead";
                    let shown = join_display(root_prefix, &path);
                    self.diagnostics.push(Diagnostic::warning("symlink-skipped", message).in_file(shown));
                } else if metadata.is_dir() {
                    pending.push((absolute, path));
                } else if metadata.is_file() {
                    if let Err(problem) = paths::check_package_path(&path) {
                        let message = format!("this file cannot be packaged: {problem}");
                        let shown = join_display(root_prefix, &path);
                        self.diagnostics.push(Diagnostic::error("invalid-file-name", message).in_file(shown));
                        continue;
                    }
                    files.push(ProjectFile { path, size: metadata.len() });
                }
            }
        }
        sorted(files)
    }

    /// WeChat unless the pages' templates are mostly `.ttml`. A project is one dialect; pages
    /// that use the other one get a warning.
    fn detect_dialect(&mut self, routes: &[String], files: &[ProjectFile], root_prefix: &str) -> Dialect {
        let exists = |path: &str| files.binary_search_by(|file| file.path.as_str().cmp(path)).is_ok();
        let count =
            |dialect: Dialect| routes.iter().filter(|route| exists(&dialect.template_path(route))).count();
        let (wechat, bytedance) = (count(Dialect::WeChat), count(Dialect::ByteDance));
        let dialect = if bytedance > wechat || (wechat == 0 && bytedance == 0 && exists("app.ttss")) {
            Dialect::ByteDance
        } else {
            Dialect::WeChat
        };
        if wechat > 0 && bytedance > 0 {
            let other = if dialect == Dialect::WeChat { Dialect::ByteDance } else { Dialect::WeChat };
            for route in routes {
                let template = other.template_path(route);
                if exists(&template) && !exists(&dialect.template_path(route)) {
                    let message = format!(
                        "this is a {} project but page `{route}` uses a .{} template",
                        dialect.name(),
                        other.template_extension()
                    );
                    let file = join_display(root_prefix, &template);
                    self.diagnostics.push(Diagnostic::warning("mixed-dialect", message).in_file(file));
                }
            }
        }
        dialect
    }

    fn load_pages(&mut self, project: &mut Project) {
        let mut pages = Vec::new();
        let subpackage_routes: HashMap<&str, &str> = project
            .app
            .subpackages
            .iter()
            .flat_map(|s| s.pages.iter().map(move |route| (route.as_str(), s.root.as_str())))
            .collect();
        for route in project.app.all_routes() {
            let files = self.page_files(project, route);
            pages.push(Page {
                route: route.to_owned(),
                subpackage: subpackage_routes.get(route).map(|root| (*root).to_owned()),
                files,
                using_components: BTreeMap::new(),
            });
        }
        project.pages = pages;
    }

    fn page_files(&mut self, project: &Project, route: &str) -> SourceFiles {
        if project.dialect == Dialect::W3c {
            let mut unit = route.to_owned();
            if !project.has_file(&format!("{unit}.html"))
                && self.options.w3c_test_suite
                && let Some(shortened) = repeated_tail(route)
            {
                unit = shortened;
            }
            return source_files(project, &unit, Dialect::W3c, false);
        }
        source_files(project, route, project.dialect, true)
    }
}

/// `pages/home` for `pages/home/home`: the W3C test-suite route fallback.
fn repeated_tail(route: &str) -> Option<String> {
    let (head, last) = route.rsplit_once('/')?;
    let (_, before_last) = head.rsplit_once('/').unwrap_or(("", head));
    (before_last == last).then(|| head.to_owned())
}

/// The files of the unit at `unit` (path without extension). With `other_dialects`, a template or
/// style in the other app.json dialect is accepted too (mixed projects are warned about elsewhere).
fn source_files(project: &Project, unit: &str, dialect: Dialect, other_dialects: bool) -> SourceFiles {
    let pick = |extensions: &[&str]| {
        extensions.iter().map(|extension| format!("{unit}.{extension}")).find(|path| project.has_file(path))
    };
    let (template, style) = if other_dialects {
        let other = if dialect == Dialect::ByteDance { Dialect::WeChat } else { Dialect::ByteDance };
        (
            pick(&[dialect.template_extension(), other.template_extension()]),
            pick(&[dialect.style_extension(), other.style_extension()]),
        )
    } else {
        (pick(&[dialect.template_extension()]), pick(&[dialect.style_extension()]))
    };
    SourceFiles {
        template,
        style,
        script: pick(&[dialect.script_extension()]),
        json: if dialect == Dialect::W3c { None } else { pick(&["json"]) },
    }
}

fn sorted(mut files: Vec<ProjectFile>) -> Vec<ProjectFile> {
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// Follows `usingComponents` from app.json, pages and components, loading every component reached.
struct ComponentResolver<'l, 'a, 'p> {
    loader: &'l mut Loader<'a>,
    project: &'p mut Project,
    aliases: Vec<(String, String)>,
    units: HashMap<String, UnitConfig>,
}

/// Which unit declared a `usingComponents` map.
enum Declarer {
    App,
    Page(usize),
    Component(String),
}

impl<'l, 'a, 'p> ComponentResolver<'l, 'a, 'p> {
    fn new(loader: &'l mut Loader<'a>, project: &'p mut Project) -> Self {
        let aliases = project
            .app
            .raw
            .get("resolveAlias")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(from, to)| Some((from.clone(), to.as_str()?.to_owned())))
            .collect();
        Self { loader, project, aliases, units: HashMap::new() }
    }

    fn run(mut self) {
        let mut queue: VecDeque<(Declarer, String, BTreeMap<String, Located<String>>)> = VecDeque::new();
        let app_uses: BTreeMap<String, Located<String>> = self
            .project
            .app
            .using_components
            .iter()
            .map(|(tag, path)| {
                let pointer = crate::json_span::pointer("/usingComponents", tag);
                (tag.clone(), Located { value: path.clone(), pointer })
            })
            .collect();
        queue.push_back((Declarer::App, self.project.config_file.clone(), app_uses));
        for index in 0..self.project.pages.len() {
            let Some(json) = self.project.pages[index].files.json.clone() else { continue };
            let unit = self.read_unit_json(&json);
            queue.push_back((Declarer::Page(index), json, unit.using_components));
        }
        let mut seen: BTreeSet<String> = BTreeSet::new();
        while let Some((declarer, json, uses)) = queue.pop_front() {
            let mut resolved = BTreeMap::new();
            for (tag, reference) in uses {
                let Some(target) = self.resolve(&json, &reference) else { continue };
                if let ComponentTarget::Local(path) = &target
                    && seen.insert(path.clone())
                {
                    let component = self.load_component(path, &json, &reference.pointer);
                    if let Some(component_json) = component.files.json.clone() {
                        let unit = self.read_unit_json(&component_json);
                        self.project.components.insert(
                            path.clone(),
                            Component { declared_component: unit.component, ..component },
                        );
                        queue.push_back((
                            Declarer::Component(path.clone()),
                            component_json,
                            unit.using_components,
                        ));
                    } else {
                        self.project.components.insert(path.clone(), component);
                    }
                }
                resolved.insert(tag, target);
            }
            match declarer {
                Declarer::App => self.project.app_components = resolved,
                Declarer::Page(index) => self.project.pages[index].using_components = resolved,
                Declarer::Component(path) => {
                    if let Some(component) = self.project.components.get_mut(&path) {
                        component.using_components = resolved;
                    }
                }
            }
        }
    }

    /// Reads a page or component json once; a file that is both page and component is not re-reported.
    fn read_unit_json(&mut self, json: &str) -> UnitConfig {
        if let Some(unit) = self.units.get(json) {
            return unit.clone();
        }
        let unit = self.parse_unit_json(json);
        self.units.insert(json.to_owned(), unit.clone());
        unit
    }

    fn parse_unit_json(&mut self, json: &str) -> UnitConfig {
        let display = self.project.display_path(json);
        let Some(doc) = self.loader.read_json(&self.project.root.join(json), &display) else {
            return UnitConfig::default();
        };
        let unit = config::parse_unit_json(&doc, &display, self.project.dialect, self.loader.diagnostics);
        self.project.json_docs.insert(json.to_owned(), doc);
        unit
    }

    fn load_component(&self, path: &str, json: &str, pointer: &str) -> Component {
        Component {
            path: path.to_owned(),
            files: source_files(self.project, path, self.project.dialect, true),
            using_components: BTreeMap::new(),
            declared_component: false,
            first_reference: (json.to_owned(), pointer.to_owned()),
        }
    }

    /// Resolves one `usingComponents` entry declared in the json file `json`, or reports it.
    fn resolve(&mut self, json: &str, reference: &Located<String>) -> Option<ComponentTarget> {
        let raw = reference.value.trim();
        if raw.starts_with("plugin://") || raw.starts_with("plugin-private://") {
            return Some(ComponentTarget::Plugin(raw.to_owned()));
        }
        let aliased = self.apply_alias(raw);
        let raw = aliased.as_deref().unwrap_or(raw);
        let found = self.candidates(json, raw).into_iter().find_map(|candidate| self.unit_at(&candidate));
        if found.is_none() {
            self.report_unresolved(json, reference);
        }
        found.map(ComponentTarget::Local)
    }

    /// Where a reference may point, most specific first: relative to the json's folder (or the root
    /// for `/x`), then `miniprogram_npm` folders from the json's folder up to the root, then the root.
    fn candidates(&self, json: &str, raw: &str) -> Vec<String> {
        let folder = paths::parent(json);
        if raw.starts_with('/') || raw.starts_with("./") || raw.starts_with("../") {
            return paths::resolve(folder, raw).into_iter().collect();
        }
        let mut candidates: Vec<String> = paths::resolve(folder, raw).into_iter().collect();
        let mut ancestor = Some(folder);
        while let Some(dir) = ancestor {
            candidates.extend(paths::resolve(dir, &format!("miniprogram_npm/{raw}")));
            ancestor = if dir.is_empty() { None } else { Some(paths::parent(dir)) };
        }
        candidates.extend(paths::normalize(raw));
        candidates
    }

    /// The component path at `candidate`: the candidate itself or its `index` when it is a folder.
    fn unit_at(&self, candidate: &str) -> Option<String> {
        let template = self.project.dialect.template_extension();
        let is_unit = |unit: &str| {
            ["json", template, "js"]
                .iter()
                .any(|extension| self.project.has_file(&format!("{unit}.{extension}")))
        };
        if candidate.is_empty() {
            return None;
        }
        if is_unit(candidate) {
            return Some(candidate.to_owned());
        }
        let index = format!("{candidate}/index");
        is_unit(&index).then_some(index)
    }

    /// `resolveAlias`: `{"@/*": "/src/*"}` rewrites prefixes, a key without `*` matches exactly.
    fn apply_alias(&self, raw: &str) -> Option<String> {
        self.aliases.iter().find_map(|(from, to)| match (from.strip_suffix('*'), to.strip_suffix('*')) {
            (Some(from_prefix), Some(to_prefix)) => {
                raw.strip_prefix(from_prefix).map(|rest| format!("{to_prefix}{rest}"))
            }
            _ => (raw == from).then(|| to.clone()),
        })
    }

    fn report_unresolved(&mut self, json: &str, reference: &Located<String>) {
        let tag =
            reference.pointer.rsplit('/').next().unwrap_or_default().replace("~1", "/").replace("~0", "~");
        let template = self.project.dialect.template_extension();
        let message = format!(
            "component `{tag}`: `{}` does not resolve to a component (no .json, .{template} or .js file, nor an index in that folder)",
            reference.value
        );
        let position = self.project.json_doc(json).map(|doc| doc.value_position(&reference.pointer));
        let mut diagnostic =
            Diagnostic::error("unresolved-component", message).in_file(self.project.display_path(json));
        if let Some(position) = position {
            diagnostic = diagnostic.at(position);
        }
        self.loader.diagnostics.push(diagnostic);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_tail_shortens_only_repeats() {
        assert_eq!(repeated_tail("pages/home/home").as_deref(), Some("pages/home"));
        assert_eq!(repeated_tail("home/home").as_deref(), Some("home"));
        assert_eq!(repeated_tail("pages/home/index"), None);
        assert_eq!(repeated_tail("home"), None);
    }

    #[test]
    fn display_paths_join_the_prefix() {
        assert_eq!(join_display("", "app.json"), "app.json");
        assert_eq!(join_display("miniprogram", "app.json"), "miniprogram/app.json");
        assert_eq!(join_display("miniprogram", ""), "miniprogram");
    }
}
