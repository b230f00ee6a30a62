package io.dataplane.scheduler.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.dataplane.common.json.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Plain JDBC helpers. */
public final class Jdbc {

  /** Work inside one transaction, with a result. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** Work inside one transaction. */
  @FunctionalInterface
  public interface Step {
    void run(Connection c) throws SQLException;
  }

  /** Reads the current row. */
  @FunctionalInterface
  public interface Reader<T> {
    T read(ResultSet rs) throws SQLException;
  }

  private Jdbc() {}

  /** Binds the arguments in order, as objects. */
  public static PreparedStatement bind(PreparedStatement ps, Object... args) throws SQLException {
    for (int i = 0; i < args.length; i++) {
      ps.setObject(i + 1, args[i]);
    }
    return ps;
  }

  /** Runs the query and reads every row. */
  public static <T> List<T> list(PreparedStatement ps, Reader<T> reader) throws SQLException {
    List<T> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(reader.read(rs));
      }
    }
    return out;
  }

  /** Runs the query, bound in order, and reads every row. */
  public static <T> List<T> query(Connection c, String sql, Reader<T> reader, Object... args)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      return list(bind(ps, args), reader);
    }
  }

  /** Runs the query, bound in order, and reads its first row. */
  public static <T> Optional<T> first(Connection c, String sql, Reader<T> reader, Object... args)
      throws SQLException {
    try (PreparedStatement ps = bind(c.prepareStatement(sql), args);
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(reader.read(rs)) : Optional.empty();
    }
  }

  /** Whether the query, bound in order, returns a row. */
  public static boolean exists(Connection c, String sql, Object... args) throws SQLException {
    return first(c, sql, rs -> Boolean.TRUE, args).isPresent();
  }

  /** Runs the statement, bound in order; returns how many rows it changed. */
  public static int update(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      return bind(ps, args).executeUpdate();
    }
  }

  /** Deletes the row of that id; false when there was none. */
  public static boolean delete(Connection c, String table, UUID id) throws SQLException {
    return update(c, "delete from " + table + " where id = ?", id) == 1;
  }

  /** Whether a row of the table other than {@code except} (null: none) has the name in env. */
  public static boolean nameTaken(Connection c, String table, String env, String name, UUID except)
      throws SQLException {
    return exists(
        c,
        "select 1 from "
            + table
            + " where environment = ? and name = ? and (?::uuid is null or id <> ?)",
        env,
        name,
        except,
        except);
  }

  /** A map as a JSON object (null as {}). */
  static String json(Map<String, Object> map) {
    try {
      return Json.mapper().writeValueAsString(map == null ? Map.of() : map);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot be written as JSON", e);
    }
  }

  /** A stored JSON object. */
  static Map<String, Object> map(String json) {
    try {
      return Json.mapper().readValue(json, new TypeReference<Map<String, Object>>() {});
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored value is not a JSON object", e);
    }
  }
}
