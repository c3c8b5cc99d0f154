package dev.pictor.media;

import dev.pictor.net.PinnedHttpClient;
import dev.pictor.net.FetchException;
import dev.pictor.net.FetchSettings;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Map;

/**
 * Fetches user-supplied image URLs through the {@link PinnedHttpClient} (address checks on every
 * hop, connection to the checked address), following at most {@code maxRedirects} redirects. The
 * body is capped at {@code maxBytes}; the type is sniffed from the bytes; the pixel size is read from
 * the header and capped at {@code maxPixels} before anything is decoded.
 */
public final class SafeFetcher {
    private static final Map<String, String> HEADERS = Map.of(
            "User-Agent", "Pictor/1 (image fetcher)",
            "Accept", "image/png, image/jpeg, image/webp, image/gif, image/*;q=0.8");

    private final PinnedHttpClient http;
    private final Duration transferTimeout;
    private final long maxBytes;
    private final long maxPixels;
    private final int maxRedirects;

    /** Fetches through {@code http} (which holds the address policy) within {@code limits}. */
    public SafeFetcher(PinnedHttpClient http, FetchSettings limits) {
        this.http = http;
        this.transferTimeout = limits.readTimeout();
        this.maxBytes = limits.maxBytes();
        this.maxPixels = limits.maxPixels();
        this.maxRedirects = limits.maxRedirects();
    }

    /** The most pixels an image fetched or received may have. */
    public long maxPixels() {
        return maxPixels;
    }

    /** Fetches and checks one image. The exception message is safe to show the client and to log. */
    public SourceImage fetchImage(String url) throws FetchException {
        byte[] body = fetch(url);
        String type = ImageProbe.sniff(body);
        if (type == null) {
            throw new FetchException("the response is not a PNG, JPEG, WebP or GIF image");
        }
        int[] size;
        try {
            size = ImageProbe.dimensions(body, type);
        } catch (IOException | RuntimeException e) {
            throw new FetchException("the image header cannot be read");
        }
        if (size[0] <= 0 || size[1] <= 0 || (long) size[0] * size[1] > maxPixels) {
            throw new FetchException("the image is " + size[0] + "x" + size[1] + " pixels, over the limit of " + maxPixels);
        }
        return new SourceImage(body, type, size[0], size[1]);
    }

    /** Fetches the body of a URL, following redirects under the same checks. */
    public byte[] fetch(String url) throws FetchException {
        URI uri = PinnedHttpClient.parse(url);
        for (int hop = 0; ; hop++) {
            PinnedHttpClient.Response response = http.exchange(uri, "GET", HEADERS, null, maxBytes, true, transferTimeout);
            int status = response.status();
            if (status >= 300 && status < 400 && status != 304) {
                if (hop >= maxRedirects) {
                    throw new FetchException("too many redirects (more than " + maxRedirects + ")");
                }
                String location = response.header("location");
                if (location == null) {
                    throw new FetchException("redirect (HTTP " + status + ") without a Location");
                }
                try {
                    uri = PinnedHttpClient.parse(uri.resolve(new URI(location.trim())).toString());
                } catch (URISyntaxException | IllegalArgumentException e) {
                    throw new FetchException("redirect to an invalid URL");
                }
                continue;
            }
            if (status != 200) {
                throw new FetchException("the server answered HTTP " + status);
            }
            return response.body();
        }
    }
}
