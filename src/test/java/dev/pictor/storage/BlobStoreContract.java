package dev.pictor.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a blob store promises, run unchanged against every backend (the file system now, S3 later).
 * It uses nothing but the {@link BlobStore} interface, so a backend only supplies a fresh, empty
 * store per test.
 */
abstract class BlobStoreContract {
    private BlobStore store;

    /** A new, empty store, used by one test only. */
    abstract BlobStore openStore() throws IOException;

    /**
     * Whether the backend under test replaces an object in one step, so a reader racing a writer sees
     * the old bytes or the new ones. The file system and real S3 do; s3proxy's filesystem backend, the
     * S3 the tests can start without Docker, rewrites in place, so the race tests cannot hold there.
     */
    boolean replacesObjectsAtomically() {
        return true;
    }

    @BeforeEach
    void open() throws IOException {
        store = openStore();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The blob's bytes, checking that the promised length is the length read. */
    private Optional<byte[]> read(String key) throws IOException {
        Optional<BlobStore.Blob> blob = store.open(key);
        if (blob.isEmpty()) {
            return Optional.empty();
        }
        try (InputStream in = blob.get().stream()) {
            byte[] all = in.readAllBytes();
            assertThat(all.length).as("bytes read from %s against its length", key).isEqualTo(blob.get().length());
            return Optional.of(all);
        }
    }

    @Test
    void aBlobReadsBackAsWritten() throws IOException {
        store.put("task-1/0.png", bytes("png bytes"), "image/png");
        assertThat(read("task-1/0.png")).contains(bytes("png bytes"));
    }

    @Test
    void anEmptyBlobIsStillABlob() throws IOException {
        store.put("task-1/empty", new byte[0], "application/octet-stream");
        assertThat(read("task-1/empty")).contains(new byte[0]);
    }

    @Test
    void aMissingKeyIsEmptyAndDeletingItIsNoError() throws IOException {
        assertThat(store.open("task-1/0.png")).isEmpty();
        store.delete("task-1/0.png");
        store.put("task-1/0.png", bytes("x"), "image/png");
        assertThat(store.open("task-1/1.png")).isEmpty();
        store.delete("task-1/1.png");
        assertThat(read("task-1/0.png")).contains(bytes("x"));
    }

    @Test
    void aFolderIsNotABlob() throws IOException {
        store.put("task-1/0.png", bytes("x"), "image/png");
        assertThat(store.open("task-1")).isEmpty();
    }

    @Test
    void aSecondPutReplacesTheWholeBlob() throws IOException {
        store.put("task-1/0.png", bytes("a longer first version"), "image/png");
        store.put("task-1/0.png", bytes("short"), "image/png");
        assertThat(read("task-1/0.png")).contains(bytes("short"));
    }

    @Test
    void deleteRemovesOnlyThatBlob() throws IOException {
        store.put("task-1/0.png", bytes("0"), "image/png");
        store.put("task-1/1.png", bytes("1"), "image/png");
        store.delete("task-1/0.png");
        assertThat(store.open("task-1/0.png")).isEmpty();
        assertThat(read("task-1/1.png")).contains(bytes("1"));
        store.delete("task-1/1.png");
        assertThat(store.open("task-1/1.png")).isEmpty();
        store.put("task-1/2.png", bytes("2"), "image/png");
        assertThat(read("task-1/2.png")).contains(bytes("2"));
    }

    @Test
    void deleteAllRemovesEverythingUnderTheFolderAndNothingElse() throws IOException {
        for (String key : List.of("task-1/0.png", "task-1/source-0.png", "task-1/deeper/x.webp", "task-10/0.png", "task-1x/0.png")) {
            store.put(key, bytes(key), "image/png");
        }
        store.deleteAll("task-1/");
        assertThat(store.open("task-1/0.png")).isEmpty();
        assertThat(store.open("task-1/source-0.png")).isEmpty();
        assertThat(store.open("task-1/deeper/x.webp")).isEmpty();
        assertThat(read("task-10/0.png")).contains(bytes("task-10/0.png"));
        assertThat(read("task-1x/0.png")).contains(bytes("task-1x/0.png"));

        store.deleteAll("task-1/");
        store.deleteAll("never-written/");
        store.put("task-1/0.png", bytes("again"), "image/png");
        assertThat(read("task-1/0.png")).contains(bytes("again"));
    }

    @Test
    void deleteAllTakesOnlyAFolderPrefix() throws IOException {
        store.put("task-1/0.png", bytes("x"), "image/png");
        for (String prefix : List.of("task-1", "", "/", "../", "task-1/../")) {
            assertThatThrownBy(() -> store.deleteAll(prefix)).as(prefix).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(read("task-1/0.png")).contains(bytes("x"));
    }

    @Test
    void keysWithUnusualButHarmlessCharactersRoundTrip() throws IOException {
        List<String> keys = List.of("task-1/a b.png", "task-1/a+b.png", "task-1/a%20b.png", "task-1/ü€日本.png", "task-1/a=b&c?d#e.png",
                "task-1/..png", "task-1/...", "task-1/.hidden");
        for (String key : keys) {
            store.put(key, bytes(key), "image/png");
        }
        for (String key : keys) {
            assertThat(read(key)).as(key).contains(bytes(key));
        }
        store.delete("task-1/a b.png");
        assertThat(store.open("task-1/a b.png")).isEmpty();
        assertThat(read("task-1/a%20b.png")).contains(bytes("task-1/a%20b.png"));
    }

    @Test
    void keysThatAreNotPlainRelativePathsAreRefused() throws IOException {
        store.put("task-2/0.png", bytes("victim"), "image/png");
        List<String> refused = List.of("", "/", "../escape", "task-1/../../escape", "/etc/passwd", "task-1/../task-2/0.png", "./task-2/0.png",
                "task-1/./0.png", "task-1//0.png", "task-1/", "task-1\\..\\..\\escape", "task-1/\u0000.png", "..", ".");
        for (String key : refused) {
            assertThatThrownBy(() -> store.put(key, bytes("overwritten"), "image/png")).as("put %s", key)
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.open(key)).as("open %s", key).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.delete(key)).as("delete %s", key).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(read("task-2/0.png")).contains(bytes("victim"));
    }

    @Test
    void aLargeBlobRoundTrips() throws IOException {
        byte[] large = new byte[24 * 1024 * 1024 + 7];
        new SplittableRandom(7).nextBytes(large);
        store.put("task-1/0.png", large, "image/png");
        assertThat(Arrays.equals(read("task-1/0.png").orElseThrow(), large)).isTrue();
    }

    /**
     * Writers of one key each write their own size, filled with their own byte: a reader must see
     * one whole version, whose length matches its content, never a mix or a torn write.
     */
    @Test
    void concurrentWritersOfOneKeyNeverExposeAHalfWrittenBlob() throws Exception {
        assumeTrue(replacesObjectsAtomically(), "this backend rewrites objects in place");
        String key = "task-1/0.png";
        int writers = 4;
        int rounds = 25;
        byte[][] versions = new byte[writers][];
        for (int w = 0; w < writers; w++) {
            versions[w] = new byte[100_000 + w * 40_961];
            Arrays.fill(versions[w], (byte) (w + 1));
        }
        store.put(key, versions[0], "image/png");
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        var writing = new CountDownLatch(writers);
        var stop = new AtomicBoolean();
        // Platform threads: readers spinning on file reads would pin the few carriers of virtual threads and starve the writers.
        try (var pool = Executors.newFixedThreadPool(writers + 2)) {
            for (int w = 0; w < writers; w++) {
                byte[] mine = versions[w];
                pool.execute(() -> {
                    try {
                        for (int r = 0; r < rounds; r++) {
                            store.put(key, mine, "image/png");
                        }
                    } catch (IOException | RuntimeException e) {
                        problems.add("write: " + e);
                    } finally {
                        writing.countDown();
                    }
                });
            }
            for (int r = 0; r < 2; r++) {
                pool.execute(() -> {
                    while (!stop.get()) {
                        try (InputStream in = store.open(key).orElseThrow().stream()) {
                            byte[] seen = in.readAllBytes();
                            int w = seen.length == 0 ? -1 : seen[0] - 1;
                            if (w < 0 || w >= writers || !Arrays.equals(seen, versions[w])) {
                                problems.add("read a blob of " + seen.length + " bytes that no writer wrote");
                            }
                        } catch (IOException | RuntimeException e) {
                            problems.add("read: " + e);
                        }
                    }
                });
            }
            assertThat(writing.await(60, TimeUnit.SECONDS)).isTrue();
            stop.set(true);
        }
        assertThat(problems).isEmpty();
        byte[] last = read(key).orElseThrow();
        assertThat(Arrays.asList(versions).stream().anyMatch(v -> Arrays.equals(v, last))).isTrue();
    }

    /** The stated length belongs to the bytes the stream gives, even while the key is being replaced. */
    @Test
    void theLengthOfAnOpenBlobIsTheLengthOfItsStream() throws Exception {
        assumeTrue(replacesObjectsAtomically(), "this backend rewrites objects in place");
        String key = "task-1/0.png";
        byte[] small = new byte[10];
        byte[] big = new byte[300_000];
        store.put(key, small, "image/png");
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        var stop = new AtomicBoolean();
        try (var pool = Executors.newFixedThreadPool(2)) {
            var writer = pool.submit(() -> {
                for (int i = 0; i < 200; i++) {
                    store.put(key, i % 2 == 0 ? big : small, "image/png");
                }
                return null;
            });
            pool.execute(() -> {
                while (!stop.get()) {
                    try {
                        BlobStore.Blob blob = store.open(key).orElseThrow();
                        try (InputStream in = blob.stream()) {
                            long read = in.readAllBytes().length;
                            if (read != blob.length()) {
                                problems.add("length " + blob.length() + " but " + read + " bytes");
                            }
                        }
                    } catch (IOException | RuntimeException e) {
                        problems.add("read: " + e);
                    }
                }
            });
            writer.get(60, TimeUnit.SECONDS);
            stop.set(true);
        }
        assertThat(problems).isEmpty();
    }

    /** Blobs of one folder written and deleted at once: emptying a folder must not break a write into it. */
    @Test
    void writesAndDeletesOfNeighboursDoNotDisturbEachOther() throws Exception {
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        try (var pool = Executors.newFixedThreadPool(4)) {
            var done = new CountDownLatch(4);
            for (int t = 0; t < 4; t++) {
                String key = "task-1/" + t + ".png";
                pool.execute(() -> {
                    try {
                        for (int i = 0; i < 200; i++) {
                            store.put(key, bytes(key), "image/png");
                            if (!Arrays.equals(read(key).orElseThrow(), bytes(key))) {
                                problems.add(key + " read back different bytes");
                            }
                            store.delete(key);
                        }
                    } catch (IOException | RuntimeException e) {
                        problems.add(key + ": " + e);
                    } finally {
                        done.countDown();
                    }
                });
            }
            assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(problems).isEmpty();
    }
}
