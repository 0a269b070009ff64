// Built-in components as custom elements. Their own parts live in their shadow roots, so the
// light DOM stays one-to-one with the view tree.

const BASE = `
  wx-view, wx-scroll-view, wx-swiper, wx-swiper-item, wx-form, wx-cover-view, wx-movable-area, wx-page,
  wx-block, wx-picker-view, wx-radio-group, wx-checkbox-group, wx-label, wx-rich-text { display: block; }
  wx-text, wx-navigator, wx-icon { display: inline; }
  wx-navigator { display: block; cursor: pointer; }
  wx-image { display: inline-block; width: 320px; height: 240px; overflow: hidden; }
  wx-button { display: block; position: relative; margin: 8px auto; padding: 0 14px; line-height: 2.55; border-radius: 5px;
    background: #f2f2f2; color: #000; text-align: center; font-size: 18px; cursor: pointer; user-select: none; }
  wx-button[type="primary"] { background: #07c160; color: #fff; }
  wx-button[type="warn"] { background: #fa5151; color: #fff; }
  wx-button[size="mini"] { display: inline-block; font-size: 13px; line-height: 2.3; padding: 0 1.34em; margin: 0 4px; }
  wx-button[plain] { background: transparent; border: 1px solid currentColor; }
  wx-button[disabled]:not([disabled="false"]) { opacity: .6; pointer-events: none; }
  wx-input { display: block; height: 1.4rem; min-height: 1.4rem; }
  wx-scroll-view { overflow: hidden; }
  wx-scroll-view[scroll-y]:not([scroll-y="false"]), wx-scroll-view[scrollY]:not([scrollY="false"]) { overflow-y: auto; }
  wx-scroll-view[scroll-x]:not([scroll-x="false"]), wx-scroll-view[scrollX]:not([scrollX="false"]) { overflow-x: auto; white-space: nowrap; }
  [hidden]:not([hidden="false"]) { display: none !important; }
`;

export const baseStyle = BASE;

function flag(element, name) {
  const value = element.getAttribute(name);
  return value !== null && value !== 'false';
}

class WxButton extends HTMLElement {
  connectedCallback() {
    this.setAttribute('role', 'button');
    if (!this.hasAttribute('tabindex')) this.tabIndex = 0;
  }
}

class WxNavigator extends HTMLElement {
  connectedCallback() {
    this.setAttribute('role', 'link');
    if (!this.hasAttribute('tabindex')) this.tabIndex = 0;
  }
}

const IMAGE_MODES = {
  scaleToFill: 'fill', aspectFit: 'contain', aspectFill: 'cover', widthFix: 'fill', heightFix: 'fill',
};

class WxImage extends HTMLElement {
  static observedAttributes = ['src', 'mode', 'lazy-load', 'lazyLoad', 'alt', 'aria-label'];
  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = '<style>img{width:100%;height:100%;display:block}</style><img alt="">';
    this.img = root.querySelector('img');
    this.img.addEventListener('load', () => this.loaded());
    this.img.addEventListener('error', () => this.dispatchEvent(new CustomEvent('wx-error', { bubbles: true, composed: true, detail: { errMsg: 'image load failed' } })));
  }
  attributeChangedCallback() {
    const mode = this.getAttribute('mode') || 'scaleToFill';
    this.img.style.objectFit = IMAGE_MODES[mode] || 'none';
    if (flag(this, 'lazy-load') || flag(this, 'lazyLoad')) this.img.loading = 'lazy';
    this.img.alt = this.getAttribute('aria-label') || this.getAttribute('alt') || '';
    const src = this.getAttribute('src') || '';
    if (this.img.getAttribute('src') !== src) this.img.setAttribute('src', src);
  }
  loaded() {
    const mode = this.getAttribute('mode') || 'scaleToFill';
    const { naturalWidth: w, naturalHeight: h } = this.img;
    if (mode === 'widthFix' && w) this.style.height = (this.clientWidth * h / w) + 'px';
    if (mode === 'heightFix' && h) this.style.width = (this.clientHeight * w / h) + 'px';
    this.dispatchEvent(new CustomEvent('wx-load', { bubbles: true, composed: true, detail: { width: w, height: h } }));
  }
}

class WxInput extends HTMLElement {
  static observedAttributes = ['value', 'placeholder', 'password', 'type', 'maxlength', 'disabled', 'focus', 'aria-label'];
  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = '<style>input{all:unset;width:100%;height:100%;font:inherit;color:inherit}</style><input>';
    this.input = root.querySelector('input');
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.emit('confirm', { value: this.input.value });
    });
    // Values the person typed since focusing: their echoes from the session must not move
    // the cursor or undo later keystrokes.
    this.typed = new Set();
    this.input.addEventListener('input', () => this.typed.add(this.input.value));
    this.input.addEventListener('focus', () => this.emit('focus', { value: this.input.value }));
    this.input.addEventListener('blur', () => { this.typed.clear(); this.emit('blur', { value: this.input.value }); });
  }
  emit(type, detail) {
    this.dispatchEvent(new CustomEvent('wx-' + type, { bubbles: true, composed: true, detail }));
  }
  get value() { return this.input.value; }
  attributeChangedCallback(name) {
    const input = this.input;
    if (name === 'value') {
      // Only when it differs: rewriting an equal value would move the cursor while typing.
      const value = this.getAttribute('value') || '';
      if (input.value !== value && !this.typed.has(value)) input.value = value;
    } else if (name === 'placeholder' || name === 'aria-label') {
      input.placeholder = this.getAttribute('placeholder') || '';
      input.setAttribute('aria-label', this.getAttribute('aria-label') || this.getAttribute('placeholder') || 'input');
    } else if (name === 'password' || name === 'type') {
      const type = this.getAttribute('type');
      input.type = flag(this, 'password') ? 'password' : (type === 'number' || type === 'digit' ? 'text' : 'text');
      input.inputMode = type === 'number' ? 'numeric' : type === 'digit' ? 'decimal' : 'text';
    } else if (name === 'maxlength') {
      const max = Number(this.getAttribute('maxlength'));
      if (max > 0) input.maxLength = max; else input.removeAttribute('maxlength');
    } else if (name === 'disabled') {
      input.disabled = flag(this, 'disabled');
    } else if (name === 'focus' && flag(this, 'focus')) {
      queueMicrotask(() => input.focus());
    }
  }
}

class WxIcon extends HTMLElement {
  static observedAttributes = ['type', 'size', 'color'];
  connectedCallback() { this.setAttribute('role', 'img'); }
  attributeChangedCallback() {
    const glyphs = { success: '✔', success_no_circle: '✓', info: 'ℹ', warn: '⚠', waiting: '◷', cancel: '✕', download: '⬇', search: '⌕', clear: '⌫' };
    const type = this.getAttribute('type') || '';
    this.setAttribute('aria-label', type);
    this.textContent = '';
    this.style.fontSize = (Number(this.getAttribute('size')) || 23) + 'px';
    this.style.color = this.getAttribute('color') || '';
    this.dataset.glyph = glyphs[type] || '';
    if (!this.shadowRoot) this.attachShadow({ mode: 'open' });
    this.shadowRoot.textContent = glyphs[type] || '';
  }
}

export function defineComponents() {
  const define = (name, cls) => { if (!customElements.get(name)) customElements.define(name, cls); };
  define('wx-button', WxButton);
  define('wx-navigator', WxNavigator);
  define('wx-image', WxImage);
  define('wx-input', WxInput);
  define('wx-icon', WxIcon);
}
