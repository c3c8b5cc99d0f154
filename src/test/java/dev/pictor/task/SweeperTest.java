package dev.pictor.task;

import dev.pictor.common.ErrorCode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.db.Database;
import dev.pictor.metrics.Metrics;
import dev.pictor.storage.FileSystemBlobStore;
import dev.pictor.storage.StoredFile;
import dev.pictor.support.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SweeperTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T10:00:00Z"));

    @Test
    void failsOverdueTasksAndRemovesExpiredOnesWithTheirFiles() throws Exception {
        Path dir = Files.createTempDirectory("pictor-sweep-");
        try (Database db = Database.open("jdbc:h2:retry:" + dir.resolve("db") + ";WRITE_DELAY=0", "", "", 4)) {
            var store = new TaskStore(db.jdbc(), TaskStore.TerminalListener.NONE, new TaskEvents());
            var blobs = new FileSystemBlobStore(dir.resolve("files"));
            var sweeper = new Sweeper(store, blobs, new Metrics(clock), clock, Duration.ofSeconds(1), Duration.ofHours(72), Duration.ofMinutes(10));
            var ids = new TaskIds();
            Instant now = clock.instant();
            Task stuck = store.insert(new NewTask(ids.next(now), "t", "z-image", "{}", null, "nowhere", now, now.plusSeconds(60)));
            Task done = store.insert(new NewTask(ids.next(now), "t", "z-image", "{}", null, "sandbox", now, now.plusSeconds(60)));
            Claim claim = store.claim("n", List.of("sandbox"), 1, now, Duration.ofSeconds(30)).getFirst();
            blobs.put(done.id() + "/0.png", new byte[] {1}, "image/png");
            store.finish(claim, "sandbox", List.of(new StoredFile(done.id() + "/0.png", "image/png", 1, 1, 1, "sandbox")), now);

            assertThat(sweeper.failOverdue()).isZero();
            clock.advance(Duration.ofSeconds(61));
            assertThat(sweeper.failOverdue()).isEqualTo(1);
            Task timedOut = store.find("t", stuck.id()).orElseThrow();
            assertThat(timedOut.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(timedOut.errorCode()).isEqualTo(ErrorCode.TIMEOUT);

            assertThat(sweeper.removeExpired()).isZero();
            clock.advance(Duration.ofHours(73));
            assertThat(sweeper.removeExpired()).isEqualTo(2);
            assertThat(store.find("t", done.id())).isEmpty();
            assertThat(blobs.open(done.id() + "/0.png")).isEmpty();
        }
    }
}
