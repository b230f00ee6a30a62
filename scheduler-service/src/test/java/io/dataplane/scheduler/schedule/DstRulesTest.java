package io.dataplane.scheduler.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Both DST transitions in two zones, for cron and RRule alike: a skipped local time fires once at
 * the transition instant; a repeated local time fires once, at its first occurrence.
 */
class DstRulesTest {

  private static List<Instant> instants(String csv) {
    return Arrays.stream(csv.split(" ")).map(Instant::parse).toList();
  }

  private static List<Instant> expand(String kind, String rule, String tz, String after, int n) {
    ScheduleSpec spec =
        kind.equals("cron")
            ? ScheduleSpec.of(rule, null, tz, null, null, null)
            : ScheduleSpec.of(
                null, rule, tz, null, null, Instant.parse(after).minusSeconds(86400 * 3));
    return spec.preview(Instant.parse(after), n);
  }

  @ParameterizedTest(name = "{0} {2} {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        // Europe/Berlin spring forward 2026-03-29 02:00 CET -> 03:00 CEST: 02:30 fires at 03:00
        "cron|30 2 * * *|Europe/Berlin|2026-03-27T12:00:00Z"
            + "|2026-03-28T01:30:00Z 2026-03-29T01:00:00Z 2026-03-30T00:30:00Z",
        "rrule|FREQ=DAILY;BYHOUR=2;BYMINUTE=30;BYSECOND=0|Europe/Berlin|2026-03-27T12:00:00Z"
            + "|2026-03-28T01:30:00Z 2026-03-29T01:00:00Z 2026-03-30T00:30:00Z",
        // hourly across the gap: the skipped 02:00 and the real 03:00 are one fire
        "cron|0 * * * *|Europe/Berlin|2026-03-28T23:30:00Z"
            + "|2026-03-29T00:00:00Z 2026-03-29T01:00:00Z 2026-03-29T02:00:00Z",
        // Europe/Berlin fall back 2026-10-25 03:00 CEST -> 02:00 CET: 02:30 fires once (CEST)
        "cron|30 2 * * *|Europe/Berlin|2026-10-23T12:00:00Z"
            + "|2026-10-24T00:30:00Z 2026-10-25T00:30:00Z 2026-10-26T01:30:00Z",
        "rrule|FREQ=DAILY;BYHOUR=2;BYMINUTE=30;BYSECOND=0|Europe/Berlin|2026-10-23T12:00:00Z"
            + "|2026-10-24T00:30:00Z 2026-10-25T00:30:00Z 2026-10-26T01:30:00Z",
        // hourly across the overlap: the repeated 02:00 fires once
        "cron|0 * * * *|Europe/Berlin|2026-10-24T22:30:00Z"
            + "|2026-10-24T23:00:00Z 2026-10-25T00:00:00Z 2026-10-25T02:00:00Z",
        // America/New_York spring forward 2026-03-08 02:00 EST -> 03:00 EDT
        "cron|30 2 * * *|America/New_York|2026-03-07T12:00:00Z"
            + "|2026-03-08T07:00:00Z 2026-03-09T06:30:00Z",
        "rrule|FREQ=DAILY;BYHOUR=2;BYMINUTE=30;BYSECOND=0|America/New_York|2026-03-07T12:00:00Z"
            + "|2026-03-08T07:00:00Z 2026-03-09T06:30:00Z",
        // America/New_York fall back 2026-11-01 02:00 EDT -> 01:00 EST: 01:30 fires once (EDT)
        "cron|30 1 * * *|America/New_York|2026-10-31T12:00:00Z"
            + "|2026-11-01T05:30:00Z 2026-11-02T06:30:00Z",
        "rrule|FREQ=DAILY;BYHOUR=1;BYMINUTE=30;BYSECOND=0|America/New_York|2026-10-31T12:00:00Z"
            + "|2026-11-01T05:30:00Z 2026-11-02T06:30:00Z",
        // every 20 minutes through the New York overlap: 01:00-01:40 fire once, then 02:00 EST
        "cron|*/20 * * * *|America/New_York|2026-11-01T05:30:00Z"
            + "|2026-11-01T05:40:00Z 2026-11-01T07:00:00Z",
      })
  void transitions(String kind, String rule, String tz, String after, String expected) {
    List<Instant> want = instants(expected);
    assertThat(expand(kind, rule, tz, after, want.size())).containsExactlyElementsOf(want);
  }
}
