package dev.pictor.billing;

import dev.pictor.db.Database;
import dev.pictor.support.Postgres;

class PostgresLedgerTest extends LedgerContract {
    @Override
    Database openDatabase() {
        return Database.open(Postgres.newDatabase(), "postgres", "", 8);
    }
}
