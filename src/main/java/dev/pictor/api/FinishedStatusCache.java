package dev.pictor.api;

import dev.pictor.task.Task;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The rendered status answers of ended tasks, which no longer change: a poll of a finished task is
 * then answered without a database read, a JSON render or URL signing. Bounded in entries.
 *
 * <ul>
 *   <li>Keyed by task id, with the owning tenant kept in the entry and compared on every hit: another
 *       tenant's request misses and goes to the database, which answers it 404 as before.</li>
 *   <li>An entry holds the expiry its file links were signed for; once the rounded expiry moves (once
 *       a minute) the body is rendered and signed again from the cached task, still without a read.</li>
 *   <li>The one change an ended task can see, its files deleted by its owner (or the row removed by
 *       retention), drops the entry on this node at once ({@link #forget}); on another node the
 *       entry lives at most {@link #MAX_AGE}, after which the row is read again.</li>
 * </ul>
 */
final class FinishedStatusCache {
    /** How long an entry is trusted without a read, for changes made on other nodes. */
    static final Duration MAX_AGE = Duration.ofSeconds(1);

    private final int maxEntries;
    /** A monotonic clock (nanoseconds) for entry ages: a transport timer, not task time, so a test's fixed clock cannot pin entries. */
    private final LongSupplier nanoTime;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    /**
     * A cached answer: whose task, the task itself, the link expiry it was signed for, the body, and
     * when it was read. A null task marks a task that changed at {@code readAtNanos}, so an answer
     * read before that change cannot be stored after it.
     */
    record Entry(String tenantId, Task task, long linkExpiry, byte[] body, long readAtNanos) {
        boolean isTombstone() {
            return task == null;
        }
    }

    FinishedStatusCache(int maxEntries, LongSupplier nanoTime) {
        this.maxEntries = maxEntries;
        this.nanoTime = nanoTime;
    }

    /** The entry for the tenant's task while it is young enough to trust; null otherwise. */
    Entry get(String tenantId, String taskId) {
        Entry entry = entries.get(taskId);
        if (entry == null) {
            return null;
        }
        if (nanoTime.getAsLong() - entry.readAtNanos() > MAX_AGE.toNanos()) {
            // Tombstones age out alike: a read older than MAX_AGE has long been stored or dropped.
            entries.remove(taskId, entry);
            return null;
        }
        return entry.isTombstone() || !entry.tenantId().equals(tenantId) ? null : entry;
    }

    /**
     * Remembers the answer for an ended task whose read began at {@code readAtNanos} (taken before the
     * read); not when the task changed on this node since then.
     */
    void put(Task task, long linkExpiry, String body, long readAtNanos) {
        if (!task.status().isTerminal()) {
            return;
        }
        if (entries.size() >= maxEntries) {
            evictSome();
        }
        Entry fresh = new Entry(task.tenantId(), task, linkExpiry, body.getBytes(StandardCharsets.UTF_8), readAtNanos);
        entries.compute(task.id(), (id, existing) ->
                existing != null && existing.isTombstone() && existing.readAtNanos() - readAtNanos >= 0 ? existing : fresh);
    }

    /** The same entry with a body signed for a later link expiry; its read time stays. */
    void resigned(Entry old, long linkExpiry, String body) {
        entries.replace(old.task().id(), old,
                new Entry(old.tenantId(), old.task(), linkExpiry, body.getBytes(StandardCharsets.UTF_8), old.readAtNanos()));
    }

    /** Drops the task's entry: it changed on this node (its files were deleted, or its row). */
    void forget(String taskId) {
        entries.put(taskId, new Entry(null, null, 0, null, nanoTime.getAsLong()));
    }

    long now() {
        return nanoTime.getAsLong();
    }

    int size() {
        return entries.size();
    }

    /**
     * Drops about an eighth of the entries, in the map's own order: cheaper than keeping an LRU order
     * under concurrent readers, and a dropped entry costs only one read of its row.
     */
    private void evictSome() {
        int toDrop = Math.max(1, maxEntries / 8);
        Iterator<String> it = entries.keySet().iterator();
        while (toDrop-- > 0 && it.hasNext()) {
            it.next();
            it.remove();
        }
    }
}
