package dev.pictor.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.common.Json;
import dev.pictor.media.DecodeBudget;
import dev.pictor.support.ApiClient;
import dev.pictor.support.ImageServer;
import dev.pictor.support.TestNode;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.IIOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Issue 17 item 3: decoded pixels are bounded per task and per node by PICTOR_DECODE_MEGAPIXELS, and
 * a node that runs out of memory decoding says so instead of blaming the image.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DecodeMemoryTest {
    private static final String KEY = TestNode.ADMIN_KEY;
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** gpt-image-2-edit takes up to 16 sources; size auto paints 1024x1024. */
    private static final String MODEL = "gpt-image-2-edit";
    private static final long OUTPUT_LEASE = 2L * 1024 * 1024;

    private ImageServer images;

    @BeforeAll
    void start() {
        images = new ImageServer();
    }

    @AfterAll
    void stop() {
        images.close();
    }

    @Test
    void sixteenLargeSourcesInEachOfFourRequestsStayWithinTheNodesBudget() {
        var decodes = new AtomicInteger();
        DecodeBudget.Decoder counting = (bytes, type) -> {
            decodes.incrementAndGet();
            return DecodeBudget.imageIo(bytes, type);
        };
        try (TestNode node = TestNode.start(Map.of("PICTOR_DECODE_MEGAPIXELS", "4"), counting)) {
            List<String> urls = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                urls.add(images.image("mp-" + i, 1000, 1000, 0x3366cc + i));
            }
            List<String> ids = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                ids.add(node.client().submit(KEY, MODEL, edit("four at once " + t, urls)));
            }
            for (String id : ids) {
                JsonNode data = node.client().awaitTerminal(KEY, id, WAIT);
                assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            }
            long budget = gauge(node, "pictor_decode_pixels_budget");
            long peak = gauge(node, "pictor_decode_pixels_peak");
            System.out.printf("decode budget: 4 requests x 16 sources of 1000x1000, %d decodes, peak %d of %d pixels%n",
                    decodes.get(), peak, budget);
            assertThat(decodes.get()).isEqualTo(64);
            assertThat(budget).isEqualTo(4_000_000);
            // Unbounded, the four requests would hold 64 megapixels of sources at once.
            assertThat(peak).isLessThanOrEqualTo(budget).isGreaterThanOrEqualTo(1_000_000 + OUTPUT_LEASE);
            assertThat(gauge(node, "pictor_decode_pixels_in_use")).isZero();
        }
    }

    @Test
    void anImageLargerThanTheWholeBudgetIsRefusedAtOnceAndATaskThatCannotGetTheBudgetTimesOut() throws Exception {
        var release = new CountDownLatch(1);
        var holding = new CountDownLatch(1);
        // The 1000x999 source stands for a stuck decode that holds its lease while others wait.
        DecodeBudget.Decoder slow = (bytes, type) -> {
            BufferedImage image = DecodeBudget.imageIo(bytes, type);
            if (image.getHeight() == 999) {
                holding.countDown();
                // Deaf to the interrupt its own deadline sends: the lease stays held past that deadline.
                boolean interrupted = false;
                while (release.getCount() > 0) {
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            return image;
        };
        try (TestNode node = TestNode.start(Map.of("PICTOR_DECODE_MEGAPIXELS", "4", "PICTOR_TASK_DEADLINE_SECONDS", "2",
                "PICTOR_MAX_ATTEMPTS", "1"), slow)) {
            ApiClient client = node.client();
            String huge = client.submit(KEY, MODEL, edit("too big", List.of(images.image("huge", 2100, 2000, 0x884422))));
            JsonNode refused = client.awaitTerminal(KEY, huge, WAIT);
            assertThat(refused.get("error_code").asString()).isEqualTo("invalid_input");
            assertThat(refused.get("error_message").asString())
                    .contains("image_urls[0] (2100x2000)").contains("more than this node decodes at once")
                    .contains("PICTOR_DECODE_MEGAPIXELS=4");

            String holder = client.submit(KEY, MODEL, edit("holds the budget", List.of(images.image("held", 1000, 999, 0x448822))));
            assertThat(holding.await(20, TimeUnit.SECONDS)).isTrue();
            String waiter = client.submit(KEY, MODEL, edit("waits for it", List.of(images.image("waiter", 1000, 1000, 0x224488))));
            JsonNode starved = client.awaitTerminal(KEY, waiter, WAIT);
            release.countDown();
            assertThat(starved.get("error_code").asString()).isEqualTo("timeout");
            assertThat(starved.get("error_message").asString()).contains("decode memory").contains("PICTOR_DECODE_MEGAPIXELS");
            client.awaitTerminal(KEY, holder, WAIT);
        } finally {
            release.countDown();
        }
    }

    @Test
    void runningOutOfMemoryWhileDecodingSaysSoWhetherTheReaderThrowsOrWrapsIt() {
        List<DecodeBudget.Decoder> decoders = List.of(
                (bytes, type) -> {
                    throw new OutOfMemoryError("Java heap space");
                },
                // PNGImageReader wraps what it catches: "Caught exception during read" with the error as cause.
                (bytes, type) -> {
                    throw new IIOException("Caught exception during read: ", new OutOfMemoryError("Java heap space"));
                });
        for (DecodeBudget.Decoder decoder : decoders) {
            try (TestNode node = TestNode.start(Map.of("PICTOR_MAX_ATTEMPTS", "1"), decoder)) {
                String id = node.client().submit(KEY, MODEL, edit("oom", List.of(images.image("oom", 640, 480, 0x993311))));
                JsonNode data = node.client().awaitTerminal(KEY, id, WAIT);
                String message = data.get("error_message").asString();
                assertThat(data.get("status").asString()).isEqualTo("failed");
                assertThat(data.get("error_code").asString()).isEqualTo("internal_error");
                assertThat(message).contains("image_urls[0] (640x480)").contains("not enough memory on this node to decode a 640x480 image")
                        .doesNotContain("could not be decoded").doesNotContain("internal error while generating");
            }
        }
    }

    private static ObjectNode edit(String prompt, List<String> urls) {
        ObjectNode input = Json.object().put("prompt", prompt);
        var array = input.putArray("image_urls");
        urls.forEach(array::add);
        return input;
    }

    private static long gauge(TestNode node, String name) {
        String text = new String(node.client().download(node.baseUrl() + "/metrics").body());
        Matcher m = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*})? (\\S+)$").matcher(text);
        assertThat(m.find()).as(name + " in /metrics").isTrue();
        return (long) Double.parseDouble(m.group(1));
    }
}
