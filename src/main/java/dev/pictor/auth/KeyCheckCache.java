package dev.pictor.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Recent key checks, by key hash, so a busy key is looked up about once per {@link #TTL} instead of
 * once per request. Bounded: past {@link #MAX_ENTRIES} it starts over empty (cheap, and a miss
 * only costs the query the cache saves). Only valid keys are kept; an unknown key always reaches
 * the database, so guessing cannot fill the cache. Revoking or editing a key empties it here at once
 * and, through PostgreSQL NOTIFY, on every peer; the TTL bounds how stale a check can be if a
 * notification is lost with its connection.
 */
final class KeyCheckCache {
    static final Duration TTL = Duration.ofSeconds(5);
    static final int MAX_ENTRIES = 10_000;

    /** A cached check; {@code lastUsedWritten} is when this node last wrote the key's last_used_at. */
    record Entry(Principal principal, Instant expiresAt, AtomicReference<Instant> lastUsedWritten) {
    }

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    /** Moves on every clear, so a check read from the database before a revocation is not cached after it. */
    private final AtomicLong generation = new AtomicLong();
    private final Clock clock;

    KeyCheckCache(Clock clock) {
        this.clock = clock;
    }

    Entry get(String hash) {
        Entry e = entries.get(hash);
        if (e == null) {
            return null;
        }
        if (!clock.instant().isBefore(e.expiresAt())) {
            entries.remove(hash, e);
            return null;
        }
        return e;
    }

    long generation() {
        return generation.get();
    }

    /** Caches a check read while {@link #generation()} was {@code readAt}; not kept if a clear happened since. */
    Entry put(String hash, Principal principal, Instant lastUsed, long readAt) {
        var entry = new Entry(principal, clock.instant().plus(TTL), new AtomicReference<>(lastUsed));
        if (entries.size() >= MAX_ENTRIES) {
            entries.clear();
        }
        entries.put(hash, entry);
        if (generation.get() != readAt) {
            entries.remove(hash, entry);
        }
        return entry;
    }

    void clear() {
        generation.incrementAndGet();
        entries.clear();
    }

    int size() {
        return entries.size();
    }
}
