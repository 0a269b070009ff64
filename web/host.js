// The host app: the video feed with mini-program anchors, the "Mini Programs" entrance,
// search (mini-programs first), scanning codes, posting videos, the profile, and opening
// mini-programs in the container. The same code plays every host profile (the server names
// it on <body>).

import { openMiniProgram } from './container.js';
import { reducedMotion } from './form-components.js';
import { askToLogIn, logOut, me, postBytes } from './account.js';
import { scanSheet } from './scan.js';
import { appIcon, modalDialog, yuan } from './sheet.js';

const hostName = document.body.dataset.hostName || 'Douyin';

const feed = document.getElementById('feed');
const panel = document.getElementById('panel');

function el(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key.startsWith('on')) element.addEventListener(key.slice(2), value);
    else if (key === 'class') element.className = value;
    else if (key in element && key !== 'role') element[key] = value;
    else element.setAttribute(key, value);
  }
  element.append(...children);
  return element;
}

async function getJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

// The feed pauses while a mini-program is open, as short-video hosts do.
let feedPaused = false;
function pauseFeed(paused) {
  feedPaused = paused;
  for (const video of feed.querySelectorAll('video')) if (paused) video.pause();
  if (!paused) visibleVideo()?.play().catch(() => {});
}
function visibleVideo() {
  return feed.querySelectorAll('article.video')[currentCard()]?.querySelector('video');
}
// While a mini-program is open, the host behind it is out of reach (the container is modal).
const host = document.getElementById('app');
document.addEventListener('capsule-closed', () => { host.inert = false; pauseFeed(false); });

// ---- swiping the feed: one video at a time, by finger (the browser's snap scrolling), wheel,
// mouse drag and keyboard ----

// A drag or wheel turn this long (px) moves to the next video.
const SWIPE_PX = 50;

/** The index of the video filling the feed now. */
function currentCard() {
  return Math.round(feed.scrollTop / (feed.clientHeight || 1));
}

/** Shows the video `step` places on (negative: back), as one swipe does. */
function swipe(step) {
  const cards = feed.querySelectorAll('article.video');
  const next = cards[Math.max(0, Math.min(cards.length - 1, currentCard() + step))];
  if (!next) return;
  feed.scrollTo({ top: next.offsetTop, behavior: reducedMotion() ? 'instant' : 'smooth' });
}

feed.addEventListener('keydown', (e) => {
  const step = { ArrowDown: 1, PageDown: 1, ArrowUp: -1, PageUp: -1 }[e.key];
  if (!step || e.target.closest('input, textarea')) return;
  e.preventDefault();
  swipe(step);
});

// A wheel (or touchpad) gesture moves one video, however many events it sends.
let wheelTravel = 0;
let wheelQuietTimer = null;
feed.addEventListener('wheel', (e) => {
  // Ctrl + wheel is the browser's zoom: leave it alone.
  if (e.ctrlKey) return;
  e.preventDefault();
  clearTimeout(wheelQuietTimer);
  wheelQuietTimer = setTimeout(() => { wheelTravel = 0; }, 200);
  if (wheelTravel === null) return;
  wheelTravel += e.deltaY;
  if (Math.abs(wheelTravel) >= SWIPE_PX) {
    swipe(Math.sign(wheelTravel));
    // The rest of this gesture is spent.
    wheelTravel = null;
  }
}, { passive: false });

// A mouse drags the feed as a finger would; a press on a button stays a press.
feed.addEventListener('pointerdown', (e) => {
  if (e.pointerType !== 'mouse' || e.button !== 0 || e.target.closest('button, a, input')) return;
  const startY = e.clientY;
  const startTop = feed.scrollTop;
  feed.classList.add('dragging');
  const move = (m) => { feed.scrollTop = startTop - (m.clientY - startY); };
  const release = (u) => {
    window.removeEventListener('pointermove', move);
    window.removeEventListener('pointerup', release);
    window.removeEventListener('pointercancel', release);
    const travel = u.type === 'pointercancel' ? 0 : startY - u.clientY;
    feed.scrollTop = startTop;
    feed.classList.remove('dragging');
    if (Math.abs(travel) >= SWIPE_PX) swipe(Math.sign(travel));
  };
  window.addEventListener('pointermove', move);
  window.addEventListener('pointerup', release);
  window.addEventListener('pointercancel', release);
});

async function open(target) {
  try {
    pauseFeed(true);
    await openMiniProgram(target, document.activeElement);
    host.inert = true;
  } catch (err) {
    host.inert = false;
    pauseFeed(false);
    alert(err.message);
  }
}

// A shared link (`/?appid=…&path=…&query=…`, where a share code lands) opens its mini-program.
const shared = new URLSearchParams(location.search);
if (shared.get('appid')) {
  open({ appid: shared.get('appid'), path: shared.get('path') || '', query: shared.get('query') || '' });
  history.replaceState(null, '', location.pathname);
}

function anchorButton(anchor) {
  return el('button', {
    type: 'button', class: 'anchor', 'aria-label': `${anchor.name}: ${anchor.title}`,
    onclick: () => open({ appid: anchor.appid, path: anchor.path, query: anchor.query }),
  }, appIcon(anchor.icon, 'icon'), `${anchor.name} · ${anchor.title}`);
}

function videoCard(video) {
  const player = el('video', { src: video.src, muted: true, loop: true, playsInline: true, preload: 'metadata', 'aria-label': video.caption });
  player.muted = true;
  const meta = el('div', { class: 'meta' },
    el('div', { class: 'author' }, video.author),
    el('p', { class: 'caption' }, video.caption));
  if (video.anchor) meta.appendChild(anchorButton(video.anchor));
  const card = el('article', { class: 'video', 'aria-label': `${video.author}: ${video.caption}`, 'data-id': video.id }, player, meta);
  if (video.anchor) card.dataset.anchor = video.anchor.appid;
  return card;
}

// A mini-program whose anchor comes into view is made ready to open (its worker started, its
// package opened) while the person watches, so a tap on the anchor only starts a session.
const preloaded = new Set();
function preload(appid) {
  if (preloaded.has(appid)) return;
  preloaded.add(appid);
  fetch('/api/sessions/preload', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ appid }),
  }).then((response) => { if (!response.ok) preloaded.delete(appid); }, () => preloaded.delete(appid));
}

async function loadFeed() {
  const { videos } = await getJson('/api/feed');
  feed.replaceChildren(...videos.map(videoCard));
  // Play the video in view only.
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      const video = entry.target.querySelector('video');
      if (entry.isIntersecting && !feedPaused) video.play().catch(() => {}); else video.pause();
      if (entry.isIntersecting && entry.target.dataset.anchor) preload(entry.target.dataset.anchor);
    }
  }, { threshold: 0.6 });
  for (const card of feed.children) observer.observe(card);
}

function appList(apps, emptyText) {
  if (apps.length === 0) return el('p', { class: 'empty' }, emptyText);
  return el('ul', {}, ...apps.map((app) => el('li', {}, el('button', {
    type: 'button', 'aria-label': `Open ${app.name}`, onclick: () => open({ appid: app.appid }),
  }, appIcon(app.icon), el('span', {}, el('strong', {}, app.name), el('br'), app.description)))));
}

function showPanel(...children) {
  panel.replaceChildren(...children);
  panel.hidden = false;
}

function hidePanel() {
  panel.hidden = true;
  panel.replaceChildren();
}

async function showEntrance() {
  const { recent, popular, all } = await getJson('/api/miniapps');
  showPanel(
    el('h2', {}, 'Recently used'), appList(recent, 'Nothing yet: mini-programs you open appear here.'),
    el('h2', {}, 'Popular'), appList(popular, 'Nothing is popular yet.'),
    el('h2', {}, 'All mini-programs'), appList(all, 'No mini-programs.'),
  );
  panel.setAttribute('aria-label', 'Mini Programs');
}

async function search(q) {
  if (!q.trim()) return hidePanel();
  const result = await getJson('/api/search?q=' + encodeURIComponent(q));
  const videos = result.videos.length === 0 ? el('p', { class: 'empty' }, 'No videos.') : el('ul', {}, ...result.videos.map((v) => el('li', {},
    el('button', { type: 'button', 'aria-label': `Video ${v.author}: ${v.caption}`, onclick: () => { hidePanel(); document.querySelector(`[data-id="${v.id}"]`)?.scrollIntoView(); } }, v.caption))));
  showPanel(
    el('h2', {}, 'Mini-programs'), appList(result.miniapps, 'No mini-programs match.'),
    el('h2', {}, 'Videos'), videos,
  );
  panel.setAttribute('aria-label', 'Search results');
}

/** An order's status as the profile says it. */
function orderStatus(status) {
  return status === 'SUCCESS' ? 'Paid' : status;
}

async function showProfile() {
  const user = await me();
  const account = user
    ? el('div', { class: 'account' }, el('span', {}, `Logged in as ${user.display_name}`),
      el('button', { type: 'button', onclick: async () => { await logOut(); showProfile(); } }, 'Log out'))
    : el('div', { class: 'account' }, el('span', {}, 'Not logged in'),
      el('button', { type: 'button', onclick: async () => { if (await askToLogIn(document.body, 'Log in to Capsule')) showProfile(); } }, 'Log in'));
  const { orders } = await getJson('/api/account/orders');
  const list = orders.length === 0
    ? el('p', { class: 'empty' }, 'No orders yet. Mini-programs keep their own orders unless they share them with the host.')
    : el('ul', { class: 'host-orders', 'aria-label': 'Services and Orders' }, ...orders.map((o) => el('li', {},
      el('button', { type: 'button', 'aria-label': `${o.app_name}: ${o.subject}, ${yuan(o.total_amount)}, ${orderStatus(o.status)}`,
        onclick: () => open({ appid: o.appid, path: '', query: '' }) },
      appIcon(o.app_icon), ` ${o.app_name} · ${o.subject} · ${yuan(o.total_amount)} · ${orderStatus(o.status)}`))));
  showPanel(account, el('h2', {}, 'Services and Orders'), list);
  panel.setAttribute('aria-label', 'Profile');
}

// Scanning: a code that opens a mini-program page opens it here; other text is shown.
async function scan() {
  const answer = await scanSheet(document.body, { title: `Scan with ${hostName}` });
  if (!answer) return;
  if (answer.target) return open(answer.target);
  showPanel(el('h2', {}, 'Scanned'), el('p', { class: 'scanned' }, answer.result));
  panel.setAttribute('aria-label', 'Scan result');
}

// Posting a video, with a mini-program anchor when it comes from a share.
async function postVideo(anchor) {
  if (!(await me()) && !(await askToLogIn(document.body, 'Log in to post a video'))) return;
  await me();
  const error = el('p', { class: 'error', role: 'alert' });
  const { mask, box: form } = modalDialog(document.body, { tag: 'form', className: 'post', label: 'Post a video' });
  form.append(
    el('h2', {}, 'Post a video'),
    el('label', {}, 'Video file ', el('input', { type: 'file', name: 'file', accept: 'video/mp4,video/webm', required: true })),
    el('label', {}, 'Caption ', el('input', { name: 'caption', maxLength: 300 })),
    anchor ? el('p', { class: 'anchor-preview' }, `Mini-program: ${anchor.name || anchor.appid} · ${anchor.title}`) : '',
    error,
    el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'cancel', onclick: () => mask.remove() }, 'Cancel'),
      el('button', { type: 'submit', class: 'confirm' }, 'Post')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const file = form.elements.file.files[0];
    if (!file) { error.textContent = 'Choose a video file.'; return; }
    const params = new URLSearchParams({ caption: form.elements.caption.value });
    if (anchor) for (const key of ['appid', 'path', 'query', 'title']) params.set(key, anchor[key] || '');
    try {
      error.textContent = 'Posting…';
      await postBytes(`/api/videos?${params}`, file, file.type || 'video/mp4');
      mask.remove();
      await loadFeed();
      feed.scrollTo({ top: 0 });
    } catch (err) {
      error.textContent = err.message;
    }
  });
  form.elements.file.focus();
}
document.addEventListener('capsule-post-video', (e) => postVideo(e.detail));

function selectTab(id) {
  for (const b of document.querySelectorAll('.tabs button')) {
    if (b.id === id) b.setAttribute('aria-current', 'page'); else b.removeAttribute('aria-current');
  }
}

document.getElementById('entrance-button').addEventListener('click', () => showEntrance());
document.getElementById('scan-button').addEventListener('click', () => scan());
document.getElementById('tab-post').addEventListener('click', () => postVideo(null));
feed.setAttribute('aria-label', document.body.dataset.feedTitle || 'Video feed');
document.getElementById('tab-home').addEventListener('click', () => { selectTab('tab-home'); hidePanel(); });
document.getElementById('tab-profile').addEventListener('click', () => { selectTab('tab-profile'); showProfile(); });
const box = document.getElementById('search-box');
document.getElementById('search-form').addEventListener('submit', (e) => { e.preventDefault(); search(box.value); });
box.addEventListener('input', () => search(box.value));

loadFeed();
