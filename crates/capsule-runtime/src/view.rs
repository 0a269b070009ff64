//! The composed view of a page: every node knows which page or component owns it, and custom
//! component hosts hold their component's shadow content. Also CSS-like selectors over it.

use std::sync::Arc;

use capsule_style::Isolation;
use capsule_template::{Key, TreeElement, TreeNode, Value};

/// A page or component instance in a session.
pub type InstanceId = u32;

#[derive(Clone, Debug, PartialEq)]
pub enum VNode {
    Text(String),
    Element(VElement),
}

#[derive(Clone, Debug, PartialEq)]
pub struct VElement {
    pub tag: Arc<str>,
    pub attrs: Vec<(Arc<str>, Value)>,
    pub children: Vec<VNode>,
    pub key: Option<Key>,
    /// The page or component whose template produced this node (its handlers run there).
    pub owner: InstanceId,
    /// For a custom component's host node: the component instance.
    pub component: Option<InstanceId>,
    /// The class attribute as the view writes it, when it differs from `class`: a component's
    /// own classes carry its prefix (see `capsule-style`).
    pub view_class: Option<Arc<str>>,
    /// `hover-class` as the view writes it, scoped like `class` in a component (WeChat resolves
    /// a component's hover class against the component's own styles).
    pub view_hover_class: Option<Arc<str>>,
}

/// How a component's own nodes write their classes for the view.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassScope {
    pub prefix: Arc<str>,
    pub isolation: Isolation,
}

/// `class` as the view writes it for nodes of `scope` (a page's nodes: as written).
pub fn scope_classes(class: &str, scope: Option<&ClassScope>, out: &mut Vec<String>) {
    for token in class.split_ascii_whitespace() {
        match scope {
            Some(scope) => {
                out.push(capsule_style::scoped_class(&scope.prefix, token));
                if scope.isolation.receives_page_styles() {
                    out.push(token.to_string());
                }
            }
            None => out.push(token.to_string()),
        }
    }
}

impl VElement {
    pub fn attr(&self, name: &str) -> Option<&Value> {
        self.attrs.iter().find(|(n, _)| &**n == name).map(|(_, v)| v)
    }

    pub fn attr_text(&self, name: &str) -> String {
        self.attr(name).map(Value::to_js_string).unwrap_or_default()
    }

    pub fn id(&self) -> String {
        self.attr_text("id")
    }

    pub fn classes(&self) -> impl Iterator<Item = &str> {
        let class = match self.attr("class") {
            Some(Value::String(s)) => &**s,
            _ => "",
        };
        class.split_ascii_whitespace()
    }

    /// `data-*` attributes as WeChat's `dataset`: `data-item-id` → `itemId`, other capitals lowered.
    pub fn dataset(&self) -> serde_json::Value {
        let mut out = serde_json::Map::new();
        for (name, value) in &self.attrs {
            let Some(rest) = name.strip_prefix("data-") else { continue };
            let mut key = String::new();
            let mut upper = false;
            for ch in rest.chars() {
                if ch == '-' {
                    upper = true;
                } else if upper {
                    key.extend(ch.to_uppercase());
                    upper = false;
                } else {
                    key.extend(ch.to_lowercase());
                }
            }
            out.insert(key, value.to_json().unwrap_or(serde_json::Value::Null));
        }
        serde_json::Value::Object(out)
    }
}

/// The plain tree, with the attributes the templates gave (what automation shows).
pub fn to_tree(nodes: &[VNode]) -> Vec<TreeNode> {
    nodes.iter().map(|node| to_tree_node(node, None)).collect()
}

/// The tree the view draws: classes scoped per component (a host node also carries its
/// component's prefix, for `:host`), and rpx in inline styles turned into CSS.
/// `prefix_of` gives a component instance's class prefix.
pub fn to_view_tree(nodes: &[VNode], prefix_of: &dyn Fn(InstanceId) -> Option<Arc<str>>) -> Vec<TreeNode> {
    nodes.iter().map(|node| to_tree_node(node, Some(prefix_of))).collect()
}

fn to_tree_node(node: &VNode, view: Option<&dyn Fn(InstanceId) -> Option<Arc<str>>>) -> TreeNode {
    match node {
        VNode::Text(text) => TreeNode::Text(text.clone()),
        VNode::Element(element) => {
            let mut attrs = element.attrs.clone();
            if let Some(prefix_of) = view {
                view_attributes(element, &mut attrs, prefix_of);
            }
            TreeNode::Element(TreeElement {
                tag: element.tag.clone(),
                attrs,
                children: element.children.iter().map(|child| to_tree_node(child, view)).collect(),
                key: element.key.clone(),
            })
        }
    }
}

fn view_attributes(
    element: &VElement,
    attrs: &mut Vec<(Arc<str>, Value)>,
    prefix_of: &dyn Fn(InstanceId) -> Option<Arc<str>>,
) {
    let host = element.component.and_then(prefix_of);
    if element.view_class.is_some() || host.is_some() {
        let mut class =
            element.view_class.as_deref().map_or_else(|| element.attr_text("class"), str::to_string);
        if let Some(prefix) = host {
            if !class.is_empty() {
                class.push(' ');
            }
            class.push_str(&prefix);
        }
        let value = Value::string(class);
        match attrs.iter_mut().find(|(name, _)| &**name == "class") {
            Some((_, old)) => *old = value,
            None => attrs.push((Arc::from("class"), value)),
        }
    }
    if let Some(hover) = &element.view_hover_class
        && let Some((_, old)) = attrs.iter_mut().find(|(name, _)| &**name == "hoverClass")
    {
        *old = Value::String(hover.clone());
    }
    if let Some((_, Value::String(style))) = attrs.iter_mut().find(|(name, _)| &**name == "style")
        && let std::borrow::Cow::Owned(converted) = capsule_style::inline_rpx(style)
    {
        *style = Arc::from(converted);
    }
}

/// The element at `path` (child indices from the page's root list).
pub fn element_at<'a>(nodes: &'a [VNode], path: &[usize]) -> Option<&'a VElement> {
    let (first, rest) = path.split_first()?;
    let VNode::Element(element) = nodes.get(*first)? else { return None };
    if rest.is_empty() { Some(element) } else { element_at(&element.children, rest) }
}

/// The elements from the root down to `path`, inclusive.
pub fn chain_to<'a>(nodes: &'a [VNode], path: &[usize]) -> Option<Vec<&'a VElement>> {
    let mut chain = Vec::with_capacity(path.len());
    let mut level = nodes;
    for index in path {
        let VNode::Element(element) = level.get(*index)? else { return None };
        chain.push(element);
        level = &element.children;
    }
    Some(chain)
}

/// The path of the host node of component `id`, if it is in the tree.
pub fn host_path(nodes: &[VNode], id: InstanceId) -> Option<Vec<usize>> {
    fn walk(nodes: &[VNode], id: InstanceId, path: &mut Vec<usize>) -> bool {
        for (i, node) in nodes.iter().enumerate() {
            if let VNode::Element(element) = node {
                path.push(i);
                if element.component == Some(id) || walk(&element.children, id, path) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = Vec::new();
    walk(nodes, id, &mut path).then_some(path)
}

/// The text content of a node.
pub fn text_of(node: &VNode, out: &mut String) {
    match node {
        VNode::Text(text) => out.push_str(text),
        VNode::Element(element) => element.children.iter().for_each(|c| text_of(c, out)),
    }
}

// ---- selectors -------------------------------------------------------------------------

/// A parsed selector list: `view.card > text, #buy`.
#[derive(Clone, Debug, PartialEq)]
pub struct Selector {
    alternatives: Vec<Vec<(Combinator, Compound)>>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Combinator {
    Descendant,
    Child,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct Compound {
    tag: Option<String>,
    id: Option<String>,
    classes: Vec<String>,
    attrs: Vec<(String, Option<String>)>,
}

impl Selector {
    pub fn parse(text: &str) -> Result<Selector, String> {
        let mut alternatives = Vec::new();
        for part in text.split(',') {
            let mut steps = Vec::new();
            let mut combinator = Combinator::Descendant;
            let chars: Vec<char> = part.trim().chars().collect();
            if chars.is_empty() {
                return Err(format!("empty selector in \"{text}\""));
            }
            let mut i = 0;
            while i < chars.len() {
                let c = chars[i];
                if c.is_whitespace() {
                    i += 1;
                    continue;
                }
                if c == '>' {
                    combinator = Combinator::Child;
                    i += 1;
                    continue;
                }
                let mut compound = Compound::default();
                while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '>' {
                    match chars[i] {
                        '.' | '#' => {
                            let kind = chars[i];
                            let name = read_name(&chars, &mut i, 1);
                            if name.is_empty() {
                                return Err(format!("a name must follow '{kind}' in \"{text}\""));
                            }
                            if kind == '.' { compound.classes.push(name) } else { compound.id = Some(name) }
                        }
                        '[' => {
                            let close = chars[i..].iter().position(|&c| c == ']').map(|p| p + i);
                            let Some(close) = close else {
                                return Err(format!("unclosed '[' in \"{text}\""));
                            };
                            let inner: String = chars[i + 1..close].iter().collect();
                            let (name, value) = match inner.split_once('=') {
                                Some((n, v)) => (
                                    n.trim().to_string(),
                                    Some(v.trim().trim_matches(['"', '\'']).to_string()),
                                ),
                                None => (inner.trim().to_string(), None),
                            };
                            compound.attrs.push((name, value));
                            i = close + 1;
                        }
                        '*' => i += 1,
                        c if is_name_char(c) => compound.tag = Some(read_name(&chars, &mut i, 0)),
                        other => return Err(format!("unsupported '{other}' in selector \"{text}\"")),
                    }
                }
                steps.push((combinator, compound));
                combinator = Combinator::Descendant;
            }
            alternatives.push(steps);
        }
        Ok(Selector { alternatives })
    }

    /// Whether the last element of `chain` (root first) matches.
    pub fn matches(&self, chain: &[&VElement]) -> bool {
        self.alternatives.iter().any(|steps| matches_steps(steps, chain))
    }
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == '_'
}

fn read_name(chars: &[char], i: &mut usize, skip: usize) -> String {
    *i += skip;
    let start = *i;
    while *i < chars.len() && is_name_char(chars[*i]) {
        *i += 1;
    }
    chars[start..*i].iter().collect()
}

fn compound_matches(compound: &Compound, element: &VElement) -> bool {
    if compound.tag.as_deref().is_some_and(|tag| !tag.eq_ignore_ascii_case(&element.tag)) {
        return false;
    }
    if compound.id.as_deref().is_some_and(|id| id != element.id()) {
        return false;
    }
    if !compound.classes.iter().all(|c| element.classes().any(|have| have == c)) {
        return false;
    }
    compound.attrs.iter().all(|(name, value)| match (element.attr(name), value) {
        (Some(have), Some(want)) => &have.to_js_string() == want,
        (Some(_), None) => true,
        (None, _) => false,
    })
}

fn matches_steps(steps: &[(Combinator, Compound)], chain: &[&VElement]) -> bool {
    let Some(((combinator, last), rest)) = steps.split_last() else { return true };
    let Some((element, ancestors)) = chain.split_last() else { return false };
    if !compound_matches(last, element) {
        return false;
    }
    if rest.is_empty() {
        return true;
    }
    match combinator {
        Combinator::Child => matches_steps(rest, ancestors),
        Combinator::Descendant => (1..=ancestors.len()).rev().any(|n| matches_steps(rest, &ancestors[..n])),
    }
}

/// Paths of the elements under `nodes` matching `selector`, in document order. With `owner`,
/// only that instance's own nodes count and other components' shadow content is not entered.
pub fn select(nodes: &[VNode], selector: &Selector, owner: Option<InstanceId>, all: bool) -> Vec<Vec<usize>> {
    fn walk<'a>(
        nodes: &'a [VNode],
        selector: &Selector,
        owner: Option<InstanceId>,
        all: bool,
        chain: &mut Vec<&'a VElement>,
        path: &mut Vec<usize>,
        out: &mut Vec<Vec<usize>>,
    ) {
        for (i, node) in nodes.iter().enumerate() {
            if !all && !out.is_empty() {
                return;
            }
            let VNode::Element(element) = node else { continue };
            path.push(i);
            chain.push(element);
            let owned = owner.is_none_or(|o| element.owner == o);
            if owned && selector.matches(chain) {
                out.push(path.clone());
            }
            // Another component's shadow content is closed to this scope; slot content inside
            // it (owned by us) is still reachable.
            walk(&element.children, selector, owner, all, chain, path, out);
            chain.pop();
            path.pop();
        }
    }
    let mut out = Vec::new();
    walk(nodes, selector, owner, all, &mut Vec::new(), &mut Vec::new(), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(tag: &str, attrs: &[(&str, &str)], children: Vec<VNode>) -> VNode {
        VNode::Element(VElement {
            tag: tag.into(),
            attrs: attrs.iter().map(|(n, v)| (Arc::from(*n), Value::string(*v))).collect(),
            children,
            key: None,
            owner: 1,
            component: None,
            view_class: None,
            view_hover_class: None,
        })
    }

    #[test]
    fn selectors_match_tags_classes_ids_attributes_and_combinators() {
        let tree = vec![el(
            "view",
            &[("class", "list")],
            vec![
                el("view", &[("class", "item a"), ("id", "first")], vec![el("text", &[], vec![])]),
                el("view", &[("class", "item"), ("data-k", "2")], vec![]),
            ],
        )];
        let count = |s: &str| select(&tree, &Selector::parse(s).unwrap(), None, true).len();
        assert_eq!(count("view"), 3);
        assert_eq!(count(".item"), 2);
        assert_eq!(count(".item.a"), 1);
        assert_eq!(count("#first text"), 1);
        assert_eq!(count(".list > text"), 0);
        assert_eq!(count(".list > .item > text"), 1);
        assert_eq!(count("[data-k=2]"), 1);
        assert_eq!(count("[data-k]"), 1);
        assert_eq!(count("text, #first"), 2);
        assert!(Selector::parse("a ~ b").is_err());
    }

    #[test]
    fn dataset_names_follow_wechat() {
        let VNode::Element(e) = el("view", &[("data-item-id", "1"), ("data-fooBar", "2")], vec![]) else {
            unreachable!()
        };
        assert_eq!(e.dataset(), serde_json::json!({"itemId": "1", "foobar": "2"}));
    }
}
