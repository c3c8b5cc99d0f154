package dev.pictor.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.common.Json;
import dev.pictor.support.ApiClient.Response;
import dev.pictor.support.Postgres;
import dev.pictor.support.TestNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.node.ObjectNode;

/**
 * Issue 17, item 4: a corpus of malformed values (wrong JSON types, numbers past every range, NUL and
 * other control characters, unpaired surrogates, overlong strings, arrays for objects, invalid JSON)
 * sent to every field of every route that takes a body, a query or a path id, on H2 and on
 * PostgreSQL. Every one must be answered with a 4xx in the error envelope, never a 5xx, and none
 * may store a task. The tally is printed so the closing note can quote it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MalformedInputCorpusTest {
    private static final String KEY = TestNode.ADMIN_KEY;
    private static final String LONG = "x".repeat(300_000);

    /** JSON values that no field of any route accepts. */
    private static final List<String> VALUES = List.of(
            "{}", "[]", "[\"dead\"]", "{\"$gt\":\"\"}", "true", "1e400", "-1e400", "1.5", "-1",
            "99999999999999999999999999", "2147483648", "-2147483649", "9223372036854775808",
            "\"\\u0000\"", "\"a\\u0000b\"", "\"\\u001b[31m\"", "\"\\ud800\"", "\"" + LONG + "\"");

    /** Bodies that are not a JSON object at all, or not JSON. */
    private static final List<String> BODIES = List.of(
            "", "{", "}", "[]", "\"x\"", "123", "null", "{\"a\":1,}", "{'a':1}", "{\"a\" 1}",
            "[".repeat(5000), "{\"model\":" + "9".repeat(5000) + "}", "{\"a\":\"\\uZZZZ\"}", "\u0000");

    /** Query values past every range or with characters no database stores. */
    private static final List<String> QUERY_VALUES = List.of(
            "%00", "a%00b", "%1B", "-1", "0", "2147483648", "99999999999999999999999", "x".repeat(2_000),
            "+1000000000-01-01T00:00:00Z", "2026-13-01T00:00:00Z", "1e400",
            b64("99999999999999999.0.x"), b64("9223372036854775807.999999999.x"), b64("-9223372036854775808.0.x"),
            b64("1.99999999999.x"), b64("1.1.a\u0000b"), b64("1.1"), b64(""), "!!!");

    /** Values no free-text filter (an id) accepts; any other text is a filter that matches nothing. */
    private static final List<String> TEXT_QUERY_VALUES = List.of("%00", "a%00b", "%1B", "%7F", "x".repeat(2_000));

    /** Values a field legitimately accepts, so they are not probes for it. */
    private static final Map<String, List<String>> VALID = Map.of("admin", List.of("true"), "ip_whitelist", List.of("[]"),
            "hourly_credit_limit", List.of("1.5"), "daily_credit_limit", List.of("1.5"));

    private record Route(String method, String path, String template, List<String> fields) {
    }

    private static final List<Route> BODY_ROUTES = List.of(
            new Route("POST", "/api/generate/submit", "{\"model\":\"z-image\",\"input\":{\"prompt\":\"a fox\",\"size\":\"1:1\"}}",
                    List.of("model", "input", "callback_url", "input.prompt", "input.size", "input.seed", "input.image_urls", "unknown")),
            new Route("POST", "/api/generate/submit", "{\"model\":\"gpt-image-2-edit\",\"input\":{\"prompt\":\"a fox\",\"image_urls\":[\"https://images.example.com/a.png\"]}}",
                    List.of("input.image_urls", "input.n", "input.quality", "input.resolution")),
            new Route("POST", "/api/admin/tenants", "{\"id\":\"corpus-t\",\"name\":\"Corpus\"}", List.of("id", "name")),
            new Route("POST", "/api/admin/keys", "{\"tenant_id\":\"default\",\"name\":\"corpus\",\"admin\":false}",
                    List.of("tenant_id", "name", "admin", "scope", "rate_limit", "ip_whitelist", "hourly_credit_limit", "daily_credit_limit")),
            new Route("POST", "/api/webhooks/redeliver", "{\"since\":\"2026-01-01T00:00:00Z\",\"status\":\"dead\"}", List.of("since", "status")),
            new Route("POST", "/api/admin/webhooks/secret/rotate", "{\"tenant_id\":\"default\",\"overlap_hours\":1}",
                    List.of("tenant_id", "overlap_hours")),
            new Route("POST", "/v1/images/generations", "{\"model\":\"gpt-image-2\",\"prompt\":\"a fox\"}",
                    List.of("model", "prompt", "n", "size", "quality", "output_format", "output_compression", "background",
                            "response_format", "moderation", "user", "style", "stream", "partial_images")),
            new Route("POST", "/v1/images/edits", "{\"model\":\"gpt-image-2\",\"prompt\":\"a fox\",\"images\":[{\"image_url\":\"https://images.example.com/a.png\"}]}",
                    List.of("model", "prompt", "images", "mask", "input_fidelity", "n", "size")));

    private static final List<Route> QUERY_ROUTES = List.of(
            new Route("GET", "/api/generate/tasks", null, List.of("status", "model", "limit", "cursor", "since", "until")),
            new Route("GET", "/api/webhooks/events", null, List.of("status", "since", "limit")),
            new Route("GET", "/api/webhooks/events", null, List.of("task_id:text")),
            new Route("GET", "/api/admin/keys", null, List.of("tenant_id:text")));

    /** Routes with an id in the path; {id} is replaced by each path value. */
    private static final List<String[]> PATH_ROUTES = List.of(
            new String[] {"GET", "/api/generate/status/{id}"}, new String[] {"POST", "/api/generate/cancel/{id}"},
            new String[] {"GET", "/api/generate/events/{id}"}, new String[] {"GET", "/api/webhooks/events/{id}"},
            new String[] {"POST", "/api/webhooks/events/{id}/redeliver"}, new String[] {"POST", "/api/admin/keys/{id}/revoke"},
            new String[] {"DELETE", "/api/admin/keys/{id}"});
    private static final List<String> PATH_VALUES = List.of("%1B", "a%09b", "%E2%80%AE", "%F0%9F%A6%8A", "x".repeat(300), "%C3%A9%C3%A9",
            "..%2F..%2Fetc", "-1", "99999999999999999999999");

    private final Map<String, TestNode> nodes = new java.util.HashMap<>();

    @BeforeAll
    void start() {
        nodes.put("h2", TestNode.start());
        nodes.put("postgres", TestNode.start(Map.of("PICTOR_DB_URL", Postgres.newDatabase(), "PICTOR_DB_USER", "postgres")));
    }

    @AfterAll
    void stop() {
        nodes.values().forEach(TestNode::close);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void everyMalformedValueOnEveryRouteIsA4xxEnvelopeNeverA5xx(String database) {
        TestNode node = nodes.get(database);
        List<String> failures = new ArrayList<>();
        int probes = 0;
        for (Route route : BODY_ROUTES) {
            for (String body : BODIES) {
                probes++;
                check(node, route.method(), route.path(), body, "body " + abbreviate(body), failures);
            }
            for (String field : route.fields()) {
                for (String value : VALUES) {
                    if (VALID.getOrDefault(field, List.of()).contains(value)) {
                        continue;
                    }
                    probes++;
                    check(node, route.method(), route.path(), with(route.template(), field, value), field + "=" + abbreviate(value), failures);
                }
            }
        }
        for (Route route : QUERY_ROUTES) {
            for (String spec : route.fields()) {
                String field = spec.replace(":text", "");
                for (String value : spec.endsWith(":text") ? TEXT_QUERY_VALUES : QUERY_VALUES) {
                    probes++;
                    check(node, route.method(), route.path() + "?" + field + "=" + value, null, field + "=" + abbreviate(value), failures);
                }
            }
        }
        for (String[] route : PATH_ROUTES) {
            for (String value : PATH_VALUES) {
                probes++;
                check(node, route[0], route[1].replace("{id}", value), route[0].equals("POST") ? "{}" : null, "id=" + abbreviate(value), failures);
            }
        }
        System.out.printf("malformed-input corpus on %s: %d probes, %d failed%n", database, probes, failures.size());
        assertThat(failures).as("probes answered with something other than a 4xx envelope").isEmpty();
        assertThat(node.pictor().store().countsByStatusAndModel().values().stream().flatMap(m -> m.values().stream()).mapToLong(Long::longValue).sum()).as("tasks stored by malformed requests").isZero();
    }

    private static void check(TestNode node, String method, String path, String body, String label, List<String> failures) {
        var request = HttpRequest.newBuilder(URI.create(node.baseUrl() + path)).header("Authorization", "Bearer " + KEY);
        if (body != null) {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        Response r;
        try {
            r = node.client().send(request.build());
        } catch (RuntimeException e) {
            failures.add(method + " " + abbreviate(path) + " " + label + ": " + e);
            return;
        }
        boolean envelope = r.body() != null && r.body().has("error") && r.body().path("error").path("message").isString();
        if (r.status() < 400 || r.status() >= 500 || !envelope) {
            failures.add(method + " " + abbreviate(path) + " " + label + " -> " + r.status() + " " + abbreviate(String.valueOf(r.body())));
        }
    }

    /** The template with {@code field} (dotted for nested) set to the raw JSON {@code value}. */
    private static String with(String template, String field, String value) {
        ObjectNode root = (ObjectNode) Json.parse(template);
        String[] parts = field.split("\\.");
        ObjectNode parent = root;
        for (int i = 0; i < parts.length - 1; i++) {
            parent = (ObjectNode) parent.get(parts[i]);
        }
        String marker = "\"__corpus__\"";
        parent.put(parts[parts.length - 1], "__corpus__");
        return Json.write(root).replace(marker, value);
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "...(" + s.length() + ")" : s;
    }

}
