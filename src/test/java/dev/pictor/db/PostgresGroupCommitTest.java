package dev.pictor.db;

import dev.pictor.support.Postgres;

class PostgresGroupCommitTest extends GroupCommitContract {
    @Override
    Database openDatabase() {
        return Database.open(Postgres.newDatabase(), "postgres", "", 8, 1);
    }
}
