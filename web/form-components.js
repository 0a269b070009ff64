// Form controls as custom elements: text fields, switch, checkbox and radio with their groups,
// slider, progress, picker (selector, multiSelector, date, time), picker-view, and the form that
// collects their named values. Each tells the view what the person did with a `wx-*` event.
//
// Attribute names reach the DOM as the template compiler writes them (`range-key` → `rangeKey`)
// and HTML lowercases them, so observed lists are lowercase; getAttribute ignores case.

export function flag(element, name) {
  const value = element.getAttribute(name);
  return value !== null && value !== 'false';
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

/** Attribute names as HTML stores them, for `observedAttributes`. */
export const lower = (names) => names.map((n) => n.toLowerCase());

// ---- input and textarea -------------------------------------------------------------------

const FIELD_STYLE = `
  input, textarea { all: unset; display: block; width: 100%; height: 100%; font: inherit; color: inherit;
    white-space: pre-wrap; overflow-wrap: break-word; }
  textarea { overflow-y: auto; }`;

class TextField extends HTMLElement {
  static observedAttributes = lower(['value', 'placeholder', 'password', 'type', 'maxlength', 'disabled', 'focus', 'autoFocus', 'autoHeight', 'aria-label']);
  constructor(tag) {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = `<style>${FIELD_STYLE}</style><${tag}></${tag}>`;
    this.field = root.querySelector(tag);
    this.setMaxLength();
    // Values the person typed since focusing: their echoes from the session must not move
    // the cursor or undo later keystrokes.
    this.typed = new Set();
    this.field.addEventListener('input', () => { this.typed.add(this.field.value); this.typing(); });
    this.field.addEventListener('focus', () => emit(this, 'focus', { value: this.field.value, height: 0 }));
    this.field.addEventListener('blur', () => {
      this.typed.clear();
      emit(this, 'blur', { value: this.field.value, cursor: this.field.selectionStart ?? this.field.value.length });
    });
  }
  get value() { return this.field.value; }
  get formValue() { return this.field.value; }
  formReset() { this.typed.clear(); this.field.value = this.getAttribute('value') || ''; this.typing(); }
  typing() {}
  // WeChat's default maxlength is 140; -1 means no limit.
  setMaxLength() {
    const text = this.getAttribute('maxlength');
    const max = text === null ? 140 : Number(text);
    if (max >= 0) this.field.maxLength = max; else this.field.removeAttribute('maxlength');
  }
  attributeChangedCallback(name) {
    const field = this.field;
    if (name === 'value') {
      // Only when it differs: rewriting an equal value would move the cursor while typing.
      const value = this.getAttribute('value') || '';
      if (field.value !== value && !this.typed.has(value)) { field.value = value; this.typing(); }
    } else if (name === 'placeholder' || name === 'aria-label') {
      field.placeholder = this.getAttribute('placeholder') || '';
      field.setAttribute('aria-label', this.getAttribute('aria-label') || this.getAttribute('placeholder') || this.localName.slice(3));
    } else if (name === 'password' || name === 'type') {
      const type = this.getAttribute('type');
      if (field.localName === 'input') field.type = flag(this, 'password') ? 'password' : 'text';
      field.inputMode = type === 'number' ? 'numeric' : type === 'digit' ? 'decimal' : type === 'idcard' ? 'text' : 'text';
    } else if (name === 'maxlength') {
      this.setMaxLength();
    } else if (name === 'disabled') {
      field.disabled = flag(this, 'disabled');
    } else if ((name === 'focus' || name === 'autofocus') && flag(this, name)) {
      queueMicrotask(() => field.focus());
    } else if (name === 'autoheight') {
      this.typing();
    }
  }
}

class WxInput extends TextField {
  constructor() {
    super('input');
    this.field.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') emit(this, 'confirm', { value: this.field.value });
    });
  }
}

class WxTextarea extends TextField {
  connectedCallback() { this.typing(); }
  constructor() {
    super('textarea');
    this.lines = 0;
    this.field.addEventListener('keydown', (e) => {
      // confirm-type "return" (the default) makes Enter a new line; other types confirm.
      const confirmType = this.getAttribute('confirmType') || 'return';
      if (e.key === 'Enter' && confirmType !== 'return') { e.preventDefault(); emit(this, 'confirm', { value: this.field.value }); }
    });
  }
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

// ---- switch, checkbox, radio ------------------------------------------------------------

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
    if (group) for (const radio of group.querySelectorAll('wx-radio')) radio.checked = radio === this;
    else this.checked = true;
    if (group) emit(group, 'change', { value: this.getAttribute('value') ?? '' });
  }
}

class WxRadioGroup extends HTMLElement {
  connectedCallback() { this.setAttribute('role', 'radiogroup'); }
  get formValue() { return [...this.querySelectorAll('wx-radio')].find((r) => r.checked)?.getAttribute('value') ?? ''; }
  formReset() { for (const radio of this.querySelectorAll('wx-radio')) radio.formReset(); }
}

// ---- slider and progress ----------------------------------------------------------------

class WxSlider extends HTMLElement {
  static observedAttributes = lower(['min', 'max', 'step', 'value', 'disabled', 'showValue', 'aria-label']);
  constructor() {
    super();
    this.attachShadow({ mode: 'open' }).innerHTML =
      '<style>:host{display:flex;align-items:center;gap:8px;margin:10px 18px}input{flex:1}</style><input type="range"><output></output>';
    this.range = this.shadowRoot.querySelector('input');
    this.output = this.shadowRoot.querySelector('output');
    this.range.addEventListener('input', () => { this.output.value = this.range.value; emit(this, 'changing', { value: Number(this.range.value) }); });
    this.range.addEventListener('change', () => emit(this, 'change', { value: Number(this.range.value) }));
  }
  get value() { return Number(this.range.value); }
  get formValue() { return this.value; }
  formReset() { this.range.value = this.getAttribute('value') ?? this.range.min; this.output.value = this.range.value; }
  attributeChangedCallback() {
    this.range.min = this.getAttribute('min') ?? '0';
    this.range.max = this.getAttribute('max') ?? '100';
    this.range.step = this.getAttribute('step') ?? '1';
    if (this.hasAttribute('value')) this.range.value = this.getAttribute('value');
    this.range.disabled = flag(this, 'disabled');
    this.range.setAttribute('aria-label', this.getAttribute('aria-label') || 'slider');
    this.output.hidden = !flag(this, 'showValue');
    this.output.value = this.range.value;
  }
}

class WxProgress extends HTMLElement {
  static observedAttributes = lower(['percent', 'showInfo', 'strokeWidth', 'activeColor', 'backgroundColor']);
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
    this.shadowRoot.querySelector('.info').textContent = flag(this, 'showInfo') ? percent + '%' : '';
    const stroke = this.getAttribute('strokeWidth');
    if (stroke) this.style.setProperty('--h', stroke + 'px');
    const fg = this.getAttribute('activeColor');
    if (fg) this.style.setProperty('--fg', fg);
    const bg = this.getAttribute('backgroundColor');
    if (bg) this.style.setProperty('--bg', bg);
  }
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
  static observedAttributes = lower(['mode', 'range', 'rangeKey', 'value', 'start', 'end', 'fields', 'disabled']);
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
  /** The value as WeChat reports it: an index, an index per column, or a date/time string. */
  get formValue() {
    if (this.picked !== undefined) return this.picked;
    const value = jsonAttribute(this, 'value', null);
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
    mask.querySelector('.cancel').addEventListener('click', () => { this.close(); emit(this, 'cancel', {}); });
    mask.querySelector('.confirm').addEventListener('click', () => this.confirm());
    mask.addEventListener('click', (e) => { if (e.target === mask) { this.close(); emit(this, 'cancel', {}); } });
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
    } else {
      columns.textContent = `The "${this.mode}" picker is not available in this host.`;
    }
  }
  confirm() {
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
  define('wx-slider', WxSlider);
  define('wx-progress', WxProgress);
  define('wx-picker', WxPicker);
  define('wx-picker-view', WxPickerView);
  define('wx-picker-view-column', WxPickerViewColumn);
  define('wx-form', WxForm);
}
