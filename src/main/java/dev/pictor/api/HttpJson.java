package dev.pictor.api;

import dev.pictor.common.Json;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Reading JSON bodies under a size limit, and writing the success and error envelopes. */
final class HttpJson {
    private HttpJson() {
    }

    /** How many times the body limit an oversize body may be to be read and dropped before its 413. */
    private static final long DRAIN_FACTOR = 8;

    private static void drain(Context ctx, long bytes) {
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] buffer = new byte[64 * 1024];
            long left = bytes;
            int n;
            while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
                left -= n;
            }
        } catch (IOException e) {
            // the client went away; the 413 is still the answer
        }
    }

    /** The parsed body; 413 past {@code maxBytes} (declared or actual), 400 when it is not a JSON object. */
    static ObjectNode readObject(Context ctx, long maxBytes) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxBytes) {
            // A client still sending when the answer comes may miss it (the connection is reset under
            // it); a body of moderate size is read and dropped first so the 413 arrives. Beyond that,
            // the answer goes at once and Jetty closes the connection.
            if (declared <= DRAIN_FACTOR * maxBytes) {
                drain(ctx, declared);
            }
            throw ApiException.tooLarge("request body is " + declared + " bytes; the limit is " + maxBytes);
        }
        byte[] body;
        try (InputStream in = ctx.req().getInputStream()) {
            body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        } catch (IOException e) {
            throw ApiException.badRequest("request body could not be read", null);
        }
        if (body.length > maxBytes) {
            throw ApiException.tooLarge("request body is over the limit of " + maxBytes + " bytes");
        }
        if (body.length == 0) {
            throw ApiException.badRequest("request body is empty; send a JSON object", null);
        }
        if (!isUtf8(body)) {
            throw ApiException.badRequest("request body is not valid UTF-8", null);
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(body);
        } catch (JacksonException e) {
            throw ApiException.badRequest("request body is not valid JSON", null);
        }
        if (node == null || !node.isObject()) {
            throw ApiException.badRequest("request body must be a JSON object", null);
        }
        return (ObjectNode) node;
    }

    /** Strict UTF-8: overlong forms, surrogates and stray bytes are refused (the JSON parser lets some through). */
    static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    static void ok(Context ctx, JsonNode data) {
        write(ctx, 200, envelope(data));
    }

    /** The success envelope {@code {"code":200,"data":...}} around {@code data}. */
    static ObjectNode envelope(JsonNode data) {
        ObjectNode envelope = Json.object();
        envelope.put("code", 200);
        envelope.set("data", data);
        return envelope;
    }

    /**
     * A 200 whose JSON body was rendered before (a cached answer), written to the response stream at
     * once: as a result, Javalin would copy it through a fresh 32 KB buffer (its response buffer size),
     * a sixth of a cached status read's CPU. Jetty still sends it with its Content-Length.
     */
    static void okBytes(Context ctx, byte[] body) {
        ctx.status(200).contentType("application/json");
        try {
            ctx.outputStream().write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes an error in the shape of the surface that was called: OpenAI's
     * {@code {"error":{"message","type","param","code"}}} under {@code /v1/}, else the APIDot envelope.
     */
    static void error(Context ctx, ApiException e) {
        if (ctx.path().replaceFirst("^/+", "/").startsWith("/v1/")) {
            ObjectNode body = Json.object();
            ObjectNode error = body.putObject("error");
            error.put("message", e.getMessage());
            error.put("type", e.type());
            String param = e.param();
            error.put("param", param != null && param.startsWith("input.") ? param.substring("input.".length()) : param);
            error.put("code", e.code());
            error.put("request_id", RequestIds.of(ctx));
            if (e.retryAfterSeconds() != null) {
                ctx.header("Retry-After", Integer.toString(e.retryAfterSeconds()));
            }
            write(ctx, e.status(), body);
            return;
        }
        ObjectNode envelope = Json.object();
        envelope.put("code", e.status());
        ObjectNode error = envelope.putObject("error");
        error.put("message", e.getMessage());
        error.put("type", e.type());
        if (e.param() != null) {
            error.put("param", e.param());
        }
        error.put("request_id", RequestIds.of(ctx));
        if (e.retryAfterSeconds() != null) {
            ctx.header("Retry-After", Integer.toString(e.retryAfterSeconds()));
        }
        write(ctx, e.status(), envelope);
    }

    static void write(Context ctx, int status, JsonNode body) {
        ctx.status(status).contentType("application/json").result(Json.write(body));
    }

}
