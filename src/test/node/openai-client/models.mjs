// OpenAI's own model names through the official openai package, as tools whose default is one of
// them would send them. Prints one JSON object; OpenAiModelNamesTest checks it.
// Usage: node models.mjs <base URL ending in /v1> <api key>
import OpenAI from 'openai';

const [baseURL, apiKey] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 60_000 });
const out = {};

for (const [model, size] of [['gpt-image-1', '1536x1024'], ['gpt-image-1.5', '1024x1536'], ['dall-e-3', '1792x1024'], ['dall-e-2', '256x256']]) {
  const { data, response } = await client.images.generate({ model, prompt: 'a red kite', size, response_format: 'b64_json' }).withResponse();
  const png = Buffer.from(data.data[0].b64_json, 'base64');
  out[model] = { width: png.readUInt32BE(16), height: png.readUInt32BE(20), taskId: response.headers.get('x-pictor-task-id') };
}

try {
  await client.images.generate({ model: 'dall-e-3', prompt: 'a red kite', size: '512x512' });
  out.error = null;
} catch (e) {
  out.error = { name: e.constructor.name, status: e.status, param: e.param ?? e.error?.param, message: e.message };
}

console.log(JSON.stringify(out));
