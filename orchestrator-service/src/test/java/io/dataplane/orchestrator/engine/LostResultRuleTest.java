package io.dataplane.orchestrator.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LostResultRuleTest {

  private static final Instant T = Instant.parse("2026-12-07T04:00:00Z");
  private final LostResultRule rule = new LostResultRule(Duration.ofSeconds(60));

  private static Instant t(long seconds) {
    return T.plusSeconds(seconds);
  }

  @Test
  void aHeartbeatSpeaksOnlyForAttemptsClaimedWellBeforeItWasBuilt() {
    Instant claimed = t(0);
    // built before the claim, or just after it (the claim's answer on its way): says nothing
    assertThat(claimed.isBefore(LostResultRule.claimedBefore(t(-1)))).isFalse();
    assertThat(claimed.isBefore(LostResultRule.claimedBefore(t(1)))).isFalse();
    assertThat(claimed.isBefore(LostResultRule.claimedBefore(t(4)))).isFalse();
    // built once the worker surely knew of the claim
    assertThat(claimed.isBefore(LostResultRule.claimedBefore(t(6)))).isTrue();
    // no build time: speaks for nothing
    assertThat(LostResultRule.claimedBefore(null)).isNull();
  }

  @Test
  void lostWhenUnreportedForTheWindowAndTheEventsWereReadSince() {
    assertThat(rule.lost(t(10), t(0), t(1), t(11), t(71))).isTrue();
  }

  @Test
  void notLostBeforeTheWindowIsOver() {
    assertThat(rule.lost(t(10), t(0), t(1), t(11), t(69))).isFalse();
  }

  @Test
  void notLostWhileTheEventsWereNotReadToTheirEndSinceItWasLeftOut() {
    // the result may be in the task events still to be read: late, not lost
    assertThat(rule.lost(t(10), t(0), t(1), t(9), t(200))).isFalse();
    assertThat(rule.lost(t(10), t(0), t(1), t(10), t(200))).isFalse();
    assertThat(rule.lost(t(10), t(0), t(1), null, t(200))).isFalse();
  }

  @Test
  void notLostWhenClaimedOrStartedWithinTheWindow() {
    assertThat(rule.lost(t(10), t(50), null, t(60), t(100))).isFalse();
    assertThat(rule.lost(t(10), t(0), t(50), t(60), t(100))).isFalse();
    assertThat(rule.lost(t(10), t(0), null, t(60), t(100))).isTrue();
  }

  @Test
  void neverLostWhileReported() {
    assertThat(rule.lost(null, t(0), t(1), t(500), t(1000))).isFalse();
  }

  @Test
  void offAtZero() {
    LostResultRule off = new LostResultRule(Duration.ZERO);
    assertThat(off.off()).isTrue();
    assertThat(off.lost(t(0), t(0), t(0), t(500), t(1000))).isFalse();
    assertThat(rule.off()).isFalse();
  }

  @Test
  void readToEndOnlyAtTheBrokersEnds() {
    assertThat(LostResultRule.readToEnd(Map.of("p0", 5L, "p1", 7L), Map.of("p0", 5L, "p1", 7L)))
        .isTrue();
    // ends asked from the broker moved past what was read (the cached lag said 0)
    assertThat(LostResultRule.readToEnd(Map.of("p0", 5L, "p1", 7L), Map.of("p0", 5L, "p1", 9L)))
        .isFalse();
    // a partition without a known position is not read
    assertThat(LostResultRule.readToEnd(Map.of("p0", 5L), Map.of("p0", 5L, "p1", 0L))).isFalse();
    assertThat(LostResultRule.readToEnd(Map.of(), Map.<String, Long>of())).isFalse();
  }
}
