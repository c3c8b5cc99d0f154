package dev.pictor.usage;

import dev.pictor.db.Database;

class H2UsageReportTest extends UsageReportContract {
    @Override
    Database openDatabase() {
        try {
            var dir = java.nio.file.Files.createTempDirectory("pictor-h2-");
            return Database.open("jdbc:h2:retry:" + dir.resolve("store") + ";WRITE_DELAY=0", "", "", 4);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
