package dev.pictor.api;

import java.time.Duration;

/** The HTTP server: where it listens, the largest JSON body, and the longest a caller may wait for a task. */
public record ServerSettings(String host, int port, long maxBodyBytes, Duration maxWait) {
}
