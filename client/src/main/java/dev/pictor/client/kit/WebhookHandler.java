package dev.pictor.client.kit;

import dev.pictor.client.PictorClient;
import dev.pictor.client.Task;
import dev.pictor.client.WebhookVerifier;
import java.util.Map;

/**
 * An idempotent webhook receiver: verifies the signature, drops a delivery id seen before, and
 * applies the task to the ledger, where a terminal state is written once. The answer to send is 2xx
 * for every outcome but {@link Outcome#REJECTED} (401) and {@link Outcome#UNKNOWN_TASK} (503), so
 * Pictor stops retrying duplicates.
 *
 * <p>A delivery can beat the application's {@code ledger.record} call (the task ended before the
 * submit's answer was processed): such a delivery is {@code UNKNOWN_TASK}, its id is not consumed, and
 * the 503 makes Pictor deliver it again later, when the row exists.
 */
public final class WebhookHandler {
    public enum Outcome { APPLIED, DUPLICATE, UPDATED, REJECTED, UNKNOWN_TASK }

    private final WebhookVerifier verifier;
    private final TaskLedger ledger;
    private final PictorClient client;

    /** {@code client} re-reads the status for APIDot-scheme deliveries, whose signature does not cover the body. */
    public WebhookHandler(WebhookVerifier verifier, TaskLedger ledger, PictorClient client) {
        this.verifier = verifier;
        this.ledger = ledger;
        this.client = client;
    }

    public Outcome handle(Map<String, String> headers, String body) {
        WebhookVerifier.Delivery d;
        try {
            d = verifier.verify(headers, body);
        } catch (WebhookVerifier.InvalidSignature | tools.jackson.core.JacksonException e) {
            return Outcome.REJECTED;
        }
        if (ledger.get(d.task().taskId()).isEmpty()) {
            return Outcome.UNKNOWN_TASK;
        }
        if (!ledger.firstDelivery(d.id(), d.task().taskId())) {
            return Outcome.DUPLICATE;
        }
        Task task = d.bodySigned() ? d.task() : client.status(d.task().taskId());
        if (ledger.apply(task)) {
            return Outcome.APPLIED;
        }
        return task.terminal() ? Outcome.DUPLICATE : Outcome.UPDATED;
    }

    public static int httpStatus(Outcome o) {
        return switch (o) {
            case REJECTED -> 401;
            case UNKNOWN_TASK -> 503;
            default -> 204;
        };
    }
}
