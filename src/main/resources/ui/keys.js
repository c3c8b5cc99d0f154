// Keys (admins): tenants, keys, create (secret shown once), revoke.
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
      el('td', {}, x.admin ? 'admin' : ''), el('td', {}, local(x.created_time)), el('td', {}, local(x.last_used_time) || 'never'),
      el('td', {}, x.revoked_time ? 'revoked ' + local(x.revoked_time) : x.id === session.key_id ? el('span', { class: 'muted' }, 'this session') : revokeButton(x)))));
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
  const keyForm = el('form', { class: 'filters', onsubmit: async e => {
    e.preventDefault();
    const k = await api('POST', '/api/admin/keys', { tenant_id: tenantSelect.value, name: keyName.value, admin: keyAdmin.checked });
    keyName.value = '';
    // Shown once, in the page only until the person dismisses it; never stored.
    const secret = el('code', { id: 'k-secret' }, k.key);
    shown.replaceChildren(el('div', { class: 'card notice' }, el('strong', {}, 'New key for ' + k.tenant_id + ': '), secret,
      el('p', {}, 'Copy it now: it is shown only this once.'),
      el('button', { class: 'secondary', id: 'k-dismiss', onclick: () => shown.replaceChildren() }, 'I have stored it')));
    await load();
  } }, el('label', {}, 'Tenant ', tenantSelect), keyName, el('label', {}, keyAdmin, ' admin'),
    el('button', { type: 'submit', id: 'k-create' }, 'Create key'));

  await load();
  return el('div', {}, el('h1', {}, 'Keys and tenants'),
    el('h2', {}, 'Tenants'), tenantForm,
    el('table', { class: 'list' }, el('thead', {}, el('tr', {}, el('th', {}, 'id'), el('th', {}, 'name'), el('th', {}, 'created'))), tenants),
    el('h2', {}, 'API keys'), keyForm, shown, el('div', { class: 'filters' }, el('label', {}, 'Show ', filter)),
    el('table', { class: 'list' }, el('thead', {}, el('tr', {}, ...['id', 'tenant', 'name', 'prefix', 'role', 'created', 'last used', ''].map(h => el('th', {}, h)))), keys),
    el('p', { class: 'muted' }, 'Per-key limits and live counters are not yet available: Pictor has no rate limits or per-key counters yet.'));
}
