package dev.pictor.upstream.comfyui;

import dev.pictor.catalog.ModelCatalog;
import dev.pictor.catalog.ModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * The folder of workflows ({@code PICTOR_COMFYUI_WORKFLOWS}), read and checked once at start-up so
 * that a mistake stops Pictor with one line instead of failing tasks it already accepted: every
 * file is a valid API-format workflow, is named after a catalog model or after a {@code PICTOR_ROUTES}
 * entry ({@code model=comfyui:<workflow-name>}), every route has its file, and each workflow can do
 * what its model may be asked: a batch ({@code {{count}}}) when the model allows {@code n} above 1,
 * a source image ({@code {{image_1}}}) on an edit model, no more sources than the model takes.
 */
final class Workflows {
    private final Map<String, Workflow> byName;
    private final Map<String, String> served;

    private Workflows(Map<String, Workflow> byName, Map<String, String> served) {
        this.byName = Map.copyOf(byName);
        this.served = Map.copyOf(served);
    }

    /** {@code routes}: the PICTOR_ROUTES entries naming comfyui, model to workflow names ("" for the model's own). */
    static Workflows load(Path folder, ModelCatalog catalog, Map<String, List<String>> routes) {
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("PICTOR_COMFYUI_WORKFLOWS: " + folder + " is not a folder");
        }
        Map<String, Workflow> byName = new TreeMap<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".json") && Files.isRegularFile(f)).sorted().toList()) {
                Workflow workflow = Workflow.read(file);
                byName.put(workflow.name(), workflow);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("PICTOR_COMFYUI_WORKFLOWS: " + folder + " cannot be listed (" + e.getClass().getSimpleName() + ")");
        }
        Map<String, String> served = new LinkedHashMap<>();
        for (String name : byName.keySet()) {
            if (catalog.find(name).isPresent()) {
                served.put(name, name);
            }
        }
        var named = routes.values().stream().flatMap(List::stream).filter(n -> !n.isEmpty()).toList();
        for (String name : byName.keySet()) {
            if (!served.containsKey(name) && !named.contains(name)) {
                throw new IllegalArgumentException("PICTOR_COMFYUI_WORKFLOWS: " + name + ".json names no catalog model and no PICTOR_ROUTES entry"
                        + " names it (name the file after a model id, or route a model to comfyui:" + name + ")");
            }
        }
        Map<String, List<String>> pairs = new LinkedHashMap<>();
        served.forEach((model, name) -> pairs.computeIfAbsent(model, k -> new java.util.ArrayList<>()).add(name));
        routes.forEach((model, names) -> names.forEach(n -> pairs.computeIfAbsent(model, k -> new java.util.ArrayList<>()).add(n.isEmpty() ? model : n)));
        pairs.forEach((model, names) -> names.forEach(name -> {
            Workflow workflow = byName.get(name);
            if (workflow == null) {
                throw new IllegalArgumentException("PICTOR_ROUTES routes " + model + " to comfyui" + (name.equals(model) ? "" : ":" + name)
                        + ", but PICTOR_COMFYUI_WORKFLOWS has no " + name + ".json");
            }
            catalog.find(model).ifPresent(spec -> check(workflow, spec));
        }));
        return new Workflows(byName, served);
    }

    /** What the model may be asked that the workflow could not do refuses start-up. */
    private static void check(Workflow workflow, ModelSpec spec) {
        String file = "PICTOR_COMFYUI_WORKFLOWS: " + workflow.name() + ".json";
        int maxCount = field(spec, "n").map(f -> f.path("maximum").asInt(1)).orElse(1);
        if (maxCount > 1 && !workflow.has("count")) {
            throw new IllegalArgumentException(file + " has no {{count}} placeholder (a batch size), but " + spec.id()
                    + " allows n up to " + maxCount);
        }
        if (spec.isEdit() && workflow.images() == 0) {
            throw new IllegalArgumentException(file + " has no {{image_1}} placeholder, but " + spec.id() + " edits source images");
        }
        int maxImages = field(spec, "image_urls").map(f -> f.path("max_items").asInt(0)).orElse(0);
        if (workflow.images() > maxImages) {
            throw new IllegalArgumentException(file + " uses {{image_" + workflow.images() + "}}, but " + spec.id()
                    + (maxImages == 0 ? " takes no source image" : " takes at most " + maxImages + " source images"));
        }
    }

    private static Optional<JsonNode> field(ModelSpec spec, String name) {
        for (JsonNode f : spec.describe().path("fields")) {
            if (f.path("name").asString("").equals(name)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** The workflow of that name (the route's upstream model id). */
    Optional<Workflow> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The catalog models with a workflow file of their own name: comfyui's default routes. */
    Map<String, String> served() {
        return served;
    }
}
