package io.dataplane.orchestrator.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.dataplane.orchestrator.dag.PipelineDefinition.Sla;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Issue 17, SLAs: when a run is due, without Quarkus or a database. */
class SlaRuleTest {

  private static final Instant T = Instant.parse("2026-12-07T07:10:00Z");

  @Test
  void noSlaNoDueTime() {
    assertThat(SlaRule.due(null, T)).isNull();
  }

  @Test
  void maxDurationCountsFromTheRequest() {
    assertThat(SlaRule.due(new Sla("PT30M", null, null), T))
        .isEqualTo(Instant.parse("2026-12-07T07:40:00Z"));
  }

  @Test
  void aDeadlineIsTheFirstSuchTimeOfDayAfterTheRequestInItsZone() {
    // 07:10Z is 08:10 in Paris: 09:00 today in Paris is 08:00Z
    assertThat(SlaRule.due(new Sla(null, "09:00", "Europe/Paris"), T))
        .isEqualTo(Instant.parse("2026-12-07T08:00:00Z"));
    // 06:00 in Paris has passed today: tomorrow's, 05:00Z
    assertThat(SlaRule.due(new Sla(null, "06:00", "Europe/Paris"), T))
        .isEqualTo(Instant.parse("2026-12-08T05:00:00Z"));
  }

  @Test
  void aDeadlineAtTheVeryInstantOfTheRequestIsTomorrows() {
    assertThat(SlaRule.due(new Sla(null, "07:10", "UTC"), T))
        .isEqualTo(Instant.parse("2026-12-08T07:10:00Z"));
  }

  @Test
  void withBothTheEarlierCounts() {
    assertThat(SlaRule.due(new Sla("PT2H", "08:00", "UTC"), T))
        .isEqualTo(Instant.parse("2026-12-07T08:00:00Z"));
    assertThat(SlaRule.due(new Sla("PT10M", "08:00", "UTC"), T))
        .isEqualTo(Instant.parse("2026-12-07T07:20:00Z"));
  }

  @Test
  void aTimeThatDaylightSavingSkipsMovesPastTheGap() {
    // 2026-03-29: Paris goes from 02:00 to 03:00; 02:30 does not exist that day
    Instant night = Instant.parse("2026-03-28T23:00:00Z"); // 00:00 in Paris
    assertThat(SlaRule.due(new Sla(null, "02:30", "Europe/Paris"), night))
        .isEqualTo(Instant.parse("2026-03-29T01:30:00Z")); // 03:30 CEST
  }

  @Test
  void missedOnlyOnceAndOnlyWhenDue() {
    Instant due = T.plusSeconds(60);
    assertThat(SlaRule.missed(due, null, T)).isFalse();
    assertThat(SlaRule.missed(due, null, due)).isTrue();
    assertThat(SlaRule.missed(due, due, due.plusSeconds(5))).isFalse();
    assertThat(SlaRule.missed(null, null, due)).isFalse();
  }

  @Test
  void describesWhatWasMissed() {
    assertThat(SlaRule.describe(new Sla("PT30M", "06:00", "Europe/Paris")))
        .isEqualTo("maxDuration PT30M, deadline 06:00 Europe/Paris");
  }
}
