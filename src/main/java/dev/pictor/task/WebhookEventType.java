package dev.pictor.task;

import dev.pictor.catalog.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.JsonNode;

/**
 * The moments a task's callback can be told about, as a submit's {@code webhook_events} names them
 * (Replicate's {@code webhook_events_filter}): {@code running} once it starts, {@code progress} when
 * its progress rises, and the terminal {@code finished} and {@code failed}, the default.
 */
public enum WebhookEventType {
    RUNNING, PROGRESS, FINISHED, FAILED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isTerminal() {
        return this == FINISHED || this == FAILED;
    }

    static WebhookEventType fromWire(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }

    /** A submit's {@code webhook_events}; empty (the default) when absent or null. */
    public static List<WebhookEventType> from(JsonNode node, boolean hasCallback) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!hasCallback) {
            throw new InvalidInputException("webhook_events", "webhook_events needs a callback_url");
        }
        if (!node.isArray() || node.isEmpty()) {
            throw new InvalidInputException("webhook_events", "webhook_events must be a non-empty list of running, progress, finished, failed");
        }
        List<WebhookEventType> types = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode v = node.get(i);
            WebhookEventType type = null;
            for (WebhookEventType t : values()) {
                if (v.isString() && t.wire().equals(v.asString())) {
                    type = t;
                }
            }
            if (type == null) {
                throw new InvalidInputException("webhook_events[" + i + "]", "webhook_events[" + i + "] must be one of running, progress, finished, failed");
            }
            if (!types.contains(type)) {
                types.add(type);
            }
        }
        return List.copyOf(types);
    }

    static String write(List<WebhookEventType> types) {
        return types.isEmpty() ? null : String.join(",", types.stream().map(WebhookEventType::wire).toList());
    }

    static List<WebhookEventType> read(String column) {
        if (column == null || column.isBlank()) {
            return List.of();
        }
        return java.util.Arrays.stream(column.split(",")).map(WebhookEventType::fromWire).toList();
    }
}
