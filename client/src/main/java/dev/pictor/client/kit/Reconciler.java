package dev.pictor.client.kit;

import dev.pictor.client.PictorClient;
import dev.pictor.client.PictorException;
import java.time.Clock;
import java.time.Duration;

/**
 * Polls the tasks whose webhook has not arrived within {@code grace}, so a lost callback never leaves
 * a task open in the application. Run {@link #runOnce()} on the application's own scheduler.
 */
public final class Reconciler {
    private final TaskLedger ledger;
    private final PictorClient client;
    private final Clock clock;
    private final Duration grace;

    public Reconciler(TaskLedger ledger, PictorClient client, Clock clock, Duration grace) {
        this.ledger = ledger;
        this.client = client;
        this.clock = clock;
        this.grace = grace;
    }

    /** Returns how many tasks this round moved to a terminal state. */
    public int runOnce() {
        int closed = 0;
        for (TaskLedger.Entry e : ledger.openSince(clock.instant().minus(grace))) {
            try {
                if (ledger.apply(client.status(e.taskId()))) {
                    closed++;
                }
            } catch (PictorException.NotFound nf) {
                // The server no longer knows it (or never did): close it rather than poll forever.
                ledger.apply(new dev.pictor.client.Task(e.taskId(), "failed", e.model(), null, null,
                        java.util.List.of(), null, null, null, "not_found", nf.getMessage(), null));
                closed++;
            } catch (PictorException other) {
                if (!other.transient_()) {
                    throw other;
                }
                // Transient: the next round tries again.
            }
        }
        return closed;
    }
}
