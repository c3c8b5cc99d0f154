package dev.pictor.task;

import dev.pictor.db.Database;
import dev.pictor.db.Jdbc;
import dev.pictor.support.Postgres;
import java.sql.SQLException;

class PostgresTaskStoreTest extends TaskStoreContract {
    @Override
    Database openDatabase() {
        return Database.open(Postgres.newDatabase(), "postgres", "", 8);
    }

    @Override
    void forbidTableScans(Jdbc.Tx tx) throws SQLException {
        tx.update("SET LOCAL enable_seqscan = off");
    }
}
