package dev.pictor.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pictor.common.Json;
import dev.pictor.support.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Issue 10 item 8: a task on an asynchronous upstream survives a node restart between submit and
 * result with exactly one submit to the upstream, and finishes on the new node (which polls the job
 * the first node stored). Plus ComfyUI's own crash window: the node loses ComfyUI's answer after the
 * prompt was queued, and the next attempt finds that prompt by its id instead of queuing it again.
 */
class RestartWithoutResubmitTest {
    private static final String KEY = TestNode.ADMIN_KEY;
    private static final String FLUX = "{\"prompt\":\"slow\",\"size\":\"1:1\",\"resolution\":\"1K\"}";

    record Case(String name, Supplier<FakeUpstream> fake, Function<FakeUpstream, Map<String, String>> env, String model, String input,
                ToLongFunction<FakeUpstream> submits, Consumer<FakeUpstream> hold, Consumer<FakeUpstream> release) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("fal", FakeFal::new, f -> Map.of("PICTOR_FAL_KEY", FakeFal.KEY, "PICTOR_FAL_BASE_URL", f.baseUrl()), "flux-2-pro", FLUX,
                        f -> ((FakeFal) f).submits(), f -> ((FakeFal) f).pendingPolls = 1_000_000, f -> ((FakeFal) f).finishAll()),
                new Case("replicate", FakeReplicate::new, f -> Map.of("PICTOR_REPLICATE_API_TOKEN", FakeReplicate.KEY, "PICTOR_REPLICATE_BASE_URL", f.baseUrl()),
                        "flux-2-pro", FLUX, f -> ((FakeReplicate) f).submits(), f -> ((FakeReplicate) f).pendingPolls = 1_000_000,
                        f -> ((FakeReplicate) f).pendingPolls = 0),
                new Case("dashscope", FakeDashScope::new, f -> Map.of("PICTOR_DASHSCOPE_API_KEY", FakeDashScope.KEY, "PICTOR_DASHSCOPE_BASE_URL", f.baseUrl()),
                        "wan-2.7-image", "{\"prompt\":\"slow\"}", f -> ((FakeDashScope) f).submits(), f -> ((FakeDashScope) f).pendingPolls = 1_000_000,
                        f -> ((FakeDashScope) f).pendingPolls = 0),
                new Case("comfyui", FakeComfyUi::new, f -> Map.of("PICTOR_COMFYUI_URL", f.baseUrl(), "PICTOR_COMFYUI_WORKFLOWS",
                        ((FakeComfyUi) f).workflows.toString()), "flux-2-pro", FLUX, f -> ((FakeComfyUi) f).submits(),
                        f -> ((FakeComfyUi) f).pendingPolls = 1_000_000, f -> ((FakeComfyUi) f).finishAll()));
    }

    private static Map<String, String> env(Case c, FakeUpstream fake) {
        Map<String, String> env = new HashMap<>(c.env().apply(fake));
        env.put("PICTOR_UPSTREAM_POLL_MS", "20");
        return env;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aTaskSurvivesARestartWithOneSubmitAndFinishes(Case c) throws Exception {
        Path dir = Files.createTempDirectory("pictor-restart-" + c.name() + "-");
        try (FakeUpstream fake = c.fake().get()) {
            c.hold().accept(fake);
            String id;
            try (TestNode first = TestNode.start(dir, env(c, fake))) {
                id = first.client().submit(KEY, c.model(), (ObjectNode) Json.parse(c.input()));
                await().atMost(Duration.ofSeconds(10)).until(() -> c.submits().applyAsLong(fake) == 1);
                // a poll after the submit: the job reference is stored, the upstream is working
                int atSubmit = fake.calls().size();
                await().atMost(Duration.ofSeconds(10)).until(() -> fake.calls().size() >= atSubmit + 2);
            }
            try (TestNode second = TestNode.start(dir, env(c, fake))) {
                int before = fake.calls().size();
                await().atMost(Duration.ofSeconds(10)).until(() -> fake.calls().size() > before);
                c.release().accept(fake);
                JsonNode data = second.client().awaitTerminal(KEY, id, Duration.ofSeconds(30));
                assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
                assertThat(data.get("provider").asString()).isEqualTo(c.name());
                assertThat(c.submits().applyAsLong(fake)).isEqualTo(1);
            }
        }
    }

    @Test
    void comfyUiFindsAPromptWhoseAnswerWasLostInsteadOfQueuingItAgain() {
        try (var fake = new FakeComfyUi()) {
            fake.stallAfterAccepting = Duration.ofMillis(2500);
            Map<String, String> env = new HashMap<>(Map.of("PICTOR_COMFYUI_URL", fake.baseUrl(), "PICTOR_COMFYUI_WORKFLOWS", fake.workflows.toString(),
                    "PICTOR_UPSTREAM_POLL_MS", "20", "PICTOR_UPSTREAM_TIMEOUT_SECONDS", "1", "PICTOR_RETRY_BASE_MS", "10"));
            try (TestNode node = TestNode.start(env)) {
                String id = node.client().submit(KEY, "flux-2-pro", (ObjectNode) Json.parse(FLUX));
                JsonNode data = node.client().awaitTerminal(KEY, id, Duration.ofSeconds(30));
                assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
                assertThat(data.get("attempts").get(0).get("message").asString()).contains("did not answer within 1 s");
                assertThat(fake.calls("/prompt")).hasSize(1);
                assertThat(fake.submits()).isEqualTo(1);
            }
        }
    }
}
