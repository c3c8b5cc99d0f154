# Usage: python3 verify_webhook.py, in a directory holding a captured delivery: secret.txt (whsec_...),
# headers.json (lower-case header names to values) and body.json (the raw body).
import base64, hashlib, hmac, json, time

def verify_pictor_webhook(secret: str, headers: dict, raw_body: bytes, tolerance_seconds: int = 300) -> None:
    """Raises ValueError unless the webhook is authentic and fresh (Standard Webhooks v1)."""
    msg_id, timestamp, signatures = headers["webhook-id"], headers["webhook-timestamp"], headers["webhook-signature"]
    if abs(time.time() - int(timestamp)) > tolerance_seconds:
        raise ValueError("stale timestamp")
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = base64.b64encode(hmac.new(key, f"{msg_id}.{timestamp}.".encode() + raw_body, hashlib.sha256).digest()).decode()
    if not any(hmac.compare_digest(entry.split(",", 1)[1], expected)
               for entry in signatures.split() if entry.startswith("v1,")):
        raise ValueError("invalid signature")

secret = open("secret.txt").read().strip()
headers = json.load(open("headers.json"))
body = open("body.json", "rb").read()
verify_pictor_webhook(secret, headers, body)
try:
    verify_pictor_webhook(secret, headers, body + b" ")
    print("python: TAMPER NOT DETECTED")
except ValueError:
    print("python: ok, tamper detected")
