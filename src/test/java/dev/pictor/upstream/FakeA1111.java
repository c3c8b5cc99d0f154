package dev.pictor.upstream;

import dev.pictor.catalog.ImageFormat;
import dev.pictor.common.Json;
import java.util.Base64;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * AUTOMATIC1111 / Forge with {@code --api}: no auth; {@code POST /sdapi/v1/txt2img} and {@code img2img}
 * answer {@code {"images":[<base64 png>...],"parameters":{...},"info":"<json string>"}} after the whole
 * batch is done; FastAPI 422s; {@code POST /sdapi/v1/interrupt} ends the running generation early. When
 * {@link #hold} is set a generation waits for an interrupt, and {@link #generationsAtInterrupt} records
 * how many generations had been asked for by then.
 */
final class FakeA1111 extends FakeUpstream {
    volatile boolean hold;
    /** How many generations had been asked for when the first interrupt came. */
    volatile int generationsAtInterrupt = -1;
    private volatile CountDownLatch interrupted = new CountDownLatch(1);

    FakeA1111() {
        server.createContext("/sdapi/v1/", exchange -> {
            Call call = record(exchange);
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/sdapi/v1/interrupt")) {
                if (generationsAtInterrupt < 0) {
                    generationsAtInterrupt = calls("/sdapi/v1/txt2img").size() + calls("/sdapi/v1/img2img").size();
                }
                interrupted.countDown();
                send(exchange, 200, "{}");
                return;
            }
            if (scriptedFault(exchange)) {
                return;
            }
            if (!path.equals("/sdapi/v1/txt2img") && !path.equals("/sdapi/v1/img2img")) {
                send(exchange, 404, "{\"detail\":\"Not Found\"}");
                return;
            }
            JsonNode body = Json.parse(call.bodyText());
            if (!body.hasNonNull("prompt") || (path.endsWith("img2img") && body.path("init_images").isEmpty())) {
                send(exchange, 422, "{\"detail\":[{\"loc\":[\"body\",\"init_images\"],\"msg\":\"field required\",\"type\":\"value_error.missing\"}]}");
                return;
            }
            try {
                if (hold) {
                    interrupted.await(20, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String png = Base64.getEncoder().encodeToString(image(body.path("width").asInt(64) / 16, body.path("height").asInt(64) / 16, ImageFormat.PNG));
            var out = new StringBuilder("{\"images\":[");
            for (int i = 0; i < body.path("batch_size").asInt(1); i++) {
                out.append(i == 0 ? "\"" : ",\"").append(png).append('"');
            }
            try {
                send(exchange, 200, out.append("],\"parameters\":{},\"info\":\"{\\\"seed\\\": 1}\"}").toString());
            } catch (java.io.IOException e) {
                exchange.close(); // Pictor hung up (cancelled)
            }
        });
        server.start();
    }

    /** Lets held generations finish, and holds no more. */
    void release() {
        hold = false;
        interrupted.countDown();
    }

    JsonNode lastJson(String path) {
        return Json.parse(calls(path).getLast().bodyText());
    }
}
