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
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** Every webhook statement: events, their queue rows, attempts and disabled URLs. */
public final class WebhookStore {
    private static final String EVENT_COLUMNS = "id, tenant_id, task_id, url, payload, status, attempts, round_attempts, created_at, "
            + "next_attempt_at, delivered_at, last_status, last_error";

    private final Jdbc jdbc;
    private final SecureRandom random = new SecureRandom();

    public WebhookStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** A worker's hold on an event; the token fences the write of its outcome. */
    record Claim(WebhookEvent event, String token) {
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

    /** Claims due events, oldest first, leaving out those for the {@code busy} receivers. */
    List<Claim> claim(String owner, int limit, Instant now, Duration lease, Collection<String> busy) {
        return jdbc.inTransaction(tx -> {
            record Row(long seq, String eventId) {
            }
            List<Object> params = new ArrayList<>();
            params.add(now);
            params.addAll(busy);
            params.add(limit);
            String skipBusy = busy.isEmpty() ? "" : " AND receiver NOT IN (" + Jdbc.placeholders(busy.size()) + ")";
            // One task's events go out one at a time, in the order they were queued: an event waits while an
            // earlier one of its task is still queued (pending a retry, or in flight).
            List<Row> rows = tx.query("SELECT seq, event_id FROM webhook_queue q WHERE due_at <= ?" + skipBusy
                            + " AND NOT EXISTS (SELECT 1 FROM webhook_queue e WHERE e.task_id = q.task_id AND e.seq < q.seq)"
                            + " ORDER BY seq LIMIT ? FOR UPDATE SKIP LOCKED",
                    rs -> new Row(rs.getLong("seq"), rs.getString("event_id")), params.toArray());
            List<Claim> claims = new ArrayList<>();
            for (Row row : rows) {
                String token = HexFormat.of().formatHex(random.generateSeed(12));
                tx.update("UPDATE webhook_queue SET lease_owner = ?, lease_token = ?, due_at = ? WHERE seq = ?", owner, token, now.plus(lease), row.seq());
                tx.queryOne("SELECT " + EVENT_COLUMNS + " FROM webhook_event WHERE id = ?", WebhookStore::mapEvent, row.eventId())
                        .ifPresent(e -> claims.add(new Claim(e, token)));
            }
            return claims;
        });
    }

    /** Extends the lease of every event {@code owner} holds, waiting or in flight. */
    void renewLeases(String owner, Instant until) {
        jdbc.update("UPDATE webhook_queue SET due_at = ? WHERE lease_owner = ?", until, owner);
    }

    /** Puts a claimed event back without counting an attempt (this node stops before sending it). */
    void release(Claim claim, Instant due) {
        jdbc.update("UPDATE webhook_queue SET lease_owner = NULL, lease_token = NULL, due_at = ? WHERE event_id = ? AND lease_token = ?",
                due, claim.event().id(), claim.token());
    }

    /**
     * Records an attempt and what follows from it, in one transaction: the event's new status, and
     * either the next due time (retry) or the end of its queue row. False when the lease was lost.
     */
    boolean record(Claim claim, WebhookAttempt attempt, String newStatus, Instant nextAttemptAt, Instant now) {
        WebhookEvent e = claim.event();
        return jdbc.inTransaction(tx -> {
            boolean retry = newStatus.equals(WebhookEvent.PENDING);
            int queued = retry
                    ? tx.update("UPDATE webhook_queue SET lease_owner = NULL, lease_token = NULL, due_at = ? WHERE event_id = ? AND lease_token = ?",
                            nextAttemptAt, e.id(), claim.token())
                    : tx.update("DELETE FROM webhook_queue WHERE event_id = ? AND lease_token = ?", e.id(), claim.token());
            if (queued == 0) {
                return false;
            }
            if (attempt != null) {
                tx.update("INSERT INTO webhook_attempt (event_id, attempt, attempted_at, http_status, latency_ms, response_excerpt, error) "
                                + "VALUES (?, ?, ?, ?, ?, ?, ?)", e.id(), e.attempts() + 1, attempt.attemptedAt(), attempt.httpStatus(),
                        attempt.latencyMs(), truncate(attempt.responseExcerpt(), 1024), truncate(attempt.error(), 500));
            }
            int added = attempt == null ? 0 : 1;
            tx.update("UPDATE webhook_event SET status = ?, attempts = attempts + ?, round_attempts = round_attempts + ?, next_attempt_at = ?, "
                            + "delivered_at = ?, last_status = ?, last_error = ? WHERE id = ?",
                    newStatus, added, added, retry ? nextAttemptAt : null, newStatus.equals(WebhookEvent.DELIVERED) ? now : null,
                    attempt == null ? e.lastStatus() : attempt.httpStatus(), attempt == null ? e.lastError() : truncate(attempt.error(), 500), e.id());
            return true;
        });
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
