// Drives a Pictor server with the official openai package, the way an existing integration would:
// only the base URL changes. Prints one JSON object with what came back; OpenAiClientTest checks it.
// Usage: node client.mjs <base URL ending in /v1> <api key> <path of a PNG to edit>
import fs from 'node:fs';
import OpenAI, { toFile } from 'openai';

const [baseURL, apiKey, imagePath] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 120_000 });
const out = {};

const generated = await client.images.generate({ model: 'gpt-image-2', prompt: 'a lighthouse at dusk', size: '1536x1024' });
out.generateB64 = {
  size: generated.size,
  outputFormat: generated.output_format,
  pngSignature: Buffer.from(generated.data[0].b64_json, 'base64').subarray(1, 4).toString('latin1'),
};

const byUrl = await client.images.generate({ model: 'z-image', prompt: 'a fox', size: '1024x1024', response_format: 'url' });
out.generateUrl = byUrl.data[0].url;

const edited = await client.images.edit({
  model: 'gpt-image-2',
  prompt: 'make it blue',
  image: [
    await toFile(fs.createReadStream(imagePath), 'first.png', { type: 'image/png' }),
    await toFile(fs.createReadStream(imagePath), 'second.png', { type: 'image/png' }),
  ],
  size: '1024x1024',
});
out.edit = { size: edited.size, images: edited.data.length, b64Length: edited.data[0].b64_json.length };

const editedByUrl = await client.images.edit({
  model: 'nano-banana-2',
  prompt: 'add a moon',
  image: await toFile(fs.readFileSync(imagePath), 'single.png', { type: 'image/png' }),
  response_format: 'url',
});
out.editUrl = editedByUrl.data[0].url;

try {
  await client.images.generate({ model: 'z-image', prompt: 'three foxes', n: 3 });
  out.error = null;
} catch (e) {
  out.error = { name: e.constructor.name, status: e.status, param: e.param ?? e.error?.param, type: e.type ?? e.error?.type, message: e.message };
}

console.log(JSON.stringify(out));
