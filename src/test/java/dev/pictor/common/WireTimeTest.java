package dev.pictor.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import org.junit.jupiter.api.Test;

class WireTimeTest {
    private static final Instant T = Instant.parse("2026-04-19T21:19:42.750Z");

    @Test
    void apidotsFormHasNoOffsetAndParsesAsALocalDateTime() {
        assertThat(WireTime.apidot(T)).isEqualTo("2026-04-19T21:19:42");
        assertThat(LocalDateTime.parse(WireTime.apidot(T))).isEqualTo(LocalDateTime.of(2026, 4, 19, 21, 19, 42));
        assertThat(WireTime.rfc3339(T)).isEqualTo("2026-04-19T21:19:42Z");
        assertThat(WireTime.apidot(null)).isNull();
    }

    @Test
    void clientTimesAreReadInEitherFormAndAnOffsetCounts() {
        assertThat(WireTime.parse("2026-04-19T21:19:42")).isEqualTo(Instant.parse("2026-04-19T21:19:42Z"));
        assertThat(WireTime.parse("2026-04-19T21:19:42Z")).isEqualTo(Instant.parse("2026-04-19T21:19:42Z"));
        assertThat(WireTime.parse("2026-04-19T23:19:42+02:00")).isEqualTo(Instant.parse("2026-04-19T21:19:42Z"));
        assertThatThrownBy(() -> WireTime.parse("yesterday")).isInstanceOf(DateTimeParseException.class);
    }
}
