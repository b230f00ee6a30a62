package io.dataplane.common.health;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * Readiness of a service's own PostgreSQL schema: the database answers and the schema has been
 * migrated (its Flyway history has at least one successful row). Each service's {@code
 * health.SchemaReadinessCheck} is a {@code @Readiness} bean extending this with its data source and
 * configured schema.
 */
public abstract class SchemaCheck implements HealthCheck {

  private final DataSource dataSource;
  private final String schema;

  protected SchemaCheck(DataSource dataSource, String schema) {
    this.dataSource = dataSource;
    this.schema = schema;
  }

  @Override
  public HealthCheckResponse call() {
    return check(dataSource, schema);
  }

  public static HealthCheckResponse check(DataSource dataSource, String schema) {
    HealthCheckResponseBuilder b =
        HealthCheckResponse.named("postgres-schema").withData("schema", schema);
    if (!schema.matches("[a-z_][a-z0-9_]*")) {
      return b.down().withData("error", "invalid schema name").build();
    }
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.setQueryTimeout(3);
      try (ResultSet rs =
          s.executeQuery(
              "select max(version) from " + schema + ".flyway_schema_history where success")) {
        String version = rs.next() ? rs.getString(1) : null;
        return version == null
            ? b.down().withData("error", "schema not migrated").build()
            : b.up().withData("version", version).build();
      }
    } catch (SQLException e) {
      return b.down().withData("error", String.valueOf(e.getMessage())).build();
    }
  }
}
