//! A view tree (the conformance JSON form) as HTML: the first frame, sent with the response
//! that opens a mini-program. The browser client builds the same DOM from the same tree.

use serde_json::Value as Json;

/// The element name a tree tag gets in the page (`view` → `wx-view`).
pub fn element_name(tag: &str) -> String {
    let safe: String = tag
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c.to_ascii_lowercase() } else { '-' })
        .collect();
    format!("wx-{safe}")
}

/// An attribute value as the DOM carries it: strings as they are, everything else as JSON.
pub fn attribute_text(value: &Json) -> String {
    match value {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Whether `name` can be an HTML attribute (anything else is left out of the first frame
/// and reaches the client through the tree).
fn valid_attribute(name: &str) -> bool {
    !name.is_empty()
        && name.chars().all(|c| !c.is_whitespace() && !matches!(c, '"' | '\'' | '>' | '/' | '=' | '<'))
}

/// The DOM name of a tree attribute: the template compiler writes `aria-label` as `ariaLabel`,
/// and WeChat's `aria-role` is the element's ARIA role.
pub fn dom_attribute_name(name: &str) -> std::borrow::Cow<'_, str> {
    if name == "ariaRole" {
        return "role".into();
    }
    match name.strip_prefix("aria") {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_uppercase()) => {
            format!("aria-{}", rest.to_ascii_lowercase()).into()
        }
        _ => name.into(),
    }
}

pub fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
}

/// The HTML of a tree.
pub fn render(tree: &Json) -> String {
    let mut out = String::new();
    if let Some(nodes) = tree.as_array() {
        for node in nodes {
            render_node(node, &mut out);
        }
    }
    out
}

fn render_node(node: &Json, out: &mut String) {
    if let Some(text) = node.as_str() {
        escape(text, out);
        return;
    }
    let name = element_name(node["tag"].as_str().unwrap_or("view"));
    out.push('<');
    out.push_str(&name);
    if let Some(attrs) = node["attr"].as_object() {
        for (attr, value) in attrs {
            if !valid_attribute(attr) {
                continue;
            }
            out.push(' ');
            out.push_str(&dom_attribute_name(attr));
            out.push_str("=\"");
            escape(&attribute_text(value), out);
            out.push('"');
        }
    }
    out.push('>');
    if let Some(children) = node["children"].as_array() {
        for child in children {
            render_node(child, out);
        }
    }
    out.push_str("</");
    out.push_str(&name);
    out.push('>');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn trees_become_escaped_custom_elements() {
        let tree = json!([
            { "tag": "view", "attr": { "class": "a \"b\"", "data-n": 3 }, "children": ["x < y & z"] },
            { "tag": "product-card", "attr": { "ariaLabel": "Card", "ariaHidden": "true" }, "children": [] },
            { "tag": "view", "attr": { "ariaRole": "button" }, "children": [] }
        ]);
        assert_eq!(
            render(&tree),
            "<wx-view class=\"a &quot;b&quot;\" data-n=\"3\">x &lt; y &amp; z</wx-view>\
             <wx-product-card aria-label=\"Card\" aria-hidden=\"true\"></wx-product-card>\
             <wx-view role=\"button\"></wx-view>"
        );
    }
}
