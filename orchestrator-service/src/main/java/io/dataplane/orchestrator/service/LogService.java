package io.dataplane.orchestrator.service;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.events.LogChunk;
import io.dataplane.common.text.PgText;
import io.dataplane.orchestrator.repository.Db;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Task logs: stored per attempt in sequence order, idempotent on (taskRun, attempt, seq). */
@ApplicationScoped
public class LogService {

  private final Db db;

  public LogService(Db db) {
    this.db = db;
  }

  /** One stored line. */
  public record Line(long seq, Instant ts, String stream, String text, int attempt) {}

  /** A page of lines; {@code complete} once the attempt's last chunk is stored and read. */
  public record Page(
      UUID taskRunId, int attempt, List<Line> lines, long nextSeq, boolean complete) {}

  public void store(LogChunk chunk) {
    if (chunk.taskRunId() == null) {
      return;
    }
    db.tx(
        tx -> {
          boolean ours =
              tx.one("select 1 from task_runs where id = ?", rs -> 1, chunk.taskRunId())
                  .isPresent();
          if (!ours) {
            return null;
          }
          if (chunk.lines() != null && !chunk.lines().isEmpty()) {
            try (PreparedStatement ps =
                tx.connection()
                    .prepareStatement(
                        "insert into task_logs (task_run_id, attempt, seq, ts, stream, text)"
                            + " values (?, ?, ?, ?, ?, ?) on conflict do nothing")) {
              for (LogChunk.Line l : chunk.lines()) {
                ps.setObject(1, chunk.taskRunId());
                ps.setInt(2, chunk.attempt());
                ps.setLong(3, l.seq());
                ps.setTimestamp(4, Timestamp.from(l.ts() == null ? Instant.now() : l.ts()));
                ps.setString(5, l.stream() == null ? "stdout" : PgText.clean(l.stream()));
                // checked again here: a NUL from any worker must not make the row refused
                ps.setString(6, l.text() == null ? "" : PgText.clean(l.text()));
                ps.addBatch();
              }
              ps.executeBatch();
            }
          }
          if (chunk.last()) {
            tx.update(
                "update attempts set logs_complete = true where task_run_id = ? and attempt = ?",
                chunk.taskRunId(),
                chunk.attempt());
          }
          return null;
        });
  }

  /** Whether the attempt has ended (its logs will not grow, except for chunks still in flight). */
  public boolean attemptOver(UUID taskRunId, int attempt) {
    return db.tx(
        tx ->
            tx.one(
                    "select state from attempts where task_run_id = ? and attempt = ?",
                    rs -> rs.getString(1),
                    taskRunId,
                    attempt)
                .map(
                    st ->
                        !st.equals("DISPATCHED") && !st.equals("CLAIMED") && !st.equals("RUNNING"))
                .orElse(false));
  }

  public Page page(UUID taskRunId, Integer attempt, long afterSeq, int limit) {
    int lim = Math.max(1, Math.min(limit, 5000));
    return db.tx(
        tx -> {
          Integer current =
              tx.one("select attempt from task_runs where id = ?", rs -> rs.getInt(1), taskRunId)
                  .orElseThrow(() -> DataplaneException.notFound("task run " + taskRunId));
          int att = attempt == null ? current : attempt;
          List<Line> lines =
              tx.list(
                  "select seq, ts, stream, text, attempt from task_logs where task_run_id = ?"
                      + " and attempt = ? and seq > ? order by seq limit ?",
                  rs ->
                      new Line(
                          rs.getLong(1),
                          rs.getTimestamp(2).toInstant(),
                          rs.getString(3),
                          rs.getString(4),
                          rs.getInt(5)),
                  taskRunId,
                  att,
                  afterSeq,
                  lim);
          long next = lines.isEmpty() ? afterSeq : lines.get(lines.size() - 1).seq();
          boolean done =
              tx.one(
                      "select logs_complete from attempts where task_run_id = ? and attempt = ?",
                      rs -> rs.getBoolean(1),
                      taskRunId,
                      att)
                  .orElse(false);
          boolean more =
              tx.one(
                      "select 1 from task_logs where task_run_id = ? and attempt = ? and seq > ?"
                          + " limit 1",
                      rs -> 1,
                      taskRunId,
                      att,
                      next)
                  .isPresent();
          return new Page(taskRunId, att, lines, next, done && !more);
        });
  }
}
