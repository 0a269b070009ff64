//! WXSS in, CSS and diagnostics out: rpx, tags, `page`, imports, scoping and isolation.

use std::collections::BTreeMap;

use capsule_style::{Isolation, Scope, StyleFiles, compile};

struct Files(BTreeMap<String, String>);

impl Files {
    fn of(files: &[(&str, &str)]) -> Self {
        Self(files.iter().map(|(p, t)| (p.to_string(), t.to_string())).collect())
    }
}

impl StyleFiles for Files {
    fn read(&self, path: &str) -> Option<String> {
        self.0.get(path).cloned()
    }
    fn resolve(&self, from: &str, target: &str) -> Option<String> {
        capsule_template::resolve(from, target)
    }
}

fn run(files: &[(&'static str, &'static str)], path: &str, scope: Scope<'_>) -> String {
    let files = Files::of(files);
    let (css, diagnostics) = compile(path, scope, &files);
    let mut out = css;
    for diagnostic in diagnostics {
        out.push_str(&format!("// {diagnostic}\n"));
    }
    out
}

const CARD: Scope<'static> =
    Scope::Component { prefix: "components-card-card", isolation: Isolation::Isolated };

#[test]
fn rpx_tags_and_page() {
    insta::assert_snapshot!(run(
        &[(
            "pages/index/index.wxss",
            "page { background: #f5f5f5; }\n\
             view.row > text { margin: 10rpx 20px; width: calc(100% - 30rpx); }\n\
             .box { height: -4.5RPX; border: 1rpx solid red; }\n\
             button::after { border: none; }\n",
        )],
        "pages/index/index.wxss",
        Scope::Page,
    ));
}

#[test]
fn imports_are_inlined_in_place_and_cycles_reported() {
    insta::assert_snapshot!(run(
        &[
            (
                "app.wxss",
                "@import \"styles/base.wxss\";\n@import '/styles/missing.wxss';\n.app { color: red; }\n"
            ),
            ("styles/base.wxss", "@import \"./colors.wxss\";\n.base { padding: 8rpx; }\n"),
            ("styles/colors.wxss", "@import \"base.wxss\";\n.primary { color: #07c160; }\n"),
        ],
        "app.wxss",
        Scope::Page,
    ));
}

#[test]
fn isolated_component_classes_are_prefixed() {
    insta::assert_snapshot!(run(
        &[(
            "components/card/card.wxss",
            ":host { display: block; }\n\
             :host(.wide) { width: 750rpx; }\n\
             .title, .title:not(.muted) .sub { font-weight: bold; }\n\
             view { color: red; }\n\
             #main { color: blue; }\n\
             [data-x] { color: green; }\n",
        )],
        "components/card/card.wxss",
        CARD,
    ));
}

#[test]
fn shared_component_keeps_classes_global() {
    insta::assert_snapshot!(run(
        &[("c/x.wxss", ":host { color: red; } .title { color: blue; }")],
        "c/x.wxss",
        Scope::Component { prefix: "c-x", isolation: Isolation::Shared },
    ));
}

#[test]
fn bad_rules_are_left_out_and_reported() {
    insta::assert_snapshot!(run(
        &[(
            "a.wxss",
            ".ok { color: red; }\n.bad { color: red; \n* { margin: 0 }\n}}} .after { color: blue }\n"
        )],
        "a.wxss",
        Scope::Page,
    ));
}

#[test]
fn missing_sheet() {
    insta::assert_snapshot!(run(&[], "nope.wxss", Scope::Page));
}

proptest::proptest! {
    /// Whatever the text, the compiler returns (CSS, diagnostics) and never panics.
    #[test]
    fn never_panics(text in "[ -~\\n]{0,200}", prefix in "[a-z]{1,4}") {
        let files = Files::of(&[("a.wxss", &text)]);
        for scope in [Scope::Page, Scope::Component { prefix: &prefix, isolation: Isolation::ApplyShared }] {
            let _ = compile("a.wxss", scope, &files);
        }
    }

    /// Selector-shaped text with rpx values: still never panics.
    #[test]
    fn selector_soup_never_panics(
        parts in proptest::collection::vec(
            proptest::sample::select(vec![
                ".a", " ", ">", "view", ":host", "(", ")", ":not(", "#i", "[x]", "*", "{", "}",
                "width:", "1rpx", ";", "@import 'a.wxss';", "page", ",", "::after", "calc(", "-2.5rpx",
            ]),
            0..40,
        )
    ) {
        let text: String = parts.concat();
        let files = Files::of(&[("a.wxss", &text)]);
        let _ = compile("a.wxss", Scope::Component { prefix: "p", isolation: Isolation::Isolated }, &files);
    }
}
