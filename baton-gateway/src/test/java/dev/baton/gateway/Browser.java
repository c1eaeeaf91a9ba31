package dev.baton.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium from the system's packages, driven by its own chromedriver. Both paths are set
 * explicitly so that Selenium Manager never runs (it would download a browser and a driver). Each
 * browser gets a fresh profile directory, deleted on close.
 */
final class Browser implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final int WIDTH = 1280;
    static final int HEIGHT = 900;

    final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /**
     * Skips the calling test class, loudly, when Chromium or its driver is not installed: a skipped
     * browser test must be visible in the build output, never a silent pass.
     */
    static void assumeInstalled() {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present) {
            String message =
                    "SKIPPING browser tests: "
                            + CHROMIUM
                            + " or "
                            + CHROMEDRIVER
                            + " is missing; install them with"
                            + " `apt-get install -y chromium chromium-driver` (Debian/Ubuntu)";
            System.err.println("*** " + message + " ***");
            Assumptions.assumeTrue(false, message);
        }
    }

    static Browser start() {
        Path profile;
        try {
            profile = Files.createTempDirectory("baton-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless",
                "--no-sandbox", // tests may run as root in a container
                "--disable-gpu",
                "--disable-background-networking",
                "--no-first-run",
                "--user-data-dir=" + profile,
                "--window-size=" + WIDTH + "," + HEIGHT);
        ChromeDriverService service =
                new ChromeDriverService.Builder()
                        .usingDriverExecutable(CHROMEDRIVER.toFile())
                        .usingAnyFreePort()
                        .build();
        ChromeDriver driver = null;
        try {
            driver = new ChromeDriver(service, options);
            fitViewport(driver);
            return new Browser(driver, profile);
        } catch (RuntimeException e) {
            if (driver != null) {
                driver.quit();
            }
            delete(profile);
            throw e;
        }
    }

    /**
     * Headless Chromium counts its (invisible) toolbars in --window-size, so the page would get
     * less than 1280x900: grow the window by the difference, so screenshots are 1280x900.
     */
    private static void fitViewport(ChromeDriver driver) {
        Object chrome = driver.executeScript("return window.outerHeight - window.innerHeight;");
        long extra = chrome instanceof Number n ? n.longValue() : 0;
        if (extra > 0) {
            driver.manage().window().setSize(new Dimension(WIDTH, HEIGHT + (int) extra));
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            delete(profile);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind is harmless
        }
    }
}
