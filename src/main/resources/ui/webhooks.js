// Webhooks: the signing secret (revealed on demand), rotation (admins), events with every attempt,
// and redelivery of one event or of many.
import { el } from './dom.js';
import { api } from './api.js';
import { toast } from './app.js';
import { local } from './tasks.js';

export async function webhooksPage() {
  const secretBox = el('code', { id: 'wh-secret' }, 'whsec_••••••••••••••••');
  const reveal = el('button', { class: 'secondary', id: 'wh-reveal', onclick: async () => {
    const s = await api('GET', '/api/webhooks/secret');
    secretBox.textContent = s.active_secrets.map(a => a.secret + (a.valid_until ? ` (until ${local(a.valid_until)})` : '')).join('\n');
    reveal.hidden = true;
  } }, 'Reveal');
  const overlap = el('input', { id: 'wh-overlap', type: 'number', min: 0, max: 720, value: 24 });
  const rotate = el('div', { class: 'admin-only' }, el('label', {}, 'Overlap hours ', overlap), ' ',
    el('button', { class: 'danger', id: 'wh-rotate', onclick: async () => {
      const s = await api('POST', '/api/admin/webhooks/secret/rotate', { overlap_hours: Number(overlap.value) });
      secretBox.textContent = s.active_secrets.map(a => a.secret).join('\n');
      reveal.hidden = true;
      toast('Secret rotated');
    } }, 'Rotate secret'));

  const status = el('select', { id: 'wh-status' }, el('option', { value: '' }, 'Any status'),
    ...['pending', 'failing', 'delivered', 'dead', 'disabled'].map(s => el('option', { value: s }, s)));
  const list = el('div', { id: 'wh-events' });
  const load = async () => {
    const q = new URLSearchParams({ limit: '100' });
    if (status.value) q.set('status', status.value);
    const data = await api('GET', '/api/webhooks/events?' + q);
    list.replaceChildren(...(data.events.length ? data.events.map(eventCard) : [el('p', { class: 'muted' }, 'No webhook events. Submit with a callback_url to get some.')]));
  };
  const eventCard = e => el('details', { class: 'card event', 'data-event': e.id },
    el('summary', {}, el('span', { class: 'status ' + e.status }, e.status), ' ', el('code', {}, e.id), ' · task ',
      el('a', { href: '#/tasks/' + encodeURIComponent(e.task_id) }, e.task_id), ` · ${e.attempts} attempt(s)`,
      e.last_http_status ? ` · last HTTP ${e.last_http_status}` : ''),
    el('p', {}, 'URL ', el('code', {}, e.url), ' · created ', local(e.created_time),
      e.next_attempt_time ? ' · next attempt ' + local(e.next_attempt_time) : '', e.delivered_time ? ' · delivered ' + local(e.delivered_time) : ''),
    e.last_error ? el('p', { class: 'error' }, e.last_error) : null,
    el('table', { class: 'list' }, el('tr', {}, ...['#', 'time', 'HTTP status', 'latency', 'error', 'response'].map(h => el('th', {}, h))),
      ...e.attempt_log.map(a => el('tr', {}, el('td', {}, a.attempt), el('td', {}, local(a.time)), el('td', {}, a.http_status ?? '—'),
        el('td', {}, a.latency_ms + ' ms'), el('td', {}, a.error ?? ''), el('td', {}, el('code', {}, a.response_excerpt ?? ''))))),
    el('button', { class: 'secondary redeliver', onclick: async () => {
      await api('POST', '/api/webhooks/events/' + encodeURIComponent(e.id) + '/redeliver');
      toast('Redelivery queued for ' + e.id);
      await load();
    } }, 'Redeliver'));
  status.addEventListener('change', load);

  const manyStatus = el('select', { id: 'wh-many-status' }, ...['dead', 'failing', 'disabled'].map(s => el('option', { value: s }, s)));
  const manySince = el('input', { id: 'wh-many-since', type: 'datetime-local' });
  const many = el('form', { class: 'filters', onsubmit: async ev => {
    ev.preventDefault();
    const since = manySince.value ? new Date(manySince.value) : new Date(Date.now() - 24 * 3600 * 1000);
    const r = await api('POST', '/api/webhooks/redeliver', { status: manyStatus.value, since: since.toISOString() });
    toast(`Redelivering ${r.redelivered} event(s)`);
    await load();
  } }, el('label', {}, 'Redeliver every ', manyStatus), el('label', {}, ' event since ', manySince),
    el('button', { type: 'submit', class: 'secondary', id: 'wh-many' }, 'Redeliver'), el('span', { class: 'muted' }, ' (default: the last 24 h)'));

  await load();
  return el('div', {}, el('h1', {}, 'Webhooks'),
    el('section', { class: 'card' }, el('h2', {}, 'Signing secret'),
      el('p', { class: 'muted' }, 'Receivers verify webhook-signature with it (Standard Webhooks). See the model pages for receivers in four languages.'),
      el('pre', { class: 'secret' }, secretBox), reveal, rotate),
    el('h2', {}, 'Events'), el('div', { class: 'filters' }, el('label', {}, 'Status ', status)), many, list);
}
