// Calls to Pictor with the session cookie. The key is never held here: the cookie is HttpOnly,
// and state-changing calls add the session's CSRF token, which is kept in memory only.
let csrf = null;

export function setCsrf(token) { csrf = token; }

export class ApiError extends Error {
  constructor(status, error) {
    super(error?.message ?? ('HTTP ' + status));
    this.status = status;
    this.param = error?.param;
  }
}

export async function api(method, path, body) {
  const headers = {};
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  const json = res.headers.get('Content-Type')?.startsWith('application/json') ? await res.json() : null;
  if (!res.ok) throw new ApiError(res.status, json?.error);
  return json?.data ?? json;
}

let modelsCache = null;
export async function models() {
  if (!modelsCache) {
    const [list, routes] = await Promise.all([api('GET', '/api/models'), api('GET', '/ui/model-routes')]);
    modelsCache = list.models.map(m => ({ ...m, upstreams: routes.models[m.id] ?? [] }));
  }
  return modelsCache;
}
