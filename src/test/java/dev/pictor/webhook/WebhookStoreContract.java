package dev.pictor.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pictor.db.Database;
import dev.pictor.db.Jdbc;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the webhook store promises, run unchanged against every database Pictor supports: its claim
 * statement (due times, leases, busy receivers left out, SKIP LOCKED) is the dialect-sensitive part.
 * Times are passed in explicitly, so leases and due times are tested without waiting.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class WebhookStoreContract {
    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final String URL_A = "https://a.example:8443/hook";
    private static final String URL_B = "https://b.example/hook";
    private static final String URL_C = "http://c.example:8080/hook";

    private Database database;
    private WebhookStore store;
    private int serial;

    abstract Database openDatabase();

    @BeforeAll
    void open() {
        database = openDatabase();
        store = new WebhookStore(database.jdbc());
    }

    @AfterAll
    void close() {
        database.close();
    }

    @BeforeEach
    void empty() {
        for (String table : List.of("webhook_attempt", "webhook_queue", "webhook_event", "webhook_disabled_url", "task")) {
            database.jdbc().update("DELETE FROM " + table);
        }
    }

    /** A finished task with a callback and its event, written together as the outbox does. */
    private WebhookEvent insert(String tenant, String url, Instant at, String status) {
        int n = ++serial;
        String taskId = "task-" + n;
        var event = new WebhookEvent("msg_" + n, tenant, taskId, url, "{\"task_id\":\"" + taskId + "\"}", status, 0, 0, at,
                status.equals(WebhookEvent.PENDING) ? at : null, null, null, null);
        database.jdbc().inTransaction(tx -> {
            tx.update("INSERT INTO task (id, tenant_id, model, status, input_json, callback_url, provider, progress, created_at, finished_at, "
                    + "deadline_at) VALUES (?, ?, 'z-image', 'finished', '{}', ?, 'sandbox', 100, ?, ?, ?)", taskId, tenant, url, at, at,
                    at.plusSeconds(600));
            store.insert(tx, event);
            return null;
        });
        return event;
    }

    private WebhookEvent pending(String url, Instant due) {
        return insert("t1", url, due, WebhookEvent.PENDING);
    }

    private WebhookEvent reread(WebhookEvent e) {
        return store.find(e.tenantId(), e.id()).orElseThrow();
    }

    private static List<String> ids(List<WebhookStore.Claim> claims) {
        return claims.stream().map(c -> c.event().id()).toList();
    }

    private static WebhookAttempt failed(WebhookEvent e, Instant at, int status) {
        return new WebhookAttempt(e.id(), 0, at, status, 42, "busy", "HTTP " + status);
    }

    @Test
    void anEventIsVisibleOnlyToItsTenantAndQueuedWhilePending() {
        WebhookEvent e = pending(URL_A, T0);
        assertThat(store.find("t1", e.id())).get().isEqualTo(e);
        assertThat(store.find("t2", e.id())).isEmpty();
        assertThat(store.backlog()).isEqualTo(1);
    }

    @Test
    void anEventBornDisabledIsNeverQueued() {
        WebhookEvent e = insert("t1", URL_A, T0, WebhookEvent.DISABLED);
        assertThat(store.backlog()).isZero();
        assertThat(store.claim("node-1", 10, T0.plusSeconds(60), LEASE, List.of())).isEmpty();
        assertThat(reread(e).status()).isEqualTo(WebhookEvent.DISABLED);
    }

    @Test
    void aClaimTakesDueEventsOnlyOldestFirstUpToTheLimit() {
        WebhookEvent first = pending(URL_A, T0);
        WebhookEvent later = pending(URL_A, T0.plusSeconds(100));
        WebhookEvent second = pending(URL_B, T0.plusSeconds(5));
        WebhookEvent third = pending(URL_C, T0.plusSeconds(5));

        Duration hold = Duration.ofHours(1); // no lease runs out during this test
        assertThat(store.claim("node-1", 10, T0.minusSeconds(1), hold, List.of())).isEmpty();
        assertThat(ids(store.claim("node-1", 2, T0.plusSeconds(5), hold, List.of()))).containsExactly(first.id(), second.id());
        assertThat(ids(store.claim("node-1", 10, T0.plusSeconds(5), hold, List.of()))).containsExactly(third.id());
        assertThat(store.claim("node-1", 10, T0.plusSeconds(99), hold, List.of())).isEmpty();
        assertThat(ids(store.claim("node-1", 10, T0.plusSeconds(100), hold, List.of()))).containsExactly(later.id());
    }

    @Test
    void aClaimedEventComesWithItsStoredState() {
        WebhookEvent e = pending(URL_A, T0);
        WebhookStore.Claim claim = store.claim("node-1", 10, T0, LEASE, List.of()).getFirst();
        assertThat(claim.event()).isEqualTo(e);
        assertThat(claim.token()).isNotBlank();
    }

    @Test
    void aLeaseHoldsTheEventUntilItRunsOutAndFencesTheOldHolder() {
        WebhookEvent e = pending(URL_A, T0);
        WebhookStore.Claim old = store.claim("node-1", 10, T0, LEASE, List.of()).getFirst();
        assertThat(store.claim("node-2", 10, T0.plus(LEASE).minusSeconds(1), LEASE, List.of())).isEmpty();

        List<WebhookStore.Claim> taken = store.claim("node-2", 10, T0.plus(LEASE), LEASE, List.of());
        assertThat(ids(taken)).containsExactly(e.id());
        assertThat(taken.getFirst().token()).isNotEqualTo(old.token());

        Instant late = T0.plus(LEASE).plusSeconds(1);
        assertThat(store.record(old, failed(e, late, 500), WebhookEvent.PENDING, late.plusSeconds(10), late)).isFalse();
        assertThat(store.attempts(e.id())).isEmpty();
        assertThat(reread(e).attempts()).isZero();
        assertThat(store.record(taken.getFirst(), null, WebhookEvent.DELIVERED, null, late)).isTrue();
    }

    @Test
    void renewingExtendsOnlyTheOwnersLeases() {
        WebhookEvent mine = pending(URL_A, T0);
        WebhookEvent theirs = pending(URL_B, T0);
        List<WebhookStore.Claim> node1 = store.claim("node-1", 1, T0, LEASE, List.of());
        store.claim("node-2", 1, T0, LEASE, List.of());

        store.renewLeases(node1, T0.plus(LEASE).plus(LEASE));
        assertThat(ids(store.claim("node-3", 10, T0.plus(LEASE), Duration.ofHours(1), List.of()))).containsExactly(theirs.id());
        assertThat(store.claim("node-3", 10, T0.plus(LEASE).plus(LEASE).minusSeconds(1), LEASE, List.of())).isEmpty();
        assertThat(ids(store.claim("node-3", 10, T0.plus(LEASE).plus(LEASE), LEASE, List.of()))).containsExactly(mine.id());
    }

    @Test
    void busyReceiversAreLeftOutOfAClaim() {
        WebhookEvent a = pending(URL_A, T0);
        WebhookEvent a2 = pending("https://a.example:8443/other-path", T0);
        WebhookEvent b = pending(URL_B, T0);
        WebhookEvent c = pending(URL_C, T0);
        String receiverA = WebhookStore.receiverOf(URL_A);

        assertThat(ids(store.claim("node-1", 10, T0, LEASE, List.of(receiverA, WebhookStore.receiverOf(URL_C))))).containsExactly(b.id());
        assertThat(ids(store.claim("node-1", 10, T0, LEASE, List.of(receiverA)))).containsExactly(c.id());
        assertThat(ids(store.claim("node-1", 10, T0, LEASE, List.of("https://nobody.example:443")))).containsExactly(a.id(), a2.id());
    }

    @Test
    void aReceiverIsSchemeHostAndPort() {
        assertThat(WebhookStore.receiverOf("https://a.example:8443/x?y=1")).isEqualTo(WebhookStore.receiverOf("https://a.example:8443/z"));
        assertThat(WebhookStore.receiverOf("https://a.example:8443/x")).isNotEqualTo(WebhookStore.receiverOf("https://a.example:9443/x"));
        assertThat(WebhookStore.receiverOf("http://a.example/x")).isNotEqualTo(WebhookStore.receiverOf("https://a.example/x"));
    }

    @Test
    void aReleasedEventIsDueAgainWithoutAnAttemptCounted() {
        WebhookEvent e = pending(URL_A, T0);
        WebhookStore.Claim claim = store.claim("node-1", 10, T0, LEASE, List.of()).getFirst();
        store.release(List.of(claim), T0.plusSeconds(1));

        WebhookStore.Claim again = store.claim("node-2", 10, T0.plusSeconds(1), LEASE, List.of()).getFirst();
        assertThat(again.event().attempts()).isZero();
        assertThat(store.attempts(e.id())).isEmpty();
        store.release(List.of(claim), T0); // a stale token changes nothing
        assertThat(store.claim("node-3", 10, T0.plusSeconds(2), LEASE, List.of())).isEmpty();
    }

    @Test
    void aFailedAttemptIsRecordedAndTheEventIsDueAtItsNextAttempt() {
        WebhookEvent e = pending(URL_A, T0);
        WebhookStore.Claim claim = store.claim("node-1", 10, T0, LEASE, List.of()).getFirst();
        Instant answered = T0.plusSeconds(2);
        Instant next = T0.plusSeconds(60);
        assertThat(store.record(claim, failed(e, T0, 503), WebhookEvent.PENDING, next, answered)).isTrue();

        WebhookEvent after = reread(e);
        assertThat(after.status()).isEqualTo(WebhookEvent.PENDING);
        assertThat(after.attempts()).isEqualTo(1);
        assertThat(after.roundAttempts()).isEqualTo(1);
        assertThat(after.nextAttemptAt()).isEqualTo(next);
        assertThat(after.lastStatus()).isEqualTo(503);
        assertThat(after.lastError()).isEqualTo("HTTP 503");
        assertThat(after.deliveredAt()).isNull();
        assertThat(store.attempts(e.id())).containsExactly(new WebhookAttempt(e.id(), 1, T0, 503, 42, "busy", "HTTP 503"));
        assertThat(store.backlog()).isEqualTo(1);

        assertThat(store.claim("node-1", 10, next.minusSeconds(1), LEASE, List.of())).isEmpty();
        WebhookStore.Claim second = store.claim("node-2", 10, next, LEASE, List.of()).getFirst();
        assertThat(second.event().attempts()).isEqualTo(1);
        assertThat(store.record(second, failed(second.event(), next, 500), WebhookEvent.PENDING, next.plusSeconds(60), next)).isTrue();
        assertThat(store.attempts(e.id())).extracting(WebhookAttempt::attempt).containsExactly(1, 2);
        assertThat(reread(e).lastStatus()).isEqualTo(500);
    }

    @Test
    void aDeliveredEventLeavesTheQueue() {
        WebhookEvent e = pending(URL_A, T0);
        WebhookStore.Claim claim = store.claim("node-1", 10, T0, LEASE, List.of()).getFirst();
        var ok = new WebhookAttempt(e.id(), 1, T0, 200, 12, "ok", null);
        assertThat(store.record(claim, ok, WebhookEvent.DELIVERED, null, T0.plusSeconds(1))).isTrue();

        WebhookEvent after = reread(e);
        assertThat(after.status()).isEqualTo(WebhookEvent.DELIVERED);
        assertThat(after.deliveredAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(after.nextAttemptAt()).isNull();
        assertThat(after.lastStatus()).isEqualTo(200);
        assertThat(after.lastError()).isNull();
        assertThat(store.backlog()).isZero();
        assertThat(store.claim("node-1", 10, T0.plus(Duration.ofDays(1)), LEASE, List.of())).isEmpty();
    }

    @Test
    void anEventIsDeadAfterItsLastAttemptAndListedAsSuch() {
        WebhookEvent e = pending(URL_A, T0);
        Instant now = T0;
        for (int i = 0; i < 3; i++) {
            WebhookStore.Claim claim = store.claim("node-1", 10, now, LEASE, List.of()).getFirst();
            boolean last = i == 2;
            Instant next = now.plusSeconds(10);
            store.record(claim, failed(claim.event(), now, 500), last ? WebhookEvent.DEAD : WebhookEvent.PENDING, last ? null : next, now);
            now = next;
        }
        WebhookEvent dead = reread(e);
        assertThat(dead.status()).isEqualTo(WebhookEvent.DEAD);
        assertThat(dead.attempts()).isEqualTo(3);
        assertThat(dead.nextAttemptAt()).isNull();
        assertThat(store.backlog()).isZero();
        assertThat(store.claim("node-1", 10, now.plus(Duration.ofDays(1)), LEASE, List.of())).isEmpty();
        assertThat(store.list("t1", null, WebhookEvent.DEAD, null, 10)).extracting(WebhookEvent::id).containsExactly(e.id());
        assertThat(store.list("t1", null, "failing", null, 10)).isEmpty();
    }

    @Test
    void anEndingWithoutAnAttemptKeepsTheLastAnswer() {
        WebhookEvent e = pending(URL_A, T0);
        WebhookStore.Claim claim = store.claim("node-1", 10, T0, LEASE, List.of()).getFirst();
        store.record(claim, failed(e, T0, 502), WebhookEvent.PENDING, T0.plusSeconds(5), T0);
        WebhookStore.Claim next = store.claim("node-1", 10, T0.plusSeconds(5), LEASE, List.of()).getFirst();
        assertThat(store.record(next, null, WebhookEvent.DISABLED, null, T0.plusSeconds(5))).isTrue();

        WebhookEvent after = reread(e);
        assertThat(after.status()).isEqualTo(WebhookEvent.DISABLED);
        assertThat(after.attempts()).isEqualTo(1);
        assertThat(after.lastStatus()).isEqualTo(502);
        assertThat(after.lastError()).isEqualTo("HTTP 502");
        assertThat(store.attempts(e.id())).hasSize(1);
        assertThat(store.backlog()).isZero();
    }

    @Test
    void longErrorsAndExcerptsAreCutToTheirColumns() {
        WebhookEvent e = pending(URL_A, T0);
        WebhookStore.Claim claim = store.claim("node-1", 10, T0, LEASE, List.of()).getFirst();
        var noisy = new WebhookAttempt(e.id(), 1, T0, 500, 1, "x".repeat(5000), "y".repeat(5000));
        assertThat(store.record(claim, noisy, WebhookEvent.PENDING, T0.plusSeconds(5), T0)).isTrue();

        WebhookAttempt stored = store.attempts(e.id()).getFirst();
        assertThat(stored.responseExcerpt()).hasSize(1024);
        assertThat(stored.error()).hasSize(500);
        assertThat(reread(e).lastError()).hasSize(500);
    }

    @Test
    void aDisabledUrlIsPerTenantAndDisablingTwiceIsHarmless() {
        store.disableUrl("t1", URL_A, T0);
        store.disableUrl("t1", URL_A, T0.plusSeconds(1));
        assertThat(store.isDisabled("t1", URL_A)).isTrue();
        assertThat(store.isDisabled("t2", URL_A)).isFalse();
        assertThat(store.isDisabled("t1", URL_B)).isFalse();
        assertThat(database.jdbc().<Boolean>inTransaction(tx -> store.isDisabled(tx, "t1", URL_A))).isTrue();
    }

    @Test
    void redeliveryStartsAFreshRoundNowAndLiftsTheUrlBlock() {
        WebhookEvent e = pending(URL_A, T0);
        WebhookStore.Claim claim = store.claim("node-1", 10, T0, LEASE, List.of()).getFirst();
        store.disableUrl("t1", URL_A, T0);
        store.record(claim, new WebhookAttempt(e.id(), 1, T0, 410, 3, "", "HTTP 410 Gone"), WebhookEvent.DISABLED, null, T0);
        assertThat(store.backlog()).isZero();

        Instant now = T0.plusSeconds(3600);
        assertThat(store.redeliver("t2", e.id(), now)).isEmpty();
        assertThat(store.isDisabled("t1", URL_A)).isTrue();
        WebhookEvent again = store.redeliver("t1", e.id(), now).orElseThrow();
        assertThat(again.id()).isEqualTo(e.id());
        assertThat(again.payload()).isEqualTo(e.payload());
        assertThat(again.status()).isEqualTo(WebhookEvent.PENDING);
        assertThat(again.attempts()).isEqualTo(1);
        assertThat(again.roundAttempts()).isZero();
        assertThat(again.nextAttemptAt()).isEqualTo(now);
        assertThat(store.isDisabled("t1", URL_A)).isFalse();
        assertThat(store.backlog()).isEqualTo(1);
        assertThat(ids(store.claim("node-1", 10, now, LEASE, List.of()))).containsExactly(e.id());
    }

    @Test
    void redeliveringAnEventWaitingForARetryMakesItDueNowAndQueuesItOnce() {
        WebhookEvent e = pending(URL_A, T0);
        WebhookStore.Claim claim = store.claim("node-1", 10, T0, LEASE, List.of()).getFirst();
        store.record(claim, failed(e, T0, 500), WebhookEvent.PENDING, T0.plus(Duration.ofHours(2)), T0);

        Instant now = T0.plusSeconds(10);
        store.redeliver("t1", e.id(), now);
        assertThat(store.redeliver("t1", e.id(), now)).get().extracting(WebhookEvent::nextAttemptAt).isEqualTo(now);
        assertThat(store.backlog()).isEqualTo(1);
        List<WebhookStore.Claim> due = store.claim("node-1", 10, now, LEASE, List.of());
        assertThat(ids(due)).containsExactly(e.id());
        assertThat(due.getFirst().event().roundAttempts()).isZero();
    }

    @Test
    void redeliveringAnEventInFlightLeavesItsLeaseAlone() {
        WebhookEvent e = pending(URL_A, T0);
        WebhookStore.Claim claim = store.claim("node-1", 10, T0, LEASE, List.of()).getFirst();
        store.redeliver("t1", e.id(), T0.plusSeconds(1));
        assertThat(store.claim("node-2", 10, T0.plusSeconds(1), LEASE, List.of())).isEmpty();
        assertThat(store.record(claim, null, WebhookEvent.DELIVERED, null, T0.plusSeconds(2))).isTrue();
    }

    @Test
    void listingFiltersByTaskStatusAndTimeNewestFirst() {
        WebhookEvent old = pending(URL_A, T0);
        WebhookEvent mid = pending(URL_A, T0.plusSeconds(10));
        WebhookEvent recent = pending(URL_B, T0.plusSeconds(20));
        WebhookEvent other = insert("t2", URL_A, T0.plusSeconds(30), WebhookEvent.PENDING);
        WebhookStore.Claim claim = store.claim("node-1", 10, T0, LEASE, List.of()).getFirst();
        assertThat(claim.event().id()).isEqualTo(old.id());
        store.record(claim, failed(old, T0, 500), WebhookEvent.PENDING, T0.plusSeconds(60), T0);

        assertThat(store.list("t1", null, null, null, 10)).extracting(WebhookEvent::id).containsExactly(recent.id(), mid.id(), old.id());
        assertThat(store.list("t1", null, null, null, 2)).extracting(WebhookEvent::id).containsExactly(recent.id(), mid.id());
        assertThat(store.list("t1", mid.taskId(), null, null, 10)).extracting(WebhookEvent::id).containsExactly(mid.id());
        assertThat(store.list("t1", null, "failing", null, 10)).extracting(WebhookEvent::id).containsExactly(old.id());
        assertThat(store.list("t1", null, WebhookEvent.PENDING, T0.plusSeconds(10), 10)).extracting(WebhookEvent::id)
                .containsExactly(recent.id(), mid.id());
        assertThat(store.list("t2", null, null, null, 10)).extracting(WebhookEvent::id).containsExactly(other.id());
        assertThat(store.idsFor("t1", WebhookEvent.PENDING, T0.plusSeconds(5))).containsExactly(recent.id(), mid.id());
    }

    @Test
    void concurrentClaimersNeverShareAnEventAndEachIsRecordedOnce() throws Exception {
        int events = 150;
        List<String> urls = List.of(URL_A, URL_B, URL_C);
        for (int i = 0; i < events; i++) {
            pending(urls.get(i % urls.size()), T0);
        }
        Set<String> claimed = ConcurrentHashMap.newKeySet();
        List<String> duplicates = Collections.synchronizedList(new ArrayList<>());
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        int workers = 8;
        var start = new CountDownLatch(1);
        var done = new CountDownLatch(workers);
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < workers; w++) {
                String owner = "node-" + w;
                pool.execute(() -> {
                    try {
                        start.await();
                        List<WebhookStore.Claim> batch;
                        do {
                            batch = store.claim(owner, 7, T0, LEASE, List.of());
                            for (WebhookStore.Claim c : batch) {
                                if (!claimed.add(c.event().id())) {
                                    duplicates.add(c.event().id());
                                }
                                var ok = new WebhookAttempt(c.event().id(), 1, T0, 204, 1, "", null);
                                if (!store.record(c, ok, WebhookEvent.DELIVERED, null, T0.plusSeconds(1))) {
                                    duplicates.add("lost lease: " + c.event().id());
                                }
                            }
                        } while (!batch.isEmpty());
                    } catch (Throwable t) {
                        errors.add(t);
                    } finally {
                        done.countDown();
                    }
                });
            }
            start.countDown();
            assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(errors).isEmpty();
        assertThat(duplicates).isEmpty();
        assertThat(claimed).hasSize(events);
        assertThat(store.backlog()).isZero();
        assertThat(store.list("t1", null, WebhookEvent.DELIVERED, null, 1000)).hasSize(events);
        assertThat(database.jdbc().queryOne("SELECT COUNT(*) AS n FROM webhook_attempt", rs -> rs.getLong("n"))).contains((long) events);
    }

    /** A store on the same database that counts the transactions it commits. */
    private record Counted(WebhookStore store, AtomicInteger commits) {
    }

    private Counted counted() {
        var commits = new AtomicInteger();
        DataSource real = database.dataSource();
        DataSource counting = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    Object result = invoke(real, method, args);
                    if (!method.getName().equals("getConnection")) {
                        return result;
                    }
                    Connection connection = (Connection) result;
                    return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class}, (p, m, a) -> {
                        if (m.getName().equals("commit")) {
                            commits.incrementAndGet();
                        }
                        return invoke(connection, m, a);
                    });
                });
        return new Counted(new WebhookStore(new Jdbc(counting, database.dialect())), commits);
    }

    private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Test
    void aBatchIsClaimedInOneTransactionAndItsOutcomesAreRecordedInAnother() {
        WebhookEvent delivered = pending(URL_A, T0);
        WebhookEvent retried = pending(URL_B, T0);
        WebhookEvent dead = pending(URL_C, T0);
        WebhookEvent gone = pending(URL_A, T0);
        store.disableUrl("t1", "https://a.example:8443/gone", T0);
        WebhookEvent disabled = pending("https://a.example:8443/gone", T0);
        Counted counted = counted();

        List<WebhookStore.Claim> claims = counted.store().claim("node-1", 10, T0, LEASE, List.of());
        assertThat(ids(claims)).containsExactly(delivered.id(), retried.id(), dead.id(), gone.id(), disabled.id());
        assertThat(claims).extracting(WebhookStore.Claim::urlDisabled).containsExactly(false, false, false, false, true);
        assertThat(counted.commits()).hasValue(1);

        Instant at = T0.plusSeconds(1);
        Instant next = T0.plusSeconds(60);
        List<Boolean> recorded = counted.store().recordAll(List.of(
                new WebhookStore.Outcome(claims.get(0), new WebhookAttempt(delivered.id(), 1, T0, 204, 5, "", null), WebhookEvent.DELIVERED, null, at),
                new WebhookStore.Outcome(claims.get(1), failed(retried, T0, 503), WebhookEvent.PENDING, next, at),
                new WebhookStore.Outcome(claims.get(2), failed(dead, T0, 500), WebhookEvent.DEAD, null, at),
                new WebhookStore.Outcome(claims.get(3), new WebhookAttempt(gone.id(), 1, T0, 410, 5, "", "HTTP 410 Gone"), WebhookEvent.DISABLED, null, at),
                new WebhookStore.Outcome(claims.get(4), null, WebhookEvent.DISABLED, null, at)));
        assertThat(recorded).containsExactly(true, true, true, true, true);
        assertThat(counted.commits()).hasValue(2);

        assertThat(reread(delivered).status()).isEqualTo(WebhookEvent.DELIVERED);
        assertThat(reread(delivered).deliveredAt()).isEqualTo(at);
        assertThat(reread(retried).status()).isEqualTo(WebhookEvent.PENDING);
        assertThat(reread(retried).nextAttemptAt()).isEqualTo(next);
        assertThat(reread(dead).status()).isEqualTo(WebhookEvent.DEAD);
        assertThat(reread(gone).status()).isEqualTo(WebhookEvent.DISABLED);
        assertThat(reread(disabled).status()).isEqualTo(WebhookEvent.DISABLED);
        assertThat(reread(disabled).attempts()).isZero();
        for (WebhookEvent e : List.of(delivered, retried, dead, gone)) {
            assertThat(store.attempts(e.id())).hasSize(1);
        }
        assertThat(store.attempts(disabled.id())).isEmpty();
        assertThat(store.backlog()).isEqualTo(1);
        assertThat(store.claim("node-2", 10, next.minusSeconds(1), LEASE, List.of())).isEmpty();
        assertThat(ids(store.claim("node-2", 10, next, LEASE, List.of()))).containsExactly(retried.id());
    }

    @Test
    void aLostLeasesOutcomeIsNotRecordedOverAnotherNodesClaimWhileTheRestOfItsBatchIs() {
        WebhookEvent lost = pending(URL_A, T0);
        WebhookEvent kept = pending(URL_B, T0);
        List<WebhookStore.Claim> mine = store.claim("node-1", 10, T0, LEASE, List.of());
        // node-1 stalls past its lease (no heartbeat); node-2 takes the first event, node-1 still holds the second's row.
        Instant expired = T0.plus(LEASE);
        WebhookStore.Claim theirs = store.claim("node-2", 1, expired, LEASE, List.of()).getFirst();
        assertThat(theirs.event().id()).isEqualTo(lost.id());

        Instant late = expired.plusSeconds(1);
        List<Boolean> recorded = store.recordAll(List.of(
                new WebhookStore.Outcome(mine.get(0), failed(lost, T0, 500), WebhookEvent.DEAD, null, late),
                new WebhookStore.Outcome(mine.get(1), new WebhookAttempt(kept.id(), 1, T0, 204, 5, "", null), WebhookEvent.DELIVERED, null, late)));
        assertThat(recorded).containsExactly(false, true);

        assertThat(reread(lost).status()).isEqualTo(WebhookEvent.PENDING);
        assertThat(reread(lost).attempts()).isZero();
        assertThat(store.attempts(lost.id())).isEmpty();
        assertThat(reread(kept).status()).isEqualTo(WebhookEvent.DELIVERED);
        // node-2's lease is intact: nobody else may claim the event, its heartbeat still extends it, and its outcome counts.
        assertThat(store.claim("node-3", 10, expired.plus(LEASE).minusSeconds(1), LEASE, List.of())).isEmpty();
        store.renewLeases(List.of(theirs), expired.plus(LEASE).plus(LEASE));
        assertThat(store.claim("node-3", 10, expired.plus(LEASE), LEASE, List.of())).isEmpty();
        assertThat(store.record(theirs, new WebhookAttempt(lost.id(), 1, late, 204, 5, "", null), WebhookEvent.DELIVERED, null, late)).isTrue();
        assertThat(store.attempts(lost.id())).extracting(WebhookAttempt::attempt).containsExactly(1);
        assertThat(store.backlog()).isZero();
    }

    @Test
    void aBatchThatFailsRecordsNothingAndEveryEventInItIsDeliveredAgainAfterTheLease() {
        WebhookEvent first = pending(URL_A, T0);
        WebhookEvent second = pending(URL_B, T0);
        List<WebhookStore.Claim> claims = store.claim("node-1", 10, T0, LEASE, List.of());
        // An attempt row that is already there makes the batch's insert fail, as a crash mid-write would end it.
        database.jdbc().update("INSERT INTO webhook_attempt (event_id, attempt, attempted_at, http_status, latency_ms) VALUES (?, 1, ?, 500, 1)",
                second.id(), T0);
        var ok = new WebhookAttempt(first.id(), 1, T0, 204, 5, "", null);
        assertThatThrownBy(() -> store.recordAll(List.of(new WebhookStore.Outcome(claims.get(0), ok, WebhookEvent.DELIVERED, null, T0),
                new WebhookStore.Outcome(claims.get(1), failed(second, T0, 500), WebhookEvent.PENDING, T0.plusSeconds(5), T0))))
                .isInstanceOf(RuntimeException.class);

        assertThat(reread(first).status()).isEqualTo(WebhookEvent.PENDING);
        assertThat(store.attempts(first.id())).isEmpty();
        assertThat(store.claim("node-2", 10, T0.plus(LEASE).minusSeconds(1), LEASE, List.of())).isEmpty();
        assertThat(ids(store.claim("node-2", 10, T0.plus(LEASE), LEASE, List.of()))).containsExactly(first.id(), second.id());
    }

    @Test
    void outcomesHandedInWhileAWriteRunsAreWrittenTogetherInOneTransaction() throws Exception {
        int events = 6;
        for (int i = 0; i < events; i++) {
            pending(List.of(URL_A, URL_B, URL_C).get(i % 3), T0);
        }
        Counted counted = counted();
        var recorder = new OutcomeRecorder(counted.store()); // not started: this test runs its writes itself
        List<WebhookStore.Claim> claims = counted.store().claim("node-1", 10, T0, LEASE, List.of());
        List<CompletableFuture<Boolean>> results = new ArrayList<>();
        try (var senders = Executors.newVirtualThreadPerTaskExecutor()) {
            for (WebhookStore.Claim c : claims) {
                var ok = new WebhookAttempt(c.event().id(), 1, T0, 204, 5, "", null);
                results.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return recorder.record(new WebhookStore.Outcome(c, ok, WebhookEvent.DELIVERED, null, T0.plusSeconds(1)));
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }, senders));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.waiting() == events);
            assertThat(results).noneMatch(CompletableFuture::isDone);
            int before = counted.commits().get();
            assertThat(recorder.flush()).isTrue();
            assertThat(counted.commits().get() - before).isEqualTo(1);
            for (CompletableFuture<Boolean> r : results) {
                assertThat(r.get(10, TimeUnit.SECONDS)).isTrue();
            }
        }
        assertThat(recorder.flush()).isFalse();
        assertThat(store.backlog()).isZero();
        assertThat(store.list("t1", null, WebhookEvent.DELIVERED, null, 100)).hasSize(events);
    }

    @Test
    void aNodeThatStopsBeforeItsWriteRecordsNothingAndTheEventIsDeliveredAgain() throws Exception {
        WebhookEvent e = pending(URL_A, T0);
        var recorder = new OutcomeRecorder(store); // never writes: the node dies before its next flush
        WebhookStore.Claim claim = store.claim("node-1", 10, T0, LEASE, List.of()).getFirst();
        var ok = new WebhookAttempt(e.id(), 1, T0, 204, 5, "", null);
        try (var senders = Executors.newVirtualThreadPerTaskExecutor()) {
            var result = CompletableFuture.supplyAsync(() -> {
                try {
                    return recorder.record(new WebhookStore.Outcome(claim, ok, WebhookEvent.DELIVERED, null, T0.plusSeconds(1)));
                } catch (InterruptedException ex) {
                    throw new IllegalStateException(ex);
                }
            }, senders);
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.waiting() == 1);
            recorder.stop();
            assertThatThrownBy(() -> result.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class);
        }
        assertThat(reread(e).status()).isEqualTo(WebhookEvent.PENDING);
        assertThat(store.attempts(e.id())).isEmpty();
        WebhookStore.Claim again = store.claim("node-2", 10, T0.plus(LEASE), LEASE, List.of()).getFirst();
        assertThat(again.event().id()).isEqualTo(e.id());
        assertThat(again.event().attempts()).isZero();
        store.renewLeases(List.of(claim), T0.plus(Duration.ofDays(1))); // the dead node's claim extends nothing
        assertThat(ids(store.claim("node-3", 10, T0.plus(LEASE).plus(LEASE), LEASE, List.of()))).containsExactly(e.id());
        again = store.claim("node-2", 10, T0.plus(LEASE).plus(LEASE).plus(LEASE), LEASE, List.of()).getFirst();
        assertThat(store.record(claim, ok, WebhookEvent.DELIVERED, null, T0.plus(LEASE))).isFalse();
        assertThat(store.record(again, ok, WebhookEvent.DELIVERED, null, T0.plus(LEASE))).isTrue();
    }
}
