package io.dataplane.orchestrator.service;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.orchestrator.dag.PipelineDefinition;
import io.dataplane.orchestrator.repository.Db;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Deletes an environment, refused (409, naming the first few and the count) while it still has
 * unfinished runs, pipelines, or worker groups besides {@code default}: what the environment holds
 * is removed by its own delete first, so nothing is lost by accident. The environment row is locked
 * for the check, so no pipeline or worker group can be created in it meanwhile (their foreign key
 * waits on the lock). Release, run, deployment and draft history is kept, like a deleted
 * pipeline's, and the name can be used again. Schedules, triggers, secrets and files live in other
 * services: the gateway checks them before it calls this (docs/orchestrator.md).
 */
@ApplicationScoped
public class EnvironmentDeletion {

  /** How many names a refusal lists at most. */
  static final int NAMED = 5;

  private final Db db;

  public EnvironmentDeletion(Db db) {
    this.db = db;
  }

  public void delete(String name) {
    db.tx(
        tx -> {
          if (tx.one(
                  "select name from environments where name = ? for update",
                  rs -> rs.getString(1),
                  name)
              .isEmpty()) {
            throw DataplaneException.notFound("environment '" + name + "'");
          }
          List<String> problems = new ArrayList<>();
          named(
              tx,
              problems,
              "unfinished run(s)",
              "select id::text, count(*) over () from runs where environment = ?"
                  + " and state in ('QUEUED', 'RUNNING') order by created_at",
              name);
          named(
              tx,
              problems,
              "pipeline(s)",
              "select name, count(*) over () from pipelines where environment = ? order by name",
              name);
          named(
              tx,
              problems,
              "worker group(s)",
              "select name, count(*) over () from worker_groups where environment = ? and name <> '"
                  + PipelineDefinition.DEFAULT_WORKER_GROUP
                  + "' order by name",
              name);
          if (!problems.isEmpty()) {
            throw DataplaneException.conflict(
                "environment '"
                    + name
                    + "' still has "
                    + String.join("; ", problems)
                    + "; cancel, wait for or delete them first");
          }
          tx.update("delete from environments where name = ?", name);
          return null;
        });
  }

  /** Adds "N what: a, b, c, …" when the query (name, total count) finds rows. */
  private static void named(Db.Tx tx, List<String> problems, String what, String sql, String env)
      throws SQLException {
    List<String[]> rows =
        tx.list(
            sql + " limit " + NAMED,
            rs -> new String[] {rs.getString(1), String.valueOf(rs.getLong(2))},
            env);
    if (rows.isEmpty()) {
      return;
    }
    long total = Long.parseLong(rows.get(0)[1]);
    List<String> names = rows.stream().map(r -> r[0]).toList();
    problems.add(
        total
            + " "
            + what
            + ": "
            + String.join(", ", names)
            + (total > names.size() ? ", and " + (total - names.size()) + " more" : ""));
  }
}
