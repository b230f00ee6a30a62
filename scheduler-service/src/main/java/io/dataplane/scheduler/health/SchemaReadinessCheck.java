package io.dataplane.scheduler.health;

import io.agroal.api.AgroalDataSource;
import io.dataplane.common.health.SchemaCheck;
import io.dataplane.scheduler.config.SchedulerConfig;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while the service's own schema answers and is migrated. */
@Readiness
@Singleton
public class SchemaReadinessCheck extends SchemaCheck {

  SchemaReadinessCheck(AgroalDataSource dataSource, SchedulerConfig config) {
    super(dataSource, config.schema());
  }
}
