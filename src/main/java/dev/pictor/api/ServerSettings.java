package dev.pictor.api;

import java.time.Duration;

/**
 * The HTTP server: where it listens, the largest JSON body, the longest a caller may wait for a task,
 * and the longest a client may take to send a request's headers.
 */
public record ServerSettings(String host, int port, long maxBodyBytes, Duration maxWait, Duration headerTimeout) {
}
