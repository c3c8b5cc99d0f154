package dev.pictor.support;

import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;

/**
 * A webhook receiver on loopback that records every request (headers lower-cased, body, arrival) and
 * answers from a script: each request takes the next scripted reply, then 200 once the script is
 * used up.
 */
public final class Receiver implements AutoCloseable {
    public record Request(String path, Map<String, List<String>> headers, String body, Instant at) {
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : values.getFirst();
        }
    }

    public record Reply(int status, Duration delay, Map<String, String> headers) {
        public static Reply status(int status) {
            return new Reply(status, Duration.ZERO, Map.of());
        }

        public static Reply slow(Duration delay) {
            return new Reply(200, delay, Map.of());
        }
    }

    private final HttpServer server;
    private final ConcurrentLinkedQueue<Reply> script = new ConcurrentLinkedQueue<>();
    private final List<Request> requests = new ArrayList<>();
    private final Reply afterScript;

    public Receiver() {
        this(Reply.status(200));
    }

    /** {@code afterScript} answers every request once the script is used up. */
    public Receiver(Reply afterScript) {
        this.afterScript = afterScript;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            Map<String, List<String>> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            synchronized (requests) {
                requests.add(new Request(exchange.getRequestURI().getPath(), headers, body, Instant.now()));
            }
            Reply reply = script.poll();
            if (reply == null) {
                reply = afterScript;
            }
            try {
                Thread.sleep(reply.delay().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            byte[] answer = ("{\"ok\":" + (reply.status() < 300) + "}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(reply.status(), reply.status() == 204 ? -1 : answer.length);
            if (reply.status() != 204) {
                exchange.getResponseBody().write(answer);
            }
            exchange.close();
        });
        server.start();
    }

    public void script(Reply... replies) {
        script.addAll(List.of(replies));
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    public List<Request> awaitRequests(int count, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(20)).until(() -> requests().size() >= count);
        return requests();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
