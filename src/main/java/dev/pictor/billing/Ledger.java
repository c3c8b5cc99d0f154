package dev.pictor.billing;

import dev.pictor.catalog.GenerationRequest;
import dev.pictor.catalog.ModelCatalog;
import dev.pictor.common.Json;
import dev.pictor.db.Jdbc;
import dev.pictor.metrics.Metrics;
import dev.pictor.task.NewTask;
import dev.pictor.task.Task;
import dev.pictor.task.TaskStatus;
import dev.pictor.task.TaskStore;
import java.sql.SQLException;
import dev.pictor.db.WindowCounters;
import dev.pictor.db.WindowCounters.Window;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import tools.jackson.databind.node.ObjectNode;

/**
 * Balances and the append-only credit ledger. A submit reserves its estimate inside the transaction
 * that stores the task ({@link #onInsert}); the terminal write settles or refunds it inside the
 * transaction that ends the task ({@link #onTerminal}), so a task and its money move together on
 * every node. Concurrent submits cannot overdraw: the balance is lowered by one conditional UPDATE
 * ({@code balance >= amount}), which the database serialises per row. A key's hourly and daily
 * credit limits are held the same way, in the same transaction, by its window counters
 * (docs/key-limits.md).
 */
public final class Ledger implements TaskStore.InsertListener, TaskStore.TerminalListener {
    public enum Billing { PREPAID, UNLIMITED }

    /** A tenant's account: how it pays, what is left, what open tasks hold. */
    public record Account(String tenantId, Billing billing, long balanceMillis, long reservedMillis) {
    }

    static final String CREDITS_HOUR = "credits_hour";
    static final String CREDITS_DAY = "credits_day";

    private final Jdbc jdbc;
    private final ModelCatalog catalog;
    private final PriceTable prices;
    private final Metrics metrics;
    private final Clock clock;

    public Ledger(Jdbc jdbc, ModelCatalog catalog, PriceTable prices, Metrics metrics, Clock clock) {
        this.jdbc = jdbc;
        this.catalog = catalog;
        this.prices = prices;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * Counts the estimate against the key's credit limits, then hands the task store the charge row
     * and the tenant's billing mode to read with the task's own rows ({@code TaskStore.Companion}: on
     * PostgreSQL one round trip for all of them); a prepaid tenant's balance is lowered after that.
     */
    @Override
    public TaskStore.Companion onInsert(Jdbc.Tx tx, NewTask task) throws SQLException {
        GenerationRequest request = catalog.find(task.model()).orElseThrow().restore(Json.parse(task.inputJson()));
        long amount = prices.estimate(request);
        boolean counted = countAgainstKeyLimits(tx, task, amount);
        Object[] charge = {task.id(), task.tenantId(), task.model(), amount, task.createdAt(), task.keyId(), counted};
        return new TaskStore.Companion(INSERT_CHARGE, charge, BILLING, new Object[] {task.tenantId()},
                (t, billing) -> reserve(t, task, amount, billing));
    }

    private static final String INSERT_CHARGE = "INSERT INTO task_charge (task_id, tenant_id, model, reserved, charged, created_at, settled_at, "
            + "key_id, counted) VALUES (?, ?, ?, ?, NULL, ?, NULL, ?, ?)";
    private static final String BILLING = "SELECT billing FROM credit_account WHERE tenant_id = ?";

    /**
     * Takes a prepaid tenant's reservation from its balance. Unlimited tenants (and tenants with no
     * account, {@code billing} null) move no balance, but their charge row still says what the task
     * costs.
     */
    private void reserve(Jdbc.Tx tx, NewTask task, long amount, String billing) throws SQLException {
        if (billing == null || parse(billing) != Billing.PREPAID) {
            return;
        }
        int lowered = tx.update("UPDATE credit_account SET balance = balance - ? WHERE tenant_id = ? AND balance >= ?",
                amount, task.tenantId(), amount);
        if (lowered == 0) {
            // the whole submit rolls back, the charge row with it
            long balance = tx.queryOne("SELECT balance FROM credit_account WHERE tenant_id = ?", rs -> rs.getLong(1), task.tenantId())
                    .orElse(0L);
            throw new InsufficientCreditsException(task.model(), amount, balance);
        }
        append(tx, task.tenantId(), task.id(), "reserve", -amount, null);
    }

    /**
     * Adds the reservation to the key's hourly and daily credit counters, each only if it stays
     * within its limit; throws (rolling the submit back, counters included) when one would not.
     * Keys without credit limits write nothing here.
     */
    private static boolean countAgainstKeyLimits(Jdbc.Tx tx, NewTask task, long amount) throws SQLException {
        NewTask.Key key = task.key();
        if (key == null || !key.hasCreditLimit()) {
            return false;
        }
        Instant at = task.createdAt();
        if (key.hourlyCreditLimit() > 0
                && !WindowCounters.add(tx, key.id(), CREDITS_HOUR, Window.HOUR.start(at), amount, key.hourlyCreditLimit())) {
            throw limitReached("hourly_credit_limit", key.hourlyCreditLimit(), amount, Window.HOUR, at);
        }
        if (key.dailyCreditLimit() > 0
                && !WindowCounters.add(tx, key.id(), CREDITS_DAY, Window.DAY.start(at), amount, key.dailyCreditLimit())) {
            throw limitReached("daily_credit_limit", key.dailyCreditLimit(), amount, Window.DAY, at);
        }
        return true;
    }

    private static CreditLimitException limitReached(String field, long limit, long amount, Window window, Instant at) {
        int retry = window.secondsLeft(at);
        String why = amount > limit
                ? "this request costs " + Credits.credits(amount) + " credits, more than the key's " + field + " of " + Credits.credits(limit)
                : "this request (" + Credits.credits(amount) + " credits) would take the key past its " + field + " of " + Credits.credits(limit)
                        + "; the " + (window == Window.HOUR ? "hour" : "day") + " (UTC) ends in " + retry + " s";
        return new CreditLimitException(why, retry);
    }

    @Override
    public void onTerminal(Jdbc.Tx tx, Task task) throws SQLException {
        if (task.status() == TaskStatus.FINISHED) {
            int images = task.files().size();
            tx.afterCommit(() -> metrics.imagesDelivered(task.model(), images));
        }
        record Open(long reserved, String keyId, boolean counted, Instant createdAt) {
        }
        Optional<Open> open = tx.queryOne("SELECT reserved, key_id, counted, created_at FROM task_charge WHERE task_id = ? AND settled_at IS NULL",
                rs -> new Open(rs.getLong("reserved"), rs.getString("key_id"), rs.getBoolean("counted"), Jdbc.instant(rs, "created_at")), task.id());
        if (open.isEmpty()) {
            return; // a task from before billing, or already settled
        }
        Optional<Long> reserved = open.map(Open::reserved);
        long cost = 0;
        if (task.status() == TaskStatus.FINISHED) {
            ObjectNode input = (ObjectNode) Json.parse(task.inputJson());
            cost = prices.settle(task.model(), input, task.files().size(), reserved.get());
        }
        tx.update("UPDATE task_charge SET charged = ?, settled_at = ? WHERE task_id = ?", cost, clock.instant(), task.id());
        long charged = cost;
        long returned = reserved.get() - cost;
        // counted once the settlement is committed: a rolled-back ending charged nothing
        tx.afterCommit(() -> metrics.credits(task.model(), charged, returned));
        if (open.get().counted() && reserved.get() > cost) {
            // what the task did not cost does not count against the key's windows either
            Instant at = open.get().createdAt();
            WindowCounters.subtract(tx, open.get().keyId(), CREDITS_HOUR, Window.HOUR.start(at), reserved.get() - cost);
            WindowCounters.subtract(tx, open.get().keyId(), CREDITS_DAY, Window.DAY.start(at), reserved.get() - cost);
        }
        if (billing(tx, task.tenantId()).orElse(Billing.UNLIMITED) == Billing.PREPAID) {
            long back = reserved.get() - cost;
            tx.update("UPDATE credit_account SET balance = balance + ? WHERE tenant_id = ?", back, task.tenantId());
            append(tx, task.tenantId(), task.id(), task.status() == TaskStatus.FINISHED ? "settle" : "refund", back, null);
        }
    }

    /** Creates or changes the tenant's billing mode; a new account starts at zero. */
    public void setBilling(String tenantId, Billing billing) {
        jdbc.inTransaction(tx -> {
            int changed = tx.update("UPDATE credit_account SET billing = ? WHERE tenant_id = ?", wire(billing), tenantId);
            if (changed == 0) {
                tx.update("INSERT INTO credit_account (tenant_id, billing, balance) VALUES (?, ?, 0)", tenantId, wire(billing));
            }
            return null;
        });
    }

    /**
     * A top-up (positive) or adjustment (either sign) of a tenant's balance; refused when it would
     * take the balance below zero. Returns the account after it.
     */
    public Account credit(String tenantId, long amountMillis, String reason) {
        return jdbc.inTransaction(tx -> {
            if (tx.queryOne("SELECT tenant_id FROM credit_account WHERE tenant_id = ?", rs -> rs.getString(1), tenantId).isEmpty()) {
                tx.update("INSERT INTO credit_account (tenant_id, billing, balance) VALUES (?, 'unlimited', 0)", tenantId);
            }
            int changed = tx.update("UPDATE credit_account SET balance = balance + ? WHERE tenant_id = ? AND balance + ? >= 0",
                    amountMillis, tenantId, amountMillis);
            if (changed == 0) {
                throw new IllegalArgumentException("amount would take the balance of " + tenantId + " below zero");
            }
            append(tx, tenantId, null, amountMillis >= 0 ? "topup" : "adjustment", amountMillis, reason);
            return account(tx, tenantId);
        });
    }

    public Account account(String tenantId) {
        return jdbc.inTransaction(tx -> account(tx, tenantId));
    }

    /** One ledger row as stored: {@code amount} in millicredits, negative for a reservation or an adjustment down. */
    public record Entry(long id, String taskId, String kind, long amountMillis, String reason, java.time.Instant createdAt) {
    }

    /** A tenant's newest ledger rows first, at most {@code limit}, before row {@code beforeId} when given. */
    public java.util.List<Entry> entries(String tenantId, Long beforeId, int limit) {
        return jdbc.query("SELECT id, task_id, kind, amount, reason, created_at FROM credit_ledger WHERE tenant_id = ? AND id < ? "
                        + "ORDER BY id DESC LIMIT ?",
                rs -> new Entry(rs.getLong("id"), rs.getString("task_id"), rs.getString("kind"), rs.getLong("amount"), rs.getString("reason"),
                        Jdbc.instant(rs, "created_at")), tenantId, beforeId == null ? Long.MAX_VALUE : beforeId, limit);
    }

    /** The sum of a tenant's ledger rows: equal to its balance, by construction; tests check it. */
    public long ledgerSum(String tenantId) {
        return jdbc.queryOne("SELECT COALESCE(SUM(amount), 0) FROM credit_ledger WHERE tenant_id = ?", rs -> rs.getLong(1), tenantId).orElse(0L);
    }

    /** Credits a key spent (charged, or reserved while open) in a window, in millicredits, by when its tasks were submitted. */
    public long keySpent(String keyId, Window window, Instant now) {
        return jdbc.queryOne("SELECT COALESCE(SUM(COALESCE(charged, reserved)), 0) FROM task_charge WHERE key_id = ? AND created_at >= ?",
                rs -> rs.getLong(1), keyId, window.start(now)).orElse(0L);
    }

    /**
     * Sets a key's credit counters to what it has spent in the current windows: called when its
     * credit limits are set or changed, so a limit set mid-hour counts what the hour already spent.
     */
    public void seedKeyCounters(String keyId, Instant now) {
        jdbc.inTransaction(tx -> {
            for (Window w : Window.values()) {
                long spent = tx.queryOne("SELECT COALESCE(SUM(COALESCE(charged, reserved)), 0) FROM task_charge WHERE key_id = ? AND created_at >= ?",
                        rs -> rs.getLong(1), keyId, w.start(now)).orElse(0L);
                WindowCounters.seed(tx, keyId, w == Window.HOUR ? CREDITS_HOUR : CREDITS_DAY, w.start(now), spent);
            }
            return null;
        });
    }

    /** What a task cost (its charge once ended, its reservation while open), empty for a task from before billing. */
    public Optional<Long> taskCost(String taskId) {
        return jdbc.queryOne("SELECT COALESCE(charged, reserved) FROM task_charge WHERE task_id = ?", rs -> rs.getLong(1), taskId);
    }

    private Account account(Jdbc.Tx tx, String tenantId) throws SQLException {
        long reserved = tx.queryOne("SELECT COALESCE(SUM(reserved), 0) FROM task_charge WHERE tenant_id = ? AND settled_at IS NULL",
                rs -> rs.getLong(1), tenantId).orElse(0L);
        return tx.queryOne("SELECT billing, balance FROM credit_account WHERE tenant_id = ?",
                        rs -> new Account(tenantId, parse(rs.getString(1)), rs.getLong(2), reserved), tenantId)
                .orElse(new Account(tenantId, Billing.UNLIMITED, 0, reserved));
    }

    /** How the tenant pays; empty when it has no account (then it is unlimited). The column is NOT NULL. */
    private static Optional<Billing> billing(Jdbc.Tx tx, String tenantId) throws SQLException {
        return tx.queryOne(BILLING, rs -> parse(rs.getString(1)), tenantId);
    }

    private void append(Jdbc.Tx tx, String tenantId, String taskId, String kind, long amount, String reason) throws SQLException {
        tx.update("INSERT INTO credit_ledger (tenant_id, task_id, kind, amount, reason, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                tenantId, taskId, kind, amount, reason, clock.instant());
    }

    public static Billing parse(String wire) {
        return switch (wire) {
            case "prepaid" -> Billing.PREPAID;
            case "unlimited" -> Billing.UNLIMITED;
            default -> throw new IllegalArgumentException("billing must be prepaid or unlimited");
        };
    }

    public static String wire(Billing billing) {
        return billing.name().toLowerCase(java.util.Locale.ROOT);
    }
}
