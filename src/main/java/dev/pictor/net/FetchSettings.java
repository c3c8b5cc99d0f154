package dev.pictor.net;

import java.time.Duration;
import java.util.List;

/**
 * Limits of every outbound fetch of an image (source images, upstream results): which hosts are
 * exempt from the address policy, and the byte, pixel, time and redirect limits.
 */
public record FetchSettings(List<String> allow, long maxBytes, long maxPixels, Duration connectTimeout, Duration readTimeout,
                            int maxRedirects) {
    public FetchSettings {
        allow = List.copyOf(allow);
    }
}
