package dev.pictor.media;

import dev.pictor.net.PinnedHttpClient;
import dev.pictor.net.AddressPolicy;
import dev.pictor.net.FetchException;
import dev.pictor.net.FetchSettings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.pictor.catalog.ImageFormat;
import dev.pictor.support.ImageServer;
import java.awt.image.BufferedImage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SafeFetcherTest {
    private ImageServer images;
    private HttpServer raw;
    private final AtomicInteger rawHits = new AtomicInteger();

    @BeforeAll
    void start() throws Exception {
        images = new ImageServer();
        raw = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        raw.createContext("/big", ex -> {
            rawHits.incrementAndGet();
            ex.sendResponseHeaders(200, 0); // chunked, no length announced
            byte[] png = ImageEncoder.encode(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), ImageFormat.PNG);
            ex.getResponseBody().write(png);
            ex.getResponseBody().write(new byte[2 * 1024 * 1024]);
            ex.close();
        });
        raw.createContext("/loop", ex -> {
            ex.getResponseHeaders().add("Location", "/loop");
            ex.sendResponseHeaders(301, -1);
            ex.close();
        });
        raw.start();
    }

    @AfterAll
    void stop() {
        images.close();
        raw.stop(0);
    }

    private static SafeFetcher fetcher(AddressPolicy policy) {
        return new SafeFetcher(new PinnedHttpClient(policy, Duration.ofSeconds(2)), new FetchSettings(List.of(), 1024 * 1024, 4_000_000, Duration.ofSeconds(2), Duration.ofSeconds(5), 3));
    }

    private static SafeFetcher allowingLoopback() {
        return fetcher(new AddressPolicy(List.of("127.0.0.1/32")));
    }

    @Test
    void fetchesAnAllowedImageAndSniffsItsTypeAndSize() throws Exception {
        SourceImage image = allowingLoopback().fetchImage(images.image("ok.png", 320, 200, 0xffaa00));
        assertThat(image.contentType()).isEqualTo("image/png");
        assertThat(image.width()).isEqualTo(320);
        assertThat(image.height()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "http://127.0.0.1:%d/img/x.png", "http://localhost:%d/img/x.png", "http://[::1]:%d/img/x.png",
            "http://[::ffff:127.0.0.1]:%d/img/x.png", "http://0.0.0.0:%d/", "http://127.1.2.3:%d/"})
    void loopbackIsRefusedByDefault(String template) {
        String url = template.formatted(images.port());
        assertThatThrownBy(() -> fetcher(AddressPolicy.strict()).fetchImage(url))
                .isInstanceOf(FetchException.class)
                .hasMessageContaining("not allowed")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("127.0.0.1").doesNotContain("localhost"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "http://10.0.0.1/a.png", "http://172.16.5.4/a.png", "http://192.168.1.1/a.png", "http://169.254.169.254/latest/meta-data/",
            "http://100.100.100.200/latest/meta-data", "http://[fd00:ec2::254]/latest/meta-data", "http://[fe80::1]/a.png",
            "http://[::ffff:10.0.0.1]/a.png", "http://[64:ff9b::a9fe:a9fe]/", "http://[2002:c0a8:0101::1]/", "http://224.0.0.1/",
            "https://192.168.0.10/a.png"})
    void privateLinkLocalMetadataAndTheirIpv6FormsAreRefusedWithoutConnecting(String url) {
        assertThatThrownBy(() -> fetcher(AddressPolicy.strict()).fetch(url))
                .isInstanceOf(FetchException.class)
                .hasMessageContaining("not allowed");
    }

    @Test
    void aRedirectToAPrivateAddressIsRefused() {
        SafeFetcher f = allowingLoopback();
        for (String target : List.of("http://10.1.2.3/x.png", "http://169.254.169.254/latest/meta-data/", "http://127.0.0.2:" + images.port() + "/img/a")) {
            String url = images.url("/redirect?to=" + URLEncoder.encode(target, StandardCharsets.UTF_8));
            assertThatThrownBy(() -> f.fetch(url)).isInstanceOf(FetchException.class).hasMessageContaining("not allowed");
        }
    }

    @Test
    void redirectsAreFollowedUnderTheSameChecksAndBounded() throws Exception {
        String image = images.image("r.png", 10, 10, 0);
        String once = images.url("/redirect?to=" + URLEncoder.encode(image, StandardCharsets.UTF_8));
        assertThat(allowingLoopback().fetchImage(once).width()).isEqualTo(10);
        String loop = "http://127.0.0.1:" + raw.getAddress().getPort() + "/loop";
        assertThatThrownBy(() -> allowingLoopback().fetch(loop)).hasMessageContaining("too many redirects");
    }

    @Test
    void aNameResolvingToAnyInternalAddressIsRefused() throws Exception {
        PinnedHttpClient.Resolver mixed = host -> new InetAddress[] {
                InetAddress.getByName("93.184.216.34"), InetAddress.getByName("10.0.0.5")};
        var f = new SafeFetcher(new PinnedHttpClient(AddressPolicy.strict(), mixed, Duration.ofSeconds(1)), new FetchSettings(List.of(), 1024, 1000, Duration.ofSeconds(1), Duration.ofSeconds(1), 3));
        assertThatThrownBy(() -> f.fetch("http://images.example.com/a.png")).hasMessageContaining("private");
    }

    @Test
    void onlyHttpAndHttpsWithoutCredentials() {
        SafeFetcher f = allowingLoopback();
        assertThatThrownBy(() -> f.fetch("file:///etc/passwd")).hasMessageContaining("only http and https");
        assertThatThrownBy(() -> f.fetch("gopher://127.0.0.1/")).hasMessageContaining("only http and https");
        assertThatThrownBy(() -> f.fetch("http://user:pw@127.0.0.1:" + images.port() + "/")).hasMessageContaining("credentials");
    }

    @Test
    void theByteLimitHoldsEvenWithoutAContentLength() {
        String url = "http://127.0.0.1:" + raw.getAddress().getPort() + "/big";
        assertThatThrownBy(() -> allowingLoopback().fetch(url)).hasMessageContaining("over the limit of 1048576");
        assertThat(rawHits.get()).isPositive();
    }

    @Test
    void typeComesFromTheBytesNotTheHeader() {
        assertThatThrownBy(() -> allowingLoopback().fetchImage(images.url("/text"))).hasMessageContaining("not a PNG, JPEG, WebP or GIF");
    }

    @Test
    void aDecompressionBombIsRefusedFromItsHeader() {
        // 3000x3000 of one colour compresses to a few KB but would decode to 9 megapixels.
        String bomb = images.body("bomb.png", ImageEncoder.encode(new BufferedImage(3000, 3000, BufferedImage.TYPE_BYTE_GRAY), ImageFormat.PNG));
        assertThatThrownBy(() -> allowingLoopback().fetchImage(bomb)).hasMessageContaining("over the limit of 4000000");
    }

    @Test
    void operatorsCanAllowHostNamesAndRanges() throws Exception {
        var byName = new AddressPolicy(List.of("localhost"));
        assertThat(byName.refusal("localhost", InetAddress.getByName("127.0.0.1"))).isNull();
        assertThat(byName.refusal("other", InetAddress.getByName("127.0.0.1"))).isNotNull();
        var byRange = new AddressPolicy(List.of("10.20.0.0/16", "fd12::/16"));
        assertThat(byRange.refusal("x", InetAddress.getByName("10.20.3.4"))).isNull();
        assertThat(byRange.refusal("x", InetAddress.getByName("10.21.3.4"))).isNotNull();
        assertThat(byRange.refusal("x", InetAddress.getByName("fd12::1"))).isNull();
        assertThat(AddressPolicy.strict().refusal("x", InetAddress.getByName("93.184.216.34"))).isNull();
    }
}
