package dev.pictor.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.storage.BlobStore;
import dev.pictor.support.S3Proxy;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@link S3BlobStore} against a real S3 implementation (s3proxy, started by the test). The first group
 * of tests uses only {@link BlobStore} through {@link #newStore()}, so it can move into a shared blob
 * store contract unchanged; the second group checks what only S3 has (prefixes, pagination,
 * presigned URLs, reachability).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3BlobStoreTest {
    private static final String BUCKET = "pictor-test";

    private S3Proxy s3;
    private Path s3Data;
    private final List<S3BlobStore> opened = new ArrayList<>();
    private int storeCount;

    @BeforeAll
    void startS3() throws IOException {
        s3Data = Files.createTempDirectory("s3proxy-");
        Files.createDirectories(s3Data.resolve("data").resolve(BUCKET)); // a bucket is a folder on this backend
        s3 = S3Proxy.start(s3Data.resolve("data"));
    }

    @AfterAll
    void stopS3() {
        opened.forEach(S3BlobStore::close);
        s3.close();
    }

    /** Each test gets a store under a prefix of its own, so tests never see each other's objects. */
    BlobStore newStore() {
        return s3Store("run-" + (++storeCount) + "/", false, 1000);
    }

    private S3BlobStore s3Store(String prefix, boolean presign, int pageSize) {
        return s3Store(BUCKET, s3.endpoint(), prefix, presign, pageSize);
    }

    private S3BlobStore s3Store(String bucket, String endpoint, String prefix, boolean presign, int pageSize) {
        var settings = S3Settings.fromEnvironment(Map.of(
                "PICTOR_S3_BUCKET", bucket,
                "PICTOR_S3_PREFIX", prefix,
                "PICTOR_S3_ENDPOINT", endpoint,
                "PICTOR_S3_PATH_STYLE", "true",
                "PICTOR_S3_ACCESS_KEY_ID", S3Proxy.ACCESS_KEY,
                "PICTOR_S3_SECRET_ACCESS_KEY", S3Proxy.SECRET_KEY,
                "PICTOR_S3_PRESIGN", Boolean.toString(presign)));
        var store = new S3BlobStore(settings, Duration.ofSeconds(2), pageSize);
        opened.add(store);
        return store;
    }

    private BlobStore store;

    @BeforeEach
    void freshStore() {
        store = newStore();
    }

    // ---- what every BlobStore promises ----

    @Test
    void putThenOpenReturnsTheSameBytesAndLength() throws IOException {
        byte[] bytes = "not really a png".getBytes(StandardCharsets.UTF_8);
        store.put("task-1/0.png", bytes, "image/png");
        assertThat(read(store, "task-1/0.png")).containsExactly(bytes);
        assertThat(store.open("task-1/0.png").orElseThrow().length()).isEqualTo(bytes.length);
    }

    @Test
    void missingBlobIsEmptyNotAnError() throws IOException {
        assertThat(store.open("no-such-task/0.png")).isEmpty();
        store.delete("no-such-task/0.png");
        store.deleteAll("no-such-task/");
    }

    @Test
    void overwriteReplacesTheWholeBlob() throws IOException {
        store.put("t/0.png", new byte[10_000], "image/png");
        store.put("t/0.png", "short".getBytes(StandardCharsets.UTF_8), "image/png");
        assertThat(new String(read(store, "t/0.png"), StandardCharsets.UTF_8)).isEqualTo("short");
    }

    @Test
    void deleteRemovesOnlyThatBlob() throws IOException {
        store.put("t/0.png", new byte[]{1}, "image/png");
        store.put("t/1.png", new byte[]{2}, "image/png");
        store.delete("t/0.png");
        assertThat(store.open("t/0.png")).isEmpty();
        assertThat(read(store, "t/1.png")).containsExactly(2);
    }

    @Test
    void deleteAllRemovesEverythingUnderThePrefixAndNothingElse() throws IOException {
        store.put("task-a/0.png", new byte[]{1}, "image/png");
        store.put("task-a/src-0.webp", new byte[]{2}, "image/webp");
        store.put("task-ab/0.png", new byte[]{3}, "image/png"); // shares the characters, not the folder
        store.put("task-b/0.png", new byte[]{4}, "image/png");
        store.deleteAll("task-a/");
        assertThat(store.open("task-a/0.png")).isEmpty();
        assertThat(store.open("task-a/src-0.webp")).isEmpty();
        assertThat(read(store, "task-ab/0.png")).containsExactly(3);
        assertThat(read(store, "task-b/0.png")).containsExactly(4);
        assertThatThrownBy(() -> store.deleteAll("task-b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void largeBlobRoundTrips() throws IOException {
        byte[] big = new byte[24 * 1024 * 1024];
        new Random(7).nextBytes(big);
        store.put("big/0.png", big, "image/png");
        var blob = store.open("big/0.png").orElseThrow();
        assertThat(blob.length()).isEqualTo(big.length);
        try (InputStream in = blob.stream()) {
            assertThat(Arrays.equals(in.readAllBytes(), big)).isTrue();
        }
    }

    /**
     * Many tasks store and serve at once. (Racing overwrites of one key are not tested: s3proxy's
     * filesystem backend rewrites the file in place, unlike S3, and Pictor never races on a key.)
     */
    @Test
    void concurrentWritersAndReadersEachSeeWholeBlobs() throws Exception {
        byte[] fixed = filled(300_000, (byte) 'f');
        store.put("shared/0.png", fixed, "image/png");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int n = i;
                work.add(pool.submit((Callable<Void>) () -> {
                    for (int round = 0; round < 6; round++) {
                        byte[] own = filled(1000 + 100 * n + round, (byte) n);
                        store.put("own-" + n + "/" + round + ".png", own, "image/png");
                        assertThat(read(store, "own-" + n + "/" + round + ".png")).containsExactly(own);
                        assertThat(Arrays.equals(read(store, "shared/0.png"), fixed)).as("the whole shared blob").isTrue();
                    }
                    store.deleteAll("own-" + n + "/");
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        for (int n = 0; n < 8; n++) {
            assertThat(store.open("own-" + n + "/0.png")).isEmpty();
        }
    }

    @Test
    void keysThatLeaveTheirFolderAreRefused() {
        for (String bad : List.of("../x/0.png", "a/../../b", "/abs/0.png", "a//b", "a/./b", "")) {
            assertThatThrownBy(() -> store.put(bad, new byte[]{1}, "image/png")).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    // ---- what only the S3 store has ----

    @Test
    void storesWithDifferentPrefixesShareABucketWithoutSeeingEachOther() throws IOException {
        var one = s3Store("tenant-one/", false, 1000);
        var two = s3Store("/tenant-two", false, 1000); // leading slash dropped, trailing one added
        one.put("t/0.png", new byte[]{1}, "image/png");
        two.put("t/0.png", new byte[]{2}, "image/png");
        one.deleteAll("t/");
        assertThat(one.open("t/0.png")).isEmpty();
        assertThat(read(two, "t/0.png")).containsExactly(2);
        assertThat(s3Data.resolve("data").resolve(BUCKET).resolve("tenant-two").resolve("t").resolve("0.png")).exists();
    }

    @Test
    void deleteAllFollowsListingPages() throws IOException {
        var paged = s3Store("paged/", false, 2);
        for (int i = 0; i < 7; i++) {
            paged.put("many/" + i + ".png", new byte[]{(byte) i}, "image/png");
        }
        paged.put("other/0.png", new byte[]{9}, "image/png");
        paged.deleteAll("many/");
        for (int i = 0; i < 7; i++) {
            assertThat(paged.open("many/" + i + ".png")).as("object %d", i).isEmpty();
        }
        assertThat(read(paged, "other/0.png")).containsExactly(9);
    }

    @Test
    void presignedUrlServesTheObjectAndExpiresAsAsked() throws Exception {
        var presigning = s3Store("presign/", true, 1000);
        presigning.put("t/0.png", "pixels".getBytes(StandardCharsets.UTF_8), "image/png");
        URI url = presigning.directUrl("t/0.png", Duration.ofMinutes(10)).orElseThrow();
        assertThat(url.toString()).startsWith(s3.endpoint() + "/" + BUCKET + "/presign/t/0.png?").contains("X-Amz-Expires=600");
        var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("pixels");
        var tampered = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url.toString().replace("X-Amz-Expires=600", "X-Amz-Expires=6000"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(tampered.statusCode()).isEqualTo(403);

        assertThat(presigning.directUrl("t/0.png", Duration.ofDays(30)).orElseThrow().toString()).contains("X-Amz-Expires=604800");
        assertThat(store.directUrl("t/0.png", Duration.ofMinutes(10))).as("presign off: stream through Pictor").isEmpty();
    }

    @Test
    void reachabilityFollowsTheBucket() throws IOException {
        assertThat(s3Store("r/", false, 1000).isReachable()).isTrue();
        assertThat(s3Store("no-such-bucket", s3.endpoint(), "", false, 1000).isReachable()).isFalse();
        int closedPort;
        try (var socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        var unreachable = s3Store(BUCKET, "http://127.0.0.1:" + closedPort, "", false, 1000);
        long started = System.nanoTime();
        assertThat(unreachable.isReachable()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        // Failures surface as IOException, as the callers of BlobStore expect, and store nothing.
        assertThatThrownBy(() -> unreachable.put("t/0.png", new byte[]{1}, "image/png")).isInstanceOf(IOException.class)
                .hasMessageNotContaining(S3Proxy.SECRET_KEY);
        assertThatThrownBy(() -> unreachable.open("t/0.png")).isInstanceOf(IOException.class);
        var missingBucket = s3Store("no-such-bucket", s3.endpoint(), "", false, 1000);
        assertThatThrownBy(() -> missingBucket.put("t/0.png", new byte[]{1}, "image/png")).isInstanceOf(IOException.class);
        assertThat(Optional.ofNullable(s3Data.resolve("data").resolve("no-such-bucket").toFile().listFiles())).isEmpty();
    }

    @Test
    void settingsNeverPrintTheSecretAndDefaultChecksumsByEndpoint() {
        var withEndpoint = S3Settings.fromEnvironment(Map.of("PICTOR_S3_BUCKET", "b", "PICTOR_S3_ENDPOINT", "http://127.0.0.1:9000",
                "PICTOR_S3_ACCESS_KEY_ID", "AKIDEXAMPLE", "PICTOR_S3_SECRET_ACCESS_KEY", "wJalrXUtnFEMI"));
        assertThat(withEndpoint.toString()).doesNotContain("wJalrXUtnFEMI").doesNotContain("AKIDEXAMPLE");
        assertThat(withEndpoint.checksumsWhenRequired()).isTrue();
        assertThat(S3Settings.fromEnvironment(Map.of("PICTOR_S3_BUCKET", "b")).checksumsWhenRequired()).isFalse();
        assertThat(S3Settings.fromEnvironment(Map.of("PICTOR_S3_BUCKET", "b", "PICTOR_S3_ENDPOINT", "http://h:1",
                "PICTOR_S3_CHECKSUMS", "when_supported")).checksumsWhenRequired()).isFalse();
        assertThat(S3Settings.selected(Map.of())).isEmpty();
        assertThatThrownBy(() -> S3Settings.selected(Map.of("PICTOR_STORAGE", "s3"))).hasMessageContaining("PICTOR_S3_BUCKET");
        assertThatThrownBy(() -> S3Settings.selected(Map.of("PICTOR_STORAGE", "gcs"))).hasMessageContaining("PICTOR_STORAGE");
        assertThatThrownBy(() -> S3Settings.fromEnvironment(Map.of("PICTOR_S3_BUCKET", "b", "PICTOR_S3_ACCESS_KEY_ID", "x")))
                .hasMessageContaining("PICTOR_S3_SECRET_ACCESS_KEY");
    }

    private static byte[] read(BlobStore store, String key) throws IOException {
        try (InputStream in = store.open(key).orElseThrow().stream()) {
            return in.readAllBytes();
        }
    }

    private static byte[] filled(int n, byte value) {
        byte[] b = new byte[n];
        Arrays.fill(b, value);
        return b;
    }
}
