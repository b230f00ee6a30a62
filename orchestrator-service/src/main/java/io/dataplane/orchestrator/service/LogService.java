package io.dataplane.orchestrator.service;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.events.LogChunk;
import io.dataplane.common.text.PgText;
import io.dataplane.orchestrator.config.OrchestratorConfig;
import io.dataplane.orchestrator.engine.LogCap;
import io.dataplane.orchestrator.repository.Db;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** Task logs: stored per attempt in sequence order, idempotent on (taskRun, attempt, seq). */
@ApplicationScoped
public class LogService {

  private final Db db;
  private final OrchestratorConfig config;

  public LogService(Db db, OrchestratorConfig config) {
    this.db = db;
    this.config = config;
  }

  /** One stored line. */
  public record Line(long seq, Instant ts, String stream, String text, int attempt) {}

  /** A page of lines; {@code complete} once the attempt's last chunk is stored and read. */
  public record Page(
      UUID taskRunId, int attempt, List<Line> lines, long nextSeq, boolean complete) {}

  /**
   * Stores a chunk's lines (a redelivered line is stored once), within the run's log cap: lines
   * past it are dropped, and one marker line on the attempt that first hit it says how much.
   */
  public void store(LogChunk chunk) {
    if (chunk.taskRunId() == null) {
      return;
    }
    db.tx(
        tx -> {
          Optional<Object[]> owner =
              tx.one(
                  "select t.run_id, coalesce(e.log_max_bytes_per_run, ?) from task_runs t"
                      + " join runs r on r.id = t.run_id"
                      + " left join environments e on e.name = r.environment where t.id = ?",
                  rs -> new Object[] {Db.uuid(rs, "run_id"), rs.getLong(2)},
                  config.logs().maxBytesPerRun(),
                  chunk.taskRunId());
          if (owner.isEmpty()) {
            return null;
          }
          UUID runId = (UUID) owner.get()[0];
          long maxBytes = (Long) owner.get()[1];
          if (chunk.lines() != null && !chunk.lines().isEmpty()) {
            storeLines(tx, runId, maxBytes, chunk);
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

  private void storeLines(Db.Tx tx, UUID runId, long maxBytes, LogChunk chunk) throws SQLException {
    // lines of this chunk stored already (a redelivery) count neither as stored nor as dropped
    Set<Long> known =
        new HashSet<>(
            tx.list(
                "select seq from task_logs where task_run_id = ? and attempt = ?"
                    + " and seq = any(?::bigint[])",
                rs -> rs.getLong(1),
                chunk.taskRunId(),
                chunk.attempt(),
                chunk.lines().stream().map(LogChunk.Line::seq).toArray(Long[]::new)));
    // and lines at or below the highest seq seen before that are not stored were dropped then
    long seen =
        tx.one(
                "select log_seq_seen from attempts where task_run_id = ? and attempt = ?",
                rs -> rs.getLong(1),
                chunk.taskRunId(),
                chunk.attempt())
            .orElse(0L);
    List<LogChunk.Line> fresh =
        chunk.lines().stream()
            .filter(l -> l.seq() != LogCap.MARKER_SEQ)
            .filter(l -> l.seq() > seen && !known.contains(l.seq()))
            .toList();
    if (fresh.isEmpty()) {
      return;
    }
    tx.update(
        "update attempts set log_seq_seen = greatest(log_seq_seen, ?) where task_run_id = ?"
            + " and attempt = ?",
        fresh.stream().mapToLong(LogChunk.Line::seq).max().orElse(0),
        chunk.taskRunId(),
        chunk.attempt());
    tx.update("insert into run_log_usage (run_id) values (?) on conflict do nothing", runId);
    Object[] usage =
        tx.one(
                "select stored_bytes, dropped_lines, dropped_bytes, marker_task_run_id,"
                    + " marker_attempt from run_log_usage where run_id = ? for update",
                rs ->
                    new Object[] {
                      rs.getLong(1),
                      rs.getLong(2),
                      rs.getLong(3),
                      Db.uuid(rs, "marker_task_run_id"),
                      (Integer) rs.getObject(5)
                    },
                runId)
            .orElseThrow();
    List<String> texts =
        fresh.stream().map(l -> l.text() == null ? "" : PgText.clean(l.text())).toList();
    LogCap.Decision d =
        LogCap.decide((Long) usage[0], maxBytes, texts.stream().map(LogCap::bytes).toList());
    try (PreparedStatement ps =
        tx.connection()
            .prepareStatement(
                "insert into task_logs (task_run_id, attempt, seq, ts, stream, text)"
                    + " values (?, ?, ?, ?, ?, ?) on conflict do nothing")) {
      for (int i : d.keep()) {
        LogChunk.Line l = fresh.get(i);
        ps.setObject(1, chunk.taskRunId());
        ps.setInt(2, chunk.attempt());
        ps.setLong(3, l.seq());
        ps.setTimestamp(4, Timestamp.from(l.ts() == null ? Instant.now() : l.ts()));
        ps.setString(5, l.stream() == null ? "stdout" : PgText.clean(l.stream()));
        // checked again here: a NUL from any worker must not make the row refused
        ps.setString(6, texts.get(i));
        ps.addBatch();
      }
      ps.executeBatch();
    }
    long droppedLines = (Long) usage[1] + d.droppedLines();
    long droppedBytes = (Long) usage[2] + d.droppedBytes();
    UUID markerRun = (UUID) usage[3];
    Integer markerAttempt = (Integer) usage[4];
    if (d.droppedLines() > 0 && markerRun == null) {
      markerRun = chunk.taskRunId();
      markerAttempt = chunk.attempt();
    }
    tx.update(
        "update run_log_usage set stored_bytes = stored_bytes + ?, dropped_lines = ?,"
            + " dropped_bytes = ?, marker_task_run_id = ?, marker_attempt = ? where run_id = ?",
        d.keptBytes(),
        droppedLines,
        droppedBytes,
        markerRun,
        markerAttempt,
        runId);
    if (d.droppedLines() > 0) {
      // one marker line per run, rewritten as more is dropped
      tx.update(
          "insert into task_logs (task_run_id, attempt, seq, ts, stream, text)"
              + " values (?, ?, ?, now(), 'system', ?) on conflict (task_run_id, attempt, seq)"
              + " do update set text = excluded.text, ts = excluded.ts",
          markerRun,
          markerAttempt,
          LogCap.MARKER_SEQ,
          LogCap.marker(maxBytes, droppedLines, droppedBytes));
    }
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
