package dev.pictor.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.support.TestNode;
import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class OpenApiTest {
    private static TestNode node;
    private static String document;
    private static SwaggerParseResult parsed;

    @BeforeAll
    static void start() {
        node = TestNode.start();
        var response = node.client().get("/openapi.json", null);
        assertThat(response.status()).isEqualTo(200);
        document = new String(response.raw().body(), java.nio.charset.StandardCharsets.UTF_8);
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        parsed = new OpenAPIParser().readContents(document, null, options);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void theDocumentIsValidOpenApi31ForARealParser() {
        assertThat(parsed.getMessages()).isEmpty();
        OpenAPI api = parsed.getOpenAPI();
        assertThat(api).isNotNull();
        assertThat(api.getOpenapi()).isEqualTo("3.1.0");
        assertThat(api.getComponents().getSchemas()).containsKeys("Error", "SubmitRequest", "Submit_gpt_image_2");
    }

    @Test
    void everyRouteTheServerRegisteredIsInTheDocument() {
        List<String> routes = node.pictor().routes();
        assertThat(routes).contains("POST /api/generate/submit", "GET /openapi.json", "POST /ui/session");
        OpenAPI api = parsed.getOpenAPI();
        List<String> missing = new ArrayList<>();
        for (String route : routes) {
            String method = route.substring(0, route.indexOf(' '));
            String path = route.substring(route.indexOf(' ') + 1);
            PathItem item = api.getPaths().get(path);
            if (item == null || !item.readOperationsMap().containsKey(PathItem.HttpMethod.valueOf(method.toUpperCase(Locale.ROOT)))) {
                missing.add(route);
            }
        }
        assertThat(missing).as("routes registered with Javalin but absent from /openapi.json").isEmpty();
        // And the document invents no route the server lacks.
        int documented = api.getPaths().values().stream().mapToInt(p -> p.readOperations().size()).sum();
        assertThat(documented).isEqualTo(routes.size());
    }

    @Test
    void eachModelHasItsOwnSchemaWithItsFieldsAndLimitsFromTheCatalog() {
        JsonNode models = node.client().get("/api/models", null).data().get("models");
        OpenAPI api = parsed.getOpenAPI();
        Schema<?> submit = api.getComponents().getSchemas().get("SubmitRequest");
        assertThat(submit.getDiscriminator().getPropertyName()).isEqualTo("model");
        assertThat(submit.getOneOf()).hasSize(models.size());
        for (JsonNode model : models) {
            String id = model.get("id").asString();
            assertThat(submit.getDiscriminator().getMapping()).containsKey(id);
            Schema<?> schema = api.getComponents().getSchemas().get("Submit_" + id.replaceAll("[^A-Za-z0-9]", "_"));
            Schema<?> input = (Schema<?>) schema.getProperties().get("input");
            List<String> fieldNames = new ArrayList<>();
            model.get("fields").forEach(f -> fieldNames.add(f.get("name").asString()));
            assertThat(input.getProperties().keySet()).as(id).containsExactlyElementsOf(fieldNames);
            assertThat(input.getRequired()).as(id).contains("prompt");
            for (JsonNode f : model.get("fields")) {
                Schema<?> fs = (Schema<?>) input.getProperties().get(f.get("name").asString());
                if (f.has("enum") && !f.path("custom_size").asBoolean(false)) {
                    assertThat(fs.getEnum()).as(id + "." + f.get("name")).hasSize(f.get("enum").size());
                }
                if (f.has("max_items")) {
                    assertThat(fs.getMaxItems()).as(id + "." + f.get("name")).isEqualTo(f.get("max_items").asInt());
                }
                if (f.get("type").asString().equals("integer") && f.has("maximum")) {
                    assertThat(fs.getMaximum().longValue()).as(id + "." + f.get("name")).isEqualTo(f.get("maximum").asLong());
                }
            }
        }
    }

    @Test
    void theReferenceViewerIsServedWithoutAnythingFromOutside() {
        var page = node.client().get("/docs", null);
        assertThat(page.status()).isEqualTo(200);
        String html = new String(page.raw().body(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(html).contains("/ui/assets/docs.js").doesNotContain("http://").doesNotContain("https://");
        assertThat(page.raw().headers().firstValue("Content-Security-Policy")).get().asString().contains("script-src 'self'");
    }
}
