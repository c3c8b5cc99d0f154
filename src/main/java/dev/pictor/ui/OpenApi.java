package dev.pictor.ui;

import dev.pictor.catalog.ModelCatalog;
import dev.pictor.common.Json;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAPI 3.1 document of every HTTP surface, built at start-up. Model input schemas come from
 * the catalog's own descriptions (the ones the validator is made of), so a model's schema cannot
 * drift from what submit accepts. The route list is {@link ApiOperations}; a test compares it with the
 * routes the server actually registered.
 */
public final class OpenApi {
    private static final Pattern PATH_PARAM = Pattern.compile("\\{([a-z_]+)}");

    private OpenApi() {
    }

    public static ObjectNode document(ModelCatalog catalog, String version) {
        ObjectNode doc = Json.object();
        doc.put("openapi", "3.1.0");
        doc.putObject("info").put("title", "Pictor").put("version", version)
                .put("description", "Self-hosted image generation: the APIDot-compatible task API, the OpenAI Images API, "
                        + "webhooks, admin, signed file downloads, operations and the dashboard's session routes. "
                        + "Errors use the envelope {\"code\":N,\"error\":{\"message\",\"type\",\"param\"}} (OpenAI's shape under /v1/).");
        doc.putArray("servers").addObject().put("url", "/");
        ArrayNode tags = doc.putArray("tags");
        for (String t : List.of("APIDot", "OpenAI", "Webhooks", "Admin", "Files", "Operations", "Dashboard")) {
            tags.addObject().put("name", t);
        }
        ObjectNode components = doc.putObject("components");
        ObjectNode security = components.putObject("securitySchemes");
        security.putObject("bearer").put("type", "http").put("scheme", "bearer")
                .put("description", "An API key (sk-...). Admin routes need an admin key.");
        security.putObject("session").put("type", "apiKey").put("in", "cookie").put("name", UiRoutes.COOKIE)
                .put("description", "The dashboard's session cookie; state-changing calls also need the X-CSRF-Token header.");
        ObjectNode schemas = components.putObject("schemas");
        schemas.set("Error", errorSchema());
        schemas.set("OpenAiError", openAiErrorSchema());
        schemas.set("Envelope", Json.object().put("type", "object").put("description", "Success envelope: {\"code\":200,\"data\":{...}}")
                .set("properties", Json.object()
                        .set("code", Json.object().put("type", "integer").put("const", 200))));
        ((ObjectNode) schemas.get("Envelope").get("properties")).set("data", Json.object().put("type", "object"));
        ArrayNode oneOf = Json.MAPPER.createArrayNode();
        ObjectNode mapping = Json.object();
        for (ObjectNode model : catalog.describeAll()) {
            String id = model.get("id").asString();
            String name = "Submit_" + id.replaceAll("[^A-Za-z0-9]", "_");
            schemas.set(name, submitSchema(model));
            oneOf.addObject().put("$ref", "#/components/schemas/" + name);
            mapping.put(id, "#/components/schemas/" + name);
        }
        ObjectNode submit = Json.object();
        submit.set("oneOf", oneOf);
        submit.putObject("discriminator").put("propertyName", "model").set("mapping", mapping);
        schemas.set("SubmitRequest", submit);
        schemas.set("SessionRequest", Json.object().put("type", "object").set("properties", Json.object()
                .set("key", Json.object().put("type", "string").put("description", "An API key; used once, never stored"))));
        ((ObjectNode) schemas.get("SessionRequest")).putArray("required").add("key");

        schemas.set("OpenAiBody", Json.object().put("type", "object")
                .put("description", "The OpenAI Images request: model, prompt, n, size, quality, output_format, ... (see docs/openai.md); "
                        + "edits also take image[] files in multipart/form-data"));
        schemas.set("RedeliverRequest", objectOf(List.of("since", "status"), List.of("since"),
                "since: ISO-8601 time; status: dead (default), failing or disabled"));
        schemas.set("RotateRequest", objectOf(List.of("tenant_id", "overlap_hours"), List.of(),
                "tenant_id (default: default); overlap_hours 0-720 during which the old secret still signs"));
        schemas.set("TenantRequest", objectOf(List.of("id", "name", "billing"), List.of("id"),
                "id: a-z, 0-9, _ and -; name: free text; billing: prepaid or unlimited (default)"));
        schemas.set("CreditRequest", objectOf(List.of("amount", "reason"), List.of("amount", "reason"),
                "amount: credits, up to three decimals (negative for an adjustment down); reason: why"));
        schemas.set("KeyRequest", objectOf(List.of("tenant_id", "name", "admin", "scope", "rate_limit", "ip_whitelist",
                "hourly_credit_limit", "daily_credit_limit"), List.of(),
                "tenant_id (default: default, or a tenant admin's own), name, scope: operator (operators only), tenant_admin or tenant; "
                        + "limits as in KeyLimits"));
        schemas.set("KeyLimits", objectOf(List.of("name", "rate_limit", "ip_whitelist", "hourly_credit_limit", "daily_credit_limit"), List.of(),
                "rate_limit: requests per UTC hour; ip_whitelist: addresses or CIDR ranges, null for any; hourly_credit_limit and "
                        + "daily_credit_limit: credits per UTC hour and day; 0 means unlimited; absent fields keep their value"));
        for (String schema : new String[] {"KeyRequest", "KeyLimits"}) {
            ObjectNode props = (ObjectNode) schemas.get(schema).get("properties");
            props.set("rate_limit", Json.object().put("type", "integer").put("minimum", 0));
            props.set("hourly_credit_limit", Json.object().put("type", "number").put("minimum", 0));
            props.set("daily_credit_limit", Json.object().put("type", "number").put("minimum", 0));
            props.set("ip_whitelist", Json.object().put("type", "array").set("items", Json.object().put("type", "string")));
        }
        ((ObjectNode) schemas.get("RotateRequest").get("properties")).set("overlap_hours", Json.object().put("type", "integer")
                .put("minimum", 0).put("maximum", 720));
        ((ObjectNode) schemas.get("KeyRequest").get("properties")).set("admin", Json.object().put("type", "boolean"));

        ObjectNode paths = doc.putObject("paths");
        for (ApiOperations.Op op : ApiOperations.ALL) {
            ObjectNode item = paths.has(op.path()) ? (ObjectNode) paths.get(op.path()) : paths.putObject(op.path());
            item.set(op.method().toLowerCase(), operation(op));
        }
        return doc;
    }

    private static ObjectNode operation(ApiOperations.Op op) {
        ObjectNode o = Json.object();
        o.putArray("tags").add(op.tag());
        o.put("summary", op.summary());
        o.put("operationId", (op.method().toLowerCase() + op.path()).replaceAll("[^A-Za-z0-9]+", "_"));
        ArrayNode params = o.putArray("parameters");
        Matcher m = PATH_PARAM.matcher(op.path());
        while (m.find()) {
            params.addObject().put("name", m.group(1)).put("in", "path").put("required", true)
                    .putObject("schema").put("type", "string");
        }
        for (String q : op.query()) {
            params.addObject().put("name", q).put("in", "query").put("required", false).putObject("schema").put("type", "string");
        }
        switch (op.auth()) {
            case KEY, ADMIN -> {
                ArrayNode sec = o.putArray("security");
                sec.addObject().putArray("bearer");
                sec.addObject().putArray("session");
            }
            case SIGNED, NONE -> o.putArray("security");
        }
        if (op.body() != null) {
            ObjectNode content = o.putObject("requestBody").put("required", true).putObject("content");
            content.putObject(op.bodyType()).putObject("schema").put("$ref", "#/components/schemas/" + op.body());
        }
        ObjectNode responses = o.putObject("responses");
        ObjectNode ok = responses.putObject("200").put("description", op.response());
        String okType = op.responseType();
        ObjectNode okSchema = ok.putObject("content").putObject(okType).putObject("schema");
        if (okType.equals("application/json") && op.tag().equals("OpenAI")) {
            okSchema.put("type", "object");
        } else if (okType.equals("application/json") && !op.tag().equals("Operations")) {
            okSchema.put("$ref", "#/components/schemas/Envelope");
        } else {
            okSchema.put("type", "string");
        }
        String errorRef = "#/components/schemas/" + (op.tag().equals("OpenAI") ? "OpenAiError" : "Error");
        for (String code : op.errors()) {
            responses.putObject(code).put("description", describe(code))
                    .putObject("content").putObject("application/json").putObject("schema").put("$ref", errorRef);
        }
        return o;
    }

    private static String describe(String code) {
        return switch (code) {
            case "400" -> "Invalid request: the message and param name the field and the model";
            case "401" -> "Missing, malformed or unknown API key or session";
            case "403" -> "Not allowed: an admin key is needed, or the CSRF token is missing";
            case "404" -> "Not found (another tenant's objects are not found either)";
            case "409" -> "Conflict";
            case "413" -> "Request body too large";
            case "503" -> "Not ready or no upstream";
            default -> "Error";
        };
    }

    private static ObjectNode objectOf(List<String> names, List<String> required, String description) {
        ObjectNode s = Json.object().put("type", "object").put("description", description);
        ObjectNode props = s.putObject("properties");
        names.forEach(n -> props.putObject(n).put("type", "string"));
        ArrayNode req = s.putArray("required");
        required.forEach(req::add);
        return s;
    }

    private static ObjectNode errorSchema() {
        ObjectNode s = Json.object().put("type", "object");
        s.putArray("required").add("code").add("error");
        ObjectNode props = s.putObject("properties");
        props.putObject("code").put("type", "integer").put("description", "the HTTP status");
        ObjectNode error = props.putObject("error").put("type", "object");
        error.putArray("required").add("message").add("type");
        ObjectNode ep = error.putObject("properties");
        ep.putObject("message").put("type", "string");
        ArrayNode types = ep.putObject("type").put("type", "string").putArray("enum");
        for (String t : List.of("invalid_request_error", "authentication_error", "permission_error", "not_found_error",
                "conflict_error", "server_error")) {
            types.add(t);
        }
        ep.putObject("param").put("type", "string").put("description", "the offending field, e.g. input.image_urls[1]");
        return s;
    }

    private static ObjectNode openAiErrorSchema() {
        ObjectNode s = Json.object().put("type", "object");
        ObjectNode error = s.putObject("properties").putObject("error").put("type", "object");
        ObjectNode ep = error.putObject("properties");
        ep.putObject("message").put("type", "string");
        ep.putObject("type").put("type", "string");
        ep.putObject("param").putArray("type").add("string").add("null");
        ep.putObject("code").putArray("type").add("string").add("null");
        return s;
    }

    /** {"model": const id, "input": {fields...}, "callback_url"?} for one model. */
    static ObjectNode submitSchema(ObjectNode model) {
        String id = model.get("id").asString();
        ObjectNode s = Json.object().put("type", "object").put("title", model.get("title").asString())
                .put("description", model.get("mode").asString() + "; family " + model.get("family").asString()
                        + "; image_urls " + model.get("image_urls").asString());
        s.putArray("required").add("model").add("input");
        s.put("additionalProperties", false);
        ObjectNode props = s.putObject("properties");
        props.putObject("model").put("type", "string").put("const", id);
        props.putObject("callback_url").put("type", "string").put("format", "uri")
                .put("description", "Receives the signed webhook when the task ends");
        ObjectNode metadata = props.putObject("metadata").put("type", "object").put("maxProperties", 16)
                .put("description", "Your own labels, returned in status, list and webhooks; keys 1-64 characters, at most 4 KB as JSON");
        metadata.putObject("propertyNames").put("minLength", 1).put("maxLength", 64);
        metadata.putObject("additionalProperties").put("type", "string").put("maxLength", 512);
        ObjectNode events = props.putObject("webhook_events").put("type", "array").put("minItems", 1)
                .put("description", "Which events callback_url gets (default finished and failed)");
        events.putObject("items").put("type", "string").putArray("enum").add("running").add("progress").add("finished").add("failed");
        props.putObject("retention_seconds").put("type", "integer").put("minimum", 60)
                .put("description", "Keep this task and its files for less time than the server does: seconds after it ends,"
                        + " up to the server's retention");
        ObjectNode input = props.putObject("input").put("type", "object").put("additionalProperties", false);
        ArrayNode required = Json.MAPPER.createArrayNode();
        ObjectNode fields = input.putObject("properties");
        for (JsonNode f : model.get("fields")) {
            fields.set(f.get("name").asString(), fieldSchema(f));
            if (f.get("required").asBoolean()) {
                required.add(f.get("name").asString());
            }
        }
        input.set("required", required);
        JsonNode rules = model.get("rules").deepCopy();
        if (!rules.isEmpty()) {
            s.set("x-pictor-rules", rules);
        }
        return s;
    }

    static ObjectNode fieldSchema(JsonNode f) {
        ObjectNode s = Json.object();
        String type = f.get("type").asString();
        if (f.has("description")) {
            s.put("description", f.get("description").asString());
        }
        if (f.has("default")) {
            s.set("default", f.get("default"));
        }
        switch (type) {
            case "string", "string|object" -> {
                boolean customString = f.path("custom_string").asBoolean(false);
                boolean customObject = f.path("custom_object").asBoolean(false);
                ObjectNode preset = Json.object().put("type", "string");
                if (f.has("enum")) {
                    preset.set("enum", f.get("enum"));
                }
                if (f.has("max_length")) {
                    preset.put("maxLength", f.get("max_length").asInt());
                    preset.put("minLength", 1);
                }
                if (!customString && !customObject) {
                    s.setAll(preset);
                    return s;
                }
                ArrayNode any = s.putArray("anyOf");
                any.add(preset);
                JsonNode limits = f.get("custom_limits");
                String limitText = limits == null ? "" : " (sides multiple of " + limits.get("multiple_of") + ", "
                        + limits.get("min_edge") + "-" + limits.get("max_edge") + " px, " + limits.get("min_pixels") + "-"
                        + limits.get("max_pixels") + " pixels, aspect at most " + limits.get("max_aspect") + ":1)";
                if (customString) {
                    any.addObject().put("type", "string").put("pattern", "^[0-9]+x[0-9]+$").put("description", "WIDTHxHEIGHT" + limitText);
                }
                if (customObject) {
                    ObjectNode o = any.addObject().put("type", "object").put("description", "width and height" + limitText);
                    o.putArray("required").add("width").add("height");
                    o.putObject("properties").set("width", Json.object().put("type", "integer"));
                    ((ObjectNode) o.get("properties")).set("height", Json.object().put("type", "integer"));
                }
                if (limits != null) {
                    s.set("x-pictor-custom-limits", limits);
                }
            }
            case "boolean" -> s.put("type", "boolean");
            case "integer" -> {
                s.put("type", "integer");
                if (f.has("minimum")) {
                    s.set("minimum", f.get("minimum"));
                }
                if (f.has("maximum")) {
                    s.set("maximum", f.get("maximum"));
                }
            }
            case "array" -> {
                s.put("type", "array");
                if (f.get("name").asString().equals("elements")) {
                    ObjectNode item = s.putObject("items").put("type", "object").put("additionalProperties", false);
                    item.putArray("required").add("frontal_image_url");
                    ObjectNode p = item.putObject("properties");
                    p.putObject("frontal_image_url").put("type", "string").put("format", "uri");
                    p.putObject("reference_image_urls").put("type", "array").put("maxItems", 3)
                            .putObject("items").put("type", "string").put("format", "uri");
                } else {
                    s.putObject("items").put("type", "string").put("format", "uri").put("maxLength", 2048);
                }
                if (f.has("min_items")) {
                    s.set("minItems", f.get("min_items"));
                }
                if (f.has("max_items")) {
                    s.set("maxItems", f.get("max_items"));
                }
            }
            default -> throw new IllegalStateException("field type " + type + " has no schema mapping; add one to OpenApi");
        }
        return s;
    }
}
