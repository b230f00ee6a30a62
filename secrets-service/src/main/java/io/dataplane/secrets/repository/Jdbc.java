package io.dataplane.secrets.repository;

import io.dataplane.common.jdbc.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;

/** Plain JDBC transactions: commit when the work returns, roll back when it throws. */
public final class Jdbc {

  /** Work inside one transaction. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  /** A database failure outside any business rule (answered as 500 / logged). */
  public static final class DataAccessException extends RuntimeException {
    public DataAccessException(String message, SQLException cause) {
      super(message, cause);
    }
  }

  private Jdbc() {}

  public static <T> T inTransaction(DataSource dataSource, Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException | Error e) {
        rollbackQuietly(c);
        throw e;
      }
    } catch (SQLException e) {
      throw new DataAccessException("database call failed: " + e.getSQLState(), e);
    }
  }

  /** A two-column query, bound in order, as a map in row order: first column to second. */
  public static <V> Map<String, V> map(
      Connection c, String sql, Sql.Reader<V> value, Object... args) throws SQLException {
    Map<String, V> out = new LinkedHashMap<>();
    try (PreparedStatement ps = Sql.bind(c.prepareStatement(sql), args);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.put(rs.getString(1), value.read(rs));
      }
    }
    return out;
  }

  /** What went wrong, in the database's words, without the statement or its parameters. */
  public static String reason(DataAccessException e) {
    SQLException cause = (SQLException) e.getCause();
    SQLException last = cause;
    while (last.getNextException() != null) {
      last = last.getNextException();
    }
    String message =
        last == cause && cause instanceof java.sql.BatchUpdateException ? "" : last.getMessage();
    if (last instanceof org.postgresql.util.PSQLException p && p.getServerErrorMessage() != null) {
      message = p.getServerErrorMessage().getMessage();
    }
    return "SQLState "
        + cause.getSQLState()
        + (message == null || message.isEmpty() ? "" : ": " + message);
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // the connection is broken; the pool discards it
    }
  }
}
