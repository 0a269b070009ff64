// The mini-program container: slides up over the host, shows the session's pages (one Shadow
// DOM each), its navigation bar, capsule menu and tabBar, and speaks to the server's session
// over a WebSocket: patches in, events out.

import { applyPatches, buildAll, countDom, countTree, datasetOf, pathOf } from './view.js';
import { VIEW_EVENTS, baseStyle, defineComponents, packagePath } from './components.js';
import { askToLogIn } from './account.js';
import { scanSheet } from './scan.js';
import { cashierSheet } from './cashier.js';
import { appIcon, modalDialog } from './sheet.js';

defineComponents();

const LONGPRESS_MS = 350;

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

export async function openMiniProgram({ appid, path = '', query = '' }) {
  const response = await fetch('/api/sessions', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ appid, path, query, host: HOST }),
  });
  const opened = await response.json();
  if (!response.ok) throw new Error(opened.error || 'cannot open the mini-program');
  return new Container(opened, { appid, path, query });
}

class Container {
  constructor(opened, launch) {
    this.launch = launch;
    this.config = opened.config;
    this.session = opened.session;
    this.files = `/api/sessions/${opened.session}/files/`;
    this.pages = new Map(); // page id → { element, root, route, title }
    this.stack = [];
    this.firstTree = JSON.stringify(opened.tree);
    this.element = this.frame();
    document.getElementById('containers').appendChild(this.element);
    this.measureRpx();
    const page = this.page(opened.page, opened.stack.at(-1).route);
    this.addStyle(page, opened.style);
    page.root.innerHTML = opened.html;
    // HTML merges adjacent text nodes; rebuild from the tree when the frame does not match it.
    if (countDom(page.root) !== countTree(opened.tree)) buildAll(opened.tree, page.root);
    this.showStack(opened.stack);
    requestAnimationFrame(() => this.element.classList.add('open'));
    this.connect();
  }

  frame() {
    const element = document.createElement('section');
    element.className = 'container';
    element.setAttribute('role', 'dialog');
    element.setAttribute('aria-label', this.config.name);
    element.innerHTML = `
      <header class="navbar">
        <button type="button" class="back" aria-label="Back" hidden>‹</button>
        <h1 class="title"></h1>
        <div class="capsule-menu">
          <button type="button" class="more" aria-label="More">···</button>
          <button type="button" class="close" aria-label="Close">◯</button>
        </div>
      </header>
      <div class="refresh-indicator" role="status" aria-live="polite"></div>
      <div class="pages"></div>
      <nav class="tabbar" hidden></nav>`;
    this.navbar = element.querySelector('.navbar');
    this.titleElement = element.querySelector('.title');
    this.backButton = element.querySelector('.back');
    this.pagesElement = element.querySelector('.pages');
    this.tabbar = element.querySelector('.tabbar');
    this.refresh = element.querySelector('.refresh-indicator');
    this.backButton.addEventListener('click', () => this.send({ type: 'back' }));
    element.querySelector('.close').addEventListener('click', () => this.close());
    element.querySelector('.more').addEventListener('click', () => this.menu());
    const tabBar = this.config.tabBar;
    if (tabBar && Array.isArray(tabBar.list)) {
      for (const item of tabBar.list) {
        const route = String(item.pagePath).replace(/^\//, '').replace(/\.\w+$/, '');
        const tab = button(item.text || item.pagePath, {}, () => this.send({ type: 'switchTab', url: '/' + route }));
        tab.dataset.route = route;
        this.tabbar.appendChild(tab);
      }
      if (tabBar.color) this.tabbar.style.color = tabBar.color;
      if (tabBar.backgroundColor) this.tabbar.style.background = tabBar.backgroundColor;
    }
    return element;
  }

  page(id, route) {
    let page = this.pages.get(id);
    if (page) return page;
    const element = document.createElement('div');
    element.className = 'page entering';
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
    element.addEventListener('scroll', () => this.scrolled(page));
    requestAnimationFrame(() => requestAnimationFrame(() => element.classList.remove('entering')));
    return page;
  }

  // WXSS compiles N rpx to calc(N * var(--capsule-rpx)): 750 rpx is the container's width.
  measureRpx() {
    const set = () => {
      const width = this.pagesElement.clientWidth || this.element.clientWidth || 375;
      this.pagesElement.style.setProperty('--capsule-rpx', `${width / 750}px`);
    };
    set();
    new ResizeObserver(set).observe(this.pagesElement);
  }

  // A page's compiled WXSS; the same sheet (the first frame's, then its copy from the socket)
  // is added once.
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

  showStack(stack) {
    this.stack = stack;
    const live = new Set(stack.map((p) => p.id));
    for (const [id, page] of this.pages) {
      if (!live.has(id)) { page.element.remove(); this.pages.delete(id); }
    }
    const top = stack.at(-1);
    for (const info of stack) {
      const page = this.page(info.id, info.route);
      page.element.hidden = info !== top;
    }
    if (!top) return;
    const page = this.pages.get(top.id);
    const window = this.window(top.route);
    this.titleElement.textContent = page.title ?? window.navigationBarTitleText ?? this.config.name;
    this.navbar.style.background = page.barColor ?? window.navigationBarBackgroundColor ?? '#ffffff';
    this.navbar.style.color = (page.textColor ?? window.navigationBarTextStyle) === 'white' ? '#fff' : '#000';
    this.backButton.hidden = stack.length < 2;
    const tabs = [...this.tabbar.children];
    const onTab = tabs.some((b) => b.dataset.route === top.route);
    this.tabbar.hidden = !onTab;
    for (const b of tabs) {
      if (b.dataset.route === top.route) b.setAttribute('aria-current', 'page'); else b.removeAttribute('aria-current');
    }
  }

  connect() {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    this.socket = new WebSocket(`${scheme}://${location.host}/api/sessions/${this.session}/socket`);
    this.queue = [];
    this.socket.addEventListener('open', () => { for (const m of this.queue) this.socket.send(m); this.queue = []; });
    this.socket.addEventListener('message', (e) => this.receive(JSON.parse(e.data)));
    this.socket.addEventListener('close', () => { this.socket = null; });
  }

  send(message) {
    const text = JSON.stringify(message);
    if (this.socket && this.socket.readyState === WebSocket.OPEN) this.socket.send(text);
    else if (this.socket) this.queue.push(text);
  }

  receive(message) {
    switch (message.kind) {
      case 'render': {
        const tree = JSON.stringify(message.tree);
        const page = this.pages.get(message.page);
        // The first frame came with the response; skip its identical copy.
        if (page && tree === this.firstTree) { this.firstTree = null; break; }
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
    const send = (event, type, detail, element = target(event)) => {
      if (!element) return;
      const touch = event.clientX !== undefined ? [{ identifier: 0, pageX: event.pageX, pageY: event.pageY, clientX: event.clientX, clientY: event.clientY }] : [];
      this.send({
        type: 'event', page: page.id, path: pathOf(element, root), event: type, detail,
        touches: touch, changedTouches: touch, dataset: datasetOf(element),
      });
    };
    let pressTimer = null;
    let pressed = false;
    root.addEventListener('pointerdown', (e) => {
      pressed = false;
      send(e, 'touchstart', {});
      pressTimer = setTimeout(() => { pressed = true; send(e, 'longpress', { x: e.pageX, y: e.pageY }); }, LONGPRESS_MS);
    });
    root.addEventListener('pointerup', (e) => { clearTimeout(pressTimer); send(e, 'touchend', {}); });
    root.addEventListener('pointermove', (e) => { if (e.buttons) send(e, 'touchmove', {}); });
    root.addEventListener('click', (e) => {
      if (pressed) { pressed = false; return; }
      const element = target(e);
      send(e, 'tap', { x: e.pageX, y: e.pageY }, element);
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
      if (input) send(e, 'input', { value: input.value, cursor: input.value.length, keyCode: 0 }, input);
    });
    for (const type of VIEW_EVENTS) {
      root.addEventListener('wx-' + type, (e) => send(e, type, e.detail));
    }
  }

  navigate(element) {
    const url = element.getAttribute('url');
    const openType = element.getAttribute('open-type') || element.getAttribute('openType') || 'navigate';
    const method = { navigate: 'navigateTo', redirect: 'redirectTo', switchTab: 'switchTab', reLaunch: 'reLaunch', navigateBack: 'navigateBack' }[openType];
    if (method === 'navigateBack') this.send({ type: 'back' });
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

  // ---- host calls from the session ----------------------------------------------------------

  reply(id, ok, value, reason) {
    this.send({ type: 'reply', id, ok, value, reason });
  }

  hostCall({ id, api, args }) {
    const page = this.top();
    switch (api) {
      case 'showToast': this.toast(args.title || '', args.duration || 1500, args.icon); return this.reply(id, true, {});
      case 'hideToast': case 'hideLoading': this.removeToast(); return this.reply(id, true, {});
      case 'showLoading': this.toast(args.title || 'Loading', 0, 'loading'); return this.reply(id, true, {});
      case 'showModal': return this.modal(args, (confirm) => this.reply(id, true, { confirm, cancel: !confirm }));
      case 'showActionSheet': return this.actionSheet(args.itemList || [], (index) =>
        index === null ? this.reply(id, false, null, 'cancel') : this.reply(id, true, { tapIndex: index }));
      case 'setNavigationBarTitle':
        if (page) page.title = String(args.title ?? '');
        this.showStack(this.stack);
        return this.reply(id, true, {});
      case 'setNavigationBarColor':
        if (page) { page.barColor = args.backgroundColor; page.textColor = args.frontColor === '#ffffff' ? 'white' : 'black'; }
        this.showStack(this.stack);
        return this.reply(id, true, {});
      // tt.login / wx.login when no one is logged in: the host asks the person to.
      case 'login':
        return askToLogIn(this.element, `${this.config.name} asks you to log in`)
          .then((ok) => (ok ? this.reply(id, true, {}) : this.reply(id, false, null, 'cancel')));
      case 'startPullDownRefresh': this.pullDown(); return this.reply(id, true, {});
      case 'stopPullDownRefresh':
        this.refresh.classList.remove('active'); this.refresh.textContent = '';
        return this.reply(id, true, {});
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
      case 'pageScrollTo':
        if (page) page.element.scrollTo({ top: Number(args.scrollTop || 0), behavior: args.duration === 0 ? 'instant' : 'smooth' });
        return this.reply(id, true, {});
      case 'showNavigationBarLoading': case 'hideNavigationBarLoading':
        this.titleElement.classList.toggle('loading', api === 'showNavigationBarLoading');
        return this.reply(id, true, {});
      // The menu's Share, per page, as WeChat's forward item.
      case 'showShareMenu': case 'hideShareMenu':
        if (page) page.shareHidden = api === 'hideShareMenu';
        return this.reply(id, true, {});
      case 'setBackgroundColor':
        this.pagesElement.style.backgroundColor = args.backgroundColor || args.backgroundColorTop || '';
        return this.reply(id, true, {});
      case 'vibrateShort': case 'vibrateLong':
        if (navigator.vibrate) navigator.vibrate(api === 'vibrateShort' ? 15 : 400);
        return this.reply(id, true, {});
      default: return this.reply(id, false, null, 'not supported by this host');
    }
  }

  pullDown() {
    this.refresh.classList.add('active');
    this.refresh.textContent = 'Refreshing…';
    this.send({ type: 'pageEvent', name: 'onPullDownRefresh', arg: null });
  }

  toast(title, duration, icon) {
    this.removeToast();
    const toast = document.createElement('div');
    toast.className = 'toast';
    toast.setAttribute('role', 'status');
    toast.textContent = (icon === 'success' ? '✔ ' : icon === 'error' ? '✕ ' : icon === 'loading' ? '◌ ' : '') + title;
    this.element.appendChild(toast);
    this.toastElement = toast;
    if (duration > 0) setTimeout(() => { if (this.toastElement === toast) this.removeToast(); }, duration);
  }

  removeToast() {
    if (this.toastElement) this.toastElement.remove();
    this.toastElement = null;
  }

  // An overlay over the mini-program holding `content`. With `dismiss`, a tap outside the
  // content closes it and calls `dismiss`.
  overlay(content, dismiss) {
    const mask = document.createElement('div');
    mask.className = 'mask';
    mask.appendChild(content);
    if (dismiss) mask.addEventListener('click', (e) => { if (e.target === mask) { mask.remove(); dismiss(); } });
    this.element.appendChild(mask);
    return mask;
  }

  modal(args, done) {
    const box = document.createElement('div');
    box.className = 'modal';
    box.setAttribute('role', 'alertdialog');
    box.setAttribute('aria-modal', 'true');
    box.innerHTML = '<h2></h2><p></p><div class="actions"></div>';
    box.querySelector('h2').textContent = args.title || '';
    box.querySelector('p').textContent = args.content || '';
    box.setAttribute('aria-label', args.title || args.content || 'Dialog');
    const actions = box.querySelector('.actions');
    const mask = this.overlay(box);
    const answer = (text, className, confirm) =>
      actions.appendChild(button(text, { className }, () => { mask.remove(); done(confirm); }));
    if (args.showCancel !== false) answer(args.cancelText || 'Cancel', 'cancel', false);
    answer(args.confirmText || 'OK', 'confirm', true);
  }

  // wx.previewImage: the pictures full screen, one at a time; swipe, arrow keys or the
  // buttons move between them, a tap on the picture or Close returns to the page.
  preview(urls, start) {
    const viewer = document.createElement('div');
    viewer.className = 'preview';
    viewer.setAttribute('role', 'dialog');
    viewer.setAttribute('aria-modal', 'true');
    viewer.innerHTML = '<img><p class="count" aria-live="polite"></p><div class="actions"></div>';
    const image = viewer.querySelector('img');
    const count = viewer.querySelector('.count');
    const mask = this.overlay(viewer);
    mask.classList.add('dark');
    let index = start;
    const show = (next) => {
      index = (next + urls.length) % urls.length;
      image.src = urls[index];
      const label = `Picture ${index + 1} of ${urls.length}`;
      image.alt = label;
      count.textContent = label;
      viewer.setAttribute('aria-label', label);
    };
    const close = () => { mask.remove(); document.removeEventListener('keydown', keys); };
    const keys = (e) => {
      if (e.key === 'ArrowLeft') show(index - 1);
      else if (e.key === 'ArrowRight') show(index + 1);
      else if (e.key === 'Escape') close();
    };
    document.addEventListener('keydown', keys);
    const actions = viewer.querySelector('.actions');
    if (urls.length > 1) {
      actions.append(button('‹', {}, () => show(index - 1)), button('›', {}, () => show(index + 1)));
      actions.firstChild.setAttribute('aria-label', 'Previous picture');
      actions.lastChild.setAttribute('aria-label', 'Next picture');
    }
    actions.append(button('Close', { className: 'close-preview' }, close));
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

  actionSheet(items, done) {
    const sheet = document.createElement('div');
    sheet.className = 'sheet';
    sheet.setAttribute('role', 'menu');
    const mask = this.overlay(sheet);
    const choose = (index) => { mask.remove(); done(index); };
    items.forEach((text, index) => sheet.appendChild(button(text, { role: 'menuitem' }, () => choose(index))));
    sheet.appendChild(button('Cancel', { className: 'cancel' }, () => choose(null)));
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
    const item = (text, action) => row.appendChild(button(text, { role: 'menuitem' }, () => { mask.remove(); action(); }));
    const top = this.top();
    if (!(top && top.shareHidden)) item('Share', () => this.send({ type: 'pageEvent', name: 'onShareAppMessage', arg: { from: 'menu' } }));
    item('QR code', () => this.share({}));
    item('About', () => this.about());
    item('Relaunch', () => this.relaunch());
    item('Cancel', () => {});
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
    const done = actions.appendChild(button('Done', { className: 'confirm' }, () => mask.remove()));
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

  async relaunch() {
    this.close();
    await openMiniProgram(this.launch);
  }

  close() {
    this.send({ type: 'close' });
    if (this.socket) this.socket.close();
    this.element.classList.remove('open');
    setTimeout(() => this.element.remove(), 250);
    document.dispatchEvent(new CustomEvent('capsule-closed', { detail: this.config.appid }));
  }
}
