package dev.pictor.upstream;

/**
 * What an upstream reported it used for one generation, where it reports anything: OpenAI's token
 * counts ({@code usage.input_tokens}, {@code usage.output_tokens}), Replicate's
 * {@code metrics.predict_time}, fal's {@code metrics.inference_time}. Zero means "not reported";
 * the images delivered are counted by Pictor itself, so per-image upstream prices need nothing here.
 * Stored with the task and priced by the operator's {@code upstream_costs} (docs/credits.md).
 *
 * @param inputTokens  tokens the upstream billed as input (text and source images)
 * @param outputTokens tokens the upstream billed as output (the generated images)
 * @param computeMillis compute time the upstream billed, in milliseconds
 */
public record UpstreamUsage(long inputTokens, long outputTokens, long computeMillis) {
    public static final UpstreamUsage NONE = new UpstreamUsage(0, 0, 0);

    public UpstreamUsage {
        if (inputTokens < 0 || outputTokens < 0 || computeMillis < 0) {
            throw new IllegalArgumentException("usage figures are never negative");
        }
    }

    /** Seconds as an upstream reports them (1.2), held as whole milliseconds; NaN, negative or absurd values count as not reported. */
    public static long millis(double seconds) {
        return seconds > 0 && seconds < 86_400 ? Math.round(seconds * 1000) : 0;
    }

    /** Reads a token count from an upstream's JSON: a non-negative whole number, or 0. */
    public static long tokens(tools.jackson.databind.JsonNode n) {
        return n != null && n.canConvertToLong() && n.isIntegralNumber() && n.longValue() >= 0 ? n.longValue() : 0;
    }

    public boolean reported() {
        return inputTokens > 0 || outputTokens > 0 || computeMillis > 0;
    }
}
