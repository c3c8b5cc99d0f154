package dev.pictor.billing;

import dev.pictor.catalog.GenerationRequest;
import dev.pictor.catalog.ModelCatalog;
import dev.pictor.catalog.ModelSpec;
import dev.pictor.common.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * The price rule of every catalog model: APIDot's published figures (reference/apidot-api.md §8) by
 * default, any of them replaced by the operator's {@code PICTOR_PRICES_FILE}. Checked at start-up:
 * every catalog model has a rule, every rule names a model, and every combination of its {@code by}
 * fields' allowed values has a price, so an estimate can never miss.
 */
public final class PriceTable {
    /** The section of PICTOR_PRICES_FILE that holds what upstreams cost the operator, not a model id. */
    static final String UPSTREAM_COSTS = "upstream_costs";

    private final Map<String, PriceRule> rules;
    private final UpstreamCosts upstreamCosts;

    private PriceTable(Map<String, PriceRule> rules, UpstreamCosts upstreamCosts, ModelCatalog catalog) {
        this.rules = Map.copyOf(rules);
        this.upstreamCosts = upstreamCosts;
        for (ModelSpec spec : catalog.all()) {
            PriceRule rule = rules.get(spec.id());
            if (rule == null) {
                throw new IllegalArgumentException("no price rule for model " + spec.id());
            }
            checkCovers(spec, rule);
        }
        for (String model : rules.keySet()) {
            if (catalog.find(model).isEmpty()) {
                throw new IllegalArgumentException("price rule for unknown model " + model);
            }
        }
    }

    /** The §8 defaults. */
    public static PriceTable defaults(ModelCatalog catalog) {
        return new PriceTable(defaultRules(), UpstreamCosts.none(), catalog);
    }

    /**
     * The defaults with the rules of {@code file} (JSON: model id to rule) put over them; blank for
     * none. A rule is {@code {"per":"generation"|"image","by":[fields],"credits":{key:price}}}, or
     * {@code "credits": N} for a single price. An {@code upstream_costs} key holds {@link UpstreamCosts}.
     */
    public static PriceTable load(ModelCatalog catalog, String file) {
        Map<String, PriceRule> rules = defaultRules();
        UpstreamCosts costs = UpstreamCosts.none();
        if (file != null && !file.isBlank()) {
            String text;
            try {
                text = Files.readString(Path.of(file));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read PICTOR_PRICES_FILE " + file, e);
            }
            JsonNode root = Json.parse(text);
            rules.putAll(parse(root, "PICTOR_PRICES_FILE " + file));
            costs = UpstreamCosts.parse(root.get(UPSTREAM_COSTS), "PICTOR_PRICES_FILE " + file);
        }
        return new PriceTable(rules, costs, catalog);
    }

    static Map<String, PriceRule> parse(JsonNode root, String where) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(where + " must be a JSON object of model id to price rule");
        }
        Map<String, PriceRule> out = new LinkedHashMap<>();
        for (String model : root.propertyNames()) {
            if (model.equals(UPSTREAM_COSTS)) {
                continue;
            }
            JsonNode r = root.get(model);
            String per = r.path("per").asString("generation");
            if (!per.equals("generation") && !per.equals("image")) {
                throw new IllegalArgumentException(where + ": " + model + ".per must be generation or image");
            }
            List<String> by = new ArrayList<>();
            r.path("by").forEach(f -> by.add(f.asString()));
            JsonNode credits = r.get("credits");
            Map<String, Long> prices = new LinkedHashMap<>();
            try {
                if (credits != null && credits.isNumber()) {
                    prices.put("", price(credits, where, model));
                } else if (credits != null && credits.isObject()) {
                    for (String key : credits.propertyNames()) {
                        prices.put(key, price(credits.get(key), where, model));
                    }
                } else {
                    throw new IllegalArgumentException(where + ": " + model + ".credits must be a number or an object");
                }
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException(where + ": " + model + " prices take at most three decimals");
            }
            out.put(model, new PriceRule(per.equals("image"), by, prices, "operator"));
        }
        return out;
    }

    private static long price(JsonNode n, String where, String model) {
        if (!n.isNumber() || n.decimalValue().signum() < 0) {
            throw new IllegalArgumentException(where + ": " + model + " prices must be numbers >= 0");
        }
        return Credits.millis(n.decimalValue());
    }

    /** What the upstreams cost the operator (empty unless PICTOR_PRICES_FILE has {@code upstream_costs}). */
    public UpstreamCosts upstreamCosts() {
        return upstreamCosts;
    }

    public Optional<PriceRule> rule(String model) {
        return Optional.ofNullable(rules.get(model));
    }

    /** The estimated cost of a validated request, in millicredits. */
    public long estimate(GenerationRequest request) {
        return rules.get(request.model()).estimateMillis(request);
    }

    /**
     * What a finished task costs given the images it delivered: per-image rules charge per delivered
     * image (never more than reserved), per-generation rules the whole price once anything arrived.
     */
    public long settle(String model, tools.jackson.databind.node.ObjectNode input, int delivered, long reserved) {
        PriceRule rule = rules.get(model);
        if (delivered <= 0) {
            return 0;
        }
        long cost = rule.perImage() ? rule.unitMillis(model, input) * delivered : rule.unitMillis(model, input);
        return Math.min(cost, reserved);
    }

    /**
     * What a task costs at this table's prices, for the status body: the estimate while it is open,
     * the settlement once finished (per delivered image for per-image rules), 0 once failed. The
     * ledger's own figure is the same unless the operator changed prices while the task ran (the
     * ledger keeps the price of the submit); null for a model without a rule.
     */
    public BigDecimal taskCredits(dev.pictor.task.Task task, ModelCatalog catalog) {
        Optional<ModelSpec> spec = catalog.find(task.model());
        if (spec.isEmpty() || !rules.containsKey(task.model())) {
            return null;
        }
        if (task.status() == dev.pictor.task.TaskStatus.FAILED) {
            return Credits.credits(0);
        }
        try {
            GenerationRequest request = spec.get().restore(Json.parse(task.inputJson()));
            long reserved = estimate(request);
            return Credits.credits(task.status() == dev.pictor.task.TaskStatus.FINISHED
                    ? settle(task.model(), request.input(), task.files().size(), reserved) : reserved);
        } catch (RuntimeException e) {
            return null; // an input the catalog no longer accepts: the task fails on its own, nothing to price
        }
    }

    private static void checkCovers(ModelSpec spec, PriceRule rule) {
        List<List<String>> values = new ArrayList<>();
        for (String field : rule.by()) {
            JsonNode described = null;
            for (JsonNode f : spec.describe().get("fields")) {
                if (f.get("name").asString().equals(field)) {
                    described = f;
                }
            }
            if (described == null || !described.has("enum")) {
                throw new IllegalArgumentException("price rule of " + spec.id() + " is by " + field
                        + ", which is not a choice field of that model");
            }
            List<String> allowed = new ArrayList<>();
            described.get("enum").forEach(v -> allowed.add(v.asString()));
            values.add(allowed);
        }
        List<String> keys = new ArrayList<>(List.of(""));
        for (int i = 0; i < values.size(); i++) {
            List<String> next = new ArrayList<>();
            for (String k : keys) {
                for (String v : values.get(i)) {
                    next.add(i == 0 ? v : k + "/" + v);
                }
            }
            keys = next;
        }
        for (String k : keys) {
            if (!rule.millicredits().containsKey(k)) {
                throw new IllegalArgumentException("price rule of " + spec.id() + " has no price for " + rule.by() + " = '" + k + "'");
            }
        }
    }

    // --- §8 defaults ---------------------------------------------------------------------------

    private static Map<String, PriceRule> defaultRules() {
        Map<String, PriceRule> r = new LinkedHashMap<>();
        Map<String, Long> gpt = new LinkedHashMap<>();
        String[][] gptTable = {{"low", "1", "2", "4"}, {"medium", "3", "6", "12"}, {"high", "12", "24", "48"}};
        String[] tiers = {"1K", "2K", "4K"};
        for (String[] row : gptTable) {
            for (int i = 0; i < tiers.length; i++) {
                gpt.put(row[0] + "/" + tiers[i], m(row[i + 1]));
            }
        }
        both(r, "gpt-image-2", new PriceRule(false, List.of("quality", "resolution"), gpt, "apidot"));
        both(r, "nano-banana-2", tiered(false, "apidot", "0.5K", "7", "1K", "10", "2K", "15", "4K", "20"));
        // §8 has no figure for Nano Banana Pro; its sibling's tiers until an operator sets one
        both(r, "nano-banana-pro", tiered(false, "assumed", "1K", "10", "2K", "15", "4K", "20"));
        both(r, "seedream-4.5", flat(true, "5", "apidot"));
        both(r, "seedream-5.0-lite", flat(false, "5", "apidot"));
        both(r, "flux-2-pro", tiered(false, "apidot", "1K", "6", "2K", "9"));
        both(r, "flux-2-flex", tiered(false, "apidot", "1K", "18", "2K", "27"));
        both(r, "flux-kontext-pro", flat(false, "8", "apidot"));
        both(r, "flux-kontext-max", flat(false, "16", "apidot"));
        r.put("wan-2.7-image", flat(false, "4.2", "apidot"));
        r.put("wan-2.7-image-pro", flat(false, "10.5", "apidot"));
        both(r, "kling-o3-image", tiered(true, "apidot", "1K", "3.5", "2K", "3.5", "4K", "7"));
        r.put("kling-o1-image-edit", tiered(true, "apidot", "1K", "3.5", "2K", "3.5"));
        r.put("z-image", flat(false, "2", "apidot"));
        // §8 has no figure for the quality variant; grok-imagine-image's 6 per image until an operator sets one
        r.put("grok-imagine-image-quality", flat(true, "6", "assumed"));
        // APIDot's older ids, with §8's figures
        both(r, "seedream-4", flat(false, "5", "apidot"));
        r.put("grok-imagine-image", flat(true, "6", "apidot"));
        both(r, "gpt-image-1.5", flat(false, "2", "apidot"));
        // §8 gives 4 credits without saying per what; per image, so n=4 is not sold at the price of one
        both(r, "gpt-4o-image", flat(true, "4", "apidot"));
        // OpenAI's own names have no APIDot figure: gpt-image-1.5's until an operator sets one
        both(r, "gpt-image-1", flat(false, "2", "assumed"));
        r.put("dall-e-3", flat(false, "2", "assumed"));
        r.put("dall-e-2", flat(false, "2", "assumed"));
        return r;
    }

    private static void both(Map<String, PriceRule> r, String base, PriceRule rule) {
        r.put(base, rule);
        r.put(base + "-edit", rule);
    }

    private static PriceRule flat(boolean perImage, String credits, String source) {
        return new PriceRule(perImage, List.of(), Map.of("", m(credits)), source);
    }

    private static PriceRule tiered(boolean perImage, String source, String... tierPrice) {
        Map<String, Long> prices = new LinkedHashMap<>();
        for (int i = 0; i < tierPrice.length; i += 2) {
            prices.put(tierPrice[i], m(tierPrice[i + 1]));
        }
        return new PriceRule(perImage, List.of("resolution"), prices, source);
    }

    private static long m(String credits) {
        return Credits.millis(new BigDecimal(credits));
    }
}
