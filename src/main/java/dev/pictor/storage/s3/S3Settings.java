package dev.pictor.storage.s3;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * Where and how to reach the bucket. Read from {@code PICTOR_S3_*} environment variables by
 * {@link #fromEnvironment}; blank region, endpoint or keys mean "ask the SDK's default chains".
 *
 * @param checksumsWhenRequired send and check request/response checksums only where S3 requires
 *        them: the SDK's default since 2.30 (always, with trailing CRC checksums) is refused by
 *        s3proxy and several S3-compatible services, so this defaults to true when an endpoint is set
 */
public record S3Settings(String bucket, String prefix, String region, String endpoint, boolean pathStyle,
                         String accessKeyId, String secretAccessKey, boolean presign, boolean checksumsWhenRequired) {

    public S3Settings {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("PICTOR_S3_BUCKET must be set when PICTOR_STORAGE=s3");
        }
        prefix = normalizePrefix(prefix == null ? "" : prefix.trim());
        region = region == null ? "" : region.trim();
        endpoint = endpoint == null ? "" : endpoint.trim();
        accessKeyId = accessKeyId == null ? "" : accessKeyId.trim();
        secretAccessKey = secretAccessKey == null ? "" : secretAccessKey.trim();
        if (accessKeyId.isEmpty() != secretAccessKey.isEmpty()) {
            throw new IllegalArgumentException("set both PICTOR_S3_ACCESS_KEY_ID and PICTOR_S3_SECRET_ACCESS_KEY, or neither");
        }
        if (!endpoint.isEmpty()) {
            URI uri = URI.create(endpoint);
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https")) || uri.getHost() == null) {
                throw new IllegalArgumentException("PICTOR_S3_ENDPOINT must be an http(s) URL, got '" + endpoint + "'");
            }
        }
    }

    /** {@code PICTOR_STORAGE}: {@code fs} (the default, a folder under the data directory) gives empty. */
    public static Optional<S3Settings> selected(Map<String, String> env) {
        return switch (value(env, "PICTOR_STORAGE", "fs").toLowerCase()) {
            case "fs" -> Optional.empty();
            case "s3" -> Optional.of(fromEnvironment(env));
            default -> throw new IllegalArgumentException("PICTOR_STORAGE must be fs or s3, got '" + env.get("PICTOR_STORAGE") + "'");
        };
    }

    public static S3Settings fromEnvironment(Map<String, String> env) {
        String endpoint = value(env, "PICTOR_S3_ENDPOINT", "");
        return new S3Settings(
                value(env, "PICTOR_S3_BUCKET", ""),
                value(env, "PICTOR_S3_PREFIX", ""),
                value(env, "PICTOR_S3_REGION", ""),
                endpoint,
                bool(env, "PICTOR_S3_PATH_STYLE", false),
                value(env, "PICTOR_S3_ACCESS_KEY_ID", ""),
                value(env, "PICTOR_S3_SECRET_ACCESS_KEY", ""),
                bool(env, "PICTOR_S3_PRESIGN", false),
                switch (value(env, "PICTOR_S3_CHECKSUMS", endpoint.isEmpty() ? "when_supported" : "when_required").toLowerCase()) {
                    case "when_required" -> true;
                    case "when_supported" -> false;
                    default -> throw new IllegalArgumentException("PICTOR_S3_CHECKSUMS must be when_required or when_supported");
                });
    }

    public boolean hasStaticCredentials() {
        return !accessKeyId.isEmpty();
    }

    /** For logs: where the files go, never the keys. */
    public String describe() {
        return "s3://" + bucket + "/" + prefix + (endpoint.isEmpty() ? "" : " at " + endpoint);
    }

    /** The record's default toString would print the secret key. */
    @Override
    public String toString() {
        return "S3Settings[" + describe() + ", region=" + region + ", pathStyle=" + pathStyle + ", presign=" + presign
                + ", credentials=" + (hasStaticCredentials() ? "settings" : "SDK default chain") + "]";
    }

    private static String normalizePrefix(String p) {
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        return p.isEmpty() || p.endsWith("/") ? p : p + "/";
    }

    private static String value(Map<String, String> env, String name, String fallback) {
        String v = env.get(name);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    private static boolean bool(Map<String, String> env, String name, boolean fallback) {
        String v = value(env, name, null);
        if (v == null) {
            return fallback;
        }
        return switch (v.toLowerCase()) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw new IllegalArgumentException(name + " must be true or false, got '" + v + "'");
        };
    }
}
