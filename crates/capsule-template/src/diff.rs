//! Diffs two rendered trees into patches, and applies patches.
//!
//! Siblings are matched by their `wx:key` when a keyed loop made them and by order otherwise.
//! Keyed siblings that stay in the longest increasing run keep their place; the others move,
//! so reversing or rotating a list costs the fewest moves. Patches apply in order, each index
//! meaning the list as the previous patches left it.

use std::collections::HashMap;
use std::sync::Arc;

use crate::tree::{Key, TreeElement, TreeNode};
use crate::value::Value;

/// Indices from the root list down to a node (or, for list operations, to the parent element;
/// empty for the root list).
pub type Path = Vec<usize>;

#[derive(Clone, Debug, PartialEq)]
pub enum Patch {
    Insert {
        parent: Path,
        index: usize,
        node: TreeNode,
    },
    Remove {
        parent: Path,
        index: usize,
    },
    /// Take child `from` out, then put it back at `to` (an index in the shortened list).
    Move {
        parent: Path,
        from: usize,
        to: usize,
    },
    Replace {
        path: Path,
        node: TreeNode,
    },
    SetAttr {
        path: Path,
        name: Arc<str>,
        value: Value,
    },
    RemoveAttr {
        path: Path,
        name: Arc<str>,
    },
    SetText {
        path: Path,
        text: String,
    },
}

impl Patch {
    /// The wire form views apply: `{"op": "insert" | "remove" | …, …}`, nodes in the
    /// conformance JSON form.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        let node = |n: &TreeNode| crate::tree::to_json(std::slice::from_ref(n))[0].clone();
        match self {
            Patch::Insert { parent, index, node: n } => {
                json!({ "op": "insert", "parent": parent, "index": index, "node": node(n) })
            }
            Patch::Remove { parent, index } => json!({ "op": "remove", "parent": parent, "index": index }),
            Patch::Move { parent, from, to } => {
                json!({ "op": "move", "parent": parent, "from": from, "to": to })
            }
            Patch::Replace { path, node: n } => json!({ "op": "replace", "path": path, "node": node(n) }),
            Patch::SetAttr { path, name, value } => {
                json!({ "op": "setAttr", "path": path, "name": &**name, "value": value.to_json() })
            }
            Patch::RemoveAttr { path, name } => json!({ "op": "removeAttr", "path": path, "name": &**name }),
            Patch::SetText { path, text } => json!({ "op": "setText", "path": path, "text": text }),
        }
    }
}

/// A patch that does not fit the tree it is applied to.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("patch {index} does not fit the tree: {reason}")]
pub struct PatchError {
    pub index: usize,
    pub reason: &'static str,
}

/// The patches that turn `old` into `new`.
pub fn diff(old: &[TreeNode], new: &[TreeNode]) -> Vec<Patch> {
    let mut patches = Vec::new();
    diff_children(&mut Vec::new(), old, new, &mut patches);
    patches
}

/// How a node is recognised among its siblings.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Identity<'a> {
    Keyed(&'a Key),
    /// The n-th unkeyed sibling.
    Unkeyed(usize),
}

fn identities(nodes: &[TreeNode]) -> Vec<Identity<'_>> {
    let mut unkeyed = 0;
    let found: Vec<Identity<'_>> = nodes
        .iter()
        .map(|node| match node {
            TreeNode::Element(TreeElement { key: Some(key), .. }) => Identity::Keyed(key),
            _ => {
                unkeyed += 1;
                Identity::Unkeyed(unkeyed - 1)
            }
        })
        .collect();
    let mut seen = std::collections::HashSet::with_capacity(found.len());
    if found.iter().all(|id| seen.insert(*id)) {
        found
    } else {
        // Duplicate keys (a data mistake) make identity meaningless: match by position.
        (0..nodes.len()).map(Identity::Unkeyed).collect()
    }
}

fn diff_children(path: &mut Path, old: &[TreeNode], new: &[TreeNode], patches: &mut Vec<Patch>) {
    let old_ids = identities(old);
    let new_ids = identities(new);
    if old_ids == new_ids {
        // The same siblings in the same order (the common case): compare them pairwise.
        for (i, (a, b)) in old.iter().zip(new).enumerate() {
            path.push(i);
            diff_node(path, a, b, patches);
            path.pop();
        }
        return;
    }
    let new_index: HashMap<Identity<'_>, usize> =
        new_ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();

    // Survivors, in their current order, named by the index they will have in `new`.
    let mut order: Vec<usize> = Vec::with_capacity(new.len());
    let mut source = vec![None; new.len()];
    for (i, id) in old_ids.iter().enumerate().rev() {
        match new_index.get(id) {
            Some(&target) => {
                order.push(target);
                source[target] = Some(i);
            }
            None => patches.push(Patch::Remove { parent: path.clone(), index: i }),
        }
    }
    order.reverse();

    let stable = longest_increasing(&order, new.len());
    for i in (0..new.len()).rev() {
        let anchor = if i + 1 < new.len() { position(&order, i + 1) } else { order.len() };
        if source[i].is_none() {
            patches.push(Patch::Insert { parent: path.clone(), index: anchor, node: new[i].clone() });
            order.insert(anchor, i);
        } else if !stable[i] {
            let from = position(&order, i);
            let to = if from < anchor { anchor - 1 } else { anchor };
            if from != to {
                patches.push(Patch::Move { parent: path.clone(), from, to });
                order.remove(from);
                order.insert(to, i);
            }
        }
    }

    for (i, node) in new.iter().enumerate() {
        if let Some(old_i) = source[i] {
            path.push(i);
            diff_node(path, &old[old_i], node, patches);
            path.pop();
        }
    }
}

fn position(order: &[usize], target: usize) -> usize {
    order.iter().position(|&i| i == target).unwrap_or(order.len())
}

/// Marks, by value, the members of one longest increasing subsequence of `values`
/// (distinct numbers below `size`).
fn longest_increasing(values: &[usize], size: usize) -> Vec<bool> {
    let mut keep = vec![false; size];
    // tails[k]: index into `values` of the smallest tail of an increasing run of length k+1.
    let mut tails: Vec<usize> = Vec::new();
    let mut previous: Vec<Option<usize>> = vec![None; values.len()];
    for (i, &v) in values.iter().enumerate() {
        let at = tails.partition_point(|&t| values[t] < v);
        previous[i] = at.checked_sub(1).map(|p| tails[p]);
        if at == tails.len() {
            tails.push(i);
        } else {
            tails[at] = i;
        }
    }
    let mut cursor = tails.last().copied();
    while let Some(i) = cursor {
        keep[values[i]] = true;
        cursor = previous[i];
    }
    keep
}

fn diff_node(path: &mut Path, old: &TreeNode, new: &TreeNode, patches: &mut Vec<Patch>) {
    match (old, new) {
        (TreeNode::Text(a), TreeNode::Text(b)) => {
            if a != b {
                patches.push(Patch::SetText { path: path.clone(), text: b.clone() });
            }
        }
        (TreeNode::Element(a), TreeNode::Element(b)) if a.tag == b.tag && a.key == b.key => {
            for (name, value) in &b.attrs {
                if a.attr(name) != Some(value) {
                    patches.push(Patch::SetAttr {
                        path: path.clone(),
                        name: name.clone(),
                        value: value.clone(),
                    });
                }
            }
            for (name, _) in &a.attrs {
                if b.attr(name).is_none() {
                    patches.push(Patch::RemoveAttr { path: path.clone(), name: name.clone() });
                }
            }
            diff_children(path, &a.children, &b.children, patches);
        }
        _ => patches.push(Patch::Replace { path: path.clone(), node: new.clone() }),
    }
}

/// Applies `patches` to `tree` in order.
pub fn apply(tree: &mut Vec<TreeNode>, patches: &[Patch]) -> Result<(), PatchError> {
    for (index, patch) in patches.iter().enumerate() {
        let fail = |reason| PatchError { index, reason };
        match patch {
            Patch::Insert { parent, index: at, node } => {
                let list = children_at(tree, parent).ok_or(fail("no such parent"))?;
                if *at > list.len() {
                    return Err(fail("insert index out of range"));
                }
                list.insert(*at, node.clone());
            }
            Patch::Remove { parent, index: at } => {
                let list = children_at(tree, parent).ok_or(fail("no such parent"))?;
                if *at >= list.len() {
                    return Err(fail("remove index out of range"));
                }
                list.remove(*at);
            }
            Patch::Move { parent, from, to } => {
                let list = children_at(tree, parent).ok_or(fail("no such parent"))?;
                if *from >= list.len() || *to >= list.len() {
                    return Err(fail("move index out of range"));
                }
                let node = list.remove(*from);
                list.insert(*to, node);
            }
            Patch::Replace { path, node } => *node_at(tree, path).ok_or(fail("no such node"))? = node.clone(),
            Patch::SetAttr { path, name, value } => {
                let element = element_at(tree, path).ok_or(fail("no such element"))?;
                match element.attrs.iter_mut().find(|(n, _)| n == name) {
                    Some((_, slot)) => *slot = value.clone(),
                    None => element.attrs.push((name.clone(), value.clone())),
                }
            }
            Patch::RemoveAttr { path, name } => {
                let element = element_at(tree, path).ok_or(fail("no such element"))?;
                element.attrs.retain(|(n, _)| n != name);
            }
            Patch::SetText { path, text } => match node_at(tree, path) {
                Some(TreeNode::Text(slot)) => slot.clone_from(text),
                _ => return Err(fail("no such text node")),
            },
        }
    }
    Ok(())
}

fn children_at<'t>(tree: &'t mut Vec<TreeNode>, path: &[usize]) -> Option<&'t mut Vec<TreeNode>> {
    let mut list = tree;
    for &i in path {
        match list.get_mut(i)? {
            TreeNode::Element(element) => list = &mut element.children,
            TreeNode::Text(_) => return None,
        }
    }
    Some(list)
}

fn node_at<'t>(tree: &'t mut Vec<TreeNode>, path: &[usize]) -> Option<&'t mut TreeNode> {
    let (last, parent) = path.split_last()?;
    children_at(tree, parent)?.get_mut(*last)
}

fn element_at<'t>(tree: &'t mut Vec<TreeNode>, path: &[usize]) -> Option<&'t mut TreeElement> {
    match node_at(tree, path)? {
        TreeNode::Element(element) => Some(element),
        TreeNode::Text(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keyed(key: &str) -> TreeNode {
        let mut element = TreeElement::new("view");
        element.key = Some(Key { loop_id: 1, value: key.into() });
        element.children.push(TreeNode::Text(key.to_string()));
        TreeNode::Element(element)
    }

    fn list(keys: &str) -> Vec<TreeNode> {
        keys.chars().map(|c| keyed(&c.to_string())).collect()
    }

    fn check(old: &str, new: &str) -> Vec<Patch> {
        let mut tree = list(old);
        let patches = diff(&tree, &list(new));
        apply(&mut tree, &patches).unwrap();
        assert_eq!(tree, list(new));
        patches
    }

    #[test]
    fn unchanged_trees_need_no_patches() {
        assert!(check("abcd", "abcd").is_empty());
    }

    #[test]
    fn moving_one_item_is_one_move() {
        assert_eq!(check("abcd", "bcda").len(), 1);
        assert_eq!(check("abcd", "dabc").len(), 1);
        assert_eq!(check("abcd", "acbd").len(), 1);
    }

    #[test]
    fn inserts_and_removes_by_key() {
        let patches = check("abc", "axc");
        assert_eq!(patches.len(), 2);
        assert!(matches!(patches[0], Patch::Remove { index: 1, .. }));
        assert!(matches!(patches[1], Patch::Insert { index: 1, .. }));
        check("abc", "");
        check("", "abc");
        check("abcdef", "fedcba");
    }

    #[test]
    fn attribute_and_text_changes() {
        let mut a = TreeElement::new("view");
        a.attrs.push(("class".into(), Value::string("x")));
        a.attrs.push(("id".into(), Value::string("y")));
        a.children.push(TreeNode::Text("one".into()));
        let mut b = TreeElement::new("view");
        b.attrs.push(("class".into(), Value::string("z")));
        b.children.push(TreeNode::Text("two".into()));
        let old = vec![TreeNode::Element(a)];
        let new = vec![TreeNode::Element(b)];
        let patches = diff(&old, &new);
        assert_eq!(patches.len(), 3);
        let mut tree = old;
        apply(&mut tree, &patches).unwrap();
        assert_eq!(tree, new);
    }
}
