package dev.pictor.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.catalog.InvalidInputException;
import dev.pictor.media.SafeFetcher;
import dev.pictor.net.AddressPolicy;
import dev.pictor.net.CallbackUrls;
import dev.pictor.net.FetchException;
import dev.pictor.net.FetchSettings;
import dev.pictor.net.PinnedHttpClient;
import dev.pictor.support.ImageServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The SSRF corpus of issue 17 ("Also keep proving what holds"): every spelling of an internal address
 * a URL can carry (IPv4 decimal, octal, hex and short forms; IPv4 inside IPv6 as mapped, compatible,
 * NAT64 and 6to4; link-local, ULA, site-local, metadata, unspecified; localhost names; trailing dots;
 * userinfo and fragment tricks), each tried as a source image URL, as a callback_url at submit and as
 * a webhook delivery; redirects from an allowed host to internal ones; and DNS rebinding, a name that
 * answers an allowed address first and an internal one after. Every probe must be refused before a
 * connection is made: listeners on 127.0.0.1 and 127.0.0.2 count every connection, and a refusal
 * that reads like a connection failure counts as lost. SafeFetcherTest keeps the fetcher's own
 * behaviour; this is the attack list, run against sources and callbacks alike.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SsrfCorpusTest {
    /** Messages of a refusal made after connecting: a probe refused this way was not stopped in time. */
    private static final List<String> CONNECTED = List.of("connection failed", "did not answer in time", "TLS handshake", "HTTP ");

    private Listener loopback;
    private Listener second;
    private ImageServer images;
    private Listener besideImages;
    private final List<String> lost = new ArrayList<>();
    private final AtomicInteger tried = new AtomicInteger();

    @BeforeAll
    void start() throws IOException {
        loopback = new Listener("127.0.0.1", 0);
        second = new Listener("127.0.0.2", 0);
        images = new ImageServer();
        // 127.0.0.2 on the image server's port: where a rebound or redirected request would land.
        besideImages = new Listener("127.0.0.2", images.port());
    }

    @AfterAll
    void stop() throws IOException {
        loopback.close();
        second.close();
        besideImages.close();
        images.close();
    }

    /** Internal destinations in every spelling; %d is a port with a listener behind it on 127.0.0.1. */
    private static List<String> internalUrls(int port) {
        List<String> loopbackForms = List.of(
                "127.0.0.1", "127.1", "127.0.1", "2130706433", "017700000001", "0177.0.0.1", "0x7f.0.0.1", "0x7f000001",
                "0x7f.1", "127.000.000.001", "127.0.0.1.", "127.255.255.254", "localhost", "localhost.", "LOCALHOST",
                "foo.localhost", "ip6-localhost", "0.0.0.0", "0", "0x0", "[::1]", "[0:0:0:0:0:0:0:1]", "[::ffff:127.0.0.1]",
                "[::ffff:7f00:1]", "[0:0:0:0:0:ffff:127.0.0.1]", "[::127.0.0.1]", "[::7f00:1]", "[64:ff9b::127.0.0.1]",
                "[64:ff9b::7f00:1]", "[2002:7f00:1::]", "[2002:7f00:0001:0:0:0:0:1]", "[::]", "[::ffff:0.0.0.0]",
                "[fe80::1%25lo]");
        List<String> urls = new ArrayList<>();
        for (String host : loopbackForms) {
            urls.add("http://" + host + ":" + port + "/x.png");
        }
        urls.addAll(List.of(
                // userinfo and fragment tricks: the host is the part after the last @ before the path
                "http://images.example.com@127.0.0.1:" + port + "/x.png",
                "http://user:pw@127.0.0.1:" + port + "/x.png",
                "http://127.0.0.1:" + port + "#@images.example.com/x.png",
                "http://127.0.0.1:" + port + "\\@images.example.com/x.png",
                "http://127.0.0.1%2f@images.example.com/x.png",
                "https://127.0.0.1:" + port + "/x.png",
                // metadata services, private, carrier-grade NAT, link-local, ULA, site-local, reserved, multicast
                "http://169.254.169.254/latest/meta-data/", "http://169.254.169.254./latest/meta-data/",
                "http://2852039166/latest/meta-data/", "http://0xa9fea9fe/latest/meta-data/",
                "http://0251.0376.0251.0376/latest/meta-data/", "http://169.254.43518/", "http://[::ffff:169.254.169.254]/",
                "http://[::ffff:a9fe:a9fe]/", "http://[64:ff9b::a9fe:a9fe]/", "http://[2002:a9fe:a9fe::]/",
                "http://[fd00:ec2::254]/latest/meta-data/", "http://100.100.100.200/latest/meta-data",
                "http://metadata.google.internal/computeMetadata/v1/", "http://metadata/", "http://instance-data/",
                "http://10.0.0.1/", "http://10.255.255.255/", "http://012.0.0.1/", "http://0xa.0.0.1/", "http://167772161/",
                "http://172.16.0.1/", "http://172.31.255.255/", "http://192.168.0.1/", "http://192.168.1.1./", "http://3232235777/",
                "http://100.64.0.1/", "http://100.127.255.255/", "http://[fc00::1]/", "http://[fdff:ffff::1]/", "http://[fe80::1]/",
                "http://[febf::1]/", "http://[fec0::1]/", "http://[::ffff:10.0.0.1]/", "http://[::ffff:192.168.0.1]/",
                "http://[::10.0.0.1]/", "http://[2002:c0a8:0101::1]/", "http://[2002:0a00:0001::]/", "http://[64:ff9b::c0a8:101]/",
                "http://[ff02::1]/", "http://224.0.0.1/", "http://239.255.255.250/", "http://255.255.255.255/", "http://240.0.0.1/",
                "http://192.0.0.1/", "http://198.18.0.1/", "http://[2001:db8::1]/", "http://[100::1]/"));
        return urls;
    }

    @Test
    void everyInternalSpellingIsRefusedForSourcesCallbacksAndDeliveriesWithoutAConnection() {
        var strict = new PinnedHttpClient(AddressPolicy.strict(), Duration.ofSeconds(2));
        var fetcher = fetcher(strict);
        var callbacks = new CallbackUrls(strict);
        List<String> urls = internalUrls(loopback.port());
        for (String url : urls) {
            probe("source " + url, () -> fetcher.fetchImage(url));
            probe("callback_url " + url, () -> callbacks.check(url));
            probe("delivery " + url, () -> strict.exchange(PinnedHttpClient.parse(url), "POST",
                    Map.of("Content-Type", "application/json"), "{}".getBytes(StandardCharsets.UTF_8), 1024, false, Duration.ofSeconds(2)));
        }
        assertThat(loopback.accepted()).as("connections to 127.0.0.1").isZero();
        finish("internal spellings (" + urls.size() + " URLs x source, callback_url, delivery)");
    }

    @Test
    void aRedirectFromAnAllowedHostToAnInternalOneIsRefusedBeforeConnecting() {
        // 127.0.0.1 (the image server) is allowed, as an operator allows a trusted host; 127.0.0.2 is not.
        var fetcher = fetcher(new PinnedHttpClient(new AddressPolicy(List.of("127.0.0.1/32")), Duration.ofSeconds(2)));
        int port = second.port();
        List<String> targets = new ArrayList<>(List.of(
                "http://127.0.0.2:" + port + "/", "http://2130706434:" + port + "/", "http://0x7f000002:" + port + "/",
                "http://127.0.0.2.:" + port + "/", "http://[::ffff:127.0.0.2]:" + port + "/", "http://[::ffff:7f00:2]:" + port + "/",
                "http://[64:ff9b::7f00:2]:" + port + "/", "http://[2002:7f00:2::]:" + port + "/", "http://[::1]:" + port + "/",
                "//127.0.0.2:" + port + "/", "http://x@127.0.0.2:" + port + "/", "file:///etc/passwd", "gopher://127.0.0.2:" + port + "/"));
        for (String internal : internalUrls(port)) {
            // what resolves to 127.0.0.1 is allowed here, as the image server lives there
            if (!internal.contains("127.0.0.1") && !internal.toLowerCase(java.util.Locale.ROOT).contains("localhost") && !internal.contains("7f00:1")
                    && !internal.contains("2130706433") && !internal.contains("127.1")) {
                targets.add(internal);
            }
        }
        for (String target : targets) {
            String once = images.url("/redirect?to=" + URLEncoder.encode(target, StandardCharsets.UTF_8));
            String twice = images.url("/redirect?to=" + URLEncoder.encode(once, StandardCharsets.UTF_8));
            probe("redirect to " + target, () -> fetcher.fetch(once));
            probe("second redirect to " + target, () -> fetcher.fetch(twice));
        }
        assertThat(second.accepted()).as("connections to 127.0.0.2").isZero();
        finish("redirects (" + targets.size() + " targets, after one and two hops)");
    }

    @Test
    void aNameThatRebindsToAnInternalAddressIsNeverConnectedToIt() throws Exception {
        String image = images.image("rebind.png", 12, 10, 0x123456);
        int port = images.port();
        for (String internal : List.of("127.0.0.2", "::ffff:127.0.0.2", "10.0.0.1", "169.254.169.254", "fd00::1")) {
            var resolver = new Rebinding(internal);
            var client = new PinnedHttpClient(new AddressPolicy(List.of("127.0.0.1/32")), resolver, Duration.ofSeconds(2));
            var fetcher = fetcher(client);
            String name = "rebind-" + tried.get() + ".example";
            String url = image.replace("127.0.0.1", name);
            // One exchange resolves once and connects to the address it checked, whatever DNS says next.
            assertThat(fetcher.fetchImage(url).width()).isEqualTo(12);
            assertThat(resolver.calls(name)).as("resolved once per exchange").isEqualTo(1);
            // Its next fetch gets the internal answer and is refused.
            probe("rebound source " + internal, () -> fetcher.fetchImage(url));
            // A redirect to a name that was public when checked and has rebound since is refused too.
            String other = "again-" + tried.get() + ".example";
            client.checkDestination(PinnedHttpClient.parse(url.replace(name, other)));
            String redirect = images.url("/redirect?to=" + URLEncoder.encode(url.replace(name, other), StandardCharsets.UTF_8));
            probe("rebound redirect " + internal, () -> fetcher.fetch(redirect));
            // A callback_url checked at submit while public, delivered after the name rebinds.
            String hookName = "hook-" + tried.get() + ".example";
            String hook = "http://" + hookName + ":" + port + "/hook";
            new CallbackUrls(client).check(hook);
            probe("rebound delivery " + internal, () -> client.exchange(PinnedHttpClient.parse(hook), "POST",
                    Map.of("Content-Type", "application/json"), "{}".getBytes(StandardCharsets.UTF_8), 1024, false, Duration.ofSeconds(2)));
        }
        assertThat(besideImages.accepted()).as("connections to 127.0.0.2 on the image server's port").isZero();
        finish("DNS rebinding (source, redirect, callback delivery)");
    }

    private static SafeFetcher fetcher(PinnedHttpClient client) {
        return new SafeFetcher(client, new FetchSettings(List.of(), 1024 * 1024, 4_000_000, Duration.ofSeconds(2), Duration.ofSeconds(3), 3));
    }

    @FunctionalInterface
    private interface Probe {
        void run() throws Exception;
    }

    /** One probe: passed when refused before connecting; lost when it went through or failed after connecting. */
    private void probe(String name, Probe probe) {
        tried.incrementAndGet();
        int before = loopback.accepted() + second.accepted() + besideImages.accepted();
        String outcome;
        try {
            probe.run();
            outcome = "not refused";
        } catch (FetchException | InvalidInputException e) {
            String message = e.getMessage();
            outcome = CONNECTED.stream().anyMatch(message::contains) ? "refused only after connecting: " + message : null;
        } catch (Exception e) {
            outcome = "failed unexpectedly: " + e;
        }
        if (outcome == null && loopback.accepted() + second.accepted() + besideImages.accepted() != before) {
            outcome = "a listener saw a connection";
        }
        if (outcome != null) {
            lost.add(name + ": " + outcome);
        }
    }

    private void finish(String corpus) {
        int total = tried.getAndSet(0);
        List<String> failures = List.copyOf(lost);
        lost.clear();
        System.out.printf("SSRF corpus, %s: %d probes tried, %d passed, %d lost%n", corpus, total, total - failures.size(), failures.size());
        assertThat(failures).as("probes that were not refused before connecting").isEmpty();
    }

    /** Answers 127.0.0.1 the first time a name is asked, and {@code internal} every time after. */
    private static final class Rebinding implements PinnedHttpClient.Resolver {
        private final InetAddress internal;
        private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

        Rebinding(String internal) throws UnknownHostException {
            this.internal = InetAddress.getByName(internal);
        }

        @Override
        public InetAddress[] resolve(String host) throws UnknownHostException {
            int n = calls.computeIfAbsent(host, h -> new AtomicInteger()).incrementAndGet();
            return new InetAddress[] {n == 1 ? InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1}) : internal};
        }

        int calls(String host) {
            AtomicInteger n = calls.get(host);
            return n == null ? 0 : n.get();
        }
    }

    /** A TCP listener that counts connections and closes them. */
    private static final class Listener implements AutoCloseable {
        private final ServerSocket socket;
        private final AtomicInteger accepted = new AtomicInteger();

        Listener(String address, int port) throws IOException {
            socket = new ServerSocket();
            socket.bind(new InetSocketAddress(address, port));
            Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try (Socket s = socket.accept()) {
                        accepted.incrementAndGet();
                    } catch (IOException e) {
                        // closed
                    }
                }
            });
        }

        int port() {
            return socket.getLocalPort();
        }

        int accepted() {
            return accepted.get();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
