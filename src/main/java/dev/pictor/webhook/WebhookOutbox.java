package dev.pictor.webhook;

import dev.pictor.common.Json;
import dev.pictor.db.Jdbc;
import dev.pictor.task.Task;
import dev.pictor.task.TaskStore;
import dev.pictor.task.TaskStatus;
import dev.pictor.task.TaskView;
import dev.pictor.task.WebhookEventType;
import java.time.Clock;
import java.time.Instant;
import tools.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Writes a task's webhook event in the transaction that ends the task, so a crash between
 * "finished" and "delivered" loses nothing: the event is committed with the status or not at all.
 * The body is the status answer of that moment, with file links that outlive the whole retry
 * schedule; the event id (the {@code webhook-id}) stays the same for every attempt.
 */
public final class WebhookOutbox implements TaskStore.TerminalListener, TaskStore.ProgressListener {
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private final WebhookStore store;
    private final TaskView view;
    private final Duration linkLifetime;
    private final Runnable wake;
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;

    public WebhookOutbox(WebhookStore store, TaskView view, Duration fileUrlTtl, RetrySchedule schedule, Runnable wake) {
        this(store, view, fileUrlTtl, schedule, wake, Clock.systemUTC());
    }

    public WebhookOutbox(WebhookStore store, TaskView view, Duration fileUrlTtl, RetrySchedule schedule, Runnable wake, Clock clock) {
        this.clock = clock;
        this.store = store;
        this.view = view;
        this.linkLifetime = fileUrlTtl.plus(schedule.total());
        this.wake = wake;
    }

    @Override
    public void onTerminal(Jdbc.Tx tx, Task task) throws SQLException {
        write(tx, task, task.status() == TaskStatus.FINISHED ? WebhookEventType.FINISHED : WebhookEventType.FAILED, task.finishedAt());
    }

    /** A task started or its progress rose: an event when the submit's {@code webhook_events} asked for it. */
    @Override
    public void onChange(Jdbc.Tx tx, Task task, WebhookEventType type) throws SQLException {
        write(tx, task, type, clock.instant());
    }

    /**
     * Each event is its own message (own id, own signature), and names its kind in {@code event},
     * so a receiver can deduplicate and tell a progress update from the end.
     */
    private void write(Jdbc.Tx tx, Task task, WebhookEventType type, Instant at) throws SQLException {
        if (task.callbackUrl() == null || !task.wantsWebhook(type)) {
            return;
        }
        boolean disabled = store.isDisabled(tx, task.tenantId(), task.callbackUrl());
        ObjectNode envelope = view.envelope(task, linkLifetime);
        envelope.put("event", type.wire());
        String payload = Json.write(envelope);
        var event = new WebhookEvent(newId(), task.tenantId(), task.id(), task.callbackUrl(), payload,
                disabled ? WebhookEvent.DISABLED : WebhookEvent.PENDING, 0, 0, at, disabled ? null : at,
                null, null, disabled ? "not sent: this URL answered 410 Gone earlier; redeliver to re-enable it" : null);
        store.insert(tx, event);
        if (!disabled) {
            tx.notifyPeers();
            tx.afterCommit(wake);
        }
    }

    private String newId() {
        var sb = new StringBuilder("msg_");
        for (int i = 0; i < 24; i++) {
            sb.append(ALPHABET[random.nextInt(ALPHABET.length)]);
        }
        return sb.toString();
    }
}
