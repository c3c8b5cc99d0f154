package dev.pictor.net;

import dev.pictor.catalog.InvalidInputException;
import dev.pictor.net.FetchException;
import dev.pictor.net.PinnedHttpClient;
import java.net.URI;

/**
 * Checks a {@code callback_url} at submit: an http(s) URL of sane length whose host resolves only to
 * addresses Pictor may call (the same SSRF policy as source images). Deliveries check again, because
 * DNS answers change.
 */
public final class CallbackUrls {
    public static final int MAX_LENGTH = 2048;
    private final PinnedHttpClient http;

    public CallbackUrls(PinnedHttpClient http) {
        this.http = http;
    }

    /** The URL, trimmed; throws {@link InvalidInputException} naming {@code callback_url}. */
    public String check(String url) {
        String trimmed = url.trim();
        if (trimmed.isEmpty() || trimmed.length() > MAX_LENGTH) {
            throw new InvalidInputException("callback_url", "callback_url must be an http or https URL of at most " + MAX_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = PinnedHttpClient.parse(trimmed);
        } catch (FetchException e) {
            throw new InvalidInputException("callback_url", "callback_url must be an http or https URL: " + e.getMessage());
        }
        try {
            http.checkDestination(uri);
        } catch (FetchException e) {
            throw new InvalidInputException("callback_url", "callback_url is not allowed: " + e.getMessage());
        }
        return trimmed;
    }
}
