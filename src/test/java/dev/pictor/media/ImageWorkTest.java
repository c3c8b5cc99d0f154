package dev.pictor.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ImageWorkTest {
    @Test
    void jobsRunOnPlatformThreadsAndTheirExceptionsComeOutUnchanged() throws Exception {
        var work = new ImageWork(2);
        assertThat(work.run(() -> Thread.currentThread().isVirtual())).isFalse();
        assertThat(work.run(() -> Thread.currentThread().getName())).startsWith("pictor-image-");
        assertThatThrownBy(() -> work.run(() -> {
            throw new IOException("bad bytes");
        })).isInstanceOf(IOException.class).hasMessage("bad bytes");
        assertThatThrownBy(() -> work.run(() -> {
            throw new IllegalStateException("boom");
        })).isInstanceOf(IllegalStateException.class).hasMessage("boom");
    }

    @Test
    void atMostTheGivenNumberOfJobsRunAtOnce() throws Exception {
        var work = new ImageWork(2);
        var running = new AtomicInteger();
        var most = new AtomicInteger();
        var release = new CountDownLatch(1);
        var started = new CountDownLatch(2);
        Thread[] callers = new Thread[5];
        for (int i = 0; i < callers.length; i++) {
            callers[i] = Thread.ofVirtual().start(() -> {
                try {
                    work.run(() -> {
                        most.accumulateAndGet(running.incrementAndGet(), Math::max);
                        started.countDown();
                        release.await();
                        running.decrementAndGet();
                        return null;
                    });
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(running.get()).isEqualTo(2);
        release.countDown();
        for (Thread caller : callers) {
            caller.join();
        }
        assertThat(most.get()).isEqualTo(2);
    }

    @Test
    void anInterruptedWaiterCancelsAJobThatHasNotStarted() throws Exception {
        var work = new ImageWork(1);
        var release = new CountDownLatch(1);
        var blockerStarted = new CountDownLatch(1);
        Thread blocker = Thread.ofVirtual().start(() -> {
            try {
                work.run(() -> {
                    blockerStarted.countDown();
                    release.await();
                    return null;
                });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(blockerStarted.await(10, TimeUnit.SECONDS)).isTrue();
        var ran = new AtomicBoolean();
        var interrupted = new AtomicBoolean();
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                work.run(() -> {
                    ran.set(true);
                    return null;
                });
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        });
        waiter.interrupt();
        waiter.join();
        release.countDown();
        blocker.join();
        work.run(() -> null); // the queue has drained past the cancelled job
        assertThat(interrupted).isTrue();
        assertThat(ran).isFalse();
    }
}
