package dev.pictor.storage;

import dev.pictor.storage.s3.S3BlobStore;
import dev.pictor.storage.s3.S3Settings;
import dev.pictor.support.S3Proxy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** The blob store contract on S3: a real s3proxy started by the test, each test under a prefix of its own. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3BlobStoreContractTest extends BlobStoreContract {
    private static final String BUCKET = "pictor-contract";
    private S3Proxy s3;
    private final List<S3BlobStore> opened = new ArrayList<>();
    private int count;

    @BeforeAll
    void startS3() throws IOException {
        Path data = Files.createTempDirectory("s3proxy-contract-").resolve("data");
        Files.createDirectories(data.resolve(BUCKET)); // a bucket is a folder on s3proxy's filesystem backend
        s3 = S3Proxy.start(data);
    }

    @AfterAll
    void stopS3() {
        opened.forEach(S3BlobStore::close);
        s3.close();
    }

    /** s3proxy's filesystem backend rewrites in place; AWS S3 and the services Pictor targets replace whole objects. */
    @Override
    boolean replacesObjectsAtomically() {
        return false;
    }

    @Override
    BlobStore openStore() {
        var store = new S3BlobStore(S3Settings.fromEnvironment(s3.pictorEnv(BUCKET, "contract-" + (++count) + "/")), Duration.ofSeconds(2));
        opened.add(store);
        return store;
    }
}
