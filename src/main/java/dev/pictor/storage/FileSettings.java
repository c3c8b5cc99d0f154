package dev.pictor.storage;

import java.time.Duration;

/**
 * Output files: the base of their URLs ({@code publicBaseUrl}, blank for this host and port), how
 * long a signed link lives, and how long ended tasks and their files are kept.
 */
public record FileSettings(String publicBaseUrl, Duration urlTtl, Duration retention, Duration cleanupInterval) {
    /** The base of file URLs: the configured public URL without a trailing slash, or this host and port. */
    public String baseUrl(int boundPort) {
        if (!publicBaseUrl.isBlank()) {
            return publicBaseUrl.endsWith("/") ? publicBaseUrl.substring(0, publicBaseUrl.length() - 1) : publicBaseUrl;
        }
        return "http://localhost:" + boundPort;
    }
}
