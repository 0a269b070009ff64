// The mini-program container: slides up over the host, shows the session's pages (one Shadow
// DOM each), its navigation bar, capsule menu and tabBar, and speaks to the server's session
// over a WebSocket (session-socket.js): patches in, events out.

import { applyPatches, buildAll, countDom, countTree, datasetOf, nodeAt, pathOf } from './view.js';
import { HAS_SCHEME, VIEW_EVENTS, baseStyle, defineComponents, packagePath } from './components.js';
import { PRESS_SLOP, cssColor, reducedMotion } from './form-components.js';
import { askToLogIn } from './account.js';
import { scanSheet } from './scan.js';
import { cashierSheet } from './cashier.js';
import { appIcon, modalDialog } from './sheet.js';
import { SessionSocket } from './session-socket.js';

defineComponents();

const LONGPRESS_MS = 350;
// The height (px) of the loading area a page pull-down opens, as in WeChat.
const PULL_HEIGHT = 50;
// WeChat's default scroll duration for wx.pageScrollTo.
const SCROLL_MS = 300;
// Longest a page transition may take; a transition that never reports its end still finishes.
const TRANSITION_MS = 400;
// What the person waits to see answered (a tap, a key, a choice): the frame after it waits a
// little for the session's answer (session-socket.js). Streams (moves, scrolls, drags, media
// progress) and what happens by itself (an image loading, a swiper's autoplay) hold no frame.
const AWAITED_EVENTS = new Set([
  'tap', 'longpress', 'longtap', 'touchstart', 'touchend', 'touchcancel', 'input', 'confirm', 'change',
  'columnchange', 'submit', 'reset', 'focus', 'blur', 'cancel',
]);

// Whether the person is doing something now: set as a press, a key or a choice starts and
// cleared once the task that dispatched it is over.
let personActing = false;
for (const type of ['pointerdown', 'pointerup', 'click', 'keydown', 'keyup', 'change', 'submit']) {
  window.addEventListener(type, (event) => {
    if (!event.isTrusted || personActing) return;
    personActing = true;
    setTimeout(() => { personActing = false; });
  }, { capture: true });
}

function awaited(message) {
  if (message.type === 'event') return AWAITED_EVENTS.has(message.event) && message.detail?.source !== 'autoplay';
  if (message.type === 'pageEvent') return !['onPageScroll', 'onReachBottom'].includes(message.name);
  // A reply answers the person when they just chose (the modal's OK, an action sheet's item);
  // one the container makes by itself (a toast shown, a title set) holds no frame.
  if (message.type === 'reply') return personActing;
  return true;
}

// The host app this page plays (the server names it on <body>): sessions and share codes carry it.
const HOST = document.body.dataset.host || 'douyin';

/** A plain button for the host's own sheets and dialogs. */
function button(text, { className, role } = {}, onClick) {
  const element = document.createElement('button');
  element.type = 'button';
  element.textContent = text;
  if (className) element.className = className;
  if (role) element.setAttribute('role', role);
  element.addEventListener('click', onClick);
  return element;
}

/** Calls `done` once `element`'s transition ends (or after TRANSITION_MS, when none runs). */
function afterTransition(element, done) {
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    element.removeEventListener('transitionend', ended);
    done();
  };
  const ended = (event) => { if (event.target === element) finish(); };
  element.addEventListener('transitionend', ended);
  setTimeout(finish, TRANSITION_MS);
}

/** How the page stack changed: a push, a back, a swap (redirect, tab, relaunch) or nothing. */
function stackChange(before, after) {
  const prefix = (short, long) => short.every((id, i) => long[i] === id);
  if (before.length === 0 || before.join() === after.join()) return 'none';
  if (after.length === before.length + 1 && prefix(before, after)) return 'push';
  if (after.length < before.length && prefix(after, before)) return 'back';
  return 'swap';
}

/** Scrolls `element` to `top` over `duration` ms, easing in and out; resolves when there. */
function scrollSmoothly(element, top, duration) {
  const from = element.scrollTop;
  const to = Math.max(0, Math.min(top, element.scrollHeight - element.clientHeight));
  if (duration <= 0 || from === to) {
    element.scrollTop = to;
    return Promise.resolve();
  }
  return new Promise((done) => {
    const start = performance.now();
    let finished = false;
    const finish = () => { if (!finished) { finished = true; element.scrollTop = to; done(); } };
    const step = (now) => {
      if (finished) return;
      const t = Math.min(1, Math.max(0, (now - start) / duration));
      const eased = t < 0.5 ? 2 * t * t : 1 - (-2 * t + 2) ** 2 / 2;
      element.scrollTop = from + (to - from) * eased;
      if (t < 1) requestAnimationFrame(step); else finish();
    };
    requestAnimationFrame(step);
    // A page in a background tab gets no frames: it still arrives.
    setTimeout(finish, duration + 200);
  });
}

/**
 * Whether `element` or an ancestor (up to `root`) binds `type` (`bindtap`, `catch:tap`,
 * `capture-bind:tap`, …). The session runs handlers only where they are bound, so an event no
 * one binds need not make the round trip (touches on every press would delay the tap).
 */
const BINDING_PATTERNS = new Map(); // event type → the attribute names that bind it
function binds(element, type, root) {
  let pattern = BINDING_PATTERNS.get(type);
  if (!pattern) {
    pattern = new RegExp(`^(capture-)?(bind|catch|mut-bind):?${type}$`);
    BINDING_PATTERNS.set(type, pattern);
  }
  for (let node = element; node && node !== root; node = node.parentNode) {
    for (const { name } of node.attributes || []) {
      if (pattern.test(name)) return true;
    }
  }
  return false;
}

/**
 * Arrow keys, Home and End for a `role="menu"`: focus moves between its menu items, as the
 * ARIA menu pattern asks (the row of the capsule menu and the action sheet's column alike).
 */
function menuKeys(menu) {
  return (e) => {
    const items = [...menu.querySelectorAll('[role="menuitem"]')];
    const at = items.indexOf(document.activeElement);
    const next = { ArrowDown: at + 1, ArrowRight: at + 1, ArrowUp: at - 1, ArrowLeft: at - 1, Home: 0, End: items.length - 1 }[e.key];
    if (next === undefined || items.length === 0) return;
    e.preventDefault();
    items[(next + items.length) % items.length].focus({ preventScroll: true });
  };
}

export async function openMiniProgram({ appid, path = '', query = '' }, opener = document.activeElement) {
  const response = await fetch('/api/sessions', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ appid, path, query, host: HOST }),
  });
  const opened = await response.json();
  if (!response.ok) throw new Error(opened.error || 'cannot open the mini-program');
  return new Container(opened, { appid, path, query }, opener);
}

class Container {
  constructor(opened, launch, opener) {
    this.launch = launch;
    // Focus returns here when the mini-program closes.
    this.opener = opener;
    this.config = opened.config;
    this.session = opened.session;
    this.files = `/api/sessions/${opened.session}/files/`;
    this.pages = new Map(); // page id → { element, root, route, title }
    this.stack = [];
    this.overlays = new Map(); // mask → what dismissing it does (tap outside, Escape)
    this.element = this.frame();
    document.getElementById('containers').appendChild(this.element);
    const page = this.page(opened.page, opened.stack.at(-1).route);
    this.addStyle(page, opened.style);
    page.root.innerHTML = opened.html;
    // HTML merges adjacent text nodes; rebuild from the tree when the frame does not match it.
    if (countDom(page.root) !== countTree(opened.tree)) buildAll(opened.tree, page.root);
    this.showStack(opened.stack);
    this.element.focus({ preventScroll: true });
    this.keys = (e) => this.key(e);
    document.addEventListener('keydown', this.keys);
    this.connect();
  }

  frame() {
    const element = document.createElement('section');
    // Open from its first frame: it slides up by an animation, so nothing waits a frame for it.
    element.className = 'container open';
    element.setAttribute('role', 'dialog');
    element.setAttribute('aria-modal', 'true');
    element.setAttribute('aria-label', this.config.name);
    element.tabIndex = -1;
    element.innerHTML = `
      <header class="navbar">
        <button type="button" class="back" aria-label="Back" hidden>‹</button>
        <button type="button" class="home" aria-label="Home" hidden>⌂</button>
        <h1 class="title"></h1>
      </header>
      <div class="capsule-menu">
        <button type="button" class="more" aria-label="More">···</button>
        <button type="button" class="close" aria-label="Close">◯</button>
      </div>
      <div class="pages">
        <div class="pull-refresh" role="status">
          <span class="dots" aria-hidden="true"><i></i><i></i><i></i></span>
          <span class="label visually-hidden"></span>
        </div>
      </div>
      <nav class="tabbar" aria-label="Tabs" hidden></nav>`;
    this.navbar = element.querySelector('.navbar');
    this.titleElement = element.querySelector('.title');
    this.backButton = element.querySelector('.back');
    this.homeButton = element.querySelector('.home');
    this.pagesElement = element.querySelector('.pages');
    this.tabbar = element.querySelector('.tabbar');
    this.refresh = element.querySelector('.pull-refresh');
    this.backButton.addEventListener('click', () => this.send({ type: 'back' }));
    this.homeButton.addEventListener('click', () => this.send({ type: 'route', method: 'reLaunch', url: '/' + this.homeRoute() }));
    element.querySelector('.close').addEventListener('click', () => this.close());
    element.querySelector('.more').addEventListener('click', () => this.menu());
    this.buildTabBar();
    return element;
  }

  // The first page of app.json (or its entryPagePath): where the home button goes.
  homeRoute() {
    return this.config.entry || Object.keys(this.config.pages || {})[0] || '';
  }

  page(id, route) {
    let page = this.pages.get(id);
    if (page) return page;
    const element = document.createElement('div');
    element.className = 'page';
    // Shown by showStack once the stack names it (a render may come first).
    element.hidden = true;
    element.dataset.route = route;
    element.dataset.page = id;
    // Where the page's pictures come from: the package the session runs.
    element.dataset.files = this.files;
    const shadow = element.attachShadow({ mode: 'open' });
    shadow.innerHTML = `<style>${baseStyle} :host{display:block} wx-page{display:block;min-height:100%}</style><wx-page></wx-page>`;
    const root = shadow.querySelector('wx-page');
    page = { id, element, root, route, title: null, styles: new Set() };
    this.pages.set(id, page);
    this.pagesElement.appendChild(element);
    this.listen(page);
    this.watchPullDown(page);
    element.addEventListener('scroll', () => this.scrolled(page));
    return page;
  }

  // A page's compiled WXSS; the same sheet is added once.
  addStyle(page, css) {
    if (!css || page.styles.has(css)) return;
    page.styles.add(css);
    const style = document.createElement('style');
    style.textContent = css;
    page.root.before(style);
  }

  window(route) {
    return (this.config.pages && this.config.pages[route]) || {};
  }

  // ---- the page stack, its transitions and the navigation bar ------------------------------

  showStack(stack) {
    const change = stackChange(this.stack.map((p) => p.id), stack.map((p) => p.id));
    const previous = this.top();
    this.stack = stack;
    const live = new Set(stack.map((p) => p.id));
    const liveRoutes = new Set(stack.map((p) => p.route));
    for (const [id, page] of this.pages) {
      if (live.has(id)) continue;
      // A tab page the person switched away from stays alive in the session (as in WeChat) and
      // comes back without a new render: keep it, hidden, until another page takes its route.
      if (this.tabOf(page.route) && !liveRoutes.has(page.route)) {
        page.element.hidden = true;
        continue;
      }
      this.pages.delete(id);
      this.removePage(page, change === 'back' && page === previous);
    }
    const top = stack.at(-1);
    if (!top) return;
    const topPage = this.page(top.id, top.route);
    for (const info of stack) {
      const page = this.page(info.id, info.route);
      if (page !== topPage && !(change === 'push' && page === previous)) page.element.hidden = true;
    }
    if (change === 'push' && previous) this.slideIn(topPage, previous);
    else topPage.element.hidden = false;
    if (this.refreshing && this.refreshing !== topPage) this.stopPullDown();
    this.showBar(topPage, top.route);
    this.showTabs(top.route);
    this.homeButton.hidden = !(stack.length === 1 && top.route !== this.homeRoute() && !this.tabOf(top.route));
    this.backButton.hidden = stack.length < 2;
  }

  // A push: the new page slides in from the right over the one it covers.
  slideIn(page, covered) {
    page.element.hidden = false;
    if (reducedMotion()) { covered.element.hidden = true; return; }
    page.element.classList.add('entering');
    covered.element.classList.add('covered');
    page.element.getBoundingClientRect(); // the start position, before it moves
    page.element.classList.remove('entering');
    afterTransition(page.element, () => {
      if (this.top() !== covered) covered.element.hidden = true;
      covered.element.classList.remove('covered');
    });
  }

  // A page leaves the stack: after a back it slides out to the right; otherwise it just goes.
  removePage(page, slide) {
    if (!slide || reducedMotion()) { page.element.remove(); return; }
    page.element.inert = true;
    page.element.classList.add('leaving');
    afterTransition(page.element, () => page.element.remove());
  }

  showBar(page, route) {
    const window = this.window(route);
    const custom = window.navigationStyle === 'custom';
    this.navbar.hidden = custom;
    this.element.classList.toggle('custom-navigation', custom);
    this.titleElement.textContent = page.title ?? window.navigationBarTitleText ?? this.config.name;
    this.navbar.style.backgroundColor = page.barColor ?? window.navigationBarBackgroundColor ?? '#000000';
    const front = page.textColor ?? window.navigationBarTextStyle ?? 'white';
    this.navbar.style.color = front === 'white' ? '#ffffff' : '#000000';
    // The capsule suits the bar it sits on (with a custom bar, the page's colours under it).
    this.element.dataset.front = front;
  }

  // ---- the tabBar ------------------------------------------------------------------------------

  buildTabBar() {
    const tabBar = this.config.tabBar;
    this.tabs = [];
    if (!tabBar || !Array.isArray(tabBar.list)) return;
    this.tabStyle = { color: '#7a7e83', selectedColor: '#07c160', backgroundColor: '#ffffff', borderStyle: 'black' };
    this.setTabStyle(tabBar);
    tabBar.list.forEach((item, index) => {
      const route = String(item.pagePath).replace(/^\//, '').replace(/\.\w+$/, '');
      const element = button('', { className: 'tab' }, () => this.send({ type: 'switchTab', url: '/' + route }));
      element.innerHTML = '<img class="tab-icon" alt="" hidden><span class="tab-text"></span>'
        + '<span class="tab-badge" hidden></span><span class="tab-dot" hidden></span>';
      element.dataset.route = route;
      this.tabs.push({ route, element, text: item.text || item.pagePath, iconPath: item.iconPath, selectedIconPath: item.selectedIconPath });
      this.tabbar.appendChild(element);
      this.drawTab(this.tabs[index]);
    });
  }

  tabOf(route) {
    return this.tabs.find((tab) => tab.route === route);
  }

  // The tabBar shows on tab pages only (unless wx.hideTabBar hid it), the current tab selected.
  showTabs(route) {
    this.tabbar.hidden = !this.tabOf(route) || this.tabBarHidden;
    for (const tab of this.tabs) {
      if (tab.route === route) tab.element.setAttribute('aria-current', 'page'); else tab.element.removeAttribute('aria-current');
      this.drawTab(tab);
    }
  }

  drawTab(tab) {
    const selected = tab.element.getAttribute('aria-current') === 'page';
    tab.element.querySelector('.tab-text').textContent = tab.text;
    // The tab is named by its text; a badge or red dot describes it rather than renaming it.
    tab.element.setAttribute('aria-label', tab.text);
    const icon = tab.element.querySelector('.tab-icon');
    // Tab icons are the package's own pictures: WeChat takes no network images here.
    const path = [(selected && tab.selectedIconPath) || tab.iconPath].find((p) => p && !HAS_SCHEME.test(String(p)));
    icon.hidden = !path;
    // Without an icon, the badge sits beside the text instead of on the icon's corner.
    tab.element.classList.toggle('text-only', !path);
    if (path) icon.src = packagePath(this.files, '', String(path));
  }

  setTabStyle(style) {
    for (const key of ['color', 'selectedColor', 'backgroundColor']) {
      const color = cssColor(style[key]);
      if (color) this.tabStyle[key] = color;
    }
    if (style.borderStyle === 'white' || style.borderStyle === 'black') this.tabStyle.borderStyle = style.borderStyle;
    const { color, selectedColor, backgroundColor, borderStyle } = this.tabStyle;
    this.tabbar.style.setProperty('--tab-color', color);
    this.tabbar.style.setProperty('--tab-selected-color', selectedColor);
    this.tabbar.style.backgroundColor = backgroundColor;
    // WeChat's two border styles: a dark hairline or a light one.
    this.tabbar.style.borderTopColor = borderStyle === 'white' ? 'rgba(255, 255, 255, 0.33)' : 'rgba(0, 0, 0, 0.33)';
  }

  // The tabBar APIs; each answers an error the way WeChat does when the index is wrong.
  tabBarCall(api, args) {
    if (!this.tabs.length) return 'no tabBar';
    if (api === 'showTabBar' || api === 'hideTabBar') {
      this.tabBarHidden = api === 'hideTabBar';
      this.showTabs(this.stack.at(-1)?.route);
      return null;
    }
    if (api === 'setTabBarStyle') { this.setTabStyle(args); return null; }
    const tab = this.tabs[Number(args.index)];
    if (!tab) return 'tabbar item not found';
    const badge = tab.element.querySelector('.tab-badge');
    const dot = tab.element.querySelector('.tab-dot');
    switch (api) {
      case 'setTabBarBadge': badge.textContent = String(args.text ?? ''); badge.hidden = false; dot.hidden = true; break;
      case 'removeTabBarBadge': badge.hidden = true; badge.textContent = ''; break;
      case 'showTabBarRedDot': dot.hidden = false; badge.hidden = true; break;
      case 'hideTabBarRedDot': dot.hidden = true; break;
      case 'setTabBarItem':
        for (const key of ['text', 'iconPath', 'selectedIconPath']) if (args[key] !== undefined) tab[key] = String(args[key]);
        this.drawTab(tab);
        break;
    }
    const note = !badge.hidden ? badge.textContent : !dot.hidden ? 'new' : '';
    if (note) tab.element.setAttribute('aria-description', note); else tab.element.removeAttribute('aria-description');
    return null;
  }

  // ---- the socket --------------------------------------------------------------------------

  connect() {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    this.socket = new SessionSocket(`${scheme}://${location.host}/api/sessions/${this.session}/socket`, (message) => this.receive(message));
  }

  send(message) {
    if (this.socket) this.socket.send(JSON.stringify(message), awaited(message));
  }

  receive(message) {
    switch (message.kind) {
      case 'render': {
        // (The first page's launch render never comes: the response that opened it showed it.)
        const route = this.stack.find((p) => p.id === message.page)?.route || '';
        buildAll(message.tree, this.page(message.page, route).root);
        break;
      }
      case 'style': {
        const route = this.stack.find((p) => p.id === message.page)?.route || '';
        this.addStyle(this.page(message.page, route), message.css);
        break;
      }
      case 'patches': {
        const page = this.pages.get(message.page);
        if (page) applyPatches(page.root, message.patches);
        this.element.dataset.patched = String(Number(this.element.dataset.patched || 0) + 1);
        break;
      }
      case 'stack': this.showStack(message.pages); break;
      case 'value': {
        // An input handler returned new text for its field (WeChat's bindinput return value).
        const page = this.pages.get(message.page);
        const field = page && nodeAt(page.root, message.path);
        if (field && field.replaceValue) field.replaceValue(message.value, message.typed);
        break;
      }
      case 'call': this.hostCall(message); break;
      case 'pageEventResult':
        // The page's answer is `value.result` (nothing when it has no handler).
        if (message.name === 'onShareAppMessage') this.share(message.value?.result || {});
        break;
      case 'stopped': this.stopped(message.text); break;
      case 'error': console.warn('mini-program error:', message.text); break;
      case 'log': console.log('[mini-program]', message.text); break;
    }
  }

  top() {
    const top = this.stack.at(-1);
    return top && this.pages.get(top.id);
  }

  // ---- events from the person to the session --------------------------------------------

  listen(page) {
    const root = page.root;
    const target = (event) => {
      for (const node of event.composedPath()) {
        if (node === root) return null;
        if (node.nodeType === 1 && pathOf(node, root)) return node;
      }
      return null;
    };
    // Touch points as WeChat gives them: relative to the page (pageX/Y, scrolled) and to its
    // viewport (clientX/Y), not to the host document.
    const touchesOf = (event) => {
      if (event.clientX === undefined) return [];
      const box = page.element.getBoundingClientRect();
      const clientX = event.clientX - box.left;
      const clientY = event.clientY - box.top;
      return [{ identifier: event.pointerId ?? 0, pageX: clientX + page.element.scrollLeft, pageY: clientY + page.element.scrollTop, clientX, clientY }];
    };
    const point = (event) => {
      const [touch] = touchesOf(event);
      return touch ? { x: touch.pageX, y: touch.pageY } : {};
    };
    const send = (event, type, detail, element = target(event)) => {
      if (!element || !binds(element, type, root)) return;
      const touches = touchesOf(event);
      this.send({
        type: 'event', page: page.id, path: pathOf(element, root), event: type, detail,
        touches: type === 'touchend' || type === 'touchcancel' ? [] : touches, changedTouches: touches, dataset: datasetOf(element),
      });
    };
    // One press at a time: where it started, whether it moved or was held long. Its moves and
    // its end are followed on the window: a sheet the long press opened may be under the finger.
    let press = null;
    root.addEventListener('pointerdown', (e) => {
      if (e.button > 0) return;
      const element = target(e);
      const current = { element, x: e.clientX, y: e.clientY, moved: false, held: false, cancelled: false };
      press = current;
      send(e, 'touchstart', {}, element);
      current.timer = setTimeout(() => {
        current.held = true;
        send(e, 'longpress', point(e), element);
        send(e, 'longtap', point(e), element);
      }, LONGPRESS_MS);
      const move = (m) => {
        if (m.pointerId !== e.pointerId) return;
        if (!current.moved && Math.hypot(m.clientX - current.x, m.clientY - current.y) > PRESS_SLOP) {
          current.moved = true;
          clearTimeout(current.timer);
        }
        send(m, 'touchmove', {}, element);
      };
      const end = (u) => {
        if (u.pointerId !== e.pointerId) return;
        window.removeEventListener('pointermove', move);
        window.removeEventListener('pointerup', end);
        window.removeEventListener('pointercancel', end);
        clearTimeout(current.timer);
        current.cancelled = u.type === 'pointercancel';
        send(u, current.cancelled ? 'touchcancel' : 'touchend', {}, element);
        // The click (if any) comes in the same task; a later keyboard click is no touch's.
        setTimeout(() => { if (press === current) press = null; });
      };
      window.addEventListener('pointermove', move);
      window.addEventListener('pointerup', end);
      window.addEventListener('pointercancel', end);
    });
    root.addEventListener('click', (e) => {
      const ended = e.detail > 0 ? press : null;
      press = null;
      // A drag or an interrupted touch is no tap; after a long press, the tap goes only when
      // no one listens for the long press (as in WeChat).
      if (ended && (ended.moved || ended.cancelled)) return;
      if (ended && ended.held && binds(ended.element, 'longpress', root)) return;
      const element = target(e);
      send(e, 'tap', point(e), element);
      const navigator = element && element.closest('wx-navigator');
      if (navigator) this.navigate(navigator);
      // A share button asks the page what to share, as the menu's Share does.
      const share = element && element.closest('wx-button[openType="share"]');
      if (share && !share.inactive) {
        this.send({ type: 'pageEvent', name: 'onShareAppMessage', arg: { from: 'button', target: { id: share.id, dataset: datasetOf(share) } } });
      }
    });
    root.addEventListener('input', (e) => {
      const input = e.composedPath().find((n) => n.localName === 'wx-input' || n.localName === 'wx-textarea');
      if (input) send(e, 'input', { value: input.value, cursor: input.cursor ?? input.value.length, keyCode: 0 }, input);
    });
    for (const type of VIEW_EVENTS) {
      root.addEventListener('wx-' + type, (e) => send(e, type, e.detail));
    }
  }

  navigate(element) {
    // A navigator aimed at a mini-program (exit, or another app) handles its own tap.
    if (element.getAttribute('target') === 'miniProgram') return;
    const url = element.getAttribute('url');
    const openType = element.getAttribute('openType') || 'navigate';
    const method = { navigate: 'navigateTo', redirect: 'redirectTo', switchTab: 'switchTab', reLaunch: 'reLaunch', navigateBack: 'navigateBack' }[openType];
    if (method === 'navigateBack') this.send({ type: 'back', delta: Number(element.getAttribute('delta')) || 1 });
    else if (method === 'switchTab') this.send({ type: 'switchTab', url });
    else if (method && url) this.send({ type: 'route', method, url });
  }

  scrolled(page) {
    const el = page.element;
    if (this.scrollPending) return;
    this.scrollPending = true;
    requestAnimationFrame(() => {
      this.scrollPending = false;
      this.send({ type: 'pageEvent', name: 'onPageScroll', arg: { scrollTop: el.scrollTop } });
      const distance = Number(this.window(page.route).onReachBottomDistance ?? 50);
      if (el.scrollHeight - el.scrollTop - el.clientHeight <= distance) {
        if (!page.atBottom) this.send({ type: 'pageEvent', name: 'onReachBottom', arg: null });
        page.atBottom = true;
      } else page.atBottom = false;
    });
  }

  // ---- pull-down refresh ---------------------------------------------------------------------

  // A page whose window enables it is pulled down at its top (mouse, pen or finger): past the
  // loading area's height, a release refreshes it.
  watchPullDown(page) {
    const element = page.element;
    element.addEventListener('pointerdown', (e) => {
      if (e.button > 0 || !this.window(page.route).enablePullDownRefresh || this.refreshing) return;
      if (element.scrollTop > 0 || this.top() !== page) return;
      // A scroll-view (with its own refresher) or a movable view keeps its own drags.
      if (e.composedPath().some((n) => n.localName === 'wx-scroll-view' || n.localName === 'wx-movable-view')) return;
      this.startPull(page, e);
    });
    // A finger's pull must not scroll the host instead.
    element.addEventListener('touchmove', (e) => { if (this.pull && this.pull.distance > 0) e.preventDefault(); }, { passive: false });
  }

  startPull(page, down) {
    const pull = { page, y: down.clientY, distance: 0 };
    this.pull = pull;
    this.paintRefresh(page);
    const move = (e) => {
      if (e.pointerId !== down.pointerId) return;
      // Half the finger's travel, as the page resists the pull.
      pull.distance = Math.min(Math.max(0, (e.clientY - pull.y) / 2), PULL_HEIGHT * 2);
      this.element.classList.toggle('pulling', pull.distance > 0);
      page.element.style.transform = pull.distance > 0 ? `translateY(${pull.distance}px)` : '';
    };
    const release = (e) => {
      // Another finger lifting does not end this one's pull.
      if (e.pointerId !== down.pointerId) return;
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', release);
      window.removeEventListener('pointercancel', release);
      this.pull = null;
      this.element.classList.remove('pulling');
      if (pull.distance >= PULL_HEIGHT) this.pullDown();
      else if (pull.distance > 0) this.settle(page, '');
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', release);
    window.addEventListener('pointercancel', release);
  }

  // The loading area takes the window's background colour and text style.
  paintRefresh(page) {
    const window = this.window(page.route);
    this.refresh.style.backgroundColor = page.backgroundColor ?? window.backgroundColor ?? '#ffffff';
    this.refresh.dataset.style = window.backgroundTextStyle === 'light' ? 'light' : 'dark';
  }

  // The page eases to `transform` (open at the loading area's height, or closed).
  settle(page, transform) {
    page.element.style.transform = transform;
  }

  pullDown() {
    const page = this.top();
    if (!page || this.refreshing) return;
    this.refreshing = page;
    this.paintRefresh(page);
    page.element.scrollTop = 0;
    this.settle(page, `translateY(${PULL_HEIGHT}px)`);
    this.refresh.classList.add('active');
    this.refresh.querySelector('.label').textContent = 'Refreshing';
    this.send({ type: 'pageEvent', name: 'onPullDownRefresh', arg: null });
  }

  stopPullDown() {
    const page = this.refreshing;
    this.refreshing = null;
    this.refresh.classList.remove('active');
    this.refresh.querySelector('.label').textContent = '';
    if (page) this.settle(page, '');
  }

  // ---- host calls from the session ----------------------------------------------------------

  reply(id, ok, value, reason) {
    this.send({ type: 'reply', id, ok, value, reason });
  }

  hostCall({ id, api, args }) {
    const page = this.top();
    switch (api) {
      case 'showToast':
        this.toast('toast', { title: args.title || '', icon: args.icon ?? 'success', mask: args.mask === true }, args.duration ?? 1500);
        return this.reply(id, true, {});
      case 'showLoading':
        this.toast('loading', { title: args.title || '', icon: 'loading', mask: args.mask === true }, 0);
        return this.reply(id, true, {});
      // Each hides only its own kind: a toast shown since is not the loading's to hide.
      case 'hideToast': this.removeToast('toast'); return this.reply(id, true, {});
      case 'hideLoading': this.removeToast('loading'); return this.reply(id, true, {});
      case 'showModal': return this.modal(args, (answer) => this.reply(id, true, answer));
      case 'showActionSheet': return this.actionSheet(args, (index) =>
        index === null ? this.reply(id, false, null, 'cancel') : this.reply(id, true, { tapIndex: index }));
      case 'setNavigationBarTitle':
        if (page) page.title = String(args.title ?? '');
        this.showStack(this.stack);
        return this.reply(id, true, {});
      case 'setNavigationBarColor': {
        // As in WeChat: the text is white or black, the background a hex colour.
        const front = String(args.frontColor ?? '').toLowerCase();
        const background = String(args.backgroundColor ?? '');
        if (front !== '#ffffff' && front !== '#000000') return this.reply(id, false, null, 'invalid frontColor');
        if (!/^#[0-9a-f]{6}$/i.test(background)) return this.reply(id, false, null, 'invalid backgroundColor');
        if (page) {
          page.barColor = background;
          page.textColor = front === '#ffffff' ? 'white' : 'black';
        }
        this.showStack(this.stack);
        return this.reply(id, true, {});
      }
      // tt.login / wx.login when no one is logged in: the host asks the person to.
      case 'login':
        return askToLogIn(this.element, `${this.config.name} asks you to log in`)
          .then((ok) => (ok ? this.reply(id, true, {}) : this.reply(id, false, null, 'cancel')));
      case 'startPullDownRefresh': this.pullDown(); return this.reply(id, true, {});
      case 'stopPullDownRefresh': this.stopPullDown(); return this.reply(id, true, {});
      // tt.scanCode / wx.scanCode: the host's scanner; the code's text goes back.
      case 'scanCode':
        return scanSheet(this.element, { allowPictures: !args.onlyFromCamera }).then((answer) => {
          if (!answer) return this.reply(id, false, null, 'cancel');
          const target = answer.target;
          const path = target && target.appid === this.config.appid ? target.path + (target.query ? `?${target.query}` : '') : undefined;
          this.reply(id, true, { result: answer.result, scanType: answer.scanType, charSet: answer.charSet, rawData: btoa(unescape(encodeURIComponent(answer.result))), path });
        });
      // tt.getUserProfile / wx.getUserProfile: the person decides whether the app gets their name.
      case 'getUserProfile':
        return this.askForProfile(args).then((allowed) =>
          (allowed ? this.reply(id, true, {}) : this.reply(id, false, null, 'auth deny')));
      // tt.pay / wx.requestPayment / my.tradePay: the host's cashier.
      case 'pay':
        return cashierSheet(this.element, args).then((outcome) =>
          (outcome === 'paid' ? this.reply(id, true, {}) : this.reply(id, false, null, 'cancel')));
      case 'previewImage': {
        const urls = (Array.isArray(args.urls) ? args.urls : []).map(String);
        if (!urls.length) return this.reply(id, false, null, 'urls is empty');
        const start = Math.max(0, urls.indexOf(String(args.current ?? urls[0])));
        this.preview(urls.map((url) => packagePath(this.files, page ? page.route : '', url)), start);
        return this.reply(id, true, {});
      }
      case 'pageScrollTo': return this.scrollPage(page, args).then(
        () => this.reply(id, true, {}), (error) => this.reply(id, false, null, error.message));
      case 'showNavigationBarLoading': case 'hideNavigationBarLoading':
        this.titleElement.classList.toggle('loading', api === 'showNavigationBarLoading');
        return this.reply(id, true, {});
      // The menu's Share, per page, as WeChat's forward item.
      case 'showShareMenu': case 'hideShareMenu':
        if (page) page.shareHidden = api === 'hideShareMenu';
        return this.reply(id, true, {});
      case 'setBackgroundColor':
        if (page) page.backgroundColor = args.backgroundColor || args.backgroundColorTop || undefined;
        if (page) this.paintRefresh(page);
        return this.reply(id, true, {});
      case 'vibrateShort': case 'vibrateLong':
        if (navigator.vibrate) navigator.vibrate(api === 'vibrateShort' ? 15 : 400);
        return this.reply(id, true, {});
      case 'setTabBarBadge': case 'removeTabBarBadge': case 'showTabBarRedDot': case 'hideTabBarRedDot':
      case 'showTabBar': case 'hideTabBar': case 'setTabBarStyle': case 'setTabBarItem': {
        const error = this.tabBarCall(api, args);
        return error ? this.reply(id, false, null, error) : this.reply(id, true, {});
      }
      case 'exitMiniProgram':
        this.reply(id, true, {});
        return this.close();
      default: return this.reply(id, false, null, 'not supported by this host');
    }
  }

  // wx.pageScrollTo: to `scrollTop`, or to the element `selector` names in the page (plus
  // `offsetTop`), over `duration` ms.
  scrollPage(page, args) {
    if (!page) return Promise.reject(new Error('no page'));
    let top = Number(args.scrollTop || 0);
    if (args.selector) {
      let element = null;
      try { element = page.root.querySelector(String(args.selector)); } catch { /* an invalid selector finds nothing */ }
      if (!element) return Promise.reject(new Error(`no element matches ${args.selector}`));
      const box = page.element.getBoundingClientRect();
      top = element.getBoundingClientRect().top - box.top + page.element.scrollTop + Number(args.offsetTop || 0);
    }
    const duration = reducedMotion() ? 0 : Number(args.duration ?? SCROLL_MS);
    return scrollSmoothly(page.element, top, duration);
  }

  // wx.showToast and wx.showLoading share one place, as in WeChat: a new one replaces the old.
  // With `mask`, a transparent layer keeps taps off the page while it shows.
  toast(kind, { title, icon, mask }, duration) {
    this.removeToast();
    const layer = document.createElement('div');
    layer.className = mask ? 'toast-layer masked' : 'toast-layer';
    layer.dataset.kind = kind;
    const toast = document.createElement('div');
    toast.className = 'toast';
    toast.setAttribute('role', 'status');
    if (kind === 'loading') toast.setAttribute('aria-busy', 'true');
    const mark = { success: '✔', error: '✕', loading: '' }[icon];
    if (mark !== undefined) {
      const iconElement = document.createElement('span');
      iconElement.className = `toast-icon ${icon}`;
      iconElement.setAttribute('aria-hidden', 'true');
      iconElement.textContent = mark;
      toast.append(iconElement);
    }
    toast.append(title || (kind === 'loading' ? 'Loading' : ''));
    layer.append(toast);
    this.element.appendChild(layer);
    this.toastElement = layer;
    if (duration > 0) setTimeout(() => { if (this.toastElement === layer) this.removeToast(); }, duration);
  }

  removeToast(kind) {
    if (!this.toastElement || (kind && this.toastElement.dataset.kind !== kind)) return;
    this.toastElement.remove();
    this.toastElement = null;
  }

  // An overlay over the mini-program holding `content`, which takes the focus. With `dismiss`,
  // Escape (and, unless `outside` is false, a tap outside the content) closes it and calls
  // `dismiss`. Focus goes back where it was when it closes.
  overlay(content, dismiss, { outside = true } = {}) {
    const mask = document.createElement('div');
    mask.className = 'mask';
    mask.appendChild(content);
    let returnTo = document.activeElement;
    while (returnTo && returnTo.shadowRoot && returnTo.shadowRoot.activeElement) returnTo = returnTo.shadowRoot.activeElement;
    mask.returnFocus = () => { if (returnTo && returnTo.isConnected) returnTo.focus({ preventScroll: true }); };
    if (dismiss) {
      this.overlays.set(mask, dismiss);
      if (outside) mask.addEventListener('click', (e) => { if (e.target === mask) this.closeOverlay(mask, true); });
    }
    this.element.appendChild(mask);
    const first = content.querySelector('input, textarea, button');
    if (first) first.focus({ preventScroll: true });
    else { content.tabIndex = -1; content.focus({ preventScroll: true }); }
    return mask;
  }

  closeOverlay(mask, dismissed = false) {
    const dismiss = this.overlays.get(mask);
    this.overlays.delete(mask);
    mask.remove();
    mask.returnFocus();
    if (dismissed && dismiss) dismiss();
  }

  // Escape closes the topmost sheet or menu over the mini-program, not the mini-program.
  key(e) {
    const topmost = [...this.element.children].reverse().find((child) => child.classList.contains('mask'));
    if (!topmost) return;
    if (e.key !== 'Escape') { if (topmost.onKey) topmost.onKey(e); return; }
    if (this.overlays.has(topmost)) {
      e.preventDefault();
      this.closeOverlay(topmost, true);
    }
  }

  // wx.showModal: title, content (or, when `editable`, a box to write it in), Cancel and OK
  // with the app's texts and colours; answers {confirm, cancel[, content]}.
  modal(args, done) {
    const box = document.createElement('div');
    box.className = 'modal';
    box.setAttribute('role', 'alertdialog');
    box.setAttribute('aria-modal', 'true');
    box.setAttribute('aria-label', args.title || args.content || 'Dialog');
    const heading = document.createElement('h2');
    heading.textContent = args.title || '';
    box.append(heading);
    let input = null;
    if (args.editable) {
      input = document.createElement('textarea');
      input.className = 'modal-input';
      input.value = args.content || '';
      input.placeholder = args.placeholderText || '';
      input.setAttribute('aria-label', args.placeholderText || args.title || 'Content');
      box.append(input);
    } else {
      const content = document.createElement('p');
      content.textContent = args.content || '';
      box.append(content);
    }
    const actions = document.createElement('div');
    actions.className = 'actions';
    box.append(actions);
    const withCancel = args.showCancel !== false;
    const answer = (confirm) => {
      const value = { confirm, cancel: !confirm };
      if (input) value.content = confirm ? input.value : '';
      done(value);
    };
    // WeChat's modal stays up when its mask is tapped; Escape is Cancel.
    const mask = this.overlay(box, withCancel ? () => answer(false) : null, { outside: false });
    const choice = (text, className, color, confirm) => {
      const element = button(String(text).slice(0, 8), { className }, () => { this.closeOverlay(mask); answer(confirm); });
      element.style.color = color;
      actions.appendChild(element);
    };
    if (withCancel) choice(args.cancelText || 'Cancel', 'cancel', args.cancelColor || '#000000', false);
    choice(args.confirmText || 'OK', 'confirm', args.confirmColor || '#576b95', true);
    // The answer, or the text to write, has the focus.
    (input || actions.lastChild).focus({ preventScroll: true });
  }

  // wx.previewImage: the pictures full screen, one at a time; swipe, arrow keys or the
  // buttons move between them, a tap on the picture, Close or Escape returns to the page.
  preview(urls, start) {
    const viewer = document.createElement('div');
    viewer.className = 'preview';
    viewer.setAttribute('role', 'dialog');
    viewer.setAttribute('aria-modal', 'true');
    viewer.innerHTML = '<img><p class="count" aria-live="polite"></p><div class="actions"></div>';
    const image = viewer.querySelector('img');
    const count = viewer.querySelector('.count');
    const mask = this.overlay(viewer, () => {});
    mask.classList.add('dark');
    // The container's key handler passes the topmost overlay its keys.
    mask.onKey = (e) => {
      if (e.key === 'ArrowLeft') show(index - 1);
      else if (e.key === 'ArrowRight') show(index + 1);
    };
    let index = start;
    const show = (next) => {
      index = (next + urls.length) % urls.length;
      image.src = urls[index];
      const label = `Picture ${index + 1} of ${urls.length}`;
      image.alt = label;
      count.textContent = label;
      viewer.setAttribute('aria-label', label);
    };
    const close = () => this.closeOverlay(mask, true);
    const actions = viewer.querySelector('.actions');
    if (urls.length > 1) {
      actions.append(button('‹', {}, () => show(index - 1)), button('›', {}, () => show(index + 1)));
      actions.firstChild.setAttribute('aria-label', 'Previous picture');
      actions.lastChild.setAttribute('aria-label', 'Next picture');
    }
    actions.append(button('Close', { className: 'close-preview' }, close));
    actions.lastChild.focus({ preventScroll: true });
    let touchX = null;
    image.addEventListener('pointerdown', (e) => { touchX = e.clientX; });
    image.addEventListener('pointerup', (e) => {
      const moved = touchX === null ? 0 : e.clientX - touchX;
      touchX = null;
      if (Math.abs(moved) > 30) show(moved < 0 ? index + 1 : index - 1); else close();
    });
    show(start);
  }

  // The host's consent sheet: which app asks, why (the app's `desc`), and the name it would get.
  askForProfile({ desc, nickName }) {
    const label = `${this.config.name} asks for your profile`;
    const { mask, box } = modalDialog(this.element, { className: 'consent', label });
    box.innerHTML = '<h2></h2><p class="why"></p><p class="shared"></p><div class="actions"></div>';
    box.querySelector('h2').append(appIcon(this.config.icon), ` ${label}`);
    box.querySelector('.why').textContent = desc || '';
    box.querySelector('.shared').textContent = `Your nickname (${nickName}) and avatar`;
    return new Promise((done) => {
      const actions = box.querySelector('.actions');
      const answer = (text, className, allowed) =>
        actions.appendChild(button(text, { className }, () => { mask.remove(); done(allowed); }));
      answer('Deny', 'cancel', false);
      answer('Allow', 'confirm', true);
    });
  }

  // wx.showActionSheet: the items (in `itemColor`) and Cancel; Cancel, a tap outside or
  // Escape answers null.
  actionSheet({ itemList = [], itemColor, alertText }, done) {
    const sheet = document.createElement('div');
    sheet.className = 'sheet';
    sheet.setAttribute('role', 'menu');
    sheet.setAttribute('aria-label', alertText || 'Actions');
    if (alertText) {
      const title = document.createElement('p');
      title.className = 'sheet-title';
      title.textContent = alertText;
      sheet.append(title);
    }
    const items = document.createElement('div');
    items.className = 'sheet-items';
    sheet.append(items);
    const mask = this.overlay(sheet, () => done(null));
    const choose = (index) => { this.closeOverlay(mask); done(index); };
    itemList.forEach((text, index) => {
      const item = button(String(text), { role: 'menuitem' }, () => choose(index));
      if (itemColor) item.style.color = itemColor;
      items.appendChild(item);
    });
    sheet.appendChild(button('Cancel', { className: 'cancel', role: 'menuitem' }, () => choose(null)));
    mask.onKey = menuKeys(sheet);
    (items.firstChild || sheet.lastChild).focus({ preventScroll: true });
  }

  menu() {
    const menu = document.createElement('div');
    menu.className = 'menu';
    menu.setAttribute('role', 'menu');
    menu.setAttribute('aria-label', 'More');
    menu.innerHTML = '<p class="about"></p><div class="row"></div>';
    menu.querySelector('.about').append(appIcon(this.config.icon), ` ${this.config.name}`);
    const row = menu.querySelector('.row');
    const mask = this.overlay(menu, () => {});
    const item = (text, action) => row.appendChild(button(text, { role: 'menuitem' }, () => { this.closeOverlay(mask); action(); }));
    const top = this.top();
    if (!(top && top.shareHidden)) item('Share', () => this.send({ type: 'pageEvent', name: 'onShareAppMessage', arg: { from: 'menu' } }));
    item('QR code', () => this.share({}));
    item('About', () => this.about());
    item('Relaunch', () => this.relaunch());
    item('Cancel', () => {});
    mask.onKey = menuKeys(menu);
    row.firstChild.focus({ preventScroll: true });
  }

  // A box over the mini-program with a heading, content and Done; a tap outside closes it too.
  dialog(title, content) {
    const box = document.createElement('div');
    box.className = 'modal';
    box.setAttribute('role', 'dialog');
    box.setAttribute('aria-modal', 'true');
    box.setAttribute('aria-label', title);
    const heading = document.createElement('h2');
    heading.textContent = title;
    const actions = document.createElement('div');
    actions.className = 'actions';
    box.append(heading, content, actions);
    const mask = this.overlay(box, () => {});
    const done = actions.appendChild(button('Done', { className: 'confirm' }, () => this.closeOverlay(mask)));
    done.focus();
  }

  // The share sheet for what the page's onShareAppMessage answered (or the current page when it
  // answered nothing): the page's QR code, its link, and posting a video that carries it.
  // `channel: 'video'` goes straight to posting, as Douyin's does.
  async share(value) {
    const top = this.stack.at(-1);
    let path = top ? top.route : '';
    let query = new URLSearchParams(top?.query || {}).toString();
    if (typeof value.path === 'string' && value.path) [path, query = ''] = value.path.replace(/^\//, '').split('?');
    const title = String(value.title || this.titleElement.textContent || this.config.name);
    const anchor = { appid: this.config.appid, path, query, title: title.slice(0, 20), name: this.config.name };
    if (value.channel === 'video') {
      document.dispatchEvent(new CustomEvent('capsule-post-video', { detail: anchor }));
      return;
    }
    const params = new URLSearchParams({ appid: this.config.appid, path, query, host: HOST });
    const response = await fetch(`/api/share-code?${params}`);
    const figure = document.createElement('figure');
    figure.className = 'share-code';
    const heading = document.createElement('p');
    heading.className = 'share-title';
    heading.textContent = title;
    const image = document.createElement('img');
    image.alt = `QR code: ${this.config.name}, ${title}`;
    image.width = 200; image.height = 200;
    if (response.ok) image.src = URL.createObjectURL(await response.blob());
    const link = response.headers.get('x-share-link') || '';
    const caption = document.createElement('figcaption');
    caption.textContent = `Scan to open ${this.config.name}`;
    const linkText = document.createElement('input');
    linkText.readOnly = true;
    linkText.value = link;
    linkText.setAttribute('aria-label', 'Share link');
    figure.append(heading, image, caption, linkText);
    if (value.desc) figure.insertBefore(Object.assign(document.createElement('p'), { textContent: String(value.desc) }), image);
    const post = button('Post a video with it', { className: 'post-video' }, () =>
      document.dispatchEvent(new CustomEvent('capsule-post-video', { detail: anchor })));
    figure.append(post);
    this.dialog(`Share ${this.config.name}`, figure);
  }

  about() {
    const info = document.createElement('div');
    info.className = 'about-app';
    const name = document.createElement('p');
    name.className = 'about-name';
    name.append(appIcon(this.config.icon), ` ${this.config.name}`);
    const description = document.createElement('p');
    description.textContent = this.config.description || '';
    const appid = document.createElement('p');
    appid.className = 'about-appid';
    appid.textContent = `AppID ${this.config.appid}`;
    info.append(name, description, appid);
    this.dialog(`About ${this.config.name}`, info);
  }

  stopped(text) {
    const box = document.createElement('div');
    box.className = 'stopped';
    box.setAttribute('role', 'alert');
    box.textContent = text + ' ';
    box.appendChild(button('Relaunch', {}, () => this.relaunch()));
    this.pagesElement.replaceChildren(box);
  }

  // The menu's Relaunch: a fresh session at the launch page in place of this one. The host
  // stays as it is (its feed paused) unless the mini-program cannot open again.
  async relaunch() {
    this.close({ relaunching: true });
    try {
      await openMiniProgram(this.launch, this.opener);
    } catch (err) {
      this.closed();
      alert(err.message);
    }
  }

  close({ relaunching = false } = {}) {
    this.send({ type: 'close' });
    if (this.socket) this.socket.close();
    document.removeEventListener('keydown', this.keys);
    // Out of reach at once while it slides away (a relaunched one may already be there).
    this.element.inert = true;
    this.element.setAttribute('aria-hidden', 'true');
    this.element.classList.remove('open');
    setTimeout(() => this.element.remove(), reducedMotion() ? 0 : 250);
    if (!relaunching) this.closed();
  }

  // The host takes over again: its feed plays, and the focus goes back to what opened this.
  closed() {
    // The host takes its page back first, so that what opened this can have the focus again.
    document.dispatchEvent(new CustomEvent('capsule-closed', { detail: this.config.appid }));
    if (this.opener && this.opener.isConnected) this.opener.focus({ preventScroll: true });
  }
}
