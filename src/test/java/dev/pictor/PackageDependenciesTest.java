package dev.pictor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package rule of docs/architecture.md: no package depends on one that depends back on it,
 * directly or through others. Reads the main sources as text (imports and fully qualified names
 * alike), so it needs no library and fails the build the moment a loop appears.
 */
class PackageDependenciesTest {
    private static final Path MAIN = Path.of("src/main/java");
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    /** A reference to a Pictor type: {@code dev.pictor.x.y.Type}, in an import or in code. */
    private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.pictor((?:\\.[a-z][a-z0-9]*)*)\\.[A-Z]");

    @Test
    void noPackageDependsOnOneThatDependsBackOnIt() {
        Map<String, Set<String>> graph = dependencies();
        assertThat(graph).as("the scan found the packages").containsKeys("dev.pictor.task", "dev.pictor.api");
        List<String> cycles = new ArrayList<>();
        for (String start : graph.keySet()) {
            List<String> path = pathBack(graph, start);
            if (path != null) {
                cycles.add(String.join(" -> ", path));
            }
        }
        assertThat(cycles).as("package loops (each as a path back to its start)").isEmpty();
    }

    @Test
    void theCheckSeesALoopWhenThereIsOne() {
        Map<String, Set<String>> graph = new TreeMap<>(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a")));
        assertThat(pathBack(graph, "a")).containsExactly("a", "b", "c", "a");
        assertThat(pathBack(graph, "d")).isNull();
    }

    /** A path from {@code start} back to itself, or null when there is none. */
    static List<String> pathBack(Map<String, Set<String>> graph, String start) {
        Deque<List<String>> todo = new ArrayDeque<>();
        todo.add(List.of(start));
        Set<String> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            List<String> path = todo.poll();
            for (String next : graph.getOrDefault(path.getLast(), Set.of())) {
                List<String> longer = new ArrayList<>(path);
                longer.add(next);
                if (next.equals(start)) {
                    return longer;
                }
                if (seen.add(next)) {
                    todo.add(longer);
                }
            }
        }
        return null;
    }

    private static Map<String, Set<String>> dependencies() {
        Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String text = Files.readString(file);
                Matcher pkg = PACKAGE.matcher(text);
                if (!pkg.find()) {
                    continue;
                }
                String from = pkg.group(1);
                Set<String> targets = graph.computeIfAbsent(from, k -> new TreeSet<>());
                Matcher ref = REFERENCE.matcher(text.substring(pkg.end()));
                while (ref.find()) {
                    String to = "dev.pictor" + ref.group(1);
                    if (!to.equals(from)) {
                        targets.add(to);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return graph;
    }
}
