// Models: browse by task type and family; one model's fields, limits, rules, upstream and examples.
import { el } from './dom.js';
import { models } from './api.js';
import { examples, exampleInput } from './examples.js';
import { toast } from './app.js';

export const TASK_TYPES = [
  ['all', 'All tasks'],
  ['text-to-image', 'Text to image'],
  ['edit', 'Image editing'],
  ['text-to-image or reference-guided', 'Image to image / reference-guided'],
];

export function taskLabel(mode) {
  return (TASK_TYPES.find(([k]) => k === mode) ?? [mode, mode])[1];
}

export function price(m) {
  if (m.price === undefined || m.price === null) return 'not priced yet';
  if (typeof m.price !== 'object') return String(m.price);
  // credits keyed by the values of the fields in "by" ("" when the price depends on none)
  const tiers = Object.entries(m.price.credits || {}).map(([k, v]) => (k === '' ? '' : k + ' ') + v + ' cr');
  return 'per ' + m.price.per + (m.price.by && m.price.by.length ? ' by ' + m.price.by.join('/') : '') + ': ' + tiers.join(', ');
}

export async function modelsPage() {
  const all = await models();
  const families = [...new Set(all.map(m => m.family))].sort();
  const type = el('select', { id: 'filter-type' }, ...TASK_TYPES.map(([k, label]) => el('option', { value: k }, label)));
  const family = el('select', { id: 'filter-family' }, el('option', { value: '' }, 'All families'),
    ...families.map(f => el('option', { value: f }, f)));
  const grid = el('div', { class: 'grid', id: 'model-grid' });
  const draw = () => {
    grid.replaceChildren(...all.filter(m => (type.value === 'all' || m.mode === type.value) && (!family.value || m.family === family.value))
      .map(m => el('a', { class: 'card model', href: '#/models/' + encodeURIComponent(m.id), 'data-model': m.id },
        el('h3', {}, m.title), el('code', {}, m.id),
        el('p', {}, el('span', { class: 'tag' }, taskLabel(m.mode)), ' ', el('span', { class: 'tag family' }, m.family)),
        el('p', { class: 'muted' }, 'Served by ', m.upstreams.join(' → ') || 'no upstream', ' · ', price(m)))));
  };
  type.addEventListener('change', draw);
  family.addEventListener('change', draw);
  draw();
  return el('div', {}, el('h1', {}, 'Models'),
    el('p', { class: 'muted' }, 'Pick a model for the job: text-to-image for new pictures (product visuals, UI mockups, ad creatives), ',
      'image editing to change a source image, reference-guided to generate with source images as guides.'),
    el('div', { class: 'filters' }, el('label', {}, 'Task ', type), el('label', {}, 'Family ', family)), grid);
}

export async function modelPage(id) {
  const m = (await models()).find(x => x.id === id);
  if (!m) return el('p', { class: 'error' }, 'No model ' + id);
  const fields = el('table', { class: 'fields' },
    el('tr', {}, el('th', {}, 'field'), el('th', {}, 'type'), el('th', {}, 'required'), el('th', {}, 'default'), el('th', {}, 'values and limits')),
    ...m.fields.map(f => el('tr', {}, el('td', {}, el('code', {}, f.name)), el('td', {}, f.type), el('td', {}, f.required ? 'yes' : ''),
      el('td', {}, f.default === undefined ? '' : JSON.stringify(f.default)), el('td', {}, limits(f), el('div', { class: 'muted' }, f.description)))));
  const tabs = el('div', { class: 'tabs' });
  const code = el('pre', { class: 'code', id: 'example-code' });
  const ex = examples(m, location.origin);
  let current = 'curl';
  const show = lang => {
    current = lang;
    code.textContent = ex[lang];
    for (const b of tabs.children) b.classList.toggle('active', b.dataset.lang === lang);
  };
  for (const lang of Object.keys(ex)) tabs.append(el('button', { 'data-lang': lang, onclick: () => show(lang) }, lang));
  const copy = el('button', { class: 'secondary', onclick: async () => {
    await navigator.clipboard.writeText(ex[current]).then(() => toast('Copied'), () => toast('Select the text to copy it', true));
  } }, 'Copy');
  show('curl');
  return el('div', {},
    el('p', {}, el('a', { href: '#/models' }, '← Models')),
    el('h1', {}, m.title, ' ', el('code', {}, m.id)),
    el('dl', { class: 'facts' },
      el('dt', {}, 'Task'), el('dd', {}, taskLabel(m.mode)),
      el('dt', {}, 'Family'), el('dd', {}, m.family),
      el('dt', {}, 'Source images'), el('dd', {}, m.image_urls),
      el('dt', {}, 'Served by'), el('dd', { id: 'model-upstream' }, m.upstreams.join(' → ') || 'no upstream configured (submits answer 503)'),
      el('dt', {}, 'Price'), el('dd', { id: 'model-price' }, price(m)),
      m.output_format ? [el('dt', {}, 'Output format'), el('dd', {}, m.output_format)] : null),
    el('p', {}, el('a', { class: 'button', href: '#/playground/' + encodeURIComponent(m.id) }, 'Try it in the playground')),
    el('h2', {}, 'Fields'), fields,
    m.rules.length ? [el('h2', {}, 'Rules'), el('ul', {}, ...m.rules.map(r => el('li', {}, r)))] : null,
    el('h2', {}, 'Examples'),
    el('p', { class: 'muted' }, 'Submit, poll until the task ends, and a webhook receiver that verifies the Standard Webhooks signature and ignores duplicates. Example input: ',
      el('code', {}, JSON.stringify(exampleInput(m)))),
    el('div', { class: 'toolbar' }, tabs, copy), code);
}

export function limits(f) {
  const parts = [];
  if (f.enum) parts.push((f.custom_size ? 'presets ' : 'one of ') + f.enum.join(', '));
  if (f.custom_limits) {
    const l = f.custom_limits;
    parts.push(`custom WxH: sides multiple of ${l.multiple_of}, ${l.min_edge}–${l.max_edge} px, ${l.min_pixels}–${l.max_pixels} pixels, aspect ≤ ${l.max_aspect}:1`);
  }
  if (f.minimum !== undefined) parts.push(`${f.minimum}–${f.maximum}`);
  if (f.max_length) parts.push(`at most ${f.max_length} characters`);
  if (f.max_items !== undefined) parts.push(`${f.min_items ?? 0}–${f.max_items} items`);
  return parts.join('; ');
}
