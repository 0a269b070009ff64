// The developer console: log in, organisations and their members, mini-programs and their
// settings, and each version's way from upload (with the platform's check report) through
// review to release, trial, rollback and unpublishing. Hash routes: #/orgs, #/orgs/<id>,
// #/apps/<appid>. Every API error is shown next to what caused it, in a role="alert".

import { appIcon, yuan } from './sheet.js';

const view = document.getElementById('view');
const who = document.getElementById('who');
const crumbs = document.getElementById('crumbs');
const pageError = document.getElementById('page-error');
const flash = document.getElementById('flash');

/** Who is logged in, and the CSRF token every state-changing request must carry. */
const session = { user: null, csrf: null };

// ---------------------------------------------------------------------------------------------
// The API

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * Calls the REST API: `body` is sent as JSON, or as it is when `raw` (a package upload).
 * Resolves to the parsed answer; throws an ApiError with the server's own message.
 */
async function api(method, url, body, { raw = false } = {}) {
  const headers = {};
  if (method !== 'GET' && session.csrf) headers['x-csrf-token'] = session.csrf;
  let payload;
  if (raw) {
    headers['content-type'] = 'application/octet-stream';
    payload = body;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, { method, headers, body: payload, credentials: 'same-origin' });
  } catch (error) {
    throw new ApiError(0, `The server cannot be reached (${error.message}). Check the connection and try again.`);
  }
  // Errors are JSON `{error}`; a few layers below the handlers (body limits, query parsing)
  // answer plain text, which is shown as it is rather than lost.
  const text = await response.text().catch(() => '');
  let answer = null;
  try {
    answer = text ? JSON.parse(text) : null;
  } catch {
    answer = null;
  }
  if (!response.ok) {
    const said = answer?.error || text.trim().slice(0, 300);
    throw new ApiError(response.status, said || `${method} ${url} failed: HTTP ${response.status}`);
  }
  return answer ?? {};
}

const enc = encodeURIComponent;
const appUrl = (appid, rest = '') => `/api/console/apps/${enc(appid)}${rest}`;
const versionUrl = (appid, id, action) => appUrl(appid, `/versions/${enc(id)}/${action}`);

// ---------------------------------------------------------------------------------------------
// Small DOM helpers

// Properties set as properties (booleans and live values); everything else is an attribute.
const PROPERTIES = new Set(['value', 'checked', 'disabled', 'hidden', 'open', 'required', 'readOnly', 'multiple']);

/** An element with `props` (on* are listeners) and `children` (nested arrays, null skipped). */
function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on')) element.addEventListener(key.slice(2), value);
    else if (key === 'class') element.className = value;
    else if (PROPERTIES.has(key)) element[key] = value;
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

let lastId = 0;
const uid = (prefix) => `${prefix}-${++lastId}`;

/** A labelled control, with an optional hint the control is described by. */
function field(label, control, hint) {
  control.id ||= uid('field');
  const hintElement = hint ? h('small', { class: 'hint', id: `${control.id}-hint` }, hint) : null;
  if (hintElement) control.setAttribute('aria-describedby', hintElement.id);
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hintElement);
}

/** A checkbox inside its label, so the whole line toggles it. */
function checkbox(label, name, checked) {
  return h('div', { class: 'field check' },
    h('label', {}, h('input', { type: 'checkbox', name, checked }), ' ', label));
}

/** A section with a heading that also names it (so it is a landmark region). */
function section(title, ...children) {
  const id = uid('section');
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

/** The place an action's error is shown: empty and hidden until there is one. */
function alertBox() {
  return h('p', { class: 'error', role: 'alert', hidden: true });
}

function showError(box, message) {
  box.textContent = message || '';
  box.hidden = !message;
}

/** Success messages go to the page's status line, which screen readers announce politely. */
function say(message) {
  flash.textContent = message;
}

// A message to show once the hash route it leads to is drawn (hashchange clears the line).
let nextFlash = '';

/** Goes to `hash` and says `message` there. */
function navigate(hash, message = '') {
  if (location.hash === hash) {
    say(message);
    route();
    return;
  }
  nextFlash = message;
  location.hash = hash;
}

/**
 * Runs `work` for a button: disabled meanwhile (no double submits), errors into `box`, and an
 * ended session sends the person back to the log-in form (except from that form itself, where
 * a 401 is a wrong password).
 */
async function run(button, box, work, { loggingIn = false } = {}) {
  showError(box, '');
  if (button) button.disabled = true;
  try {
    await work();
  } catch (error) {
    if (error.status === 401 && !loggingIn) return sessionEnded(error.message);
    showError(box, error.message);
  } finally {
    if (button) button.disabled = false;
  }
}

/** A form whose submit runs `work(form)` through run(). */
function actionForm(props, box, work, ...children) {
  const form = h('form', props, ...children);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(event.submitter || form.querySelector('[type=submit]'), box, () => work(form));
  });
  return form;
}

/**
 * A dangerous action in two steps: the first button asks, the second does it. No native
 * confirm(): it blocks the page and is easy to click through.
 */
function confirmStep(label, question, confirmLabel, box, work) {
  const ask = h('button', { type: 'button', class: 'danger' }, label);
  const confirm = h('button', { type: 'button', class: 'danger' }, confirmLabel);
  const cancel = h('button', { type: 'button' }, 'Cancel');
  const panel = h('div', { class: 'confirm', hidden: true }, h('p', {}, question), confirm, ' ', cancel);
  ask.addEventListener('click', () => { panel.hidden = false; ask.hidden = true; confirm.focus(); });
  cancel.addEventListener('click', () => { panel.hidden = true; ask.hidden = false; ask.focus(); });
  confirm.addEventListener('click', () => run(confirm, box, work));
  return h('div', { class: 'actions' }, ask, panel);
}

const formatTime = (ms) => (ms ? new Date(ms).toLocaleString() : '');

function formatBytes(bytes) {
  if (!Number.isFinite(bytes)) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

// ---------------------------------------------------------------------------------------------
// Session

function renderWho() {
  who.replaceChildren();
  if (!session.user) return;
  const name = session.user.display_name && session.user.display_name !== session.user.username
    ? `${session.user.display_name} (${session.user.username})`
    : session.user.username;
  const logOut = h('button', { type: 'button' }, 'Log out');
  logOut.addEventListener('click', () => run(logOut, pageError, async () => {
    await api('POST', '/api/account/logout');
    session.user = null;
    session.csrf = null;
    renderWho();
    showLogin({ message: 'You are logged out.' });
  }));
  who.append(h('span', {}, 'Logged in as ', h('strong', {}, name)), ' ', logOut);
}

function sessionEnded(message) {
  session.user = null;
  session.csrf = null;
  renderWho();
  showLogin({ error: message || 'Your session has ended: log in again.' });
}

/** The log-in / sign-up form, with a `message` (such as "logged out") or an `error` above it. */
function showLogin({ message = '', error = '' } = {}) {
  ticket++;
  setCrumbs([]);
  const box = alertBox();
  const username = h('input', { name: 'username', autocomplete: 'username', required: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const displayName = h('input', { name: 'display_name', autocomplete: 'name', maxlength: 64 });
  const signUp = h('button', { type: 'button' }, 'Sign up');
  const enter = (url, button) => {
    if (!form.reportValidity()) return;
    run(button, box, async () => {
      const body = { username: username.value, password: password.value };
      if (url.endsWith('signup')) body.display_name = displayName.value;
      const answer = await api('POST', url, body);
      session.user = answer.user;
      session.csrf = answer.csrf;
      renderWho();
      const welcome = `Welcome, ${answer.user.display_name || answer.user.username}.`;
      const inside = /^#\/(orgs|apps)\//.test(location.hash);
      navigate(inside ? location.hash : '#/orgs', welcome);
    }, { loggingIn: true });
  };
  const form = h('form', { class: 'login', 'aria-labelledby': 'login-title' },
    field('Username', username, '3 to 32 characters: lowercase letters, digits, _ . -'),
    field('Password', password, 'At least 8 characters'),
    field('Display name', displayName, 'Optional; only used when you sign up'),
    box,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Log in'), ' ', signUp));
  form.addEventListener('submit', (event) => { event.preventDefault(); enter('/api/account/login', event.submitter); });
  signUp.addEventListener('click', () => enter('/api/account/signup', signUp));
  view.replaceChildren(
    h('h1', { id: 'login-title' }, 'Log in to the developer console'),
    message ? h('p', { class: 'notice' }, message) : null,
    error ? h('p', { class: 'error', role: 'alert' }, error) : null,
    h('section', { class: 'card narrow' },
      h('p', {}, 'Use your Capsule account. New here? Fill in a username and password and choose Sign up.'),
      form));
  username.focus();
}

// ---------------------------------------------------------------------------------------------
// Routing

// Each render takes a ticket; one that finishes after the person moved on draws nothing.
let ticket = 0;

function setCrumbs(items) {
  crumbs.replaceChildren(...items.flatMap((item, i) => [
    ...(i ? [h('span', { class: 'sep', 'aria-hidden': 'true' }, '›')] : []),
    item.href ? h('a', { href: item.href }, item.label) : h('span', { 'aria-current': 'page' }, item.label),
  ]));
}

async function route() {
  showError(pageError, '');
  if (!session.user) return showLogin();
  const path = location.hash.replace(/^#/, '');
  let match;
  if ((match = /^\/orgs\/([^/]+)$/.exec(path))) return showOrg(decodeURIComponent(match[1]));
  if ((match = /^\/apps\/([^/]+)$/.exec(path))) return showApp(decodeURIComponent(match[1]));
  return showOrgs();
}

/** Loads what a view needs; a failure is shown on the page instead of the view. */
async function load(mine, work) {
  try {
    return await work();
  } catch (error) {
    if (mine !== ticket) return null;
    if (error.status === 401) {
      sessionEnded(error.message);
      return null;
    }
    view.replaceChildren(h('h1', {}, 'This page could not be loaded'),
      h('p', { class: 'muted' }, h('a', { href: '#/orgs' }, 'Back to your organisations')));
    showError(pageError, error.message);
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Organisations

async function showOrgs() {
  const mine = ++ticket;
  setCrumbs([{ label: 'Organisations' }]);
  const data = await load(mine, () => api('GET', '/api/orgs'));
  if (!data || mine !== ticket) return;
  const box = alertBox();
  const name = h('input', { name: 'name', required: true, maxlength: 64 });
  const create = actionForm({ 'aria-label': 'New organisation' }, box, async () => {
    const org = await api('POST', '/api/orgs', { name: name.value });
    navigate(`#/orgs/${enc(org.id)}`, `Organisation ${org.name} created: you are its owner.`);
  }, field('Organisation name', name), box,
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Create organisation')));

  const list = data.orgs.length
    ? h('table', {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Organisation'), h('th', { scope: 'col' }, 'Your role'))),
      h('tbody', {}, data.orgs.map((org) => h('tr', {},
        h('td', {}, h('a', { href: `#/orgs/${enc(org.id)}` }, org.name)),
        h('td', {}, org.role)))))
    : h('p', { class: 'muted' }, 'You are in no organisation yet. Create one to publish mini-programs.');
  view.replaceChildren(
    h('h1', {}, 'Organisations'),
    section('Your organisations', list),
    section('New organisation', create));
}

async function showOrg(orgId) {
  const mine = ++ticket;
  const data = await load(mine, async () => {
    const [orgs, apps, members] = await Promise.all([
      api('GET', '/api/orgs'),
      api('GET', `/api/orgs/${enc(orgId)}/apps`),
      api('GET', `/api/orgs/${enc(orgId)}/members`),
    ]);
    return { org: orgs.orgs.find((o) => o.id === orgId) ?? { id: orgId, name: orgId, role: null }, apps: apps.apps, members };
  });
  if (!data || mine !== ticket) return;
  const { org, apps } = data;
  setCrumbs([{ label: 'Organisations', href: '#/orgs' }, { label: org.name }]);

  const appList = apps.length
    ? h('table', {},
      h('thead', {}, h('tr', {}, ['Mini-program', 'AppID', 'Category', 'Status'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, apps.map((app) => h('tr', {},
        h('td', {}, h('a', { href: `#/apps/${enc(app.appid)}` }, appIcon(app.icon, 'icon'), app.name)),
        h('td', {}, h('code', {}, app.appid)),
        h('td', {}, app.category || '—'),
        h('td', {}, app.status)))))
    : h('p', { class: 'muted' }, 'No mini-programs yet.');

  const createBox = alertBox();
  const createForm = settingsForm({}, 'Create mini-program', createBox, async (settings) => {
    const created = await api('POST', `/api/orgs/${enc(orgId)}/apps`, settings);
    // The secret first: whatever happens to the reload below, it must not be lost.
    showSecret({
      title: `Save the AppSecret of ${created.name}`,
      appid: created.appid,
      secret: created.secret,
      salt: created.payment_salt,
      link: `#/apps/${enc(created.appid)}`,
    });
    say(`Mini-program ${created.name} created.`);
    await showOrg(orgId);
  });
  createForm.setAttribute('aria-label', 'New mini-program');

  view.replaceChildren(
    h('h1', {}, org.name),
    h('p', { class: 'muted' }, org.role ? `Your role: ${org.role}` : 'You are not a member (platform admin view)', ' · ', h('code', {}, org.id)),
    section('Mini-programs', appList),
    section('New mini-program', createForm),
    membersSection(org, data.members));
}

function membersSection(org, listed) {
  const box = alertBox();
  const username = h('input', { name: 'username', required: true, autocomplete: 'off' });
  const role = h('select', { name: 'role' },
    h('option', { value: 'developer' }, 'Developer: creates apps, uploads versions'),
    h('option', { value: 'operator' }, 'Operator: reviews, releases, rolls back'),
    h('option', { value: 'owner' }, 'Owner: everything, including members and secrets'));
  const form = actionForm({ 'aria-label': 'Add a member' }, box, async () => {
    const member = await api('POST', `/api/orgs/${enc(org.id)}/members`, { username: username.value.trim(), role: role.value });
    say(`${member.username} is now ${member.role === 'operator' ? 'an' : 'a'} ${member.role} of ${org.name}.`);
    await showOrg(org.id);
  }, field('Member username', username, 'They must have signed up already'), field('Role', role), box,
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Add member')));

  const list = memberTable(listed.members.map((m) => [m.username, m.role, m.display_name]));
  return section('Members', list, h('h3', {}, 'Add a member or change a role'), form);
}

function memberTable(rows) {
  return h('table', {},
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Username'), h('th', { scope: 'col' }, 'Role'))),
    h('tbody', {}, rows.map(([name, role, display]) => h('tr', {},
      h('td', {}, name, display && display !== name ? h('span', { class: 'muted' }, ` (${display})`) : null),
      h('td', {}, role)))));
}

// An icon is an emoji or an image URL; the lists show the emoji, or a generic mark for a URL.

// ---------------------------------------------------------------------------------------------
// App settings: one form for creating and editing

const splitList = (text, separators) => text.split(separators).map((s) => s.trim()).filter(Boolean);

function settingsForm(app, submitLabel, box, save) {
  const input = (name, props = {}) => h('input', { name, value: app[name] ?? '', ...props });
  const name = input('name', { required: true, maxlength: 30 });
  const form = actionForm({ class: 'settings' }, box, (f) => save(readSettings(f)),
    field('Name', name, '1 to 30 characters, as the host shows it'),
    field('Icon', input('icon', { maxlength: 512 }), 'An emoji or an image URL'),
    field('Description', h('textarea', { name: 'description', maxlength: 500, rows: 3, value: app.description ?? '' })),
    field('Category', input('category', { maxlength: 32 }), 'Such as Shopping or Entertainment'),
    field('Keywords', input('keywords', { value: (app.keywords ?? []).join(', ') }), 'Comma-separated, at most 10; used by search'),
    field('Request domains', h('textarea', { name: 'request_domains', rows: 3, value: (app.request_domains ?? []).join('\n'), spellcheck: 'false' }),
      'The https origins request() may reach, one a line, such as https://api.example.com'),
    field('Payment notify URL', input('notify_url', { type: 'url', maxlength: 512, placeholder: 'https://example.com/pay/notify' }),
      'Where the platform posts payment results'),
    checkbox('Allow mounting on videos', 'allow_mount', Boolean(app.allow_mount)),
    box,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, submitLabel)));
  return form;
}

function readSettings(form) {
  const data = new FormData(form);
  const text = (key) => String(data.get(key) ?? '');
  return {
    name: text('name').trim(),
    icon: text('icon').trim(),
    description: text('description'),
    category: text('category').trim(),
    keywords: splitList(text('keywords'), /[,，]/),
    request_domains: splitList(text('request_domains'), /[\s,]+/),
    notify_url: text('notify_url').trim(),
    allow_mount: data.get('allow_mount') !== null,
  };
}

/**
 * The AppSecret (and, for a new app, the payment salt) in a modal dialog, the only time the
 * platform can show them: it keeps only the secret's hash.
 */
function showSecret({ title, appid, secret, salt, link }) {
  const titleId = uid('secret-title');
  const done = h('button', { type: 'button', class: 'primary' }, 'I have saved it');
  const dialog = h('dialog', { class: 'secret', 'aria-labelledby': titleId },
    h('h2', { id: titleId }, title),
    h('p', { class: 'warning' }, h('strong', {}, 'Shown once: copy it now.'),
      ' The platform keeps only a hash of the AppSecret and will never show it again. ',
      'Keep it on your server, never in the mini-program. If it is lost, reset it.'),
    copyField('AppID', appid),
    copyField('AppSecret', secret),
    salt ? copyField('Payment salt', salt) : null,
    h('div', { class: 'actions' }, done, link ? h('a', { href: link, class: 'button-link secondary' }, 'Open the mini-program') : null));
  // Escape must not dismiss it by accident: the secret would be gone.
  dialog.addEventListener('cancel', (event) => event.preventDefault());
  dialog.addEventListener('close', () => dialog.remove());
  dialog.addEventListener('click', (event) => { if (event.target.closest('a')) dialog.close(); });
  done.addEventListener('click', () => dialog.close());
  document.body.append(dialog);
  dialog.showModal();
  done.focus();
}

function copyField(label, value) {
  const input = h('input', { value, readOnly: true, class: 'mono', spellcheck: 'false' });
  const note = h('span', { class: 'copied', role: 'status' });
  const copy = h('button', { type: 'button', 'aria-label': `Copy ${label}` }, 'Copy');
  copy.addEventListener('click', async () => {
    input.select();
    try {
      await navigator.clipboard.writeText(value);
      note.textContent = 'Copied';
    } catch {
      // Without clipboard access the text is selected: the person copies it by hand.
      note.textContent = 'Selected: press Ctrl+C (⌘C) to copy';
    }
  });
  input.id = uid('copy');
  return h('div', { class: 'field copy' }, h('label', { for: input.id }, label), h('div', { class: 'row' }, input, copy, note));
}

// ---------------------------------------------------------------------------------------------
// One mini-program: channels, upload, versions, testers, settings, secret

const STATUS = {
  check_failed: 'Checks failed',
  checked: 'Checked',
  in_review: 'In review',
  approved: 'Approved',
  rejected: 'Rejected',
  released: 'Released',
};

// What the app page keeps across its own re-renders: the report of the last upload.
let appPage = { appid: null, lastUpload: null };

async function showApp(appid) {
  const mine = ++ticket;
  if (appPage.appid !== appid) appPage = { appid, lastUpload: null };
  const data = await load(mine, async () => {
    const [app, versions, channels, ledger] = await Promise.all([
      api('GET', appUrl(appid)),
      api('GET', appUrl(appid, '/versions')),
      api('GET', appUrl(appid, '/channels')),
      api('GET', appUrl(appid, '/ledger')),
    ]);
    // The organisation's name, for the breadcrumbs; not worth failing the page over.
    const orgs = await api('GET', '/api/orgs').catch(() => ({ orgs: [] }));
    return { app, versions: versions.versions, channels: channels.channels, ledger, org: orgs.orgs.find((o) => o.id === app.org_id) };
  });
  if (!data || mine !== ticket) return;
  const { app, versions, channels, ledger, org } = data;
  setCrumbs([
    { label: 'Organisations', href: '#/orgs' },
    { label: org?.name ?? app.org_id, href: `#/orgs/${enc(app.org_id)}` },
    { label: app.name },
  ]);
  const labels = new Map(versions.map((v) => [v.id, v.version]));
  const channel = Object.fromEntries(channels.map((c) => [c.channel, c]));
  const refresh = () => showApp(appid);

  view.replaceChildren(
    h('h1', {}, appIcon(app.icon, 'icon'), app.name),
    h('p', { class: 'muted' }, 'AppID ', h('code', {}, app.appid), ' · ',
      h('span', { class: 'publication' }, channel.release ? 'Published' : 'Not published'),
      org?.role ? ` · Your role: ${org.role}` : ''),
    channelsSection(app, channel, labels, refresh),
    uploadSection(app, refresh),
    versionsSection(app, versions, channel, refresh),
    testersSection(app),
    paymentsSection(app, ledger, refresh),
    iconSection(app, refresh),
    section('Settings', settingsForm(app, 'Save settings', alertBox(), async (settings) => {
      const saved = await api('PUT', appUrl(appid), settings);
      await refresh();
      say(`Settings of ${saved.name} saved.`);
    })),
    secretSection(app));
}

function channelsSection(app, channel, labels, refresh) {
  const label = (id) => labels.get(id) ?? id;
  const rows = [
    ['develop', 'Develop', 'The latest upload that passed its checks; members only'],
    ['trial', 'Trial', 'The version testers open'],
    ['release', 'Release', 'What everyone gets'],
  ].map(([key, name, what]) => {
    const state = channel[key];
    let gray = '—';
    if (state?.gray_version_id) {
      gray = `${label(state.gray_version_id)} to ${state.gray_percent}% of users`;
    }
    return h('tr', {},
      h('th', { scope: 'row' }, name),
      h('td', {}, state ? label(state.version_id) : 'none'),
      h('td', {}, gray),
      h('td', { class: 'muted' }, what));
  });
  const box = alertBox();
  const unpublish = channel.release
    ? confirmStep('Unpublish…', `Take ${app.name} off the host? It stops launching and leaves lists and search until a version is released again.`,
      'Unpublish now', box, async () => {
        await api('POST', appUrl(app.appid, '/unpublish'));
        await refresh();
        say(`${app.name} is unpublished.`);
      })
    : null;
  return section('Channels',
    h('table', {},
      h('thead', {}, h('tr', {}, ['Channel', 'Version', 'Gray release', 'Who'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows)),
    unpublish, box);
}

const when = (millis) => (millis ? new Date(millis).toLocaleString() : '—');

/** The app's ledger (payments, refunds, what it is owed) and its order-centre sync. */
function paymentsSection(app, ledger, refresh) {
  const { totals } = ledger;
  const summary = h('dl', { class: 'totals' },
    h('dt', {}, 'Paid orders'), h('dd', {}, String(totals.paid_orders)),
    h('dt', {}, 'Paid'), h('dd', {}, yuan(totals.paid)),
    h('dt', {}, 'Refunded'), h('dd', {}, yuan(totals.refunded)),
    h('dt', {}, 'Settlement'), h('dd', {}, yuan(totals.settlement)));
  const table = (caption, head, rows) => (rows.length
    ? h('table', {}, h('caption', {}, caption),
      h('thead', {}, h('tr', {}, head.map((t) => h('th', { scope: 'col' }, t)))), h('tbody', {}, rows))
    : h('p', { class: 'muted' }, `No ${caption.toLowerCase()} yet.`));
  const orders = table('Payments', ['Order', 'Subject', 'Amount', 'Status', 'Paid at', 'Refunded'],
    ledger.orders.map((o) => h('tr', {}, h('td', {}, h('code', {}, o.out_order_no)), h('td', {}, o.subject),
      h('td', {}, yuan(o.total_amount)), h('td', {}, o.status), h('td', {}, when(o.paid_at)), h('td', {}, yuan(o.refunded_amount)))));
  const refunds = table('Refunds', ['Refund', 'Order', 'Amount', 'Status', 'Reason'],
    ledger.refunds.map((r) => h('tr', {}, h('td', {}, h('code', {}, r.out_refund_no)), h('td', {}, h('code', {}, r.out_order_no)),
      h('td', {}, yuan(r.refund_amount)), h('td', {}, r.status), h('td', {}, r.reason))));
  const box = alertBox();
  const sync = h('input', { type: 'checkbox', name: 'order_sync', checked: ledger.order_sync });
  const form = actionForm({ 'aria-label': 'Order centre' }, box, async () => {
    await api('PUT', appUrl(app.appid, '/order-sync'), { enabled: sync.checked });
    await refresh();
    say(sync.checked ? `Orders of ${app.name} now appear in the host's Services and Orders.` : `Orders of ${app.name} stay in the mini-program.`);
  },
  h('label', {}, sync, ' Show paid orders in the host\'s "Services and Orders" (order-centre sync)'),
  box,
  h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save order centre')));
  return section('Payments', summary, orders, refunds, form);
}

const MAX_ICON = 256 << 10;

/** Uploading a PNG icon: the host's lists show it and QR codes carry it in their middle. */
function iconSection(app, refresh) {
  const box = alertBox();
  const file = h('input', { type: 'file', name: 'icon', accept: 'image/png', required: true });
  const form = actionForm({ 'aria-label': 'Upload an icon' }, box, async () => {
    const chosen = file.files[0];
    if (!chosen) throw new Error('Choose a PNG icon to upload.');
    if (chosen.size > MAX_ICON) throw new Error(`The icon is ${formatBytes(chosen.size)}; at most 256 KB.`);
    const saved = await api('PUT', appUrl(app.appid, '/icon'), chosen, { raw: true });
    await refresh();
    say(`The icon of ${saved.name} is saved.`);
  },
  field('Icon (PNG)', file, 'Square, 16 to 1024 pixels a side, at most 256 KB; drawn in the middle of QR codes'),
  box,
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Upload icon')));
  return section('Icon', h('p', {}, appIcon(app.icon, 'icon icon-large'), app.name), form);
}

const VERSION_LABEL = /^[A-Za-z0-9.+_-]{1,32}$/;
const MAX_UPLOAD = 32 << 20;

function uploadSection(app, refresh) {
  const box = alertBox();
  const file = h('input', { type: 'file', name: 'package', accept: '.capsule', required: true });
  const label = h('input', { name: 'version', required: true, maxlength: 32, placeholder: '1.0.0', autocomplete: 'off' });
  const description = h('textarea', { name: 'description', rows: 2, maxlength: 500 });
  const progress = h('p', { class: 'muted', role: 'status' });
  const form = actionForm({ 'aria-label': 'Upload a version' }, box, async () => {
    const chosen = file.files[0];
    const version = label.value.trim();
    // Said here rather than after sending up to 32 MB the server would refuse anyway.
    if (!chosen) throw new Error('Choose a .capsule package to upload.');
    if (!VERSION_LABEL.test(version)) throw new Error('Version: 1 to 32 letters, digits and . - + _ (such as 1.2.0).');
    if (chosen.size > MAX_UPLOAD) throw new Error(`The package is ${formatBytes(chosen.size)}; at most 32 MB.`);
    progress.textContent = `Uploading ${chosen.name} and running the checks…`;
    try {
      const query = new URLSearchParams({ version, description: description.value });
      const uploaded = await api('POST', appUrl(app.appid, `/versions?${query}`), chosen, { raw: true });
      appPage.lastUpload = uploaded;
    } finally {
      progress.textContent = '';
    }
    await refresh();
    const v = appPage.lastUpload;
    say(`Version ${v.version} uploaded: ${v.checks.passed ? 'the checks passed' : 'the checks failed'}.`);
  },
  field('Package (.capsule)', file, 'Made with: capsule build PROJECT -o app.capsule'),
  field('Version', label, 'Such as 1.2.0: letters, digits and . - + _'),
  field('Version description', description, 'What changed, for reviewers and your team'),
  box, progress,
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Upload and check')));

  const last = appPage.lastUpload;
  const report = last
    ? h('div', { class: 'last-upload' },
      h('h3', {}, `Check report for ${last.version}: ${last.checks.passed ? 'passed' : 'failed'}`),
      checkReport(last.checks, true))
    : null;
  return section('Upload a version', form, report);
}

/** The automatic checks' report: the package's problems, warnings, and each page. */
function checkReport(report, open) {
  const pages = report.pages ?? [];
  const failed = pages.filter((p) => !p.passed).length;
  const summary = report.passed
    ? `Checks passed: ${pages.length} ${pages.length === 1 ? 'page' : 'pages'}`
    : pages.length ? `Checks failed: ${failed} of ${pages.length} pages` : 'Checks failed';
  const list = (title, items, cls) => (items?.length
    ? [h('h4', {}, title), h('ul', { class: cls }, items.map((item) => h('li', {}, item)))]
    : null);
  const table = pages.length
    ? h('table', { class: 'report' },
      h('caption', {}, 'Pages'),
      h('thead', {}, h('tr', {}, ['Page', 'Result', 'Errors', 'Memory'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, pages.map((page) => h('tr', { class: page.passed ? 'passed' : 'failed' },
        h('th', { scope: 'row' }, h('code', {}, page.route)),
        h('td', {}, page.passed ? 'Passed' : 'Failed'),
        h('td', {}, page.errors.length ? h('ul', { class: 'errors' }, page.errors.map((e) => h('li', {}, e))) : '—'),
        h('td', {}, formatBytes(page.memory_bytes))))))
    : null;
  return h('details', { class: `report-box ${report.passed ? 'passed' : 'failed'}`, open: open || !report.passed },
    h('summary', {}, summary),
    list('Problems', report.problems, 'errors'),
    list('Warnings', report.warnings, 'warnings'),
    table);
}

function versionsSection(app, versions, channel, refresh) {
  if (!versions.length) return section('Versions', h('p', { class: 'muted' }, 'No versions yet: upload one above.'));
  return section('Versions', versions.map((v) => versionCard(app, v, channel, refresh)));
}

function versionCard(app, v, channel, refresh) {
  const titleId = uid('version');
  const box = alertBox();
  const act = (label, url, body, message, cls) => {
    const button = h('button', { type: 'button', class: cls }, label);
    button.addEventListener('click', () => run(button, box, async () => {
      await api('POST', url, body);
      await refresh();
      say(message);
    }));
    return button;
  };
  const on = ['develop', 'trial', 'release'].filter((c) => channel[c]?.version_id === v.id);
  const grayHere = channel.release?.gray_version_id === v.id;
  if (grayHere) on.push(`release to ${channel.release.gray_percent}% (gray)`);

  const actions = [];
  if (v.status === 'checked' || v.status === 'rejected') {
    actions.push(act('Submit for review', versionUrl(app.appid, v.id, 'submit'), undefined, `Version ${v.version} submitted for review.`, 'primary'));
  }
  if (v.status === 'in_review') actions.push(reviewForm(app, v, box, refresh));
  if (v.status === 'approved' || grayHere) actions.push(releaseForm(app, v, box, refresh, grayHere));
  // A gray version is widened, not rolled back to.
  if (v.released_at && channel.release?.version_id !== v.id && !grayHere) {
    actions.push(act('Roll back to this version', versionUrl(app.appid, v.id, 'rollback'), undefined,
      `Everyone gets version ${v.version} again.`));
  }
  if (v.signature && channel.trial?.version_id !== v.id) {
    actions.push(act('Set as trial version', versionUrl(app.appid, v.id, 'trial'), undefined, `Testers now get version ${v.version}.`));
  }

  return h('article', { class: 'version', 'aria-labelledby': titleId },
    h('header', {},
      h('h3', { id: titleId }, `Version ${v.version}`),
      h('span', { class: `badge ${v.status}` }, STATUS[v.status] ?? v.status),
      on.length ? h('span', { class: 'muted' }, `On: ${on.join(', ')}`) : null),
    v.description ? h('p', {}, v.description) : null,
    h('p', { class: 'muted small' }, `Uploaded ${formatTime(v.uploaded_at)} · ${formatBytes(v.size)}`,
      v.released_at ? ` · first released ${formatTime(v.released_at)}` : '', ' · ', h('code', {}, v.id)),
    v.review_reason
      ? h('p', { class: v.status === 'rejected' ? 'reason rejected' : 'reason' },
        h('strong', {}, v.status === 'rejected' ? 'Rejected: ' : 'Reviewer’s note: '), v.review_reason)
      : null,
    checkReport(v.checks, false),
    actions.length ? h('div', { class: 'actions' }, actions) : null,
    box);
}

/** Approve, or reject with a reason: a rejection without one is refused here, before sending. */
function reviewForm(app, v, box, refresh) {
  const reason = h('textarea', { name: 'reason', rows: 2, maxlength: 1000 });
  const approve = h('button', { type: 'button', class: 'primary' }, 'Approve');
  const reject = h('button', { type: 'button', class: 'danger' }, 'Reject');
  const review = (button, approved) => run(button, box, async () => {
    const text = reason.value.trim();
    if (!approved && !text) {
      reason.setAttribute('aria-invalid', 'true');
      reason.focus();
      throw new Error('Write a reason before rejecting: the developers will read it.');
    }
    reason.removeAttribute('aria-invalid');
    await api('POST', versionUrl(app.appid, v.id, 'review'), { approve: approved, reason: text });
    await refresh();
    say(`Version ${v.version} ${approved ? 'approved' : 'rejected'}.`);
  });
  approve.addEventListener('click', () => review(approve, true));
  reject.addEventListener('click', () => review(reject, false));
  return h('div', { class: 'review', role: 'group', 'aria-label': `Review version ${v.version}` },
    field('Review reason', reason, 'Required to reject; optional to approve'),
    h('div', { class: 'actions' }, approve, ' ', reject));
}

function releaseForm(app, v, box, refresh, widening) {
  const percent = h('input', { name: 'percent', type: 'number', min: 1, max: 100, step: 1, value: '100', required: true, class: 'short' });
  const button = h('button', { type: 'submit', class: 'primary' }, widening ? 'Widen release' : 'Release');
  const form = h('form', { class: 'release', 'aria-label': `Release version ${v.version}` },
    field('Release percentage', percent, 'Share of users, 1 to 100; below 100 the current release keeps serving the rest'),
    h('div', { class: 'actions' }, button));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(button, box, async () => {
      const value = Number(percent.value);
      if (!Number.isInteger(value) || value < 1 || value > 100) throw new Error('Release percentage: a whole number from 1 to 100.');
      await api('POST', versionUrl(app.appid, v.id, 'release'), { percent: value });
      await refresh();
      say(value === 100 ? `Version ${v.version} released to everyone.` : `Version ${v.version} released to ${value}% of users.`);
    });
  });
  return form;
}

function testersSection(app) {
  const box = alertBox();
  const username = h('input', { name: 'username', required: true, autocomplete: 'off' });
  const form = actionForm({ 'aria-label': 'Add a tester' }, box, async () => {
    const answer = await api('POST', appUrl(app.appid, '/testers'), { username: username.value.trim() });
    username.value = '';
    say(`${answer.tester} can now open the trial version.`);
  }, field('Tester username', username, 'A host user who may open the trial version'), box,
  h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Add tester')));
  return section('Testers', form);
}

function secretSection(app) {
  const box = alertBox();
  return section('AppSecret',
    h('p', {}, 'The AppSecret was shown once, when the mini-program was created. Resetting makes a new one; the current one stops working at once. Only owners may.'),
    confirmStep('Reset secret…', 'Reset the AppSecret? Servers using the current one fail until you give them the new one.',
      'Reset now', box, async () => {
        const answer = await api('POST', appUrl(app.appid, '/secret'));
        showSecret({ title: `Save the new AppSecret of ${app.name}`, appid: answer.appid, secret: answer.secret });
        say(`A new AppSecret was made for ${app.name}.`);
      }),
    box);
}

// ---------------------------------------------------------------------------------------------
// Start

window.addEventListener('hashchange', () => {
  say(nextFlash);
  nextFlash = '';
  route();
});

(async function start() {
  try {
    const me = await api('GET', '/api/account/me');
    session.user = me.user ?? null;
    session.csrf = me.csrf ?? null;
  } catch (error) {
    showError(pageError, error.message);
  }
  renderWho();
  route();
})();
