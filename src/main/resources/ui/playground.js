// Playground: a form built from the model's catalog description, submit, live status over the
// events stream, the result images, the exact request as curl, and "edit this result".
import { el, clear } from './dom.js';
import { api, models } from './api.js';
import { taskLabel, limits } from './models.js';
import { toast } from './app.js';

export async function playgroundPage(modelId, params) {
  const all = await models();
  const model = all.find(m => m.id === modelId) ?? all[0];
  const picker = el('select', { id: 'pg-model', onchange: () => { location.hash = '#/playground/' + encodeURIComponent(picker.value); } },
    ...all.map(m => el('option', { value: m.id, selected: m.id === model.id }, `${m.title} (${m.id}) · ${taskLabel(m.mode)}`)));
  const controls = new Map();
  const form = el('form', { class: 'card pg-form', id: 'pg-form', novalidate: true });
  for (const f of model.fields) {
    const control = controlFor(f, params);
    controls.set(f.name, control);
    form.append(el('div', { class: 'field', 'data-field': f.name },
      el('label', { for: 'f-' + f.name }, f.name, f.required ? ' *' : ''), control.node,
      el('div', { class: 'muted small' }, [f.description, limits(f)].filter(Boolean).join(' · ')),
      el('div', { class: 'error small', id: 'err-' + f.name })));
  }
  const callback = el('input', { id: 'f-callback_url', type: 'url', placeholder: 'https://your.app/webhook (optional)' });
  form.append(el('div', { class: 'field' }, el('label', { for: 'f-callback_url' }, 'callback_url'), callback));
  const formError = el('p', { class: 'error', id: 'pg-error' });
  const submit = el('button', { type: 'submit', id: 'pg-submit' }, 'Generate');
  form.append(formError, submit);

  const curl = el('pre', { class: 'code', id: 'pg-curl' });
  const result = el('div', { id: 'pg-result' });
  let stream = null;
  const request = () => {
    const input = {};
    for (const [name, c] of controls) {
      const v = c.value();
      if (v !== undefined) input[name] = v;
    }
    const body = { model: model.id, input };
    if (callback.value.trim()) body.callback_url = callback.value.trim();
    return body;
  };
  const showCurl = () => {
    curl.textContent = `curl -s ${location.origin}/api/generate/submit \\\n  -H "Authorization: Bearer $PICTOR_KEY" -H 'Content-Type: application/json' \\\n  -d '${JSON.stringify(request()).replace(/'/g, "'\\''")}'`;
  };
  form.addEventListener('input', showCurl);
  form.addEventListener('change', showCurl);
  showCurl();

  form.addEventListener('submit', async e => {
    e.preventDefault();
    for (const n of form.querySelectorAll('.error')) n.textContent = '';
    const problems = [...controls.entries()].map(([name, c]) => [name, c.problem()]).filter(([, p]) => p);
    if (problems.length) {
      for (const [name, p] of problems) form.querySelector('#err-' + name).textContent = p;
      formError.textContent = 'Fix the marked fields.';
      return;
    }
    submit.disabled = true;
    try {
      const task = await api('POST', '/api/generate/submit', request());
      follow(task.task_id);
    } catch (err) {
      const field = err.param?.replace(/^input\./, '').replace(/\[.*$/, '');
      const target = field && form.querySelector('#err-' + field);
      (target ?? formError).textContent = err.message;
    } finally {
      submit.disabled = false;
    }
  });

  function follow(taskId) {
    if (stream) stream.close();
    const bar = el('progress', { max: 100, value: 0, id: 'pg-progress' });
    const status = el('span', { id: 'pg-status' }, 'not_started');
    const images = el('div', { class: 'images', id: 'pg-images' });
    clear(result).append(el('h2', {}, 'Result'),
      el('p', {}, 'Task ', el('a', { href: '#/tasks/' + encodeURIComponent(taskId), id: 'pg-task' }, taskId), ': ', status, ' ', bar), images);
    stream = new EventSource('/api/generate/events/' + encodeURIComponent(taskId));
    stream.addEventListener('status', ev => {
      const t = JSON.parse(ev.data);
      status.textContent = t.status + (t.queue_position ? ` (position ${t.queue_position})` : '') + (t.error_code ? `: ${t.error_code} ${t.error_message ?? ''}` : '');
      status.className = 'status ' + t.status;
      bar.value = t.progress ?? 0;
      if (t.status === 'finished' || t.status === 'failed') {
        stream.close();
        stream = null;
        images.replaceChildren(...t.files.map(f => el('figure', {},
          el('a', { href: f.file_url, target: '_blank', rel: 'noopener' }, el('img', { src: f.file_url, alt: 'result', class: 'result-image' })),
          el('figcaption', {}, `${f.width}×${f.height} ${f.content_type} · ${Math.round(f.bytes / 1024)} KiB`, ' ',
            el('a', { class: 'button secondary edit-this', href: editLink(all, model, f.file_url) }, 'Use as the source of an edit')))));
      }
    });
    stream.onerror = () => {
      if (stream) { stream.close(); stream = null; toast('Lost the status stream; see the task page', true); }
    };
  }

  const upstream = model.upstreams.join(' → ') || 'no upstream';
  return {
    node: el('div', { class: 'playground' }, el('h1', {}, 'Playground'),
      el('div', { class: 'filters' }, el('label', {}, 'Model ', picker), el('a', { href: '#/models/' + encodeURIComponent(model.id) }, 'Model details')),
      el('p', { class: 'muted' }, `${taskLabel(model.mode)} · served by ${upstream}` +
        (upstream.includes('sandbox') ? ' (synthetic images; add [sandbox:delay=3000] to the prompt to watch progress)' : '')),
      el('div', { class: 'two' }, form, el('div', {}, el('h2', {}, 'Request as curl'), curl, result))),
    unmount: () => { if (stream) stream.close(); },
  };
}

function editLink(all, model, url) {
  const target = model.mode !== 'text-to-image' ? model
    : all.find(m => m.id === model.id + '-edit') ?? all.find(m => m.mode === 'edit' && m.family === model.family) ?? all.find(m => m.mode === 'edit');
  return '#/playground/' + encodeURIComponent(target.id) + '?source=' + encodeURIComponent(url);
}

function controlFor(f, params) {
  const id = 'f-' + f.name;
  if (f.name === 'image_urls') {
    const node = el('textarea', { id, rows: 3, placeholder: 'One http(s) URL per line' });
    if (params.get('source')) node.value = params.get('source');
    const urls = () => node.value.split('\n').map(s => s.trim()).filter(Boolean);
    return { node, value: () => (urls().length ? urls() : undefined),
      problem: () => {
        const n = urls().length;
        if (f.required && n === 0) return 'at least one source image URL is required';
        if (n > f.max_items) return `at most ${f.max_items} URLs`;
        if (n > 0 && n < (f.min_items ?? 0)) return `at least ${f.min_items} URLs`;
        return urls().find(u => !/^https?:\/\/./i.test(u)) ? 'each line must be an http(s) URL' : null;
      } };
  }
  if (f.type === 'array') { // elements: a JSON array
    const node = el('textarea', { id, rows: 3, placeholder: '[{"frontal_image_url": "https://…"}]' });
    return { node, value: () => (node.value.trim() ? safeJson(node.value) : undefined),
      problem: () => {
        if (!node.value.trim()) return null;
        const v = safeJson(node.value);
        return Array.isArray(v) ? (v.length > f.max_items ? `at most ${f.max_items} entries` : null) : 'must be a JSON array';
      } };
  }
  if (f.name === 'prompt') {
    const node = el('textarea', { id, rows: 4, maxlength: f.max_length, required: true });
    node.value = params.get('source') ? 'make it look like a watercolour painting' : 'a lighthouse at dusk, warm light, 35mm photo';
    return { node, value: () => node.value,
      problem: () => (!node.value.trim() ? 'prompt is required' : node.value.length > f.max_length ? `at most ${f.max_length} characters` : null) };
  }
  if (f.enum) {
    const select = el('select', { id }, f.required && f.default === undefined ? null : el('option', { value: '' }, '(default' + (f.default !== undefined ? ': ' + f.default : '') + ')'),
      ...f.enum.map(v => el('option', { value: v }, v)), f.custom_size ? el('option', { value: '__custom' }, 'custom size…') : null);
    const custom = el('input', { id: id + '-custom', placeholder: 'WIDTHxHEIGHT, e.g. 1536x1024', hidden: true });
    select.addEventListener('change', () => { custom.hidden = select.value !== '__custom'; });
    return { node: el('div', {}, select, custom),
      value: () => (select.value === '__custom' ? custom.value.trim() : select.value || undefined),
      problem: () => {
        if (select.value !== '__custom') return null;
        const m = custom.value.trim().match(/^(\d+)x(\d+)$/);
        if (!m) return 'custom size must be WIDTHxHEIGHT';
        const [w, h] = [Number(m[1]), Number(m[2])];
        const l = f.custom_limits;
        if (w % l.multiple_of || h % l.multiple_of) return `sides must be multiples of ${l.multiple_of}`;
        if (Math.min(w, h) < l.min_edge || Math.max(w, h) > l.max_edge) return `sides must be ${l.min_edge}–${l.max_edge} px`;
        if (w * h < l.min_pixels || w * h > l.max_pixels) return `total pixels must be ${l.min_pixels}–${l.max_pixels}`;
        if (Math.max(w, h) / Math.min(w, h) > l.max_aspect) return `aspect ratio at most ${l.max_aspect}:1`;
        return null;
      } };
  }
  if (f.type === 'boolean') {
    const select = el('select', { id }, el('option', { value: '' }, '(default)'), el('option', { value: 'true' }, 'true'), el('option', { value: 'false' }, 'false'));
    return { node: select, value: () => (select.value === '' ? undefined : select.value === 'true'), problem: () => null };
  }
  if (f.type === 'integer') {
    const node = el('input', { id, type: 'number', min: f.minimum, max: f.maximum, step: 1, placeholder: f.default !== undefined ? 'default ' + f.default : '' });
    return { node, value: () => (node.value === '' ? undefined : Number(node.value)),
      problem: () => {
        if (node.value === '') return null;
        const n = Number(node.value);
        return Number.isInteger(n) && n >= f.minimum && n <= f.maximum ? null : `a whole number from ${f.minimum} to ${f.maximum}`;
      } };
  }
  const node = el('input', { id });
  return { node, value: () => node.value || undefined, problem: () => (f.required && !node.value ? f.name + ' is required' : null) };
}

function safeJson(s) {
  try { return JSON.parse(s); } catch { return undefined; }
}
