package io.dataplane.gateway.health;

import io.agroal.api.AgroalDataSource;
import io.dataplane.common.health.SchemaCheck;
import io.dataplane.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while the service's own schema answers and is migrated. */
@Readiness
@ApplicationScoped
public class SchemaReadinessCheck implements HealthCheck {

  private final AgroalDataSource dataSource;
  private final GatewayConfig config;

  public SchemaReadinessCheck(AgroalDataSource dataSource, GatewayConfig config) {
    this.dataSource = dataSource;
    this.config = config;
  }

  @Override
  public HealthCheckResponse call() {
    return SchemaCheck.check(dataSource, config.schema());
  }
}
