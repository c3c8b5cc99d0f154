package dev.pictor.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Webhook signatures. Standard Webhooks v1: {@code webhook-signature: v1,<base64 HMAC-SHA256 of
 * "id.timestamp.body">} with the key being the base64 part of a {@code whsec_} secret. For receivers
 * written against the APIDot/PoYo scheme, also {@code X-Webhook-Signature: base64 HMAC-SHA256 of
 * "task_id.timestamp"} with the same key (it does not cover the body, so such receivers should
 * re-read the task's status).
 */
public final class WebhookSigner {
    public static final String PREFIX = "whsec_";

    private WebhookSigner() {
    }

    public static String newSecret(SecureRandom random) {
        byte[] key = new byte[32];
        random.nextBytes(key);
        return PREFIX + Base64.getEncoder().encodeToString(key);
    }

    /** {@code v1,<signature>} for one secret. */
    public static String sign(String secret, String messageId, long timestamp, String body) {
        return "v1," + hmac(secret, messageId + "." + timestamp + "." + body);
    }

    public static String apidotSignature(String secret, String taskId, long timestamp) {
        return hmac(secret, taskId + "." + timestamp);
    }

    private static String hmac(String secret, String content) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key(secret), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(content.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] key(String secret) {
        return Base64.getDecoder().decode(secret.startsWith(PREFIX) ? secret.substring(PREFIX.length()) : secret);
    }
}
