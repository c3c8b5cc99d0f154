package dev.pictor.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.billing.PriceTable;
import dev.pictor.catalog.ModelCatalog;
import dev.pictor.db.Database;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The report's one SQL text on each database: UTC days, keys, refunds and upstream cost per route. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class UsageReportContract {
    private static final Instant DAY1 = Instant.parse("2026-11-20T23:30:00Z");
    private static final Instant DAY2 = Instant.parse("2026-11-21T00:30:00Z");
    private Database database;
    private UsageReport report;

    abstract Database openDatabase();

    @BeforeAll
    void open() throws Exception {
        database = openDatabase();
        var file = Files.createTempFile("prices-", ".json");
        Files.writeString(file, """
                {"upstream_costs": {"openai:gpt-image-2": {"usd_per_1m_input_tokens": 5, "usd_per_1m_output_tokens": 40},
                                    "replicate": {"usd_per_second": 0.001}}}""");
        ModelCatalog catalog = new ModelCatalog();
        report = new UsageReport(database.jdbc(), PriceTable.load(catalog, file.toString()).upstreamCosts());
        task("a1", "ta", "k1", "gpt-image-2", "finished", DAY1, 1, "openai:gpt-image-2", 1000, 100_000, null, 6000, 6000);
        task("a2", "ta", "k1", "gpt-image-2", "failed", DAY2, 0, null, null, null, null, 6000, 0);
        task("a3", "ta", "k2", "flux-2-pro", "finished", DAY2, 1, "replicate:black-forest-labs/flux-2-pro", null, null, 2500L, 9000, 9000);
        task("a4", "ta", null, "flux-2-pro", "finished", DAY2, 1, "fal:fal-ai/flux-2-pro", null, null, null, 9000, 9000);
        task("b1", "tb", "k3", "gpt-image-2", "finished", DAY2, 1, "openai:gpt-image-2", 1, 1, null, 6000, 6000);
    }

    @AfterAll
    void close() {
        database.close();
    }

    private void task(String id, String tenant, String key, String model, String status, Instant at, int images, String route,
                      Integer in, Integer out, Long ms, long reserved, long charged) {
        database.jdbc().update("INSERT INTO task (id, tenant_id, model, status, input_json, provider, progress, created_at, deadline_at, "
                        + "key_id, image_count, upstream_route, upstream_input_tokens, upstream_output_tokens, upstream_compute_ms) "
                        + "VALUES (?, ?, ?, ?, '{}', 'x', 0, ?, ?, ?, ?, ?, ?, ?, ?)",
                id, tenant, model, status, at, at, key, images, route, in == null ? null : in.longValue(), out == null ? null : out.longValue(), ms);
        database.jdbc().update("INSERT INTO task_charge (task_id, tenant_id, model, reserved, charged, created_at, settled_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                id, tenant, model, reserved, charged, at, at);
    }

    private UsageReport.Report run(String tenant, UsageReport.GroupBy by) {
        return report.report(new UsageReport.Query(tenant, DAY1.minusSeconds(3600), DAY2.plusSeconds(3600), by));
    }

    @Test
    void daysAreUtcDays() {
        var days = run("ta", UsageReport.GroupBy.DAY).groups();
        assertThat(days).extracting(UsageReport.Row::group).containsExactly("2026-11-20", "2026-11-21");
        assertThat(days.get(1).tasks()).isEqualTo(3);
        assertThat(days.get(1).refundedMillis()).isEqualTo(6000);
    }

    @Test
    void upstreamCostIsPricedPerRouteAndUnpricedRoutesAreCounted() {
        var models = run("ta", UsageReport.GroupBy.MODEL);
        var gpt = models.groups().getFirst().group().equals("flux-2-pro") ? models.groups().get(1) : models.groups().getFirst();
        assertThat(gpt.group()).isEqualTo("gpt-image-2");
        // 1000 input tokens at $5/1M + 100,000 output tokens at $40/1M
        assertThat(gpt.upstreamCostUsd()).isEqualByComparingTo(new BigDecimal("4.005"));
        assertThat(gpt.chargedUsd()).isEqualByComparingTo("0.03");
        assertThat(gpt.marginUsd()).isEqualByComparingTo("-3.975");
        assertThat(gpt.failed()).isEqualTo(1);
        var flux = models.groups().stream().filter(r -> r.group().equals("flux-2-pro")).findFirst().orElseThrow();
        assertThat(flux.upstreamCostUsd()).as("2.5 s on replicate at $0.001/s").isEqualByComparingTo("0.0025");
        assertThat(flux.unpricedTasks()).as("fal has no upstream cost configured").isEqualTo(1);
        assertThat(models.totals().tasks()).isEqualTo(4);
    }

    @Test
    void keysAndTenants() {
        var keys = run("ta", UsageReport.GroupBy.KEY).groups();
        assertThat(keys).extracting(UsageReport.Row::group).containsExactly("", "k1", "k2");
        var all = run(null, UsageReport.GroupBy.KEY).groups();
        assertThat(all).extracting(UsageReport.Row::group).containsExactly("", "k1", "k2", "k3");
        assertThat(run("tb", UsageReport.GroupBy.MODEL).totals().tasks()).isEqualTo(1);
    }
}
