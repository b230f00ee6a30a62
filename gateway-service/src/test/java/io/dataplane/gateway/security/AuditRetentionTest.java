package io.dataplane.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.dataplane.gateway.audit.AuditRetention;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The audit log keeps its retention (365 days by default): older entries are swept away. */
@QuarkusTest
class AuditRetentionTest {

  @Inject AgroalDataSource dataSource;
  @Inject AuditRetention retention;

  private void insert(String actor, String age) throws Exception {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "insert into audit_log (at, actor, action, outcome) values"
                    + " (now() - ?::interval, ?, 'test', 'OK')")) {
      ps.setString(1, age);
      ps.setString(2, actor);
      ps.executeUpdate();
    }
  }

  private int count(String actor) throws Exception {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("select count(*) from audit_log where actor = ?")) {
      ps.setString(1, actor);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  @Test
  void entriesPastTheRetentionAreSweptAndNewerOnesStay() throws Exception {
    String old = "old-" + UUID.randomUUID();
    String recent = "recent-" + UUID.randomUUID();
    insert(old, "400 days");
    insert(recent, "300 days");
    assertThat(retention.sweep()).isGreaterThanOrEqualTo(1);
    assertThat(count(old)).isZero();
    assertThat(count(recent)).isEqualTo(1);
  }
}
