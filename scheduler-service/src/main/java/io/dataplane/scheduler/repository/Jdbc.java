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
