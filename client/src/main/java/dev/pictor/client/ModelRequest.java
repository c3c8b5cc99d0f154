package dev.pictor.client;

import java.util.LinkedHashMap;
import java.util.Map;

/** A submit request for any model id: {@code ModelRequest.of("gpt-image-2").put("prompt", "...")}. */
public final class ModelRequest {
    private final String model;
    private final Map<String, Object> input = new LinkedHashMap<>();
    private String callbackUrl;

    private ModelRequest(String model) {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("model is required");
        }
        this.model = model;
    }

    public static ModelRequest of(String model) {
        return new ModelRequest(model);
    }

    public ModelRequest put(String field, Object value) {
        input.put(field, value);
        return this;
    }

    public ModelRequest callbackUrl(String url) {
        this.callbackUrl = url;
        return this;
    }

    /**
     * Checks the input against the model's {@link ModelRules} when the client knows the model (a
     * catalog family), and returns this; an unknown id passes unchecked. Throws
     * {@link PictorException.InvalidRequest} naming the field, as the server would.
     */
    public ModelRequest checked() {
        ModelRules.of(model).ifPresent(rules -> rules.check(input));
        return this;
    }

    public String model() {
        return model;
    }

    public Map<String, Object> input() {
        return Map.copyOf(input);
    }

    Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", model);
        body.put("input", input);
        if (callbackUrl != null) {
            body.put("callback_url", callbackUrl);
        }
        return body;
    }

    @Override
    public String toString() {
        // Prompts and image/callback URLs stay out of anything that may be logged.
        return "ModelRequest[" + model + ", fields=" + input.keySet() + "]";
    }
}
