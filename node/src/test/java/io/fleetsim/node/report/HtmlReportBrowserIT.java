package io.fleetsim.node.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Opens a full report in headless Chromium (Debian's chromium and chromium-driver) and checks that
 * every chart is drawn and that the page asked for nothing beyond its own file. Skipped, with the
 * reason printed, when either is missing, except under {@code CI=true}, where that fails.
 */
class HtmlReportBrowserIT {

  // Debian's paths; the properties are for machines that keep them elsewhere.
  static final Path CHROMIUM =
      Path.of(System.getProperty("fleetsim.chromium", "/usr/bin/chromium"));
  static final Path CHROMEDRIVER =
      Path.of(System.getProperty("fleetsim.chromedriver", "/usr/bin/chromedriver"));
  static final Path REPORT = Path.of("target", "report-browser-it.html");
  static final Path SCREENSHOT = Path.of("target", "report-screenshot.png");

  private static ChromeDriver driver;

  @BeforeAll
  static void startChromium() {
    for (Path p : List.of(CHROMIUM, CHROMEDRIVER)) {
      if (!Files.isExecutable(p)) {
        String reason =
            p + " is missing (apt-get install chromium chromium-driver) for the browser test";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
          fail(reason + " (CI=true requires it)");
        }
        System.out.println("Skipping HtmlReportBrowserIT: " + reason);
        Assumptions.abort(reason);
      }
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--window-size=1280,1000");
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
            .build();
    driver = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stopChromium() {
    if (driver != null) {
      driver.quit();
    }
  }

  @Test
  void everyChartRendersAndNothingIsFetched() throws Exception {
    HtmlReport.write(SampleReports.full(), REPORT);
    driver.get(REPORT.toAbsolutePath().toUri().toString());

    List<WebElement> charts = driver.findElements(By.cssSelector("svg.chart"));
    assertEquals(
        HtmlReportTest.CHARTS,
        charts.stream().map(c -> c.getDomAttribute("data-chart")).toList(),
        "every chart, in order");
    for (WebElement chart : charts) {
      String name = chart.getDomAttribute("data-chart");
      assertTrue(chart.isDisplayed(), name + " is displayed");
      assertTrue(chart.getSize().getWidth() > 0 && chart.getSize().getHeight() > 0, name + " size");
      assertFalse(
          chart.findElements(By.cssSelector("path, rect, polyline")).isEmpty(), name + " draws");
    }

    String source = driver.getPageSource();
    assertFalse(source.contains("http://") || source.contains("https://"), "no URL in the page");
    JavascriptExecutor js = driver;
    assertEquals(
        0L,
        ((Number) js.executeScript("return performance.getEntriesByType('resource').length"))
            .longValue(),
        "the page loaded no resource");

    // The whole page in one picture: the window is the page's height plus the window's own frame.
    long page =
        ((Number) js.executeScript("return document.documentElement.scrollHeight")).longValue();
    long frame =
        ((Number) js.executeScript("return window.outerHeight - window.innerHeight")).longValue();
    driver.manage().window().setSize(new Dimension(1280, (int) Math.min(page + frame, 16_000)));
    File shot = driver.getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), SCREENSHOT, StandardCopyOption.REPLACE_EXISTING);
    assertTrue(Files.size(SCREENSHOT) > 0);
    System.out.println("HtmlReportBrowserIT: screenshot at " + SCREENSHOT.toAbsolutePath());
  }
}
