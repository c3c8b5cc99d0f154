package dev.pictor.upstream;

import dev.pictor.common.Json;
import dev.pictor.catalog.ImageFormat;
import java.util.Base64;
import tools.jackson.databind.JsonNode;

/**
 * BytePlus ModelArk's image endpoint as it answers: Bearer key, {@code POST /api/v3/images/generations},
 * {@code data[]} of {@code b64_json} (or {@code url}) with {@code size}, errors as
 * {@code {"error":{code,message,param,type}}}; a sequential request returns max_images images.
 */
final class FakeArk extends FakeUpstream {
    static final String KEY = "fake-ark-key";
    static final String SENSITIVE = "{\"error\":{\"code\":\"InputTextSensitiveContentDetected\",\"message\":\"The request failed because the input text may contain sensitive information. Request ID: 1\",\"param\":\"\",\"type\":\"BadRequest\"}}";

    FakeArk() {
        server.createContext("/api/v3/images/generations", exchange -> {
            Call call = record(exchange);
            if (!("Bearer " + KEY).equals(call.header("Authorization"))) {
                send(exchange, 401, "{\"error\":{\"code\":\"AuthenticationError\",\"message\":\"the API key is invalid\",\"type\":\"Unauthorized\"}}");
                return;
            }
            if (scriptedFault(exchange)) {
                return;
            }
            JsonNode body = Json.parse(call.bodyText());
            String[] wh = body.get("size").asString().split("x");
            int count = body.path("sequential_image_generation").asString("disabled").equals("auto")
                    ? body.path("sequential_image_generation_options").path("max_images").asInt(1) : 1;
            var out = new StringBuilder("{\"model\":\"" + body.get("model").asString() + "\",\"created\":1795000000,\"data\":[");
            for (int i = 0; i < count; i++) {
                String jpeg = Base64.getEncoder().encodeToString(image(Integer.parseInt(wh[0]) / 8, Integer.parseInt(wh[1]) / 8, ImageFormat.JPEG));
                out.append(i == 0 ? "" : ",").append("{\"b64_json\":\"").append(jpeg).append("\",\"size\":\"").append(body.get("size").asString()).append("\"}");
            }
            out.append("],\"usage\":{\"generated_images\":").append(count).append(",\"output_tokens\":16384,\"total_tokens\":16384}}");
            send(exchange, 200, out.toString());
        });
        server.start();
    }

    JsonNode lastBody() {
        return Json.parse(calls().getLast().bodyText());
    }
}
