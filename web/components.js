import { defineFormComponents, flag } from './form-components.js';
import { defineLayoutComponents } from './layout-components.js';
import { defineMediaComponents } from './media-components.js';

// Built-in components as custom elements. Their own parts live in their shadow roots, so the
// light DOM stays one-to-one with the view tree.

const BASE = `
  wx-view, wx-scroll-view, wx-swiper, wx-swiper-item, wx-form, wx-cover-view, wx-movable-area, wx-page,
  wx-block, wx-radio-group, wx-checkbox-group, wx-label, wx-rich-text { display: block; }
  wx-picker-view { display: flex; }
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
  wx-button[loading]:not([loading="false"])::before { content: ''; display: inline-block; width: .9em; height: .9em;
    margin-right: .4em; vertical-align: -.1em; border: 2px solid currentColor; border-right-color: transparent;
    border-radius: 50%; animation: wx-spin 1s linear infinite; }
  wx-button[loading]:not([loading="false"]) { opacity: .7; pointer-events: none; }
  @keyframes wx-spin { to { transform: rotate(360deg); } }
  wx-textarea { display: block; width: 300px; height: 150px; }
  wx-picker, wx-swiper-item, wx-picker-view-column { display: block; }
  wx-movable-area { display: block; position: relative; width: 10px; height: 10px; }
  wx-movable-view { display: block; position: absolute; top: 0; left: 0; width: 10px; height: 10px; touch-action: none; }
  wx-cover-view { display: block; position: relative; overflow: hidden; z-index: 1; }
  wx-cover-image { display: inline-block; width: 320px; height: 240px; overflow: hidden; z-index: 1; }
  wx-scroll-view { overflow: hidden; }
  wx-scroll-view[scrollY]:not([scrollY="false"]) { overflow-y: auto; }
  wx-scroll-view[scrollX]:not([scrollX="false"]) { overflow-x: auto; white-space: nowrap; }
  wx-scroll-view[enableFlex]:not([enableFlex="false"]) { display: flex; }
  [hidden]:not([hidden="false"]) { display: none !important; }
`;

export const baseStyle = BASE;

class WxButton extends HTMLElement {
  static observedAttributes = ['loading', 'disabled'];
  constructor() {
    super();
    // A form button submits or resets its form (after the tap itself reaches the page).
    this.addEventListener('click', () => {
      if (this.inactive) return;
      const form = this.closest('wx-form');
      const type = this.getAttribute('formType');
      // Later, so the page hears the tap before the submit, as in WeChat.
      if (form && type === 'submit') setTimeout(() => form.submit());
      if (form && type === 'reset') setTimeout(() => form.reset());
    });
    this.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); this.click(); } });
  }
  get inactive() { return flag(this, 'disabled') || flag(this, 'loading'); }
  connectedCallback() {
    this.setAttribute('role', 'button');
    if (!this.hasAttribute('tabindex')) this.tabIndex = 0;
  }
  attributeChangedCallback() {
    if (flag(this, 'loading')) this.setAttribute('aria-busy', 'true'); else this.removeAttribute('aria-busy');
    if (flag(this, 'disabled')) this.setAttribute('aria-disabled', 'true'); else this.removeAttribute('aria-disabled');
  }
}

class WxNavigator extends HTMLElement {
  connectedCallback() {
    this.setAttribute('role', 'link');
    if (!this.hasAttribute('tabindex')) this.tabIndex = 0;
  }
}

const HAS_SCHEME = /^([a-z][a-z0-9+.-]*:|\/\/)/i;

// A src as the browser loads it. A package path (`/images/a.png`, or one relative to the page,
// `../../images/a.png`, as WeChat resolves it even inside a component) becomes the session's
// file route, which its page element names in `data-files`; a URL with a scheme stays as it is.
// Null while the element is in no page yet: it resolves again once connected.
export function packageUrl(node, src) {
  if (!src || HAS_SCHEME.test(src)) return src || '';
  const page = node.getRootNode().host;
  if (!page || page.dataset.files === undefined) return null;
  return packagePath(page.dataset.files, page.dataset.route || '', src);
}

/** `src` resolved against the page at `route`, under the package's file route `base`. */
export function packagePath(base, route, src) {
  if (HAS_SCHEME.test(src)) return src;
  return base + new URL(src, `https://package/${route}`).pathname.slice(1);
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
    // A press on a picture is a tap or a swipe, never the browser's drag of the image.
    this.img.draggable = false;
    this.img.addEventListener('load', () => this.loaded());
    this.img.addEventListener('error', () => this.dispatchEvent(new CustomEvent('wx-error', { bubbles: true, composed: true, detail: { errMsg: 'image load failed' } })));
  }
  attributeChangedCallback() {
    const mode = this.getAttribute('mode') || 'scaleToFill';
    this.img.style.objectFit = IMAGE_MODES[mode] || 'none';
    if (flag(this, 'lazy-load') || flag(this, 'lazyLoad')) this.img.loading = 'lazy';
    this.img.alt = this.getAttribute('aria-label') || this.getAttribute('alt') || '';
    this.showSource();
  }
  connectedCallback() { this.showSource(); }
  showSource() {
    const src = packageUrl(this, this.getAttribute('src'));
    if (src !== null && this.img.getAttribute('src') !== src) this.img.setAttribute('src', src);
  }
  loaded() {
    const mode = this.getAttribute('mode') || 'scaleToFill';
    const { naturalWidth: w, naturalHeight: h } = this.img;
    if (mode === 'widthFix' && w) this.style.height = (this.clientWidth * h / w) + 'px';
    if (mode === 'heightFix' && h) this.style.width = (this.clientHeight * w / h) + 'px';
    this.dispatchEvent(new CustomEvent('wx-load', { bubbles: true, composed: true, detail: { width: w, height: h } }));
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

class WxCoverImage extends WxImage {}

export function defineComponents() {
  const define = (name, cls) => { if (!customElements.get(name)) customElements.define(name, cls); };
  define('wx-button', WxButton);
  define('wx-navigator', WxNavigator);
  define('wx-image', WxImage);
  define('wx-cover-image', WxCoverImage);
  define('wx-icon', WxIcon);
  defineFormComponents(define);
  defineLayoutComponents(define);
  defineMediaComponents(define);
}

/** The `wx-*` events components dispatch; the container sends each to the session. */
export const VIEW_EVENTS = [
  'confirm', 'focus', 'blur', 'load', 'error', 'change', 'changing', 'linechange', 'columnchange', 'cancel',
  'submit', 'reset', 'scroll', 'scrolltoupper', 'scrolltolower', 'refresherpulling', 'refresherrefresh',
  'refresherrestore', 'refresherabort', 'transition', 'animationfinish', 'play', 'pause', 'ended', 'timeupdate',
  'waiting', 'loadedmetadata', 'fullscreenchange',
];

