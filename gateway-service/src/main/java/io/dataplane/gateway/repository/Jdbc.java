package io.dataplane.gateway.repository;

import io.agroal.api.AgroalDataSource;
import io.dataplane.common.jdbc.Sql;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.Optional;

/**
 * The gateway's SQL statements (audit log, API keys, role bindings, users, trigger requests), each
 * on a pooled connection of its own in autocommit: parameters bound in order ({@code null} as a
 * null string), rows read by common-lib's {@link Sql}, and a failure thrown as an {@link
 * IllegalStateException} that says what could not be done.
 */
@ApplicationScoped
public class Jdbc {

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
  public <T> List<T> list(String failure, String sql, Sql.Reader<T> row, Object... params) {
    return run(failure, sql, params, ps -> Sql.list(ps, row));
  }

  /** The first row of a query (or of a statement {@code returning} rows), if any. */
  public <T> Optional<T> first(String failure, String sql, Sql.Reader<T> row, Object... params) {
    return run(failure, sql, params, ps -> Sql.first(ps, row));
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
