package dev.pictor.upstream.sandbox;

import java.time.Duration;

/** Whether the built-in sandbox serves the models no other upstream serves, and how it behaves. */
public record SandboxSettings(boolean enabled, Duration latency, int concurrency) {
}
