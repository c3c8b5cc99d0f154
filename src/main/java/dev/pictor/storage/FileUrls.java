package dev.pictor.storage;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed, expiring download URLs for stored files: {@code <base>/files/<key>?expires=<unix>&sig=<hmac>},
 * where the signature is HMAC-SHA256 over key and expiry with a key shared by all nodes. Without the
 * signing key a URL cannot be forged, and a leaked URL stops working when it expires.
 */
public final class FileUrls {
    public static final String PATH_PREFIX = "/files/";

    /**
     * Initialised once and cloned per signature: {@code Mac.getInstance} walks the security providers
     * on every call (3.4 % of a status read in the profile). A clone is cheap, needs no lock and no
     * ThreadLocal (which would hold one Mac per virtual thread).
     */
    private final Mac prototype;
    private final Supplier<String> baseUrl;
    private final Duration ttl;
    private final Clock clock;

    /** {@code baseUrl} is asked on every use: with port 0 the real port is known only after start. */
    public FileUrls(byte[] key, Supplier<String> baseUrl, Duration ttl, Clock clock) {
        try {
            this.prototype = Mac.getInstance("HmacSHA256");
            this.prototype.init(new SecretKeySpec(key.clone(), "HmacSHA256"));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
        this.baseUrl = baseUrl;
        this.ttl = ttl;
        this.clock = clock;
    }

    /**
     * A URL valid for the configured lifetime. The expiry is rounded up to the minute so repeated
     * status polls return the same URL for a while (friendlier to caches and to clients that compare).
     */
    public String urlFor(String blobKey) {
        return urlFor(blobKey, ttl);
    }

    /** A URL valid for {@code lifetime} (webhook bodies need links that outlive their retries). */
    public String urlFor(String blobKey, Duration lifetime) {
        long expires = expiryFor(lifetime);
        return baseUrl.get() + PATH_PREFIX + blobKey + "?expires=" + expires + "&sig=" + sign(blobKey, expires);
    }

    /**
     * The expiry (unix seconds) a URL made now for {@code lifetime} carries: rounded up to the minute,
     * so it moves once a minute and what was signed for it can be reused until then.
     */
    public long expiryFor(Duration lifetime) {
        long expires = clock.instant().plus(lifetime).getEpochSecond();
        return (expires + 59) / 60 * 60;
    }

    public Duration defaultLifetime() {
        return ttl;
    }

    /** Why a request for {@code blobKey} may not be served, or null when its signature holds and it has not expired. */
    public String refusal(String blobKey, String expires, String signature) {
        if (expires == null || signature == null) {
            return "missing signature";
        }
        long exp;
        try {
            exp = Long.parseLong(expires);
        } catch (NumberFormatException e) {
            return "invalid expiry";
        }
        if (!signatureHolds(blobKey, exp, signature)) {
            return "invalid signature";
        }
        if (Instant.ofEpochSecond(exp).isBefore(clock.instant())) {
            return "link expired";
        }
        return null;
    }

    /**
     * The blob key of a file URL this installation signed, expired or not, or empty when {@code url}
     * is not one. The host is not compared: nodes behind a balancer, or a changed public URL, still
     * sign with the same key, and only a holder of that key can produce a signature that holds.
     */
    public Optional<String> signedKey(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
        String path = uri.getRawPath();
        String query = uri.getRawQuery();
        int at = path == null ? -1 : path.indexOf(PATH_PREFIX);
        if (at < 0 || query == null) {
            return Optional.empty();
        }
        String blobKey = path.substring(at + PATH_PREFIX.length());
        String expires = null;
        String signature = null;
        for (String pair : query.split("&")) {
            if (pair.startsWith("expires=")) {
                expires = pair.substring("expires=".length());
            } else if (pair.startsWith("sig=")) {
                signature = pair.substring("sig=".length());
            }
        }
        if (blobKey.isEmpty() || expires == null || signature == null) {
            return Optional.empty();
        }
        long exp;
        try {
            exp = Long.parseLong(expires);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return signatureHolds(blobKey, exp, signature) ? Optional.of(blobKey) : Optional.empty();
    }

    /** Compared in constant time, so a forger learns nothing from how long a refusal takes. */
    private boolean signatureHolds(String blobKey, long expires, String signature) {
        return MessageDigest.isEqual(sign(blobKey, expires).getBytes(StandardCharsets.US_ASCII), signature.getBytes(StandardCharsets.US_ASCII));
    }

    private String sign(String blobKey, long expires) {
        Mac mac;
        try {
            mac = (Mac) prototype.clone();
        } catch (CloneNotSupportedException e) {
            // The JDK's HmacSHA256 is cloneable; a provider whose Mac is not would land here.
            throw new IllegalStateException("HmacSHA256 of " + prototype.getProvider().getName() + " cannot be cloned", e);
        }
        byte[] sig = mac.doFinal((blobKey + "\n" + expires).getBytes(StandardCharsets.UTF_8));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
    }
}
