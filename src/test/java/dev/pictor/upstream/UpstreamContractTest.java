package dev.pictor.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.BuiltInUpstreams;
import dev.pictor.common.Json;
import dev.pictor.catalog.ModelCatalog;
import dev.pictor.catalog.ModelSpec;
import dev.pictor.support.ImageServer;
import dev.pictor.support.TestNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What every upstream adapter must do, run against each vendor's fake: serve every model the vendor
 * is routed for; survive a malformed answer and a slow one (both retried); and treat the vendor's
 * invalid-input error as final, with no fallback even when another route exists.
 */
class UpstreamContractTest {
    private static final String KEY = TestNode.ADMIN_KEY;

    /** A vendor under test: its fake, the settings that point Pictor at it, and its invalid-input answer. */
    record Vendor(String name, Supplier<FakeUpstream> fake, Function<FakeUpstream, Map<String, String>> env, FakeUpstream.Fault invalid,
                  String baseSetting, String otherSpelling, String model) {
        /** A vendor whose definition routes models by default: the tests use those. */
        Vendor(String name, Supplier<FakeUpstream> fake, Function<FakeUpstream, Map<String, String>> env, FakeUpstream.Fault invalid,
               String baseSetting, String otherSpelling) {
            this(name, fake, env, invalid, baseSetting, otherSpelling, null);
        }

        /** The models under test: the definition's defaults, or for a local engine the one its env routes. */
        List<String> models() {
            return model != null ? List.of(model)
                    : BuiltInUpstreams.find(name).orElseThrow().models().keySet().stream().sorted().toList();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Vendor> vendors() {
        return Stream.of(
                new Vendor("openai", FakeOpenAi::new, f -> Map.of("PICTOR_OPENAI_API_KEY", FakeOpenAi.KEY, "PICTOR_OPENAI_BASE_URL", f.baseUrl()),
                        FakeUpstream.Fault.of(400, FakeOpenAi.INVALID), "PICTOR_OPENAI_BASE_URL", "/v1/"),
                new Vendor("gemini", FakeGemini::new, f -> Map.of("PICTOR_GEMINI_API_KEY", FakeGemini.KEY, "PICTOR_GEMINI_BASE_URL", f.baseUrl()),
                        FakeUpstream.Fault.of(400, "{\"error\":{\"code\":400,\"message\":\"Unsupported aspect ratio\",\"status\":\"INVALID_ARGUMENT\"}}"),
                        "PICTOR_GEMINI_BASE_URL", "/v1beta/"),
                new Vendor("ark", FakeArk::new, f -> Map.of("PICTOR_ARK_API_KEY", FakeArk.KEY, "PICTOR_ARK_BASE_URL", f.baseUrl() + "/api/v3"),
                        FakeUpstream.Fault.of(400, "{\"error\":{\"code\":\"InvalidParameter\",\"message\":\"size is invalid\",\"param\":\"size\",\"type\":\"BadRequest\"}}"),
                        "PICTOR_ARK_BASE_URL", "/"),
                new Vendor("bfl", FakeBfl::new, f -> Map.of("PICTOR_BFL_API_KEY", FakeBfl.KEY, "PICTOR_BFL_BASE_URL", f.baseUrl()),
                        FakeUpstream.Fault.of(422, "{\"detail\":[{\"loc\":[\"body\",\"width\"],\"msg\":\"width too large\",\"type\":\"value_error\"}]}"),
                        "PICTOR_BFL_BASE_URL", "/v1/"),
                new Vendor("kling", FakeKling::new, f -> Map.of("PICTOR_KLING_ACCESS_KEY", FakeKling.ACCESS, "PICTOR_KLING_SECRET_KEY", FakeKling.SECRET,
                        "PICTOR_KLING_BASE_URL", f.baseUrl()), FakeUpstream.Fault.of(400, "{\"code\":1201,\"message\":\"invalid parameters\",\"request_id\":\"r\"}"),
                        "PICTOR_KLING_BASE_URL", "/"),
                new Vendor("dashscope", FakeDashScope::new, f -> Map.of("PICTOR_DASHSCOPE_API_KEY", FakeDashScope.KEY, "PICTOR_DASHSCOPE_BASE_URL", f.baseUrl()),
                        FakeUpstream.Fault.of(400, "{\"request_id\":\"r\",\"code\":\"InvalidParameter\",\"message\":\"size is invalid\"}"),
                        "PICTOR_DASHSCOPE_BASE_URL", "/api/v1/"),
                new Vendor("xai", FakeXai::new, f -> Map.of("PICTOR_XAI_API_KEY", FakeXai.KEY, "PICTOR_XAI_BASE_URL", f.baseUrl()),
                        FakeUpstream.Fault.of(400, "{\"code\":\"Client specified an invalid argument\",\"error\":\"aspect_ratio is invalid\"}"),
                        "PICTOR_XAI_BASE_URL", "/v1/"),
                new Vendor("fal", FakeFal::new, f -> Map.of("PICTOR_FAL_KEY", FakeFal.KEY, "PICTOR_FAL_BASE_URL", f.baseUrl()),
                        FakeUpstream.Fault.of(422, "{\"detail\":[{\"loc\":[\"body\",\"image_size\"],\"msg\":\"value is not a valid size\",\"type\":\"value_error\"}]}"),
                        "PICTOR_FAL_BASE_URL", "/"),
                new Vendor("replicate", FakeReplicate::new, f -> Map.of("PICTOR_REPLICATE_API_TOKEN", FakeReplicate.KEY, "PICTOR_REPLICATE_BASE_URL", f.baseUrl()),
                        FakeUpstream.Fault.of(422, "{\"title\":\"Input validation failed\",\"detail\":\"- input.width: must be <= 1440\",\"status\":422}"),
                        "PICTOR_REPLICATE_BASE_URL", "/v1/"),
                new Vendor("a1111", FakeA1111::new, f -> Map.of("PICTOR_A1111_URL", f.baseUrl(), "PICTOR_ROUTES", "flux-2-pro=a1111"),
                        FakeUpstream.Fault.of(422, "{\"detail\":[{\"loc\":[\"body\",\"width\"],\"msg\":\"value is not a valid integer\",\"type\":\"type_error.integer\"}]}"),
                        "PICTOR_A1111_URL", "/", "flux-2-pro"),
                new Vendor("sdcpp", FakeSdCpp::new, f -> Map.of("PICTOR_SDCPP_URL", f.baseUrl(), "PICTOR_ROUTES", "flux-2-pro=sdcpp"),
                        FakeUpstream.Fault.of(400, "{\"error\":\"invalid size\"}"), "PICTOR_SDCPP_URL", "/v1/", "flux-2-pro"),
                // ComfyUI's own routes are also served under /api: that is the other spelling
                new Vendor("comfyui", FakeComfyUi::new, f -> Map.of("PICTOR_COMFYUI_URL", f.baseUrl(),
                        "PICTOR_COMFYUI_WORKFLOWS", ((FakeComfyUi) f).workflows.toString()),
                        FakeUpstream.Fault.of(400, "{\"error\":{\"type\":\"prompt_outputs_failed_validation\",\"message\":\"Prompt outputs failed validation\","
                                + "\"details\":\"\",\"extra_info\":{}},\"node_errors\":{\"5\":{\"errors\":[{\"type\":\"value_bigger_than_max\","
                                + "\"message\":\"Value bigger than max\",\"details\":\"width: 99999 bigger than max of 16384\",\"extra_info\":{\"input_name\":\"width\","
                                + "\"received_value\":99999}}],\"dependent_outputs\":[\"9\"],\"class_type\":\"EmptyLatentImage\"}}}"),
                        "PICTOR_COMFYUI_URL", "/api/", "flux-2-pro"));
    }

    private static TestNode node(Vendor vendor, FakeUpstream fake, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(vendor.env().apply(fake));
        env.put("PICTOR_UPSTREAM_POLL_MS", "20");
        // Retries back off from 10 ms instead of 1 s: the test checks what is retried, not how long it waits.
        env.put("PICTOR_RETRY_BASE_MS", "10");
        env.putAll(extra);
        return TestNode.start(env);
    }

    /** The smallest valid input for a model: a prompt, its required fields' first choices, and a source on edit models. */
    private static ObjectNode minimalInput(ModelSpec spec, String source) {
        ObjectNode input = Json.object().put("prompt", "contract test");
        for (JsonNode field : spec.describe().get("fields")) {
            if (field.get("required").asBoolean() && field.has("enum")) {
                input.put(field.get("name").asString(), field.get("enum").get(0).asString());
            }
        }
        if (spec.isEdit()) {
            input.putArray("image_urls").add(source);
        }
        return input;
    }

    private static JsonNode run(TestNode node, String model, ObjectNode input) {
        String id = node.client().submit(KEY, model, input);
        return node.client().awaitTerminal(KEY, id, Duration.ofSeconds(30));
    }

    private static String firstModel(Vendor vendor) {
        return vendor.models().stream().filter(m -> !m.endsWith("-edit")).findFirst().orElseThrow();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vendors")
    void servesEveryModelItIsRoutedFor(Vendor vendor) {
        var catalog = new ModelCatalog();
        try (FakeUpstream fake = vendor.fake().get(); var images = new ImageServer(); TestNode node = node(vendor, fake, Map.of())) {
            String source = images.image("source.png", 256, 192, 0x336699);
            List<String> models = vendor.models();
            for (String model : models) {
                JsonNode data = run(node, model, minimalInput(catalog.find(model).orElseThrow(), source));
                assertThat(data.get("status").asString()).as(model + ": " + data).isEqualTo("finished");
                assertThat(data.get("provider").asString()).as(model).isEqualTo(vendor.name());
                assertThat(node.client().download(data.get("files").get(0).get("file_url").asString()).statusCode()).isEqualTo(200);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vendors")
    void aMalformedAnswerAndASlowOneAreRetried(Vendor vendor) {
        try (FakeUpstream fake = vendor.fake().get(); TestNode node = node(vendor, fake, Map.of("PICTOR_UPSTREAM_TIMEOUT_SECONDS", "1"))) {
            fake.fail(FakeUpstream.Fault.of(200, "<html>this is not json</html>"), FakeUpstream.Fault.slow(Duration.ofMillis(2500)));
            String model = firstModel(vendor);
            JsonNode data = run(node, model, minimalInput(new ModelCatalog().find(model).orElseThrow(), null));
            assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
            assertThat(data.get("attempts")).hasSize(2);
            assertThat(data.get("attempts").get(0).get("message").asString()).contains("not JSON");
            assertThat(data.get("attempts").get(1).get("message").asString()).contains("did not answer within 1 s");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vendors")
    void invalidInputIsFinalEvenWithAnotherRoute(Vendor vendor) {
        String model = firstModel(vendor);
        try (FakeUpstream fake = vendor.fake().get(); TestNode node = node(vendor, fake, Map.of("PICTOR_ROUTES", model + "=" + vendor.name() + ",sandbox"))) {
            fake.fail(vendor.invalid());
            JsonNode data = run(node, model, minimalInput(new ModelCatalog().find(model).orElseThrow(), null));
            assertThat(data.get("status").asString()).isEqualTo("failed");
            assertThat(data.get("error_code").asString()).as(data.toString()).isEqualTo("invalid_input");
            assertThat(data.get("provider").asString()).isEqualTo(vendor.name());
            assertThat(data.get("attempts")).isEmpty();
        }
    }

    /**
     * The base URL as the vendor's SDK writes it (with its version path, or without) and with a
     * trailing slash: the tests above use one spelling, this one the other, and both must reach the
     * same paths.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("vendors")
    void theBaseUrlWorksInTheOtherSpellingToo(Vendor vendor) {
        try (FakeUpstream fake = vendor.fake().get()) {
            Map<String, String> env = new HashMap<>(vendor.env().apply(fake));
            env.put(vendor.baseSetting(), fake.baseUrl() + vendor.otherSpelling());
            env.put("PICTOR_UPSTREAM_POLL_MS", "100");
            try (TestNode node = TestNode.start(env)) {
                String model = firstModel(vendor);
                JsonNode data = run(node, model, minimalInput(new ModelCatalog().find(model).orElseThrow(), null));
                assertThat(data.get("status").asString()).as(data.toString()).isEqualTo("finished");
                assertThat(fake.calls()).allSatisfy(c -> assertThat(c.path()).doesNotContain("//").doesNotContain("/v1/v1").doesNotContain("/api/v3/api/v3"));
            }
        }
    }

    /** A wrong base URL or model id is the operator's to fix: never invalid_input, and the message says what to check. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("vendors")
    void aNotFoundFromTheUpstreamIsAConfigurationFaultNotTheClients(Vendor vendor) {
        String model = firstModel(vendor);
        try (FakeUpstream fake = vendor.fake().get(); TestNode node = node(vendor, fake, Map.of())) {
            fake.fail(FakeUpstream.Fault.of(404, "{\"error\":\"not found\"}"));
            JsonNode data = run(node, model, minimalInput(new ModelCatalog().find(model).orElseThrow(), null));
            assertThat(data.get("status").asString()).isEqualTo("failed");
            assertThat(data.get("error_code").asString()).as(data.toString()).isEqualTo("upstream_error");
            assertThat(data.get("error_message").asString()).contains("operator should check");
        }
    }
}
