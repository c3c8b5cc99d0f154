package dev.pictor.upstream;

import java.time.format.DateTimeParseException;
import dev.pictor.common.Json;
import dev.pictor.net.FetchException;
import dev.pictor.media.ImageProbe;
import dev.pictor.media.SafeFetcher;
import dev.pictor.media.SourceImage;
import dev.pictor.common.ErrorCode;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * What every upstream adapter shares: one HTTP client per vendor with timeouts, the mapping of
 * transport failures and status codes to {@link UpstreamException}s (retryable for connect errors,
 * timeouts, 429 and 5xx, honouring Retry-After; not for 4xx), JSON parsing that treats a malformed
 * answer as a retryable upstream fault, and downloads of result URLs through the SSRF-safe fetcher,
 * checked like any image, before the vendor's link expires.
 */
public final class UpstreamHttp {
    private final String vendor;
    private final HttpClient client;
    private final Duration timeout;
    private final long maxBytes;
    private final SafeFetcher downloads;
    private final Clock clock;

    public UpstreamHttp(String vendor, Duration timeout, long maxBytes, SafeFetcher downloads, Clock clock) {
        if (maxBytes < 1 || maxBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("PICTOR_UPSTREAM_MAX_BYTES must be from 1 to " + (Integer.MAX_VALUE - 8));
        }
        this.maxBytes = maxBytes;
        this.vendor = vendor;
        this.clock = clock;
        this.timeout = timeout;
        this.downloads = downloads;
        // The client's own work (handing an answer that arrived to the caller waiting on it, feeding the
        // body to its subscriber) runs on virtual threads, on the carriers the callers already use,
        // instead of java.net.http's default pool of platform threads, each hand-off of which woke an
        // OS thread.
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
    }

    /** An upstream's answer. */
    public record Answer(int status, HttpHeaders headers, byte[] body) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    public Answer send(HttpRequest.Builder request) throws UpstreamException, InterruptedException {
        // The request timeout of java.net.http ends when the headers arrive; the body could then trickle
        // or stall until the task deadline. Waiting on the whole exchange bounds headers and body together.
        CompletableFuture<HttpResponse<byte[]>> exchange = client.sendAsync(request.timeout(timeout).build(), info -> new CappedBody(maxBytes));
        try {
            HttpResponse<byte[]> response = exchange.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new Answer(response.statusCode(), response.headers(), response.body());
        } catch (TimeoutException e) {
            exchange.cancel(true); // closes the connection, and with it the upstream's stream
            throw timedOut();
        } catch (InterruptedException e) {
            exchange.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            for (Throwable c = cause; c != null; c = c.getCause()) {
                if (c instanceof CappedBody.TooLarge) {
                    throw tooLarge();
                }
            }
            if (cause instanceof HttpTimeoutException) {
                throw timedOut();
            }
            if (cause instanceof java.net.ConnectException || cause instanceof java.net.UnknownHostException) {
                throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, vendor + " could not be reached (" + cause.getClass().getSimpleName() + ")", true);
            }
            if (cause instanceof IOException) {
                // Connected, then closed early: no answer at all, or a body shorter than its Content-Length.
                throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, vendor + " closed the connection before a whole answer arrived ("
                        + cause.getClass().getSimpleName() + ")", true);
            }
            throw new IllegalStateException(vendor + " call failed", cause);
        }
    }

    private UpstreamException timedOut() {
        return new UpstreamException(ErrorCode.UPSTREAM_ERROR, vendor + " did not answer within " + timeout.toSeconds() + " s", true);
    }

    private UpstreamException tooLarge() {
        // Not retryable: the same request would get the same oversized answer.
        return new UpstreamException(ErrorCode.UPSTREAM_ERROR, vendor + " sent an answer over the limit of " + maxBytes
                + " bytes (PICTOR_UPSTREAM_MAX_BYTES)", false);
    }

    public JsonNode json(Answer answer) throws UpstreamException {
        try {
            JsonNode node = Json.MAPPER.readTree(answer.body());
            if (node == null || node.isMissingNode()) {
                throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, vendor + " sent an empty answer", true);
            }
            return node;
        } catch (JacksonException e) {
            throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, vendor + " sent an answer that is not JSON (HTTP " + answer.status() + ")", true);
        }
    }

    /** The answer's JSON body, or an empty object when it has none or it is not JSON (error bodies often are not). */
    public JsonNode jsonOrEmpty(Answer answer) {
        try {
            return json(answer);
        } catch (UpstreamException e) {
            return Json.object();
        }
    }

    /**
     * The failure a non-2xx answer stands for. {@code detail} is the vendor's own message, when it has
     * one; {@code moderated} says whether the vendor flagged the content.
     */
    public UpstreamException failure(Answer answer, String detail, boolean moderated) {
        int status = answer.status();
        String suffix = detail == null || detail.isBlank() ? "" : ": " + (detail.length() > 300 ? detail.substring(0, 300) : detail);
        if (moderated) {
            return new UpstreamException(ErrorCode.CONTENT_MODERATED, vendor + " refused the content" + suffix, false);
        }
        if (status == 429) {
            return new UpstreamException(ErrorCode.UPSTREAM_ERROR, vendor + " is rate limiting (HTTP 429)" + suffix, true,
                    retryAfter(answer.headers(), clock.instant()));
        }
        if (status >= 500) {
            return new UpstreamException(ErrorCode.UPSTREAM_ERROR, vendor + " failed (HTTP " + status + ")" + suffix, true,
                    retryAfter(answer.headers(), clock.instant()));
        }
        if (status == 401 || status == 403) {
            return new UpstreamException(ErrorCode.UPSTREAM_ERROR, vendor + " rejected Pictor's credentials (HTTP " + status
                    + "); the operator must check the key", false);
        }
        if (status == 402) {
            return new UpstreamException(ErrorCode.UPSTREAM_ERROR, vendor + " account has no credit left (HTTP 402)", false);
        }
        if (status == 404 || status == 405 || status == 410) {
            // Pictor sent a path or model id this endpoint does not have: a configuration fault
            // (base URL, route's upstream model id), never something the client can fix.
            return new UpstreamException(ErrorCode.UPSTREAM_ERROR, vendor + " has no such endpoint or model (HTTP " + status
                    + "); the operator should check the " + vendor + " base URL and the route's upstream model id" + suffix, false);
        }
        return new UpstreamException(ErrorCode.INVALID_INPUT, vendor + " rejected the request (HTTP " + status + ")" + suffix, false);
    }

    /** Downloads a result image at once (vendor links expire in minutes) and checks it. */
    public GeneratedImage download(String url) throws UpstreamException {
        try {
            SourceImage image = downloads.fetchImage(url);
            return new GeneratedImage(image.bytes(), image.contentType(), image.width(), image.height());
        } catch (FetchException e) {
            throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, vendor + "'s result could not be downloaded: " + e.getMessage(), true);
        }
    }

    /** Checks image bytes an upstream sent inline (base64). */
    public GeneratedImage image(byte[] bytes) throws UpstreamException {
        String type = ImageProbe.sniff(bytes);
        if (type == null) {
            throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, vendor + " returned something that is not an image", true);
        }
        try {
            int[] size = ImageProbe.dimensions(bytes, type);
            // The same pixel check as sources and downloads get: a header can claim any size, and a
            // later decode (a format conversion, a thumbnail) would allocate all of it.
            if (size[0] <= 0 || size[1] <= 0 || (long) size[0] * size[1] > downloads.maxPixels()) {
                throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, vendor + " returned an image of " + size[0] + "x" + size[1]
                        + " pixels, over the limit of " + downloads.maxPixels() + " (PICTOR_FETCH_MAX_PIXELS)", false);
            }
            return new GeneratedImage(bytes, type, size[0], size[1]);
        } catch (IOException | RuntimeException e) {
            throw new UpstreamException(ErrorCode.UPSTREAM_ERROR, vendor + " returned an unreadable image", true);
        }
    }

    /** Retry-After in seconds or as an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(HttpHeaders headers, Instant now) {
        String value = headers.firstValue("retry-after").orElse(null);
        if (value == null) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
        } catch (NumberFormatException e) {
            try {
                Duration d = Duration.between(now, ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }
}
