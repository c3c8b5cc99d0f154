package dev.pictor.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pictor.catalog.ImageFormat;
import dev.pictor.common.Json;
import dev.pictor.media.ImageEncoder;
import dev.pictor.support.ApiClient;
import dev.pictor.support.TestNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Upstream fault injection (issue 17, "Also keep proving what holds"), on the wire: a fake OpenAI
 * written on a bare socket, so it can do what an HTTP server library will not (announce a length and
 * send half, stall after the headers, never answer at all). Each fault must end in the right
 * terminal state, or a retry, with the right error_code, bounded by PICTOR_UPSTREAM_TIMEOUT_SECONDS
 * (1 s here) rather than the 600 s task deadline, and no poll of the task may answer a 5xx.
 *
 * <p>Per adapter, UpstreamContractTest covers a malformed answer and a slow one, the vendor tests
 * their own 429 and 5xx shapes, and UpstreamLimitsTest the byte cap and the stall after headers
 * against the OpenAI fake. This is the whole list against one adapter on raw bytes, with figures.
 */
class UpstreamFaultCorpusTest {
    private static final String KEY = TestNode.ADMIN_KEY;
    private static final String UPSTREAM_KEY = "sk-raw-openai";
    private static final int MAX_BYTES = 1024 * 1024;

    /** What the fake does with one request. */
    enum Fault {
        OK, SERVER_ERROR, RATE_LIMITED, GARBAGE, TRUNCATED, STALL_AFTER_HEADERS, OVERSIZE, HANG, CLOSE
    }

    /** One probe: the faults the fake answers with in turn, and what the task must come to. */
    private record Probe(String name, List<Fault> script, Consumer<Ended> expect) {
    }

    private record Ended(JsonNode data, List<Instant> calls, Duration took) {
        String status() {
            return data.get("status").asString();
        }

        String errorCode() {
            return data.path("error_code").asString("");
        }

        String errorMessage() {
            return data.path("error_message").asString("");
        }

        JsonNode attempt(int i) {
            return data.get("attempts").get(i);
        }
    }

    @Test
    void everyUpstreamFaultEndsInTheRightStateWithoutA5xxToTheClient() throws Exception {
        List<Probe> probes = List.of(
                new Probe("500, then an answer", List.of(Fault.SERVER_ERROR, Fault.OK), e -> {
                    assertThat(e.status()).isEqualTo("finished");
                    assertThat(e.attempt(0).get("error_code").asString()).isEqualTo("upstream_error");
                    assertThat(e.attempt(0).get("message").asString()).contains("HTTP 500");
                }),
                new Probe("500 on every attempt", List.of(Fault.SERVER_ERROR, Fault.SERVER_ERROR), e -> {
                    assertThat(e.status()).isEqualTo("failed");
                    assertThat(e.errorCode()).isEqualTo("upstream_error");
                    assertThat(e.errorMessage()).contains("HTTP 500").contains("gave up after 2 attempts");
                }),
                new Probe("429 with Retry-After: 1, then an answer", List.of(Fault.RATE_LIMITED, Fault.OK), e -> {
                    assertThat(e.status()).isEqualTo("finished");
                    assertThat(e.attempt(0).get("message").asString()).contains("HTTP 429");
                    // The backoff base is 10 ms: only the Retry-After explains a second between the calls.
                    assertThat(Duration.between(e.calls().get(0), e.calls().get(1))).isGreaterThanOrEqualTo(Duration.ofMillis(950));
                }),
                new Probe("garbage body, then an answer", List.of(Fault.GARBAGE, Fault.OK), e -> {
                    assertThat(e.status()).isEqualTo("finished");
                    assertThat(e.attempt(0).get("message").asString()).contains("not JSON");
                }),
                new Probe("body shorter than its Content-Length, then an answer", List.of(Fault.TRUNCATED, Fault.OK), e -> {
                    assertThat(e.status()).isEqualTo("finished");
                    assertThat(e.attempt(0).get("error_code").asString()).isEqualTo("upstream_error");
                    assertThat(e.attempt(0).get("message").asString()).contains("openai closed the connection before a whole answer arrived");
                }),
                new Probe("connection closed without an answer, then an answer", List.of(Fault.CLOSE, Fault.OK), e -> {
                    assertThat(e.attempt(0).get("error_code").asString()).isEqualTo("upstream_error");
                    assertThat(e.status()).isEqualTo("finished");
                    assertThat(e.attempt(0).get("message").asString()).contains("openai closed the connection before a whole answer arrived");
                }),
                new Probe("stall after the headers, then an answer", List.of(Fault.STALL_AFTER_HEADERS, Fault.OK), e -> {
                    assertThat(e.status()).isEqualTo("finished");
                    assertThat(e.attempt(0).get("message").asString()).contains("did not answer within 1 s");
                    assertThat(e.took()).isLessThan(Duration.ofSeconds(30));
                }),
                new Probe("hang before the headers on every attempt", List.of(Fault.HANG, Fault.HANG), e -> {
                    assertThat(e.status()).isEqualTo("failed");
                    assertThat(e.errorCode()).isEqualTo("upstream_error");
                    assertThat(e.errorMessage()).contains("did not answer within 1 s").contains("gave up after 2 attempts");
                    assertThat(e.took()).isLessThan(Duration.ofSeconds(30));
                }),
                new Probe("oversize body (3 MB against a 1 MB cap)", List.of(Fault.OVERSIZE), e -> {
                    assertThat(e.status()).isEqualTo("failed");
                    assertThat(e.errorCode()).isEqualTo("upstream_error");
                    assertThat(e.errorMessage()).contains("over the limit of " + MAX_BYTES + " bytes");
                    assertThat(e.calls()).as("the same request gets the same answer: not retried").hasSize(1);
                }));

        try (var fake = new RawOpenAi(); TestNode node = TestNode.start(Map.of(
                "PICTOR_OPENAI_API_KEY", UPSTREAM_KEY, "PICTOR_OPENAI_BASE_URL", fake.baseUrl(),
                "PICTOR_UPSTREAM_TIMEOUT_SECONDS", "1", "PICTOR_UPSTREAM_MAX_BYTES", Integer.toString(MAX_BYTES),
                "PICTOR_RETRY_BASE_MS", "10", "PICTOR_MAX_ATTEMPTS", "2", "PICTOR_TASK_DEADLINE_SECONDS", "600"))) {
            ApiClient client = node.client();
            List<String> lost = new ArrayList<>();
            int serverErrors = 0;
            for (Probe probe : probes) {
                fake.reset(probe.script());
                Instant start = Instant.now();
                String id = client.submit(KEY, "gpt-image-2", Json.object().put("prompt", "fault corpus: " + probe.name()));
                List<Integer> pollStatuses = new CopyOnWriteArrayList<>();
                JsonNode[] last = new JsonNode[1];
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
                    var r = client.get("/api/generate/status/" + id, KEY);
                    pollStatuses.add(r.status());
                    last[0] = r.data();
                    String s = r.status() == 200 ? last[0].get("status").asString() : "";
                    return s.equals("finished") || s.equals("failed");
                });
                long fiveHundreds = pollStatuses.stream().filter(s -> s >= 500).count();
                serverErrors += (int) fiveHundreds;
                var ended = new Ended(last[0], fake.calls(), Duration.between(start, Instant.now()));
                try {
                    assertThat(fiveHundreds).as("5xx answers to the client's polls").isZero();
                    probe.expect().accept(ended);
                    if (ended.status().equals("finished")) {
                        for (String url : ApiClient.fileUrls(ended.data())) {
                            assertThat(client.download(url).statusCode()).isEqualTo(200);
                        }
                    }
                } catch (AssertionError e) {
                    lost.add(probe.name() + ": " + e.getMessage().strip() + " in " + ended.data());
                }
            }
            System.out.printf("upstream fault corpus: %d probes tried, %d passed, %d lost (%d 5xx answers to the client)%n",
                    probes.size(), probes.size() - lost.size(), lost.size(), serverErrors);
            assertThat(lost).isEmpty();
        }
    }

    /**
     * OpenAI's image generation on a bare socket: reads one request per connection and answers it as
     * the next scripted fault says; {@code OK} (and anything unscripted) is a real 1024x1024 PNG.
     */
    private static final class RawOpenAi implements AutoCloseable {
        private final ServerSocket socket;
        private final ConcurrentLinkedQueue<Fault> script = new ConcurrentLinkedQueue<>();
        private final List<Instant> calls = new CopyOnWriteArrayList<>();
        private final CountDownLatch closed = new CountDownLatch(1);
        private final String okBody;

        RawOpenAi() throws IOException {
            byte[] png = ImageEncoder.encode(new BufferedImage(1024, 1024, BufferedImage.TYPE_INT_RGB), ImageFormat.PNG);
            okBody = "{\"created\":1795000000,\"data\":[{\"b64_json\":\"" + Base64.getEncoder().encodeToString(png) + "\"}]}";
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket s = socket.accept();
                        Thread.ofVirtual().start(() -> serve(s));
                    } catch (IOException e) {
                        // closed
                    }
                }
            });
        }

        String baseUrl() {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }

        void reset(List<Fault> faults) {
            calls.clear();
            script.clear();
            script.addAll(faults);
        }

        List<Instant> calls() {
            return List.copyOf(calls);
        }

        private void serve(Socket s) {
            try (s) {
                if (!readRequest(s.getInputStream())) {
                    return;
                }
                calls.add(Instant.now());
                Fault fault = script.poll();
                OutputStream out = s.getOutputStream();
                switch (fault == null ? Fault.OK : fault) {
                    case OK -> answer(out, 200, "", okBody.getBytes(StandardCharsets.UTF_8));
                    case SERVER_ERROR -> answer(out, 500, "", "{\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\"}}"
                            .getBytes(StandardCharsets.UTF_8));
                    case RATE_LIMITED -> answer(out, 429, "Retry-After: 1\r\n", "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}"
                            .getBytes(StandardCharsets.UTF_8));
                    case GARBAGE -> answer(out, 200, "", new byte[] {(byte) 0xff, 0x00, '<', 'h', 't', 'm', 'l', '>', 0x13, (byte) 0x9c});
                    case TRUNCATED -> {
                        byte[] body = okBody.getBytes(StandardCharsets.UTF_8);
                        head(out, 200, body.length, "");
                        out.write(body, 0, body.length / 2);
                        out.flush();
                    }
                    case STALL_AFTER_HEADERS -> {
                        head(out, 200, okBody.length(), "");
                        out.write("{\"data\":[".getBytes(StandardCharsets.UTF_8));
                        out.flush();
                        closed.await();
                    }
                    case OVERSIZE -> {
                        int size = 3 * MAX_BYTES;
                        head(out, 200, size, "");
                        byte[] chunk = new byte[64 * 1024];
                        java.util.Arrays.fill(chunk, (byte) 'A');
                        for (int sent = 0; sent < size; sent += chunk.length) {
                            out.write(chunk); // throws once Pictor stops reading at its cap and closes
                        }
                    }
                    case HANG -> closed.await();
                    case CLOSE -> {
                        // the socket closes without a byte of answer
                    }
                }
            } catch (IOException e) {
                // Pictor hung up first, as a client past its timeout or cap does
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Reads the request line, headers and Content-Length body; false when the request has no bearer key. */
        private static boolean readRequest(InputStream in) throws IOException {
            var head = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1) {
                head.write(b);
                byte[] h = head.toByteArray();
                int n = h.length;
                if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                    break;
                }
            }
            String text = head.toString(StandardCharsets.ISO_8859_1);
            long length = 0;
            for (String line : text.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Long.parseLong(line.substring("content-length:".length()).trim());
                }
            }
            in.readNBytes((int) length);
            return text.contains("Bearer " + UPSTREAM_KEY);
        }

        private static void head(OutputStream out, int status, long length, String extra) throws IOException {
            out.write(("HTTP/1.1 " + status + " X\r\nContent-Type: application/json\r\nContent-Length: " + length + "\r\n" + extra
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        }

        private static void answer(OutputStream out, int status, String extra, byte[] body) throws IOException {
            head(out, status, body.length, extra);
            out.write(body);
            out.flush();
        }

        @Override
        public void close() throws IOException {
            closed.countDown();
            socket.close();
        }
    }
}
