package dev.pictor.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Waiters are woken by changes and handed the task when the change ended it. */
class TaskEventsTest {
    private static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");

    private static Task task(String id, TaskStatus status) {
        return new Task(id, "tenant", "z-image", status, "{}", null, "sandbox", status == TaskStatus.FINISHED ? 100 : 0, null, null,
                List.of(), T0, T0, status.isTerminal() ? T0.plusSeconds(1) : null, T0.plusSeconds(600), null, 0, List.of(), Map.of(), List.of());
    }

    @Test
    void aWatchIsHandedTheEndedTaskAndAPlainChangeHandsNothing() {
        var events = new TaskEvents();
        try (TaskEvents.EndWatch watch = events.watchEnd("t1")) {
            events.changed("t1");
            assertThat(watch.ended()).isEmpty();
            Task ended = task("t1", TaskStatus.FINISHED);
            events.ended(task("other", TaskStatus.FINISHED), Map.of("other/0.png", new byte[] {9}));
            assertThat(watch.ended()).isEmpty();
            assertThat(watch.outputs()).isEmpty();
            byte[] image = {1, 2, 3};
            events.ended(ended, Map.of("t1/0.png", image));
            assertThat(watch.ended()).containsSame(ended);
            assertThat(watch.outputs()).containsOnlyKeys("t1/0.png").containsEntry("t1/0.png", image);
        }
        // Closed: a later end is nobody's (and nothing is kept for the closed watch).
        try (TaskEvents.EndWatch later = events.watchEnd("t1")) {
            assertThat(later.ended()).isEmpty();
        }
    }

    @Test
    void awaitChangeReturnsTheTaskWhenItEndedAndEmptyWhenItOnlyChangedOrTimedOut() throws Exception {
        var events = new TaskEvents();
        assertThat(events.awaitChange("t2", Duration.ZERO)).isEmpty();

        CompletableFuture<Optional<Task>> changed = waitOn(events, "t2");
        awaitRegistered(events, "t2");
        events.changed("t2");
        assertThat(changed.get(10, TimeUnit.SECONDS)).isEmpty();

        CompletableFuture<Optional<Task>> ended = waitOn(events, "t2");
        awaitRegistered(events, "t2");
        Task task = task("t2", TaskStatus.FAILED);
        events.ended(task, Map.of());
        assertThat(ended.get(10, TimeUnit.SECONDS)).containsSame(task);
    }

    private static CompletableFuture<Optional<Task>> waitOn(TaskEvents events, String taskId) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return events.awaitChange(taskId, Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
    }

    /** Waits until a waiter is registered for the task (a change before that would wake nobody). */
    private static void awaitRegistered(TaskEvents events, String taskId) {
        org.awaitility.Awaitility.await().until(() -> events.waiting(taskId) == 1);
    }
}
