package io.dataplane.gateway.repository;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The gateway's SQL statements (audit log, API keys, role bindings, users, trigger requests), each
 * on a pooled connection of its own in autocommit: parameters bound in order ({@code null} as a
 * null string), rows read by a {@link Row}, and a failure thrown as an {@link
 * IllegalStateException} that says what could not be done.
 */
@ApplicationScoped
public class Jdbc {

  /** Reads the current row of a result. */
  @FunctionalInterface
  public interface Row<T> {
    T read(ResultSet rs) throws SQLException;
  }

  @FunctionalInterface
  private interface Work<T> {
    T run(PreparedStatement ps) throws SQLException;
  }

  private final AgroalDataSource dataSource;

  public Jdbc(AgroalDataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Runs an insert, update or delete; returns how many rows it changed. */
  public int update(String failure, String sql, Object... params) {
    return run(failure, sql, params, PreparedStatement::executeUpdate);
  }

  /** The rows of a query (or of a statement {@code returning} rows). */
  public <T> List<T> list(String failure, String sql, Row<T> row, Object... params) {
    return query(
        failure,
        sql,
        params,
        rs -> {
          List<T> out = new ArrayList<>();
          while (rs.next()) {
            out.add(row.read(rs));
          }
          return out;
        });
  }

  /** The first row of a query (or of a statement {@code returning} rows), if any. */
  public <T> Optional<T> first(String failure, String sql, Row<T> row, Object... params) {
    return query(
        failure, sql, params, rs -> rs.next() ? Optional.of(row.read(rs)) : Optional.empty());
  }

  /** What {@code result} reads from the whole result of a query. */
  private <T> T query(String failure, String sql, Object[] params, Row<T> result) {
    return run(
        failure,
        sql,
        params,
        ps -> {
          try (ResultSet rs = ps.executeQuery()) {
            return result.read(rs);
          }
        });
  }

  private <T> T run(String failure, String sql, Object[] params, Work<T> work) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        if (params[i] == null) {
          ps.setNull(i + 1, Types.VARCHAR);
        } else {
          ps.setObject(i + 1, params[i]);
        }
      }
      return work.run(ps);
    } catch (SQLException e) {
      throw new IllegalStateException(failure, e);
    }
  }
}
