package io.dataplane.gateway.audit;

import io.dataplane.gateway.repository.Jdbc;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Writes and reads the audit log: every mutation and every refused authorization. */
@ApplicationScoped
public class AuditService {

  public static final String OK = "OK";
  public static final String DENIED = "DENIED";
  public static final String FAILED = "FAILED";

  private final Jdbc jdbc;

  public AuditService(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /** Records one event; a failure to record is logged, never thrown at the caller. */
  public void record(
      String actor,
      String action,
      String target,
      String environment,
      String outcome,
      String summary) {
    try {
      jdbc.update(
          "audit record cannot be saved",
          "insert into audit_log (actor, action, target, environment, outcome, summary)"
              + " values (?, ?, ?, ?, ?, ?)",
          actor,
          action,
          target,
          environment,
          outcome,
          summary == null ? null : truncate(summary, 2000));
    } catch (IllegalStateException e) {
      Log.errorf(e.getCause(), "audit record lost: %s %s %s", actor, action, outcome);
    }
  }

  /**
   * Deletes entries older than {@code retention}, in batches (a sweep never holds a long lock);
   * returns how many.
   */
  public int purgeOlderThan(java.time.Duration retention) {
    int total = 0;
    Timestamp cutoff = Timestamp.from(Instant.now().minus(retention));
    try {
      int n;
      do {
        n =
            jdbc.update(
                "audit log cannot be purged",
                "delete from audit_log where id in (select id from audit_log where at < ?"
                    + " order by id limit 10000)",
                cutoff);
        total += n;
      } while (n == 10_000);
    } catch (IllegalStateException e) {
      Log.warnf("audit retention sweep failed: %s", e.getCause().getMessage());
    }
    return total;
  }

  /** Newest first; {@code before} is the id of the last entry of the previous page. */
  public List<AuditEntry> list(
      String actor, String action, String environment, String outcome, Long before, int limit) {
    StringBuilder sql =
        new StringBuilder(
            "select id, at, actor, action, target, environment, outcome, summary"
                + " from audit_log where true");
    List<Object> args = new ArrayList<>();
    where(sql, args, "actor = ?", actor);
    where(sql, args, "action = ?", action);
    where(sql, args, "environment = ?", environment);
    where(sql, args, "outcome = ?", outcome);
    where(sql, args, "id < ?", before);
    sql.append(" order by id desc limit ?");
    args.add(limit);
    return jdbc.list(
        "audit log cannot be read",
        sql.toString(),
        rs -> {
          Timestamp at = rs.getTimestamp(2);
          return new AuditEntry(
              rs.getLong(1),
              at == null ? null : at.toInstant(),
              rs.getString(3),
              rs.getString(4),
              rs.getString(5),
              rs.getString(6),
              rs.getString(7),
              rs.getString(8));
        },
        args.toArray());
  }

  /** Adds {@code and condition} with its one argument, unless that is null (no filter). */
  private static void where(StringBuilder sql, List<Object> args, String condition, Object arg) {
    if (arg != null) {
      sql.append(" and ").append(condition);
      args.add(arg);
    }
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "...";
  }

  /** One audit record. */
  public record AuditEntry(
      long id,
      Instant at,
      String actor,
      String action,
      String target,
      String environment,
      String outcome,
      String summary) {}
}
