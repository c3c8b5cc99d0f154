package dev.pictor.client;

import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import tools.jackson.databind.json.JsonMapper;

/**
 * The command line: {@code java -jar pictor-client.jar generate|status|cancel|list|models|verify-webhook}.
 * Exit codes: 0 success, 1 the task failed, 2 usage or API error.
 */
public final class Cli {
    private final PrintStream out;
    private final PrintStream err;
    private final InputStream in;
    private final Function<String, String> env;
    private final JsonMapper json = JsonMapper.builder().build();

    public Cli(PrintStream out, PrintStream err, InputStream in, Function<String, String> env) {
        this.out = out;
        this.err = err;
        this.in = in;
        this.env = env;
    }

    public static void main(String[] args) {
        System.exit(new Cli(System.out, System.err, System.in, System::getenv).run(args));
    }

    static final String USAGE = """
            usage: pictor-client <command> [--json]
              generate --model M --prompt P [--field k=v ...] [--wait] [--out DIR] [--timeout SECONDS]
              status ID | cancel ID | list [--limit N] | models
              verify-webhook --secret whsec_... --header 'name: value' ... < body.json
            PICTOR_BASE_URL and PICTOR_API_KEY (or APIDOT_API_KEY) come from the environment.""";

    public int run(String[] args) {
        if (args.length == 0) {
            err.println(USAGE);
            return 2;
        }
        Map<String, String> opts = new HashMap<>();
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        Map<String, String> headers = new HashMap<>();
        String positional = null;
        boolean asJson = false;
        boolean wait = false;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--json" -> asJson = true;
                case "--wait" -> wait = true;
                case "--field" -> {
                    String kv = args[++i];
                    int eq = kv.indexOf('=');
                    if (eq <= 0) {
                        err.println("--field needs k=v, got: " + kv);
                        return 2;
                    }
                    fields.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
                case "--header" -> {
                    String hv = args[++i];
                    int colon = hv.indexOf(':');
                    headers.put(hv.substring(0, colon).trim(), hv.substring(colon + 1).trim());
                }
                default -> {
                    if (a.startsWith("--") && i + 1 < args.length) {
                        opts.put(a.substring(2), args[++i]);
                    } else {
                        positional = a;
                    }
                }
            }
        }
        try {
            return switch (args[0]) {
                case "generate" -> generate(opts, fields, wait, asJson);
                case "status" -> show(client().status(need(positional, "task id")), asJson);
                case "cancel" -> {
                    String r = client().cancel(need(positional, "task id"));
                    out.println(asJson ? json.writeValueAsString(Map.of("cancel_result", r)) : r);
                    yield 0;
                }
                case "list" -> {
                    var tasks = client().list(Integer.parseInt(opts.getOrDefault("limit", "20")));
                    if (asJson) {
                        out.println(json.writeValueAsString(tasks.stream().map(Task::raw).toList()));
                    } else {
                        tasks.forEach(t -> out.println(t.taskId() + "  " + t.status() + "  " + t.model()));
                    }
                    yield 0;
                }
                case "models" -> {
                    var models = client().models();
                    if (asJson) {
                        out.println(json.writeValueAsString(models));
                    } else {
                        var list = models.isArray() ? models : models.path("models");
                        list.forEach(m -> out.println(m.isString() ? m.asString() : m.path("id").asString()));
                    }
                    yield 0;
                }
                case "verify-webhook" -> verify(opts, headers, asJson);
                default -> {
                    err.println(USAGE);
                    yield 2;
                }
            };
        } catch (PictorException e) {
            err.println("error: " + e.getMessage() + (e instanceof PictorException.InvalidRequest ir && ir.param() != null
                    ? " (param " + ir.param() + ")" : ""));
            return 2;
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("error: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return 2;
        }
    }

    private PictorClient client() {
        return PictorClient.builder().environment(env).build();
    }

    private static String need(String v, String what) {
        if (v == null) {
            throw new IllegalArgumentException("missing " + what);
        }
        return v;
    }

    private int generate(Map<String, String> opts, Map<String, String> fields, boolean wait, boolean asJson) throws Exception {
        ModelRequest req = ModelRequest.of(need(opts.get("model"), "--model")).put("prompt", need(opts.get("prompt"), "--prompt"));
        fields.forEach((k, v) -> req.put(k, value(v)));
        PictorClient c = client();
        String id = c.submit(req);
        if (!wait && opts.get("out") == null) {
            Task t = c.status(id);
            return show(t, asJson);
        }
        if (!asJson) {
            err.println("submitted " + id);
        }
        Task t = waitWithProgress(c, id, Duration.ofSeconds(Long.parseLong(opts.getOrDefault("timeout", "600"))), asJson);
        if (t.finished() && opts.get("out") != null) {
            Path dir = Path.of(opts.get("out"));
            Files.createDirectories(dir);
            HttpClient http = HttpClient.newHttpClient();
            int n = 0;
            for (Task.File f : t.files()) {
                String name = URI.create(f.fileUrl()).getPath();
                String ext = name.contains(".") ? name.substring(name.lastIndexOf('.')) : ".img";
                Path target = dir.resolve(t.taskId() + "-" + (n++) + ext);
                http.send(HttpRequest.newBuilder(URI.create(f.fileUrl())).GET().build(), HttpResponse.BodyHandlers.ofFile(target));
                if (!asJson) {
                    err.println("saved " + target);
                }
            }
        }
        return show(t, asJson);
    }

    private Task waitWithProgress(PictorClient c, String id, Duration timeout, boolean quiet) throws InterruptedException {
        Clock clock = Clock.systemUTC();
        var deadline = clock.instant().plus(timeout);
        Task t = c.status(id);
        while (!t.terminal() && clock.instant().isBefore(deadline)) {
            if (!quiet) {
                int p = t.progress() == null ? 0 : t.progress();
                err.print("\r[" + "#".repeat(p / 5) + " ".repeat(20 - p / 5) + "] " + p + "% " + t.status() + "   ");
            }
            t = c.waitFor(id, Duration.ofSeconds(2));
        }
        if (!quiet) {
            err.println();
        }
        return t;
    }

    private static Object value(String v) {
        if (v.equals("true") || v.equals("false")) {
            return Boolean.parseBoolean(v);
        }
        if (v.matches("-?\\d{1,9}")) {
            return Integer.parseInt(v);
        }
        if (v.startsWith("[") || v.startsWith("{")) {
            return JsonMapper.builder().build().readTree(v);
        }
        return v;
    }

    private int show(Task t, boolean asJson) {
        if (asJson) {
            out.println(json.writeValueAsString(t.raw()));
        } else {
            out.println(t.taskId() + "  " + t.status() + (t.progress() == null ? "" : "  " + t.progress() + "%")
                    + (t.errorCode() == null ? "" : "  " + t.errorCode() + ": " + t.errorMessage()));
            t.files().forEach(f -> out.println("  " + f.fileUrl()));
        }
        return "failed".equals(t.status()) ? 1 : 0;
    }

    private int verify(Map<String, String> opts, Map<String, String> headers, boolean asJson) throws Exception {
        String secret = opts.getOrDefault("secret", env.apply("PICTOR_WEBHOOK_SECRET"));
        String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        try {
            var d = new WebhookVerifier(need(secret, "--secret or PICTOR_WEBHOOK_SECRET"), Duration.ofMinutes(5), Clock.systemUTC())
                    .verify(headers, body);
            out.println(asJson ? json.writeValueAsString(d.task().raw()) : "valid: " + d.id() + " " + d.task());
            return 0;
        } catch (WebhookVerifier.InvalidSignature e) {
            err.println("invalid: " + e.getMessage());
            return 1;
        }
    }
}
