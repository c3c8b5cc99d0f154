package dev.pictor.upstream;

import dev.pictor.catalog.ImageFormat;
import dev.pictor.common.Json;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * The stable-diffusion.cpp server's OpenAI-compatible API (its {@code api.md}): no auth;
 * {@code POST /v1/images/generations} JSON and {@code POST /v1/images/edits} multipart with
 * {@code image[]}; answers {@code {"created","output_format","data":[{"b64_json"}]}}; records how many
 * calls ran at once.
 */
final class FakeSdCpp extends FakeUpstream {
    private final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();

    FakeSdCpp() {
        server.createContext("/v1/images/", exchange -> {
            Call call = record(exchange);
            if (scriptedFault(exchange)) {
                return;
            }
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                int n;
                String size;
                if (call.path().equals("/v1/images/generations")) {
                    JsonNode body = Json.parse(call.bodyText());
                    if (!body.hasNonNull("prompt")) {
                        inFlight.decrementAndGet();
                        send(exchange, 400, "{\"error\":\"prompt required\"}");
                        return;
                    }
                    n = body.path("n").asInt(1);
                    size = body.path("size").asString("512x512");
                } else {
                    String form = new String(call.body(), StandardCharsets.ISO_8859_1);
                    if (!form.contains("name=\"image[]\"")) {
                        inFlight.decrementAndGet();
                        send(exchange, 400, "{\"error\":\"image required\"}");
                        return;
                    }
                    var m = Pattern.compile("name=\"n\"\r\n\r\n(\\d+)").matcher(form);
                    n = m.find() ? Integer.parseInt(m.group(1)) : 1;
                    var s = Pattern.compile("name=\"size\"\r\n\r\n([^\r]+)").matcher(form);
                    size = s.find() ? s.group(1) : "512x512";
                }
                String[] wh = size.split("x");
                String png = Base64.getEncoder().encodeToString(image(Integer.parseInt(wh[0]) / 16, Integer.parseInt(wh[1]) / 16, ImageFormat.PNG));
                var out = new StringBuilder("{\"created\":1795000000,\"output_format\":\"png\",\"data\":[");
                for (int i = 0; i < n; i++) {
                    out.append(i == 0 ? "" : ",").append("{\"b64_json\":\"").append(png).append("\"}");
                }
                String answer = out.append("]}").toString();
                inFlight.decrementAndGet(); // done before the answer leaves, so the next call cannot overlap it
                send(exchange, 200, answer);
            } catch (RuntimeException e) {
                inFlight.decrementAndGet();
                throw e;
            }
        });
        server.start();
    }
}
