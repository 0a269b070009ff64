//! Compiling one stylesheet and its `@import`s: parse with lightningcss (recovering from bad
//! rules), rewrite selectors and rpx values, inline imports in place, print.

use std::sync::{Arc, RwLock};

use capsule_diagnostics::{Diagnostic, Position};
use lightningcss::properties::custom::{Function, Token, TokenList, TokenOrValue, Variable};
use lightningcss::rules::{CssRule, CssRuleList, Location};
use lightningcss::selector::{Component, Selector};
use lightningcss::stylesheet::{ParserOptions, PrinterOptions, StyleSheet};
use lightningcss::values::ident::{DashedIdent, DashedIdentReference, Ident};
use lightningcss::visit_types;
use lightningcss::visitor::{Visit, VisitTypes, Visitor};

use crate::{Isolation, RPX_PROPERTY};

/// Nested `@import`s deeper than this are refused (a chain this long is a mistake).
const MAX_IMPORT_DEPTH: usize = 16;

/// Where a sheet's selectors apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope<'a> {
    /// `app.wxss` and page sheets: classes as written.
    Page,
    /// A custom component's sheet.
    Component { prefix: &'a str, isolation: Isolation },
}

/// The files a sheet may import, as the package holds them.
pub trait StyleFiles {
    /// The text of a file, by package path.
    fn read(&self, path: &str) -> Option<String>;
    /// The package path that `@import "target"` in file `from` names.
    fn resolve(&self, from: &str, target: &str) -> Option<String>;
}

/// Compiles the sheet at `path` (read through `files`) for `scope`. Returns the CSS it could
/// make and diagnostics; a rule that does not parse is left out and reported.
pub fn compile(path: &str, scope: Scope<'_>, files: &dyn StyleFiles) -> (String, Vec<Diagnostic>) {
    let mut compiler = Compiler { scope, files, diagnostics: Vec::new(), stack: Vec::new() };
    let css = match files.read(path) {
        Some(text) => compiler.file(path, &text),
        None => {
            compiler.diagnostics.push(
                Diagnostic::error("missing-style", format!("stylesheet {path} does not exist")).in_file(path),
            );
            String::new()
        }
    };
    (css, compiler.diagnostics)
}

struct Compiler<'a> {
    scope: Scope<'a>,
    files: &'a dyn StyleFiles,
    diagnostics: Vec<Diagnostic>,
    /// The files being compiled, outermost first: an import of one of them is a cycle.
    stack: Vec<String>,
}

impl Compiler<'_> {
    fn file(&mut self, path: &str, text: &str) -> String {
        self.stack.push(path.to_string());
        let css = self.parse_and_print(path, text);
        self.stack.pop();
        css
    }

    fn parse_and_print(&mut self, path: &str, text: &str) -> String {
        let warnings = Arc::new(RwLock::new(Vec::new()));
        let options = ParserOptions {
            filename: path.to_string(),
            error_recovery: true,
            warnings: Some(warnings.clone()),
            ..ParserOptions::default()
        };
        let mut sheet = match StyleSheet::parse(text, options) {
            Ok(sheet) => sheet,
            Err(error) => {
                let position = error.loc.as_ref().map(|l| position(l.line, l.column)).unwrap_or_default();
                self.diagnostics.push(
                    Diagnostic::error("style-syntax", error.kind.to_string()).in_file(path).at(position),
                );
                return String::new();
            }
        };
        for warning in warnings.read().map(|w| w.clone()).unwrap_or_default() {
            let position = warning.loc.as_ref().map(|l| position(l.line, l.column)).unwrap_or_default();
            self.diagnostics.push(
                Diagnostic::warning("style-ignored", format!("ignored: {}", warning.kind))
                    .in_file(path)
                    .at(position),
            );
        }
        let mut rewriter = Rewriter {
            scope: self.scope,
            file: path,
            at: Location { source_index: 0, line: 0, column: 1 },
            diagnostics: Vec::new(),
        };
        // The rewriter never fails; its error type is uninhabited.
        let Ok(()) = sheet.visit(&mut rewriter);
        self.diagnostics.append(&mut rewriter.diagnostics);

        // Imports are inlined where they stand, as WeChat does; the rules between them are
        // printed as they come.
        let mut out = String::new();
        let mut pending = Vec::new();
        for rule in std::mem::take(&mut sheet.rules.0) {
            match rule {
                CssRule::Import(import) => {
                    out.push_str(&print(path, std::mem::take(&mut pending)));
                    let at = position(import.loc.line, import.loc.column);
                    out.push_str(&self.import(path, &import.url, at));
                }
                other => pending.push(other),
            }
        }
        out.push_str(&print(path, pending));
        out
    }

    fn import(&mut self, from: &str, target: &str, at: Position) -> String {
        let error = |code, message: String| Diagnostic::error(code, message).in_file(from).at(at);
        let Some(path) = self.files.resolve(from, target) else {
            self.diagnostics.push(error("missing-import", format!("@import \"{target}\" names no file")));
            return String::new();
        };
        if self.stack.contains(&path) {
            self.diagnostics
                .push(error("import-cycle", format!("@import \"{target}\" imports itself again")));
            return String::new();
        }
        if self.stack.len() >= MAX_IMPORT_DEPTH {
            let message = format!("@import \"{target}\" nests deeper than {MAX_IMPORT_DEPTH} files");
            self.diagnostics.push(error("import-depth", message));
            return String::new();
        }
        match self.files.read(&path) {
            Some(text) => self.file(&path, &text),
            None => {
                self.diagnostics
                    .push(error("missing-import", format!("@import \"{target}\": {path} does not exist")));
                String::new()
            }
        }
    }
}

fn print(path: &str, rules: Vec<CssRule<'_>>) -> String {
    if rules.is_empty() {
        return String::new();
    }
    let sheet = StyleSheet::new(vec![path.to_string()], CssRuleList(rules), ParserOptions::default());
    // Printing a parsed sheet without minification or targets cannot fail.
    sheet.to_css(PrinterOptions::default()).map(|r| r.code).unwrap_or_default()
}

/// lightningcss lines start at 0, columns at 1.
fn position(line: u32, column: u32) -> Position {
    Position::new(line + 1, column.max(1))
}

/// Rewrites selectors (tags, `page`, classes, `:host`) and rpx values in place.
struct Rewriter<'a> {
    scope: Scope<'a>,
    file: &'a str,
    /// The style rule being visited, for diagnostics.
    at: Location,
    diagnostics: Vec<Diagnostic>,
}

impl Rewriter<'_> {
    fn warn(&mut self, code: &'static str, message: String) {
        let diagnostic =
            Diagnostic::warning(code, message).in_file(self.file).at(position(self.at.line, self.at.column));
        if !self.diagnostics.contains(&diagnostic) {
            self.diagnostics.push(diagnostic);
        }
    }

    fn selector<'i>(&mut self, selector: &mut Selector<'i>) {
        for component in selector.iter_mut_raw_match_order() {
            self.component(component);
        }
    }

    fn component<'i>(&mut self, component: &mut Component<'i>) {
        let in_component = matches!(self.scope, Scope::Component { .. });
        match component {
            Component::LocalName(name) => {
                if in_component {
                    self.warn(
                        "component-tag-selector",
                        format!("tag selector `{}` in a component's styles: use a class", name.name.0),
                    );
                }
                // The view draws `<view>` as `<wx-view>` and the page's root as `<wx-page>`.
                let tag = format!("wx-{}", name.lower_name.0.to_ascii_lowercase());
                name.name = Ident(tag.clone().into());
                name.lower_name = Ident(tag.into());
            }
            Component::Class(class) => {
                if let Scope::Component { prefix, isolation } = self.scope
                    && isolation != Isolation::Shared
                {
                    *class = Ident(crate::scoped_class(prefix, &class.0).into());
                }
            }
            Component::ID(id) if in_component => {
                let message = format!("id selector `#{}` in a component's styles: use a class", id.0);
                self.warn("component-id-selector", message);
            }
            Component::AttributeInNoNamespaceExists { .. }
            | Component::AttributeInNoNamespace { .. }
            | Component::AttributeOther(_)
                if in_component =>
            {
                self.warn(
                    "component-attribute-selector",
                    "attribute selector in a component's styles: use a class".to_string(),
                );
            }
            Component::ExplicitUniversalType => {
                self.warn("universal-selector", "the universal selector `*` is not supported".to_string());
            }
            Component::Host(inner) => match self.scope {
                Scope::Component { prefix, .. } => {
                    let host = Component::Class(Ident(prefix.to_string().into()));
                    *component = match inner.take() {
                        None => host,
                        Some(mut inner) => {
                            self.selector(&mut inner);
                            let mut parts = vec![host];
                            parts.extend(inner.iter_raw_match_order().cloned());
                            Component::Is(vec![Selector::from(parts)].into_boxed_slice())
                        }
                    };
                }
                Scope::Page => {
                    self.warn("host-outside-component", "`:host` only means something in a component".into());
                }
            },
            Component::Negation(list)
            | Component::Where(list)
            | Component::Is(list)
            | Component::Has(list)
            | Component::Any(_, list) => list.iter_mut().for_each(|s| self.selector(s)),
            Component::Slotted(inner) => self.selector(inner),
            _ => {}
        }
    }
}

impl<'i> Visitor<'i> for Rewriter<'_> {
    type Error = std::convert::Infallible;

    fn visit_types(&self) -> VisitTypes {
        visit_types!(RULES | SELECTORS | TOKENS)
    }

    fn visit_rule(&mut self, rule: &mut CssRule<'i>) -> Result<(), Self::Error> {
        if let CssRule::Style(style) = rule {
            self.at = style.loc;
        }
        rule.visit_children(self)
    }

    fn visit_selector(&mut self, selector: &mut Selector<'i>) -> Result<(), Self::Error> {
        self.selector(selector);
        Ok(())
    }

    fn visit_token(&mut self, token: &mut TokenOrValue<'i>) -> Result<(), Self::Error> {
        if let TokenOrValue::Token(Token::Dimension { value, unit, .. }) = token
            && unit.eq_ignore_ascii_case("rpx")
        {
            *token = rpx(*value);
            return Ok(());
        }
        token.visit_children(self)
    }
}

/// `N rpx` as `calc(N * var(--capsule-rpx, 0.5px))`; the fallback is a 375 px wide view.
fn rpx<'i>(value: f32) -> TokenOrValue<'i> {
    let variable = Variable {
        name: DashedIdentReference { ident: DashedIdent(RPX_PROPERTY.into()), from: None },
        fallback: Some(TokenList(vec![TokenOrValue::Token(Token::Dimension {
            has_sign: false,
            value: 0.5,
            int_value: None,
            unit: "px".into(),
        })])),
    };
    TokenOrValue::Function(Function {
        name: Ident("calc".into()),
        arguments: TokenList(vec![
            TokenOrValue::Token(Token::Number { has_sign: value < 0.0, value, int_value: None }),
            TokenOrValue::Token(Token::WhiteSpace(" ".into())),
            TokenOrValue::Token(Token::Delim('*')),
            TokenOrValue::Token(Token::WhiteSpace(" ".into())),
            TokenOrValue::Var(variable),
        ]),
    })
}
