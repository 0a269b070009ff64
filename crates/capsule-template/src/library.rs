//! A set of compiled template files linked together: imports, includes and WXS sources.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use capsule_diagnostics::{Diagnostic, Position};

use crate::compile::compile;
use crate::ir::{CompiledFile, Node};
use crate::path::resolve;
use crate::script::{ScriptSources, required_paths};
use crate::wxs_check::check_wxs;

/// Where a template name leads: the file that defines it and its index there.
#[derive(Clone, Debug)]
pub(crate) struct TemplateRef {
    pub file: Arc<CompiledFile>,
    pub index: usize,
}

/// Compiled template files that reference one another, ready to render.
#[derive(Clone, Debug, Default)]
pub struct Library {
    files: HashMap<String, Arc<CompiledFile>>,
    scripts: ScriptSources,
    /// For each file: the templates it may call (its own and those of files it imports).
    visible: HashMap<String, HashMap<Arc<str>, TemplateRef>>,
}

impl Library {
    /// Compiles `entry` and everything it imports, includes or requires, reading files
    /// through `read` (project path in, contents out; `None` when there is no such file).
    pub fn load(entry: &str, mut read: impl FnMut(&str) -> Option<String>) -> (Library, Vec<Diagnostic>) {
        let mut library = Library::default();
        let mut diagnostics = Vec::new();
        let mut queue = VecDeque::from([(entry.to_string(), None::<String>)]);
        while let Some((path, referrer)) = queue.pop_front() {
            if library.files.contains_key(&path) || library.scripts.contains_key(&path) {
                continue;
            }
            let Some(source) = read(&path) else {
                // A missing import or include renders nothing (wcc only warns); a missing WXS
                // module or entry file is an error.
                let diagnostic = match &referrer {
                    Some(from) if !is_script(&path) => Diagnostic::warning(
                        "missing-file",
                        format!("`{path}`, referenced from `{from}`, does not exist"),
                    ),
                    Some(from) => Diagnostic::error(
                        "missing-file",
                        format!("`{path}`, required by `{from}`, does not exist"),
                    ),
                    None => Diagnostic::error("missing-file", format!("`{path}` does not exist")),
                };
                diagnostics.push(diagnostic.in_file(referrer.unwrap_or(path)));
                continue;
            };
            if is_script(&path) {
                for problem in check_wxs(&source) {
                    let position = Position::of_offset(&source, problem.offset);
                    diagnostics
                        .push(Diagnostic::error("wxs-syntax", problem.message).in_file(&path).at(position));
                }
                for target in required_paths(&source) {
                    if let Some(target) = resolve(&path, &target) {
                        queue.push_back((target, Some(path.clone())));
                    }
                }
                library.scripts.insert(path, source);
                continue;
            }
            let (file, found) = compile(&source, &path);
            diagnostics.extend(found);
            for target in file.imports.iter().chain(included_paths(&file).iter()) {
                queue.push_back((target.clone(), Some(path.clone())));
            }
            for module in &file.modules {
                match &module.inline_source {
                    Some(script) => {
                        for target in required_paths(script) {
                            if let Some(target) = resolve(&path, &target) {
                                queue.push_back((target, Some(path.clone())));
                            }
                        }
                        library.scripts.insert(module.source_key.clone(), script.clone());
                    }
                    None => queue.push_back((module.source_key.clone(), Some(path.clone()))),
                }
            }
            library.files.insert(path, Arc::new(file));
        }
        library.link();
        (library, diagnostics)
    }

    /// Works out which templates each file can call, by wcc's priorities (highest last here):
    /// templates imported by files it includes (nearest include first), its imports (the later
    /// import wins), then its own definitions (the later definition wins). Imports are not
    /// transitive: a file sees what the files it imports define, not what they import.
    fn link(&mut self) {
        for (path, file) in &self.files {
            let mut sources: Vec<&Arc<CompiledFile>> = Vec::new();
            for included in self.included_breadth_first(file).iter().rev() {
                for import in included.imports.iter().rev() {
                    sources.extend(self.files.get(import));
                }
            }
            sources.extend(file.imports.iter().filter_map(|p| self.files.get(p)));
            sources.push(file);
            let mut names: HashMap<Arc<str>, TemplateRef> = HashMap::new();
            for source in sources {
                for (index, (name, _)) in source.templates.iter().enumerate() {
                    names.insert(name.clone(), TemplateRef { file: source.clone(), index });
                }
            }
            self.visible.insert(path.clone(), names);
        }
    }

    /// The files `file` includes, directly or through other includes, nearest first.
    fn included_breadth_first(&self, file: &CompiledFile) -> Vec<&Arc<CompiledFile>> {
        let mut found: Vec<&Arc<CompiledFile>> = Vec::new();
        let mut queue: VecDeque<String> = included_paths(file).into();
        while let Some(path) = queue.pop_front() {
            let Some(included) = self.files.get(&path) else { continue };
            if found.iter().any(|f| f.path == path) || path == file.path {
                continue;
            }
            queue.extend(included_paths(included));
            found.push(included);
        }
        found
    }

    pub fn file(&self, path: &str) -> Option<&Arc<CompiledFile>> {
        self.files.get(path)
    }

    pub fn scripts(&self) -> &ScriptSources {
        &self.scripts
    }

    pub(crate) fn template(&self, file: &str, name: &str) -> Option<&TemplateRef> {
        self.visible.get(file)?.get(name)
    }
}

fn is_script(path: &str) -> bool {
    path.ends_with(".wxs") || path.ends_with(".sjs")
}

fn included_paths(file: &CompiledFile) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack: Vec<&Node> = file.nodes.iter().collect();
    stack.extend(file.templates.iter().flat_map(|(_, body)| body.iter()));
    while let Some(node) = stack.pop() {
        match node {
            Node::Include { path } => found.push(path.clone()),
            Node::Element(element) => stack.extend(&element.children),
            Node::Block(children) => stack.extend(children),
            Node::If(branches) => stack.extend(branches.iter().map(|(_, node)| node)),
            Node::For(for_loop) => stack.push(&for_loop.body),
            Node::Text(_) | Node::CallTemplate { .. } => {}
        }
    }
    found
}
