package dev.pictor.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pictor.catalog.ImageFormat;
import java.awt.image.BufferedImage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** The node's decode budget on its own: refusals, bounded fair waiting, release, peak. */
class DecodeBudgetTest {
    private final Clock clock = Clock.systemUTC();

    private DecodeBudget budget(long megapixels) {
        return new DecodeBudget(megapixels, "PICTOR_DECODE_MEGAPIXELS=" + megapixels, DecodeBudget::imageIo, clock);
    }

    private Instant in(Duration d) {
        return clock.instant().plus(d);
    }

    @Test
    void aNeedLargerThanTheWholeBudgetIsRefusedWithoutWaiting() {
        var budget = budget(2);
        assertThatThrownBy(() -> budget.reserve("t", 2_000_001, in(Duration.ofHours(1)), "image_urls[0] (2001x1000)"))
                .isInstanceOfSatisfying(DecodeBudget.Refused.class, e -> assertThat(e.tooLarge()).isTrue())
                .hasMessageContaining("image_urls[0] (2001x1000) needs 2.0 megapixels").hasMessageContaining("PICTOR_DECODE_MEGAPIXELS=2");
    }

    @Test
    void waitingEndsAtTheDeadlineAndAReleaseLetsTheNextInInOrder() throws Exception {
        var budget = budget(2);
        var first = budget.reserve("a", 1_500_000, in(Duration.ofSeconds(5)), "a");
        assertThatThrownBy(() -> budget.reserve("b", 1_000_000, in(Duration.ofMillis(50)), "b"))
                .isInstanceOfSatisfying(DecodeBudget.Refused.class, e -> assertThat(e.tooLarge()).isFalse())
                .hasMessageContaining("waited until the task's deadline");
        assertThat(budget.waitingFor("b")).isNull();

        // Own threads: the common pool may have a single worker, which the first waiter would block.
        var threads = Executors.newVirtualThreadPerTaskExecutor();
        var big = CompletableFuture.supplyAsync(() -> reserve(budget, "big", 2_000_000), threads);
        await().until(() -> budget.waitingFor("big") != null);
        var small = CompletableFuture.supplyAsync(() -> reserve(budget, "small", 400_000), threads);
        await().until(() -> budget.waitingFor("small") != null);
        // 0.5 MP are free, enough for the small one, but the big one asked first (fair): both wait.
        assertThat(small).isNotDone();
        first.close();
        first.close(); // a second close gives nothing back twice
        var bigLease = big.get();
        assertThat(budget.inUsePixels()).isEqualTo(2_000_000);
        bigLease.close();
        small.get().close();
        assertThat(budget.inUsePixels()).isZero();
        assertThat(budget.peakPixels()).isEqualTo(2_000_000);
    }

    @Test
    void decodingNeedsALeaseThatCoversTheImageAndNamesAnOutOfMemoryAsSuch() throws Exception {
        byte[] png = ImageEncoder.encode(new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB), ImageFormat.PNG);
        var budget = budget(1);
        try (var lease = budget.reserve("t", 1_200, in(Duration.ofSeconds(1)), "x")) {
            assertThat(budget.decode(lease, png).getWidth()).isEqualTo(40);
        }
        try (var lease = budget.reserve("t", 100, in(Duration.ofSeconds(1)), "x")) {
            assertThatThrownBy(() -> budget.decode(lease, png)).isInstanceOf(IllegalArgumentException.class);
        }
        var starved = new DecodeBudget(1, "s", (bytes, type) -> {
            throw new javax.imageio.IIOException("Error reading PNG image data", new OutOfMemoryError("Java heap space"));
        }, clock);
        try (var lease = starved.reserve("t", 1_200, in(Duration.ofSeconds(1)), "x")) {
            assertThatThrownBy(() -> starved.decode(lease, png)).isInstanceOf(ImageProbe.OutOfMemory.class)
                    .hasMessage("not enough memory on this node to decode a 40x30 image");
        }
    }

    private static DecodeBudget.Lease reserve(DecodeBudget budget, String task, long pixels) {
        try {
            return budget.reserve(task, pixels, Instant.now().plusSeconds(20), task);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
