// Form controls as custom elements: text fields, switch, checkbox and radio with their groups,
// the label that toggles them, slider, progress, picker (selector, multiSelector, date, time,
// region), picker-view, and the form that collects their named values. Each tells the view what
// the person did with a `wx-*` event.
//
// Attribute names reach the DOM as the template compiler writes them (`range-key` → `rangeKey`)
// and HTML lowercases them, so observed lists are lowercase; getAttribute ignores case.

export function flag(element, name) {
  const value = element.getAttribute(name);
  // `attr="false"`, `attr="{{false}}"` and `attr=""` are off, as WeChat reads a Boolean property.
  return value !== null && value !== 'false' && value !== '';
}

export function emit(element, type, detail) {
  element.dispatchEvent(new CustomEvent('wx-' + type, { bubbles: true, composed: true, detail }));
}

/** An attribute that may hold JSON (arrays and objects arrive as JSON text). */
export function jsonAttribute(element, name, fallback) {
  const text = element.getAttribute(name);
  if (text === null) return fallback;
  try { return JSON.parse(text); } catch { return text; }
}

/** Whether the person asked for less motion: transitions and animations then jump to their end. */
export const reducedMotion = () => matchMedia('(prefers-reduced-motion: reduce)').matches;

/** How far (px) a finger may wander and still be a press (a tap, a long press, a hover). */
export const PRESS_SLOP = 10;

/** Attribute names as HTML stores them, for `observedAttributes`. */
export const lower = (names) => names.map((n) => n.toLowerCase());

/** A CSS length from a size attribute: a number or `Npx` in px, `Nrpx` in the page's rpx. */
export function cssLength(text, fallback) {
  const value = String(text ?? '').trim();
  const rpx = /^(\d+(?:\.\d+)?)rpx$/.exec(value);
  if (rpx) return `calc(${rpx[1]} * var(--capsule-rpx, 0.5px))`;
  const px = /^(\d+(?:\.\d+)?)(px)?$/.exec(value);
  return px ? `${px[1]}px` : fallback;
}

/** A colour the page named, when it is only a colour (it is written into a style sheet). */
export function cssColor(text) {
  const value = String(text ?? '').trim();
  return /^(#[0-9a-f]{3,8}|[a-z]+|(rgb|rgba|hsl|hsla)\([\d\s.,%]+\))$/i.test(value) ? value : '';
}

/** A `<style>` in `root` for the element's own look from its attributes (never its style attribute, which is the page's). */
function ownStyle(root) {
  const style = document.createElement('style');
  root.appendChild(style);
  return (css) => { if (style.textContent !== css) style.textContent = css; };
}

// ---- input and textarea -------------------------------------------------------------------

const FIELD_STYLE = `
  input, textarea { all: unset; display: block; width: 100%; height: 100%; font: inherit; color: inherit;
    white-space: pre-wrap; overflow-wrap: break-word; }
  textarea { overflow-y: auto; }`;

// What each keyboard type lets through, as WeChat's number, digit and ID-card keyboards do.
const KEEPS = { number: /[0-9]/, digit: /[0-9.]/, idcard: /[0-9xX]/ };

/** `value` with only what an input of `type` accepts (one decimal point for digit; ID cards in capitals). */
export function acceptedText(value, type) {
  const keeps = KEEPS[type];
  if (!keeps) return value;
  let out = [...value].filter((c) => keeps.test(c)).join('');
  if (type === 'digit') {
    const dot = out.indexOf('.');
    if (dot >= 0) out = out.slice(0, dot + 1) + out.slice(dot + 1).replace(/\./g, '');
  }
  return type === 'idcard' ? out.toUpperCase() : out;
}

const ENTER_KEY_HINTS = { send: 'send', search: 'search', next: 'next', go: 'go', done: 'done', return: 'enter' };
// Echoes of typing still on their way back, at most this many.
const PENDING_ECHOES = 64;

class TextField extends HTMLElement {
  static observedAttributes = lower(['value', 'placeholder', 'password', 'type', 'maxlength', 'disabled', 'focus', 'autoFocus', 'autoHeight', 'confirmType', 'aria-label']);
  constructor(tag) {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = `<style>${FIELD_STYLE}</style><${tag}></${tag}>`;
    this.field = root.querySelector(tag);
    this.setMaxLength();
    // Values sent to the page whose echoes have not come back yet: an echo must not move the
    // caret or undo later keystrokes, while any other value the page sets is shown.
    this.pending = [];
    this.field.addEventListener('beforeinput', (e) => this.refuse(e));
    // Before the container reads the value for the page's input event.
    this.field.addEventListener('input', (e) => this.typed(e));
    this.field.addEventListener('focus', () => emit(this, 'focus', { value: this.field.value, height: 0 }));
    this.field.addEventListener('blur', () => emit(this, 'blur', { value: this.field.value, cursor: this.field.selectionStart ?? this.field.value.length }));
    // Enter while an input method is composing picks its candidate; it is no confirm.
    this.field.addEventListener('keydown', (e) => { if (e.key === 'Enter' && !e.isComposing && this.confirms()) this.confirm(e); });
  }
  get value() { return this.field.value; }
  /** Where the caret is, for the page's input event. */
  get cursor() { return this.field.selectionStart ?? this.field.value.length; }
  get formValue() { return this.field.value; }
  get keyboard() { return this.field.localName === 'input' ? this.getAttribute('type') || 'text' : 'text'; }
  formReset() { this.pending = []; this.field.value = this.getAttribute('value') || ''; this.typing(); }
  typing() {}
  confirms() { return true; }
  // A key the keyboard type does not have is not typed at all (text with some such keys is
  // trimmed once it is in).
  refuse(e) {
    if (e.inputType === 'insertText' && e.data && acceptedText(e.data, this.keyboard) === '') e.preventDefault();
  }
  typed(e) {
    const field = this.field;
    const accepted = acceptedText(field.value, this.keyboard);
    if (accepted !== field.value) {
      // Pasted or filled text: keep what the keyboard type accepts, the caret after the same text.
      const caret = acceptedText(field.value.slice(0, field.selectionStart ?? field.value.length), this.keyboard).length;
      field.value = accepted;
      field.setSelectionRange(caret, caret);
      if (accepted === this.lastSent) { e.stopPropagation(); return; }
    }
    this.lastSent = field.value;
    this.pending.push(field.value);
    if (this.pending.length > PENDING_ECHOES) this.pending.shift();
    this.typing();
  }
  // Enter: bindconfirm with the value; the keyboard closes unless confirm-hold.
  confirm(e) {
    if (this.field.localName === 'textarea') e.preventDefault();
    emit(this, 'confirm', { value: this.field.value });
    if (!flag(this, 'confirmHold')) this.field.blur();
  }
  /** The page's value arrived: an echo of typing is answered; anything else is shown. */
  pageValue(value) {
    const field = this.field;
    const echo = this.pending.indexOf(value);
    if (echo >= 0) {
      this.pending.splice(0, echo + 1);
      // The person has typed on since: later echoes will follow.
      if (this.pending.length > 0 || field.value === value) return;
    } else {
      this.pending = [];
    }
    if (field.value === value) return;
    const focused = this.shadowRoot.activeElement === field;
    const caret = field.selectionStart ?? value.length;
    field.value = value;
    this.lastSent = value;
    if (focused) field.setSelectionRange(Math.min(caret, value.length), Math.min(caret, value.length));
    this.typing();
  }
  /**
   * An input handler returned new text for the field when it read `typed`: it replaces that,
   * unless the person has typed on since (their next input event gets its own answer).
   */
  replaceValue(value, typed) {
    if (this.field.value !== typed) return;
    this.pending = [];
    this.pageValue(value);
  }
  // WeChat's default maxlength is 140; -1 means no limit.
  setMaxLength() {
    const text = this.getAttribute('maxlength');
    const max = text === null ? 140 : Number(text);
    if (max >= 0) this.field.maxLength = max; else this.field.removeAttribute('maxlength');
  }
  attributeChangedCallback(name) {
    const field = this.field;
    if (name === 'value') {
      this.pageValue(this.getAttribute('value') || '');
    } else if (name === 'placeholder' || name === 'aria-label') {
      field.placeholder = this.getAttribute('placeholder') || '';
      field.setAttribute('aria-label', this.getAttribute('aria-label') || this.getAttribute('placeholder') || this.localName.slice(3));
    } else if (name === 'password' || name === 'type') {
      const type = this.keyboard;
      if (field.localName === 'input') field.type = flag(this, 'password') || type === 'safe-password' ? 'password' : 'text';
      field.inputMode = type === 'number' ? 'numeric' : type === 'digit' ? 'decimal' : 'text';
    } else if (name === 'maxlength') {
      this.setMaxLength();
    } else if (name === 'disabled') {
      field.disabled = flag(this, 'disabled');
    } else if (name === 'confirmtype') {
      field.enterKeyHint = ENTER_KEY_HINTS[this.getAttribute('confirmType')] || 'done';
    } else if (name === 'focus' || name === 'autofocus') {
      if (flag(this, name)) queueMicrotask(() => field.focus());
      else if (name === 'focus' && this.shadowRoot.activeElement === field) field.blur();
    } else if (name === 'autoheight') {
      this.typing();
    }
  }
}

class WxInput extends TextField {
  constructor() {
    super('input');
    this.field.enterKeyHint = 'done';
  }
}

class WxTextarea extends TextField {
  connectedCallback() { this.typing(); }
  constructor() {
    super('textarea');
    this.lines = 0;
    this.field.enterKeyHint = 'enter';
  }
  // confirm-type "return" (the default) makes Enter a new line; other types confirm.
  confirms() { return (this.getAttribute('confirmType') || 'return') !== 'return'; }
  // auto-height grows the box with its text; linechange reports a new line count.
  typing() {
    const field = this.field;
    if (!this.isConnected) return;
    const lineHeight = parseFloat(getComputedStyle(field).lineHeight) || 20;
    if (flag(this, 'autoHeight')) {
      field.style.height = '0';
      this.style.height = Math.max(field.scrollHeight, lineHeight) + 'px';
      field.style.height = '';
    }
    const lineCount = Math.max(1, Math.round(field.scrollHeight / lineHeight));
    if (lineCount !== this.lines) {
      const first = this.lines === 0;
      this.lines = lineCount;
      const width = this.closest('.pages')?.clientWidth || 375;
      if (!first) emit(this, 'linechange', { height: field.scrollHeight, heightRpx: Math.round(field.scrollHeight * 750 / width), lineCount });
    }
  }
}

// ---- switch, checkbox, radio, and the label that names and toggles them -------------------

// WeChat's default colours: checkbox and radio #09bb07, switch #04be02.
class Toggle extends HTMLElement {
  static observedAttributes = ['checked', 'disabled', 'color'];
  constructor(role) {
    super();
    this.kind = role;
    this.attachShadow({ mode: 'open' }).innerHTML = `<style>
      :host { display: inline-block; vertical-align: middle; cursor: pointer; }
      .box { display: inline-block; box-sizing: border-box; width: 22px; height: 22px; margin-right: 5px; vertical-align: middle;
        border: 1px solid #d1d1d1; border-radius: 3px; background: #fff; text-align: center; line-height: 20px; color: var(--on, #09bb07); }
      :host([role="radio"]) .box { border-radius: 50%; }
      :host([role="radio"][aria-checked="true"]) .box { background: var(--on, #09bb07); border-color: var(--on, #09bb07); color: #fff; }
      :host([aria-disabled="true"]) .box { background: #e1e1e1; }
      .track { display: inline-block; position: relative; width: 52px; height: 32px; border-radius: 16px; background: #dfdfdf; transition: background .2s; vertical-align: middle; }
      .track::after { content: ''; position: absolute; top: 2px; left: 2px; width: 28px; height: 28px; border-radius: 50%; background: #fff; box-shadow: 0 1px 3px rgba(0,0,0,.4); transition: left .2s; }
      :host([aria-checked="true"]) .track { background: var(--on, #04be02); }
      :host([aria-checked="true"]) .track::after { left: 22px; }
      :host([aria-disabled="true"]) { opacity: .6; cursor: default; }
      </style><span part="control" aria-hidden="true"></span><slot></slot>`;
    this.restyle = ownStyle(this.shadowRoot);
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
    if (name === 'color') this.restyle(cssColor(this.getAttribute('color')) ? `:host { --on: ${cssColor(this.getAttribute('color'))}; }` : '');
    this.render();
  }
  get checked() { return this._checked ?? flag(this, 'checked'); }
  set checked(value) { this._checked = Boolean(value); this.render(); }
  formReset() { this.checked = flag(this, 'checked'); }
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
  get formValue() { return this.checked; }
  toggle() {
    if (flag(this, 'disabled')) return;
    this.checked = !this.checked;
    emit(this, 'change', { value: this.checked });
  }
}

class WxCheckbox extends Toggle {
  constructor() { super('checkbox'); }
  toggle() {
    if (flag(this, 'disabled')) return;
    this.checked = !this.checked;
    const group = this.closest('wx-checkbox-group');
    if (group) emit(group, 'change', { value: group.formValue });
  }
}

class WxCheckboxGroup extends HTMLElement {
  connectedCallback() { this.setAttribute('role', 'group'); }
  get formValue() { return [...this.querySelectorAll('wx-checkbox')].filter((c) => c.checked).map((c) => c.getAttribute('value') ?? ''); }
  formReset() { for (const box of this.querySelectorAll('wx-checkbox')) box.formReset(); }
}

class WxRadio extends Toggle {
  constructor() { super('radio'); }
  toggle() {
    if (flag(this, 'disabled') || this.checked) return;
    const group = this.closest('wx-radio-group');
    if (group) for (const radio of group.radios) radio.checked = radio === this;
    else this.checked = true;
    if (group) emit(group, 'change', { value: this.getAttribute('value') ?? '' });
  }
}

class WxRadioGroup extends HTMLElement {
  constructor() {
    super();
    // Arrow keys choose the next or previous radio, as in any radio group.
    this.addEventListener('keydown', (e) => {
      const step = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 }[e.key];
      const radios = this.radios.filter((r) => !flag(r, 'disabled'));
      const at = radios.indexOf(e.target.closest?.('wx-radio'));
      if (!step || at < 0) return;
      e.preventDefault();
      const next = radios[(at + step + radios.length) % radios.length];
      next.focus();
      next.click();
    });
  }
  connectedCallback() { this.setAttribute('role', 'radiogroup'); }
  get radios() { return [...this.querySelectorAll('wx-radio')]; }
  get formValue() { return this.radios.find((r) => r.checked)?.getAttribute('value') ?? ''; }
  formReset() { for (const radio of this.radios) radio.formReset(); }
}

const LABELLED = 'wx-checkbox, wx-radio, wx-switch, wx-button, wx-input, wx-textarea';

// A tap on a label acts on its control: the one it names with `for`, else the first inside it.
// Its text is the name of a checkbox, radio or switch the page gave no aria-label.
class WxLabel extends HTMLElement {
  constructor() {
    super();
    this.addEventListener('click', (e) => this.pressed(e));
    this.watcher = new MutationObserver(() => this.nameControl());
  }
  connectedCallback() {
    this.watcher.observe(this, { childList: true, characterData: true, subtree: true, attributes: true, attributeFilter: ['for'] });
    requestAnimationFrame(() => this.nameControl());
  }
  disconnectedCallback() { this.watcher.disconnect(); }
  control() {
    const id = this.getAttribute('for');
    if (id) {
      const named = this.getRootNode().getElementById?.(id);
      return named?.matches(LABELLED) ? named : null;
    }
    return this.querySelector(LABELLED);
  }
  pressed(e) {
    const control = this.control();
    // A tap on the control itself is the control's own.
    if (!control || e.composedPath().includes(control)) return;
    if (control.field) control.field.focus(); else control.click();
  }
  nameControl() {
    const control = this.control();
    if (!control?.matches('wx-checkbox, wx-radio, wx-switch')) return;
    const current = control.getAttribute('aria-label');
    if (current !== null && current !== control.nameFromLabel) return;
    const text = this.textContent.replace(/\s+/g, ' ').trim();
    control.nameFromLabel = text;
    if (text) control.setAttribute('aria-label', text);
  }
}

// ---- slider and progress ----------------------------------------------------------------

const SLIDER_STYLE = `
  :host { display: flex; align-items: center; gap: 8px; margin: 10px 18px; }
  input { flex: 1; margin: 0; height: var(--block, 28px); background: transparent; -webkit-appearance: none; appearance: none; cursor: pointer; }
  input::-webkit-slider-runnable-track { height: 2px; border-radius: 1px;
    background: linear-gradient(to right, var(--active, #1aad19) var(--filled, 0%), var(--track, #e9e9e9) var(--filled, 0%)); }
  input::-webkit-slider-thumb { -webkit-appearance: none; width: var(--block, 28px); height: var(--block, 28px);
    margin-top: calc(1px - var(--block, 28px) / 2); border-radius: 50%; background: var(--thumb, #fff); box-shadow: 0 0 4px rgba(0, 0, 0, .2); }
  input::-moz-range-track { height: 2px; background: var(--track, #e9e9e9); }
  input::-moz-range-progress { height: 2px; background: var(--active, #1aad19); }
  input::-moz-range-thumb { width: var(--block, 28px); height: var(--block, 28px); border: 0; border-radius: 50%;
    background: var(--thumb, #fff); box-shadow: 0 0 4px rgba(0, 0, 0, .2); }
  input:disabled { cursor: default; opacity: .6; }
  output { min-width: 2em; color: #888; }`;

class WxSlider extends HTMLElement {
  static observedAttributes = lower(['min', 'max', 'step', 'value', 'disabled', 'showValue', 'aria-label',
    'activeColor', 'backgroundColor', 'blockColor', 'blockSize', 'color', 'selectedColor']);
  constructor() {
    super();
    this.attachShadow({ mode: 'open' }).innerHTML = `<style>${SLIDER_STYLE}</style><input type="range"><output></output>`;
    this.restyle = ownStyle(this.shadowRoot);
    this.range = this.shadowRoot.querySelector('input');
    this.output = this.shadowRoot.querySelector('output');
    // changing while the thumb is dragged; change when it is let go (or moved by a key).
    this.range.addEventListener('pointerdown', () => { this.dragging = true; });
    const release = () => { this.dragging = false; };
    this.range.addEventListener('pointerup', release);
    this.range.addEventListener('pointercancel', release);
    this.range.addEventListener('input', () => {
      this.showValue();
      if (this.dragging) emit(this, 'changing', { value: this.value });
    });
    // Let go outside the slider, no pointerup reaches it; the change that ends the drag does.
    this.range.addEventListener('change', () => { release(); emit(this, 'change', { value: this.value }); });
  }
  get value() { return Number(this.range.value); }
  get formValue() { return this.value; }
  formReset() { this.range.value = this.getAttribute('value') ?? this.range.min; this.showValue(); }
  showValue() {
    this.output.value = this.range.value;
    const span = Number(this.range.max) - Number(this.range.min);
    const filled = span > 0 ? (this.value - Number(this.range.min)) / span * 100 : 0;
    this.range.style.setProperty('--filled', `${filled}%`);
    this.range.setAttribute('aria-valuetext', this.range.value);
  }
  attributeChangedCallback() {
    this.range.min = this.getAttribute('min') ?? '0';
    this.range.max = this.getAttribute('max') ?? '100';
    this.range.step = this.getAttribute('step') ?? '1';
    if (this.hasAttribute('value') && !this.dragging) this.range.value = this.getAttribute('value');
    this.range.disabled = flag(this, 'disabled');
    this.range.setAttribute('aria-label', this.getAttribute('aria-label') || 'slider');
    this.output.hidden = !flag(this, 'showValue');
    // WeChat's block-size runs from 12 to 28 px.
    const block = Math.max(12, Math.min(28, Number(this.getAttribute('blockSize')) || 28));
    const colour = (...names) => names.map((n) => cssColor(this.getAttribute(n))).find(Boolean);
    const vars = [`--block: ${block}px`];
    const active = colour('activeColor', 'selectedColor');
    const track = colour('backgroundColor', 'color');
    const thumb = colour('blockColor');
    if (active) vars.push(`--active: ${active}`);
    if (track) vars.push(`--track: ${track}`);
    if (thumb) vars.push(`--thumb: ${thumb}`);
    this.restyle(`:host { ${vars.join('; ')}; }`);
    this.showValue();
  }
}

const PROGRESS_STYLE = `
  :host { display: flex; align-items: center; }
  .bar { flex: 1; height: var(--stroke, 6px); background: var(--track, #ebebeb); border-radius: var(--radius, 0); overflow: hidden; }
  .fill { height: 100%; width: 0; background: var(--active, #09bb07); border-radius: var(--radius, 0); }
  .info { margin-left: 15px; font-size: var(--font, 16px); min-width: 2.5em; }
  .info:empty { display: none; }`;

const clampPercent = (value) => Math.max(0, Math.min(100, Number(value) || 0));

// percent with WeChat's `active` animation: from 0 each time (active-mode backwards, the
// default) or on from the last percent (forwards), `duration` ms per 1%, then bindactiveend.
class WxProgress extends HTMLElement {
  static observedAttributes = lower(['percent', 'showInfo', 'strokeWidth', 'color', 'activeColor', 'backgroundColor',
    'active', 'activeMode', 'duration', 'borderRadius', 'fontSize', 'aria-label']);
  constructor() {
    super();
    this.attachShadow({ mode: 'open' }).innerHTML =
      `<style>${PROGRESS_STYLE}</style><div class="bar" part="bar"><div class="fill" part="fill"></div></div><span class="info"></span>`;
    this.restyle = ownStyle(this.shadowRoot);
    this.fill = this.shadowRoot.querySelector('.fill');
    this.info = this.shadowRoot.querySelector('.info');
    this.shown = 0;
    this.target = null;
  }
  connectedCallback() {
    this.setAttribute('role', 'progressbar');
    this.setAttribute('aria-valuemin', '0');
    this.setAttribute('aria-valuemax', '100');
  }
  disconnectedCallback() { cancelAnimationFrame(this.frame); }
  attributeChangedCallback(name) {
    if (name === 'aria-label') return;
    this.styleBar();
    // Attributes arrive one by one: act once they all have.
    if (!this.scheduled) { this.scheduled = true; queueMicrotask(() => { this.scheduled = false; this.update(); }); }
    if (name === 'active') this.restart = flag(this, 'active');
  }
  styleBar() {
    const active = cssColor(this.getAttribute('activeColor')) || cssColor(this.getAttribute('color'));
    const track = cssColor(this.getAttribute('backgroundColor'));
    const vars = [
      `--stroke: ${cssLength(this.getAttribute('strokeWidth'), '6px')}`,
      `--radius: ${cssLength(this.getAttribute('borderRadius'), '0')}`,
      `--font: ${cssLength(this.getAttribute('fontSize'), '16px')}`,
    ];
    if (active) vars.push(`--active: ${active}`);
    if (track) vars.push(`--track: ${track}`);
    this.restyle(`:host { ${vars.join('; ')}; }`);
    this.info.textContent = flag(this, 'showInfo') ? `${Math.round(this.shown)}%` : '';
  }
  update() {
    const target = clampPercent(this.getAttribute('percent'));
    this.setAttribute('aria-valuenow', String(target));
    if (target === this.target && !this.restart) return;
    this.target = target;
    this.restart = false;
    if (!flag(this, 'active')) { cancelAnimationFrame(this.frame); this.show(target); return; }
    const from = this.getAttribute('activeMode') === 'forwards' ? this.shown : 0;
    this.animate(from, target);
  }
  animate(from, to) {
    cancelAnimationFrame(this.frame);
    const perPercent = Number(this.getAttribute('duration') ?? 30);
    const total = reducedMotion() ? 0 : Math.abs(to - from) * (Number.isFinite(perPercent) ? perPercent : 30);
    const started = performance.now();
    const step = (now) => {
      // A frame's time may be a little before `started`: never step back past `from`.
      const done = total <= 0 ? 1 : Math.min(1, Math.max(0, (now - started) / total));
      this.show(from + (to - from) * done);
      if (done < 1) this.frame = requestAnimationFrame(step);
      else emit(this, 'activeend', { curPercent: to });
    };
    this.show(from);
    this.frame = requestAnimationFrame(step);
  }
  show(percent) {
    this.shown = percent;
    this.fill.style.width = `${percent}%`;
    if (flag(this, 'showInfo')) this.info.textContent = `${Math.round(percent)}%`;
  }
}

// ---- the region picker's data ----------------------------------------------------------------

// A compact subset of China's administrative divisions for the region picker: a few provinces,
// a few of their cities and districts, with GB/T 2260 codes and each district's postcode. It is
// not the full national list. [name, code, children] for provinces and cities, [name, code,
// postcode] for districts.
const DIVISIONS = [
  ['Beijing', '110000', [
    ['Beijing', '110100', [['Dongcheng', '110101', '100010'], ['Xicheng', '110102', '100032'], ['Chaoyang', '110105', '100020'], ['Haidian', '110108', '100080']]],
  ]],
  ['Shanghai', '310000', [
    ['Shanghai', '310100', [['Huangpu', '310101', '200001'], ['Xuhui', '310104', '200030'], ['Changning', '310105', '200050'], ['Pudong', '310115', '200120']]],
  ]],
  ['Jiangsu', '320000', [
    ['Nanjing', '320100', [['Xuanwu', '320102', '210018'], ['Qinhuai', '320104', '210001'], ['Gulou', '320106', '210009']]],
    ['Suzhou', '320500', [['Huqiu', '320505', '215004'], ['Wuzhong', '320506', '215128'], ['Gusu', '320508', '215031']]],
  ]],
  ['Zhejiang', '330000', [
    ['Hangzhou', '330100', [['Shangcheng', '330102', '310002'], ['Gongshu', '330105', '310011'], ['Xihu', '330106', '310013'], ['Binjiang', '330108', '310051']]],
    ['Ningbo', '330200', [['Haishu', '330203', '315000'], ['Jiangbei', '330205', '315020'], ['Yinzhou', '330212', '315100']]],
    ['Wenzhou', '330300', [['Lucheng', '330302', '325000'], ['Longwan', '330303', '325024'], ['Ouhai', '330304', '325005']]],
  ]],
  ['Guangdong', '440000', [
    ['Guangzhou', '440100', [['Liwan', '440103', '510140'], ['Yuexiu', '440104', '510030'], ['Haizhu', '440105', '510220'], ['Tianhe', '440106', '510630']]],
    ['Shenzhen', '440300', [['Luohu', '440303', '518001'], ['Futian', '440304', '518033'], ['Nanshan', '440305', '518052'], ['Bao\'an', '440306', '518101']]],
  ]],
  ['Sichuan', '510000', [
    ['Chengdu', '510100', [['Jinjiang', '510104', '610021'], ['Qingyang', '510105', '610031'], ['Jinniu', '510106', '610036'], ['Wuhou', '510107', '610041']]],
  ]],
];

const division = ([name, code, rest]) =>
  (Array.isArray(rest) ? { name, code, children: rest.map(division) } : { name, code, postcode: rest || '' });
const REGIONS = DIVISIONS.map(division);
const REGION_COLUMNS = ['Province', 'City', 'District'];
const REGION_LEVELS = { province: 1, city: 2, region: 3, 'sub-district': 3 };

/**
 * The items of a region column under `parent`: with a custom item first when the page named
 * one; under a custom item there is only the custom item.
 */
export function regionItems(parent, column, custom) {
  const real = column === 0 ? REGIONS : parent && !parent.custom ? parent.children || [] : [];
  return custom ? [{ name: custom, custom: true }, ...real] : real;
}

/** WeChat's region change detail for the items chosen in each column. */
export function regionDetail(chosen) {
  const real = [];
  for (const item of chosen) { if (item.custom) break; real.push(item); }
  const last = chosen.at(-1);
  return { value: chosen.map((i) => i.name), code: real.map((i) => i.code), postcode: last && !last.custom ? last.postcode || '' : '' };
}

// ---- picker: a sheet from the bottom with the mode's columns ------------------------------

const SHEET_STYLE = `
  :host { display: block; cursor: pointer; }
  .mask { position: fixed; inset: 0; background: rgba(0,0,0,.45); z-index: 1000; display: flex; align-items: flex-end; cursor: default; }
  .sheet { width: 100%; background: #fff; color: #000; font-size: 17px; }
  .bar { display: flex; justify-content: space-between; border-bottom: 1px solid #eee; }
  .bar button { all: unset; padding: 12px 16px; cursor: pointer; }
  .bar .confirm { color: #07c160; font-weight: 600; }
  .columns { display: flex; gap: 4px; padding: 12px; }
  .columns select, .columns input { flex: 1; font: inherit; padding: 6px; min-width: 0; }`;

function labelOf(item, key) {
  if (item !== null && typeof item === 'object') return String(key ? item[key] ?? '' : JSON.stringify(item));
  return String(item ?? '');
}

const pad = (n) => String(n).padStart(2, '0');

class WxPicker extends HTMLElement {
  static observedAttributes = lower(['mode', 'range', 'rangeKey', 'value', 'start', 'end', 'fields', 'disabled', 'customItem', 'level']);
  constructor() {
    super();
    this.attachShadow({ mode: 'open' }).innerHTML = `<style>${SHEET_STYLE}</style><slot></slot>`;
    this.addEventListener('click', (e) => { if (!e.composedPath().some((n) => n.classList?.contains('mask'))) this.open(); });
    this.addEventListener('keydown', (e) => { if ((e.key === 'Enter' || e.key === ' ') && !this.sheet) { e.preventDefault(); this.open(); } });
  }
  connectedCallback() {
    this.setAttribute('role', 'button');
    this.setAttribute('aria-haspopup', 'dialog');
    if (!this.hasAttribute('tabindex')) this.tabIndex = 0;
  }
  get mode() { return this.getAttribute('mode') || 'selector'; }
  get range() { const r = jsonAttribute(this, 'range', []); return Array.isArray(r) ? r : []; }
  /** The value as WeChat reports it: an index, an index per column, a date/time string, or region names. */
  get formValue() {
    if (this.picked !== undefined) return this.picked;
    const value = jsonAttribute(this, 'value', null);
    if (this.mode === 'region') return Array.isArray(value) ? value.map(String) : [];
    if (this.mode === 'selector') return Number(value) || 0;
    if (this.mode === 'multiSelector') return this.range.map((_, i) => Number(Array.isArray(value) ? value[i] : 0) || 0);
    return value === null ? '' : String(value);
  }
  formReset() { this.picked = undefined; }
  attributeChangedCallback(name) {
    if (name === 'value') this.picked = undefined;
    // The mini-program may change a multiSelector's columns while the sheet is open.
    if (this.sheet && name === 'range') this.fillColumns();
  }
  open() {
    if (flag(this, 'disabled') || this.sheet) return;
    const mask = document.createElement('div');
    mask.className = 'mask';
    mask.innerHTML = `<div class="sheet" role="dialog" aria-modal="true"><div class="bar">
      <button type="button" class="cancel">Cancel</button><button type="button" class="confirm">OK</button></div>
      <div class="columns"></div></div>`;
    mask.querySelector('.sheet').setAttribute('aria-label', this.getAttribute('aria-label') || this.textContent.trim() || 'Picker');
    this.sheet = mask;
    this.columns = mask.querySelector('.columns');
    this.fillColumns();
    const cancel = () => { this.close(); emit(this, 'cancel', {}); };
    mask.querySelector('.cancel').addEventListener('click', cancel);
    mask.querySelector('.confirm').addEventListener('click', () => this.confirm());
    mask.addEventListener('click', (e) => { if (e.target === mask) cancel(); });
    // Escape is Cancel, and closes only this sheet (not what is under it).
    mask.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      e.stopPropagation();
      cancel();
    });
    this.shadowRoot.appendChild(mask);
    this.columns.querySelector('select, input')?.focus();
  }
  close() { this.sheet?.remove(); this.sheet = null; this.focus(); }
  fillColumns() {
    const key = this.getAttribute('rangeKey');
    const value = this.formValue;
    const columns = this.columns;
    if (this.mode === 'selector' || this.mode === 'multiSelector') {
      const lists = this.mode === 'selector' ? [this.range] : this.range.map((c) => (Array.isArray(c) ? c : []));
      const picked = this.mode === 'selector' ? [value] : value;
      const kept = [...columns.querySelectorAll('select')].map((s) => s.selectedIndex);
      columns.replaceChildren(...lists.map((list, column) => {
        const select = document.createElement('select');
        select.size = Math.min(Math.max(list.length, 2), 6);
        select.setAttribute('aria-label', lists.length > 1 ? `Column ${column + 1}` : 'Options');
        list.forEach((item, i) => select.add(new Option(labelOf(item, key), String(i))));
        select.selectedIndex = Math.min(kept[column] ?? picked[column] ?? 0, list.length - 1);
        if (this.mode === 'multiSelector') {
          select.addEventListener('change', () => emit(this, 'columnchange', { column, value: select.selectedIndex }));
        }
        return select;
      }));
    } else if (this.mode === 'date' || this.mode === 'time') {
      const input = document.createElement('input');
      const fields = this.getAttribute('fields') || 'day';
      input.type = this.mode === 'time' ? 'time' : fields === 'month' ? 'month' : fields === 'year' ? 'number' : 'date';
      input.setAttribute('aria-label', this.mode === 'time' ? 'Time' : 'Date');
      const start = this.getAttribute('start');
      const end = this.getAttribute('end');
      if (start) input.min = start;
      if (end) input.max = end;
      const now = new Date();
      const fallback = this.mode === 'time' ? `${pad(now.getHours())}:${pad(now.getMinutes())}`
        : `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`.slice(0, fields === 'year' ? 4 : fields === 'month' ? 7 : 10);
      input.value = value || fallback;
      columns.replaceChildren(input);
    } else if (this.mode === 'region') {
      this.fillRegion(value);
    } else {
      columns.textContent = `The "${this.mode}" picker is not available in this host.`;
    }
  }
  // Province, city and district: choosing in one column refills the ones after it.
  fillRegion(names, focusColumn = -1) {
    const custom = this.getAttribute('customItem') || '';
    const depth = REGION_LEVELS[this.getAttribute('level')] || 3;
    const selects = [];
    let parent = null;
    for (let column = 0; column < depth; column++) {
      const items = regionItems(parent, column, custom);
      const select = document.createElement('select');
      select.size = Math.min(Math.max(items.length, 2), 6);
      select.setAttribute('aria-label', REGION_COLUMNS[column]);
      items.forEach((item, i) => select.add(new Option(item.name, String(i))));
      select.selectedIndex = Math.max(0, items.findIndex((item) => item.name === names[column]));
      select.items = items;
      select.addEventListener('change', () => this.fillRegion(this.regionChosen().map((i) => i.name), column));
      parent = items[select.selectedIndex];
      selects.push(select);
    }
    this.columns.replaceChildren(...selects);
    selects[focusColumn]?.focus();
  }
  regionChosen() {
    return [...this.columns.querySelectorAll('select')].map((s) => s.items[Math.max(0, s.selectedIndex)]).filter(Boolean);
  }
  confirm() {
    if (this.mode === 'region') {
      const detail = regionDetail(this.regionChosen());
      this.picked = detail.value;
      this.close();
      emit(this, 'change', detail);
      return;
    }
    let value;
    const selects = [...this.columns.querySelectorAll('select')];
    if (this.mode === 'selector') value = Math.max(0, selects[0]?.selectedIndex ?? 0);
    else if (this.mode === 'multiSelector') value = selects.map((s) => Math.max(0, s.selectedIndex));
    else {
      const input = this.columns.querySelector('input');
      if (!input) { this.close(); return; }
      value = input.value;
      // Out-of-range values are clamped to start/end, as WeChat's picker allows no others.
      if (input.min && value < input.min) value = input.min;
      if (input.max && value > input.max) value = input.max;
    }
    this.picked = value;
    this.close();
    emit(this, 'change', { value });
  }
}

// ---- picker-view: scrolling columns that snap, the middle row is the value -----------------

class WxPickerView extends HTMLElement {
  static observedAttributes = ['value'];
  constructor() {
    super();
    this.attachShadow({ mode: 'open' }).innerHTML = `<style>
      :host { display: flex; position: relative; height: 204px; overflow: hidden; }
      .indicator { position: absolute; left: 0; right: 0; top: 50%; height: var(--row, 34px); transform: translateY(-50%);
        border-top: 1px solid #e5e5e5; border-bottom: 1px solid #e5e5e5; pointer-events: none; }
      </style><slot></slot><div class="indicator"></div>`;
    this.shadowRoot.querySelector('slot').addEventListener('slotchange', () => this.sync());
  }
  connectedCallback() { this.setAttribute('role', 'group'); requestAnimationFrame(() => this.sync()); }
  get columns() { return [...this.children].filter((c) => c.localName === 'wx-picker-view-column'); }
  get formValue() { return this.columns.map((c) => c.index); }
  formReset() { this.sync(); }
  attributeChangedCallback() { requestAnimationFrame(() => this.sync()); }
  sync() {
    const value = jsonAttribute(this, 'value', []);
    this.columns.forEach((column, i) => column.show(Array.isArray(value) ? Number(value[i]) || 0 : 0));
  }
  picked() { emit(this, 'change', { value: this.formValue }); }
}

class WxPickerViewColumn extends HTMLElement {
  constructor() {
    super();
    this.attachShadow({ mode: 'open' }).innerHTML = `<style>
      :host { display: block; flex: 1; height: 100%; overflow-y: auto; scroll-snap-type: y mandatory; scrollbar-width: none; text-align: center; }
      ::slotted(*) { scroll-snap-align: center; height: var(--row, 34px); line-height: var(--row, 34px); }
      .pad { height: calc(50% - var(--row, 34px) / 2); }
      </style><div class="pad"></div><slot></slot><div class="pad"></div>`;
    this.index = 0;
    let settle = null;
    this.addEventListener('scroll', () => { clearTimeout(settle); settle = setTimeout(() => this.settled(), 120); });
    this.addEventListener('keydown', (e) => {
      const step = e.key === 'ArrowDown' ? 1 : e.key === 'ArrowUp' ? -1 : 0;
      if (step) { e.preventDefault(); this.show(this.index + step, true); this.closest('wx-picker-view')?.picked(); }
    });
  }
  connectedCallback() {
    this.setAttribute('role', 'listbox');
    if (!this.hasAttribute('aria-label')) this.setAttribute('aria-label', 'Column');
    if (!this.hasAttribute('tabindex')) this.tabIndex = 0;
  }
  get rowHeight() { return this.children[0]?.offsetHeight || 34; }
  show(index, smooth = false) {
    const count = this.children.length;
    this.index = Math.max(0, Math.min(index, count - 1));
    [...this.children].forEach((c, i) => c.setAttribute('aria-selected', String(i === this.index)));
    this.shown = this.index;
    this.scrollTo({ top: this.index * this.rowHeight, behavior: smooth ? 'smooth' : 'instant' });
  }
  settled() {
    const index = Math.max(0, Math.min(Math.round(this.scrollTop / this.rowHeight), this.children.length - 1));
    if (index === this.index && this.shown === index) return;
    this.index = index;
    this.shown = index;
    [...this.children].forEach((c, i) => c.setAttribute('aria-selected', String(i === index)));
    this.closest('wx-picker-view')?.picked();
  }
}

// ---- form: collects named controls on submit, resets them --------------------------------

class WxForm extends HTMLElement {
  connectedCallback() { this.setAttribute('role', 'form'); if (!this.hasAttribute('aria-label')) this.setAttribute('aria-label', 'Form'); }
  fields() {
    return [...this.querySelectorAll('[name]')].filter((el) => el.closest('wx-form') === this && 'formValue' in el);
  }
  submit() {
    const value = {};
    for (const field of this.fields()) value[field.getAttribute('name')] = field.formValue;
    emit(this, 'submit', { value, formId: '' });
  }
  reset() {
    for (const field of this.querySelectorAll('*')) if (field.closest('wx-form') === this && field.formReset) field.formReset();
    emit(this, 'reset', {});
  }
}

export function defineFormComponents(define) {
  define('wx-input', WxInput);
  define('wx-textarea', WxTextarea);
  define('wx-switch', WxSwitch);
  define('wx-checkbox', WxCheckbox);
  define('wx-checkbox-group', WxCheckboxGroup);
  define('wx-radio', WxRadio);
  define('wx-radio-group', WxRadioGroup);
  define('wx-label', WxLabel);
  define('wx-slider', WxSlider);
  define('wx-progress', WxProgress);
  define('wx-picker', WxPicker);
  define('wx-picker-view', WxPickerView);
  define('wx-picker-view-column', WxPickerViewColumn);
  define('wx-form', WxForm);
}
