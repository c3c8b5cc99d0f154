// Usage: node verify-webhook.mjs, in a directory holding a captured delivery: secret.txt (whsec_...),
// headers.json (lower-case header names to values) and body.json (the raw body).
import crypto from 'node:crypto';
import fs from 'node:fs';

// Verify a Pictor webhook (Standard Webhooks v1). rawBody: the exact bytes received, as a string.
function verifyPictorWebhook(secret, headers, rawBody, toleranceSeconds = 300) {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > toleranceSeconds) throw new Error('stale timestamp');
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = crypto.createHmac('sha256', key).update(`${id}.${timestamp}.${rawBody}`).digest();
  const ok = signatures.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    const given = Buffer.from(signature ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && crypto.timingSafeEqual(given, expected);
  });
  if (!ok) throw new Error('invalid signature');
}

const secret = fs.readFileSync('secret.txt', 'utf8').trim();
const headers = JSON.parse(fs.readFileSync('headers.json', 'utf8'));
const body = fs.readFileSync('body.json', 'utf8');
verifyPictorWebhook(secret, headers, body);
try { verifyPictorWebhook(secret, headers, body + ' '); console.log('node: TAMPER NOT DETECTED'); } catch { console.log('node: ok, tamper detected'); }
