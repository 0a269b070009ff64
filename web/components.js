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
  defineFormControls();
}

// ---- form controls: they change on the person's input and tell the view with `wx-change` ----

function changed(element, detail, type = 'change') {
  element.dispatchEvent(new CustomEvent('wx-' + type, { bubbles: true, composed: true, detail }));
}

class Toggle extends HTMLElement {
  static observedAttributes = ['checked', 'disabled', 'color'];
  constructor(role) {
    super();
    this.kind = role;
    this.attachShadow({ mode: 'open' }).innerHTML = `<style>
      :host { display: inline-block; vertical-align: middle; cursor: pointer; }
      .box { display: inline-block; width: 20px; height: 20px; border: 1px solid #d1d1d1; border-radius: 3px; background: #fff; text-align: center; line-height: 20px; color: var(--on, #09bb07); }
      :host([role="radio"]) .box { border-radius: 50%; }
      .track { display: inline-block; position: relative; width: 52px; height: 32px; border-radius: 16px; background: #dfdfdf; transition: background .2s; }
      .track::after { content: ''; position: absolute; top: 2px; left: 2px; width: 28px; height: 28px; border-radius: 50%; background: #fff; box-shadow: 0 1px 3px rgba(0,0,0,.4); transition: left .2s; }
      :host([aria-checked="true"]) .track { background: var(--on, #04be02); }
      :host([aria-checked="true"]) .track::after { left: 22px; }
      </style><span part="control"></span><slot></slot>`;
    this.addEventListener('click', () => this.toggle());
    this.addEventListener('keydown', (e) => { if (e.key === ' ' || e.key === 'Enter') { e.preventDefault(); this.click(); } });
  }
  connectedCallback() {
    this.setAttribute('role', this.kind);
    if (!this.hasAttribute('tabindex')) this.tabIndex = 0;
    this.render();
  }
  attributeChangedCallback(name) {
    if (name === 'checked') this.checked = flag(this, 'checked');
    if (name === 'color') this.style.setProperty('--on', this.getAttribute('color'));
    this.render();
  }
  get checked() { return this._checked ?? flag(this, 'checked'); }
  set checked(value) { this._checked = Boolean(value); this.render(); }
  render() {
    if (!this.shadowRoot) return;
    this.setAttribute('aria-checked', String(this.checked));
    if (flag(this, 'disabled')) this.setAttribute('aria-disabled', 'true'); else this.removeAttribute('aria-disabled');
    const control = this.shadowRoot.querySelector('[part="control"]');
    if (this.kind === 'switch') control.className = 'track';
    else { control.className = 'box'; control.textContent = this.checked ? '✓' : ''; }
  }
}

class WxSwitch extends Toggle {
  constructor() { super('switch'); }
  toggle() {
    if (flag(this, 'disabled')) return;
    this.checked = !this.checked;
    changed(this, { value: this.checked });
  }
}

class WxCheckbox extends Toggle {
  constructor() { super('checkbox'); }
  toggle() {
    if (flag(this, 'disabled')) return;
    this.checked = !this.checked;
    const group = this.closest('wx-checkbox-group');
    if (group) {
      const value = [...group.querySelectorAll('wx-checkbox')].filter((c) => c.checked).map((c) => c.getAttribute('value') ?? '');
      changed(group, { value });
    }
  }
}

class WxRadio extends Toggle {
  constructor() { super('radio'); }
  toggle() {
    if (flag(this, 'disabled') || this.checked) return;
    const group = this.closest('wx-radio-group');
    if (group) for (const radio of group.querySelectorAll('wx-radio')) radio.checked = radio === this;
    else this.checked = true;
    if (group) changed(group, { value: this.getAttribute('value') ?? '' });
  }
}

class WxSlider extends HTMLElement {
  static observedAttributes = ['min', 'max', 'step', 'value', 'disabled', 'show-value', 'showValue', 'aria-label'];
  constructor() {
    super();
    this.attachShadow({ mode: 'open' }).innerHTML =
      '<style>:host{display:flex;align-items:center;gap:8px;margin:10px 18px}input{flex:1}</style><input type="range"><output></output>';
    this.range = this.shadowRoot.querySelector('input');
    this.output = this.shadowRoot.querySelector('output');
    this.range.addEventListener('input', () => { this.output.value = this.range.value; changed(this, { value: Number(this.range.value) }, 'changing'); });
    this.range.addEventListener('change', () => changed(this, { value: Number(this.range.value) }));
  }
  get value() { return Number(this.range.value); }
  attributeChangedCallback() {
    this.range.min = this.getAttribute('min') ?? '0';
    this.range.max = this.getAttribute('max') ?? '100';
    this.range.step = this.getAttribute('step') ?? '1';
    if (this.hasAttribute('value')) this.range.value = this.getAttribute('value');
    this.range.disabled = flag(this, 'disabled');
    this.range.setAttribute('aria-label', this.getAttribute('aria-label') || 'slider');
    this.output.hidden = !(flag(this, 'show-value') || flag(this, 'showValue'));
    this.output.value = this.range.value;
  }
}

class WxProgress extends HTMLElement {
  static observedAttributes = ['percent', 'show-info', 'showInfo', 'stroke-width', 'strokeWidth', 'activeColor', 'active-color', 'backgroundColor', 'background-color'];
  constructor() {
    super();
    this.attachShadow({ mode: 'open' }).innerHTML =
      '<style>:host{display:flex;align-items:center;gap:8px}.bar{flex:1;height:var(--h,6px);background:var(--bg,#ebebeb)}.fill{height:100%;background:var(--fg,#09bb07)}</style><div class="bar"><div class="fill"></div></div><span class="info"></span>';
  }
  connectedCallback() { this.setAttribute('role', 'progressbar'); }
  attributeChangedCallback() {
    const percent = Math.max(0, Math.min(100, Number(this.getAttribute('percent')) || 0));
    this.shadowRoot.querySelector('.fill').style.width = percent + '%';
    this.setAttribute('aria-valuenow', String(percent));
    const info = this.shadowRoot.querySelector('.info');
    info.textContent = flag(this, 'show-info') || flag(this, 'showInfo') ? percent + '%' : '';
    const stroke = this.getAttribute('stroke-width') || this.getAttribute('strokeWidth');
    if (stroke) this.style.setProperty('--h', stroke + 'px');
    const fg = this.getAttribute('active-color') || this.getAttribute('activeColor');
    if (fg) this.style.setProperty('--fg', fg);
    const bg = this.getAttribute('background-color') || this.getAttribute('backgroundColor');
    if (bg) this.style.setProperty('--bg', bg);
  }
}

export function defineFormControls() {
  const define = (name, cls) => { if (!customElements.get(name)) customElements.define(name, cls); };
  define('wx-switch', WxSwitch);
  define('wx-checkbox', WxCheckbox);
  define('wx-radio', WxRadio);
  define('wx-slider', WxSlider);
  define('wx-progress', WxProgress);
}
