package dev.pictor.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pictor.catalog.ImageFormat;
import dev.pictor.catalog.ModelCatalog;
import dev.pictor.common.ErrorCode;
import dev.pictor.db.Database;
import dev.pictor.media.ImageEncoder;
import dev.pictor.media.DecodeBudget;
import dev.pictor.media.SafeFetcher;
import dev.pictor.storage.FileUrls;
import dev.pictor.metrics.Metrics;
import dev.pictor.net.AddressPolicy;
import dev.pictor.net.FetchSettings;
import dev.pictor.net.PinnedHttpClient;
import dev.pictor.storage.BlobStore;
import dev.pictor.storage.FileSystemBlobStore;
import dev.pictor.upstream.GeneratedImage;
import dev.pictor.upstream.GenerationJob;
import dev.pictor.upstream.Upstream;
import dev.pictor.upstream.UpstreamRegistry;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A node whose blob store refuses the outputs retries only the store step: the upstream is called
 * once, the circuit breaker does not count it, and a store that never recovers fails the task with
 * {@code storage_error} before its deadline instead of leaving it open or generating again.
 */
class StorageRetryTest {
    private final Clock clock = Clock.systemUTC();

    @Test
    void aStoreThatFailsTwiceCostsADelayNotASecondGeneration() throws Exception {
        try (var rig = new Rig(2, Duration.ofSeconds(30))) {
            Task task = rig.run();
            assertThat(task.status()).as(String.valueOf(task.errorMessage())).isEqualTo(TaskStatus.FINISHED);
            assertThat(rig.upstream.calls).hasValue(1);
            assertThat(rig.blobs.failedPuts).hasValue(2);
            assertThat(rig.blobs.open(task.id() + "/0.png")).isPresent();
            assertThat(rig.registry.breaker(CountingUpstream.NAME).allowsCall()).isTrue();
        }
    }

    @Test
    void aStoreThatNeverRecoversFailsTheTaskWithStorageErrorBeforeItsDeadline() throws Exception {
        try (var rig = new Rig(Integer.MAX_VALUE, Duration.ofSeconds(3))) {
            Task task = rig.run();
            assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(task.errorCode()).isEqualTo(ErrorCode.STORAGE_ERROR);
            assertThat(task.errorMessage()).contains("could not be stored");
            assertThat(rig.upstream.calls).hasValue(1);
            assertThat(rig.blobs.failedPuts.get()).isGreaterThan(1);
            assertThat(task.finishedAt()).isBefore(task.deadlineAt());
            assertThat(rig.registry.breaker(CountingUpstream.NAME).allowsCall()).isTrue();
        }
    }

    /** One H2 database, a dispatcher on a counting upstream and a store that fails its first puts. */
    private final class Rig implements AutoCloseable {
        final Database db;
        final TaskStore store;
        final FlakyBlobStore blobs;
        final CountingUpstream upstream = new CountingUpstream();
        final UpstreamRegistry registry = new UpstreamRegistry(clock);
        final Dispatcher dispatcher;
        final Duration deadline;

        Rig(int failingPuts, Duration deadline) throws IOException {
            Path dir = Files.createTempDirectory("pictor-storage-retry-");
            this.deadline = deadline;
            db = Database.open("jdbc:h2:file:" + dir.resolve("db") + ";WRITE_DELAY=0", "", "", 4);
            store = new TaskStore(db.jdbc(), TaskStore.TerminalListener.NONE, new TaskEvents());
            blobs = new FlakyBlobStore(new FileSystemBlobStore(dir.resolve("files")), failingPuts);
            registry.register(upstream);
            registry.addRoute("z-image", new UpstreamRegistry.Route(CountingUpstream.NAME, null));
            var fetch = new FetchSettings(List.of(), 1_000_000, 1_000_000, Duration.ofSeconds(1), Duration.ofSeconds(1), 0);
            var fetcher = new SafeFetcher(new PinnedHttpClient(new AddressPolicy(List.of()), Duration.ofSeconds(1)), fetch);
            var settings = new TaskSettings(20_000, 8, Duration.ofSeconds(30), deadline, Duration.ofMillis(100), 3,
                    Duration.ofMillis(100), Duration.ofSeconds(1));
            var decodes = new DecodeBudget(64, "PICTOR_DECODE_MEGAPIXELS=64", DecodeBudget::imageIo, clock);
            var fileUrls = new FileUrls(new byte[32], () -> "http://127.0.0.1", Duration.ofHours(1), clock);
            dispatcher = new Dispatcher(store, new ModelCatalog(), registry, fetcher, decodes, blobs, fileUrls, new Metrics(clock), clock,
                    "node-a", settings);
        }

        Task run() {
            Instant now = clock.instant();
            Task task = store.insert(new NewTask(new TaskIds().next(now), "t", "z-image", "{\"prompt\":\"a fox\",\"size\":\"1:1\"}",
                    null, CountingUpstream.NAME, now, now.plus(deadline)));
            dispatcher.start();
            dispatcher.wake();
            await().atMost(deadline.plusSeconds(10)).until(() -> store.find("t", task.id()).orElseThrow().status().isTerminal());
            return store.find("t", task.id()).orElseThrow();
        }

        @Override
        public void close() {
            dispatcher.shutdown(Duration.ofSeconds(1));
            db.close();
        }
    }

    /** A synchronous upstream that answers one small PNG and counts its calls. */
    private static final class CountingUpstream implements Upstream {
        static final String NAME = "counting";
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public int concurrency() {
            return 4;
        }

        @Override
        public Outcome start(GenerationJob job) {
            calls.incrementAndGet();
            byte[] png = ImageEncoder.encode(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), ImageFormat.PNG);
            return new Outcome.Done(List.of(new GeneratedImage(png, "image/png", 8, 8)));
        }
    }

    /** Refuses the first {@code failing} writes the way an unreachable bucket does, then passes them on. */
    private static final class FlakyBlobStore implements BlobStore {
        final BlobStore delegate;
        final int failing;
        final AtomicInteger failedPuts = new AtomicInteger();

        FlakyBlobStore(BlobStore delegate, int failing) {
            this.delegate = delegate;
            this.failing = failing;
        }

        @Override
        public void put(String key, byte[] bytes, String contentType) throws IOException {
            if (failedPuts.get() < failing) {
                failedPuts.incrementAndGet();
                throw new IOException("bucket unreachable");
            }
            delegate.put(key, bytes, contentType);
        }

        @Override
        public Optional<Blob> open(String key) throws IOException {
            return delegate.open(key);
        }

        @Override
        public void delete(String key) throws IOException {
            delegate.delete(key);
        }

        @Override
        public void deleteAll(String prefix) throws IOException {
            delegate.deleteAll(prefix);
        }
    }
}
