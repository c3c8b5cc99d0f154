package dev.pictor.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.support.ApiClient.Response;
import dev.pictor.support.TestNode;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** OpenAI's own model names reach a configured OpenAI upstream as themselves, with the fields each one takes. */
class OpenAiModelNamesUpstreamTest {
    private static final String KEY = TestNode.ADMIN_KEY;

    @Test
    void openAiNamesArePassedThroughToTheOpenAiUpstream() {
        try (var fake = new FakeOpenAi();
             TestNode node = TestNode.start(Map.of("PICTOR_OPENAI_API_KEY", FakeOpenAi.KEY, "PICTOR_OPENAI_BASE_URL", fake.baseUrl()))) {
            Response r = node.client().post("/v1/images/generations", "{\"model\":\"gpt-image-1\",\"prompt\":\"a kite\",\"size\":\"1024x1536\"}", KEY);
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            JsonNode sent = fake.lastJson();
            assertThat(sent.get("model").asString()).isEqualTo("gpt-image-1");
            assertThat(sent.get("size").asString()).isEqualTo("1024x1536");
            assertThat(sent.get("output_format").asString()).isEqualTo("png");

            r = node.client().post("/v1/images/generations", "{\"model\":\"dall-e-3\",\"prompt\":\"a kite\",\"size\":\"1792x1024\",\"quality\":\"hd\"}", KEY);
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            sent = fake.lastJson();
            assertThat(sent.get("model").asString()).isEqualTo("dall-e-3");
            assertThat(sent.get("size").asString()).isEqualTo("1792x1024");
            assertThat(sent.get("quality").asString()).isEqualTo("hd");
            assertThat(sent.get("response_format").asString()).isEqualTo("b64_json");
            assertThat(sent.has("output_format")).isFalse();
            String taskId = r.raw().headers().firstValue("X-Pictor-Task-Id").orElseThrow();
            assertThat(node.client().get("/api/generate/status/" + taskId, KEY).data().get("provider").asString()).isEqualTo("openai");

            r = node.client().post("/v1/images/generations", "{\"model\":\"dall-e-2\",\"prompt\":\"a kite\",\"size\":\"512x512\"}", KEY);
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(fake.lastJson().get("model").asString()).isEqualTo("dall-e-2");
            assertThat(fake.lastJson().has("quality")).isFalse();
        }
    }
}
