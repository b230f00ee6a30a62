package io.dataplane.scheduler.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class MisfirePlannerTest {

  private static final ScheduleSpec EVERY_MINUTE =
      ScheduleSpec.of("* * * * *", null, "UTC", null, null, null);
  private static final Instant DOWN_SINCE = Instant.parse("2026-11-22T10:00:00Z");
  private static final Instant NOW = Instant.parse("2026-11-22T10:10:30Z");

  private static List<Instant> at(String... hhmm) {
    return Arrays.stream(hhmm).map(s -> Instant.parse("2026-11-22T" + s + ":00Z")).toList();
  }

  private static MisfirePlanner.Plan plan(MisfirePolicy policy, int cap) {
    return MisfirePlanner.plan(EVERY_MINUTE, DOWN_SINCE, NOW, Duration.ofSeconds(60), policy, cap);
  }

  @Test
  void allFiresTheMostRecentMissedUpToTheCap() {
    MisfirePlanner.Plan p = plan(MisfirePolicy.ALL, 3);
    assertThat(p.fire()).containsExactlyElementsOf(at("10:07", "10:08", "10:09", "10:10"));
    assertThat(p.missed()).isEqualTo(6);
    assertThat(p.firedThrough()).isEqualTo(Instant.parse("2026-11-22T10:10:00Z"));
  }

  @Test
  void allWithALargeCapFiresEverything() {
    MisfirePlanner.Plan p = plan(MisfirePolicy.ALL, 100);
    assertThat(p.fire()).hasSize(10);
    assertThat(p.missed()).isZero();
  }

  @Test
  void lastFiresOnlyTheLatestMissed() {
    MisfirePlanner.Plan p = plan(MisfirePolicy.LAST, 0);
    assertThat(p.fire()).containsExactlyElementsOf(at("10:09", "10:10"));
    assertThat(p.missed()).isEqualTo(8);
  }

  @Test
  void noneFiresOnlyWhatIsNotLate() {
    MisfirePlanner.Plan p = plan(MisfirePolicy.NONE, 0);
    assertThat(p.fire()).containsExactlyElementsOf(at("10:10"));
    assertThat(p.missed()).isEqualTo(9);
    assertThat(p.firedThrough()).isEqualTo(Instant.parse("2026-11-22T10:10:00Z"));
  }

  @Test
  void nothingDueMeansNothingChanges() {
    MisfirePlanner.Plan p =
        MisfirePlanner.plan(
            EVERY_MINUTE, NOW, NOW.plusSeconds(20), Duration.ofSeconds(60), MisfirePolicy.ALL, 10);
    assertThat(p.fire()).isEmpty();
    assertThat(p.missed()).isZero();
    assertThat(p.firedThrough()).isEqualTo(NOW);
  }
}
