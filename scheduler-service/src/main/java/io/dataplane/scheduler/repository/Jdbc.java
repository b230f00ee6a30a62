package io.dataplane.scheduler.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.dataplane.common.jdbc.Sql;
import io.dataplane.common.json.Json;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;

/** Plain JDBC helpers of the scheduler's tables (one statement: {@link Sql}). */
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

  private Jdbc() {}

  /** Deletes the row of that id; false when there was none. */
  public static boolean delete(Connection c, String table, UUID id) throws SQLException {
    return Sql.update(c, "delete from " + table + " where id = ?", id) == 1;
  }

  /** Whether a row of the table other than {@code except} (null: none) has the name in env. */
  public static boolean nameTaken(Connection c, String table, String env, String name, UUID except)
      throws SQLException {
    return Sql.exists(
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
