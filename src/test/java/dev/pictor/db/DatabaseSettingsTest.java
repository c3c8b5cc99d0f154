package dev.pictor.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseSettingsTest {
    @Test
    void aPoolOfOneIsRefusedWithTheReasonBecauseMigrationNeedsTwoConnections() {
        assertThatThrownBy(() -> new DatabaseSettings("", "", "", 1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PICTOR_DB_POOL_SIZE must be at least 2 (it is 1)");
        assertThat(new DatabaseSettings("", "", "", 2, 1).poolSize()).isEqualTo(2);
    }

    @Test
    void groupCommitWritersLeaveAtLeastOneConnection() {
        assertThatThrownBy(() -> new DatabaseSettings("", "", "", 4, 4))
                .hasMessageContaining("PICTOR_DB_GROUP_COMMIT_WRITERS must be from 0 to PICTOR_DB_POOL_SIZE - 1 (3)");
        assertThatThrownBy(() -> new DatabaseSettings("", "", "", 4, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new DatabaseSettings("", "", "", 4, 0).groupCommitWriters()).isZero();
    }

    @Test
    void aPoolOfTwoMigratesAndServes(@TempDir Path dir) {
        // The smallest pool the settings allow must really start: Flyway takes two connections at once.
        try (var db = Database.open(Database.embeddedUrl(dir), "", "", 2, 1)) {
            assertThat(db.isReachable()).isTrue();
        }
    }
}
