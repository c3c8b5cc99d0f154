package dev.pictor.webhook;

import java.net.URI;
import java.util.Collection;
import dev.pictor.db.Jdbc;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** Every webhook statement: events, their queue rows, attempts and disabled URLs. */
public final class WebhookStore {
    private static final String EVENT_COLUMNS = "id, tenant_id, task_id, url, payload, status, attempts, round_attempts, created_at, "
            + "next_attempt_at, delivered_at, last_status, last_error";

    private final Jdbc jdbc;
    private final SecureRandom random = new SecureRandom();

    public WebhookStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * A worker's hold on an event; the token fences the write of its outcome. {@code urlDisabled}:
     * its URL answered 410 Gone before the claim, so it is ended without being sent.
     */
    record Claim(WebhookEvent event, String token, boolean urlDisabled) {
    }

    /**
     * The end of one attempt (or, without an attempt, of a claim on a disabled URL): the event's new
     * status and, for a retry, when it is due again.
     */
    record Outcome(Claim claim, WebhookAttempt attempt, String newStatus, Instant nextAttemptAt, Instant at) {
    }

    /** Writes a new event (and its queue row unless it is born disabled) inside the caller's transaction. */
    void insert(Jdbc.Tx tx, WebhookEvent e) throws SQLException {
        tx.update("INSERT INTO webhook_event (" + EVENT_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?, NULL, NULL, ?)",
                e.id(), e.tenantId(), e.taskId(), e.url(), e.payload(), e.status(), e.createdAt(), e.nextAttemptAt(), e.lastError());
        if (e.status().equals(WebhookEvent.PENDING)) {
            tx.update("INSERT INTO webhook_queue (event_id, receiver, due_at, task_id) VALUES (?, ?, ?, ?)", e.id(), receiverOf(e.url()),
                    e.nextAttemptAt(), e.taskId());
        }
    }

    boolean isDisabled(Jdbc.Tx tx, String tenantId, String url) throws SQLException {
        return tx.queryOne("SELECT 1 AS one FROM webhook_disabled_url WHERE tenant_id = ? AND url = ?", rs -> 1, tenantId, url).isPresent();
    }

    boolean isDisabled(String tenantId, String url) {
        return jdbc.inTransaction(tx -> isDisabled(tx, tenantId, url));
    }

    /**
     * Claims due events, oldest first, leaving out those for the {@code busy} receivers: one
     * transaction of three statements however many it takes. All claims of one call share a token,
     * which fences them against any later claim of the same rows.
     */
    List<Claim> claim(String owner, int limit, Instant now, Duration lease, Collection<String> busy) {
        return jdbc.inTransaction(tx -> {
            List<Object> params = new ArrayList<>();
            params.add(now);
            params.addAll(busy);
            params.add(limit);
            String skipBusy = busy.isEmpty() ? "" : " AND receiver NOT IN (" + Jdbc.placeholders(busy.size()) + ")";
            // One task's events go out one at a time, in the order they were queued: an event waits while an
            // earlier one of its task is still queued (pending a retry, or in flight).
            List<String> eventIds = tx.query("SELECT seq, event_id FROM webhook_queue q WHERE due_at <= ?" + skipBusy
                            + " AND NOT EXISTS (SELECT 1 FROM webhook_queue e WHERE e.task_id = q.task_id AND e.seq < q.seq)"
                            + " ORDER BY seq LIMIT ? FOR UPDATE SKIP LOCKED",
                    rs -> rs.getString("event_id"), params.toArray());
            if (eventIds.isEmpty()) {
                return List.of();
            }
            String token = HexFormat.of().formatHex(random.generateSeed(12));
            String in = Jdbc.placeholders(eventIds.size());
            List<Object> held = new ArrayList<>(List.of(owner, token, now.plus(lease)));
            held.addAll(eventIds);
            tx.update("UPDATE webhook_queue SET lease_owner = ?, lease_token = ?, due_at = ? WHERE event_id IN (" + in + ")", held.toArray());
            Map<String, Claim> byId = new HashMap<>();
            tx.query("SELECT " + EVENT_COLUMNS + ", CASE WHEN EXISTS (SELECT 1 FROM webhook_disabled_url d WHERE d.tenant_id = w.tenant_id "
                            + "AND d.url = w.url) THEN 1 ELSE 0 END AS url_disabled FROM webhook_event w WHERE w.id IN (" + in + ")",
                    rs -> new Claim(mapEvent(rs), token, rs.getInt("url_disabled") == 1), eventIds.toArray())
                    .forEach(c -> byId.put(c.event().id(), c));
            return eventIds.stream().map(byId::get).filter(Objects::nonNull).toList();
        });
    }

    /**
     * Extends the leases of these claims, where each still holds its row (a claim whose outcome failed
     * to be written is left out by the caller, so its lease runs out and the event is claimed again).
     * Rows are locked in event-id order, as {@link #recordAll} locks them, so the two never deadlock.
     */
    void renewLeases(Collection<Claim> claims, Instant until) {
        if (claims.isEmpty()) {
            return;
        }
        List<Object[]> rows = claims.stream().sorted(Comparator.comparing((Claim c) -> c.event().id()))
                .map(c -> new Object[] {until, c.event().id(), c.token()}).toList();
        jdbc.inTransaction(tx -> tx.updateBatch("UPDATE webhook_queue SET due_at = ? WHERE event_id = ? AND lease_token = ?", rows));
    }

    /** Puts claimed events back without counting an attempt (this node stops before sending them). */
    void release(Collection<Claim> claims, Instant due) {
        if (claims.isEmpty()) {
            return;
        }
        jdbc.inTransaction(tx -> tx.updateBatch("UPDATE webhook_queue SET lease_owner = NULL, lease_token = NULL, due_at = ? "
                + "WHERE event_id = ? AND lease_token = ?", claims.stream().map(c -> new Object[] {due, c.event().id(), c.token()}).toList()));
    }

    /** One outcome; see {@link #recordAll}. */
    boolean record(Claim claim, WebhookAttempt attempt, String newStatus, Instant nextAttemptAt, Instant now) {
        return recordAll(List.of(new Outcome(claim, attempt, newStatus, nextAttemptAt, now))).getFirst();
    }

    /**
     * Records finished attempts and what follows from each, all in one transaction of at most four
     * statements (JDBC batches): the event's new status and attempt row, and either the next due time
     * (retry) or the end of its queue row. An outcome whose lease was lost (its token no longer on the
     * queue row: the lease ran out and another worker claimed the event) changes nothing. Returns, in
     * the order given, whether each outcome was recorded.
     */
    List<Boolean> recordAll(List<Outcome> outcomes) {
        // Rows are locked in event-id order, so two nodes' flushes never wait on each other in a cycle.
        List<Outcome> sorted = outcomes.stream().sorted(Comparator.comparing((Outcome o) -> o.claim().event().id())).toList();
        Set<String> held = jdbc.inTransaction(tx -> {
            // The fence: only a row still carrying this claim's token is changed (and locked until commit). Every
            // held row gets its lease cleared and its next due time; those that end are then deleted.
            int[] counts = tx.updateBatch("UPDATE webhook_queue SET lease_owner = NULL, lease_token = NULL, due_at = ? "
                    + "WHERE event_id = ? AND lease_token = ?", sorted.stream().map(o -> new Object[] {
                    o.newStatus().equals(WebhookEvent.PENDING) ? o.nextAttemptAt() : o.at(), o.claim().event().id(), o.claim().token()}).toList());
            List<Outcome> mine = new ArrayList<>();
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] > 0) {
                    mine.add(sorted.get(i));
                }
            }
            List<String> ended = mine.stream().filter(o -> !o.newStatus().equals(WebhookEvent.PENDING)).map(o -> o.claim().event().id()).toList();
            if (!ended.isEmpty()) {
                tx.update("DELETE FROM webhook_queue WHERE event_id IN (" + Jdbc.placeholders(ended.size()) + ")", ended.toArray());
            }
            tx.updateBatch("INSERT INTO webhook_attempt (event_id, attempt, attempted_at, http_status, latency_ms, response_excerpt, error) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?)", mine.stream().filter(o -> o.attempt() != null).map(o -> {
                        WebhookAttempt a = o.attempt();
                        return new Object[] {o.claim().event().id(), o.claim().event().attempts() + 1, a.attemptedAt(), a.httpStatus(),
                                a.latencyMs(), truncate(a.responseExcerpt(), 1024), truncate(a.error(), 500)};
                    }).toList());
            tx.updateBatch("UPDATE webhook_event SET status = ?, attempts = attempts + ?, round_attempts = round_attempts + ?, next_attempt_at = ?, "
                    + "delivered_at = ?, last_status = ?, last_error = ? WHERE id = ?", mine.stream().map(o -> {
                        WebhookEvent e = o.claim().event();
                        WebhookAttempt a = o.attempt();
                        int added = a == null ? 0 : 1;
                        boolean retry = o.newStatus().equals(WebhookEvent.PENDING);
                        return new Object[] {o.newStatus(), added, added, retry ? o.nextAttemptAt() : null,
                                o.newStatus().equals(WebhookEvent.DELIVERED) ? o.at() : null, a == null ? e.lastStatus() : a.httpStatus(),
                                a == null ? e.lastError() : truncate(a.error(), 500), e.id()};
                    }).toList());
            Set<String> ids = new HashSet<>();
            mine.forEach(o -> ids.add(o.claim().token() + " " + o.claim().event().id()));
            return ids;
        });
        return outcomes.stream().map(o -> held.contains(o.claim().token() + " " + o.claim().event().id())).toList();
    }

    void disableUrl(String tenantId, String url, Instant now) {
        jdbc.inTransaction(tx -> {
            if (!isDisabled(tx, tenantId, url)) {
                tx.update("INSERT INTO webhook_disabled_url (tenant_id, url, disabled_at) VALUES (?, ?, ?)", tenantId, url, now);
            }
            return null;
        });
    }

    public Optional<WebhookEvent> find(String tenantId, String eventId) {
        return jdbc.queryOne("SELECT " + EVENT_COLUMNS + " FROM webhook_event WHERE id = ? AND tenant_id = ?", WebhookStore::mapEvent, eventId, tenantId);
    }

    /** A tenant's events, newest first, filtered by task, status ("failing": pending after a failed attempt) and time. */
    public List<WebhookEvent> list(String tenantId, String taskId, String status, Instant since, int limit) {
        var sql = new StringBuilder("SELECT " + EVENT_COLUMNS + " FROM webhook_event WHERE tenant_id = ?");
        List<Object> params = new ArrayList<>(List.of(tenantId));
        if (taskId != null) {
            sql.append(" AND task_id = ?");
            params.add(taskId);
        }
        if ("failing".equals(status)) {
            sql.append(" AND status = 'pending' AND attempts > 0");
        } else if (status != null) {
            sql.append(" AND status = ?");
            params.add(status);
        }
        if (since != null) {
            sql.append(" AND created_at >= ?");
            params.add(since);
        }
        sql.append(" ORDER BY created_at DESC, id LIMIT ?");
        params.add(limit);
        return jdbc.query(sql.toString(), WebhookStore::mapEvent, params.toArray());
    }

    public List<WebhookAttempt> attempts(String eventId) {
        return jdbc.query("SELECT event_id, attempt, attempted_at, http_status, latency_ms, response_excerpt, error FROM webhook_attempt "
                + "WHERE event_id = ? ORDER BY attempt", rs -> new WebhookAttempt(rs.getString("event_id"), rs.getInt("attempt"),
                Jdbc.instant(rs, "attempted_at"), (Integer) rs.getObject("http_status", Integer.class), rs.getLong("latency_ms"),
                rs.getString("response_excerpt"), rs.getString("error")), eventId);
    }

    /**
     * Schedules an event again, now, with a fresh round of attempts; same id and body. Also lifts a
     * 410 block on its URL, because asking for a redelivery says the receiver is back.
     */
    public Optional<WebhookEvent> redeliver(String tenantId, String eventId, Instant now) {
        return jdbc.inTransaction(tx -> {
            Optional<WebhookEvent> event = tx.queryOne("SELECT " + EVENT_COLUMNS + " FROM webhook_event WHERE id = ? AND tenant_id = ? FOR UPDATE",
                    WebhookStore::mapEvent, eventId, tenantId);
            if (event.isEmpty()) {
                return event;
            }
            tx.update("DELETE FROM webhook_disabled_url WHERE tenant_id = ? AND url = ?", tenantId, event.get().url());
            boolean queued = tx.queryOne("SELECT 1 AS one FROM webhook_queue WHERE event_id = ?", rs -> 1, eventId).isPresent();
            if (!queued) {
                tx.update("INSERT INTO webhook_queue (event_id, receiver, due_at, task_id) VALUES (?, ?, ?, ?)", eventId,
                        receiverOf(event.get().url()), now, event.get().taskId());
            } else {
                // A pending event waiting for its next retry is due now; one in flight keeps its lease, so
                // it is never sent twice at once.
                tx.update("UPDATE webhook_queue SET due_at = ? WHERE event_id = ? AND lease_token IS NULL", now, eventId);
            }
            tx.update("UPDATE webhook_event SET status = 'pending', round_attempts = 0, next_attempt_at = ? WHERE id = ?", now, eventId);
            return tx.queryOne("SELECT " + EVENT_COLUMNS + " FROM webhook_event WHERE id = ?", WebhookStore::mapEvent, eventId);
        });
    }

    /** Ids of a tenant's events in {@code status} created since {@code since}, for bulk redelivery. */
    public List<String> idsFor(String tenantId, String status, Instant since) {
        return list(tenantId, null, status, since, 10_000).stream().map(WebhookEvent::id).toList();
    }

    /** Queue rows waiting, due or not: the retry backlog. */
    public long backlog() {
        return jdbc.queryOne("SELECT COUNT(*) AS n FROM webhook_queue", rs -> rs.getLong("n")).orElse(0L);
    }

    /** The receiver a URL belongs to, for per-receiver limits: scheme, host and port. */
    static String receiverOf(String url) {
        try {
            URI uri = URI.create(url);
            String key = uri.getScheme() + "://" + uri.getHost() + ":" + uri.getPort();
            return key.length() <= 300 ? key : key.substring(0, 300);
        } catch (IllegalArgumentException e) {
            return url.length() <= 300 ? url : url.substring(0, 300);
        }
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    static WebhookEvent mapEvent(ResultSet rs) throws SQLException {
        return new WebhookEvent(rs.getString("id"), rs.getString("tenant_id"), rs.getString("task_id"), rs.getString("url"),
                rs.getString("payload"), rs.getString("status"), rs.getInt("attempts"), rs.getInt("round_attempts"),
                Jdbc.instant(rs, "created_at"), Jdbc.instant(rs, "next_attempt_at"), Jdbc.instant(rs, "delivered_at"),
                (Integer) rs.getObject("last_status", Integer.class), rs.getString("last_error"));
    }
}
