package dev.pictor.upstream.comfyui;

import dev.pictor.common.ErrorCode;
import dev.pictor.upstream.UpstreamException;
import dev.pictor.upstream.UpstreamHttp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * What ComfyUI's refusals and failures mean for a task. Almost everything ComfyUI refuses is about
 * the workflow or the engine (a custom node not installed, a checkpoint not in the list, a node that
 * raised), which only the operator can fix: {@code upstream_error}, not retried, with ComfyUI's own
 * words and what to check. The one thing the client can fix is a value it chose that the workflow's
 * node does not take: a size, count or seed filled from a placeholder that ComfyUI finds over its
 * node's maximum or under its minimum is {@code invalid_input}, naming the field.
 */
final class ComfyUiErrors {
    private static final Set<String> OUT_OF_RANGE = Set.of("value_bigger_than_max", "value_smaller_than_min");
    private static final Map<String, String> CLIENT_FIELDS = Map.of("width", "size", "height", "size", "count", "n", "seed", "seed");

    private ComfyUiErrors() {
    }

    /** A non-2xx answer to {@code POST /prompt}. */
    static UpstreamException refused(UpstreamHttp http, UpstreamHttp.Answer answer, String workflow, Workflow.Filled filled) {
        JsonNode json = http.jsonOrEmpty(answer);
        JsonNode error = json.path("error");
        String message = error.isString() ? error.asString() : error.path("message").asString("");
        if (answer.status() != 400) {
            return http.failure(answer, message, false);
        }
        String type = error.path("type").asString("");
        String details = error.path("details").asString("");
        if (type.equals("missing_node_type")) {
            return operator("comfyui cannot run workflow " + workflow + ": " + message + (details.isEmpty() ? "" : " (" + details + ")")
                    + "; the operator should install that custom node or change the workflow");
        }
        List<String> nodeErrors = new ArrayList<>();
        List<String> clientFields = new ArrayList<>();
        boolean allClients = true;
        for (var node : json.path("node_errors").properties()) {
            String classType = node.getValue().path("class_type").asString("");
            for (JsonNode e : node.getValue().path("errors")) {
                String input = e.path("extra_info").path("input_name").asString("");
                String placeholder = filled.placeholderAt(node.getKey(), input);
                String field = placeholder == null ? null : CLIENT_FIELDS.get(placeholder);
                if (field != null && OUT_OF_RANGE.contains(e.path("type").asString(""))) {
                    clientFields.add(field + " (" + e.path("details").asString(input) + ")");
                } else {
                    allClients = false;
                }
                nodeErrors.add("node " + node.getKey() + (classType.isEmpty() ? "" : " (" + classType + ")") + " "
                        + e.path("message").asString("") + ": " + e.path("details").asString(""));
            }
        }
        if (!nodeErrors.isEmpty() && allClients) {
            return new UpstreamException(ErrorCode.INVALID_INPUT, "the comfyui workflow for this model does not take this "
                    + String.join(", ", clientFields), false);
        }
        String summary = nodeErrors.isEmpty() ? message + (details.isEmpty() ? "" : ": " + details) : String.join("; ", nodeErrors);
        return operator("comfyui refused workflow " + workflow + ": " + clip(summary)
                + "; the operator should fix the workflow or install the model files it names");
    }

    /** A history entry with {@code status_str: error}: its {@code execution_error} or {@code execution_interrupted} message. */
    static UpstreamException execution(String workflow, JsonNode messages) {
        for (JsonNode message : messages) {
            String kind = message.path(0).asString("");
            JsonNode data = message.path(1);
            if (kind.equals("execution_interrupted")) {
                return operator("comfyui interrupted workflow " + workflow + " (an interrupt from ComfyUI's own interface or another client)");
            }
            if (kind.equals("execution_error")) {
                return operator("comfyui could not run workflow " + workflow + ": node " + data.path("node_id").asString("?") + " ("
                        + data.path("node_type").asString("") + ") raised " + data.path("exception_type").asString("an error") + ": "
                        + clip(data.path("exception_message").asString("").strip()) + "; the operator should check ComfyUI's log");
            }
        }
        return operator("comfyui could not run workflow " + workflow + " (its history says error, without a message)");
    }

    private static UpstreamException operator(String message) {
        return new UpstreamException(ErrorCode.UPSTREAM_ERROR, message, false);
    }

    private static String clip(String text) {
        return text.length() > 300 ? text.substring(0, 300) : text;
    }
}
