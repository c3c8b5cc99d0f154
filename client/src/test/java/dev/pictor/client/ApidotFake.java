package dev.pictor.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Answers exactly as APIDot's published examples (reference/apidot-api.md): timestamps without an
 * offset, no Pictor-only fields. Scripted answers (status, body) are served first, in order.
 */
final class ApidotFake implements AutoCloseable {
    record Seen(String method, String path, String idempotencyKey, String authorization, String body) {
    }

    record Answer(int status, String body, String retryAfter) {
    }

    final List<Seen> seen = new CopyOnWriteArrayList<>();
    final Deque<Answer> script = new ArrayDeque<>();
    private final HttpServer server;

    ApidotFake() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    synchronized void then(int status, String body) {
        script.add(new Answer(status, body, null));
    }

    synchronized void then(int status, String body, String retryAfter) {
        script.add(new Answer(status, body, retryAfter));
    }

    private void handle(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String path = ex.getRequestURI().toString();
        seen.add(new Seen(ex.getRequestMethod(), path, ex.getRequestHeaders().getFirst("Idempotency-Key"),
                ex.getRequestHeaders().getFirst("Authorization"), body));
        Answer a;
        synchronized (this) {
            a = script.poll();
        }
        if (a == null) {
            a = standard(path);
        }
        if (a.status() < 0) {
            // A dropped connection after the request was read: the server may have made the task.
            ex.getResponseBody().close();
            ex.close();
            return;
        }
        if (a.retryAfter() != null) {
            ex.getResponseHeaders().add("Retry-After", a.retryAfter());
        }
        byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(a.status(), out.length);
        ex.getResponseBody().write(out);
        ex.close();
    }

    private static Answer standard(String path) {
        if (path.startsWith("/api/generate/submit")) {
            return new Answer(200, """
                    {"code":200,"data":{"task_id":"task-unified-1757165031-uyujaw3d","status":"not_started","created_time":"2026-04-19T21:19:42"}}""", null);
        }
        if (path.startsWith("/api/generate/status/")) {
            return new Answer(200, """
                    {"code":200,"data":{"task_id":"task-unified-1757165031-uyujaw3d","status":"finished","progress":100,
                     "files":[{"file_url":"https://storage.poyo.ai/generated/image-abc123.jpg","file_type":"image"}],
                     "created_time":"2025-11-12T10:30:00","error_message":null}}""", null);
        }
        if (path.startsWith("/api/generate/estimate")) {
            return new Answer(200, """
                    {"code":200,"data":{"credits":12}}""", null);
        }
        return new Answer(404, """
                {"code":404,"error":{"message":"Task not found","type":"not_found_error"}}""", null);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
