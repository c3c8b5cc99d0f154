package dev.pictor.webhook;

import dev.pictor.db.Database;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

class H2WebhookStoreTest extends WebhookStoreContract {
    @Override
    Database openDatabase() {
        try {
            var dir = Files.createTempDirectory("pictor-h2-");
            return Database.open("jdbc:h2:retry:" + dir.resolve("store") + ";WRITE_DELAY=0", "", "", 8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
