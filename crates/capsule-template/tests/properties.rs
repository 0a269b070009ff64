//! Property tests: the parser never panics, and patches always turn the old tree into the new.

use std::sync::Arc;

use capsule_template::diff::{apply, diff};
use capsule_template::{Key, Library, NoScripts, TreeElement, TreeNode, Value, render};
use proptest::prelude::*;

/// Fragments that make random input look like WXML often enough to reach deep parser paths.
const FRAGMENTS: &[&str] = &[
    "<",
    ">",
    "</",
    "/>",
    "<view",
    "<text",
    "</view>",
    "</text>",
    "<block",
    "<template",
    "name=\"t\"",
    "is=\"t\"",
    "<import src=\"x.wxml\"/>",
    "<include src=\"i.wxml\"/>",
    "<wxs module=\"m\">",
    "</wxs>",
    "wx:if=\"{{a}}\"",
    "wx:elif=\"{{b}}\"",
    "wx:else",
    "wx:for=\"{{list}}\"",
    "wx:key=\"*this\"",
    "tt:if=\"{{a}}\"",
    "{{",
    "}}",
    "{{a.b[0]}}",
    "{{a ? 'x' : \"y\"}}",
    "{{...o}}",
    "data=\"{{x: 1, y}}\"",
    "\"",
    "'",
    "=",
    " ",
    "\n",
    "\t",
    "<!--",
    "-->",
    "&lt;",
    "中文",
    "😀",
    "bindtap=\"go\"",
    "class=\"c {{d}}\"",
    "a-b=\"1\"",
    "+",
    "-",
    "*",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    "!",
    "&&",
    "||",
    "1e21",
    "0x",
    "\\",
];

fn wxml_like() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![prop::sample::select(FRAGMENTS).prop_map(String::from), any::<String>()],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

fn data() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<f64>().prop_map(Value::Number),
        "[a-z中]{0,4}".prop_map(Value::string),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| Value::Array(Arc::new(v))),
            prop::collection::vec(("[a-d]", inner), 0..4)
                .prop_map(|entries| Value::object(entries.into_iter().map(|(k, v)| (Arc::from(k), v)))),
        ]
    })
}

fn tree_node() -> impl Strategy<Value = TreeNode> {
    let leaf = prop_oneof![
        "[xyz]{1,2}".prop_map(TreeNode::Text),
        (prop::sample::select(&["view", "text"][..]), prop::option::of("[a-f]"))
            .prop_map(|(tag, key)| element(tag, key, Vec::new())),
    ];
    leaf.prop_recursive(3, 40, 6, |inner| {
        (
            prop::sample::select(&["view", "text", "button"][..]),
            prop::option::of("[a-f]"),
            prop::collection::vec(inner, 0..6),
            prop::option::of("[pq]"),
        )
            .prop_map(|(tag, key, children, class)| {
                let mut node = element(tag, key, children);
                if let (TreeNode::Element(e), Some(class)) = (&mut node, class) {
                    e.attrs.push(("class".into(), Value::string(class)));
                }
                node
            })
    })
}

fn element(tag: &str, key: Option<String>, children: Vec<TreeNode>) -> TreeNode {
    let mut element = TreeElement::new(tag);
    element.key = key.map(|k| Key { loop_id: 1, value: k.into() });
    element.children = merge_text(children);
    TreeNode::Element(element)
}

/// Rendered trees never hold two adjacent text nodes.
fn merge_text(nodes: Vec<TreeNode>) -> Vec<TreeNode> {
    let mut out: Vec<TreeNode> = Vec::new();
    for node in nodes {
        match (out.last_mut(), node) {
            (Some(TreeNode::Text(last)), TreeNode::Text(text)) => last.push_str(&text),
            (_, node) => out.push(node),
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn parsing_and_rendering_never_panic(source in wxml_like(), data in data()) {
        let (library, _) = Library::load("index.wxml", |path| (path == "index.wxml").then(|| source.clone()));
        let _ = render(&library, "index.wxml", &data, &mut NoScripts);
    }

    #[test]
    fn patches_turn_old_into_new(
        old in prop::collection::vec(tree_node(), 0..8),
        new in prop::collection::vec(tree_node(), 0..8),
    ) {
        let old = merge_text(old);
        let new = merge_text(new);
        let patches = diff(&old, &new);
        let mut tree = old.clone();
        apply(&mut tree, &patches).unwrap();
        prop_assert_eq!(&tree, &new);
        prop_assert!(diff(&new, &new).is_empty());
    }
}
