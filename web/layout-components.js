// Containers that move their content: scroll-view (scroll events, thresholds, scroll-into-view,
// the pull-down refresher), swiper (autoplay, circular, dots, swiping), movable-area and
// movable-view (dragging within the area), and cover-view.

import { emit, flag, lower } from './form-components.js';

const number = (element, name, fallback) => {
  const value = Number(element.getAttribute(name));
  return element.hasAttribute(name) && Number.isFinite(value) ? value : fallback;
};
// Attribute changes can arrive before the children they refer to: act after the patch.
const later = (fn) => requestAnimationFrame(() => fn());

// ---- scroll-view ---------------------------------------------------------------------------

class WxScrollView extends HTMLElement {
  static observedAttributes = lower(['scrollTop', 'scrollLeft', 'scrollIntoView', 'refresherTriggered', 'refresherBackground', 'refresherEnabled']);
  constructor() {
    super();
    this.attachShadow({ mode: 'open' }).innerHTML = `<style>
      .refresher { height: 0; overflow: hidden; display: flex; align-items: center; justify-content: center;
        font-size: 13px; color: #888; background: var(--refresher, transparent); }
      .refresher.animate { transition: height .2s; }
      </style><div class="refresher" role="status" aria-live="polite"></div><slot></slot>`;
    this.refresher = this.shadowRoot.querySelector('.refresher');
    this.last = { top: 0, left: 0 };
    this.edges = { top: true, left: true, bottom: false, right: false };
    this.addEventListener('scroll', () => this.scrolled());
    this.addEventListener('pointerdown', (e) => this.pullStart(e));
    this.addEventListener('pointermove', (e) => this.pullMove(e));
    this.addEventListener('pointerup', () => this.pullEnd());
    this.addEventListener('pointercancel', () => this.pullEnd());
  }
  get vertical() { return flag(this, 'scrollY'); }
  get horizontal() { return flag(this, 'scrollX'); }
  attributeChangedCallback(name) {
    const smooth = flag(this, 'scrollWithAnimation') ? 'smooth' : 'instant';
    if (name === 'scrolltop') later(() => this.scrollTo({ top: number(this, 'scrollTop', 0), behavior: smooth }));
    if (name === 'scrollleft') later(() => this.scrollTo({ left: number(this, 'scrollLeft', 0), behavior: smooth }));
    if (name === 'scrollintoview') later(() => this.scrollIntoViewOf(this.getAttribute('scrollIntoView'), smooth));
    if (name === 'refresherbackground') this.style.setProperty('--refresher', this.getAttribute('refresherBackground'));
    if (name === 'refreshertriggered') {
      if (flag(this, 'refresherTriggered') && flag(this, 'refresherEnabled')) this.refreshing();
      else if (this.state === 'refreshing') this.restore();
    }
  }
  scrollIntoViewOf(id, behavior) {
    if (!id) return;
    const target = [...this.querySelectorAll('[id]')].find((el) => el.id === id);
    if (!target) return;
    const box = this.getBoundingClientRect();
    const at = target.getBoundingClientRect();
    this.scrollTo({
      top: this.vertical ? this.scrollTop + at.top - box.top : this.scrollTop,
      left: this.horizontal ? this.scrollLeft + at.left - box.left : this.scrollLeft,
      behavior,
    });
  }
  scrolled() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      const { scrollTop: top, scrollLeft: left, scrollHeight, scrollWidth, clientHeight, clientWidth } = this;
      emit(this, 'scroll', { scrollLeft: left, scrollTop: top, scrollHeight, scrollWidth, deltaX: left - this.last.left, deltaY: top - this.last.top });
      Object.assign(this.last, { top, left });
      // New content at an edge makes arriving there again a new arrival.
      if (scrollHeight !== this.last.height) this.edges.bottom = false;
      if (scrollWidth !== this.last.width) this.edges.right = false;
      this.last.height = scrollHeight;
      this.last.width = scrollWidth;
      const upperZone = number(this, 'upperThreshold', 50);
      const lowerZone = number(this, 'lowerThreshold', 50);
      // Each edge event fires on entering its zone, not again until the view leaves it.
      const edge = (name, inside, event, direction) => {
        if (inside && !this.edges[name]) emit(this, event, { direction });
        this.edges[name] = inside;
      };
      if (this.vertical) {
        edge('top', top <= upperZone, 'scrolltoupper', 'top');
        edge('bottom', scrollHeight - clientHeight - top <= lowerZone, 'scrolltolower', 'bottom');
      }
      if (this.horizontal) {
        edge('left', left <= upperZone, 'scrolltoupper', 'left');
        edge('right', scrollWidth - clientWidth - left <= lowerZone, 'scrolltolower', 'right');
      }
    });
  }
  // The refresher: pulling down at the top reveals it; past the threshold a release refreshes
  // until the mini-program sets refresher-triggered back to false.
  get threshold() { return number(this, 'refresherThreshold', 45); }
  label(text) {
    this.refresher.textContent = this.getAttribute('refresherDefaultStyle') === 'none' ? '' : text;
  }
  pullStart(e) {
    if (!flag(this, 'refresherEnabled') || this.scrollTop > 0 || this.state === 'refreshing') return;
    this.pull = { y: e.clientY, dy: 0 };
    this.refresher.classList.remove('animate');
  }
  pullMove(e) {
    if (!this.pull || !e.buttons) return;
    const dy = Math.max(0, e.clientY - this.pull.y);
    this.pull.dy = dy;
    // Once it is a pull, the rest of the gesture is the refresher's (not a text selection's).
    if (dy > 8 && !this.pull.captured) {
      this.pull.captured = true;
      this.setPointerCapture?.(e.pointerId);
    }
    this.refresher.style.height = Math.min(dy / 2, this.threshold * 2) + 'px';
    this.label(dy / 2 >= this.threshold ? 'Release to refresh' : 'Pull to refresh');
    emit(this, 'refresherpulling', { dy: dy / 2 });
  }
  pullEnd() {
    if (!this.pull) return;
    const reached = this.pull.dy / 2 >= this.threshold;
    this.pull = null;
    this.refresher.classList.add('animate');
    if (reached) this.refreshing();
    else if (parseFloat(this.refresher.style.height) > 0) { this.refresher.style.height = '0'; emit(this, 'refresherabort', {}); }
  }
  refreshing() {
    if (this.state === 'refreshing') return;
    this.state = 'refreshing';
    this.refresher.style.height = this.threshold + 'px';
    this.label('Refreshing…');
    emit(this, 'refresherrefresh', {});
  }
  restore() {
    this.state = null;
    this.refresher.classList.add('animate');
    this.refresher.style.height = '0';
    this.label('');
    emit(this, 'refresherrestore', {});
  }
}

// ---- swiper --------------------------------------------------------------------------------

class WxSwiper extends HTMLElement {
  static observedAttributes = lower(['current', 'currentItemId', 'autoplay', 'interval', 'duration', 'circular', 'vertical', 'indicatorDots', 'indicatorColor', 'indicatorActiveColor']);
  constructor() {
    super();
    this.attachShadow({ mode: 'open' }).innerHTML = `<style>
      :host { display: block; position: relative; overflow: hidden; height: 150px; touch-action: pan-y; }
      .track { display: flex; height: 100%; transition: transform var(--duration, 500ms); }
      .track.dragging { transition: none; }
      :host([vertical]:not([vertical="false"])) .track { flex-direction: column; }
      ::slotted(wx-swiper-item) { flex: 0 0 100%; width: 100%; height: 100%; overflow: hidden; }
      .dots { position: absolute; bottom: 10px; left: 0; right: 0; display: flex; justify-content: center; gap: 8px; }
      :host([vertical]:not([vertical="false"])) .dots { flex-direction: column; left: auto; right: 10px; top: 0; bottom: 0; }
      .dots button { width: 8px; height: 8px; border-radius: 50%; border: 0; padding: 0; cursor: pointer; background: var(--dot, rgba(0,0,0,.3)); }
      .dots button[aria-current="true"] { background: var(--dot-active, #000); }
      @media (prefers-reduced-motion: reduce) { .track { transition: none; } }
      </style><div class="track" part="track"><slot></slot></div><div class="dots" role="group" aria-label="Slides"></div>`;
    this.track = this.shadowRoot.querySelector('.track');
    this.dots = this.shadowRoot.querySelector('.dots');
    this.current = 0;
    this.shadowRoot.querySelector('slot').addEventListener('slotchange', () => this.render());
    this.addEventListener('pointerdown', (e) => this.dragStart(e));
    this.addEventListener('pointermove', (e) => this.dragMove(e));
    this.addEventListener('pointerup', (e) => this.dragEnd(e));
    this.addEventListener('pointercancel', (e) => this.dragEnd(e));
    // A swipe is not a tap on what it started on.
    this.addEventListener('click', (e) => { if (this.swiped) e.stopPropagation(); }, { capture: true });
    this.addEventListener('keydown', (e) => {
      const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
      if (step) { e.preventDefault(); this.go(this.current + step, 'touch'); }
    });
  }
  connectedCallback() {
    this.setAttribute('role', 'region');
    this.setAttribute('aria-roledescription', 'carousel');
    if (!this.hasAttribute('aria-label')) this.setAttribute('aria-label', 'Carousel');
    if (!this.hasAttribute('tabindex')) this.tabIndex = 0;
    this.schedule();
    this.render();
  }
  disconnectedCallback() { clearInterval(this.timer); this.timer = null; }
  get items() { return [...this.children].filter((c) => c.localName === 'wx-swiper-item'); }
  get vertical() { return flag(this, 'vertical'); }
  attributeChangedCallback(name) {
    if (name === 'current' || name === 'currentitemid') {
      let index = number(this, 'current', this.current);
      const id = this.getAttribute('currentItemId');
      if (name === 'currentitemid' && id) index = Math.max(0, this.items.findIndex((i) => i.getAttribute('itemId') === id));
      later(() => this.go(index, ''));
    }
    if (name === 'autoplay' || name === 'interval') this.schedule();
    if (name === 'duration') this.style.setProperty('--duration', number(this, 'duration', 500) + 'ms');
    if (name === 'indicatorcolor') this.style.setProperty('--dot', this.getAttribute('indicatorColor'));
    if (name === 'indicatoractivecolor') this.style.setProperty('--dot-active', this.getAttribute('indicatorActiveColor'));
    this.render();
  }
  schedule() {
    clearInterval(this.timer);
    this.timer = null;
    if (!flag(this, 'autoplay') || !this.isConnected) return;
    // Autoplay goes on past the last item to the first, circular or not, as WeChat's does.
    this.timer = setInterval(() => { if (!this.dragging) this.go((this.current + 1) % Math.max(this.items.length, 1), 'autoplay'); }, number(this, 'interval', 5000));
  }
  go(index, source) {
    const count = this.items.length;
    if (count === 0) return;
    const next = flag(this, 'circular') ? ((index % count) + count) % count : Math.max(0, Math.min(index, count - 1));
    if (next === this.current) { this.render(); return; }
    this.current = next;
    this.render();
    const detail = { current: next, currentItemId: this.items[next].getAttribute('itemId') || '', source };
    emit(this, 'change', detail);
    clearTimeout(this.finish);
    this.finish = setTimeout(() => emit(this, 'animationfinish', detail), number(this, 'duration', 500));
  }
  render() {
    const items = this.items;
    const axis = this.vertical ? 'Y' : 'X';
    this.track.style.transform = `translate${axis}(${-this.current * 100}%)`;
    items.forEach((item, i) => {
      item.setAttribute('role', 'group');
      item.setAttribute('aria-roledescription', 'slide');
      item.setAttribute('aria-label', `${i + 1} of ${items.length}`);
      item.setAttribute('aria-hidden', String(i !== this.current));
    });
    this.dots.hidden = !flag(this, 'indicatorDots');
    if (this.dots.children.length !== items.length) {
      this.dots.replaceChildren(...items.map((_, i) => {
        const dot = document.createElement('button');
        dot.type = 'button';
        dot.setAttribute('aria-label', `Slide ${i + 1}`);
        dot.addEventListener('click', () => this.go(i, 'touch'));
        return dot;
      }));
    }
    [...this.dots.children].forEach((dot, i) => dot.setAttribute('aria-current', String(i === this.current)));
  }
  dragStart(e) {
    if (e.button !== 0) return;
    this.drag = { x: e.clientX, y: e.clientY, moved: 0 };
  }
  dragMove(e) {
    if (!this.drag || !e.buttons) return;
    const delta = this.vertical ? e.clientY - this.drag.y : e.clientX - this.drag.x;
    if (!this.dragging && Math.abs(delta) < 6) return;
    // Once it is a swipe, the rest of the gesture is the swiper's.
    if (!this.dragging) this.setPointerCapture?.(e.pointerId);
    this.dragging = true;
    this.drag.moved = delta;
    this.track.classList.add('dragging');
    const size = this.vertical ? this.clientHeight : this.clientWidth;
    const axis = this.vertical ? 'Y' : 'X';
    this.track.style.transform = `translate${axis}(calc(${-this.current * 100}% + ${delta}px))`;
    emit(this, 'transition', { dx: this.vertical ? 0 : -delta, dy: this.vertical ? -delta : 0, size });
  }
  dragEnd() {
    if (!this.drag) return;
    const moved = this.drag.moved;
    this.drag = null;
    if (!this.dragging) return;
    this.dragging = false;
    this.swiped = true;
    setTimeout(() => { this.swiped = false; });
    this.track.classList.remove('dragging');
    const size = this.vertical ? this.clientHeight : this.clientWidth;
    if (Math.abs(moved) > size * 0.2) this.go(this.current + (moved < 0 ? 1 : -1), 'touch');
    else this.render();
  }
}

// ---- movable-area and movable-view -----------------------------------------------------------

class WxMovableView extends HTMLElement {
  static observedAttributes = lower(['x', 'y', 'direction', 'disabled']);
  constructor() {
    super();
    this.x = 0;
    this.y = 0;
    this.addEventListener('pointerdown', (e) => {
      if (flag(this, 'disabled') || this.direction === 'none') return;
      this.setPointerCapture?.(e.pointerId);
      this.drag = { x: e.clientX - this.x, y: e.clientY - this.y };
    });
    this.addEventListener('pointermove', (e) => {
      if (!this.drag || !e.buttons) return;
      this.moveTo(e.clientX - this.drag.x, e.clientY - this.drag.y, 'touch');
    });
    const end = () => { this.drag = null; };
    this.addEventListener('pointerup', end);
    this.addEventListener('pointercancel', end);
    this.addEventListener('keydown', (e) => {
      const step = { ArrowLeft: [-10, 0], ArrowRight: [10, 0], ArrowUp: [0, -10], ArrowDown: [0, 10] }[e.key];
      if (step && !flag(this, 'disabled')) { e.preventDefault(); this.moveTo(this.x + step[0], this.y + step[1], 'touch'); }
    });
  }
  connectedCallback() {
    this.setAttribute('role', 'button');
    this.setAttribute('aria-roledescription', 'movable');
    if (!this.hasAttribute('aria-label')) this.setAttribute('aria-label', 'Movable view');
    if (!this.hasAttribute('tabindex')) this.tabIndex = 0;
    later(() => this.moveTo(number(this, 'x', 0), number(this, 'y', 0), ''));
  }
  get direction() { return this.getAttribute('direction') || 'none'; }
  attributeChangedCallback(name) {
    if (name === 'x' || name === 'y') later(() => this.moveTo(number(this, 'x', this.x), number(this, 'y', this.y), ''));
  }
  /** Moves within the area's bounds (unless out-of-bounds) along the allowed direction. */
  moveTo(x, y, source) {
    const direction = this.direction;
    if (source === 'touch') {
      if (direction === 'vertical') x = this.x;
      if (direction === 'horizontal') y = this.y;
    }
    const area = this.closest('wx-movable-area') || this.parentElement;
    if (area && !flag(this, 'outOfBounds')) {
      x = Math.max(0, Math.min(x, area.clientWidth - this.offsetWidth));
      y = Math.max(0, Math.min(y, area.clientHeight - this.offsetHeight));
    }
    const changed = x !== this.x || y !== this.y;
    this.x = x;
    this.y = y;
    this.style.transform = `translate(${x}px, ${y}px)`;
    if (changed && source) emit(this, 'change', { x, y, source });
  }
}

class WxCoverView extends HTMLElement {}

export function defineLayoutComponents(define) {
  define('wx-scroll-view', WxScrollView);
  define('wx-swiper', WxSwiper);
  define('wx-movable-view', WxMovableView);
  define('wx-cover-view', WxCoverView);
}
