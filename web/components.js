// Built-in components as custom elements: text, button, navigator, image, icon and the hover
// state they share, with WeChat's default look. Their own parts live in their shadow roots, so
// the light DOM stays one-to-one with the view tree.

import { PRESS_SLOP, cssColor, cssLength, defineFormComponents, emit, flag } from './form-components.js';
import { defineLayoutComponents } from './layout-components.js';
import { defineMediaComponents } from './media-components.js';

/**
 * A selector for a boolean attribute that is on: present, and neither "false" nor empty. Only
 * `[name]` counts for specificity, as in WeChat's own `button[plain]`.
 */
const on = (name) => `[${name}]:where(:not([${name}="false"]):not([${name}=""]))`;

const BASE = `
  wx-view, wx-scroll-view, wx-swiper, wx-swiper-item, wx-form, wx-cover-view, wx-movable-area, wx-page,
  wx-block, wx-radio-group, wx-checkbox-group, wx-rich-text { display: block; }
  wx-label { display: block; cursor: pointer; }
  wx-picker-view { display: flex; }
  wx-text { display: inline; white-space: pre-line; user-select: none; -webkit-user-select: none; }
  wx-text${on('selectable')}, wx-text${on('userSelect')} { user-select: text; -webkit-user-select: text; }
  wx-navigator { display: block; cursor: pointer; }
  .navigator-hover { background-color: rgba(0, 0, 0, .1); opacity: .7; }
  wx-icon { display: inline-block; vertical-align: middle; line-height: 0; }
  wx-image { display: inline-block; width: 320px; height: 240px; overflow: hidden; }
  wx-button { display: block; position: relative; box-sizing: border-box; margin: 0 auto; padding: 0 14px;
    font-size: 18px; line-height: 2.55555556; text-align: center; text-decoration: none; border-radius: 5px;
    overflow: hidden; background-color: #f8f8f8; color: #000; cursor: pointer; user-select: none; }
  wx-button::after { content: ''; position: absolute; top: 0; left: 0; width: 200%; height: 200%; box-sizing: border-box;
    border: 1px solid rgba(0, 0, 0, .2); border-radius: 10px; transform: scale(.5); transform-origin: 0 0; pointer-events: none; }
  wx-button.button-hover { background-color: #dedede; color: rgba(0, 0, 0, .6); }
  wx-button[type="primary"] { background-color: #07c160; color: #fff; }
  wx-button[type="primary"].button-hover { background-color: #06ad56; color: rgba(255, 255, 255, .6); }
  wx-button[type="warn"] { background-color: #e64340; color: #fff; }
  wx-button[type="warn"].button-hover { background-color: #ce3c39; color: rgba(255, 255, 255, .6); }
  wx-button${on('plain')} { background-color: transparent; color: #353535; border: 1px solid #353535; }
  wx-button${on('plain')}::after { border-width: 0; }
  wx-button${on('plain')}.button-hover { background-color: rgba(0, 0, 0, .1); color: rgba(53, 53, 53, .6); border-color: rgba(53, 53, 53, .6); }
  wx-button${on('plain')}[type="primary"] { background-color: transparent; color: #07c160; border-color: #07c160; }
  wx-button${on('plain')}[type="primary"].button-hover { color: rgba(7, 193, 96, .6); border-color: rgba(7, 193, 96, .6); }
  wx-button${on('plain')}[type="warn"] { background-color: transparent; color: #e64340; border-color: #e64340; }
  wx-button${on('plain')}[type="warn"].button-hover { color: rgba(230, 67, 64, .6); border-color: rgba(230, 67, 64, .6); }
  wx-button[size="mini"] { display: inline-block; font-size: 13px; line-height: 2.3; padding: 0 1.34em; }
  wx-button${on('disabled')} { color: rgba(0, 0, 0, .3); background-color: #f7f7f7; pointer-events: none; }
  wx-button${on('disabled')}[type="primary"] { color: rgba(255, 255, 255, .6); background-color: #9ed99d; }
  wx-button${on('disabled')}[type="warn"] { color: rgba(255, 255, 255, .6); background-color: #ec8b89; }
  wx-button${on('disabled')}${on('plain')} { color: rgba(0, 0, 0, .2); border-color: rgba(0, 0, 0, .2); background-color: transparent; }
  wx-button${on('loading')}::before { content: ''; display: inline-block; width: .9em; height: .9em;
    margin-right: .4em; vertical-align: -.1em; border: 2px solid currentColor; border-right-color: transparent;
    border-radius: 50%; animation: wx-spin 1s linear infinite; }
  wx-button${on('loading')} { opacity: .7; pointer-events: none; }
  @keyframes wx-spin { to { transform: rotate(360deg); } }
  wx-input { display: block; height: 1.4rem; min-height: 1.4rem; overflow: hidden; }
  wx-textarea { display: block; width: 300px; height: 150px; }
  wx-picker, wx-swiper-item, wx-picker-view-column { display: block; }
  wx-movable-area { display: block; position: relative; width: 10px; height: 10px; }
  wx-movable-view { display: block; position: absolute; top: 0; left: 0; width: 10px; height: 10px; touch-action: none; }
  wx-cover-view { display: block; position: relative; overflow: hidden; z-index: 1; }
  wx-cover-image { display: inline-block; width: 320px; height: 240px; overflow: hidden; z-index: 1; }
  wx-scroll-view { overflow: hidden; }
  wx-scroll-view${on('scrollY')} { overflow-y: auto; }
  wx-scroll-view${on('scrollX')} { overflow-x: auto; white-space: nowrap; }
  wx-scroll-view${on('enableFlex')} { display: flex; }
  [hidden]:not([hidden="false"]) { display: none !important; }
`;

export const baseStyle = BASE;

// ---- text: decode, space, and line breaks ---------------------------------------------------

const ENTITIES = { nbsp: '\u00a0', lt: '<', gt: '>', amp: '&', apos: "'", quot: '"', ensp: '\u2002', emsp: '\u2003' };
const SPACES = { ensp: '\u2002', emsp: '\u2003', nbsp: '\u00a0' };

/** Text as a `text` element shows it: entities decoded (with `decode`), spaces kept (with `space`). */
export function shownText(text, { decode = false, space = null } = {}) {
  let out = text;
  if (SPACES[space]) out = out.replace(/ /g, SPACES[space]);
  // One pass, so `&amp;lt;` shows `&lt;` as WeChat's does.
  if (decode) out = out.replace(/&(nbsp|lt|gt|amp|apos|quot|ensp|emsp);/g, (_, name) => ENTITIES[name]);
  return out;
}

class WxText extends HTMLElement {
  static observedAttributes = ['decode', 'space'];
  connectedCallback() { this.render(); }
  disconnectedCallback() { this.watcher?.disconnect(); }
  attributeChangedCallback() { if (this.isConnected) this.render(); }
  get options() { return { decode: flag(this, 'decode'), space: this.getAttribute('space') }; }
  // Plain text stays in the light DOM. Decoded or spaced text is shown from the shadow root, so
  // the tree's text nodes keep the text the mini-program wrote (patches write to them).
  render() {
    const { decode, space } = this.options;
    if (!decode && !SPACES[space] && !this.shadowRoot) return;
    if (!this.shadowRoot) {
      this.attachShadow({ mode: 'open', slotAssignment: 'manual' });
      this.watcher = new MutationObserver(() => this.render());
    }
    this.watcher.observe(this, { childList: true, characterData: true, subtree: true });
    const shown = [...this.childNodes].map((node) => {
      if (node.nodeType === 3) return document.createTextNode(shownText(node.data, this.options));
      const slot = document.createElement('slot');
      slot.assign(node);
      return slot;
    });
    this.shadowRoot.replaceChildren(...shown);
  }
}

// ---- hover-class: the pressed look of view, button and navigator ----------------------------

// WeChat's defaults per component: [class, start ms, stay ms].
const HOVER_DEFAULTS = {
  'wx-view': ['none', 50, 400],
  'wx-button': ['button-hover', 20, 70],
  'wx-navigator': ['navigator-hover', 50, 600],
};

const numberAttribute = (element, name, fallback) => {
  const value = Number(element.getAttribute(name));
  return element.hasAttribute(name) && Number.isFinite(value) ? value : fallback;
};

/** What pressing `element` shows: its hover class and timing, or null. */
function hoverOf(element) {
  const defaults = HOVER_DEFAULTS[element.localName];
  if (!defaults) return null;
  const name = element.getAttribute('hoverClass') ?? defaults[0];
  if (!name || name === 'none' || flag(element, 'disabled') || flag(element, 'loading')) return null;
  return {
    // A component's hover class comes scoped, as its class does: maybe more than one name.
    element, names: name.split(/\s+/).filter(Boolean),
    start: numberAttribute(element, 'hoverStartTime', defaults[1]),
    stay: numberAttribute(element, 'hoverStayTime', defaults[2]),
  };
}

/** The pressed elements from the innermost out, up to one with hover-stop-propagation. */
function hoversOnPath(path) {
  const hovers = [];
  for (const node of path) {
    // Shadow roots of the components on the way are passed over; the page ends the path.
    if (node.nodeType !== 1) continue;
    if (node.localName === 'wx-page') break;
    const hover = hoverOf(node);
    if (hover) hovers.push(hover);
    if (flag(node, 'hoverStopPropagation')) break;
  }
  return hovers;
}

class Press {
  constructor(event) {
    this.x = event.clientX;
    this.y = event.clientY;
    this.hovers = hoversOnPath(event.composedPath());
    for (const hover of this.hovers) hover.timer = setTimeout(() => hover.element.classList.add(...hover.names), hover.start);
  }
  moved(event) { return Math.hypot(event.clientX - this.x, event.clientY - this.y) > PRESS_SLOP; }
  // A release keeps the look for the stay time; one before the start time shows nothing.
  release() {
    for (const hover of this.hovers) {
      clearTimeout(hover.timer);
      setTimeout(() => hover.element.classList.remove(...hover.names), hover.stay);
    }
  }
  cancel() {
    for (const hover of this.hovers) { clearTimeout(hover.timer); hover.element.classList.remove(...hover.names); }
  }
}

let hoverTracked = false;

function trackHover(target) {
  let press = null;
  target.addEventListener('pointerdown', (e) => { press?.cancel(); press = e.button === 0 ? new Press(e) : null; }, true);
  target.addEventListener('pointermove', (e) => { if (press?.moved(e)) { press.cancel(); press = null; } }, true);
  target.addEventListener('pointerup', () => { press?.release(); press = null; }, true);
  target.addEventListener('pointercancel', () => { press?.cancel(); press = null; }, true);
}

// ---- button ---------------------------------------------------------------------------------

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

// ---- navigator ------------------------------------------------------------------------------

/** Closes the mini-program as the capsule's close button does. */
function closeMiniProgram(node) {
  const container = node.getRootNode().host?.closest('.container');
  container?.querySelector('.capsule-menu .close')?.click();
}

// The container routes navigate, redirect, switchTab, reLaunch and navigateBack (with `delta`)
// for a tapped navigator; the ones aimed at the mini-program itself are handled here.
class WxNavigator extends HTMLElement {
  constructor() {
    super();
    this.addEventListener('click', () => {
      if (this.getAttribute('target') !== 'miniProgram') return;
      const openType = this.getAttribute('openType') || 'navigate';
      if (openType === 'exit') { closeMiniProgram(this); return; }
      // Opening another mini-program from this one is not offered by the host.
      emit(this, 'fail', { errMsg: `navigateToMiniProgram:fail not supported by this host` });
    });
    this.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); this.click(); } });
  }
  connectedCallback() {
    this.setAttribute('role', 'link');
    if (!this.hasAttribute('tabindex')) this.tabIndex = 0;
  }
}

// ---- image ------------------------------------------------------------------------------------

export const HAS_SCHEME = /^([a-z][a-z0-9+.-]*:|\/\/)/i;

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

const SCALE_MODES = { scaleToFill: 'fill', aspectFit: 'contain', aspectFill: 'cover', widthFix: 'fill', heightFix: 'fill' };
// Crop modes show the picture unscaled, the named part of it in view.
const CROP_MODES = new Set(['top', 'bottom', 'center', 'left', 'right', 'top left', 'top right', 'bottom left', 'bottom right']);

/** The object-fit and object-position of a mode (an unknown one is scaleToFill, as in WeChat). */
export function imageFit(mode) {
  if (CROP_MODES.has(mode)) return { fit: 'none', position: mode };
  return { fit: SCALE_MODES[mode] || 'fill', position: 'center' };
}

// WeChat's lazy-load starts a picture when it comes within three screens of the view.
const LAZY_MARGIN = '300% 300%';

class WxImage extends HTMLElement {
  static observedAttributes = ['src', 'mode', 'lazyload', 'alt', 'aria-label'];
  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = '<style>img{width:100%;height:100%;display:block}</style><style class="fix"></style><img alt="">';
    this.img = root.querySelector('img');
    this.fixStyle = root.querySelector('.fix');
    // A press on a picture is a tap or a swipe, never the browser's drag of the image.
    this.img.draggable = false;
    this.img.addEventListener('load', () => this.loaded());
    this.img.addEventListener('error', () => this.failed());
    this.resizes = new ResizeObserver(() => this.fitToPicture());
  }
  get mode() { return this.getAttribute('mode') || 'scaleToFill'; }
  get lazy() { return flag(this, 'lazyLoad'); }
  attributeChangedCallback(name) {
    const { fit, position } = imageFit(this.mode);
    this.img.style.objectFit = fit;
    this.img.style.objectPosition = position;
    this.img.alt = this.getAttribute('aria-label') || this.getAttribute('alt') || '';
    if (name === 'mode') this.fitToPicture();
    this.showSource();
  }
  connectedCallback() {
    this.resizes.observe(this);
    this.showSource();
  }
  disconnectedCallback() {
    this.resizes.disconnect();
    this.nearness?.disconnect();
    this.nearness = null;
  }
  showSource() {
    const src = packageUrl(this, this.getAttribute('src'));
    if (src === null || this.img.getAttribute('src') === src) return;
    if (this.lazy && !this.near) { this.waitUntilNear(); return; }
    if (src) this.img.setAttribute('src', src); else this.img.removeAttribute('src');
  }
  // The scroller the picture moves in: a scroll-view around it, or its page.
  scroller() {
    return this.closest('wx-scroll-view') || this.getRootNode().host || null;
  }
  waitUntilNear() {
    if (this.nearness || !this.isConnected) return;
    this.nearness = new IntersectionObserver((entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      this.near = true;
      this.nearness.disconnect();
      this.nearness = null;
      this.showSource();
    }, { root: this.scroller(), rootMargin: LAZY_MARGIN });
    this.nearness.observe(this);
  }
  // widthFix keeps the width and takes the picture's height for it; heightFix the other way.
  fitToPicture() {
    const { naturalWidth: w, naturalHeight: h } = this.img;
    let css = '';
    if (w && h && this.mode === 'widthFix') css = `:host { height: ${this.clientWidth * h / w}px !important; }`;
    if (w && h && this.mode === 'heightFix') css = `:host { width: ${this.clientHeight * w / h}px !important; }`;
    if (this.fixStyle.textContent !== css) this.fixStyle.textContent = css;
  }
  loaded() {
    this.fitToPicture();
    emit(this, 'load', { width: this.img.naturalWidth, height: this.img.naturalHeight });
  }
  failed() {
    if (!this.img.getAttribute('src')) return;
    emit(this, 'error', { errMsg: `GET ${this.getAttribute('src')} failed: the picture could not be loaded` });
  }
}

class WxCoverImage extends WxImage {}

// ---- icon -----------------------------------------------------------------------------------

// WeChat's icon types, drawn on a 24×24 grid: a filled disc with a white mark, or a bare mark.
const DISC = '<circle cx="12" cy="12" r="11" fill="currentColor"/>';
const WHITE = 'fill="none" stroke="#fff" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"';
const INK = 'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"';
const ICONS = {
  success: { color: '#07c160', label: 'Success', svg: `${DISC}<path d="M6.8 12.4l3.6 3.5 6.9-7.3" ${WHITE}/>` },
  success_no_circle: { color: '#07c160', label: 'Done', svg: `<path d="M3.5 12.5l5.5 5.5L20.5 6.5" ${INK} stroke-width="2.4"/>` },
  info: { color: '#10aeff', label: 'Information', svg: `${DISC}<path d="M12 10.5v7" ${WHITE}/><circle cx="12" cy="7" r="1.3" fill="#fff"/>` },
  warn: { color: '#f76260', label: 'Warning', svg: `${DISC}<path d="M12 6.5v7" ${WHITE}/><circle cx="12" cy="17" r="1.3" fill="#fff"/>` },
  waiting: { color: '#10aeff', label: 'Waiting', svg: `${DISC}<path d="M12 6.5V12l3.8 2.6" ${WHITE}/>` },
  cancel: { color: '#f43530', label: 'Cancel', svg: `${DISC}<path d="M8.2 8.2l7.6 7.6M15.8 8.2l-7.6 7.6" ${WHITE}/>` },
  download: { color: '#09bb07', label: 'Download', svg: `${DISC}<path d="M12 6.5v8.5M8.3 11.6l3.7 3.7 3.7-3.7M7.5 18h9" ${WHITE}/>` },
  search: { color: '#b2b2b2', label: 'Search', svg: `<circle cx="10.5" cy="10.5" r="6.5" ${INK}/><path d="M15.3 15.3l5.2 5.2" ${INK} stroke-width="2.4"/>` },
  clear: { color: '#b2b2b2', label: 'Clear', svg: `${DISC}<path d="M8.8 8.8l6.4 6.4M15.2 8.8l-6.4 6.4" ${WHITE}/>` },
  info_circle: { color: '#10aeff', label: 'Information', svg: `<circle cx="12" cy="12" r="10" ${INK} stroke-width="1.6"/><path d="M12 10.5v7" ${INK}/><circle cx="12" cy="7" r="1.3" fill="currentColor"/>` },
};

class WxIcon extends HTMLElement {
  static observedAttributes = ['type', 'size', 'color', 'aria-label', 'aria-hidden'];
  constructor() {
    super();
    this.attachShadow({ mode: 'open' }).innerHTML =
      '<style>svg{display:block;width:100%;height:100%}</style><style class="own"></style><svg viewBox="0 0 24 24" aria-hidden="true"></svg>';
    this.svg = this.shadowRoot.querySelector('svg');
    this.ownStyle = this.shadowRoot.querySelector('.own');
    this.addEventListener('keydown', (e) => {
      if (this.getAttribute('role') === 'button' && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); this.click(); }
    });
  }
  connectedCallback() { this.render(); }
  attributeChangedCallback(name, _, value) {
    // A label the page gave is kept; ours follows the type.
    if (name === 'aria-label') { if (value !== this.ownLabel) this.pageLabel = value; return; }
    this.render();
  }
  render() {
    const icon = ICONS[this.getAttribute('type')];
    const size = cssLength(this.getAttribute('size'), '23px');
    // In the shadow root, so the page's own style attribute on the icon stays its own.
    const color = cssColor(this.getAttribute('color')) || icon?.color || 'inherit';
    this.ownStyle.textContent = `:host { width: ${size}; height: ${size}; color: ${color}; }`;
    this.svg.innerHTML = icon?.svg || '';
    if (this.getAttribute('aria-hidden') === 'true') return;
    // An icon the page made a button (aria-role) is one for the keyboard too.
    if (!this.hasAttribute('role')) this.setAttribute('role', 'img');
    if (this.getAttribute('role') === 'button' && !this.hasAttribute('tabindex')) this.tabIndex = 0;
    if (!this.pageLabel) {
      this.ownLabel = icon?.label || this.getAttribute('type') || 'icon';
      this.setAttribute('aria-label', this.ownLabel);
    }
  }
}

// ---- all of them ------------------------------------------------------------------------------

export function defineComponents() {
  const define = (name, cls) => { if (!customElements.get(name)) customElements.define(name, cls); };
  define('wx-text', WxText);
  define('wx-button', WxButton);
  define('wx-navigator', WxNavigator);
  define('wx-image', WxImage);
  define('wx-cover-image', WxCoverImage);
  define('wx-icon', WxIcon);
  defineFormComponents(define);
  defineLayoutComponents(define);
  defineMediaComponents(define);
  if (!hoverTracked) { hoverTracked = true; trackHover(document); }
}

/** The `wx-*` events components dispatch; the container sends each to the session. */
export const VIEW_EVENTS = [
  'confirm', 'focus', 'blur', 'load', 'error', 'change', 'changing', 'linechange', 'columnchange', 'cancel',
  'submit', 'reset', 'scroll', 'scrolltoupper', 'scrolltolower', 'refresherpulling', 'refresherrefresh',
  'refresherrestore', 'refresherabort', 'transition', 'animationfinish', 'play', 'pause', 'ended', 'timeupdate',
  'waiting', 'loadedmetadata', 'fullscreenchange', 'activeend', 'fail', 'keyboardheightchange',
];
