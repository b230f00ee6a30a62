package io.dataplane.orchestrator.repository;

import io.agroal.api.AgroalDataSource;
import io.dataplane.common.json.Json;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Plain JDBC with explicit transactions (see docs/adr/0001): {@link #tx} runs a unit of work in one
 * transaction, retries it on serialization failures and deadlocks, and runs the work's after-commit
 * actions (arming timers, counting metrics) only once it committed.
 */
@ApplicationScoped
public class Db {

  private final AgroalDataSource dataSource;

  public Db(AgroalDataSource dataSource) {
    this.dataSource = dataSource;
  }

  public AgroalDataSource dataSource() {
    return dataSource;
  }

  /** A unit of work. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Tx tx) throws SQLException;
  }

  /** Maps one row. */
  @FunctionalInterface
  public interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException;
  }

  /** A JSON value to bind as jsonb. */
  public record Jsonb(String json) {
    public static Jsonb of(Object value) {
      try {
        return new Jsonb(value == null ? null : Json.mapper().writeValueAsString(value));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalArgumentException("not serializable as JSON", e);
      }
    }
  }

  /** An open transaction: its connection and what to do after it commits. */
  public static final class Tx {
    private final Connection connection;
    private final List<Runnable> afterCommit = new ArrayList<>();

    Tx(Connection connection) {
      this.connection = connection;
    }

    public Connection connection() {
      return connection;
    }

    public void afterCommit(Runnable r) {
      afterCommit.add(r);
    }

    private java.util.Map<Object, Object> attributes;

    /**
     * A value that lives as long as this transaction, made by {@code init} on first use (for
     * example the events to publish once it committed).
     */
    @SuppressWarnings("unchecked")
    public <T> T attribute(Object key, java.util.function.Supplier<T> init) {
      if (attributes == null) {
        attributes = new java.util.HashMap<>();
      }
      return (T) attributes.computeIfAbsent(key, k -> init.get());
    }

    public int update(String sql, Object... args) throws SQLException {
      try (PreparedStatement ps = connection.prepareStatement(sql)) {
        bind(ps, args);
        return ps.executeUpdate();
      }
    }

    public <T> List<T> list(String sql, RowMapper<T> mapper, Object... args) throws SQLException {
      try (PreparedStatement ps = connection.prepareStatement(sql)) {
        bind(ps, args);
        try (ResultSet rs = ps.executeQuery()) {
          List<T> out = new ArrayList<>();
          while (rs.next()) {
            out.add(mapper.map(rs));
          }
          return out;
        }
      }
    }

    public <T> Optional<T> one(String sql, RowMapper<T> mapper, Object... args)
        throws SQLException {
      List<T> l = list(sql, mapper, args);
      return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }
  }

  public <T> T tx(Work<T> work) {
    SQLException last = null;
    for (int i = 0; i < 5; i++) {
      Tx tx;
      T result;
      try (Connection c = dataSource.getConnection()) {
        c.setAutoCommit(false);
        tx = new Tx(c);
        try {
          result = work.run(tx);
          c.commit();
        } catch (SQLException e) {
          c.rollback();
          throw e;
        } catch (RuntimeException | Error e) {
          c.rollback();
          throw e;
        }
      } catch (SQLException e) {
        String state = e.getSQLState();
        if ("40001".equals(state) || "40P01".equals(state)) {
          last = e;
          Log.debugf("transaction retried after %s", state);
          continue;
        }
        throw new IllegalStateException("database error: " + e.getMessage(), e);
      }
      for (Runnable r : tx.afterCommit) {
        try {
          r.run();
        } catch (RuntimeException e) {
          Log.warn("after-commit action failed", e);
        }
      }
      return result;
    }
    throw new IllegalStateException("transaction kept conflicting", last);
  }

  static void bind(PreparedStatement ps, Object[] args) throws SQLException {
    for (int i = 0; i < args.length; i++) {
      Object a = args[i];
      int idx = i + 1;
      if (a == null) {
        ps.setNull(idx, Types.NULL);
      } else if (a instanceof Jsonb j) {
        ps.setObject(idx, j.json(), Types.OTHER);
      } else if (a instanceof Instant t) {
        ps.setTimestamp(idx, Timestamp.from(t));
      } else if (a instanceof Enum<?> en) {
        ps.setString(idx, en.name());
      } else if (a instanceof String[] arr) {
        ps.setArray(idx, ps.getConnection().createArrayOf("text", arr));
      } else if (a instanceof UUID[] arr) {
        ps.setArray(idx, ps.getConnection().createArrayOf("uuid", arr));
      } else if (a instanceof Integer[] arr) {
        ps.setArray(idx, ps.getConnection().createArrayOf("int4", arr));
      } else if (a instanceof Long[] arr) {
        ps.setArray(idx, ps.getConnection().createArrayOf("int8", arr));
      } else {
        ps.setObject(idx, a);
      }
    }
  }

  // --- row helpers ---

  public static Instant instant(ResultSet rs, String col) throws SQLException {
    Timestamp t = rs.getTimestamp(col);
    return t == null ? null : t.toInstant();
  }

  public static UUID uuid(ResultSet rs, String col) throws SQLException {
    return rs.getObject(col, UUID.class);
  }

  public static <T> T json(ResultSet rs, String col, Class<T> type) throws SQLException {
    String s = rs.getString(col);
    if (s == null) {
      return null;
    }
    try {
      return Json.mapper().readValue(s, type);
    } catch (java.io.IOException e) {
      throw new SQLException("column " + col + " holds unreadable JSON", e);
    }
  }

  public static Integer intOrNull(ResultSet rs, String col) throws SQLException {
    int v = rs.getInt(col);
    return rs.wasNull() ? null : v;
  }
}
