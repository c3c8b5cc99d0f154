package dev.pictor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.task.Task;
import dev.pictor.task.TaskStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FinishedStatusCacheTest {
    private final AtomicLong nanos = new AtomicLong(1_000);
    private final FinishedStatusCache cache = new FinishedStatusCache(16, nanos::get);

    private static Task task(String id, String tenant, TaskStatus status) {
        Instant t = Instant.parse("2026-11-21T10:00:00Z");
        return new Task(id, tenant, "gpt-image-2", status, "{}", null, "sandbox", 100, null, null, List.of(), t, t, t, t.plusSeconds(60),
                null, 0, List.of(), Map.of(), List.of());
    }

    @Test
    void anEndedTaskIsServedToItsOwnerOnly() {
        long readAt = cache.now();
        cache.put(task("t1", "tenant-a", TaskStatus.FINISHED), 600, "{\"a\":1}", readAt);
        assertThat(cache.get("tenant-a", "t1")).isNotNull();
        assertThat(new String(cache.get("tenant-a", "t1").body())).isEqualTo("{\"a\":1}");
        assertThat(cache.get("tenant-b", "t1")).isNull();
        assertThat(cache.get("tenant-a", "t2")).isNull();
    }

    @Test
    void openTasksAreNeverKept() {
        cache.put(task("t1", "a", TaskStatus.RUNNING), 600, "{}", cache.now());
        cache.put(task("t2", "a", TaskStatus.NOT_STARTED), 600, "{}", cache.now());
        assertThat(cache.get("a", "t1")).isNull();
        assertThat(cache.get("a", "t2")).isNull();
    }

    @Test
    void anEntryIsTrustedForAtMostMaxAge() {
        cache.put(task("t1", "a", TaskStatus.FAILED), 600, "{}", cache.now());
        nanos.addAndGet(FinishedStatusCache.MAX_AGE.toNanos());
        assertThat(cache.get("a", "t1")).isNotNull();
        nanos.incrementAndGet();
        assertThat(cache.get("a", "t1")).isNull();
        assertThat(cache.size()).isZero();
    }

    @Test
    void aChangeOnThisNodeDropsTheEntryAndBeatsAReadThatBeganBeforeIt() {
        cache.put(task("t1", "a", TaskStatus.FINISHED), 600, "{}", cache.now());
        long readBeforeChange = cache.now();
        nanos.incrementAndGet();
        cache.forget("t1");
        assertThat(cache.get("a", "t1")).isNull();
        cache.put(task("t1", "a", TaskStatus.FINISHED), 600, "{\"stale\":true}", readBeforeChange);
        assertThat(cache.get("a", "t1")).isNull();
        nanos.incrementAndGet();
        cache.put(task("t1", "a", TaskStatus.FINISHED), 600, "{\"fresh\":true}", cache.now());
        assertThat(new String(cache.get("a", "t1").body())).isEqualTo("{\"fresh\":true}");
    }

    @Test
    void resigningKeepsTheReadTime() {
        long readAt = cache.now();
        cache.put(task("t1", "a", TaskStatus.FINISHED), 600, "{\"e\":600}", readAt);
        cache.resigned(cache.get("a", "t1"), 660, "{\"e\":660}");
        var entry = cache.get("a", "t1");
        assertThat(entry.linkExpiry()).isEqualTo(660);
        assertThat(new String(entry.body())).isEqualTo("{\"e\":660}");
        assertThat(entry.readAtNanos()).isEqualTo(readAt);
    }

    @Test
    void theCacheStaysBounded() {
        for (int i = 0; i < 100; i++) {
            cache.put(task("t" + i, "a", TaskStatus.FINISHED), 600, "{}", cache.now());
        }
        assertThat(cache.size()).isLessThanOrEqualTo(16);
        assertThat(cache.get("a", "t99")).isNotNull();
    }
}
