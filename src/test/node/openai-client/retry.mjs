// A sync call that cannot be lost, through the official openai package: the first call gives up
// (client timeout) while the image is still being made, the retry with the same Idempotency-Key
// attaches to that task and gets its image; then Prefer: respond-async and polling the Location.
// Prints one JSON object; OpenAiRetryTest checks it.
// Usage: node retry.mjs <base URL ending in /v1> <api key>
import OpenAI from 'openai';

const [baseURL, apiKey] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });
const out = {};
const request = { model: 'gpt-image-2', prompt: 'a slow lighthouse [sandbox:delay=3000]', size: '1024x1024' };

try {
  await client.images.generate(request, { headers: { 'Idempotency-Key': 'lighthouse-1' }, timeout: 500 });
  out.firstTimedOut = false;
} catch (e) {
  out.firstTimedOut = e.constructor.name === 'APIConnectionTimeoutError';
  out.firstError = e.constructor.name;
}
const { data, response } = await client.images.generate(request, { headers: { 'Idempotency-Key': 'lighthouse-1' }, timeout: 60_000 }).withResponse();
out.retry = {
  images: data.data.length,
  pngSignature: Buffer.from(data.data[0].b64_json, 'base64').subarray(1, 4).toString('latin1'),
  taskId: response.headers.get('x-pictor-task-id'),
  replayed: response.headers.get('idempotent-replayed'),
};

const accepted = await client.images.generate({ model: 'z-image', prompt: 'a fox [sandbox:delay=300]', size: '1024x1024' },
  { headers: { Prefer: 'respond-async' } }).withResponse();
out.async = { status: accepted.response.status, location: accepted.response.headers.get('location'), body: accepted.data };
let polled;
for (let i = 0; i < 200; i++) {
  const r = await client.get(accepted.response.headers.get('location').replace(/^\/v1/, ''), { query: { response_format: 'url' } }).withResponse();
  if (r.response.status === 200) {
    polled = r.data;
    break;
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
}
out.polled = { url: polled.data[0].url, size: polled.size };
console.log(JSON.stringify(out));
