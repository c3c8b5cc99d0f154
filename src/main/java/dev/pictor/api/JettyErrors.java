package dev.pictor.api;

import dev.pictor.common.Json;
import io.javalin.config.JettyConfig;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.component.LifeCycle;
import org.eclipse.jetty.util.thread.Scheduler;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import tools.jackson.databind.node.ObjectNode;

/**
 * The errors Jetty answers itself, before a route or Javalin's handlers see the request: control
 * characters in a header or an 8 KB header (400, 431), a 10,000-character path (414), {@code %00} or
 * invalid percent-encoding (400). Jetty writes those as HTML; a client of either surface parses the
 * error envelope, so they are written in the envelope of the surface the path names, like every
 * other error. Also bounds the time a client may take to send a request's headers: Jetty's idle
 * timeout restarts with every byte, so headers trickled a byte at a time held a connection forever.
 */
final class JettyErrors extends ErrorHandler {
    private JettyErrors() {
    }

    /** Puts the envelope writer on the server and on the servlet context (each has its own), and the header timeout on every connector. */
    static void install(JettyConfig jetty, Duration headerTimeout) {
        JettyErrors errors = new JettyErrors();
        jetty.modifyServer(server -> {
            server.setErrorHandler(errors);
            server.addEventListener(new LifeCycle.Listener() {
                @Override
                public void lifeCycleStarting(LifeCycle event) {
                    for (Connector connector : server.getConnectors()) {
                        connector.addBean(new HeaderTimeout(connector.getScheduler(), headerTimeout));
                    }
                }
            });
        });
        jetty.modifyServletContextHandler(context -> context.setErrorHandler(errors));
    }

    /**
     * Checks each connection every half timeout; one still inside the same request's headers at two
     * checks in a row (so for between one half and one whole timeout) is closed. A legitimate client
     * sends its headers in milliseconds; idle keep-alive connections are not in a header and are left
     * to Jetty's idle timeout.
     */
    private record HeaderTimeout(Scheduler scheduler, Duration timeout) implements Connection.Listener {
        @Override
        public void onOpened(Connection connection) {
            if (connection instanceof HttpConnection http) {
                schedule(http, -1);
            }
        }

        private void schedule(HttpConnection http, long seenInHeaderAt) {
            scheduler.schedule(() -> check(http, seenInHeaderAt), Math.max(1, timeout.toMillis() / 2), TimeUnit.MILLISECONDS);
        }

        private void check(HttpConnection http, long seenInHeaderAt) {
            if (!http.getEndPoint().isOpen()) {
                return;
            }
            var parser = http.getParser();
            boolean inHeader = !parser.isStart() && parser.inHeaderState();
            long messages = http.getMessagesIn();
            if (inHeader && seenInHeaderAt == messages) {
                http.getEndPoint().close();
                return;
            }
            schedule(http, inHeader ? messages : -1);
        }
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        byte[] body = body(path(request), code, message);
        response.setStatus(code);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, MimeTypes.Type.APPLICATION_JSON_UTF_8.asString());
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /** What the HTTP parser answers when a request cannot even be parsed into a path. */
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(new HttpField(HttpHeader.CONTENT_TYPE, MimeTypes.Type.APPLICATION_JSON_UTF_8.asString()));
        return ByteBuffer.wrap(body(null, status, reason));
    }

    private static String path(Request request) {
        if (request.getHttpURI() == null) {
            return null;
        }
        try {
            return request.getHttpURI().getPath();
        } catch (RuntimeException e) {
            return null; // the path is what was malformed (Jetty then reports it as /badMessage)
        }
    }

    static byte[] body(String path, int code, String reason) {
        String message = switch (code) {
            case 414 -> "the request path is too long";
            case 431 -> "a request header, or the headers together, are too large";
            case 408 -> "the request was not received in time";
            default -> code >= 500 ? "internal server error" : "the request is malformed" + detail(reason);
        };
        String type = code >= 500 ? "server_error" : "invalid_request_error";
        ObjectNode envelope = Json.object();
        if (path != null && path.replaceFirst("^/+", "/").startsWith("/v1/")) {
            ObjectNode error = envelope.putObject("error");
            error.put("message", message).put("type", type).putNull("param").putNull("code");
        } else {
            envelope.put("code", code);
            // Also the answer when the path is unknown: its error object is OpenAI's shape as well.
            envelope.putObject("error").put("message", message).put("type", type).putNull("param");
        }
        return Json.write(envelope).getBytes(StandardCharsets.UTF_8);
    }

    /** Jetty's reason, kept short and printable: it names the fault, never echoes the request. */
    private static String detail(String reason) {
        if (reason == null || reason.isBlank()) {
            return "";
        }
        String clean = reason.replaceAll("[^\\x20-\\x7e]", "?");
        return ": " + (clean.length() > 100 ? clean.substring(0, 100) : clean);
    }
}
