package io.dataplane.scheduler.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.dataplane.common.json.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessagesTest {

  private static Map<String, Object> facts() {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("event", "RUN_FAILED");
    f.put("environment", "prod");
    f.put("pipeline", "nightly");
    f.put("runId", "r1");
    f.put("state", "FAILED");
    f.put("error", "boom <script>");
    f.put("link", Messages.runLink("https://dp.example.com/", "prod", "r1"));
    return f;
  }

  @Test
  void theLinkIsTheConsolesRunPage() {
    assertThat(Messages.runLink("https://dp.example.com/", "prod", "r1"))
        .isEqualTo("https://dp.example.com/e/prod/runs/r1");
    assertThat(Messages.runLink(null, "prod", "r1")).isNull();
  }

  @Test
  void slackGetsBlockKitWithAButtonToTheRun() throws Exception {
    String json = Json.mapper().writeValueAsString(Messages.slack(facts()));
    assertThat(json)
        .contains("\"type\":\"header\"")
        .contains("\"type\":\"actions\"")
        .contains("\"url\":\"https://dp.example.com/e/prod/runs/r1\"")
        .contains("boom &lt;script&gt;");
  }

  @Test
  void aSubjectIsOneBoundedLine() {
    Map<String, Object> f = facts();
    f.put("pipeline", "x\r\nBcc: evil@example.com\u2028y" + "z".repeat(1000));
    String s = Messages.subject(f);
    assertThat(s).doesNotContain("\r").doesNotContain("\n").doesNotContain("\u2028");
    assertThat(s.length()).isLessThan(Messages.MAX_SUBJECT + 40);
  }

  @Test
  void longTextsAreCutAndSaySo() {
    String cut = Messages.bounded("x".repeat(2 * 1024 * 1024), Messages.MAX_ERROR);
    assertThat(cut).hasSizeLessThan(Messages.MAX_ERROR + 50).endsWith("more characters)");
  }

  @Test
  void backoffDoublesUpToItsMaximum() {
    Backoff b = new Backoff(java.time.Duration.ofSeconds(5), java.time.Duration.ofMinutes(10));
    assertThat(b.delay(1)).hasSeconds(5);
    assertThat(b.delay(2)).hasSeconds(10);
    assertThat(b.delay(3)).hasSeconds(20);
    assertThat(b.delay(40)).hasMinutes(10);
    assertThat(b.delay(2, 0.99).toMillis()).isBetween(10_000L, 12_000L);
  }
}
