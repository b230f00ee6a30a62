package io.dataplane.scheduler.repository;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A repository of the scheduler's schema that takes its connections and transactions from {@link
 * ScheduleRepository} (so that its work can join a transaction of the others).
 */
public interface SchedulerTables {

  ScheduleRepository schedules();

  default Connection connection() throws SQLException {
    return schedules().connection();
  }

  default <T> T inTransaction(Jdbc.Work<T> work) throws SQLException {
    return schedules().inTransaction(work);
  }

  default void inTransaction(Jdbc.Step step) throws SQLException {
    schedules().inTransaction(step);
  }
}
