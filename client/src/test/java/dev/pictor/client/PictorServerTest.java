package dev.pictor.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.client.ScriptedProxy.Answer;
import dev.pictor.client.ScriptedProxy.ForwardThenDrop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The client against a real Pictor (the server of this repository, sandbox upstream, port 0): every
 * call, the typed errors from Pictor's own envelopes, and retries and idempotency through a proxy
 * that answers 503/429 or loses an answer. Waits never block: the injected sleeper only records.
 */
class PictorServerTest {
    private static LocalPictor pictor;
    private static String key;
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() {
        pictor = new LocalPictor();
        key = pictor.tenantKey("calls", "unlimited");
    }

    @AfterAll
    static void stop() {
        pictor.close();
    }

    private PictorClient client(String baseUrl, String apiKey) {
        return PictorClient.builder().baseUrl(baseUrl).apiKey(apiKey).environment(n -> null).random(new Random(7))
                .sleeper(sleeps::add).build();
    }

    private static ModelRequest zImage(String prompt) {
        return ModelRequest.of("z-image").put("prompt", prompt).put("size", "16:9");
    }

    @Test
    void everyCallAgainstARealPictor() throws Exception {
        PictorClient client = client(pictor.baseUrl(), key);

        JsonNode models = client.models();
        List<String> ids = new ArrayList<>();
        (models.isArray() ? models : models.path("models")).forEach(m -> ids.add(m.path("id").asString()));
        assertThat(ids).contains("gpt-image-2", "z-image", "kling-o3-image");

        assertThat(client.estimate(zImage("a lighthouse")).toString()).contains("credits");

        String id = client.submit(zImage("a lighthouse"));
        assertThat(id).isNotBlank();
        Task done = client.waitFor(id, Duration.ofSeconds(30));
        assertThat(done.status()).isEqualTo("finished");
        assertThat(done.model()).isEqualTo("z-image");
        assertThat(done.files()).hasSize(1);
        assertThat(done.files().get(0).fileUrl()).startsWith("http");
        assertThat(done.files().get(0).width()).isGreaterThan(done.files().get(0).height());

        Task status = client.status(id);
        assertThat(status.taskId()).isEqualTo(id);
        assertThat(status.finishedTime()).isNotNull();

        assertThat(client.list(10)).extracting(Task::taskId).contains(id);

        List<Task> events = new ArrayList<>();
        client.events(id, events::add);
        assertThat(events).isNotEmpty();
        assertThat(events.get(events.size() - 1).status()).isEqualTo("finished");

        assertThat(client.cancel(id)).isEqualTo("already_finished");
        assertThat(client.webhookSecret()).startsWith("whsec_").isEqualTo(pictor.webhookSecret(key));
    }

    @Test
    void errorsAreTypedFromPictorsEnvelope() {
        PictorClient client = client(pictor.baseUrl(), key);
        assertThatThrownBy(() -> client.submit(ModelRequest.of("gpt-image-2").put("prompt", "p").put("quality", "ultra")))
                .isInstanceOfSatisfying(PictorException.InvalidRequest.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.param()).isEqualTo("input.quality");
                    assertThat(e.getMessage()).contains("gpt-image-2");
                });
        assertThatThrownBy(() -> client.submit(ModelRequest.of("no-such-model").put("prompt", "p")))
                .isInstanceOfSatisfying(PictorException.InvalidRequest.class, e -> assertThat(e.param()).isEqualTo("model"));
        assertThatThrownBy(() -> client.status("task-unified-0000000000-nothere0"))
                .isInstanceOfSatisfying(PictorException.NotFound.class, e -> assertThat(e.status()).isEqualTo(404));

        String wrongKey = "sk-not-a-key-of-this-server-0000000000";
        assertThatThrownBy(() -> client(pictor.baseUrl(), wrongKey).list(1))
                .isInstanceOfSatisfying(PictorException.Authentication.class, e -> {
                    assertThat(e.status()).isEqualTo(401);
                    assertThat(e.getMessage()).doesNotContain(wrongKey);
                });

        String broke = pictor.tenantKey("broke", "prepaid");
        assertThatThrownBy(() -> client(pictor.baseUrl(), broke).submit(zImage("p")))
                .isInstanceOfSatisfying(PictorException.InsufficientCredits.class, e -> assertThat(e.status()).isEqualTo(402));
        assertThat(client(pictor.baseUrl(), broke).list(10)).as("nothing stored for the refused submit").isEmpty();
        assertThat(sleeps).as("4xx are never retried").isEmpty();
    }

    @Test
    void a503IsRetriedAndThenTheRealAnswerComesThrough() throws Exception {
        try (ScriptedProxy proxy = new ScriptedProxy(pictor.baseUrl())) {
            proxy.then(new Answer(503, null)).then(new Answer(503, null));
            String id = client(proxy.baseUrl(), key).submit(zImage("a retried submit"));
            assertThat(proxy.seen).hasSize(3);
            assertThat(proxy.seen).extracting(ScriptedProxy.Seen::idempotencyKey).doesNotContainNull().containsOnly(proxy.seen.get(0).idempotencyKey());
            assertThat(sleeps).hasSize(2);
            assertThat(sleeps.get(1)).isGreaterThanOrEqualTo(Duration.ofMillis(500)).isLessThanOrEqualTo(Duration.ofSeconds(1));
            assertThat(client(pictor.baseUrl(), key).status(id).model()).isEqualTo("z-image");
        }
    }

    @Test
    void a429IsRetriedAfterItsRetryAfterAndTypedOnceTheAttemptsAreUsedUp() throws Exception {
        try (ScriptedProxy proxy = new ScriptedProxy(pictor.baseUrl())) {
            proxy.then(new Answer(429, "3"));
            assertThat(client(proxy.baseUrl(), key).list(5)).isNotNull();
            assertThat(sleeps).containsExactly(Duration.ofSeconds(3));

            proxy.then(new Answer(429, "7"));
            PictorClient once = PictorClient.builder().baseUrl(proxy.baseUrl()).apiKey(key).environment(n -> null)
                    .maxAttempts(1).sleeper(sleeps::add).build();
            assertThatThrownBy(() -> once.list(5))
                    .isInstanceOfSatisfying(PictorException.RateLimited.class, e -> assertThat(e.retryAfterSeconds()).isEqualTo(7L));
        }
    }

    @Test
    void a400IsNotRetried() throws Exception {
        try (ScriptedProxy proxy = new ScriptedProxy(pictor.baseUrl())) {
            assertThatThrownBy(() -> client(proxy.baseUrl(), key).submit(zImage("p").put("size", "7:5")))
                    .isInstanceOfSatisfying(PictorException.InvalidRequest.class, e -> assertThat(e.param()).isEqualTo("input.size"));
            assertThat(proxy.seen).hasSize(1);
            assertThat(sleeps).isEmpty();
        }
    }

    @Test
    void aSubmitWhoseAnswerIsLostIsResubmittedWithTheSameKeyAndMakesOneTask() throws Exception {
        String own = pictor.tenantKey("dropped", "unlimited");
        try (ScriptedProxy proxy = new ScriptedProxy(pictor.baseUrl())) {
            proxy.then(new ForwardThenDrop());
            String id = client(proxy.baseUrl(), own).submit(zImage("the answer to this submit is lost"));
            assertThat(proxy.seen).hasSize(2);
            assertThat(proxy.seen.get(1).idempotencyKey()).isEqualTo(proxy.seen.get(0).idempotencyKey());
            assertThat(sleeps).hasSize(1);
            List<Task> tasks = client(pictor.baseUrl(), own).list(10);
            assertThat(tasks).extracting(Task::taskId).containsExactly(id);
        }
    }
}
