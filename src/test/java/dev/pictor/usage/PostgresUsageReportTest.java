package dev.pictor.usage;

import dev.pictor.db.Database;
import dev.pictor.support.Postgres;

class PostgresUsageReportTest extends UsageReportContract {
    @Override
    Database openDatabase() {
        return Database.open(Postgres.newDatabase(), "postgres", "", 4);
    }
}
