package dev.pictor.client.kit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The same concurrency proof on a real PostgreSQL (zonky binaries, in-process, no Docker). */
class PostgresLedgerTest {
    private static EmbeddedPostgres pg;

    @BeforeAll
    static void start() throws Exception {
        pg = EmbeddedPostgres.builder().setServerConfig("fsync", "off").start();
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
    }

    @Test
    void twentyConcurrentDuplicatesLeaveOneVisibleResultOnPostgres() throws Exception {
        LedgerTest.concurrentDuplicates(pg.getPostgresDatabase());
    }
}
