package dev.pictor.billing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * What the operator pays an upstream, in US dollars, from the {@code upstream_costs} section of
 * {@code PICTOR_PRICES_FILE}: per route ({@code "openai:gpt-image-2"}) or per upstream
 * ({@code "fal"}), a price per million input and output tokens, per second of compute and per image
 * delivered. The usage report puts the cost next to the credits charged, so the margin shows. The
 * built-in sandbox costs nothing; any other route without an entry is unpriced.
 */
public final class UpstreamCosts {
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);
    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);
    private static final String SANDBOX = "sandbox";

    /** One route's prices in USD; zero for what it is not billed by. */
    public record Cost(BigDecimal perMillionInputTokens, BigDecimal perMillionOutputTokens, BigDecimal perSecond, BigDecimal perImage) {
        static final Cost FREE = new Cost(BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO);

        /** The cost of what a route reported and delivered, to the micro-dollar. */
        public BigDecimal usd(long inputTokens, long outputTokens, long computeMillis, long images) {
            return perMillionInputTokens.multiply(BigDecimal.valueOf(inputTokens)).divide(MILLION)
                    .add(perMillionOutputTokens.multiply(BigDecimal.valueOf(outputTokens)).divide(MILLION))
                    .add(perSecond.multiply(BigDecimal.valueOf(computeMillis)).divide(THOUSAND))
                    .add(perImage.multiply(BigDecimal.valueOf(images)))
                    .setScale(6, RoundingMode.HALF_UP);
        }
    }

    private final Map<String, Cost> byRoute;

    private UpstreamCosts(Map<String, Cost> byRoute) {
        this.byRoute = Map.copyOf(byRoute);
    }

    static UpstreamCosts none() {
        return new UpstreamCosts(Map.of());
    }

    /**
     * The cost of a route ("upstream:upstream-model"): its own entry, else its upstream's, else
     * free for the sandbox; empty when the operator priced neither.
     */
    public Optional<Cost> of(String route) {
        if (route == null) {
            return Optional.empty();
        }
        Cost exact = byRoute.get(route);
        if (exact != null) {
            return Optional.of(exact);
        }
        int colon = route.indexOf(':');
        String upstream = colon < 0 ? route : route.substring(0, colon);
        Cost whole = byRoute.get(upstream);
        if (whole != null) {
            return Optional.of(whole);
        }
        return upstream.equals(SANDBOX) ? Optional.of(Cost.FREE) : Optional.empty();
    }

    /** Reads the {@code upstream_costs} object; every price a number >= 0, no other fields. */
    static UpstreamCosts parse(JsonNode section, String where) {
        if (section == null || section.isNull()) {
            return none();
        }
        if (!section.isObject()) {
            throw new IllegalArgumentException(where + ": upstream_costs must be an object of route to prices");
        }
        Map<String, Cost> out = new LinkedHashMap<>();
        for (String route : section.propertyNames()) {
            JsonNode c = section.get(route);
            if (!c.isObject()) {
                throw new IllegalArgumentException(where + ": upstream_costs." + route + " must be an object");
            }
            for (String field : c.propertyNames()) {
                if (!java.util.List.of("usd_per_1m_input_tokens", "usd_per_1m_output_tokens", "usd_per_second", "usd_per_image").contains(field)) {
                    throw new IllegalArgumentException(where + ": upstream_costs." + route + "." + field + " is not a known price"
                            + " (usd_per_1m_input_tokens, usd_per_1m_output_tokens, usd_per_second, usd_per_image)");
                }
            }
            out.put(route, new Cost(usd(c, "usd_per_1m_input_tokens", where, route), usd(c, "usd_per_1m_output_tokens", where, route),
                    usd(c, "usd_per_second", where, route), usd(c, "usd_per_image", where, route)));
        }
        return new UpstreamCosts(out);
    }

    private static BigDecimal usd(JsonNode c, String field, String where, String route) {
        JsonNode v = c.get(field);
        if (v == null || v.isNull()) {
            return BigDecimal.ZERO;
        }
        if (!v.isNumber() || v.decimalValue().signum() < 0) {
            throw new IllegalArgumentException(where + ": upstream_costs." + route + "." + field + " must be a number >= 0");
        }
        return v.decimalValue();
    }
}
