//! Diagnostics with file:line:col positions, shared by every compiler and validator in Capsule.
//!
//! Parsers and validators never fail on bad input: they return their best value together
//! with a list of [`Diagnostic`]s. Callers decide what an error means (the CLI exits 1).

use std::fmt;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; the input still works.
    Warning,
    /// The input is invalid: a build refuses it.
    Error,
}

/// A position in a source file: 1-based line and column (columns count characters).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Position {
    pub line: u32,
    pub col: u32,
}

impl Position {
    pub const fn new(line: u32, col: u32) -> Self {
        Self { line, col }
    }

    /// The position of byte `offset` in `text`. Offsets past the end clamp to the end.
    pub fn of_offset(text: &str, offset: usize) -> Self {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        Self::new(to_u32(line), to_u32(col))
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// One problem found in one file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable, kebab-case identifier such as `unclosed-tag` or `missing-page`.
    pub code: &'static str,
    pub message: String,
    /// The file, relative to the project root when there is one.
    pub file: String,
    pub position: Position,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            code,
            message: message.into(),
            file: String::new(),
            position: Position::default(),
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self { severity: Severity::Warning, ..Self::error(code, message) }
    }

    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = file.into();
        self
    }

    pub fn at(mut self, position: Position) -> Self {
        self.position = position;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// `file:line:col: error[code]: message`, the form editors and terminals link.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        let Position { line, col } = self.position;
        let file = if self.file.is_empty() { "<input>" } else { &self.file };
        if line == 0 {
            write!(f, "{file}: {severity}[{}]: {}", self.code, self.message)
        } else {
            write!(f, "{file}:{line}:{col}: {severity}[{}]: {}", self.code, self.message)
        }
    }
}

/// True when any diagnostic is an error.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(Diagnostic::is_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters() {
        let text = "ab\n中文x\n";
        assert_eq!(Position::of_offset(text, 0), Position::new(1, 1));
        assert_eq!(Position::of_offset(text, 3), Position::new(2, 1));
        // "中文" is 6 bytes but 2 characters.
        assert_eq!(Position::of_offset(text, 9), Position::new(2, 3));
        assert_eq!(Position::of_offset(text, 1000), Position::new(3, 1));
    }

    #[test]
    fn display_is_editor_clickable() {
        let d = Diagnostic::error("unclosed-tag", "expected `</text>`")
            .in_file("pages/index/index.wxml")
            .at(Position::new(3, 7));
        assert_eq!(d.to_string(), "pages/index/index.wxml:3:7: error[unclosed-tag]: expected `</text>`");
    }
}
