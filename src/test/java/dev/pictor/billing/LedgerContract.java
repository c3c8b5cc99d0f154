package dev.pictor.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.catalog.ModelCatalog;
import dev.pictor.common.ErrorCode;
import dev.pictor.db.Database;
import dev.pictor.metrics.Metrics;
import dev.pictor.storage.StoredFile;
import dev.pictor.task.Claim;
import dev.pictor.task.NewTask;
import dev.pictor.task.Task;
import dev.pictor.task.TaskEvents;
import dev.pictor.task.TaskIds;
import dev.pictor.task.TaskStore;
import dev.pictor.support.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Reserve at insert, settle or refund at the terminal write, through the real TaskStore hooks, on
 * each database: the ledger always sums to the balance and concurrent submits never overdraw.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class LedgerContract {
    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
    private static final String SEEDREAM_4 = "{\"prompt\":\"p\",\"n\":4}"; // 5 per image: 20 reserved
    private final ModelCatalog catalog = new ModelCatalog();
    private final MutableClock clock = new MutableClock(T0);
    private final Metrics metrics = new Metrics(clock);
    private final TaskIds ids = new TaskIds();
    private Database database;
    private TaskStore store;
    private Ledger ledger;
    private String tenant;
    private final AtomicInteger tenants = new AtomicInteger();

    abstract Database openDatabase();

    @BeforeAll
    void open() {
        database = openDatabase();
        ledger = new Ledger(database.jdbc(), catalog, PriceTable.defaults(catalog), metrics, clock);
        store = new TaskStore(database.jdbc(), ledger, TaskStore.ProgressListener.NONE, ledger, new TaskEvents());
    }

    @AfterAll
    void close() {
        database.close();
    }

    @BeforeEach
    void freshPrepaidTenant() {
        tenant = "t" + tenants.incrementAndGet() + "-" + System.nanoTime();
        database.jdbc().update("INSERT INTO tenant (id, name, created_at) VALUES (?, ?, ?)", tenant, tenant, T0);
        ledger.setBilling(tenant, Ledger.Billing.PREPAID);
    }

    private Task submit(String model, String input) {
        return store.insert(new NewTask(ids.next(T0), tenant, model, input, null, "sandbox", T0, T0.plus(Duration.ofMinutes(10))));
    }

    private Claim claim(Task t) {
        return store.claim("node-1", List.of("sandbox"), 100, T0.plusSeconds(1), Duration.ofSeconds(30)).stream()
                .filter(c -> c.taskId().equals(t.id())).findFirst().orElseThrow();
    }

    private static List<StoredFile> files(int n) {
        List<StoredFile> f = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            f.add(new StoredFile("k" + i, "image/jpeg", 1, 1, 1, "sandbox"));
        }
        return f;
    }

    private long balance() {
        return ledger.account(tenant).balanceMillis();
    }

    private void assertLedgerExplainsBalance() {
        assertThat(ledger.ledgerSum(tenant)).isEqualTo(balance());
    }

    @Test
    void aFinishedTaskIsChargedPerDeliveredImageAndTheRestReturns() {
        ledger.credit(tenant, 100_000, "test");
        Task full = submit("seedream-4.5", SEEDREAM_4);
        assertThat(balance()).isEqualTo(80_000);
        assertThat(ledger.account(tenant).reservedMillis()).isEqualTo(20_000);
        assertThat(store.finish(claim(full), "sandbox", files(4), T0.plusSeconds(2))).isTrue();
        assertThat(ledger.taskCost(full.id())).contains(20_000L);
        assertThat(balance()).isEqualTo(80_000);

        Task partial = submit("seedream-4.5", SEEDREAM_4);
        assertThat(store.finish(claim(partial), "sandbox", files(3), T0.plusSeconds(2))).isTrue();
        assertThat(ledger.taskCost(partial.id())).as("three of four images arrived").contains(15_000L);
        assertThat(balance()).isEqualTo(65_000);
        assertThat(ledger.account(tenant).reservedMillis()).isZero();
        assertLedgerExplainsBalance();
    }

    @Test
    void failedTimedOutAndCancelledTasksAreRefundedOnce() {
        ledger.credit(tenant, 100_000, "test");
        Task failed = submit("seedream-4.5", SEEDREAM_4);
        Task timedOut = submit("gpt-image-2", "{\"prompt\":\"p\",\"quality\":\"high\",\"resolution\":\"4K\"}");
        Task cancelled = submit("z-image", "{\"prompt\":\"p\",\"size\":\"1:1\"}");
        assertThat(balance()).isEqualTo(100_000 - 20_000 - 48_000 - 2_000);
        assertThat(store.fail(claim(failed), ErrorCode.UPSTREAM_ERROR, "boom", T0.plusSeconds(2))).isTrue();
        assertThat(store.failUnclaimed(timedOut.id(), ErrorCode.TIMEOUT, "deadline", T0.plusSeconds(2))).isTrue();
        assertThat(store.failUnclaimed(cancelled.id(), ErrorCode.CANCELLED, "cancelled", T0.plusSeconds(2))).isTrue();
        assertThat(store.failUnclaimed(cancelled.id(), ErrorCode.CANCELLED, "again", T0.plusSeconds(3))).as("already ended").isFalse();
        assertThat(balance()).isEqualTo(100_000);
        assertThat(ledger.taskCost(failed.id())).contains(0L);
        assertThat(database.jdbc().queryOne("SELECT COUNT(*) FROM credit_ledger WHERE tenant_id = ? AND kind = 'refund'",
                rs -> rs.getLong(1), tenant)).contains(3L);
        assertLedgerExplainsBalance();
    }

    @Test
    void settlementsCountCreditsAndImagesByModelInPrometheus() {
        ledger.credit(tenant, 100_000, "test");
        Task partial = submit("kling-o3-image", "{\"prompt\":\"p\",\"n\":2,\"resolution\":\"1K\"}"); // 3.5 per image: 7 reserved
        Task failed = submit("flux-kontext-pro", "{\"prompt\":\"p\"}"); // 8 per generation
        assertThat(store.finish(claim(partial), "sandbox", files(1), T0.plusSeconds(2))).isTrue();
        assertThat(store.failUnclaimed(failed.id(), ErrorCode.UPSTREAM_ERROR, "boom", T0.plusSeconds(2))).isTrue();
        String scrape = metrics.scrape();
        assertThat(scrape).contains("pictor_credits_charged_total{model=\"kling-o3-image\"} 3.5",
                "pictor_credits_refunded_total{model=\"kling-o3-image\"} 3.5",
                "pictor_images_total{model=\"kling-o3-image\"} 1.0",
                "pictor_credits_refunded_total{model=\"flux-kontext-pro\"} 8.0",
                "pictor_credits_charged_total{model=\"flux-kontext-pro\"} 0.0");
        assertThat(scrape).doesNotContain("pictor_images_total{model=\"flux-kontext-pro\"}");
    }

    @Test
    void aSubmitTheBalanceCannotCoverStoresNothing() {
        ledger.credit(tenant, 4_000, "test");
        submit("z-image", "{\"prompt\":\"p\",\"size\":\"1:1\"}"); // 2 credits left
        submit("z-image", "{\"prompt\":\"p\",\"size\":\"1:1\"}"); // none left
        assertThatThrownBy(() -> submit("z-image", "{\"prompt\":\"p\",\"size\":\"1:1\"}"))
                .isInstanceOf(InsufficientCreditsException.class).hasMessageContaining("needs 2 credits");
        assertThat(store.list(tenant, null, null, null, null, null, 10)).hasSize(2);
        assertThat(balance()).isZero();
        assertLedgerExplainsBalance();
    }

    @Test
    void aRefusedSubmitLeavesNoQueueRowAndNoChargeRow() {
        ledger.credit(tenant, 1_000, "test"); // z-image costs 2
        assertThatThrownBy(() -> submit("z-image", "{\"prompt\":\"p\",\"size\":\"1:1\"}"))
                .isInstanceOf(InsufficientCreditsException.class);
        assertThat(count("SELECT COUNT(*) FROM task_charge WHERE tenant_id = ?")).isZero();
        assertThat(count("SELECT COUNT(*) FROM task_queue q JOIN task t ON t.id = q.task_id WHERE t.tenant_id = ?")).isZero();
        assertThat(count("SELECT COUNT(*) FROM task WHERE tenant_id = ?")).isZero();
        assertThat(balance()).isEqualTo(1_000);
    }

    @Test
    void anUnlimitedTenantOrOneWithoutAnAccountIsChargedWithoutABalanceMoving() {
        ledger.setBilling(tenant, Ledger.Billing.UNLIMITED);
        Task unlimited = submit("seedream-4.5", SEEDREAM_4);
        assertThat(reserved(unlimited)).isEqualTo(20_000);
        assertThat(count("SELECT COUNT(*) FROM credit_ledger WHERE tenant_id = ?")).isZero();

        tenant = "no-account-" + System.nanoTime(); // a tenant the ledger has never seen
        database.jdbc().update("INSERT INTO tenant (id, name, created_at) VALUES (?, ?, ?)", tenant, tenant, T0);
        Task withoutAccount = submit("z-image", "{\"prompt\":\"p\",\"size\":\"1:1\"}");
        assertThat(reserved(withoutAccount)).isEqualTo(2_000);
        assertThat(count("SELECT COUNT(*) FROM credit_account WHERE tenant_id = ?")).isZero();
        assertThat(store.list(tenant, null, null, null, null, null, 10)).extracting(Task::id).containsExactly(withoutAccount.id());
    }

    private long count(String sql) {
        return database.jdbc().queryOne(sql, rs -> rs.getLong(1), tenant).orElseThrow();
    }

    private long reserved(Task task) {
        return database.jdbc().queryOne("SELECT reserved FROM task_charge WHERE task_id = ?", rs -> rs.getLong(1), task.id()).orElseThrow();
    }

    @Test
    void fiftyConcurrentSubmitsAgainstABalanceForTenAcceptExactlyTen() throws Exception {
        ledger.credit(tenant, 20_000, "test"); // z-image costs 2: ten of them
        int threads = 50;
        var start = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        try (var pool = Executors.newFixedThreadPool(threads)) {
            for (int i = 0; i < threads; i++) {
                Callable<Boolean> call = () -> {
                    start.await();
                    try {
                        submit("z-image", "{\"prompt\":\"p\",\"size\":\"1:1\"}");
                        return true;
                    } catch (InsufficientCreditsException e) {
                        return false;
                    }
                };
                results.add(pool.submit(call));
            }
            start.countDown();
            int accepted = 0;
            for (Future<Boolean> f : results) {
                accepted += f.get() ? 1 : 0;
            }
            assertThat(accepted).isEqualTo(10);
        }
        assertThat(store.list(tenant, null, null, null, null, null, 100)).hasSize(10);
        assertThat(balance()).isZero();
        assertLedgerExplainsBalance();
    }

    @Test
    void anAdjustmentCannotTakeTheBalanceBelowZero() {
        ledger.credit(tenant, 5_000, "test");
        assertThatThrownBy(() -> ledger.credit(tenant, -6_000, "too much")).hasMessageContaining("below zero");
        assertThat(ledger.credit(tenant, -5_000, "refunded by hand").balanceMillis()).isZero();
        assertLedgerExplainsBalance();
    }
}
