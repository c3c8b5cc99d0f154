package dev.pictor.upstream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pictor.catalog.ImageFormat;
import dev.pictor.media.ImageEncoder;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;

/** The common part of the fake vendors: a loopback server, a request log, a script of failures. */
abstract class FakeUpstream implements AutoCloseable {
    /** A request as the fake received it. */
    record Call(String method, String path, Map<String, List<String>> headers, byte[] body, Instant at) {
        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            for (var e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().getFirst();
                }
            }
            return null;
        }
    }

    /** A scripted answer that replaces the normal one, sent after {@code delay}. */
    record Fault(int status, String body, Map<String, String> headers, java.time.Duration delay) {
        Fault(int status, String body, Map<String, String> headers) {
            this(status, body, headers, java.time.Duration.ZERO);
        }

        static Fault of(int status, String body) {
            return new Fault(status, body, Map.of("Content-Type", "application/json"));
        }

        /** An answer that comes too late: the caller has given up by then. */
        static Fault slow(java.time.Duration delay) {
            return new Fault(200, "{}", Map.of("Content-Type", "application/json"), delay);
        }

        /** Headers and the first bytes of a body at once, then nothing until the fake closes. */
        static Fault stallAfterHeaders() {
            return new Fault(200, null, Map.of("Content-Type", "application/json"));
        }
    }

    protected final HttpServer server;
    protected final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
    private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
    private final List<Call> calls = new ArrayList<>();

    FakeUpstream() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void fail(Fault... scripted) {
        faults.addAll(List.of(scripted));
    }

    List<Call> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    List<Call> calls(String pathPrefix) {
        return calls().stream().filter(c -> c.path().startsWith(pathPrefix)).toList();
    }

    protected Call record(HttpExchange exchange) throws IOException {
        var call = new Call(exchange.getRequestMethod(), exchange.getRequestURI().toString(), Map.copyOf(exchange.getRequestHeaders()),
                exchange.getRequestBody().readAllBytes(), Instant.now());
        synchronized (calls) {
            calls.add(call);
        }
        return call;
    }

    /** Answers with the next scripted fault; false when there is none. */
    protected boolean scriptedFault(HttpExchange exchange) throws IOException {
        Fault fault = faults.poll();
        if (fault == null) {
            return false;
        }
        try {
            Thread.sleep(fault.delay().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        fault.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        if (fault.body() == null) {
            exchange.sendResponseHeaders(fault.status(), 0);
            exchange.getResponseBody().write("{\"data\":[".getBytes(StandardCharsets.UTF_8));
            exchange.getResponseBody().flush();
            try {
                closed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
            return true;
        }
        try {
            send(exchange, fault.status(), fault.body());
        } catch (IOException e) {
            exchange.close(); // the caller hung up first, as a timed-out client does
        }
        return true;
    }

    protected static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (!exchange.getResponseHeaders().containsKey("Content-Type")) {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
        }
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    static byte[] image(int width, int height, ImageFormat format) {
        var image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        image.setRGB(width / 2, height / 2, 0x00ff00);
        return ImageEncoder.encode(image, format);
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
    }
}
