package dev.pictor.upstream.kling;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Kling's bearer token: an HS256 JWT with {@code iss} = access key, {@code exp} = now + 30 min and
 * {@code nbf} = now - 5 s, signed with the secret key. A fresh one per request keeps expiry simple.
 */
final class KlingJwt {
    private final String accessKey;
    private final byte[] secretKey;
    private final Clock clock;

    KlingJwt(String accessKey, String secretKey, Clock clock) {
        this.accessKey = accessKey;
        this.secretKey = secretKey.getBytes(StandardCharsets.UTF_8);
        this.clock = clock;
    }

    String token() {
        long now = clock.instant().getEpochSecond();
        var encoder = Base64.getUrlEncoder().withoutPadding();
        String header = encoder.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String payload = encoder.encodeToString(("{\"iss\":\"" + accessKey + "\",\"exp\":" + (now + 1800) + ",\"nbf\":" + (now - 5) + "}")
                .getBytes(StandardCharsets.UTF_8));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secretKey, "HmacSHA256"));
            String signature = encoder.encodeToString(mac.doFinal((header + "." + payload).getBytes(StandardCharsets.UTF_8)));
            return header + "." + payload + "." + signature;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }
}
