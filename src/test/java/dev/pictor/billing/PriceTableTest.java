package dev.pictor.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.catalog.GenerationRequest;
import dev.pictor.catalog.ModelCatalog;
import dev.pictor.common.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every catalog model's price at its main field combinations against the table of apidot-api.md §8. */
class PriceTableTest {
    private final ModelCatalog catalog = new ModelCatalog();
    private final PriceTable prices = PriceTable.defaults(catalog);
    private final Set<String> priced = new HashSet<>();

    private String credits(String model, String inputJson) {
        priced.add(model);
        GenerationRequest request = catalog.find(model).orElseThrow().validate(Json.parse(inputJson), 100_000);
        return Credits.credits(prices.estimate(request)).toPlainString();
    }

    private static String edit(String extra) {
        return "{\"prompt\":\"p\",\"image_urls\":[\"https://example.com/a.png\"]" + extra + "}";
    }

    private static String text(String extra) {
        return "{\"prompt\":\"p\"" + extra + "}";
    }

    @Test
    void everyCatalogModelCostsWhatTheApidotTableSays() {
        String[][] gpt = {{"low", "1", "2", "4"}, {"medium", "3", "6", "12"}, {"high", "12", "24", "48"}};
        String[] tiers = {"1K", "2K", "4K"};
        for (String model : new String[] {"gpt-image-2", "gpt-image-2-edit"}) {
            for (String[] row : gpt) {
                for (int i = 0; i < 3; i++) {
                    String extra = ",\"quality\":\"" + row[0] + "\",\"resolution\":\"" + tiers[i] + "\"";
                    String body = model.endsWith("-edit") ? edit(extra) : text(extra);
                    assertThat(credits(model, body)).as(model + " " + row[0] + " " + tiers[i]).isEqualTo(row[i + 1]);
                }
            }
            String body = model.endsWith("-edit") ? edit("") : text("");
            assertThat(credits(model, body)).as("defaults are low 1K").isEqualTo("1");
        }
        for (String model : new String[] {"nano-banana-2", "nano-banana-2-edit"}) {
            String[][] nb = {{"0.5K", "7"}, {"1K", "10"}, {"2K", "15"}, {"4K", "20"}};
            for (String[] t : nb) {
                String extra = ",\"resolution\":\"" + t[0] + "\"";
                assertThat(credits(model, model.endsWith("-edit") ? edit(extra) : text(extra))).as(model + t[0]).isEqualTo(t[1]);
            }
        }
        for (String model : new String[] {"nano-banana-pro", "nano-banana-pro-edit"}) {
            assertThat(credits(model, model.endsWith("-edit") ? edit(",\"resolution\":\"4K\"") : text(""))).isIn("10", "20");
            assertThat(prices.rule(model).orElseThrow().source()).isEqualTo("assumed");
        }
        // Seedream 4.5: 5 per image, so n multiplies; 5.0 Lite: 5 per generation
        assertThat(credits("seedream-4.5", text(""))).isEqualTo("5");
        assertThat(credits("seedream-4.5", text(",\"n\":3"))).isEqualTo("15");
        assertThat(credits("seedream-4.5-edit", edit(",\"n\":2,\"size\":\"4K\""))).isEqualTo("10");
        assertThat(credits("seedream-5.0-lite", text(",\"n\":3"))).isEqualTo("5");
        assertThat(credits("seedream-5.0-lite-edit", edit(""))).isEqualTo("5");
        for (String model : new String[] {"flux-2-pro", "flux-2-pro-edit", "flux-2-flex", "flux-2-flex-edit"}) {
            boolean flex = model.contains("flex");
            for (String tier : new String[] {"1K", "2K"}) {
                String extra = ",\"size\":\"1:1\",\"resolution\":\"" + tier + "\"";
                String expected = flex ? (tier.equals("1K") ? "18" : "27") : (tier.equals("1K") ? "6" : "9");
                assertThat(credits(model, model.endsWith("-edit") ? edit(extra) : text(extra))).as(model + tier).isEqualTo(expected);
            }
        }
        assertThat(credits("flux-kontext-pro", text(""))).isEqualTo("8");
        assertThat(credits("flux-kontext-pro-edit", edit(""))).isEqualTo("8");
        assertThat(credits("flux-kontext-max", text(""))).isEqualTo("16");
        assertThat(credits("flux-kontext-max-edit", edit(""))).isEqualTo("16");
        assertThat(credits("wan-2.7-image", text(",\"n\":4"))).isEqualTo("4.2");
        assertThat(credits("wan-2.7-image-pro", text(""))).isEqualTo("10.5");
        for (String model : new String[] {"kling-o3-image", "kling-o3-image-edit"}) {
            String e = model.endsWith("-edit") ? "edit" : "text";
            assertThat(credits(model, e.equals("edit") ? edit("") : text(""))).isEqualTo("3.5");
            assertThat(credits(model, e.equals("edit") ? edit(",\"resolution\":\"2K\"") : text(",\"resolution\":\"2K\""))).isEqualTo("3.5");
            assertThat(credits(model, e.equals("edit") ? edit(",\"resolution\":\"4K\"") : text(",\"resolution\":\"4K\""))).isEqualTo("7");
            assertThat(credits(model, text(",\"resolution\":\"4K\",\"n\":3").replace("}", e.equals("edit")
                    ? ",\"image_urls\":[\"https://example.com/a.png\"]}" : "}"))).as("per image").isEqualTo("21");
        }
        assertThat(credits("kling-o1-image-edit", edit(",\"resolution\":\"2K\""))).isEqualTo("3.5");
        assertThat(credits("kling-o1-image-edit", edit(",\"result_type\":\"series\",\"series_amount\":4"))).isEqualTo("14");
        assertThat(credits("z-image", text(",\"size\":\"1:1\""))).isEqualTo("2");
        assertThat(credits("grok-imagine-image-quality", text(",\"n\":2"))).isEqualTo("12");
        assertThat(credits("seedream-4", text(""))).isEqualTo("5");
        assertThat(credits("seedream-4-edit", edit(""))).isEqualTo("5");
        assertThat(credits("grok-imagine-image", text(""))).isEqualTo("6");
        assertThat(credits("gpt-image-1.5", text(""))).isEqualTo("2");
        assertThat(credits("gpt-image-1.5-edit", edit(""))).isEqualTo("2");
        assertThat(credits("gpt-4o-image", text(""))).isEqualTo("4");
        assertThat(credits("gpt-4o-image", text(",\"n\":3"))).isEqualTo("12");
        assertThat(credits("gpt-4o-image-edit", edit(",\"n\":2"))).isEqualTo("8");
        for (String model : new String[] {"gpt-image-1", "gpt-image-1-edit", "dall-e-3", "dall-e-2"}) {
            assertThat(credits(model, model.endsWith("-edit") ? edit("") : text(""))).as(model).isEqualTo("2");
            assertThat(prices.rule(model).orElseThrow().source()).as(model).isEqualTo("assumed");
        }

        Set<String> all = new HashSet<>();
        catalog.all().forEach(s -> all.add(s.id()));
        assertThat(priced).as("every catalog model is checked").isEqualTo(all);
    }

    @Test
    void usdIsHalfACentPerCredit() {
        assertThat(Credits.usd(Credits.millis(new BigDecimal("7")))).isEqualByComparingTo("0.035");
        assertThat(Credits.usd(Credits.millis(new BigDecimal("4.2")))).isEqualByComparingTo("0.021");
    }

    @Test
    void anOperatorFileReplacesARuleAndIsCheckedForCoverage(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("prices.json");
        Files.writeString(file, """
                {"z-image": {"credits": 1.5},
                 "flux-2-pro": {"per": "image", "by": ["resolution"], "credits": {"1K": 4, "2K": 8}}}
                """);
        PriceTable table = PriceTable.load(catalog, file.toString());
        GenerationRequest z = catalog.find("z-image").orElseThrow().validate(Json.parse(text(",\"size\":\"1:1\"")), 100_000);
        assertThat(Credits.credits(table.estimate(z)).toPlainString()).isEqualTo("1.5");
        assertThat(table.rule("z-image").orElseThrow().source()).isEqualTo("operator");
        assertThat(table.rule("seedream-4.5").orElseThrow().source()).as("the others keep their defaults").isEqualTo("apidot");

        Files.writeString(file, "{\"flux-2-pro\": {\"by\": [\"resolution\"], \"credits\": {\"1K\": 4}}}");
        assertThatThrownBy(() -> PriceTable.load(catalog, file.toString())).hasMessageContaining("flux-2-pro").hasMessageContaining("2K");
        Files.writeString(file, "{\"no-such-model\": {\"credits\": 1}}");
        assertThatThrownBy(() -> PriceTable.load(catalog, file.toString())).hasMessageContaining("no-such-model");
        Files.writeString(file, "{\"z-image\": {\"by\": [\"size\"], \"credits\": {\"1:1\": 1}}}");
        assertThatThrownBy(() -> PriceTable.load(catalog, file.toString())).hasMessageContaining("size");
    }

    @Test
    void upstreamCostsArePerRouteOrPerUpstreamAndChecked(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("prices.json");
        Files.writeString(file, "{\"upstream_costs\":{\"openai:gpt-image-2\":{\"usd_per_1m_output_tokens\":40},"
                + "\"replicate\":{\"usd_per_second\":0.001,\"usd_per_image\":0.01}},\"z-image\":{\"credits\":1.5}}");
        PriceTable table = PriceTable.load(catalog, file.toString());
        assertThat(table.rule("z-image").orElseThrow().millicredits()).containsEntry("", 1500L);
        UpstreamCosts costs = table.upstreamCosts();
        assertThat(costs.of("openai:gpt-image-2").orElseThrow().usd(0, 1_000_000, 0, 1)).isEqualByComparingTo("40");
        assertThat(costs.of("openai:gpt-image-1")).as("another OpenAI model is unpriced").isEmpty();
        assertThat(costs.of("replicate:any/model").orElseThrow().usd(0, 0, 1500, 2)).isEqualByComparingTo("0.0215");
        assertThat(costs.of("sandbox").orElseThrow().usd(5, 5, 5, 5)).isEqualByComparingTo("0");
        assertThat(PriceTable.defaults(catalog).upstreamCosts().of("openai:gpt-image-2")).isEmpty();

        Files.writeString(file, "{\"upstream_costs\":{\"openai\":{\"usd_per_token\":1}}}");
        assertThatThrownBy(() -> PriceTable.load(catalog, file.toString())).hasMessageContaining("usd_per_token");
        Files.writeString(file, "{\"upstream_costs\":{\"openai\":{\"usd_per_image\":-1}}}");
        assertThatThrownBy(() -> PriceTable.load(catalog, file.toString())).hasMessageContaining(">= 0");
    }

    @Test
    void settlementChargesPerDeliveredImageForPerImageRules() {
        GenerationRequest r = catalog.find("seedream-4.5").orElseThrow().validate(Json.parse(text(",\"n\":4")), 100_000);
        long reserved = prices.estimate(r);
        assertThat(prices.settle("seedream-4.5", r.input(), 3, reserved)).isEqualTo(15_000);
        assertThat(prices.settle("seedream-4.5", r.input(), 0, reserved)).isZero();
        GenerationRequest w = catalog.find("wan-2.7-image").orElseThrow().validate(Json.parse(text(",\"n\":4")), 100_000);
        assertThat(prices.settle("wan-2.7-image", w.input(), 1, prices.estimate(w))).isEqualTo(4_200);
    }
}
