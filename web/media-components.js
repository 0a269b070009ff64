// Media: video (with WeChat's events) and rich-text (nodes as an array or an HTML string, only
// whitelisted tags and attributes kept, so mini-program content cannot run script in the host).

import { emit, flag, jsonAttribute, lower } from './form-components.js';
import { packageUrl } from './components.js';

// ---- video ---------------------------------------------------------------------------------

class WxVideo extends HTMLElement {
  static observedAttributes = lower(['src', 'controls', 'autoplay', 'loop', 'muted', 'poster', 'objectFit', 'initialTime', 'title', 'aria-label']);
  constructor() {
    super();
    this.attachShadow({ mode: 'open' }).innerHTML = `<style>
      :host { display: inline-block; width: 300px; height: 225px; background: #000; }
      video { width: 100%; height: 100%; display: block; }
      </style><video playsinline preload="metadata"></video>`;
    const video = this.shadowRoot.querySelector('video');
    this.video = video;
    video.addEventListener('play', () => emit(this, 'play', {}));
    video.addEventListener('pause', () => emit(this, 'pause', {}));
    video.addEventListener('ended', () => emit(this, 'ended', {}));
    video.addEventListener('waiting', () => emit(this, 'waiting', {}));
    video.addEventListener('error', () => emit(this, 'error', { errMsg: 'video load failed' }));
    video.addEventListener('timeupdate', () => emit(this, 'timeupdate', { currentTime: video.currentTime, duration: video.duration || 0 }));
    video.addEventListener('loadedmetadata', () => {
      const start = Number(this.getAttribute('initialTime'));
      if (start > 0) video.currentTime = start;
      emit(this, 'loadedmetadata', { width: video.videoWidth, height: video.videoHeight, duration: video.duration });
    });
    video.addEventListener('fullscreenchange', () => emit(this, 'fullscreenchange', { fullScreen: document.fullscreenElement === video, direction: 'vertical' }));
  }
  attributeChangedCallback(name) {
    const video = this.video;
    switch (name) {
      case 'src': case 'poster': this.showSources(); break;
      // controls default to shown, as in WeChat.
      case 'controls': video.controls = this.getAttribute('controls') !== 'false'; break;
      case 'autoplay': video.autoplay = flag(this, 'autoplay'); break;
      case 'loop': video.loop = flag(this, 'loop'); break;
      case 'muted': video.muted = flag(this, 'muted'); break;
      case 'objectfit': video.style.objectFit = this.getAttribute('objectFit') === 'fill' ? 'fill' : this.getAttribute('objectFit') === 'cover' ? 'cover' : 'contain'; break;
      default: video.setAttribute('aria-label', this.getAttribute('aria-label') || this.getAttribute('title') || 'Video');
    }
  }
  // Package paths resolve once the element is in a page.
  showSources() {
    const src = packageUrl(this, this.getAttribute('src'));
    if (src !== null && this.video.getAttribute('src') !== src) this.video.setAttribute('src', src);
    const poster = packageUrl(this, this.getAttribute('poster'));
    if (poster !== null && this.video.getAttribute('poster') !== poster) this.video.setAttribute('poster', poster);
  }
  connectedCallback() {
    this.showSources();
    this.video.controls = this.getAttribute('controls') !== 'false';
    if (!this.video.hasAttribute('aria-label')) this.video.setAttribute('aria-label', this.getAttribute('title') || 'Video');
  }
}

// ---- rich-text -----------------------------------------------------------------------------

/** Tags WeChat's rich-text renders, with the attributes each may keep besides class and style. */
const TAGS = {
  a: [], abbr: [], address: [], article: [], aside: [], b: [], bdi: [], bdo: ['dir'], big: [], blockquote: [],
  br: [], caption: [], center: [], cite: [], code: [], col: ['span', 'width'], colgroup: ['span', 'width'], dd: [],
  del: [], div: [], dl: [], dt: [], em: [], fieldset: [], font: [], footer: [], h1: [], h2: [], h3: [], h4: [],
  h5: [], h6: [], header: [], hr: [], i: [], img: ['alt', 'src', 'height', 'width'], ins: [], label: [], legend: [],
  li: [], mark: [], nav: [], ol: ['start', 'type'], p: [], pre: [], q: [], rt: [], ruby: [], s: [], section: [],
  small: [], span: [], strong: [], sub: [], sup: [], table: ['width'], tbody: [], td: ['colspan', 'height', 'rowspan', 'width'],
  tfoot: [], th: ['colspan', 'height', 'rowspan', 'width'], thead: [], tr: ['colspan', 'height', 'rowspan', 'width'],
  tt: [], u: [], ul: [],
};
/** Tags dropped with everything inside them; any other unknown tag keeps its children. */
const DROPPED = new Set(['script', 'style', 'iframe', 'object', 'embed', 'template', 'noscript', 'svg', 'math', 'link', 'meta', 'base', 'form', 'input', 'button', 'textarea', 'select', 'video', 'audio', 'frame', 'frameset']);
const SPACES = { ensp: '\u2002', emsp: '\u2003', nbsp: '\u00a0' };

/** http(s), inline images, or a path without a scheme; never javascript: and the like. */
function safeUrl(url) {
  const text = String(url).trim();
  if (/^(https?:|data:image\/(png|jpe?g|gif|webp);base64,)/i.test(text)) return true;
  return !/^[a-z][a-z0-9+.-]*:/i.test(text.replace(/[\s\u0000-\u001f]/g, ''));
}

function safeStyle(style) {
  // No script-bearing or resource-loading values: expression(), javascript: and url() are dropped.
  return String(style).replace(/[^;]*(expression\s*\(|javascript:|url\s*\(|behavior\s*:|-moz-binding)[^;]*;?/gi, '');
}

/** An HTML string as rich-text nodes (parsed inert: DOMParser runs no script). */
function nodesOfHtml(html) {
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, 'text/html');
  const convert = (node) => {
    if (node.nodeType === 3) return { type: 'text', text: node.data };
    if (node.nodeType !== 1) return null;
    const attrs = {};
    for (const { name, value } of node.attributes) attrs[name] = value;
    return { name: node.localName, attrs, children: [...node.childNodes].map(convert).filter(Boolean) };
  };
  return [...doc.body.childNodes].map(convert).filter(Boolean);
}

/** Builds only whitelisted nodes and attributes. */
export function buildRichText(nodes, space) {
  const fragment = document.createDocumentFragment();
  const text = (value) => {
    const s = String(value ?? '');
    return SPACES[space] ? s.replace(/ /g, SPACES[space]) : s;
  };
  const add = (parent, node) => {
    if (node === null || node === undefined) return;
    if (typeof node === 'string') { parent.appendChild(document.createTextNode(text(node))); return; }
    if (node.type === 'text') { parent.appendChild(document.createTextNode(text(node.text))); return; }
    const name = String(node.name || '').toLowerCase();
    if (DROPPED.has(name)) return;
    const allowed = TAGS[name];
    const children = Array.isArray(node.children) ? node.children : [];
    if (!allowed) { for (const child of children) add(parent, child); return; }
    const element = document.createElement(name);
    for (const [key, value] of Object.entries(node.attrs || {})) {
      const attr = key.toLowerCase();
      if (attr === 'class' || attr === 'id' || attr === 'title') element.setAttribute(attr, String(value));
      else if (attr === 'style') element.setAttribute('style', safeStyle(value));
      else if (allowed.includes(attr) && (attr !== 'src' || safeUrl(value))) element.setAttribute(attr, String(value));
    }
    for (const child of children) add(element, child);
    parent.appendChild(element);
  };
  for (const node of Array.isArray(nodes) ? nodes : [nodes]) add(fragment, node);
  return fragment;
}

class WxRichText extends HTMLElement {
  static observedAttributes = ['nodes', 'space'];
  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
  }
  connectedCallback() { this.render(); }
  attributeChangedCallback() { if (this.isConnected) this.render(); }
  render() {
    const raw = jsonAttribute(this, 'nodes', []);
    const nodes = typeof raw === 'string' ? nodesOfHtml(raw) : raw;
    // The page's styles apply to rich-text content (its class names), as in WeChat.
    const root = this.getRootNode();
    const pageStyles = [...(root.children || [])].filter((c) => c.localName === 'style').map((s) => s.cloneNode(true));
    const own = document.createElement('style');
    own.textContent = ':host { display: block; } img { max-width: 100%; }';
    this.shadowRoot.replaceChildren(...pageStyles, own, buildRichText(nodes, this.getAttribute('space')));
  }
}

export function defineMediaComponents(define) {
  define('wx-video', WxVideo);
  define('wx-rich-text', WxRichText);
}
