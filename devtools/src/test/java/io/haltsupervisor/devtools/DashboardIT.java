package io.haltsupervisor.devtools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard end to end: {@code supervisor dev --scenario too-new} in a child JVM, the page in
 * headless Chromium (Debian's {@code chromium} and {@code chromedriver}, driven by Selenium; no
 * browser download). The page must show the incident appear, then resolve, and the node's timeline.
 * Leaves a screenshot in {@code target/dashboard.png}.
 */
class DashboardIT {
    static final File CHROMIUM = new File("/usr/bin/chromium");
    static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
    static Process dev;
    static String dashboard;
    static WebDriver browser;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(CHROMIUM.canExecute() && CHROMEDRIVER.canExecute(),
                "needs Debian's chromium and chromium-driver (.ci/run installs them)");
        dev = DevModeIT.launch("dev", "--scenario", "too-new", "--nodes", "2", "--quiet-events");
        Map<String, String> printed = DevModeIT.readKeyValues(dev);
        await().atMost(Duration.ofSeconds(60)).until(() -> printed.containsKey("dashboard"));
        dashboard = printed.get("dashboard");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1400,1000",
                "--user-data-dir=" + Files.createTempDirectory("dashboard-chromium-"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (dev != null) {
            DevModeIT.signal(dev, "INT");
            dev.waitFor(15, TimeUnit.SECONDS);
            dev.destroyForcibly();
        }
    }

    private static String text(String css) {
        return browser.findElement(By.cssSelector(css)).getText();
    }

    @Test
    void showsAnIncidentAppearAndResolveWithTheNodesTimeline() throws Exception {
        browser.get(dashboard);
        assertThat(browser.getTitle()).isEqualTo("halt-supervisor");
        await().atMost(Duration.ofSeconds(60)).until(() -> text("#nodes tbody").contains("sei/too-new-0"));

        // the operator's mistake (a too-new image) halts the node with 71: the incident appears — open, or
        // (the rollback takes about a second) already among the recently resolved
        await().atMost(Duration.ofSeconds(90)).until(() -> text("#incidents tbody").contains("sei/too-new-0#1")
                || text("#resolved tbody").contains("sei/too-new-0#1"));
        browser.findElement(By.cssSelector("tr[data-node='sei/too-new-0']")).click();

        // rolled back and healthy again: the incident leaves the open list for the resolved one, and the
        // node's timeline tells the story
        await().atMost(Duration.ofSeconds(90)).until(() -> text("#incidents tbody").contains("no open incidents")
                && text("#resolved tbody").contains("sei/too-new-0#1")
                && text("#timeline tbody").contains("decision:resolve"));
        assertThat(text("tr[data-incident='sei/too-new-0#1']")).contains("71").contains("running target image");
        String timeline = text("#timeline tbody");
        assertThat(timeline).contains("halt").contains("decision:rollback").contains("action")
                .contains("decision:resolve");
        assertThat(text("tr[data-node='sei/too-new-0']")).contains("healthy").contains("seid:v5.9.0");

        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, Path.of("target", "dashboard.png"), StandardCopyOption.REPLACE_EXISTING);
    }
}
