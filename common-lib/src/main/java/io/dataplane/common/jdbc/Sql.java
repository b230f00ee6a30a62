package io.dataplane.common.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One plain JDBC statement on the caller's connection (and so in its transaction): prepared, its
 * arguments bound in order as objects, run, its rows read.
 */
public final class Sql {

  /** Reads the current row. */
  @FunctionalInterface
  public interface Reader<T> {
    T read(ResultSet rs) throws SQLException;
  }

  private Sql() {}

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
    try (PreparedStatement ps = bind(c.prepareStatement(sql), args)) {
      return list(ps, reader);
    }
  }

  /** Runs the query and reads its first row. */
  public static <T> Optional<T> first(PreparedStatement ps, Reader<T> reader) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(reader.read(rs)) : Optional.empty();
    }
  }

  /** Runs the query, bound in order, and reads its first row. */
  public static <T> Optional<T> first(Connection c, String sql, Reader<T> reader, Object... args)
      throws SQLException {
    try (PreparedStatement ps = bind(c.prepareStatement(sql), args)) {
      return first(ps, reader);
    }
  }

  /** Whether the query, bound in order, returns a row. */
  public static boolean exists(Connection c, String sql, Object... args) throws SQLException {
    return first(c, sql, rs -> Boolean.TRUE, args).isPresent();
  }

  /** Runs the statement, bound in order; returns how many rows it changed. */
  public static int update(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = bind(c.prepareStatement(sql), args)) {
      return ps.executeUpdate();
    }
  }
}
