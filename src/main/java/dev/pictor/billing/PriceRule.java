package dev.pictor.billing;

import dev.pictor.catalog.GenerationRequest;
import dev.pictor.common.Json;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What one model costs: a price per generation or per image, looked up by the values of the input
 * fields that change it ({@code by}, e.g. quality and resolution), keyed by those values joined with
 * "/" ("medium/2K"); with no {@code by} fields the single price has the key "".
 *
 * @param perImage     true: the price is per image (times the request's image count, settled per
 *                     image delivered); false: per generation, whatever the count
 * @param by           the normalised-input fields the price depends on, in key order
 * @param millicredits price per unit by key
 * @param source       where the figure comes from ("apidot" for §8, "assumed" where §8 has none,
 *                     "operator" for PICTOR_PRICES_FILE)
 */
public record PriceRule(boolean perImage, List<String> by, Map<String, Long> millicredits, String source) {

    public PriceRule {
        by = List.copyOf(by);
        millicredits = Map.copyOf(millicredits);
    }

    /** The key of a normalised input: its {@code by} values joined with "/". */
    String key(ObjectNode input) {
        StringBuilder k = new StringBuilder();
        for (String field : by) {
            if (!k.isEmpty()) {
                k.append('/');
            }
            JsonNode v = input.get(field);
            k.append(v == null || v.isNull() ? "" : v.asString());
        }
        return k.toString();
    }

    /** The price of one unit (a generation or an image) for this input. */
    long unitMillis(String model, ObjectNode input) {
        Long price = millicredits.get(key(input));
        if (price == null) {
            // load-time checks cover every enum combination, so this is a catalog/price-table mismatch
            throw new IllegalStateException("no price for " + model + " at " + by + " = " + key(input));
        }
        return price;
    }

    /** The estimate of a request: unit price times the image count for per-image rules. */
    long estimateMillis(GenerationRequest request) {
        long unit = unitMillis(request.model(), request.input());
        return perImage ? unit * request.imageCount() : unit;
    }

    /** The same shape PICTOR_PRICES_FILE takes, for {@code GET /api/models}. */
    public ObjectNode describe() {
        ObjectNode n = Json.object();
        n.put("per", perImage ? "image" : "generation");
        var byList = n.putArray("by");
        by.forEach(byList::add);
        ObjectNode prices = n.putObject("credits");
        millicredits.entrySet().stream().sorted(Map.Entry.comparingByValue())
                .forEach(e -> prices.put(e.getKey(), Credits.credits(e.getValue())));
        n.put("usd_per_credit", new BigDecimal("0.005"));
        n.put("source", source);
        return n;
    }
}
