package dev.pictor.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An HTTP/1.1 proxy on loopback in front of a real Pictor that, per request, follows a script:
 * answer a canned status itself, forward and then drop the connection without an answer (the
 * request reached the server, the client never hears back), or forward and relay the answer (once
 * the script is used up). A raw socket, because a lost answer is a closed connection, which no HTTP
 * server API can produce on purpose. One request per connection ({@code Connection: close}).
 */
final class ScriptedProxy implements AutoCloseable {
    /** What the proxy does with one request. */
    sealed interface Step permits Answer, ForwardThenDrop {
    }

    /** Answers {@code status} itself; the request never reaches Pictor. */
    record Answer(int status, String retryAfter) implements Step {
    }

    /** Forwards the request, then closes the connection without sending Pictor's answer. */
    record ForwardThenDrop() implements Step {
    }

    /** One request as the proxy saw it. */
    record Seen(String method, String path, String idempotencyKey) {
    }

    private static final Set<String> HOP_BY_HOP = Set.of("connection", "content-length", "host", "transfer-encoding",
            "keep-alive", "upgrade", "expect");

    private final URI target;
    private final ServerSocket socket;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final Deque<Step> script = new ArrayDeque<>();
    final List<Seen> seen = new CopyOnWriteArrayList<>();

    ScriptedProxy(String targetBaseUrl) throws IOException {
        this.target = URI.create(targetBaseUrl);
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.submit(this::accept);
    }

    String baseUrl() {
        return "http://127.0.0.1:" + socket.getLocalPort();
    }

    synchronized ScriptedProxy then(Step step) {
        script.addLast(step);
        return this;
    }

    private synchronized Step next() {
        return script.pollFirst();
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                threads.submit(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            String head = readHead(in);
            if (head == null) {
                return;
            }
            String[] lines = head.split("\r\n");
            String[] requestLine = lines[0].split(" ");
            HttpRequest.Builder forward = HttpRequest.newBuilder(target.resolve(requestLine[1]));
            int length = 0;
            String idempotencyKey = null;
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                String name = lines[i].substring(0, colon).trim();
                String value = lines[i].substring(colon + 1).trim();
                String lower = name.toLowerCase(Locale.ROOT);
                if (lower.equals("content-length")) {
                    length = Integer.parseInt(value);
                }
                if (lower.equals("idempotency-key")) {
                    idempotencyKey = value;
                }
                if (!HOP_BY_HOP.contains(lower)) {
                    forward.header(name, value);
                }
            }
            byte[] body = in.readNBytes(length);
            seen.add(new Seen(requestLine[0], requestLine[1], idempotencyKey));
            Step step = next();
            if (step instanceof Answer a) {
                String json = "{\"code\":" + a.status() + ",\"error\":{\"message\":\"scripted " + a.status()
                        + "\",\"type\":\"server_error\",\"param\":null}}";
                write(out, a.status(), a.retryAfter() == null ? "" : "Retry-After: " + a.retryAfter() + "\r\n",
                        "application/json", json.getBytes(StandardCharsets.UTF_8));
                return;
            }
            HttpResponse<byte[]> res = http.send(forward.method(requestLine[0], body.length == 0
                    ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (step instanceof ForwardThenDrop) {
                return; // the try-with-resources closes the socket: the answer is lost
            }
            write(out, res.statusCode(), "", res.headers().firstValue("Content-Type").orElse("application/json"), res.body());
        } catch (IOException | InterruptedException | RuntimeException e) {
            // The client went away or the script ended the connection: nothing to answer.
        }
    }

    private static void write(OutputStream out, int status, String extraHeaders, String contentType, byte[] body) throws IOException {
        String head = "HTTP/1.1 " + status + " Scripted\r\nContent-Type: " + contentType + "\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n" + extraHeaders + "\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    /** The request line and headers, up to the blank line; null when the connection closed first. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while ((b = in.read()) != -1) {
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                String s = head.toString(StandardCharsets.ISO_8859_1);
                return s.substring(0, s.length() - 4);
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        socket.close();
        threads.shutdownNow();
    }
}
