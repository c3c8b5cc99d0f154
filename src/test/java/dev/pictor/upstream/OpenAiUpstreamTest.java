package dev.pictor.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.common.Json;
import dev.pictor.support.ImageServer;
import dev.pictor.support.TestNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The OpenAI adapter against a protocol-faithful fake: requests field by field, answers, error shapes. */
class OpenAiUpstreamTest {
    private static final String KEY = TestNode.ADMIN_KEY;

    private static TestNode node(FakeOpenAi fake, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of("PICTOR_OPENAI_API_KEY", FakeOpenAi.KEY, "PICTOR_OPENAI_BASE_URL", fake.baseUrl()));
        env.putAll(extra);
        return TestNode.start(env);
    }

    private static JsonNode run(TestNode node, String model, String input) {
        String id = node.client().submit(KEY, model, (ObjectNode) Json.parse(input));
        return node.client().awaitTerminal(KEY, id, Duration.ofSeconds(30));
    }

    @Test
    void generatesWithTheModelsExactSize() {
        try (var fake = new FakeOpenAi(); TestNode node = node(fake, Map.of())) {
            JsonNode data = run(node, "gpt-image-2", "{\"prompt\":\"a lighthouse\",\"size\":\"1536x1024\",\"resolution\":\"2K\",\"quality\":\"high\"}");
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            assertThat(data.get("provider").asString()).isEqualTo("openai");
            assertThat(data.get("files").get(0).get("width").asInt()).isEqualTo(1536);
            assertThat(data.get("files").get(0).get("provider").asString()).isEqualTo("openai");
            assertThat(node.client().download(data.get("files").get(0).get("file_url").asString()).statusCode()).isEqualTo(200);

            JsonNode sent = fake.lastJson();
            assertThat(sent.get("model").asString()).isEqualTo("gpt-image-2");
            assertThat(sent.get("prompt").asString()).isEqualTo("a lighthouse");
            assertThat(sent.get("size").asString()).isEqualTo("1536x1024");
            assertThat(sent.get("quality").asString()).isEqualTo("high");
            assertThat(sent.get("n").asInt()).isEqualTo(1);
            assertThat(sent.get("output_format").asString()).isEqualTo("png");
            assertThat(fake.calls().getLast().header("Authorization")).isEqualTo("Bearer " + FakeOpenAi.KEY);
        }
    }

    @Test
    void theTokensOpenAiReportsAreStoredAndPricedInTheUsageReport() throws Exception {
        var prices = java.nio.file.Files.createTempFile("prices-", ".json");
        java.nio.file.Files.writeString(prices, "{\"upstream_costs\":{\"openai:gpt-image-2\":"
                + "{\"usd_per_1m_input_tokens\":5,\"usd_per_1m_output_tokens\":40}}}");
        try (var fake = new FakeOpenAi(); TestNode node = node(fake, Map.of("PICTOR_PRICES_FILE", prices.toString()))) {
            JsonNode data = run(node, "gpt-image-2", "{\"prompt\":\"a lighthouse\",\"quality\":\"medium\",\"resolution\":\"2K\"}");
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            JsonNode usage = node.client().get("/api/usage?group_by=model", KEY).data().get("groups").get(0);
            assertThat(usage.get("model").asString()).isEqualTo("gpt-image-2");
            // the fake answers usage {input_tokens: 10, output_tokens: 100}
            assertThat(usage.get("upstream_input_tokens").asLong()).isEqualTo(10);
            assertThat(usage.get("upstream_output_tokens").asLong()).isEqualTo(100);
            assertThat(usage.get("upstream_cost_usd").decimalValue()).isEqualByComparingTo("0.00405");
            assertThat(usage.get("credits_charged").decimalValue()).isEqualByComparingTo("6");
            assertThat(usage.get("margin_usd").decimalValue()).isEqualByComparingTo("0.02595");
            assertThat(usage.get("unpriced_tasks").asLong()).isZero();
        }
    }

    @Test
    void editsSendEverySourceAsAnImageArrayPart() {
        try (var fake = new FakeOpenAi(); var images = new ImageServer(); TestNode node = node(fake, Map.of())) {
            String a = images.image("a.png", 640, 480, 0xff0000);
            String b = images.image("b.png", 320, 240, 0x0000ff);
            JsonNode data = run(node, "gpt-image-2-edit", "{\"prompt\":\"merge\",\"image_urls\":[\"" + a + "\",\"" + b + "\"]}");
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            FakeUpstream.Call call = fake.calls("/v1/images/edits").getLast();
            String form = new String(call.body(), StandardCharsets.ISO_8859_1);
            assertThat(call.header("Content-Type")).startsWith("multipart/form-data; boundary=");
            assertThat(form.split("name=\"image\\[\\]\"", -1)).hasSize(3);
            assertThat(form).contains("name=\"model\"\r\n\r\ngpt-image-2\r\n").contains("name=\"size\"\r\n\r\n1024x1024\r\n")
                    .contains("Content-Type: image/png");
        }
    }

    @Test
    void aModerationRefusalFailsTheTaskWithoutFallback() {
        try (var fake = new FakeOpenAi(); TestNode node = node(fake, Map.of("PICTOR_ROUTES", "gpt-image-2=openai,sandbox"))) {
            fake.fail(FakeUpstream.Fault.of(400, FakeOpenAi.MODERATED));
            JsonNode data = run(node, "gpt-image-2", "{\"prompt\":\"something refused\"}");
            assertThat(data.get("status").asString()).isEqualTo("failed");
            assertThat(data.get("error_code").asString()).isEqualTo("content_moderated");
            assertThat(data.get("provider").asString()).isEqualTo("openai");
            assertThat(data.get("attempts")).isEmpty();
        }
    }

    @Test
    void invalidInputIsNotRetriedNorFallenBackFrom() {
        try (var fake = new FakeOpenAi(); TestNode node = node(fake, Map.of("PICTOR_ROUTES", "gpt-image-2=openai,sandbox"))) {
            fake.fail(FakeUpstream.Fault.of(400, FakeOpenAi.INVALID));
            JsonNode data = run(node, "gpt-image-2", "{\"prompt\":\"x\"}");
            assertThat(data.get("error_code").asString()).isEqualTo("invalid_input");
            assertThat(data.get("error_message").asString()).contains("Invalid value for size");
            assertThat(fake.calls()).hasSize(1);
        }
    }

    @Test
    void retryableFailuresAreRetriedHonouringRetryAfter() {
        try (var fake = new FakeOpenAi(); TestNode node = node(fake, Map.of())) {
            fake.fail(new FakeUpstream.Fault(429, "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}",
                    Map.of("Retry-After", "2", "Content-Type", "application/json")), FakeUpstream.Fault.of(200, "this is not json"));
            JsonNode data = run(node, "gpt-image-2", "{\"prompt\":\"persist\"}");
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            var calls = fake.calls();
            assertThat(calls).hasSize(3);
            assertThat(Duration.between(calls.get(0).at(), calls.get(1).at())).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
            JsonNode attempts = data.get("attempts");
            assertThat(attempts).hasSize(2);
            assertThat(attempts.get(0).get("message").asString()).contains("HTTP 429");
            assertThat(attempts.get(1).get("message").asString()).contains("not JSON");
            assertThat(attempts.toString()).doesNotContain("persist").doesNotContain(FakeOpenAi.KEY);
        }
    }

    @Test
    void aServerErrorFallsBackToTheNextRoute() {
        try (var fake = new FakeOpenAi(); TestNode node = node(fake, Map.of("PICTOR_ROUTES", "gpt-image-2=openai,sandbox"))) {
            fake.fail(FakeUpstream.Fault.of(503, "{\"error\":{\"message\":\"The server is overloaded\",\"type\":\"server_error\"}}"));
            JsonNode data = run(node, "gpt-image-2", "{\"prompt\":\"fall back please\"}");
            assertThat(data.get("status").asString()).isEqualTo("finished");
            assertThat(data.get("provider").asString()).isEqualTo("sandbox");
            assertThat(data.get("attempts")).hasSize(1);
            assertThat(data.get("attempts").get(0).get("provider").asString()).isEqualTo("openai");
            assertThat(data.get("attempts").get(0).get("error_code").asString()).isEqualTo("upstream_error");
        }
    }

    @Test
    void aWrongKeyIsAnOperatorProblemNotARetry() {
        try (var fake = new FakeOpenAi(); TestNode node = TestNode.start(Map.of("PICTOR_OPENAI_API_KEY", "sk-wrong", "PICTOR_OPENAI_BASE_URL", fake.baseUrl()))) {
            JsonNode data = run(node, "gpt-image-2", "{\"prompt\":\"x\"}");
            assertThat(data.get("error_code").asString()).isEqualTo("upstream_error");
            assertThat(data.get("error_message").asString()).contains("rejected Pictor's credentials").doesNotContain("sk-wrong");
            assertThat(fake.calls()).hasSize(1);
        }
    }
}
