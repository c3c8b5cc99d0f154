// Keys (admins): tenants, keys with their limits and live counters, create (secret shown once), revoke.
// The operator sees every tenant; a tenant admin its own.
import { el } from './dom.js';
import { api } from './api.js';
import { toast } from './app.js';
import { local } from './tasks.js';

export async function keysPage(session) {
  if (!session.admin) return el('p', { class: 'error' }, 'Keys and tenants need an admin key.');
  const tenants = el('tbody', { id: 'tenant-rows' });
  const keys = el('tbody', { id: 'key-rows' });
  const tenantSelect = el('select', { id: 'k-tenant' });
  const filter = el('select', { id: 'k-filter' });
  const shown = el('div', { id: 'k-created' });
  const load = async () => {
    const t = await api('GET', '/api/admin/tenants');
    tenants.replaceChildren(...t.tenants.map(x => el('tr', {}, el('td', {}, el('code', {}, x.id)), el('td', {}, x.name), el('td', {}, local(x.created_time)))));
    const keep = filter.value;
    tenantSelect.replaceChildren(...t.tenants.map(x => el('option', { value: x.id }, x.id)));
    filter.replaceChildren(el('option', { value: '' }, 'All tenants'), ...t.tenants.map(x => el('option', { value: x.id, selected: x.id === keep }, x.id)));
    const k = await api('GET', '/api/admin/keys' + (filter.value ? '?tenant_id=' + encodeURIComponent(filter.value) : ''));
    keys.replaceChildren(...k.keys.map(x => el('tr', { 'data-key': x.id, class: x.revoked_time ? 'revoked' : '' },
      el('td', {}, el('code', {}, x.id)), el('td', {}, x.tenant_id), el('td', {}, x.name), el('td', {}, el('code', {}, x.prefix + '…')),
      el('td', {}, x.scope.replace('_', ' ')), el('td', { class: 'limits' }, limits(x)), el('td', {}, local(x.created_time)), el('td', {}, local(x.last_used_time) || 'never'),
      el('td', {}, x.revoked_time ? 'revoked ' + local(x.revoked_time) : x.id === session.key_id ? el('span', { class: 'muted' }, 'this session') : revokeButton(x)))));
  };
  // "used / limit" per window; "-" where the key has no such limit.
  const limits = x => {
    const parts = [];
    if (x.rate_limit) parts.push(`${x.hourly_requests ?? 0} / ${x.rate_limit} requests this hour`);
    if (x.hourly_credit_limit) parts.push(`${x.hourly_used} / ${x.hourly_credit_limit} credits this hour`);
    else parts.push(`${x.hourly_used} credits this hour`);
    if (x.daily_credit_limit) parts.push(`${x.daily_used} / ${x.daily_credit_limit} credits today`);
    else parts.push(`${x.daily_used} credits today`);
    if (x.ip_whitelist) parts.push('from ' + x.ip_whitelist.join(', '));
    return parts.join(' · ');
  };
  const revokeButton = x => {
    const b = el('button', { class: 'danger small revoke' }, 'Revoke');
    b.addEventListener('click', async () => {
      if (b.dataset.armed !== 'yes') { b.dataset.armed = 'yes'; b.textContent = 'Confirm revoke'; return; }
      await api('POST', '/api/admin/keys/' + encodeURIComponent(x.id) + '/revoke');
      toast('Revoked ' + x.id);
      await load();
    });
    return b;
  };
  filter.addEventListener('change', load);

  const tenantId = el('input', { id: 'tn-id', placeholder: 'id (a-z, 0-9, _ -)', pattern: '[a-z0-9][a-z0-9_-]{0,63}', required: true });
  const tenantName = el('input', { id: 'tn-name', placeholder: 'name' });
  const tenantError = el('span', { class: 'error' });
  const tenantForm = el('form', { class: 'filters', onsubmit: async e => {
    e.preventDefault();
    try {
      await api('POST', '/api/admin/tenants', { id: tenantId.value, name: tenantName.value || tenantId.value });
      tenantError.textContent = '';
      tenantId.value = tenantName.value = '';
      await load();
    } catch (err) { tenantError.textContent = err.message; }
  } }, tenantId, tenantName, el('button', { type: 'submit', class: 'secondary' }, 'Create tenant'), tenantError);

  const keyName = el('input', { id: 'k-name', placeholder: 'name, e.g. backend' });
  const keyAdmin = el('input', { id: 'k-admin', type: 'checkbox' });
  const number = (id, placeholder) => el('input', { id, type: 'number', min: 0, placeholder, size: 9 });
  const keyRate = number('k-rate', 'requests/h');
  const keyHourly = number('k-hourly', 'credits/h');
  const keyDaily = number('k-daily', 'credits/day');
  const keyIps = el('input', { id: 'k-ips', placeholder: 'IPs or CIDRs, comma-separated' });
  const keyError = el('span', { class: 'error', id: 'k-error' });
  const keyForm = el('form', { class: 'filters', onsubmit: async e => {
    e.preventDefault();
    const body = { tenant_id: tenantSelect.value, name: keyName.value, admin: keyAdmin.checked };
    if (keyRate.value) body.rate_limit = Number(keyRate.value);
    if (keyHourly.value) body.hourly_credit_limit = Number(keyHourly.value);
    if (keyDaily.value) body.daily_credit_limit = Number(keyDaily.value);
    if (keyIps.value.trim()) body.ip_whitelist = keyIps.value.split(',').map(v => v.trim()).filter(v => v);
    let k;
    try { k = await api('POST', '/api/admin/keys', body); keyError.textContent = ''; }
    catch (err) { keyError.textContent = err.message; return; }
    keyRate.value = keyHourly.value = keyDaily.value = keyIps.value = '';
    keyName.value = '';
    // Shown once, in the page only until the person dismisses it; never stored.
    const secret = el('code', { id: 'k-secret' }, k.key);
    shown.replaceChildren(el('div', { class: 'card notice' }, el('strong', {}, 'New key for ' + k.tenant_id + ': '), secret,
      el('p', {}, 'Copy it now: it is shown only this once.'),
      el('button', { class: 'secondary', id: 'k-dismiss', onclick: () => shown.replaceChildren() }, 'I have stored it')));
    await load();
  } }, el('label', {}, 'Tenant ', tenantSelect), keyName, el('label', {}, keyAdmin, ' tenant admin'),
    keyRate, keyHourly, keyDaily, keyIps, el('button', { type: 'submit', id: 'k-create' }, 'Create key'), keyError);

  await load();
  return el('div', {}, el('h1', {}, 'Keys and tenants'),
    el('h2', {}, 'Tenants'), session.operator ? tenantForm : el('p', { class: 'muted' }, 'Tenants are created by the operator.'),
    el('table', { class: 'list' }, el('thead', {}, el('tr', {}, el('th', {}, 'id'), el('th', {}, 'name'), el('th', {}, 'created'))), tenants),
    el('h2', {}, 'API keys'), keyForm, shown, el('div', { class: 'filters' }, el('label', {}, 'Show ', filter)),
    el('table', { class: 'list' }, el('thead', {}, el('tr', {}, ...['id', 'tenant', 'name', 'prefix', 'scope', 'limits and use', 'created', 'last used', ''].map(h => el('th', {}, h)))), keys),
    el('p', { class: 'muted' }, 'Hours and days are UTC windows; 0 or empty means no limit. Change limits with PATCH /api/admin/keys/{id}.'));
}
