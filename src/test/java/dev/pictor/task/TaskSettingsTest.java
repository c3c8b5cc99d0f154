package dev.pictor.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TaskSettingsTest {
    @Test
    void everyValueLandsWhereItsNameSays() {
        TaskSettings s = TaskSettings.builder().deadline(Duration.ofMinutes(10)).lease(Duration.ofSeconds(30))
                .pollInterval(Duration.ofSeconds(1)).retryBase(Duration.ofMillis(1000)).maxAttempts(3).maxInFlight(256)
                .maxPromptChars(20_000).sourceLimits(20L << 20, 50_000_000L).build();
        assertThat(s).isEqualTo(new TaskSettings(Duration.ofMinutes(10), Duration.ofSeconds(30), Duration.ofSeconds(1),
                Duration.ofMillis(1000), 3, 256, 20_000, 20L << 20, 50_000_000L));
    }

    @Test
    void aForgottenValueIsNamed() {
        assertThatThrownBy(() -> TaskSettings.builder().deadline(Duration.ofMinutes(10)).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("lease");
    }
}
