package dev.pictor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.catalog.ModelCatalog;
import dev.pictor.catalog.ModelSpec;
import dev.pictor.upstream.UpstreamDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The README's upstream table and the registered definitions say the same thing: one row per
 * upstream, naming exactly the catalog models it serves with their upstream ids, and every setting
 * it reads with its default.
 */
class UpstreamTableTest {
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");

    @Test
    void theReadmeTableMatchesTheDefinitions() throws IOException {
        List<String[]> rows = tableRows();
        Set<String> catalogIds = new ModelCatalog().all().stream().map(ModelSpec::id).collect(Collectors.toSet());
        assertThat(rows).as("one README row per upstream definition").hasSameSizeAs(BuiltInUpstreams.all());
        for (UpstreamDefinition definition : BuiltInUpstreams.all()) {
            String[] row = rows.stream().filter(r -> codes(r[0]).contains(definition.name())).findFirst()
                    .orElseThrow(() -> new AssertionError("no README row names `" + definition.name() + "`"));
            Set<String> models = codes(row[1]);
            assertThat(models.stream().filter(catalogIds::contains).collect(Collectors.toSet()))
                    .as(definition.name() + ": catalog models in the README row").isEqualTo(definition.models().keySet());
            assertThat(models).as(definition.name() + ": upstream model ids").containsAll(definition.models().values());
            Set<String> settings = codes(row[2]);
            for (UpstreamDefinition.Setting setting : definition.settings()) {
                assertThat(settings).as(definition.name() + " settings").contains(setting.env());
                if (!setting.defaultValue().isEmpty()) {
                    assertThat(settings).as(setting.env() + " default").contains(setting.defaultValue());
                }
            }
            Set<String> declared = definition.settings().stream().map(UpstreamDefinition.Setting::env).collect(Collectors.toSet());
            assertThat(settings.stream().filter(s -> s.startsWith("PICTOR_") && !s.equals("PICTOR_ROUTES")))
                    .as(definition.name() + ": settings the README names").allMatch(declared::contains);
        }
    }

    private static Set<String> codes(String cell) {
        Set<String> out = new LinkedHashSet<>();
        Matcher m = CODE.matcher(cell);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** The cells of the table under "## Upstreams" whose header starts with "| upstream |". */
    private static List<String[]> tableRows() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("README.md"));
        int start = lines.indexOf("## Upstreams");
        assertThat(start).as("README has an Upstreams section").isNotNegative();
        List<String[]> rows = new ArrayList<>();
        boolean inTable = false;
        for (String line : lines.subList(start, lines.size())) {
            if (line.startsWith("| upstream |")) {
                inTable = true;
            } else if (inTable && line.startsWith("|---")) {
                continue;
            } else if (inTable && line.startsWith("| ")) {
                String[] cells = line.substring(1, line.length() - 1).split(" \\| ");
                assertThat(cells).as(line).hasSize(3);
                rows.add(cells);
            } else if (inTable) {
                break;
            }
        }
        return rows;
    }
}
