package io.dataplane.filestore.service;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** Plain JDBC transactions of the services. */
final class Transactions {

  /** Work inside one transaction. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private Transactions() {}

  /**
   * Runs the work in one transaction: commits when it returns, rolls back when it throws. A failure
   * of the database is an IllegalStateException with the message {@code failure}.
   */
  static <T> T inTransaction(DataSource dataSource, String failure, Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(failure, e);
    }
  }
}
