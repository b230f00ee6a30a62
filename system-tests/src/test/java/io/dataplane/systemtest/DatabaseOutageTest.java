package io.dataplane.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A service whose database goes away reports not-ready, and becomes ready again by itself when the
 * database comes back, without a restart.
 */
class DatabaseOutageTest {

  @ParameterizedTest
  @ValueSource(strings = {"orchestrator-service", "secrets-service"})
  void notReadyWhileTheDatabaseIsDownAndRecoversAlone(String service) throws Exception {
    String schema = service.replace("-service", "");
    try (TcpProxy db = new TcpProxy(5432);
        ServiceProcess svc =
            ServiceProcess.start(
                service,
                Map.of(
                    "QUARKUS_DATASOURCE_JDBC_URL",
                    "jdbc:postgresql://127.0.0.1:"
                        + db.port()
                        + "/"
                        + Platform.DATABASE
                        + "?currentSchema="
                        + schema
                        + "&connectTimeout=2&socketTimeout=10"))) {
      await("ready at start (log: " + svc.log + ")")
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> svc.status("/q/health/ready") == 200 || !svc.alive());
      assertThat(svc.alive()).as(svc.logTail()).isTrue();

      db.cut();
      await("not ready while the database is unreachable")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> svc.status("/q/health/ready") == 503);
      assertThat(svc.status("/q/health/live")).isEqualTo(200);

      db.resume();
      await("ready again once the database is back")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> svc.status("/q/health/ready") == 200);
    }
  }
}
