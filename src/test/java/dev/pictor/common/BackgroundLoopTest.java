package dev.pictor.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BackgroundLoopTest {
    /** Long enough that a round after it could only have been started by wake() or by found work. */
    private static final Duration NEVER = Duration.ofHours(1);

    @Test
    void wakeStartsTheNextRoundWithoutWaitingForTheInterval() throws Exception {
        var rounds = new AtomicInteger();
        var loop = new BackgroundLoop("test-wake", NEVER, () -> {
            rounds.incrementAndGet();
            return false;
        });
        loop.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> rounds.get() == 1);
        loop.wake();
        await().atMost(Duration.ofSeconds(5)).until(() -> rounds.get() == 2);
        loop.stop(Duration.ofSeconds(5));
    }

    @Test
    void roundsThatFindWorkRepeatAtOnceUntilOneFindsNone() throws Exception {
        var rounds = new AtomicInteger();
        var loop = new BackgroundLoop("test-backlog", NEVER, () -> rounds.incrementAndGet() < 5);
        loop.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> rounds.get() == 5);
        loop.stop(Duration.ofSeconds(5));
        assertThat(rounds).hasValue(5);
    }

    @Test
    void aFailingRoundIsRetriedAfterTheInterval() throws Exception {
        var rounds = new AtomicInteger();
        var loop = new BackgroundLoop("test-failure", Duration.ofMillis(10), () -> {
            if (rounds.incrementAndGet() < 3) {
                throw new IllegalStateException("database briefly away");
            }
            return false;
        });
        loop.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> rounds.get() >= 3);
        loop.stop(Duration.ofSeconds(5));
    }

    @Test
    void stopInterruptsARoundInProgressAndEndsTheThread() throws Exception {
        var inRound = new AtomicInteger();
        var interrupted = new AtomicInteger();
        var loop = new BackgroundLoop("test-stop", NEVER, () -> {
            inRound.incrementAndGet();
            try {
                Thread.sleep(NEVER);
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
                throw new IllegalStateException("interrupted", e);
            }
            return true;
        });
        loop.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> inRound.get() == 1);
        loop.stop(Duration.ofSeconds(5));
        assertThat(interrupted).hasValue(1);
        loop.wake();
        assertThat(inRound).as("no round runs after stop").hasValue(1);
    }
}
