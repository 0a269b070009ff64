//! The rendered tree: what the view layer draws, and its JSON form (`{"tree": [...]}`).

use std::sync::Arc;

use crate::value::Value;

#[derive(Clone, Debug, PartialEq)]
pub enum TreeNode {
    Text(String),
    Element(TreeElement),
}

#[derive(Clone, Debug, PartialEq)]
pub struct TreeElement {
    pub tag: Arc<str>,
    pub attrs: Vec<(Arc<str>, Value)>,
    pub children: Vec<TreeNode>,
    /// The `wx:key` identity of a node a keyed loop produced; never printed.
    pub key: Option<Key>,
}

/// A node's identity among its siblings for diffing: the loop that made it and its key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub loop_id: u32,
    pub value: Arc<str>,
}

impl TreeElement {
    pub fn new(tag: impl Into<Arc<str>>) -> Self {
        Self { tag: tag.into(), attrs: Vec::new(), children: Vec::new(), key: None }
    }

    pub fn attr(&self, name: &str) -> Option<&Value> {
        self.attrs.iter().find(|(n, _)| &**n == name).map(|(_, v)| v)
    }
}

/// Appends a text node, merging it into a preceding text node as WeChat's view does.
pub fn push_text(children: &mut Vec<TreeNode>, text: &str) {
    if text.is_empty() {
        return;
    }
    match children.last_mut() {
        Some(TreeNode::Text(last)) => last.push_str(text),
        _ => children.push(TreeNode::Text(text.to_string())),
    }
}

/// The conformance JSON form of a list of nodes.
pub fn to_json(nodes: &[TreeNode]) -> serde_json::Value {
    serde_json::Value::Array(nodes.iter().map(node_to_json).collect())
}

fn node_to_json(node: &TreeNode) -> serde_json::Value {
    match node {
        TreeNode::Text(text) => serde_json::Value::String(text.clone()),
        TreeNode::Element(element) => {
            let attr: serde_json::Map<String, serde_json::Value> = element
                .attrs
                .iter()
                .filter_map(|(name, value)| Some((name.to_string(), value.to_json()?)))
                .collect();
            serde_json::json!({
                "tag": &*element.tag,
                "attr": attr,
                "children": to_json(&element.children),
            })
        }
    }
}

/// Reads the conformance JSON form back into nodes (for tests and tools).
pub fn from_json(json: &serde_json::Value) -> Option<Vec<TreeNode>> {
    json.as_array()?.iter().map(node_from_json).collect()
}

fn node_from_json(json: &serde_json::Value) -> Option<TreeNode> {
    if let Some(text) = json.as_str() {
        return Some(TreeNode::Text(text.to_string()));
    }
    let object = json.as_object()?;
    let mut element = TreeElement::new(object.get("tag")?.as_str()?);
    for (name, value) in object.get("attr")?.as_object()? {
        element.attrs.push((name.as_str().into(), Value::from_json(value)));
    }
    element.children = from_json(object.get("children")?)?;
    Some(TreeNode::Element(element))
}
