// Copyable examples for one model, generated from its catalog description: submit, poll, and a
// webhook receiver that verifies the Standard Webhooks signature and ignores duplicate deliveries.

export function exampleInput(m) {
  const input = {};
  for (const f of m.fields) {
    if (f.name === 'prompt') input.prompt = m.mode === 'edit' ? 'make the sky a warm sunset' : 'a lighthouse at dusk, product photo style';
    else if (f.name === 'image_urls' && (f.required || m.mode === 'edit')) input.image_urls = ['https://example.com/source.png'];
    else if (f.required && f.default === undefined) input[f.name] = f.enum ? f.enum[0] : (f.type === 'integer' ? f.minimum : '');
  }
  return input;
}

export function examples(m, base) {
  const body = JSON.stringify({ model: m.id, input: exampleInput(m), callback_url: 'https://example.com/pictor-webhook' });
  const pretty = JSON.stringify(JSON.parse(body), null, 2);
  return {
    curl: `# Submit (replace callback_url with your receiver's public URL, or drop it and poll)
curl -s ${base}/api/generate/submit \\
  -H "Authorization: Bearer $PICTOR_KEY" -H 'Content-Type: application/json' \\
  -d '${body}'

# Poll (use the task_id from the answer) until status is finished or failed
curl -s ${base}/api/generate/status/$TASK_ID -H "Authorization: Bearer $PICTOR_KEY"

# Or wait for the result in one call (up to 60 s)
curl -s ${base}/api/generate/submit -H 'Prefer: wait=60' \\
  -H "Authorization: Bearer $PICTOR_KEY" -H 'Content-Type: application/json' -d '${body}'`,

    node: `// Node 18+: submit and poll
const base = '${base}';
const headers = { Authorization: 'Bearer ' + process.env.PICTOR_KEY, 'Content-Type': 'application/json' };
const submit = await fetch(base + '/api/generate/submit', { method: 'POST', headers, body: JSON.stringify(${pretty.replace(/\n/g, '\n  ')}) });
const { data: { task_id } } = await submit.json();
let task;
do {
  await new Promise(r => setTimeout(r, 1000));
  task = (await (await fetch(base + '/api/generate/status/' + task_id, { headers })).json()).data;
} while (task.status === 'not_started' || task.status === 'running');
console.log(task.status, task.files.map(f => f.file_url), task.error_code);

// Webhook receiver: verify the signature, ignore duplicates (same webhook-id)
import http from 'node:http';
import crypto from 'node:crypto';
const key = Buffer.from(process.env.PICTOR_WEBHOOK_SECRET.replace(/^whsec_/, ''), 'base64');
const seen = new Set(); // use your database in production
http.createServer((req, res) => {
  const chunks = [];
  req.on('data', c => chunks.push(c)).on('end', () => {
    const raw = Buffer.concat(chunks).toString('utf8');
    const id = req.headers['webhook-id'], ts = req.headers['webhook-timestamp'];
    const expected = crypto.createHmac('sha256', key).update(\`\${id}.\${ts}.\${raw}\`).digest('base64');
    const ok = Math.abs(Date.now() / 1000 - Number(ts)) < 300 && (req.headers['webhook-signature'] ?? '').split(' ')
      .some(s => s.startsWith('v1,') && s.length === expected.length + 3 && crypto.timingSafeEqual(Buffer.from(s.slice(3)), Buffer.from(expected)));
    if (!ok) { res.writeHead(401).end(); return; }
    if (!seen.has(id)) { seen.add(id); console.log('task ended', JSON.parse(raw)); }
    res.writeHead(204).end();
  });
}).listen(8000);`,

    python: `# Python 3 with requests: submit and poll
import os, time, requests
base = "${base}"
headers = {"Authorization": "Bearer " + os.environ["PICTOR_KEY"]}
task_id = requests.post(base + "/api/generate/submit", headers=headers, json=${pyLiteral(JSON.parse(body))}).json()["data"]["task_id"]
while True:
    time.sleep(1)
    task = requests.get(base + "/api/generate/status/" + task_id, headers=headers).json()["data"]
    if task["status"] in ("finished", "failed"):
        break
print(task["status"], [f["file_url"] for f in task["files"]], task["error_code"])

# Webhook receiver: verify the signature, ignore duplicates (same webhook-id)
import base64, hashlib, hmac, json
from http.server import BaseHTTPRequestHandler, HTTPServer
KEY = base64.b64decode(os.environ["PICTOR_WEBHOOK_SECRET"].removeprefix("whsec_"))
seen = set()  # use your database in production

class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        raw = self.rfile.read(int(self.headers["Content-Length"]))
        wid, ts = self.headers["webhook-id"], self.headers["webhook-timestamp"]
        expected = base64.b64encode(hmac.new(KEY, f"{wid}.{ts}.".encode() + raw, hashlib.sha256).digest()).decode()
        sigs = [s[3:] for s in self.headers.get("webhook-signature", "").split(" ") if s.startswith("v1,")]
        if abs(time.time() - int(ts)) > 300 or not any(hmac.compare_digest(s, expected) for s in sigs):
            self.send_response(401); self.end_headers(); return
        if wid not in seen:
            seen.add(wid)
            print("task ended", json.loads(raw))
        self.send_response(204); self.end_headers()

HTTPServer(("", 8000), Receiver).serve_forever()`,

    java: `// Java 21: submit and poll (java.net.http), and a webhook receiver (com.sun.net.httpserver)
import java.net.URI;
import java.net.http.*;
import java.security.MessageDigest;
import java.util.*;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

public class PictorExample {
    public static void main(String[] args) throws Exception {
        String base = "${base}", key = System.getenv("PICTOR_KEY");
        HttpClient http = HttpClient.newHttpClient();
        String body = ${javaString(body)};
        HttpResponse<String> submitted = http.send(HttpRequest.newBuilder(URI.create(base + "/api/generate/submit"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        // Parse with your JSON library; a regex keeps this example dependency-free.
        String taskId = submitted.body().replaceAll(".*\\"task_id\\":\\"([^\\"]+)\\".*", "$1");
        String status;
        do {
            Thread.sleep(1000);
            status = http.send(HttpRequest.newBuilder(URI.create(base + "/api/generate/status/" + taskId))
                    .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString()).body();
        } while (status.contains("\\"status\\":\\"not_started\\"") || status.contains("\\"status\\":\\"running\\""));
        System.out.println(status);

        byte[] secret = Base64.getDecoder().decode(System.getenv("PICTOR_WEBHOOK_SECRET").replaceFirst("^whsec_", ""));
        Set<String> seen = Collections.synchronizedSet(new HashSet<>()); // use your database in production
        var server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress(8000), 0);
        server.createContext("/pictor-webhook", ex -> {
            byte[] raw = ex.getRequestBody().readAllBytes();
            String id = ex.getRequestHeaders().getFirst("webhook-id"), ts = ex.getRequestHeaders().getFirst("webhook-timestamp");
            String sigs = Objects.requireNonNullElse(ex.getRequestHeaders().getFirst("webhook-signature"), "");
            boolean ok = false;
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(secret, "HmacSHA256"));
                mac.update((id + "." + ts + ".").getBytes());
                byte[] expected = Base64.getEncoder().encode(mac.doFinal(raw));
                for (String s : sigs.split(" ")) {
                    ok |= s.startsWith("v1,") && MessageDigest.isEqual(s.substring(3).getBytes(), expected);
                }
                ok &= Math.abs(System.currentTimeMillis() / 1000 - Long.parseLong(ts)) < 300;
            } catch (Exception e) {
                ok = false;
            }
            if (ok && seen.add(id)) {
                System.out.println("task ended: " + new String(raw));
            }
            ex.sendResponseHeaders(ok ? 204 : 401, -1);
            ex.close();
        });
        server.start();
    }
}`,
  };
}

function pyLiteral(v) {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (Array.isArray(v)) return '[' + v.map(pyLiteral).join(', ') + ']';
  if (typeof v === 'object') return '{' + Object.entries(v).map(([k, x]) => JSON.stringify(k) + ': ' + pyLiteral(x)).join(', ') + '}';
  return JSON.stringify(v);
}

function javaString(s) {
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
}
