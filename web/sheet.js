// The host's own modal sheets (log in, scan, post a video): a mask over `parent` holding one
// labelled dialog box.

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
