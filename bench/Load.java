import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop HTTP load generator for the benchmark (not for tests), in the manner of wrk2: requests are
 * scheduled at a fixed rate whatever the server does, and each latency is counted from the request's
 * intended send time, so a stalled server shows up as latency instead of as a slower offered rate
 * (no coordinated omission). Run with the single-file source launcher:
 *
 *   java bench/Load.java --url http://127.0.0.1:18181/api/generate/submit --rate 100 --duration 10 \
 *        [--warmup 3] [--connections 64] [--total N] [--method POST] [--body '{"n":{n}}'] [-H 'Name: value']...
 *
 * {n} in the body is replaced by the request's sequence number. --connections caps the requests
 * outstanding at once (a request that finds the cap full waits for a slot, and that wait counts in
 * its latency). --total stops after N requests in the measured window. Warm-up requests are sent at
 * the same rate first and left out of every figure. Prints one JSON line: offered and achieved rate,
 * latency percentiles, errors, and how late the generator itself sent (send_lag), which shows
 * whether it held its rate.
 */
public class Load {
    public static void main(String[] args) throws Exception {
        String url = null, method = "GET", body = null;
        double rate = 100, warmup = 0, duration = 10;
        int connections = 64;
        long total = Long.MAX_VALUE;
        List<String> headers = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--url" -> url = args[++i];
                case "--method" -> method = args[++i];
                case "--body" -> body = args[++i];
                case "--rate" -> rate = Double.parseDouble(args[++i]);
                case "--warmup" -> warmup = Double.parseDouble(args[++i]);
                case "--duration" -> duration = Double.parseDouble(args[++i]);
                case "--connections" -> connections = Integer.parseInt(args[++i]);
                case "--total" -> total = Long.parseLong(args[++i]);
                case "-H" -> headers.add(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (url == null || rate <= 0) {
            throw new IllegalArgumentException("--url and a positive --rate are required");
        }
        var load = new Load(URI.create(url), method, body, headers, connections);
        if (warmup > 0) {
            load.run(rate, warmup, Long.MAX_VALUE);
        }
        System.out.println(load.run(rate, duration, total));
        System.exit(0);
    }

    private final URI uri;
    private final String method;
    private final String body;
    private final List<String> headers;
    private final Semaphore slots;
    private final HttpClient client;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicLong sequence = new AtomicLong();
    private volatile String firstError = "";
    private final AtomicLong connectRetries = new AtomicLong();

    Load(URI uri, String method, String body, List<String> headers, int connections) {
        this.uri = uri;
        this.method = method;
        this.body = body;
        this.headers = headers;
        this.slots = new Semaphore(connections);
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(threads)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** One window: sends at the rate for the given seconds (or until total), waits for the answers, returns the JSON line. */
    String run(double rate, double seconds, long total) throws InterruptedException {
        long planned = Math.min(total, (long) Math.ceil(rate * seconds));
        long[] latency = new long[(int) planned];
        long[] lag = new long[(int) planned];
        AtomicLong inWindow = new AtomicLong(), okAll = new AtomicLong();
        AtomicLong errors = new AtomicLong(), non2xx = new AtomicLong(), done = new AtomicLong();
        double periodNanos = 1e9 / rate;
        long startEpochMs = System.currentTimeMillis();
        long start = System.nanoTime();
        long answeredBy = start + (long) (Math.min(seconds, planned / rate) * 1e9); // the end of the sending window
        var sent = new java.util.concurrent.CountDownLatch((int) planned);
        for (int i = 0; i < planned; i++) {
            long intended = start + (long) (i * periodNanos);
            long wait;
            while ((wait = intended - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            int slot = i;
            lag[slot] = System.nanoTime() - intended;
            threads.execute(() -> {
                boolean ok = false;
                try {
                    slots.acquire();
                    try {
                        int status;
                        try {
                            status = send();
                        } catch (java.net.ConnectException e) {
                            // A refused or timed-out connect (a full accept queue): one retry, still timed from the intended send.
                            connectRetries.incrementAndGet();
                            status = send();
                        }
                        ok = status >= 200 && status <= 299;
                        if (!ok) {
                            non2xx.incrementAndGet();
                        }
                    } finally {
                        slots.release();
                    }
                } catch (Exception e) {
                    if (errors.getAndIncrement() == 0) {
                        firstError = e.toString().replace('"', '\'');
                    }
                } finally {
                    long now = System.nanoTime();
                    latency[slot] = now - intended;
                    if (ok) {
                        okAll.incrementAndGet();
                    }
                    if (ok && now <= answeredBy) {
                        inWindow.incrementAndGet();
                    }
                    done.incrementAndGet();
                    sent.countDown();
                }
            });
        }
        long sendEnd = System.nanoTime();
        sent.await(120, TimeUnit.SECONDS);
        long end = System.nanoTime();
        int n = (int) done.get();
        long[] measured = Arrays.copyOf(latency, (int) planned);
        for (int i = 0; i < measured.length; i++) {
            if (measured[i] == 0) { // never answered within the wait: at least this late
                measured[i] = end - (start + (long) (i * periodNanos));
            }
        }
        Arrays.sort(measured);
        Arrays.sort(lag);
        // Achieved: answers received within the sending window over its length, so a server that falls behind
        // shows a rate below the offered one; drain_seconds is how long the last answers took after it, and
        // overall_rate counts every 2xx answer over the time from the first send to the last answer.
        double achieved = inWindow.get() / ((answeredBy - start) / 1e9);
        return String.format(Locale.ROOT, "{\"offered_rate\": %.1f, \"requests\": %d, \"completed\": %d, \"achieved_rate\": %.1f, \"overall_rate\": %.1f, "
                        + "\"send_seconds\": %.3f, \"drain_seconds\": %.3f, \"p50_ms\": %.3f, \"p90_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": %.3f, "
                        + "\"send_lag_p99_ms\": %.3f, \"send_lag_max_ms\": %.3f, \"errors\": %d, \"non_2xx\": %d, \"start_epoch_ms\": %d, \"first_error\": \"%s\", \"connect_retries\": %d}",
                rate, planned, n, achieved, okAll.get() / ((end - start) / 1e9), (sendEnd - start) / 1e9, Math.max(0, end - answeredBy) / 1e9, ms(measured, 50), ms(measured, 90), ms(measured, 99),
                measured.length == 0 ? 0 : measured[measured.length - 1] / 1e6, ms(lag, 99), lag.length == 0 ? 0 : lag[lag.length - 1] / 1e6,
                errors.get() + (planned - n), non2xx.get(), startEpochMs, firstError, connectRetries.getAndSet(0));
    }

    private int send() throws Exception {
        var request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60));
        for (String header : headers) {
            int colon = header.indexOf(':');
            request.header(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
        }
        if (body != null) {
            String text = body.replace("{n}", Long.toString(sequence.incrementAndGet()));
            request.method(method, HttpRequest.BodyPublishers.ofString(text));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static double ms(long[] sorted, double percentile) {
        if (sorted.length == 0) {
            return 0;
        }
        int k = (int) Math.ceil(percentile / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, k))] / 1e6;
    }
}
