package dev.pictor.billing;

import dev.pictor.db.Database;

class H2LedgerTest extends LedgerContract {
    @Override
    Database openDatabase() {
        try {
            var dir = java.nio.file.Files.createTempDirectory("pictor-h2-");
            return Database.open("jdbc:h2:retry:" + dir.resolve("store") + ";WRITE_DELAY=0", "", "", 8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
