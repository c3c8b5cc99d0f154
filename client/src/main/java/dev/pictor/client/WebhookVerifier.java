package dev.pictor.client;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Verifies a webhook delivery, Standard Webhooks ({@code webhook-id}, {@code webhook-timestamp},
 * {@code webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>}) or the APIDot scheme
 * ({@code X-Webhook-Timestamp}, {@code X-Webhook-Signature}: base64 HMAC-SHA256 of
 * {@code task_id.timestamp}), keyed with the base64 part of the {@code whsec_} secret, and parses the
 * body into the same {@link Task} the status call returns.
 */
public final class WebhookVerifier {
    private final byte[] key;
    private final Duration tolerance;
    private final Clock clock;
    private final JsonMapper json = JsonMapper.builder().build();

    public WebhookVerifier(String secret, Duration tolerance, Clock clock) {
        this.key = Base64.getDecoder().decode(secret.startsWith("whsec_") ? secret.substring(6) : secret);
        this.tolerance = tolerance;
        this.clock = clock;
    }

    /**
     * A verified delivery: its id (the dedup key; for the APIDot scheme task id + timestamp) and task.
     * {@code bodySigned} is false for the APIDot scheme, whose signature does not cover the body: a
     * receiver should then re-read the task's status instead of trusting the body.
     */
    public record Delivery(String id, Task task, boolean bodySigned) {
    }

    /** Throws {@link InvalidSignature} unless the headers (any case) prove the body. */
    public Delivery verify(Map<String, String> headers, String body) {
        Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        h.putAll(headers);
        JsonNode root = json.readTree(body);
        JsonNode data = root.has("data") && root.get("data").isObject() ? root.get("data") : root;
        Task task = Task.from(data);
        if (h.containsKey("webhook-signature")) {
            String id = require(h, "webhook-id");
            long ts = timestamp(require(h, "webhook-timestamp"));
            String expected = hmac(id + "." + ts + "." + body);
            for (String part : h.get("webhook-signature").split(" ")) {
                int comma = part.indexOf(',');
                if (comma > 0 && part.substring(0, comma).equals("v1") && same(expected, part.substring(comma + 1))) {
                    return new Delivery(id, task, true);
                }
            }
            throw new InvalidSignature("webhook-signature does not match");
        }
        if (h.containsKey("X-Webhook-Signature")) {
            long ts = timestamp(require(h, "X-Webhook-Timestamp"));
            if (task.taskId() == null || !same(hmac(task.taskId() + "." + ts), h.get("X-Webhook-Signature"))) {
                throw new InvalidSignature("X-Webhook-Signature does not match");
            }
            return new Delivery(task.taskId() + "." + ts, task, false);
        }
        throw new InvalidSignature("no webhook-signature or X-Webhook-Signature header");
    }

    private long timestamp(String value) {
        long ts;
        try {
            ts = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new InvalidSignature("timestamp is not a number of seconds");
        }
        long now = clock.instant().getEpochSecond();
        if (Math.abs(now - ts) > tolerance.toSeconds()) {
            throw new InvalidSignature("timestamp outside the tolerance of " + tolerance.toSeconds() + " s");
        }
        return ts;
    }

    private static String require(Map<String, String> h, String name) {
        String v = h.get(name);
        if (v == null) {
            throw new InvalidSignature("missing header " + name);
        }
        return v;
    }

    private String hmac(String content) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(content.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean same(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.trim().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "WebhookVerifier[tolerance " + tolerance + "]";
    }

    public static final class InvalidSignature extends RuntimeException {
        public InvalidSignature(String message) {
            super(message);
        }
    }
}
