package dev.pictor.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.catalog.InvalidInputException;
import dev.pictor.catalog.ModelCatalog;
import dev.pictor.catalog.ModelSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The client's {@link ModelRules} against the server's own {@link ModelCatalog} (on the test
 * classpath): for every model the client knows, inputs derived from the server's description of each
 * field (every enum value, one past each range, too many images, wrong types, custom sizes in and out
 * of limits, the cross-field rules) must be accepted by both or rejected by both with the same
 * param. A rule changed on one side only fails here.
 */
class CatalogRulesTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int NO_SERVER_LIMIT = 1_000_000;

    @Test
    void everyFamilyModelOfTheServerCatalogHasClientRulesAndNoneIsInvented() {
        List<String> families = List.of("gpt-image-2", "nano-banana", "seedream", "flux-2", "flux-kontext", "kling-image",
                "wan-2.7", "z-image", "grok-imagine");
        List<String> serverIds = new ArrayList<>();
        for (ModelSpec spec : new ModelCatalog().all()) {
            if (families.stream().anyMatch(spec.family()::startsWith)) {
                serverIds.add(spec.id());
            }
        }
        assertThat(ModelRules.models()).containsExactlyInAnyOrderElementsOf(serverIds);
    }

    @Test
    void clientAndServerAcceptAndRejectTheSameInputsWithTheSameParam() {
        int compared = 0;
        List<String> mismatches = new ArrayList<>();
        for (ModelSpec spec : new ModelCatalog().all()) {
            ModelRules rules = ModelRules.of(spec.id()).orElse(null);
            if (rules == null) {
                continue;
            }
            for (ObjectNode input : samples(spec)) {
                String server = server(spec, input);
                String client = client(rules, input);
                if (!server.equals(client)) {
                    mismatches.add(spec.id() + " " + input + ": server " + server + ", client " + client);
                }
                compared++;
            }
        }
        assertThat(mismatches).isEmpty();
        assertThat(compared).isGreaterThan(1500);
    }

    @Test
    void typedBuildersSendWhatTheServerAcceptsAndRefuseWhatItRefuses() {
        ModelCatalog catalog = new ModelCatalog();
        List<ModelRequest> valid = List.of(
                Requests.gptImage("gpt-image-2").prompt("p").quality("high").size("2048x1152").resolution("2K").build(),
                Requests.nanoBanana("nano-banana-2-edit").prompt("p").seed(7).googleSearch(true).imageUrls(List.of("https://a.example/1.png")).build(),
                Requests.seedream("seedream-4.5").prompt("p").size(2048, 2048).n(3).build(),
                Requests.flux2("flux-2-pro").prompt("p").size("16:9").resolution("2K").build(),
                Requests.fluxKontext("flux-kontext-max-edit").prompt("p").imageUrls(List.of("https://a.example/1.png")).outputFormat("jpg").build(),
                Requests.kling("kling-o3-image").prompt("@Element1 on a beach").series(4).element("https://a.example/f.png", List.of()).build(),
                Requests.wan("wan-2.7-image").prompt("p").size(1024, 512).n(2).seed(1).build(),
                Requests.zImage().prompt("p").size("1:1").build(),
                Requests.grokImagine("grok-imagine-image-quality").prompt("p").aspectRatio("16:9").n(4).build());
        for (ModelRequest r : valid) {
            assertThat(server(catalog.find(r.model()).orElseThrow(), JSON.valueToTree(r.input()))).as(r.toString()).isEqualTo("ok");
        }
        assertThatThrownBy(() -> Requests.nanoBanana("nano-banana-pro").prompt("p").seed(7).build())
                .isInstanceOfSatisfying(PictorException.InvalidRequest.class, e -> {
                    assertThat(e.param()).isEqualTo("input.seed");
                    assertThat(e.type()).isEqualTo(ModelRules.CLIENT_CHECK);
                    assertThat(e.transient_()).isFalse();
                });
        assertThatThrownBy(() -> Requests.gptImage("gpt-image-2").prompt("p").size("2048x1152").build())
                .isInstanceOfSatisfying(PictorException.InvalidRequest.class, e -> assertThat(e.param()).isEqualTo("input.resolution"));
        assertThatThrownBy(() -> Requests.fluxKontext("flux-kontext-pro-edit").prompt("p")
                .imageUrls(List.of("https://a.example/1.png", "https://a.example/2.png")).build())
                .isInstanceOfSatisfying(PictorException.InvalidRequest.class, e -> assertThat(e.param()).isEqualTo("input.image_urls"));
        assertThatThrownBy(() -> Requests.zImage().prompt("p").build())
                .isInstanceOfSatisfying(PictorException.InvalidRequest.class, e -> assertThat(e.param()).isEqualTo("input.size"));
        assertThatThrownBy(() -> Requests.seedream("z-image")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ModelRequest.of("kling-o3-image").put("prompt", "p").put("n", 10).checked())
                .isInstanceOfSatisfying(PictorException.InvalidRequest.class, e -> assertThat(e.param()).isEqualTo("input.n"));
        assertThat(ModelRequest.of("some-future-model").put("anything", 1).checked().model()).isEqualTo("some-future-model");
    }

    private static String server(ModelSpec spec, JsonNode input) {
        try {
            spec.validate(input, NO_SERVER_LIMIT);
            return "ok";
        } catch (InvalidInputException e) {
            return e.field();
        }
    }

    @SuppressWarnings("unchecked")
    private static String client(ModelRules rules, ObjectNode input) {
        try {
            rules.check(JSON.convertValue(input, LinkedHashMap.class));
            return "ok";
        } catch (PictorException.InvalidRequest e) {
            return e.param();
        }
    }

    // --- inputs from the server's own description of each field -----------------------------------

    private static List<ObjectNode> samples(ModelSpec spec) {
        JsonNode d = spec.describe();
        ObjectNode base = JSON.createObjectNode().put("prompt", "a lighthouse");
        for (JsonNode f : d.get("fields")) {
            if (f.get("required").asBoolean() && !f.get("name").asString().equals("prompt")) {
                String name = f.get("name").asString();
                if (f.has("enum")) {
                    base.put(name, f.get("enum").get(0).asString());
                } else if (f.path("items").asString().equals("url")) {
                    base.set(name, urls(f.get("min_items").asInt()));
                }
            }
        }
        List<ObjectNode> out = new ArrayList<>();
        out.add(base.deepCopy());
        out.add(with(base, "not_a_field", JSON.getNodeFactory().numberNode(1)));
        out.add(with(base, "not_a_field", JSON.getNodeFactory().nullNode()));
        for (JsonNode f : d.get("fields")) {
            String name = f.get("name").asString();
            ObjectNode without = base.deepCopy();
            without.remove(name);
            out.add(without);
            out.add(with(base, name, JSON.getNodeFactory().nullNode()));
            out.add(with(base, name, JSON.getNodeFactory().numberNode(12.5)));
            out.add(with(base, name, JSON.getNodeFactory().stringNode("bogus")));
            out.add(with(base, name, JSON.getNodeFactory().booleanNode(true)));
            switch (f.get("type").asString()) {
                case "string", "string|object" -> stringSamples(base, f, out);
                case "integer" -> {
                    long min = f.get("minimum").asLong();
                    long max = f.get("maximum").asLong();
                    for (long v : new long[] {min - 1, min, max, max + 1, Integer.MAX_VALUE + 1L}) {
                        out.add(with(base, name, JSON.getNodeFactory().numberNode(v)));
                    }
                    out.add(with(base, name, JSON.getNodeFactory().stringNode(Long.toString(min))));
                }
                case "boolean" -> out.add(with(base, name, JSON.getNodeFactory().stringNode("true")));
                case "array" -> arraySamples(base, f, out);
                default -> throw new IllegalStateException("a field type the test does not know: " + f);
            }
        }
        crossSamples(spec.id(), base, out);
        return out;
    }

    private static void stringSamples(ObjectNode base, JsonNode f, List<ObjectNode> out) {
        String name = f.get("name").asString();
        if (name.equals("prompt")) {
            int max = f.get("max_length").asInt();
            for (String p : new String[] {"", "   ", "a".repeat(max), "a".repeat(max + 1), "bell\u0007", "tab\tand\nline", "lone \uD800",
                    "pair \uD83D\uDE00"}) {
                out.add(with(base, name, JSON.getNodeFactory().stringNode(p)));
            }
            return;
        }
        for (JsonNode v : f.path("enum")) {
            out.add(with(base, name, v));
        }
        if (f.path("custom_size").asBoolean()) {
            for (String s : new String[] {"1024x1024", "2048x2048", "2048X1152", "2560x1440", "100x100", "4096x1024", "3840x2160",
                    "1920x1088", "17x17", "99999x99999", "4000x4000", "1x1", "1024x1023", "1024 x 1024"}) {
                out.add(with(base, name, JSON.getNodeFactory().stringNode(s)));
                String[] wh = s.split("[xX]");
                if (wh.length == 2 && wh[0].matches("\\d+") && wh[1].matches("\\d+")) {
                    out.add(with(base, name, JSON.createObjectNode().put("width", Integer.parseInt(wh[0])).put("height", Integer.parseInt(wh[1]))));
                }
            }
            out.add(with(base, name, JSON.createObjectNode().put("width", 1024)));
            out.add(with(base, name, JSON.createObjectNode().put("width", 1024).put("height", "1024")));
            out.add(with(base, name, JSON.createObjectNode().put("width", 1024).put("height", 1024).put("depth", 1)));
        }
    }

    private static void arraySamples(ObjectNode base, JsonNode f, List<ObjectNode> out) {
        String name = f.get("name").asString();
        int max = f.get("max_items").asInt();
        if (name.equals("elements")) {
            for (int n : new int[] {0, 1, max, max + 1}) {
                ArrayNode els = JSON.createArrayNode();
                for (int i = 0; i < n; i++) {
                    els.addObject().put("frontal_image_url", "https://img.example/f" + i + ".png");
                }
                out.add(with(base, name, els));
            }
            ArrayNode odd = JSON.createArrayNode();
            odd.addObject().put("frontal_image_url", "https://img.example/f.png").put("pose", "x");
            out.add(with(base, name, odd));
            ArrayNode noFrontal = JSON.createArrayNode();
            noFrontal.addObject().putArray("reference_image_urls").add("https://img.example/r.png");
            out.add(with(base, name, noFrontal));
            ArrayNode refs = JSON.createArrayNode();
            ObjectNode el = refs.addObject().put("frontal_image_url", "https://img.example/f.png");
            el.set("reference_image_urls", urls(4));
            out.add(with(base, name, refs));
            ArrayNode badUrl = JSON.createArrayNode();
            badUrl.addObject().put("frontal_image_url", "ftp://img.example/f.png");
            out.add(with(base, name, badUrl));
            out.add(with(base, name, JSON.createArrayNode().add("https://img.example/f.png")));
            return;
        }
        int min = f.get("min_items").asInt();
        for (int n : new int[] {0, 1, min, max, max + 1}) {
            out.add(with(base, name, urls(n)));
        }
        for (String bad : new String[] {"ftp://img.example/a.png", "https://user:pw@img.example/a.png", "not a url", "", "https:///a.png",
                "http://img.example:0/a.png", "https://img.example/" + "a".repeat(2100), "HTTPS://IMG.EXAMPLE/A.PNG"}) {
            ArrayNode list = urls(Math.max(0, min - 1));
            list.add(bad);
            out.add(with(base, name, list));
        }
        ArrayNode notString = urls(Math.max(0, min - 1));
        notString.add(7);
        out.add(with(base, name, notString));
    }

    /** The rules that span fields: custom size and tier, images plus n, Kling's series and references. */
    private static void crossSamples(String id, ObjectNode base, List<ObjectNode> out) {
        if (id.startsWith("gpt-image-2")) {
            for (String tier : new String[] {"1K", "2K", "4K"}) {
                out.add(with(with(base, "size", JSON.getNodeFactory().stringNode("2048x1152")), "resolution", JSON.getNodeFactory().stringNode(tier)));
            }
        }
        if (id.startsWith("seedream") && id.endsWith("-edit")) {
            for (int[] c : new int[][] {{10, 5}, {10, 6}, {14, 1}, {14, 2}, {1, 15}, {2, 14}}) {
                out.add(with(with(base, "image_urls", urls(c[0])), "n", JSON.getNodeFactory().numberNode(c[1])));
            }
        }
        if (id.startsWith("kling")) {
            ObjectNode series = with(base, "result_type", JSON.getNodeFactory().stringNode("series"));
            out.add(series);
            out.add(with(series, "series_amount", JSON.getNodeFactory().numberNode(3)));
            out.add(with(with(series, "series_amount", JSON.getNodeFactory().numberNode(3)), "n", JSON.getNodeFactory().numberNode(2)));
            out.add(with(base, "series_amount", JSON.getNodeFactory().numberNode(3)));
            for (int[] c : new int[][] {{5, 5}, {5, 6}, {1, 10}, {0, 10}}) {
                ArrayNode els = JSON.createArrayNode();
                for (int i = 0; i < c[1]; i++) {
                    els.addObject().put("frontal_image_url", "https://img.example/f" + i + ".png");
                }
                ObjectNode in = with(base, "elements", els);
                out.add(c[0] == 0 ? in : with(in, "image_urls", urls(c[0])));
            }
        }
    }

    private static ObjectNode with(ObjectNode base, String field, JsonNode value) {
        ObjectNode copy = base.deepCopy();
        copy.set(field, value);
        return copy;
    }

    private static ArrayNode urls(int n) {
        ArrayNode a = JSON.createArrayNode();
        for (int i = 0; i < n; i++) {
            a.add("https://img.example/" + i + ".png");
        }
        return a;
    }
}
