/**
 * Webhooks: the {@link dev.pictor.webhook.WebhookOutbox} writes a task's event in the transaction
 * that ends it, the {@link dev.pictor.webhook.WebhookDispatcher} delivers with leases, per-receiver
 * lanes and a {@link dev.pictor.webhook.RetrySchedule}, and the
 * {@link dev.pictor.webhook.WebhookStore}, {@link dev.pictor.webhook.WebhookSecrets} and
 * {@link dev.pictor.webhook.WebhookSigner} keep and sign them. It imports task, net, db, metrics and
 * common; task does not import it.
 */
package dev.pictor.webhook;
