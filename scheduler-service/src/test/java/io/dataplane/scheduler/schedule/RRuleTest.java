package io.dataplane.scheduler.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RRuleTest {

  private static List<Instant> instants(String... s) {
    return Arrays.stream(s).map(Instant::parse).toList();
  }

  @Test
  void weeklyOnTwoDays() {
    ScheduleSpec spec =
        ScheduleSpec.of(
            null,
            "FREQ=WEEKLY;BYDAY=MO,WE;BYHOUR=9;BYMINUTE=0;BYSECOND=0",
            "UTC",
            Instant.parse("2026-11-22T00:00:00Z"),
            null,
            null);
    assertThat(spec.preview(Instant.parse("2026-11-22T00:00:00Z"), 3))
        .containsExactlyElementsOf(
            instants("2026-11-23T09:00:00Z", "2026-11-25T09:00:00Z", "2026-11-30T09:00:00Z"));
  }

  @Test
  void lastFridayOfTheMonthWithACount() {
    ScheduleSpec spec =
        ScheduleSpec.of(
            null,
            "DTSTART:20260101T000000\nRRULE:FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=18;BYMINUTE=0;BYSECOND=0;COUNT=3",
            "UTC",
            null,
            null,
            Instant.parse("2026-11-22T00:00:00Z"));
    assertThat(spec.preview(Instant.parse("2025-12-01T00:00:00Z"), 5))
        .containsExactlyElementsOf(
            instants("2026-01-30T18:00:00Z", "2026-02-27T18:00:00Z", "2026-03-27T18:00:00Z"));
    // the count is counted from DTSTART, also when asked from the middle
    assertThat(spec.preview(Instant.parse("2026-02-01T00:00:00Z"), 5))
        .containsExactlyElementsOf(instants("2026-02-27T18:00:00Z", "2026-03-27T18:00:00Z"));
  }

  @Test
  void secondlyWithAnInterval() {
    ScheduleSpec spec =
        ScheduleSpec.of(
            null,
            "FREQ=SECONDLY;INTERVAL=5",
            "Europe/Paris",
            Instant.parse("2026-11-22T10:00:00Z"),
            null,
            null);
    assertThat(spec.preview(Instant.parse("2026-11-22T10:00:01Z"), 3))
        .containsExactlyElementsOf(
            instants("2026-11-22T10:00:05Z", "2026-11-22T10:00:10Z", "2026-11-22T10:00:15Z"));
    // far from DTSTART the expansion is still fast
    long t0 = System.nanoTime();
    assertThat(spec.nextAfter(Instant.parse("2026-11-29T10:00:01Z")))
        .contains(Instant.parse("2026-11-29T10:00:05Z"));
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(2000);
  }

  @Test
  void invalidRulesNameTheRruleField() {
    for (String bad :
        List.of(
            "FREQ=SOMETIMES", "BYHOUR=9", "FREQ=DAILY;BYHOUR=25", "FREQ=DAILY;UNTIL=20270101")) {
      assertThatThrownBy(() -> ScheduleSpec.of(null, bad, "UTC", null, null, Instant.EPOCH))
          .as(bad)
          .isInstanceOfSatisfying(
              InvalidScheduleException.class, e -> assertThat(e.field()).isEqualTo("rrule"))
          .hasMessageStartingWith("rrule: ");
    }
  }
}
