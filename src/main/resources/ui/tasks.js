// Tasks (with the list filters), a task's detail with cancel, and a gallery of recent outputs.
import { el } from './dom.js';
import { api, models } from './api.js';
import { toast } from './app.js';

const STATUSES = ['not_started', 'running', 'finished', 'failed'];

export async function tasksPage() {
  const all = await models();
  const status = el('select', { id: 't-status' }, el('option', { value: '' }, 'Any status'), ...STATUSES.map(s => el('option', { value: s }, s)));
  const model = el('select', { id: 't-model' }, el('option', { value: '' }, 'Any model'), ...all.map(m => el('option', { value: m.id }, m.id)));
  const since = el('input', { id: 't-since', type: 'datetime-local' });
  const until = el('input', { id: 't-until', type: 'datetime-local' });
  const body = el('tbody', { id: 'task-rows' });
  const more = el('button', { class: 'secondary', hidden: true, id: 't-more' }, 'Load more');
  const error = el('p', { class: 'error' });
  let cursor = null;
  const load = async append => {
    const q = new URLSearchParams({ limit: '25' });
    if (status.value) q.set('status', status.value);
    if (model.value) q.set('model', model.value);
    if (since.value) q.set('since', new Date(since.value).toISOString());
    if (until.value) q.set('until', new Date(until.value).toISOString());
    if (append && cursor) q.set('cursor', cursor);
    try {
      const page = await api('GET', '/api/generate/tasks?' + q);
      error.textContent = '';
      const rows = page.tasks.map(t => el('tr', { 'data-task': t.task_id },
        el('td', {}, el('a', { href: '#/tasks/' + encodeURIComponent(t.task_id) }, t.task_id)), el('td', {}, t.model),
        el('td', {}, el('span', { class: 'status ' + t.status }, t.status), t.error_code ? ' ' + t.error_code : ''),
        el('td', {}, t.provider ?? ''), el('td', {}, t.files.length), el('td', { class: 'credits' }, t.credits ?? ''), el('td', {}, local(t.created_time)), el('td', {}, duration(t))));
      if (append) body.append(...rows); else body.replaceChildren(...rows);
      if (!append && !rows.length) body.append(el('tr', {}, el('td', { colspan: 8, class: 'muted' }, 'No tasks match.')));
      cursor = page.next_cursor;
      more.hidden = !page.has_more;
    } catch (err) {
      error.textContent = err.message;
    }
  };
  for (const c of [status, model, since, until]) c.addEventListener('change', () => load(false));
  more.addEventListener('click', () => load(true));
  await load(false);
  return el('div', {}, el('h1', {}, 'Tasks'),
    el('div', { class: 'filters' }, el('label', {}, 'Status ', status), el('label', {}, 'Model ', model),
      el('label', {}, 'Since ', since), el('label', {}, 'Until ', until)), error,
    el('table', { class: 'list' }, el('thead', {}, el('tr', {}, ...['task', 'model', 'status', 'upstream', 'files', 'credits', 'created', 'took'].map(h => el('th', {}, h)))), body),
    more);
}

export async function taskPage(id) {
  const t = await api('GET', '/api/generate/status/' + encodeURIComponent(id));
  const node = el('div', {});
  const render = task => {
    const ended = task.status === 'finished' || task.status === 'failed';
    node.replaceChildren(
      el('p', {}, el('a', { href: '#/tasks' }, '← Tasks')),
      el('h1', {}, 'Task ', el('code', {}, task.task_id)),
      el('dl', { class: 'facts' },
        el('dt', {}, 'Status'), el('dd', {}, el('span', { class: 'status ' + task.status, id: 'task-status' }, task.status),
          task.error_code ? ` ${task.error_code}: ${task.error_message ?? ''}` : ''),
        el('dt', {}, 'Model'), el('dd', {}, el('a', { href: '#/models/' + encodeURIComponent(task.model) }, task.model)),
        el('dt', {}, 'Upstream'), el('dd', {}, task.provider ?? '—'),
        el('dt', {}, 'Progress'), el('dd', {}, `${task.progress}%`, task.queue_position ? ` · position ${task.queue_position} in the queue` : ''),
        el('dt', {}, 'Created'), el('dd', {}, local(task.created_time)),
        el('dt', {}, 'Started'), el('dd', {}, local(task.started_time) || '—'),
        el('dt', {}, 'Finished'), el('dd', {}, local(task.finished_time) || '—'),
        el('dt', {}, 'Took'), el('dd', {}, duration(task) || '—'),
        el('dt', {}, 'Credits'), el('dd', { id: 'task-credits' }, task.credits === null || task.credits === undefined ? '—' : `${task.credits} credits`)),
      ended ? null : el('button', { class: 'danger', id: 'task-cancel', onclick: async () => {
        const r = await api('POST', '/api/generate/cancel/' + encodeURIComponent(task.task_id));
        toast('Cancel: ' + r.cancel_result);
        render(r);
      } }, 'Cancel task'),
      el('h2', {}, 'Attempts'),
      task.attempts.length ? el('table', { class: 'list' }, el('tr', {}, ...Object.keys(task.attempts[0]).map(k => el('th', {}, k))),
        ...task.attempts.map(a => el('tr', {}, ...Object.values(a).map(v => el('td', {}, v === null ? '' : String(v))))))
        : el('p', { class: 'muted' }, 'No retries or fallbacks: the first try was the only one.'),
      el('h2', {}, 'Files'),
      task.files.length ? el('div', { class: 'images' }, ...task.files.map(f => el('figure', {},
        el('a', { href: f.file_url, target: '_blank', rel: 'noopener' }, el('img', { src: f.file_url, alt: 'output', class: 'result-image' })),
        el('figcaption', {}, `${f.width}×${f.height} · ${f.content_type} · ${Math.round(f.bytes / 1024)} KiB · ${f.provider}`))))
        : el('p', { class: 'muted' }, 'No files.'),
      el('p', { class: 'muted' }, 'The status API does not return the task\'s input, so the prompt is not shown here.'));
  };
  render(t);
  return node;
}

export async function galleryPage() {
  const page = await api('GET', '/api/generate/tasks?status=finished&limit=60');
  const figures = page.tasks.flatMap(t => t.files.map(f => el('figure', { class: 'tile' },
    el('a', { href: '#/tasks/' + encodeURIComponent(t.task_id) }, el('img', { src: f.file_url, alt: t.model, loading: 'lazy', class: 'gallery-image' })),
    el('figcaption', {}, t.model, ' · ', local(t.finished_time)))));
  return el('div', {}, el('h1', {}, 'Gallery'), el('p', { class: 'muted' }, 'Outputs of your most recent finished tasks.'),
    figures.length ? el('div', { class: 'gallery', id: 'gallery' }, ...figures) : el('p', { class: 'muted' }, 'Nothing yet: try the playground.'));
}

/** A wire time (APIDot's UTC form without an offset, or RFC 3339) as a Date: no offset means UTC, not local time. */
export function utc(iso) {
  return new Date(/[zZ]|[+-]\d\d:\d\d$/.test(iso) ? iso : iso + 'Z');
}

export function local(iso) {
  return iso ? utc(iso).toLocaleString() : '';
}

function duration(t) {
  if (!t.finished_time) return '';
  const ms = utc(t.finished_time) - utc(t.created_time);
  return ms < 1000 ? ms + ' ms' : (ms / 1000).toFixed(1) + ' s';
}
