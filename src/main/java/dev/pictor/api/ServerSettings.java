package dev.pictor.api;

import java.time.Duration;
import java.util.List;

/**
 * The HTTP server: where it listens, the largest JSON body, the longest a caller may wait for a task,
 * {@code modelAliases} ({@code PICTOR_MODEL_ALIASES}, {@code name=model,...}): model names the
 * OpenAI surface maps onto catalog models, such as {@code dall-e-3=gpt-image-2}; and
 * {@code headerTimeout}, the longest a client may take to send a request's headers; {@code shutdownDrain}, how long a
 * node stopping on SIGTERM answers {@code /readyz} with 503 (and stops claiming) before it closes its port; and
 * {@code trustedProxies} ({@code PICTOR_TRUSTED_PROXIES}): the addresses and CIDR ranges of proxies
 * whose {@code X-Forwarded-For} is believed when telling a key's client address (auth/ClientAddresses).
 */
public record ServerSettings(String host, int port, long maxBodyBytes, Duration maxWait, String modelAliases, Duration headerTimeout,
                             Duration shutdownDrain, List<String> trustedProxies) {
    public ServerSettings {
        trustedProxies = List.copyOf(trustedProxies);
    }
}
