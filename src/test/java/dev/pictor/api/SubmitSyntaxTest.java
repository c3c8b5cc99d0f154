package dev.pictor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.support.ApiClient.Response;
import dev.pictor.support.TestNode;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Issue 17, item 6: what would fail later is refused at submit: impossible URL ports, and bodies that are not UTF-8. */
class SubmitSyntaxTest {
    private static final String KEY = TestNode.ADMIN_KEY;

    @Test
    void imageUrlsWithAnImpossiblePortOrCredentialsAreRefusedNamingTheEntryAndTheModel() {
        try (TestNode node = TestNode.start()) {
            String[] bad = {"http://127.0.0.1:99999/a.png", "http://127.0.0.1:0/a.png", "https://images.example.com:65536/a.png",
                    "https://user:pw@images.example.com/a.png"};
            for (String url : bad) {
                String body = "{\"model\":\"gpt-image-2-edit\",\"input\":{\"prompt\":\"x\",\"image_urls\":[\"https://images.example.com/ok.png\",\""
                        + url + "\"]}}";
                Response r = node.client().post("/api/generate/submit", body, KEY);
                assertThat(r.status()).as(url + " -> " + r).isEqualTo(400);
                assertThat(r.body().path("error").path("param").asString()).isEqualTo("input.image_urls[1]");
                assertThat(r.errorMessage()).contains("image_urls[1]").contains("gpt-image-2-edit");
            }
            assertThat(node.pictor().store().countsByStatusAndModel().values().stream().flatMap(m -> m.values().stream()).mapToLong(Long::longValue).sum()).isZero();
        }
    }

    @Test
    void aBodyThatIsNotUtf8IsA400AndStoresNothing() throws Exception {
        try (TestNode node = TestNode.start()) {
            byte[][] invalid = {
                    {(byte) 0xC0, (byte) 0xAF},                  // overlong "/"
                    {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},     // overlong "/" in three bytes
                    {(byte) 0xED, (byte) 0xA0, (byte) 0x80},     // an encoded UTF-16 surrogate
                    {(byte) 0xFF},                               // never valid
                    {(byte) 0xE2, (byte) 0x82}};                 // truncated sequence
            for (byte[] bytes : invalid) {
                var body = new ByteArrayOutputStream();
                body.write("{\"model\":\"z-image\",\"input\":{\"size\":\"1:1\",\"prompt\":\"a fox ".getBytes(StandardCharsets.UTF_8));
                body.write(bytes);
                body.write("\"}}".getBytes(StandardCharsets.UTF_8));
                Response r = node.client().send(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/api/generate/submit"))
                        .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build());
                assertThat(r.status()).as(r.toString()).isEqualTo(400);
                assertThat(r.errorMessage()).contains("UTF-8");
            }
            assertThat(node.pictor().store().countsByStatusAndModel().values().stream().flatMap(m -> m.values().stream()).mapToLong(Long::longValue).sum()).isZero();
            Response ok = node.client().post("/api/generate/submit", "{\"model\":\"z-image\",\"input\":{\"size\":\"1:1\",\"prompt\":\"un renard \u00e9 \uD83E\uDD8A\"}}", KEY);
            assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
        }
    }
}
