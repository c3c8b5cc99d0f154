package dev.pictor.db;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class H2GroupCommitTest extends GroupCommitContract {
    @TempDir
    Path dir;

    @Override
    Database openDatabase() {
        return Database.open(Database.embeddedUrl(dir), "", "", 8, 1);
    }
}
