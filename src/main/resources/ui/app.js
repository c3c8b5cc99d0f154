// The dashboard shell: session check, sign-in, navigation between pages (hash routes).
import { el, clear } from './dom.js';
import { api, setCsrf } from './api.js';
import { modelsPage, modelPage } from './models.js';
import { playgroundPage } from './playground.js';
import { tasksPage, taskPage, galleryPage } from './tasks.js';
import { webhooksPage } from './webhooks.js';
import { keysPage } from './keys.js';
import { usagePage } from './usage.js';

const view = document.getElementById('view');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
let session = null;
let unmount = null;

export function toast(text, bad = false) {
  const t = document.getElementById('toast');
  t.textContent = text;
  t.className = bad ? 'show bad' : 'show';
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.className = ''; }, 3500);
}

async function start() {
  const s = await api('GET', '/ui/session');
  if (s.signed_in) signedIn(s); else signInPage();
}

function signedIn(s) {
  session = s;
  setCsrf(s.csrf_token);
  nav.hidden = false;
  document.body.classList.toggle('is-admin', s.admin);
  clear(who).append(el('span', { class: 'muted' }, `${s.tenant_id} · ${s.key_id}${s.operator ? ' · operator' : s.admin ? ' · tenant admin' : ''}`), ' ',
    el('button', { class: 'link', id: 'sign-out', onclick: signOut }, 'Sign out'));
  if (!location.hash) location.hash = '#/models';
  route();
}

function signInPage() {
  session = null;
  setCsrf(null);
  nav.hidden = true;
  clear(who);
  const input = el('input', { type: 'password', id: 'key', autocomplete: 'off', placeholder: 'sk-…', required: true, spellcheck: 'false' });
  const error = el('p', { class: 'error', id: 'sign-in-error' });
  const form = el('form', { class: 'card sign-in', onsubmit: async e => {
    e.preventDefault();
    const key = input.value.trim();
    input.value = ''; // the key leaves the page with this request and is not kept anywhere
    try {
      signedIn(await api('POST', '/ui/session', { key }));
    } catch (err) {
      error.textContent = err.message;
    }
  } },
  el('h1', {}, 'Sign in to Pictor'),
  el('p', {}, 'Paste an API key once. The server answers with a session cookie the page cannot read; the key is not stored in the browser.'),
  el('label', { for: 'key' }, 'API key'), input, error,
  el('button', { type: 'submit', id: 'sign-in' }, 'Sign in'),
  el('p', { class: 'muted' }, 'On first start Pictor prints an admin key on its console (or uses PICTOR_ADMIN_KEY).'));
  clear(view).append(form);
  input.focus();
}

async function signOut() {
  await api('DELETE', '/ui/session');
  location.hash = '';
  signInPage();
}

const pages = [
  [/^#\/models$/, () => modelsPage()],
  [/^#\/models\/(.+)$/, m => modelPage(decodeURIComponent(m[1]))],
  [/^#\/playground(?:\/([^?]+))?(?:\?(.*))?$/, m => playgroundPage(m[1] && decodeURIComponent(m[1]), new URLSearchParams(m[2] ?? ''))],
  [/^#\/tasks$/, () => tasksPage()],
  [/^#\/tasks\/(.+)$/, m => taskPage(decodeURIComponent(m[1]))],
  [/^#\/gallery$/, () => galleryPage()],
  [/^#\/webhooks$/, () => webhooksPage()],
  [/^#\/keys$/, () => keysPage(session)],
  [/^#\/usage$/, () => usagePage(session)],
];

let generation = 0;

async function route() {
  if (!session) return;
  const mine = ++generation; // a slower render of an earlier page must not overwrite this one
  if (unmount) { unmount(); unmount = null; }
  const hash = location.hash || '#/models';
  for (const a of nav.querySelectorAll('a')) a.classList.toggle('active', hash.startsWith(a.getAttribute('href')));
  for (const [pattern, render] of pages) {
    const m = hash.match(pattern);
    if (!m) continue;
    clear(view).append(el('p', { class: 'muted' }, 'Loading…'));
    try {
      const page = await render(m);
      if (mine !== generation) { page.unmount?.(); return; }
      clear(view).append(page.node ?? page);
      unmount = page.unmount ?? null;
      document.body.dataset.page = hash.split('/')[1];
    } catch (err) {
      if (mine !== generation) return;
      if (err.status === 401) { signInPage(); return; }
      clear(view).append(el('p', { class: 'error' }, err.message));
    }
    return;
  }
  clear(view).append(el('p', {}, 'No such page.'));
}

window.addEventListener('hashchange', route);
start();
