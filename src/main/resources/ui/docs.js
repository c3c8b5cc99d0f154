// The API reference: renders /openapi.json (paths grouped by tag, parameters, bodies, responses,
// and each model's input schema) with no third-party code.
import { el, clear } from './dom.js';

const doc = await (await fetch('/openapi.json')).json();
const main = document.getElementById('doc');
const toc = document.getElementById('toc');
clear(main);

main.append(el('h1', {}, doc.info.title + ' API ' + doc.info.version), el('p', {}, doc.info.description));
const byTag = new Map();
for (const [path, item] of Object.entries(doc.paths)) {
  for (const [method, op] of Object.entries(item)) {
    const tag = op.tags[0];
    if (!byTag.has(tag)) byTag.set(tag, []);
    byTag.get(tag).push({ path, method, op });
  }
}
for (const [tag, ops] of byTag) {
  toc.append(el('h4', {}, tag));
  main.append(el('h2', { id: 'tag-' + tag }, tag));
  for (const { path, method, op } of ops) {
    const id = op.operationId;
    toc.append(el('a', { href: '#' + id }, el('span', { class: 'verb ' + method }, method.toUpperCase()), ' ' + path));
    const section = el('section', { class: 'op', id },
      el('h3', {}, el('span', { class: 'verb ' + method }, method.toUpperCase()), ' ', el('code', {}, path)),
      el('p', {}, op.summary),
      el('p', { class: 'muted' }, op.security && op.security.length ? 'Auth: Bearer API key or dashboard session' : 'No key needed'));
    if (op.parameters.length) {
      section.append(el('table', {}, el('tr', {}, el('th', {}, 'parameter'), el('th', {}, 'in')),
        ...op.parameters.map(p => el('tr', {}, el('td', {}, el('code', {}, p.name)), el('td', {}, p.in)))));
    }
    if (op.requestBody) {
      const [type, media] = Object.entries(op.requestBody.content)[0];
      section.append(el('p', {}, 'Body (' + type + '): ', refLink(media.schema.$ref)));
    }
    section.append(el('ul', {}, ...Object.entries(op.responses).map(([code, r]) => el('li', {}, el('code', {}, code), ' ' + r.description))));
    main.append(section);
  }
}

toc.append(el('h4', {}, 'Schemas'));
main.append(el('h2', { id: 'schemas' }, 'Schemas'));
for (const [name, schema] of Object.entries(doc.components.schemas)) {
  toc.append(el('a', { href: '#schema-' + name }, name));
  main.append(el('section', { class: 'op', id: 'schema-' + name }, el('h3', {}, name),
    schema.description ? el('p', {}, schema.description) : '', renderSchema(schema)));
}
if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();

function refLink(ref) {
  const name = ref.split('/').pop();
  return el('a', { href: '#schema-' + name }, name);
}

function renderSchema(schema) {
  if (schema.oneOf) {
    return el('p', {}, 'One of (by ', el('code', {}, schema.discriminator?.propertyName ?? ''), '): ',
      ...schema.oneOf.flatMap((s, i) => [i ? ', ' : '', refLink(s.$ref)]));
  }
  if (!schema.properties) return el('pre', {}, JSON.stringify(schema, null, 2));
  const required = new Set(schema.required ?? []);
  const rows = [];
  for (const [name, prop] of Object.entries(schema.properties)) {
    rows.push(el('tr', {}, el('td', {}, el('code', {}, name), required.has(name) ? ' *' : ''), el('td', {}, typeOf(prop)),
      el('td', {}, describe(prop))));
    if (prop.properties) {
      const inner = new Set(prop.required ?? []);
      for (const [n, p] of Object.entries(prop.properties)) {
        rows.push(el('tr', { class: 'nested' }, el('td', {}, '↳ ', el('code', {}, n), inner.has(n) ? ' *' : ''), el('td', {}, typeOf(p)),
          el('td', {}, describe(p))));
      }
    }
  }
  const out = el('div', {}, el('table', {}, el('tr', {}, el('th', {}, 'field'), el('th', {}, 'type'), el('th', {}, 'rules')), ...rows));
  if (schema['x-pictor-rules']) out.append(el('ul', {}, ...schema['x-pictor-rules'].map(r => el('li', {}, r))));
  return out;
}

function typeOf(p) {
  if (p.anyOf) return p.anyOf.map(typeOf).join(' | ');
  if (p.type === 'array') return 'array of ' + (p.items?.type ?? 'any');
  return p.const ? JSON.stringify(p.const) : (p.type ?? 'object');
}

function describe(p) {
  const parts = [];
  if (p.description) parts.push(p.description);
  const e = p.enum ?? p.anyOf?.find(a => a.enum)?.enum;
  if (e) parts.push('one of ' + e.join(', '));
  if (p.minimum !== undefined) parts.push(`${p.minimum}–${p.maximum}`);
  if (p.maxLength) parts.push('at most ' + p.maxLength + ' chars');
  if (p.maxItems !== undefined) parts.push(`${p.minItems ?? 0}–${p.maxItems} items`);
  if (p.default !== undefined) parts.push('default ' + JSON.stringify(p.default));
  return parts.join('; ');
}
