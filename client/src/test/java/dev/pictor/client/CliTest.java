package dev.pictor.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class CliTest {
    private ApidotFake fake;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws Exception {
        fake = new ApidotFake();
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    private int run(String... args) {
        Map<String, String> env = Map.of("PICTOR_BASE_URL", fake.baseUrl(), "PICTOR_API_KEY", "sk-cli-secret");
        return new Cli(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(new byte[0]), env::get).run(args);
    }

    @Test
    void generateWaitJsonPrintsOneDocumentAndExitsZero() throws Exception {
        fake.then(200, "{\"code\":200,\"data\":{\"task_id\":\"t1\",\"status\":\"not_started\",\"created_time\":\"2026-04-19T21:19:42\"}}");
        int rc = run("generate", "--model", "gpt-image-2", "--prompt", "a fox", "--field", "n=2", "--wait", "--json");
        assertThat(rc).isZero();
        var doc = JsonMapper.builder().build().readTree(out.toString(StandardCharsets.UTF_8));
        assertThat(doc.path("status").asString()).isEqualTo("finished");
        assertThat(fake.seen.get(0).body()).contains("\"n\":2").contains("\"prompt\":\"a fox\"");
        assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("sk-cli-secret");
    }

    @Test
    void failedTaskExitsNonZeroWithHumanOutput() {
        fake.then(200, "{\"code\":200,\"data\":{\"task_id\":\"t2\",\"status\":\"failed\",\"error_code\":\"content_moderated\","
                + "\"error_message\":\"blocked\",\"created_time\":\"2026-04-19T21:19:42\"}}");
        assertThat(run("status", "t2")).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("t2  failed").contains("content_moderated");
    }

    @Test
    void badRequestExitsTwoNamingTheParam() {
        fake.then(400, "{\"code\":400,\"error\":{\"message\":\"unknown field\",\"type\":\"invalid_request_error\",\"param\":\"input.foo\"}}");
        assertThat(run("generate", "--model", "gpt-image-2", "--prompt", "p", "--field", "foo=1")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("param input.foo");
        assertThat(run()).isEqualTo(2);
    }
}
