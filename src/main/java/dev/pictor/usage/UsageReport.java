package dev.pictor.usage;

import dev.pictor.billing.Credits;
import dev.pictor.billing.UpstreamCosts;
import dev.pictor.db.Jdbc;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What tasks used in a time range, grouped by model, key or UTC day: one aggregate query over
 * {@code task} joined to {@code task_charge} (its primary key), filtered by creation time through
 * {@code task_tenant_created} for one tenant or {@code task_created} for all. The database sums per
 * group and route; only the upstream cost, whose prices live in the operator's file, is multiplied
 * out here, over at most groups × routes rows.
 *
 * <p>A task counts where and when it was submitted. {@code credits_refunded} is what was reserved and
 * went back: a failed task's whole reservation, a partly delivered task's undelivered images.
 */
public final class UsageReport {
    public enum GroupBy {
        MODEL("model", "t.model"),
        KEY("key_id", "COALESCE(t.key_id, '')"),
        // Both databases read AT TIME ZONE on a timestamp with time zone as "the same instant in UTC".
        DAY("day", "CAST(t.created_at AT TIME ZONE 'UTC' AS DATE)");

        private final String column;
        private final String sql;

        GroupBy(String column, String sql) {
            this.column = column;
            this.sql = sql;
        }

        /** The field naming a group in the answer: model, key_id or day. */
        public String column() {
            return column;
        }

        public static Optional<GroupBy> parse(String wire) {
            for (GroupBy g : values()) {
                if (g.name().toLowerCase(Locale.ROOT).equals(wire)) {
                    return Optional.of(g);
                }
            }
            return Optional.empty();
        }
    }

    /** {@code tenantId} null: every tenant. The range is {@code [since, until)} on the tasks' creation time. */
    public record Query(String tenantId, Instant since, Instant until, GroupBy groupBy) {
    }

    /**
     * One group's figures. Credits in millicredits; {@code upstreamCostUsd} sums the priced routes,
     * {@code unpricedTasks} counts finished tasks whose route has no upstream cost configured.
     */
    public record Row(String group, long tasks, long succeeded, long failed, long images, long chargedMillis, long refundedMillis,
                      long inputTokens, long outputTokens, long computeMillis, BigDecimal upstreamCostUsd, long unpricedTasks) {
        public BigDecimal chargedUsd() {
            return Credits.usd(chargedMillis);
        }

        /** What the credits charged bring in minus what the upstreams cost, in US dollars. */
        public BigDecimal marginUsd() {
            return chargedUsd().subtract(upstreamCostUsd);
        }

        Row plus(Row o, String group) {
            return new Row(group, tasks + o.tasks, succeeded + o.succeeded, failed + o.failed, images + o.images,
                    chargedMillis + o.chargedMillis, refundedMillis + o.refundedMillis, inputTokens + o.inputTokens,
                    outputTokens + o.outputTokens, computeMillis + o.computeMillis, upstreamCostUsd.add(o.upstreamCostUsd),
                    unpricedTasks + o.unpricedTasks);
        }

        static Row empty(String group) {
            return new Row(group, 0, 0, 0, 0, 0, 0, 0, 0, 0, BigDecimal.ZERO.setScale(6), 0);
        }
    }

    /** The groups in order (days ascending, models and keys by name) and their sum. */
    public record Report(Query query, List<Row> groups, Row totals) {
    }

    private final Jdbc jdbc;
    private final UpstreamCosts costs;

    public UsageReport(Jdbc jdbc, UpstreamCosts costs) {
        this.jdbc = jdbc;
        this.costs = costs;
    }

    public Report report(Query q) {
        String group = q.groupBy().sql;
        StringBuilder sql = new StringBuilder("SELECT " + group + " AS grp, t.upstream_route AS route, COUNT(*) AS tasks, "
                + "SUM(CASE WHEN t.status = 'finished' THEN 1 ELSE 0 END) AS succeeded, "
                + "SUM(CASE WHEN t.status = 'failed' THEN 1 ELSE 0 END) AS failed, "
                + "COALESCE(SUM(t.image_count), 0) AS images, "
                + "COALESCE(SUM(c.charged), 0) AS charged, "
                + "COALESCE(SUM(CASE WHEN c.settled_at IS NULL THEN 0 ELSE c.reserved - c.charged END), 0) AS refunded, "
                + "COALESCE(SUM(t.upstream_input_tokens), 0) AS input_tokens, "
                + "COALESCE(SUM(t.upstream_output_tokens), 0) AS output_tokens, "
                + "COALESCE(SUM(t.upstream_compute_ms), 0) AS compute_ms "
                + "FROM task t LEFT JOIN task_charge c ON c.task_id = t.id WHERE ");
        List<Object> params = new ArrayList<>();
        if (q.tenantId() != null) {
            sql.append("t.tenant_id = ? AND ");
            params.add(q.tenantId());
        }
        sql.append("t.created_at >= ? AND t.created_at < ? GROUP BY ").append(group).append(", t.upstream_route");
        params.add(q.since());
        params.add(q.until());
        Map<String, Row> groups = new TreeMap<>();
        jdbc.query(sql.toString(), rs -> {
            String name = rs.getString("grp");
            String route = rs.getString("route");
            long succeeded = rs.getLong("succeeded");
            long images = rs.getLong("images");
            long in = rs.getLong("input_tokens");
            long out = rs.getLong("output_tokens");
            long ms = rs.getLong("compute_ms");
            Optional<UpstreamCosts.Cost> cost = costs.of(route);
            // route is set only when a task finishes, so a row without one has nothing to price
            BigDecimal usd = cost.map(c -> c.usd(in, out, ms, images)).orElse(BigDecimal.ZERO.setScale(6));
            long unpriced = route != null && cost.isEmpty() ? succeeded : 0;
            Row row = new Row(name, rs.getLong("tasks"), succeeded, rs.getLong("failed"), images, rs.getLong("charged"),
                    rs.getLong("refunded"), in, out, ms, usd, unpriced);
            groups.merge(name, row, (a, b) -> a.plus(b, name));
            return null;
        }, params.toArray());
        List<Row> rows = List.copyOf(groups.values());
        Row totals = Row.empty("total");
        for (Row r : rows) {
            totals = totals.plus(r, "total");
        }
        return new Report(q, rows, totals);
    }
}
