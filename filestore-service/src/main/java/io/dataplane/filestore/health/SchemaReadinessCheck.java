package io.dataplane.filestore.health;

import io.agroal.api.AgroalDataSource;
import io.dataplane.common.health.SchemaCheck;
import io.dataplane.filestore.config.FilestoreConfig;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while the service's own schema answers and is migrated. */
@Readiness
@Singleton
public class SchemaReadinessCheck extends SchemaCheck {

  SchemaReadinessCheck(AgroalDataSource dataSource, FilestoreConfig config) {
    super(dataSource, config.schema());
  }
}
