package dev.pictor.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.common.Json;
import dev.pictor.support.ImageServer;
import dev.pictor.support.TestNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The stable-diffusion.cpp server adapter against a fake of its OpenAI-compatible API. */
class SdCppUpstreamTest {
    private static final String KEY = TestNode.ADMIN_KEY;

    @Test
    void generatesAndEditsOneAtATime() {
        try (var fake = new FakeSdCpp(); var images = new ImageServer();
             TestNode node = TestNode.start(Map.of("PICTOR_SDCPP_URL", fake.baseUrl() + "/v1", "PICTOR_ROUTES", "flux-2-pro=sdcpp;flux-2-pro-edit=sdcpp"))) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ids.add(node.client().submit(KEY, "flux-2-pro", (ObjectNode) Json.parse("{\"prompt\":\"p" + i + "\",\"size\":\"4:3\",\"resolution\":\"1K\"}")));
            }
            for (String id : ids) {
                JsonNode data = node.client().awaitTerminal(KEY, id, Duration.ofSeconds(30));
                assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
                assertThat(data.get("provider").asString()).isEqualTo("sdcpp");
            }
            JsonNode sent = Json.parse(fake.calls("/v1/images/generations").getLast().bodyText());
            assertThat(sent.get("size").asString()).isEqualTo("1168x880");
            assertThat(sent.has("model")).isFalse();
            assertThat(fake.maxInFlight.get()).isEqualTo(1);

            String src = images.image("s.png", 96, 96, 0x113355);
            String id = node.client().submit(KEY, "flux-2-pro-edit", (ObjectNode) Json.parse(
                    "{\"prompt\":\"e\",\"size\":\"1:1\",\"resolution\":\"1K\",\"image_urls\":[\"" + src + "\"]}"));
            JsonNode edit = node.client().awaitTerminal(KEY, id, Duration.ofSeconds(30));
            assertThat(edit.get("status").asString()).as(edit.toString()).isEqualTo("finished");
            assertThat(new String(fake.calls("/v1/images/edits").getLast().body(), java.nio.charset.StandardCharsets.ISO_8859_1)).contains("name=\"image[]\"");
        }
    }
}
