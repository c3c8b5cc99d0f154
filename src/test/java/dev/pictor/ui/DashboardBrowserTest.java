package dev.pictor.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.common.Json;
import dev.pictor.support.ApiClient;
import dev.pictor.support.Receiver;
import dev.pictor.support.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import tools.jackson.databind.JsonNode;

/** The dashboard in a real headless chromium, against a real node on loopback. */
class DashboardBrowserTest {
    private static final String KEY = TestNode.ADMIN_KEY;
    private static TestNode node;
    private static ApiClient api;
    private static Receiver receiver;
    private static Browser browser;

    @BeforeAll
    static void start() throws Exception {
        // A webhook retry an hour away, so a failed delivery stays failing until the test redelivers it.
        node = TestNode.start(Map.of("PICTOR_WEBHOOK_RETRY_SCHEDULE", "0s,1h"));
        api = node.client();
        receiver = new Receiver(Receiver.Reply.status(204));
        browser = new Browser();
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        receiver.close();
        node.close();
    }

    @AfterEach
    void noConsoleErrorsAndTheKeyIsNowhereInThePage() {
        assertThat(browser.consoleErrors()).as("browser console errors").isEmpty();
        Map<String, Object> where = browser.map("""
                return {local: JSON.stringify(localStorage), session: JSON.stringify(sessionStorage),
                        cookie: document.cookie, html: document.documentElement.outerHTML, url: location.href};""");
        where.forEach((place, text) -> assertThat(String.valueOf(text)).as("key in " + place).doesNotContain(KEY));
        assertThat(String.valueOf(where.get("cookie"))).as("the session cookie is HttpOnly").doesNotContain(UiRoutes.COOKIE);
    }

    private void signIn() {
        browser.driver.get(node.baseUrl() + "/ui");
        browser.wait.until(d -> !browser.all("#sign-out").isEmpty() || !browser.all("#key").isEmpty());
        if (!browser.all("#sign-out").isEmpty()) {
            browser.await("#view > div"); // the first page has rendered, so a later hash change is not raced by it
            return;
        }
        browser.await("#key").sendKeys(KEY);
        browser.find("#sign-in").click();
        browser.await("#sign-out");
        browser.await("#model-grid .card");
    }

    private void go(String hash) {
        browser.js("location.hash = arguments[0]", hash);
    }

    @Test
    void signInAndBrowseModelsByTaskAndFamilyWithExamples() {
        browser.driver.manage().deleteAllCookies();
        browser.driver.get(node.baseUrl() + "/");
        browser.await("#key").sendKeys("sk-wrong-key-0000000000000");
        browser.find("#sign-in").click();
        browser.awaitText("#sign-in-error", "invalid API key");
        browser.consoleErrors(); // the refused sign-in's 401 is expected here
        browser.find("#key").sendKeys(KEY);
        browser.find("#sign-in").click();
        browser.await("#model-grid .card");
        int everyModel = browser.all("#model-grid .card").size();
        assertThat(everyModel).isEqualTo(api.get("/api/models", null).data().get("models").size());

        new Select(browser.find("#filter-type")).selectByValue("edit");
        assertThat(browser.all("#model-grid .card")).isNotEmpty().allSatisfy(c -> assertThat(c.getAttribute("data-model")).endsWith("-edit"));
        new Select(browser.find("#filter-type")).selectByValue("all");
        new Select(browser.find("#filter-family")).selectByIndex(1);
        assertThat(browser.all("#model-grid .card").size()).isBetween(1, everyModel - 1);
        new Select(browser.find("#filter-family")).selectByIndex(0);

        browser.find("[data-model='gpt-image-2']").click();
        browser.awaitText("#model-upstream", "sandbox");
        assertThat(browser.find("#model-price").getText()).startsWith("per generation by quality/resolution: ").contains("high/4K 48 cr");
        assertThat(browser.find("#example-code").getText()).contains("/api/generate/submit", "\"model\":\"gpt-image-2\"");
        for (String lang : new String[] {"node", "python", "java"}) {
            browser.find("[data-lang='" + lang + "']").click();
            assertThat(browser.find("#example-code").getText()).contains("webhook-signature", "webhook-id").containsIgnoringCase("seen");
        }
    }

    @Test
    void submitFromThePlaygroundSeeTheImageAndEditTheResult() {
        signIn();
        go("#/playground/nano-banana-2");
        WebElement prompt = browser.await("#f-prompt");
        prompt.clear();
        prompt.sendKeys("a red bicycle [sandbox:delay=800]");
        assertThat(browser.find("#pg-curl").getText()).contains("\"model\":\"nano-banana-2\"", "a red bicycle", "Bearer $PICTOR_KEY");
        browser.find("#pg-submit").click();
        browser.awaitText("#pg-status", "finished");
        assertThat(browser.find("#pg-progress").getAttribute("value")).isEqualTo("100");
        WebElement image = browser.await("#pg-images img.result-image");
        browser.wait.until(d -> ((Number) browser.js("return arguments[0].naturalWidth", image)).intValue() > 0);

        browser.find("#pg-images .edit-this").click();
        browser.wait.until(ExpectedConditions.attributeContains(By.cssSelector("#pg-model"), "value", "nano-banana-2-edit"));
        assertThat(browser.await("#f-image_urls").getAttribute("value")).contains("/files/");
        browser.find("#pg-submit").click();
        browser.awaitText("#pg-status", "finished");
        browser.await("#pg-images img.result-image");

        // Limits are enforced in the form before anything is sent.
        go("#/playground/gpt-image-2-edit");
        browser.await("#f-image_urls").clear();
        browser.find("#pg-submit").click();
        browser.awaitText("#err-image_urls", "required");
    }

    @Test
    void cancelATaskFromItsPageAndFindItInTheListAndGallery() {
        signIn();
        ObjectNodeBuilder input = new ObjectNodeBuilder().put("prompt", "a slow one [sandbox:hang]");
        String taskId = api.submit(KEY, "nano-banana-2", input.node);
        go("#/tasks/" + taskId);
        browser.await("#task-cancel").click();
        browser.awaitText("#task-status", "failed");
        assertThat(api.get("/api/generate/status/" + taskId, KEY).data().get("error_code").asString()).isEqualTo("cancelled");

        go("#/tasks");
        browser.await("[data-task='" + taskId + "']");
        new Select(browser.find("#t-status")).selectByValue("finished");
        browser.wait.until(d -> browser.all("[data-task='" + taskId + "']").isEmpty());

        api.awaitTerminal(KEY, api.submit(KEY, "z-image", new ObjectNodeBuilder().put("prompt", "a gallery piece").put("size", "1:1").node),
                Duration.ofSeconds(20));
        go("#/gallery");
        browser.await("#gallery img.gallery-image");
    }

    @Test
    void redeliverAWebhookAndRevealTheSecret() {
        signIn();
        receiver.script(Receiver.Reply.status(500));
        var body = Json.object().put("model", "nano-banana-2").put("callback_url", receiver.url("/hook"));
        body.putObject("input").put("prompt", "a hooked task");
        String taskId = api.post("/api/generate/submit", body, KEY).data().get("task_id").asString();
        JsonNode event = Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
            JsonNode events = api.get("/api/webhooks/events?task_id=" + taskId, KEY).data().get("events");
            return events.isEmpty() || events.get(0).get("attempts").asInt() < 1 ? null : events.get(0);
        }, e -> e != null);
        assertThat(event.get("last_http_status").asInt()).as(event.toString()).isEqualTo(500);

        go("#/webhooks");
        String card = "[data-event='" + event.get("id").asString() + "']";
        browser.await(card);
        browser.click(card + " summary .status");
        browser.wait.until(ExpectedConditions.attributeToBeNotEmpty(browser.find(card), "open"));
        assertThat(browser.find(card + " table").getText()).contains("500");
        browser.click(card + " .redeliver");
        receiver.awaitRequests(2, Duration.ofSeconds(20));
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                api.get("/api/webhooks/events/" + event.get("id").asString(), KEY).data().get("status").asString().equals("delivered"));

        browser.find("#wh-reveal").click();
        browser.awaitText("#wh-secret", "whsec_");
        String secret = api.get("/api/webhooks/secret", KEY).data().get("secret").asString();
        assertThat(browser.find("#wh-secret").getText()).contains(secret);
        browser.find("#wh-rotate").click();
        browser.wait.until(d -> !browser.find("#wh-secret").getText().startsWith(secret));
    }

    @Test
    void createAKeySeeItsSecretOnceAndRevokeIt() {
        signIn();
        go("#/keys");
        browser.await("#key-rows tr");
        browser.find("#k-name").sendKeys("browser-made");
        browser.find("#k-rate").sendKeys("120");
        browser.find("#k-hourly").sendKeys("50");
        browser.find("#k-create").click();
        String secret = browser.await("#k-secret").getText();
        assertThat(secret).startsWith("sk-");
        assertThat(api.get("/api/generate/tasks", secret).status()).isEqualTo(200);
        String keyId = api.get("/api/admin/keys", KEY).data().get("keys").valueStream()
                .filter(k -> k.get("name").asString().equals("browser-made")).findFirst().orElseThrow().get("id").asString();
        browser.find("#k-dismiss").click();
        assertThat(browser.all("#k-secret")).isEmpty();
        var made = api.get("/api/admin/keys", KEY).data().get("keys").valueStream().filter(k -> k.get("id").asString().equals(keyId)).findFirst().orElseThrow();
        assertThat(made.get("rate_limit").asInt()).isEqualTo(120);
        browser.awaitText("[data-key='" + keyId + "'] .limits", "/ 120 requests this hour");
        assertThat(browser.find("[data-key='" + keyId + "'] .limits").getText()).contains("/ 50 credits this hour");

        browser.await("[data-key='" + keyId + "'] .revoke");
        browser.click("[data-key='" + keyId + "'] .revoke");
        browser.awaitText("[data-key='" + keyId + "'] .revoke", "Confirm");
        browser.click("[data-key='" + keyId + "'] .revoke");
        browser.wait.until(ExpectedConditions.attributeContains(By.cssSelector("[data-key='" + keyId + "']"), "class", "revoked"));
        assertThat(api.get("/api/generate/tasks", secret).status()).isEqualTo(401);
        // The secret was in the page while shown; once dismissed it is gone from the document.
        assertThat((String) browser.js("return document.documentElement.outerHTML")).doesNotContain(secret);
    }

    @Test
    void usageChartsTheLedgerAndUpstreamHealthAndTheReferenceRenders() {
        signIn();
        String taskId = api.submit(KEY, "z-image", new ObjectNodeBuilder().put("prompt", "a charted task").put("size", "1:1").node);
        api.awaitTerminal(KEY, taskId, Duration.ofSeconds(20));
        String failed = api.submit(KEY, "z-image", new ObjectNodeBuilder().put("prompt", "no [sandbox:fail]").put("size", "1:1").node);
        api.awaitTerminal(KEY, failed, Duration.ofSeconds(20));
        go("#/usage");
        browser.await("#chart-model rect.bar[data-group='z-image'][data-series='credits_charged']");
        browser.await("#chart-day rect.bar[data-series='tasks']");
        JsonNode z = api.get("/api/usage", KEY).data().get("groups").valueStream()
                .filter(g -> g.get("model").asString().equals("z-image")).findFirst().orElseThrow();
        String row = browser.find("#usage-models").getText();
        assertThat(row).contains("z-image " + z.get("tasks").asLong() + " " + z.get("succeeded").asLong() + " " + z.get("failed").asLong());
        assertThat(browser.find("#chart-model rect.bar[data-group='z-image'][data-series='failed']").getAttribute("height"))
                .as("the failed task draws a bar").isNotEqualTo("0");
        assertThat(browser.find("#u-balance").getText()).contains("credits");
        browser.awaitText("#u-ledger", "unlimited"); // the default tenant has no balance to move
        browser.awaitText("#u-health [data-upstream='sandbox']", "closed");

        new Select(browser.find("#u-days")).selectByValue("1");
        browser.await("#chart-model rect.bar[data-group='z-image']");

        go("#/tasks/" + taskId);
        browser.awaitText("#task-credits", "2 credits");

        browser.driver.get(node.baseUrl() + "/docs");
        browser.await("#toc a");
        browser.awaitText("#doc", "/api/usage");
        assertThat(browser.all("section.op").size()).isGreaterThan(30);
    }

    @Test
    void pageWeightAndTimeToInteractiveOnLoopback() throws Exception {
        signIn();
        // A fresh load with the cache off, timed from navigation start to the models grid drawn.
        browser.driver.executeCdpCommand("Network.setCacheDisabled", Map.of("cacheDisabled", true));
        browser.driver.get(node.baseUrl() + "/ui#/models");
        browser.await("#model-grid .card");
        Map<String, Object> m = browser.map("""
                const nav = performance.getEntriesByType('navigation')[0];
                const res = performance.getEntriesByType('resource');
                const mark = performance.now();
                return {bytes: nav.transferSize + res.reduce((a, r) => a + r.transferSize, 0),
                        decoded: nav.decodedBodySize + res.reduce((a, r) => a + r.decodedBodySize, 0),
                        requests: 1 + res.length, dcl: nav.domContentLoadedEventEnd, tti: mark};""");
        browser.driver.executeCdpCommand("Network.setCacheDisabled", Map.of("cacheDisabled", false));
        String line = String.format("first load: %d requests, %d bytes transferred (%d decoded), DOMContentLoaded %.0f ms, models grid interactive %.0f ms%n",
                ((Number) m.get("requests")).intValue(), ((Number) m.get("bytes")).longValue(), ((Number) m.get("decoded")).longValue(),
                ((Number) m.get("dcl")).doubleValue(), ((Number) m.get("tti")).doubleValue());
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/dashboard-perf.txt"), line);
        System.out.print(line);
        assertThat(((Number) m.get("bytes")).longValue()).isBetween(10_000L, 400_000L);
    }

    @Test
    void screenshotsOfTheMainPages() throws Exception {
        signIn();
        Path dir = Path.of(System.getProperty("pictor.screenshots", "target/screenshots"));
        Files.createDirectories(dir);
        String[][] outputs = {{"seedream-4.5", "a harbour at noon"}, {"gpt-image-2", "a product shot of a teapot"},
                {"nano-banana-pro", "a poster for a jazz night"}, {"nano-banana-2", "a mobile app login screen"}};
        for (String[] o : outputs) {
            api.awaitTerminal(KEY, api.submit(KEY, o[0], new ObjectNodeBuilder().put("prompt", o[1]).node), Duration.ofSeconds(20));
        }
        String[][] pages = {{"models", "#/models", "#model-grid .card"}, {"model", "#/models/gpt-image-2", "#example-code"},
                {"tasks", "#/tasks", "#task-rows tr"}, {"gallery", "#/gallery", "#gallery img"}, {"webhooks", "#/webhooks", "#wh-events"},
                {"keys", "#/keys", "#key-rows tr"}, {"usage", "#/usage", "#chart-model rect.bar"}};
        for (String[] p : pages) {
            go(p[1]);
            browser.await(p[2]);
            browser.wait.until(d -> (Boolean) browser.js("return [...document.images].every(i => i.complete)"));
            Files.write(dir.resolve(p[0] + ".png"), browser.driver.getScreenshotAs(OutputType.BYTES));
        }
        go("#/playground/nano-banana-2");
        browser.await("#f-prompt");
        browser.find("#pg-submit").click();
        browser.awaitText("#pg-status", "finished");
        browser.wait.until(d -> (Boolean) browser.js("return [...document.images].every(i => i.complete && i.naturalWidth > 0)"));
        browser.js("window.scrollTo(0, 0); document.activeElement.blur()");
        Files.write(dir.resolve("playground.png"), browser.driver.getScreenshotAs(OutputType.BYTES));
        browser.driver.get(node.baseUrl() + "/docs");
        browser.await("#toc a");
        Files.write(dir.resolve("docs.png"), browser.driver.getScreenshotAs(OutputType.BYTES));
        assertThat(dir.resolve("playground.png")).isNotEmptyFile();
    }

    /** A small builder so the submits read as what they send. */
    private static final class ObjectNodeBuilder {
        final tools.jackson.databind.node.ObjectNode node = Json.object();

        ObjectNodeBuilder put(String k, String v) {
            node.put(k, v);
            return this;
        }
    }
}
