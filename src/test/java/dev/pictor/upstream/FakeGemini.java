package dev.pictor.upstream;

import dev.pictor.common.Json;
import dev.pictor.catalog.ImageFormat;
import java.util.Base64;
import tools.jackson.databind.JsonNode;

/**
 * The Gemini API as it answers image requests: {@code x-goog-api-key}, generateContent with parts,
 * an inline PNG part (after a text part) on success, blocked prompts as HTTP 200 with
 * {@code promptFeedback.blockReason}, errors as {@code {"error":{code,message,status}}}.
 */
final class FakeGemini extends FakeUpstream {
    static final String KEY = "fake-gemini-key";
    static final String BLOCKED = "{\"promptFeedback\":{\"blockReason\":\"SAFETY\",\"safetyRatings\":[]},\"usageMetadata\":{\"promptTokenCount\":8}}";
    static final String NO_IMAGE = "{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"I can't draw that.\"}]},\"finishReason\":\"IMAGE_SAFETY\"}]}";

    FakeGemini() {
        server.createContext("/v1beta/models/", exchange -> {
            Call call = record(exchange);
            if (!KEY.equals(call.header("x-goog-api-key"))) {
                send(exchange, 403, "{\"error\":{\"code\":403,\"message\":\"API key not valid.\",\"status\":\"PERMISSION_DENIED\"}}");
                return;
            }
            if (!exchange.getRequestURI().getPath().endsWith(":generateContent")) {
                send(exchange, 404, "{\"error\":{\"code\":404,\"message\":\"not found\",\"status\":\"NOT_FOUND\"}}");
                return;
            }
            if (scriptedFault(exchange)) {
                return;
            }
            String png = Base64.getEncoder().encodeToString(image(96, 64, ImageFormat.PNG));
            send(exchange, 200, "{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Here you go\"},"
                    + "{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"" + png + "\"},\"thoughtSignature\":\"abc\"}]},"
                    + "\"finishReason\":\"STOP\",\"index\":0}],\"modelVersion\":\"gemini-3.1-flash-image-preview\"}");
        });
        server.start();
    }

    JsonNode lastBody() {
        return Json.parse(calls().getLast().bodyText());
    }
}
