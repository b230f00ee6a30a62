package io.dataplane.scheduler.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.dataplane.scheduler.repository.FireRepository;
import io.dataplane.scheduler.repository.ScheduleRepository;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Issue 14, item 17: the fire ledger does not grow forever. */
@QuarkusTest
class FireRetentionTest {

  @Inject ScheduleRepository schedules;
  @Inject FireRepository fires;
  @Inject Housekeeping housekeeping;

  /** A fire that fired {@code daysAgo} days ago (fire time the same). */
  private void fire(UUID schedule, int daysAgo) throws SQLException {
    try (Connection c = schedules.connection();
        PreparedStatement ps =
            c.prepareStatement(
                "insert into fires (schedule_id, fire_time, fired_at, lag_ms, kind, request_id,"
                    + " fired_by) values (?, now() - make_interval(days => ?),"
                    + " now() - make_interval(days => ?), 0, 'SCHEDULE', ?, 'test')")) {
      ps.setObject(1, schedule);
      ps.setInt(2, daysAgo);
      ps.setInt(3, daysAgo);
      ps.setString(4, schedule + "@" + daysAgo);
      ps.executeUpdate();
    }
  }

  private List<Integer> daysLeft(UUID schedule) throws SQLException {
    try (Connection c = schedules.connection();
        PreparedStatement ps =
            c.prepareStatement(
                "select round(extract(epoch from now() - fired_at) / 86400)::int from fires"
                    + " where schedule_id = ? order by fire_time")) {
      ps.setObject(1, schedule);
      List<Integer> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getInt(1));
        }
      }
      return out;
    }
  }

  @Test
  void oldFiresGoYoungOnesAndEachSchedulesNewestStay() throws SQLException {
    UUID busy = UUID.randomUUID();
    UUID quiet = UUID.randomUUID();
    for (int d : new int[] {400, 380, 370, 366, 364, 1}) {
      fire(busy, d);
    }
    // a schedule that last fired long ago keeps its newest fire (its "last fired")
    fire(quiet, 900);
    fire(quiet, 800);

    // the configured sweep (365 days) in batches of 2
    long deleted = fires.purgeOlderThan(365, 2, 100);

    assertThat(deleted).isGreaterThanOrEqualTo(5);
    assertThat(daysLeft(busy)).containsExactly(364, 1);
    assertThat(daysLeft(quiet)).containsExactly(800);
  }

  @Test
  void theHousekeepingSweepUsesTheConfiguredRetention() throws SQLException {
    UUID s = UUID.randomUUID();
    fire(s, 366);
    fire(s, 364);
    fire(s, 2);
    housekeeping.purgeFires();
    assertThat(daysLeft(s)).containsExactly(364, 2);
  }

  @Test
  void zeroDaysKeepsTheLedgerForever() throws SQLException {
    UUID s = UUID.randomUUID();
    fire(s, 5000);
    fire(s, 1);
    assertThat(fires.purgeOlderThan(0, 10, 10)).isZero();
    assertThat(daysLeft(s)).containsExactly(5000, 1);
  }
}
