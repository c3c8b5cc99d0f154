package dev.pictor.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.upstream.UpstreamDefinition.Setting;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UpstreamDefinitionTest {
    private static final UpstreamDefinition TWO_KEYS = new UpstreamDefinition("pair", "Pair",
            List.of(Setting.required("PICTOR_PAIR_ACCESS"), Setting.required("PICTOR_PAIR_SECRET"), Setting.optional("PICTOR_PAIR_BASE_URL", "https://pair.example")),
            Map.of("z-image", "pair-z"), (config, context) -> {
                throw new AssertionError("not built in this test");
            });

    @Test
    void configuredWhenEveryRequiredSettingIsThereWithDefaultsFilledIn() {
        assertThat(TWO_KEYS.configured(Map.of())).isFalse();
        assertThat(TWO_KEYS.configured(Map.of("PICTOR_PAIR_ACCESS", " ", "PICTOR_PAIR_SECRET", ""))).isFalse();
        Map<String, String> env = Map.of("PICTOR_PAIR_ACCESS", "a", "PICTOR_PAIR_SECRET", " s ");
        assertThat(TWO_KEYS.configured(env)).isTrue();
        assertThat(TWO_KEYS.config(env).get("PICTOR_PAIR_SECRET")).isEqualTo("s");
        assertThat(TWO_KEYS.config(env).get("PICTOR_PAIR_BASE_URL")).isEqualTo("https://pair.example");
        assertThatThrownBy(() -> TWO_KEYS.config(env).get("PICTOR_OTHER")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void halfTheCredentialsStopStartUpNamingWhatIsMissing() {
        assertThatThrownBy(() -> TWO_KEYS.configured(Map.of("PICTOR_PAIR_ACCESS", "a")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("PICTOR_PAIR_SECRET must be set together with PICTOR_PAIR_ACCESS (upstream pair)");
    }
}
