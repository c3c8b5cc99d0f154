package dev.pictor.api;

import dev.pictor.auth.Principal;
import dev.pictor.billing.Credits;
import dev.pictor.billing.Ledger;
import dev.pictor.common.Json;
import dev.pictor.common.WireTime;
import dev.pictor.upstream.CircuitBreaker;
import dev.pictor.upstream.Upstream;
import dev.pictor.upstream.UpstreamHealth;
import dev.pictor.upstream.UpstreamRegistry;
import dev.pictor.usage.UsageReport;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code GET /api/usage} (JSON, or CSV with {@code Accept: text/csv}) and the admin's
 * {@code GET /api/admin/upstreams}: circuit state, error rate and latency of each upstream on this node.
 */
public final class UsageRoutes implements RouteGroup {
    static final Duration DEFAULT_RANGE = Duration.ofDays(30);
    static final Duration MAX_RANGE = Duration.ofDays(366);
    private static final List<String> COLUMNS = List.of("tasks", "succeeded", "failed", "images", "credits_charged", "credits_refunded",
            "usd_charged", "upstream_cost_usd", "margin_usd", "upstream_input_tokens", "upstream_output_tokens",
            "upstream_compute_seconds", "unpriced_tasks");

    private final UsageReport usage;
    private final Ledger ledger;
    private final UpstreamRegistry upstreams;
    private final Clock clock;

    public UsageRoutes(UsageReport usage, Ledger ledger, UpstreamRegistry upstreams, Clock clock) {
        this.usage = usage;
        this.ledger = ledger;
        this.upstreams = upstreams;
        this.clock = clock;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/api/usage", this::usage);
        routes.get("/api/admin/upstreams", this::upstreams);
        routes.get("/api/account/ledger", this::ledger);
    }

    /** The caller's tenant's ledger, newest first; {@code before} (a row id) pages back. */
    private void ledger(Context ctx) {
        Principal principal = ApiServer.principal(ctx);
        int limit = Params.queryInt(ctx, "limit", 50, 1, 500);
        String before = Params.query(ctx, "before", 20);
        Long beforeId = null;
        if (before != null) {
            try {
                beforeId = Long.parseLong(before);
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("before must be the id of a ledger entry", "before");
            }
        }
        List<Ledger.Entry> rows = ledger.entries(principal.tenantId(), beforeId, limit + 1);
        ObjectNode data = Json.object();
        data.put("tenant_id", principal.tenantId());
        var list = data.putArray("entries");
        rows.stream().limit(limit).forEach(e -> list.addObject()
                .put("id", e.id())
                .put("kind", e.kind())
                .put("amount", Credits.credits(e.amountMillis()))
                .put("task_id", e.taskId())
                .put("reason", e.reason())
                .put("created_time", WireTime.apidot(e.createdAt()))
                .put("created_at", WireTime.rfc3339(e.createdAt())));
        data.put("has_more", rows.size() > limit);
        HttpJson.ok(ctx, data);
    }

    /**
     * Whether a caller's usage report covers every tenant: only the operator's. A tenant admin, like
     * any key, sees its own tenant (all of its keys).
     */
    static boolean seesAllTenants(Principal p) {
        return p.operator();
    }

    private void usage(Context ctx) {
        Principal principal = ApiServer.principal(ctx);
        String groupWire = Params.query(ctx, "group_by", 16);
        UsageReport.GroupBy groupBy = groupWire == null ? UsageReport.GroupBy.MODEL : UsageReport.GroupBy.parse(groupWire)
                .orElseThrow(() -> ApiException.badRequest("group_by must be model, key or day", "group_by"));
        Instant until = Params.queryTime(ctx, "until");
        Instant since = Params.queryTime(ctx, "since");
        if (until == null) {
            until = clock.instant();
        }
        if (since == null) {
            since = until.minus(DEFAULT_RANGE);
        }
        if (!until.isAfter(since)) {
            throw ApiException.badRequest("until must be after since", "until");
        }
        if (Duration.between(since, until).compareTo(MAX_RANGE) > 0) {
            throw ApiException.badRequest("since to until may span at most " + MAX_RANGE.toDays() + " days", "since");
        }
        String tenantFilter = Params.query(ctx, "tenant_id", Params.SHORT_TEXT);
        String tenant;
        if (seesAllTenants(principal)) {
            tenant = tenantFilter;
        } else if (tenantFilter == null || tenantFilter.equals(principal.tenantId())) {
            tenant = principal.tenantId();
        } else {
            throw ApiException.forbidden("tenant_id of another tenant needs an admin key");
        }
        UsageReport.Report report = usage.report(new UsageReport.Query(tenant, since, until, groupBy));
        if (wantsCsv(ctx)) {
            ctx.status(200).contentType("text/csv; charset=utf-8")
                    .header("Content-Disposition", "attachment; filename=\"pictor-usage-" + groupBy.column() + ".csv\"")
                    .result(csv(report));
            return;
        }
        ObjectNode data = Json.object();
        data.put("since", WireTime.rfc3339(since));
        data.put("until", WireTime.rfc3339(until));
        data.put("group_by", groupWire == null ? "model" : groupWire);
        data.put("tenant_id", tenant);
        data.put("usd_per_credit", new BigDecimal("0.005"));
        var groups = data.putArray("groups");
        for (UsageReport.Row row : report.groups()) {
            ObjectNode g = groups.addObject();
            String name = row.group();
            if (groupBy == UsageReport.GroupBy.KEY && name.isEmpty()) {
                g.putNull("key_id"); // tasks from before Pictor recorded the submitting key
            } else {
                g.put(groupBy.column(), name);
            }
            figures(g, row);
        }
        figures(data.putObject("totals"), report.totals());
        HttpJson.ok(ctx, data);
    }

    private static boolean wantsCsv(Context ctx) {
        String accept = ctx.header("Accept");
        return accept != null && accept.toLowerCase(Locale.ROOT).contains("text/csv");
    }

    private static void figures(ObjectNode g, UsageReport.Row r) {
        g.put("tasks", r.tasks());
        g.put("succeeded", r.succeeded());
        g.put("failed", r.failed());
        g.put("images", r.images());
        g.put("credits_charged", Credits.credits(r.chargedMillis()));
        g.put("credits_refunded", Credits.credits(r.refundedMillis()));
        g.put("usd_charged", r.chargedUsd());
        g.put("upstream_cost_usd", plain(r.upstreamCostUsd()));
        g.put("margin_usd", plain(r.marginUsd()));
        g.put("upstream_input_tokens", r.inputTokens());
        g.put("upstream_output_tokens", r.outputTokens());
        g.put("upstream_compute_seconds", plain(BigDecimal.valueOf(r.computeMillis(), 3)));
        g.put("unpriced_tasks", r.unpricedTasks());
    }

    /** 0.040000 as 0.04, 2.000 as 2: the same figure, written as a person would. */
    private static BigDecimal plain(BigDecimal d) {
        BigDecimal p = d.stripTrailingZeros();
        return p.scale() < 0 ? p.setScale(0) : p;
    }

    /** A header row, one row per group and a total row; the same figures as the JSON groups. */
    static String csv(UsageReport.Report report) {
        StringBuilder out = new StringBuilder();
        out.append(report.query().groupBy().column());
        COLUMNS.forEach(c -> out.append(',').append(c));
        out.append("\r\n");
        for (UsageReport.Row row : report.groups()) {
            csvRow(out, row.group(), row);
        }
        csvRow(out, "total", report.totals());
        return out.toString();
    }

    private static void csvRow(StringBuilder out, String name, UsageReport.Row r) {
        ObjectNode g = Json.object();
        figures(g, r);
        out.append(csvField(name));
        for (String c : COLUMNS) {
            out.append(',').append(g.get(c).asString());
        }
        out.append("\r\n");
    }

    /** RFC 4180 quoting; a leading =, +, - or @ is quoted with a ' so spreadsheets do not run it as a formula. */
    static String csvField(String v) {
        String s = !v.isEmpty() && "=+-@".indexOf(v.charAt(0)) >= 0 ? "'" + v : v;
        return s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r") || !s.equals(v)
                ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private void upstreams(Context ctx) {
        ApiServer.requireOperator(ctx); // the installation's upstreams are the operator's business
        ObjectNode data = Json.object();
        data.put("window_seconds", UpstreamHealth.WINDOW.toSeconds());
        data.put("scope", "node");
        var list = data.putArray("upstreams");
        for (Upstream u : upstreams.all()) {
            CircuitBreaker breaker = upstreams.breaker(u.name());
            UpstreamHealth.Snapshot s = upstreams.health(u.name()).snapshot();
            ObjectNode n = list.addObject();
            n.put("name", u.name());
            n.put("concurrency", u.concurrency());
            CircuitBreaker.State state = breaker.state();
            n.put("circuit", state.name().toLowerCase(Locale.ROOT));
            n.put("consecutive_failures", breaker.consecutiveFailures());
            n.put("open_until", state == CircuitBreaker.State.OPEN ? WireTime.rfc3339(breaker.openUntil()) : null);
            n.put("calls", s.calls());
            n.put("failures", s.failures());
            n.put("error_rate", Math.round(s.errorRate() * 1000) / 1000.0);
            n.put("latency_p50_ms", s.p50Millis());
            n.put("latency_p90_ms", s.p90Millis());
            n.put("latency_max_ms", s.maxMillis());
            n.put("last_failure_time", s.lastFailureAt() == null ? null : WireTime.rfc3339(s.lastFailureAt()));
        }
        HttpJson.ok(ctx, data);
    }
}
