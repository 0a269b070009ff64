//! WXSS/TTSS to the CSS the web view uses: rpx, `@import`, the `page` selector, built-in tags,
//! and component scoping with WeChat's isolation options.
//!
//! The view draws built-in components as `wx-*` elements and flattens custom components into
//! their page, so scoping works on class names, as WeChat's own web view does: in a component's
//! sheet `.title` becomes `.PREFIX--title` and the runtime gives the component's nodes the same
//! prefixed classes (see `capsule-runtime`'s view tree). `:host` becomes `.PREFIX`, a class the
//! component's host node carries.
//!
//! Like every compiler in Capsule, [`compile`] never fails: it returns the CSS it could make and
//! diagnostics with file:line:col positions.

mod compile;

pub use compile::{Scope, StyleFiles, compile};

/// The CSS custom property holding one rpx in pixels; the view sets it from its width / 750.
pub const RPX_PROPERTY: &str = "--capsule-rpx";

/// rpx values in an inline `style` attribute (which templates build at run time) as the same
/// `calc()` a sheet gets. Text in quotes is left alone.
pub fn inline_rpx(style: &str) -> std::borrow::Cow<'_, str> {
    if !style.as_bytes().windows(3).any(|w| w.eq_ignore_ascii_case(b"rpx")) {
        return style.into();
    }
    let bytes = style.as_bytes();
    let mut out = String::with_capacity(style.len() + 32);
    let mut copied = 0;
    let mut quote = None;
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        match quote {
            Some(q) if byte == q => quote = None,
            Some(_) => {}
            None if byte == b'"' || byte == b'\'' => quote = Some(byte),
            None if byte.is_ascii_digit()
                || (byte == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)) =>
            {
                let starts_word = i == 0 || !is_name_byte(bytes[i - 1]);
                let sign =
                    (i > 0 && matches!(bytes[i - 1], b'-' | b'+') && (i == 1 || !is_name_byte(bytes[i - 2])))
                        .then_some(i - 1);
                let mut end = i;
                while end < bytes.len() && (bytes[end].is_ascii_digit() || bytes[end] == b'.') {
                    end += 1;
                }
                let unit_end = end + 3;
                let is_rpx = bytes.get(end..unit_end).is_some_and(|u| u.eq_ignore_ascii_case(b"rpx"))
                    && !bytes.get(unit_end).is_some_and(|b| is_name_byte(*b));
                if is_rpx && (starts_word || sign.is_some()) {
                    let start = sign.unwrap_or(i);
                    out.push_str(&style[copied..start]);
                    out.push_str(&format!("calc({} * var({RPX_PROPERTY}, 0.5px))", &style[start..end]));
                    copied = unit_end;
                    i = unit_end;
                    continue;
                }
                i = end;
                continue;
            }
            None => {}
        }
        i += 1;
    }
    out.push_str(&style[copied..]);
    out.into()
}

fn is_name_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-' || byte >= 0x80
}

/// The class prefix of a component, from its path: `components/card/card` →
/// `components-card-card`. Only ASCII letters, digits, `-` and `_` survive, so the prefix is a
/// valid class name whatever the path holds.
pub fn component_prefix(path: &str) -> String {
    let mut prefix: String = path
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' })
        .collect();
    if prefix.starts_with(|c: char| c.is_ascii_digit() || c == '-') || prefix.is_empty() {
        prefix.insert(0, 'c');
    }
    prefix
}

/// A class of a component's own node, as the view writes it.
pub fn scoped_class(prefix: &str, class: &str) -> String {
    format!("{prefix}--{class}")
}

/// How a component's styles and the page's styles reach each other (WeChat's
/// `styleIsolation`, with `addGlobalClass: true` meaning `apply-shared`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Isolation {
    /// Neither reaches the other.
    #[default]
    Isolated,
    /// Page styles reach the component; its own styles stay inside.
    ApplyShared,
    /// Both ways: the component's styles also reach the page and other shared components.
    Shared,
}

impl Isolation {
    /// From `styleIsolation`'s value; unknown values are WeChat's default, `isolated`. The
    /// `page-*` forms (for pages built with `Component`) map to their plain counterparts.
    pub fn from_option(value: &str) -> Self {
        match value {
            "apply-shared" | "page-apply-shared" => Self::ApplyShared,
            "shared" | "page-shared" => Self::Shared,
            _ => Self::Isolated,
        }
    }

    /// Whether the component's nodes also carry their classes unprefixed, so page styles match.
    pub const fn receives_page_styles(self) -> bool {
        !matches!(self, Self::Isolated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_valid_class_names() {
        assert_eq!(component_prefix("components/card/card"), "components-card-card");
        assert_eq!(
            component_prefix("miniprogram_npm/@vant/weapp/button/index"),
            "miniprogram_npm--vant-weapp-button-index"
        );
        assert_eq!(component_prefix("1st/x"), "c1st-x");
        assert_eq!(component_prefix(""), "c");
        assert_eq!(scoped_class("card", "title"), "card--title");
    }

    #[test]
    fn inline_styles_get_rpx() {
        assert_eq!(inline_rpx("width: 100px"), "width: 100px");
        assert_eq!(
            inline_rpx("width:20rpx;margin: -1.5RPX 0 .5rpx"),
            "width:calc(20 * var(--capsule-rpx, 0.5px));margin: calc(-1.5 * var(--capsule-rpx, 0.5px)) 0 calc(.5 * var(--capsule-rpx, 0.5px))"
        );
        // Not a number before the unit, or part of a longer name, or quoted: untouched.
        assert_eq!(
            inline_rpx("font-family: 'x 2rpx'; a2rpx: b; width: 3rpxx"),
            "font-family: 'x 2rpx'; a2rpx: b; width: 3rpxx"
        );
        assert_eq!(inline_rpx("w:calc(100% - 10rpx)"), "w:calc(100% - calc(10 * var(--capsule-rpx, 0.5px)))");
    }

    #[test]
    fn isolation_options() {
        assert_eq!(Isolation::from_option("apply-shared"), Isolation::ApplyShared);
        assert_eq!(Isolation::from_option("shared"), Isolation::Shared);
        assert_eq!(Isolation::from_option("bogus"), Isolation::Isolated);
        assert!(!Isolation::Isolated.receives_page_styles());
        assert!(Isolation::Shared.receives_page_styles());
    }
}
