package dev.pictor.upstream;

import java.time.Clock;
import java.time.Duration;

/**
 * What every upstream adapter is built with besides its own settings: its HTTP client (timeouts,
 * error mapping, result downloads), how often to poll an asynchronous job, how many calls it may
 * run at once on this node, and the clock.
 */
public record UpstreamContext(UpstreamHttp http, Duration pollInterval, int concurrency, Clock clock) {
}
