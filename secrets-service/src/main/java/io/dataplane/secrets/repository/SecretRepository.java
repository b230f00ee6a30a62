package io.dataplane.secrets.repository;

import io.dataplane.common.jdbc.Sql;
import io.dataplane.secrets.Secret;
import io.dataplane.secrets.SecretGrants;
import io.dataplane.secrets.SecretRead;
import io.dataplane.secrets.crypto.Sealed;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** SQL of the secrets schema; every method runs on the caller's connection (and transaction). */
public final class SecretRepository {

  /** A secret row. */
  public record SecretRow(
      long id,
      String environment,
      String name,
      int latestVersion,
      Instant createdAt,
      String createdBy,
      Instant updatedAt,
      String updatedBy,
      boolean deleted) {}

  /** The latest sealed version of a secret, with what it takes to decide a read. */
  public record Readable(SecretRow secret, int version, Sealed sealed, SecretGrants grants) {}

  /** One data key to re-wrap. */
  public record WrappedKey(
      long secretId, int version, String environment, String name, Sealed sealed) {}

  private SecretRepository() {}

  /** Locks (creating if needed) the row of a secret, deleted or not. */
  public static SecretRow lockOrCreate(Connection c, String env, String name, String actor)
      throws SQLException {
    Sql.update(
        c,
        "insert into secret (environment, name, created_by, updated_by) values (?, ?, ?, ?)"
            + " on conflict (environment, name) do nothing",
        env,
        name,
        actor,
        actor);
    return lock(c, env, name, true).orElseThrow();
  }

  /** Locks the row of a secret ({@code includeDeleted}: also a deleted one). */
  public static Optional<SecretRow> lock(
      Connection c, String env, String name, boolean includeDeleted) throws SQLException {
    return find(c, env, name, includeDeleted, " for update");
  }

  public static Optional<SecretRow> find(Connection c, String env, String name)
      throws SQLException {
    return find(c, env, name, false, "");
  }

  private static Optional<SecretRow> find(
      Connection c, String env, String name, boolean includeDeleted, String suffix)
      throws SQLException {
    return Sql.first(
        c,
        "select id, environment, name, latest_version, created_at, created_by, updated_at,"
            + " updated_by, deleted_at is not null from secret"
            + " where environment = ? and name = ?"
            + (includeDeleted ? "" : " and deleted_at is null")
            + suffix,
        SecretRepository::row,
        env,
        name);
  }

  public static List<SecretRow> list(Connection c, String env) throws SQLException {
    return Sql.query(
        c,
        "select id, environment, name, latest_version, created_at, created_by, updated_at,"
            + " updated_by, false from secret where environment = ? and deleted_at is null"
            + " order by name",
        SecretRepository::row,
        env);
  }

  private static SecretRow row(ResultSet rs) throws SQLException {
    return new SecretRow(
        rs.getLong(1),
        rs.getString(2),
        rs.getString(3),
        rs.getInt(4),
        instant(rs.getTimestamp(5)),
        rs.getString(6),
        instant(rs.getTimestamp(7)),
        rs.getString(8),
        rs.getBoolean(9));
  }

  /** Records a new version: bumps the secret's latest version and revives a deleted one. */
  public static void addVersion(Connection c, SecretRow s, int version, Sealed sealed, String actor)
      throws SQLException {
    String revive =
        s.deleted()
            ? ", deleted_at = null, deleted_by = null, created_at = now(), created_by = ?"
            : "";
    Sql.update(
        c,
        "update secret set latest_version = ?, updated_at = now(), updated_by = ?"
            + revive
            + " where id = ?",
        s.deleted()
            ? new Object[] {version, actor, actor, s.id()}
            : new Object[] {version, actor, s.id()});
    Sql.update(
        c,
        "insert into secret_version (secret_id, version, ciphertext, wrapped_key,"
            + " master_key_version, created_by) values (?, ?, ?, ?, ?, ?)",
        s.id(),
        version,
        sealed.ciphertext(),
        sealed.wrappedKey(),
        sealed.masterKeyVersion(),
        actor);
  }

  /** Marks a secret deleted and destroys its sealed versions and grants. */
  public static void delete(Connection c, SecretRow s, String actor) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "update secret set deleted_at = now(), deleted_by = ?, updated_at = now(),"
                + " updated_by = ? where id = ?;"
                + " delete from secret_version where secret_id = ?;"
                + " delete from secret_grant where secret_id = ?")) {
      ps.setString(1, actor);
      ps.setString(2, actor);
      ps.setLong(3, s.id());
      ps.setLong(4, s.id());
      ps.setLong(5, s.id());
      ps.execute();
    }
  }

  public static void touch(Connection c, SecretRow s, String actor) throws SQLException {
    Sql.update(
        c, "update secret set updated_at = now(), updated_by = ? where id = ?", actor, s.id());
  }

  public static void replaceGrants(Connection c, long secretId, SecretGrants grants)
      throws SQLException {
    Sql.update(c, "delete from secret_grant where secret_id = ?", secretId);
    try (PreparedStatement ps =
        c.prepareStatement(
            "insert into secret_grant (secret_id, kind, subject) values (?, ?, ?)"
                + " on conflict do nothing")) {
      for (String p : grants.pipelines()) {
        ps.setLong(1, secretId);
        ps.setString(2, "PIPELINE");
        ps.setString(3, p);
        ps.addBatch();
      }
      for (String g : grants.workerGroups()) {
        ps.setLong(1, secretId);
        ps.setString(2, "WORKER_GROUP");
        ps.setString(3, g);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** Grants of several secrets, by secret id. */
  public static Map<Long, SecretGrants> grants(Connection c, List<Long> secretIds)
      throws SQLException {
    Map<Long, List<String>> pipelines = new HashMap<>();
    Map<Long, List<String>> groups = new HashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "select secret_id, kind, subject from secret_grant where secret_id = any(?)"
                + " order by subject")) {
      ps.setArray(1, c.createArrayOf("bigint", secretIds.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long id = rs.getLong(1);
          (rs.getString(2).equals("PIPELINE") ? pipelines : groups)
              .computeIfAbsent(id, k -> new ArrayList<>())
              .add(rs.getString(3));
        }
      }
    }
    Map<Long, SecretGrants> out = new HashMap<>();
    for (Long id : secretIds) {
      out.put(
          id,
          new SecretGrants(
              pipelines.getOrDefault(id, List.of()), groups.getOrDefault(id, List.of())));
    }
    return out;
  }

  /** When each secret was last read (granted), by name. */
  public static Map<String, Instant> lastReads(Connection c, String env, List<String> names)
      throws SQLException {
    Map<String, Instant> out = new HashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "select n, (select r.read_at from secret_read r where r.environment = ?"
                + " and r.name = n and r.action = 'READ' and r.outcome = 'GRANTED' order by r.id desc limit 1)"
                + " from unnest(?::text[]) as n")) {
      ps.setString(1, env);
      ps.setArray(2, c.createArrayOf("text", names.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Timestamp t = rs.getTimestamp(2);
          if (t != null) {
            out.put(rs.getString(1), t.toInstant());
          }
        }
      }
    }
    return out;
  }

  public static Secret toSecret(SecretRow s, SecretGrants grants, Instant lastReadAt) {
    return new Secret(
        s.environment(),
        s.name(),
        s.latestVersion(),
        s.createdAt(),
        s.createdBy(),
        s.updatedAt(),
        s.updatedBy(),
        grants,
        lastReadAt);
  }

  /** The latest sealed version of each named, non-deleted secret of an environment. */
  public static Map<String, Readable> readable(Connection c, String env, List<String> names)
      throws SQLException {
    Map<String, SecretRow> rows = new LinkedHashMap<>();
    Map<String, Sealed> sealed = new HashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "select s.id, s.environment, s.name, s.latest_version, s.created_at, s.created_by,"
                + " s.updated_at, s.updated_by, false, v.ciphertext, v.wrapped_key,"
                + " v.master_key_version from secret s join secret_version v"
                + " on v.secret_id = s.id and v.version = s.latest_version"
                + " where s.environment = ? and s.name = any(?) and s.deleted_at is null")) {
      ps.setString(1, env);
      ps.setArray(2, c.createArrayOf("text", names.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          SecretRow r = row(rs);
          rows.put(r.name(), r);
          sealed.put(r.name(), new Sealed(rs.getBytes(10), rs.getBytes(11), rs.getString(12)));
        }
      }
    }
    Map<Long, SecretGrants> grants = grants(c, rows.values().stream().map(SecretRow::id).toList());
    Map<String, Readable> out = new LinkedHashMap<>();
    rows.forEach(
        (name, r) ->
            out.put(
                name, new Readable(r, r.latestVersion(), sealed.get(name), grants.get(r.id()))));
    return out;
  }

  /** Appends audit records. */
  public static void audit(Connection c, List<SecretRead> reads) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "insert into secret_read (environment, name, version, outcome, reason, actor,"
                + " pipeline, worker_group, run_id, task_run_id, attempt, action)"
                + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (SecretRead r : reads) {
        ps.setString(1, r.environment());
        ps.setString(2, r.name());
        setInt(ps, 3, r.version());
        ps.setString(4, r.outcome());
        ps.setString(5, r.reason());
        ps.setString(6, r.actor());
        ps.setString(7, r.pipeline());
        ps.setString(8, r.workerGroup());
        ps.setObject(9, r.runId());
        ps.setObject(10, r.taskRunId());
        setInt(ps, 11, r.attempt());
        ps.setString(12, r.action());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /**
   * Audit records, newest first, of one secret ({@code env} and {@code name}) or one run ({@code
   * runId}); {@code beforeId} pages.
   */
  public static List<SecretRead> auditOf(
      Connection c, String env, String name, UUID runId, Long beforeId, int limit)
      throws SQLException {
    String where = runId != null ? "run_id = ?" : "environment = ? and name = ?";
    List<Object> args = new ArrayList<>();
    if (runId != null) {
      args.add(runId);
    } else {
      args.add(env);
      args.add(name);
    }
    if (beforeId != null) {
      args.add(beforeId);
    }
    args.add(limit);
    return Sql.query(
        c,
        "select id, action, environment, name, version, outcome, reason, actor, pipeline,"
            + " worker_group, run_id, task_run_id, attempt, read_at from secret_read where "
            + where
            + (beforeId != null ? " and id < ?" : "")
            + " order by id desc limit ?",
        rs ->
            new SecretRead(
                rs.getLong(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                (Integer) rs.getObject(5),
                rs.getString(6),
                rs.getString(7),
                rs.getString(8),
                rs.getString(9),
                rs.getString(10),
                rs.getObject(11, UUID.class),
                rs.getObject(12, UUID.class),
                (Integer) rs.getObject(13),
                instant(rs.getTimestamp(14))),
        args.toArray());
  }

  /**
   * Data keys not wrapped by {@code active}, after {@code (afterSecret, afterVersion)}, locked
   * (skipping rows another transaction holds).
   */
  public static List<WrappedKey> toRewrap(
      Connection c, String active, long afterSecret, int afterVersion, int limit)
      throws SQLException {
    return Sql.query(
        c,
        "select v.secret_id, v.version, s.environment, s.name, v.ciphertext, v.wrapped_key,"
            + " v.master_key_version from secret_version v join secret s on s.id ="
            + " v.secret_id where v.master_key_version <> ? and (v.secret_id, v.version) >"
            + " (?, ?) order by v.secret_id, v.version limit ? for update of v skip locked",
        rs ->
            new WrappedKey(
                rs.getLong(1),
                rs.getInt(2),
                rs.getString(3),
                rs.getString(4),
                new Sealed(rs.getBytes(5), rs.getBytes(6), rs.getString(7))),
        active,
        afterSecret,
        afterVersion,
        limit);
  }

  public static void updateWrapping(Connection c, WrappedKey k, Sealed rewrapped)
      throws SQLException {
    Sql.update(
        c,
        "update secret_version set wrapped_key = ?, master_key_version = ?,"
            + " rewrapped_at = now() where secret_id = ? and version = ?"
            + " and master_key_version = ?",
        rewrapped.wrappedKey(),
        rewrapped.masterKeyVersion(),
        k.secretId(),
        k.version(),
        k.sealed().masterKeyVersion());
  }

  /** Data keys per master key version. */
  public static Map<String, Long> dataKeysByMasterKey(Connection c) throws SQLException {
    return Jdbc.map(
        c,
        "select master_key_version, count(*) from secret_version group by 1 order by 1",
        rs -> rs.getLong(2));
  }

  public static long dataKeysOf(Connection c, String masterKeyVersion) throws SQLException {
    return Sql.first(
            c,
            "select count(*) from secret_version where master_key_version = ?",
            rs -> rs.getLong(1),
            masterKeyVersion)
        .orElseThrow();
  }

  public static Map<String, Instant> retired(Connection c) throws SQLException {
    return Jdbc.map(
        c,
        "select version, retired_at from master_key_retirement order by version",
        rs -> instant(rs.getTimestamp(2)));
  }

  public static boolean isRetired(Connection c, String version) throws SQLException {
    return Sql.exists(c, "select 1 from master_key_retirement where version = ?", version);
  }

  public static void retire(Connection c, String version, String actor) throws SQLException {
    Sql.update(
        c,
        "insert into master_key_retirement (version, retired_by) values (?, ?)"
            + " on conflict do nothing",
        version,
        actor);
  }

  private static void setInt(PreparedStatement ps, int i, Integer v) throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.INTEGER);
    } else {
      ps.setInt(i, v);
    }
  }

  private static Instant instant(Timestamp t) {
    return t == null ? null : t.toInstant();
  }
}
