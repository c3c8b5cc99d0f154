package dev.pictor.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.common.Json;
import dev.pictor.support.ApiClient;
import dev.pictor.support.S3Proxy;
import dev.pictor.support.TestNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.node.ObjectNode;

/** Pictor nodes with PICTOR_STORAGE=s3 against a real S3 server (s3proxy): outputs, downloads, readiness, failures. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3NodeTest {
    private static final String BUCKET = "pictor-nodes";
    private S3Proxy s3;
    private Path bucketDir;

    @BeforeAll
    void startS3() throws IOException {
        Path data = Files.createTempDirectory("s3proxy-nodes-").resolve("data");
        bucketDir = data.resolve(BUCKET);
        Files.createDirectories(bucketDir);
        s3 = S3Proxy.start(data);
    }

    @AfterAll
    void stopS3() {
        s3.close();
    }

    private static ObjectNode input() {
        return (ObjectNode) Json.parse("{\"prompt\":\"a lighthouse\",\"size\":\"1:1\"}");
    }

    @Test
    void outputsGoToTheBucketAndDownloadThroughSignedUrls() throws IOException {
        try (var node = TestNode.start(s3.pictorEnv(BUCKET, "pictor/"))) {
            assertThat(node.client().get("/readyz", null).body().get("storage").asBoolean()).isTrue();
            String id = node.client().submit(TestNode.ADMIN_KEY, "z-image", input());
            var data = node.client().awaitTerminal(TestNode.ADMIN_KEY, id, Duration.ofSeconds(20));
            assertThat(data.get("status").asString()).isEqualTo("finished");
            String url = ApiClient.fileUrls(data).getFirst();
            assertThat(url).startsWith(node.baseUrl() + "/files/" + id + "/0.png?expires=");
            var download = node.client().download(url);
            assertThat(download.statusCode()).isEqualTo(200);
            assertThat(download.headers().firstValue("Content-Type")).hasValue("image/png");
            byte[] stored = Files.readAllBytes(bucketDir.resolve("pictor").resolve(id).resolve("0.png"));
            assertThat(download.body()).isEqualTo(stored);
            assertThat(stored).startsWith(0x89, 'P', 'N', 'G');
            assertThat(Files.exists(node.dataDir().resolve("files"))).as("nothing written to the local folder").isFalse();
        }
    }

    @Test
    void withPresignTheSignedUrlRedirectsToTheBucketUntilItExpires() {
        Map<String, String> env = new HashMap<>(s3.pictorEnv(BUCKET, "presigned/"));
        env.put("PICTOR_S3_PRESIGN", "true");
        try (var node = TestNode.start(env)) {
            String id = node.client().submit(TestNode.ADMIN_KEY, "z-image", input());
            var data = node.client().awaitTerminal(TestNode.ADMIN_KEY, id, Duration.ofSeconds(20));
            String url = ApiClient.fileUrls(data).getFirst();
            var redirect = node.client().download(url);
            assertThat(redirect.statusCode()).isEqualTo(302);
            String location = redirect.headers().firstValue("Location").orElseThrow();
            assertThat(location).startsWith(s3.endpoint() + "/" + BUCKET + "/presigned/" + id + "/0.png?").contains("X-Amz-Signature=");
            long expires = Long.parseLong(url.replaceAll(".*expires=(\\d+).*", "$1"));
            long presignedFor = Long.parseLong(location.replaceAll(".*X-Amz-Expires=(\\d+).*", "$1"));
            long pictorLeft = expires - java.time.Instant.now().getEpochSecond();
            assertThat(presignedFor).as("the bucket link ends when Pictor's does").isBetween(pictorLeft - 5, pictorLeft + 5);
            var fromBucket = node.client().download(location);
            assertThat(fromBucket.statusCode()).isEqualTo(200);
            assertThat(fromBucket.body()).startsWith(0x89, 'P', 'N', 'G');
            assertThat(node.client().download(url.replace("sig=", "sig=x")).statusCode()).as("Pictor still checks its own signature").isEqualTo(403);
        }
    }

    @Test
    void aNodeWhoseBucketIsUnreachableIsNotReadyAndFailsTasksItCannotStore() throws IOException {
        int closedPort;
        try (var socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Map<String, String> env = new HashMap<>(s3.pictorEnv(BUCKET, "down/"));
        env.put("PICTOR_S3_ENDPOINT", "http://127.0.0.1:" + closedPort);
        env.put("PICTOR_TASK_DEADLINE_SECONDS", "4"); // writes are retried until shortly before the deadline
        try (var node = TestNode.start(env)) {
            var ready = node.client().get("/readyz", null);
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.body().get("storage").asBoolean()).isFalse();
            assertThat(ready.body().get("database").asBoolean()).isTrue();

            String id = node.client().submit(TestNode.ADMIN_KEY, "z-image", input());
            var data = node.client().awaitTerminal(TestNode.ADMIN_KEY, id, Duration.ofSeconds(30));
            assertThat(data.get("status").asString()).isEqualTo("failed");
            assertThat(data.get("error_code").asString()).isEqualTo("storage_error");
            assertThat(data.get("error_message").asString()).contains("could not be stored before the task's deadline");
        }
        env.put("PICTOR_S3_ENDPOINT", s3.endpoint());
        env.put("PICTOR_S3_BUCKET", "no-such-bucket");
        try (var node = TestNode.start(env)) {
            assertThat(node.client().get("/readyz", null).status()).as("a missing bucket is not ready either").isEqualTo(503);
        }
    }
}
