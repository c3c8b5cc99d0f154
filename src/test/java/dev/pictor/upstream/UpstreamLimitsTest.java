package dev.pictor.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.common.Json;
import dev.pictor.support.TestNode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Issue 17, item 3: what an upstream sends is bounded. An answer past PICTOR_UPSTREAM_MAX_BYTES is
 * cut off, not buffered whole; an image whose header claims more pixels than PICTOR_FETCH_MAX_PIXELS
 * is refused like an oversized source, not stored. Item 2: an upstream that sends headers and then
 * stalls is bounded by PICTOR_UPSTREAM_TIMEOUT_SECONDS for the whole exchange, not by the task
 * deadline. All over real HTTP against the OpenAI fake.
 */
class UpstreamLimitsTest {
    private static final String KEY = TestNode.ADMIN_KEY;

    private static TestNode node(FakeOpenAi fake) {
        return TestNode.start(Map.of("PICTOR_OPENAI_API_KEY", FakeOpenAi.KEY, "PICTOR_OPENAI_BASE_URL", fake.baseUrl(),
                "PICTOR_UPSTREAM_MAX_BYTES", "1048576"));
    }

    private static JsonNode run(TestNode node) {
        String id = node.client().submit(KEY, "gpt-image-2", (ObjectNode) Json.parse("{\"prompt\":\"a lighthouse\"}"));
        return node.client().awaitTerminal(KEY, id, Duration.ofSeconds(30));
    }

    @Test
    void anAnswerOverTheByteLimitFailsTheTaskWithoutBufferingIt() {
        try (var fake = new FakeOpenAi(); TestNode node = node(fake)) {
            String huge = "{\"data\":[{\"b64_json\":\"" + "A".repeat(3 * 1024 * 1024) + "\"}]}";
            fake.fail(FakeUpstream.Fault.of(200, huge));
            JsonNode data = run(node);
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("failed");
            assertThat(data.get("error_code").asString()).isEqualTo("upstream_error");
            assertThat(data.get("error_message").asString()).contains("over the limit of 1048576 bytes");
            assertThat(fake.calls()).as("the same request would get the same answer: not retried").hasSize(1);
        }
    }

    @Test
    void anImageClaimingTooManyPixelsIsRefusedLikeASource() {
        try (var fake = new FakeOpenAi(); TestNode node = node(fake)) {
            String b64 = Base64.getEncoder().encodeToString(pngHeader(100_000, 100_000));
            fake.fail(FakeUpstream.Fault.of(200, "{\"created\":1795000000,\"data\":[{\"b64_json\":\"" + b64 + "\"}]}"));
            JsonNode data = run(node);
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("failed");
            assertThat(data.get("error_message").asString()).contains("100000x100000").contains("over the limit");
            assertThat(data.get("files")).isEmpty();
        }
    }

    @Test
    void anUpstreamThatStallsAfterItsHeadersIsBoundedByTheUpstreamTimeout() {
        try (var fake = new FakeOpenAi(); TestNode node = TestNode.start(Map.of("PICTOR_OPENAI_API_KEY", FakeOpenAi.KEY,
                "PICTOR_OPENAI_BASE_URL", fake.baseUrl(), "PICTOR_UPSTREAM_TIMEOUT_SECONDS", "1", "PICTOR_MAX_ATTEMPTS", "1",
                "PICTOR_TASK_DEADLINE_SECONDS", "600"))) {
            fake.fail(FakeUpstream.Fault.stallAfterHeaders());
            String id = node.client().submit(KEY, "gpt-image-2", (ObjectNode) Json.parse("{\"prompt\":\"a lighthouse\"}"));
            // Well under the 600 s deadline: only the 1 s upstream timeout can end it this soon.
            JsonNode data = node.client().awaitTerminal(KEY, id, Duration.ofSeconds(15));
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("failed");
            assertThat(data.get("error_code").asString()).isEqualTo("upstream_error");
            assertThat(data.get("error_message").asString()).contains("did not answer within 1 s");
        }
    }

    /** A PNG signature and a valid IHDR chunk claiming {@code width x height}, and nothing else. */
    private static byte[] pngHeader(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(17).put("IHDR".getBytes(StandardCharsets.US_ASCII))
                .putInt(width).putInt(height).put((byte) 8).put((byte) 6).put((byte) 0).put((byte) 0).put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        var out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a});
        out.writeBytes(ByteBuffer.allocate(4).putInt(13).array());
        out.writeBytes(ihdr.array());
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        return out.toByteArray();
    }
}
