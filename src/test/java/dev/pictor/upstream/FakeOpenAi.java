package dev.pictor.upstream;

import dev.pictor.common.Json;
import dev.pictor.catalog.ImageFormat;
import java.util.Base64;
import tools.jackson.databind.JsonNode;

/**
 * OpenAI Images as its API answers: Bearer auth, JSON generations, multipart edits, {@code b64_json}
 * results, and its error shapes ({@code {"error":{message,type,param,code}}}).
 */
final class FakeOpenAi extends FakeUpstream {
    static final String KEY = "sk-fake-openai";
    static final String MODERATED = "{\"error\":{\"message\":\"Your request was rejected by the safety system.\",\"type\":\"image_generation_user_error\",\"param\":null,\"code\":\"moderation_blocked\"}}";
    static final String INVALID = "{\"error\":{\"message\":\"Invalid value for size.\",\"type\":\"invalid_request_error\",\"param\":\"size\",\"code\":\"invalid_value\"}}";

    FakeOpenAi() {
        server.createContext("/v1/images/", exchange -> {
            Call call = record(exchange);
            if (!("Bearer " + KEY).equals(call.header("Authorization"))) {
                send(exchange, 401, "{\"error\":{\"message\":\"Incorrect API key provided.\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}");
                return;
            }
            if (scriptedFault(exchange)) {
                return;
            }
            String size;
            if (call.path().equals("/v1/images/generations")) {
                size = Json.parse(call.bodyText()).get("size").asString();
            } else {
                String form = new String(call.body(), java.nio.charset.StandardCharsets.ISO_8859_1);
                var m = java.util.regex.Pattern.compile("name=\"size\"\r\n\r\n([^\r]+)").matcher(form);
                size = m.find() ? m.group(1) : "1024x1024";
            }
            String[] wh = size.split("x");
            byte[] png = image(Integer.parseInt(wh[0]), Integer.parseInt(wh[1]), ImageFormat.PNG);
            send(exchange, 200, "{\"created\":1795000000,\"data\":[{\"b64_json\":\"" + Base64.getEncoder().encodeToString(png)
                    + "\"}],\"size\":\"" + size + "\",\"output_format\":\"png\",\"usage\":{\"input_tokens\":10,\"output_tokens\":100,\"total_tokens\":110}}");
        });
        server.start();
    }

    JsonNode lastJson() {
        return Json.parse(calls("/v1/images/generations").getLast().bodyText());
    }
}
