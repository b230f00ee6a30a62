package io.dataplane.scheduler.repository;

import io.dataplane.common.jdbc.Sql;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** Reads the fire ledger. */
@ApplicationScoped
public class FireRepository {

  /** One ledger row. */
  public record FireRow(
      UUID scheduleId,
      Instant fireTime,
      Instant firedAt,
      long lagMillis,
      String kind,
      String requestId,
      String releaseId,
      UUID backfillId,
      String firedBy) {}

  private final ScheduleRepository schedules;

  public FireRepository(ScheduleRepository schedules) {
    this.schedules = schedules;
  }

  /** The newest fires of a schedule before {@code before} (exclusive, null: newest). */
  public List<FireRow> page(UUID scheduleId, Instant before, int limit) throws SQLException {
    try (Connection c = schedules.connection();
        PreparedStatement ps =
            c.prepareStatement(
                "select schedule_id, fire_time, fired_at, lag_ms, kind, request_id, release_id,"
                    + " backfill_id, fired_by from fires where schedule_id = ?"
                    + " and (?::timestamptz is null or fire_time < ?)"
                    + " order by fire_time desc limit ?")) {
      ps.setObject(1, scheduleId);
      ps.setObject(2, ScheduleRepository.ts(before));
      ps.setObject(3, ScheduleRepository.ts(before));
      ps.setInt(4, limit);
      return Sql.list(
          ps,
          rs ->
              new FireRow(
                  rs.getObject(1, UUID.class),
                  rs.getObject(2, OffsetDateTime.class).toInstant(),
                  rs.getObject(3, OffsetDateTime.class).toInstant(),
                  rs.getLong(4),
                  rs.getString(5),
                  rs.getString(6),
                  rs.getString(7),
                  rs.getObject(8, UUID.class),
                  rs.getString(9)));
    }
  }

  /**
   * Deletes fires that fired more than {@code days} ago, except the newest fire of each schedule,
   * {@code batch} rows per transaction and at most {@code maxBatches} transactions; returns the
   * rows deleted. (A fire time whose row is gone cannot start a second run: the orchestrator keeps
   * the fire's request id unique.)
   */
  public long purgeOlderThan(int days, int batch, int maxBatches) throws SQLException {
    if (days <= 0) {
      return 0;
    }
    long total = 0;
    try (Connection c = schedules.connection();
        PreparedStatement ps =
            c.prepareStatement(
                "delete from fires where ctid = any(array(select f.ctid from fires f"
                    + " where f.fired_at < now() - make_interval(days => ?)"
                    + " and exists (select 1 from fires g where g.schedule_id = f.schedule_id"
                    + " and g.fire_time > f.fire_time) limit ?))")) {
      for (int i = 0; i < maxBatches; i++) {
        ps.setInt(1, days);
        ps.setInt(2, batch);
        int n = ps.executeUpdate(); // autocommit: each batch is its own transaction
        total += n;
        if (n < batch) {
          break;
        }
      }
    }
    return total;
  }
}
