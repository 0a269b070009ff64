//! Package paths: `/`-separated, relative to the app root. Normalising, joining, safety rules and exclusions.

use std::fmt;

/// Why a path cannot name a file inside a package.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathProblem {
    Empty,
    /// Starts with `/`, a drive letter (`C:`) or a UNC prefix.
    Absolute,
    Backslash,
    /// Has a `..` segment.
    Traversal,
    /// Has a `.` or an empty segment (`a/./b`, `a//b`), so two spellings could name one file.
    NotCanonical,
    /// Holds a character the W3C MiniApp packaging rules forbid (controls, `"*:<>|`, private use…).
    ForbiddenCharacter(char),
    /// A segment ends with `.`, which some file systems silently drop.
    TrailingDot,
    TooLong,
}

impl fmt::Display for PathProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("the path is empty"),
            Self::Absolute => f.write_str("the path is absolute"),
            Self::Backslash => f.write_str("the path contains a backslash"),
            Self::Traversal => f.write_str("the path contains a `..` segment"),
            Self::NotCanonical => f.write_str("the path contains an empty or `.` segment"),
            Self::ForbiddenCharacter(c) => write!(f, "the path contains the forbidden character {c:?}"),
            Self::TrailingDot => f.write_str("a path segment ends with `.`"),
            Self::TooLong => f.write_str("the path or one of its segments is too long"),
        }
    }
}

/// Longest accepted segment and path, in bytes (W3C MiniApp packaging).
const MAX_SEGMENT_BYTES: usize = 255;
const MAX_PATH_BYTES: usize = 65_535;

/// Checks that `path` is a canonical, relative package path that stays inside the package.
pub fn check_package_path(path: &str) -> Result<(), PathProblem> {
    if path.is_empty() {
        return Err(PathProblem::Empty);
    }
    if path.len() > MAX_PATH_BYTES {
        return Err(PathProblem::TooLong);
    }
    if path.starts_with('/') || has_drive_prefix(path) {
        return Err(PathProblem::Absolute);
    }
    if path.contains('\\') {
        return Err(PathProblem::Backslash);
    }
    for segment in path.split('/') {
        match segment {
            ".." => return Err(PathProblem::Traversal),
            "" | "." => return Err(PathProblem::NotCanonical),
            _ => {}
        }
        if segment.len() > MAX_SEGMENT_BYTES {
            return Err(PathProblem::TooLong);
        }
        if let Some(c) = segment.chars().find(|&c| is_forbidden_char(c)) {
            return Err(PathProblem::ForbiddenCharacter(c));
        }
        if segment.ends_with('.') {
            return Err(PathProblem::TrailingDot);
        }
    }
    Ok(())
}

fn has_drive_prefix(path: &str) -> bool {
    let bytes = path.as_bytes();
    bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':'
}

/// The characters W3C MiniApp packaging forbids in names (`/` is the separator, handled apart).
fn is_forbidden_char(c: char) -> bool {
    let code = u32::from(c);
    matches!(c, '"' | '*' | ':' | '<' | '>' | '\\' | '|')
        || code <= 0x1F
        || (0x7F..=0x9F).contains(&code)
        || code == 0xE0001
        || code == 0xE007F
        || (0xE000..=0xF8FF).contains(&code)
        || (0xF0000..=0x10FFFF).contains(&code)
        || (0xFFF0..=0xFFFF).contains(&code)
        || (0xFDD0..=0xFDEF).contains(&code)
        || (code & 0xFFFE) == 0xFFFE
}

/// Resolves `.` and `..` segments and drops empty ones. `None` when the path climbs above the root.
pub fn normalize(path: &str) -> Option<String> {
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split(['/', '\\']) {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop()?;
            }
            other => segments.push(other),
        }
    }
    Some(segments.join("/"))
}

/// Resolves `reference` against the folder `dir` (both package paths); a leading `/` means the root.
pub fn resolve(dir: &str, reference: &str) -> Option<String> {
    match reference.strip_prefix('/') {
        Some(absolute) => normalize(absolute),
        None if dir.is_empty() => normalize(reference),
        None => normalize(&format!("{dir}/{reference}")),
    }
}

/// The folder holding `path` (`""` for files at the root).
pub fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// The folders holding `path`, innermost first: `a/b/c` gives `a/b`, then `a`.
pub fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').map(|(i, _)| &path[..i]).collect::<Vec<_>>().into_iter().rev()
}

/// True when `path` is `dir` itself or lies inside it.
pub fn is_within(path: &str, dir: &str) -> bool {
    dir.is_empty()
        || path == dir
        || (path.len() > dir.len() && path.starts_with(dir) && path.as_bytes()[dir.len()] == b'/')
}

/// The key under which two paths count as the same file: `.`/`..` resolved, case folded.
/// A path that escapes the root keeps its raw lowercase form (it is refused elsewhere).
pub fn collision_key(path: &str) -> String {
    normalize(path).unwrap_or_else(|| path.to_owned()).to_lowercase()
}

/// Files in a project folder that are tooling, not app: they are neither packed nor counted.
pub fn is_excluded_from_package(path: &str) -> bool {
    const TOOLING_FILES: [&str; 2] = ["project.config.json", "project.private.config.json"];
    if TOOLING_FILES.contains(&path) {
        return true;
    }
    path.split('/').any(|segment| segment.starts_with('.') || segment == "node_modules")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_paths_must_be_canonical_and_relative() {
        assert_eq!(check_package_path("pages/index/index.wxml"), Ok(()));
        assert_eq!(check_package_path("图片/商品.png"), Ok(()));
        assert_eq!(check_package_path(""), Err(PathProblem::Empty));
        assert_eq!(check_package_path("/etc/passwd"), Err(PathProblem::Absolute));
        assert_eq!(check_package_path("C:/x"), Err(PathProblem::Absolute));
        assert_eq!(check_package_path("C:\\x"), Err(PathProblem::Absolute));
        assert_eq!(check_package_path("\\\\server\\share"), Err(PathProblem::Backslash));
        assert_eq!(check_package_path("a\\b"), Err(PathProblem::Backslash));
        assert_eq!(check_package_path("../x"), Err(PathProblem::Traversal));
        assert_eq!(check_package_path("a/../../x"), Err(PathProblem::Traversal));
        assert_eq!(check_package_path("a/./b"), Err(PathProblem::NotCanonical));
        assert_eq!(check_package_path("a//b"), Err(PathProblem::NotCanonical));
        assert_eq!(check_package_path("a/"), Err(PathProblem::NotCanonical));
        assert_eq!(check_package_path("ab:c"), Err(PathProblem::ForbiddenCharacter(':')));
        assert_eq!(check_package_path("a\u{0}b"), Err(PathProblem::ForbiddenCharacter('\u{0}')));
        assert_eq!(check_package_path("a\u{FFFF}"), Err(PathProblem::ForbiddenCharacter('\u{FFFF}')));
        assert_eq!(check_package_path("name."), Err(PathProblem::TrailingDot));
        assert_eq!(check_package_path(&"a".repeat(256)), Err(PathProblem::TooLong));
    }

    #[test]
    fn normalizing_and_resolving() {
        assert_eq!(normalize("a/./b//c/../d").as_deref(), Some("a/b/d"));
        assert_eq!(normalize("../a"), None);
        assert_eq!(resolve("pages/index", "../../components/card").as_deref(), Some("components/card"));
        assert_eq!(resolve("pages/index", "/components/card").as_deref(), Some("components/card"));
        assert_eq!(resolve("", "components/card").as_deref(), Some("components/card"));
        assert_eq!(resolve("pages", "../../x"), None);
        assert_eq!(parent("pages/index/index.json"), "pages/index");
        assert_eq!(parent("app.json"), "");
    }

    #[test]
    fn ancestors_go_outwards() {
        assert_eq!(ancestors("a/b/c.js").collect::<Vec<_>>(), ["a/b", "a"]);
        assert_eq!(ancestors("c.js").count(), 0);
    }

    #[test]
    fn within_respects_segment_boundaries() {
        assert!(is_within("packageA/pages/x.js", "packageA"));
        assert!(is_within("packageA", "packageA"));
        assert!(!is_within("packageAB/x.js", "packageA"));
        assert!(is_within("anything", ""));
    }

    #[test]
    fn collision_keys_fold_case_and_dots() {
        assert_eq!(collision_key("A/./B.js"), collision_key("a/b.js"));
        assert_ne!(collision_key("a/b.js"), collision_key("a/c.js"));
    }

    #[test]
    fn tooling_files_are_excluded() {
        assert!(is_excluded_from_package("project.config.json"));
        assert!(is_excluded_from_package("project.private.config.json"));
        assert!(is_excluded_from_package(".git/config"));
        assert!(is_excluded_from_package("pages/.DS_Store"));
        assert!(is_excluded_from_package("node_modules/lodash/index.js"));
        assert!(!is_excluded_from_package("miniprogram_npm/lodash/index.js"));
        assert!(!is_excluded_from_package("pages/project.config.json"));
    }
}
