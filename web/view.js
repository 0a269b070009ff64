// The view: builds a page's DOM from a view tree, applies patches to it, and maps DOM nodes
// back to tree paths. One tree node is exactly one DOM node, so paths are child indexes.

export function elementName(tag) {
  return 'wx-' + String(tag).toLowerCase().replace(/[^a-z0-9-]/g, '-');
}

export function attributeText(value) {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function validAttribute(name) {
  return name.length > 0 && !/[\s"'>\/=<]/.test(name);
}

/**
 * The DOM name of a tree attribute: the template compiler writes `aria-label` as `ariaLabel`,
 * and WeChat's `aria-role` is the element's ARIA role.
 */
export function domAttributeName(name) {
  if (name === 'ariaRole') return 'role';
  return /^aria[A-Z]/.test(name) ? 'aria-' + name.slice(4).toLowerCase() : name;
}

export function setAttribute(element, name, value) {
  if (!validAttribute(name)) return;
  if (value === null || value === undefined) element.removeAttribute(domAttributeName(name));
  else element.setAttribute(domAttributeName(name), attributeText(value));
}

export function build(node) {
  if (typeof node === 'string') return document.createTextNode(node);
  const element = document.createElement(elementName(node.tag));
  for (const [name, value] of Object.entries(node.attr || {})) setAttribute(element, name, value);
  for (const child of node.children || []) element.appendChild(build(child));
  return element;
}

export function buildAll(tree, root) {
  root.replaceChildren(...tree.map(build));
}

/** How many nodes a tree has, and how many a DOM subtree has (to check a first frame). */
export function countTree(tree) {
  return tree.reduce((n, node) => n + 1 + (typeof node === 'string' ? 0 : countTree(node.children || [])), 0);
}
export function countDom(root) {
  let n = 0;
  for (const child of root.childNodes) n += 1 + (child.nodeType === 1 ? countDom(child) : 0);
  return n;
}

function childrenAt(root, path) {
  let node = root;
  for (const i of path) node = node.childNodes[i];
  return node;
}

export function nodeAt(root, path) {
  return childrenAt(root, path);
}

export function applyPatches(root, patches) {
  for (const patch of patches) {
    switch (patch.op) {
      case 'insert': {
        const parent = childrenAt(root, patch.parent);
        parent.insertBefore(build(patch.node), parent.childNodes[patch.index] || null);
        break;
      }
      case 'remove': {
        const parent = childrenAt(root, patch.parent);
        parent.removeChild(parent.childNodes[patch.index]);
        break;
      }
      case 'move': {
        const parent = childrenAt(root, patch.parent);
        const node = parent.childNodes[patch.from];
        parent.removeChild(node);
        parent.insertBefore(node, parent.childNodes[patch.to] || null);
        break;
      }
      case 'replace': {
        const old = nodeAt(root, patch.path);
        old.parentNode.replaceChild(build(patch.node), old);
        break;
      }
      case 'setAttr':
        setAttribute(nodeAt(root, patch.path), patch.name, patch.value);
        break;
      case 'removeAttr':
        nodeAt(root, patch.path).removeAttribute(domAttributeName(patch.name));
        break;
      case 'setText':
        nodeAt(root, patch.path).data = patch.text;
        break;
    }
  }
}

/** The tree path of `node` under `root`, or null when it is not in that tree. */
export function pathOf(node, root) {
  const path = [];
  while (node && node !== root) {
    const parent = node.parentNode;
    if (!parent) return null;
    path.unshift(Array.prototype.indexOf.call(parent.childNodes, node));
    node = parent;
  }
  return node === root ? path : null;
}

/** The dataset of a view element (`data-*` attributes), as WeChat names it. */
export function datasetOf(element) {
  const out = {};
  for (const { name, value } of element.attributes || []) {
    if (name.startsWith('data-')) out[name.slice(5).replace(/-([a-z])/g, (_, c) => c.toUpperCase())] = value;
  }
  return out;
}
