// Usage (every signed-in key: its tenant; the operator: every tenant): balance and ledger, charts per
// model and per day drawn as inline SVG from GET /api/usage, and (the operator) each upstream's health.
import { el } from './dom.js';
import { api } from './api.js';
import { local } from './tasks.js';

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

/**
 * A grouped bar chart: one group of bars per row (a model or a day), one bar per series, each
 * series scaled to its own maximum (credits and task counts have different units), with the value
 * on hover and in the legend's table below.
 */
export function barChart(id, rows, label, series) {
  const width = 1000, height = 190, left = 8, bottom = 30, top = 8;
  const chart = svg('svg', { id, class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-label': series.map(s => s.title).join(', ') + ' by ' + label });
  const max = Object.fromEntries(series.map(s => [s.key, Math.max(0, ...rows.map(r => Number(r[s.key]) || 0))]));
  const slot = (width - left) / Math.max(rows.length, 1);
  const bar = Math.max(2, Math.min(26, (slot - 10) / series.length));
  chart.append(svg('line', { x1: left, x2: width, y1: height - bottom, y2: height - bottom, class: 'axis' }));
  rows.forEach((r, i) => {
    const x0 = left + i * slot + (slot - bar * series.length) / 2;
    series.forEach((s, j) => {
      const v = Number(r[s.key]) || 0;
      const h = max[s.key] ? (height - bottom - top) * v / max[s.key] : 0;
      chart.append(svg('rect', { x: x0 + j * bar, y: height - bottom - h, width: bar - 1, height: Math.max(h, v ? 1 : 0),
        class: 'bar ' + s.cls, 'data-series': s.key, 'data-group': r[label] ?? '' }, svg('title', {}, `${r[label] ?? '(none)'}: ${v} ${s.title}`)));
    });
    const name = String(r[label] ?? '(none)');
    chart.append(svg('text', { x: left + i * slot + slot / 2, y: height - bottom + 16, class: 'tick', 'text-anchor': 'middle' },
      name.length > 16 ? name.slice(0, 15) + '…' : name));
  });
  if (!rows.length) chart.append(svg('text', { x: width / 2, y: height / 2, class: 'tick', 'text-anchor': 'middle' }, 'No tasks in this range.'));
  const legend = el('div', { class: 'legend' }, ...series.map(s => el('span', {}, el('i', { class: 'swatch ' + s.cls }), s.title,
    el('span', { class: 'muted' }, ` (max ${max[s.key]})`))));
  return el('figure', { class: 'card chart-card' }, chart, legend);
}

function table(id, rows, label, columns) {
  return el('table', { class: 'list', id },
    el('thead', {}, el('tr', {}, el('th', {}, label), ...columns.map(c => el('th', {}, c.replaceAll('_', ' '))))),
    el('tbody', {}, ...rows.map(r => el('tr', {}, el('td', {}, r[label] ?? '(none)'), ...columns.map(c => el('td', {}, String(r[c])))))));
}

const SERIES = [
  { key: 'credits_charged', title: 'credits charged', cls: 's1' },
  { key: 'tasks', title: 'tasks', cls: 's2' },
  { key: 'failed', title: 'failures', cls: 's3' },
];
const COLUMNS = ['tasks', 'succeeded', 'failed', 'images', 'credits_charged', 'credits_refunded', 'usd_charged', 'upstream_cost_usd', 'margin_usd'];

export async function usagePage(session) {
  const days = el('select', { id: 'u-days' }, ...[1, 7, 30, 90].map(d => el('option', { value: d, selected: d === 30 }, `last ${d} days`)));
  const tenant = el('input', { id: 'u-tenant', placeholder: 'all tenants', class: 'admin-only', size: 14 });
  const content = el('div', { id: 'usage-content' });
  const error = el('p', { class: 'error' });
  const csv = el('button', { class: 'secondary', id: 'u-csv' }, 'Download CSV');
  const query = groupBy => {
    const until = new Date();
    const since = new Date(until - Number(days.value) * 86400_000);
    const q = new URLSearchParams({ group_by: groupBy, since: since.toISOString(), until: until.toISOString() });
    if (session.operator && tenant.value.trim()) q.set('tenant_id', tenant.value.trim());
    return '/api/usage?' + q;
  };
  csv.addEventListener('click', async () => {
    const res = await fetch(query('model'), { headers: { Accept: 'text/csv' }, credentials: 'same-origin' });
    const url = URL.createObjectURL(await res.blob());
    const a = el('a', { href: url, download: 'pictor-usage.csv' });
    document.body.append(a);
    a.click();
    a.remove();
    URL.revokeObjectURL(url);
  });
  const load = async () => {
    try {
      const [byModel, byDay] = await Promise.all([api('GET', query('model')), api('GET', query('day'))]);
      error.textContent = '';
      const t = byModel.totals;
      content.replaceChildren(
        el('p', { id: 'u-totals' }, `${t.tasks} tasks (${t.failed} failed), ${t.images} images, ${t.credits_charged} credits charged `
          + `(US$${t.usd_charged}), ${t.credits_refunded} refunded; upstream cost US$${t.upstream_cost_usd}, margin US$${t.margin_usd}`
          + (t.unpriced_tasks ? ` (${t.unpriced_tasks} tasks on routes without an upstream cost)` : '')),
        el('h2', {}, 'Per model'), barChart('chart-model', byModel.groups, 'model', SERIES),
        table('usage-models', byModel.groups, 'model', COLUMNS),
        el('h2', {}, 'Per day (UTC)'), barChart('chart-day', byDay.groups, 'day', SERIES));
    } catch (err) { error.textContent = err.message; }
  };
  days.addEventListener('change', load);
  tenant.addEventListener('change', load);

  const [account, ledger] = await Promise.all([api('GET', '/api/account'), api('GET', '/api/account/ledger?limit=20')]);
  const accountCard = el('div', { class: 'card', id: 'u-account' },
    el('h2', {}, 'Balance'),
    el('dl', { class: 'facts' },
      el('dt', {}, 'Tenant'), el('dd', {}, account.tenant_id),
      el('dt', {}, 'Billing'), el('dd', {}, account.billing),
      el('dt', {}, 'Balance'), el('dd', { id: 'u-balance' }, `${account.balance} credits (US$${(account.balance * account.usd_per_credit).toFixed(3)})`),
      el('dt', {}, 'Reserved'), el('dd', {}, `${account.reserved} credits held by open tasks`)),
    el('h3', {}, 'Ledger'),
    ledger.entries.length
      ? el('table', { class: 'list', id: 'u-ledger' }, el('thead', {}, el('tr', {}, ...['time', 'kind', 'credits', 'task', 'reason'].map(h => el('th', {}, h)))),
        el('tbody', {}, ...ledger.entries.map(e => el('tr', {}, el('td', {}, local(e.created_time)), el('td', {}, e.kind), el('td', {}, String(e.amount)),
          el('td', {}, e.task_id ? el('a', { href: '#/tasks/' + encodeURIComponent(e.task_id) }, e.task_id) : ''), el('td', {}, e.reason ?? '')))))
      : el('p', { class: 'muted', id: 'u-ledger' }, account.billing === 'unlimited'
        ? 'An unlimited tenant has no balance to move, so no ledger rows; what each task costs is still recorded and charted below.'
        : 'No ledger rows yet.'));

  await load();
  const page = el('div', {}, el('h1', {}, 'Usage'),
    el('div', { class: 'filters' }, el('label', {}, 'Range ', days), session.operator ? el('label', {}, 'Tenant ', tenant) : null, csv, error),
    content, accountCard);
  if (session.operator) page.append(el('h2', {}, 'Upstream health'), await healthTable());
  return page;
}

async function healthTable() {
  const h = await api('GET', '/api/admin/upstreams');
  const pct = x => (x * 100).toFixed(1) + '%';
  return el('div', {},
    el('table', { class: 'list', id: 'u-health' },
      el('thead', {}, el('tr', {}, ...['upstream', 'circuit', 'calls', 'failures', 'error rate', 'p50', 'p90', 'max', 'last failure'].map(x => el('th', {}, x)))),
      el('tbody', {}, ...h.upstreams.map(u => el('tr', { 'data-upstream': u.name },
        el('td', {}, u.name), el('td', {}, el('span', { class: 'circuit ' + u.circuit }, u.circuit.replace('_', '-')),
          u.open_until ? ' until ' + local(u.open_until) : ''),
        el('td', {}, String(u.calls)), el('td', {}, String(u.failures)), el('td', {}, pct(u.error_rate)),
        el('td', {}, u.latency_p50_ms + ' ms'), el('td', {}, u.latency_p90_ms + ' ms'), el('td', {}, u.latency_max_ms + ' ms'),
        el('td', {}, local(u.last_failure_time) || '—'))))),
    el('p', { class: 'muted small' }, `This node's last ${Math.round(h.window_seconds / 60)} minutes of calls (at most 200 per upstream), `
      + 'kept in memory like the circuit breaker. A failure is what the breaker counts: a 5xx, 429, timeout or broken answer; '
      + 'a moderation refusal or bad input is an answer, not an outage.'));
}
