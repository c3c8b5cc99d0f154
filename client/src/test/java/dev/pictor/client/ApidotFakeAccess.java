package dev.pictor.client;

/** Opens the package-private {@link ApidotFake} to the kit's tests. */
public final class ApidotFakeAccess implements AutoCloseable {
    private final ApidotFake fake;

    public ApidotFakeAccess() throws java.io.IOException {
        fake = new ApidotFake();
    }

    public String baseUrl() {
        return fake.baseUrl();
    }

    public int requests() {
        return fake.seen.size();
    }

    @Override
    public void close() {
        fake.close();
    }
}
