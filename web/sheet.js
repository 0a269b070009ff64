// What the host's pages share: its own modal sheets (log in, scan, post a video, pay) as a mask
// over `parent` holding one labelled dialog box, app icons, and amounts in yuan.

/** Adds a mask to `parent` with a `tag` element (role dialog, named `label`) in it. */
export function modalDialog(parent, { tag = 'div', className, label }) {
  const mask = document.createElement('div');
  mask.className = 'mask';
  const box = document.createElement(tag);
  box.className = `modal ${className}`;
  box.setAttribute('role', 'dialog');
  box.setAttribute('aria-modal', 'true');
  box.setAttribute('aria-label', label);
  mask.appendChild(box);
  parent.appendChild(mask);
  return { mask, box };
}

/**
 * An app's icon for lists and menus: its picture when the icon is a link (an uploaded icon is
 * `/icons/….png`), else its emoji; hidden from assistive technology, as the app's name is beside it.
 */
export function appIcon(icon, className = 'app-icon') {
  const picture = /^(\/icons\/|https:\/\/)/.test(icon || '');
  const node = document.createElement(picture ? 'img' : 'span');
  node.className = className;
  node.setAttribute('aria-hidden', 'true');
  if (picture) {
    node.src = icon;
    node.alt = '';
  } else {
    node.textContent = icon || '▫';
  }
  return node;
}

/** "¥12.34" for 1234 fen. */
export function yuan(fen) {
  return `¥${(Number(fen) / 100).toFixed(2)}`;
}
