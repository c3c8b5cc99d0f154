package dev.pictor.webhook;

import dev.pictor.db.Database;
import dev.pictor.support.Postgres;

class PostgresWebhookStoreTest extends WebhookStoreContract {
    @Override
    Database openDatabase() {
        return Database.open(Postgres.newDatabase(), "postgres", "", 8);
    }
}
