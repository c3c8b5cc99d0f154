package dev.pictor.task;

import dev.pictor.db.Database;
import dev.pictor.support.Postgres;

class PostgresTaskStoreTest extends TaskStoreContract {
    @Override
    Database openDatabase() {
        return Database.open(Postgres.newDatabase(), "postgres", "", 8);
    }
}
