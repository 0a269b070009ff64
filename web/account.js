// The host user's account in the browser: who is logged in, the log-in / sign-up sheet the
// host shows (for the profile, and when a mini-program calls tt.login / wx.login), log out,
// and fetch() with the session's CSRF token for state-changing requests.

import { modalDialog } from './sheet.js';

let current = { user: null, csrf: null };

export async function me() {
  const response = await fetch('/api/account/me');
  current = response.ok ? await response.json() : { user: null };
  return current.user;
}

/** A POST carrying the CSRF token; resolves to the parsed answer or throws its error. */
async function postWithToken(url, contentType, body) {
  const headers = { 'content-type': contentType };
  if (current.csrf) headers['x-csrf-token'] = current.csrf;
  const response = await fetch(url, { method: 'POST', headers, body });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error || `${url}: ${response.status}`);
  return answer;
}

/** A JSON POST carrying the CSRF token. */
export const post = (url, body) => postWithToken(url, 'application/json', JSON.stringify(body ?? {}));

/** A POST of raw bytes (a file) carrying the CSRF token. */
export const postBytes = (url, body, contentType) => postWithToken(url, contentType || 'application/octet-stream', body);

export async function logOut() {
  await post('/api/account/logout');
  current = { user: null, csrf: null };
}

/**
 * Shows the log-in sheet inside `parent` (an element positioned for an overlay) and resolves
 * to true once the person is logged in (or signed up), false if they cancel.
 */
export function askToLogIn(parent, reason = 'Log in to continue') {
  return new Promise((resolve) => {
    const { mask, box: form } = modalDialog(parent, { tag: 'form', className: 'login', label: 'Log in' });
    form.innerHTML = `<h2></h2>
      <label>Username <input name="username" autocomplete="username" required></label>
      <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
      <p class="error" role="alert"></p>
      <div class="actions">
        <button type="button" class="cancel">Cancel</button>
        <button type="button" class="signup">Sign up</button>
        <button type="submit" class="confirm">Log in</button>
      </div>`;
    form.querySelector('h2').textContent = reason;
    form.querySelector('input').focus();
    const finish = (ok) => { mask.remove(); resolve(ok); };
    const submit = async (url) => {
      if (!form.reportValidity()) return;
      const data = new FormData(form);
      try {
        current = await post(url, { username: data.get('username'), password: data.get('password') });
        finish(true);
      } catch (error) {
        form.querySelector('.error').textContent = error.message;
      }
    };
    form.addEventListener('submit', (e) => { e.preventDefault(); submit('/api/account/login'); });
    form.querySelector('.signup').addEventListener('click', () => submit('/api/account/signup'));
    form.querySelector('.cancel').addEventListener('click', () => finish(false));
  });
}
