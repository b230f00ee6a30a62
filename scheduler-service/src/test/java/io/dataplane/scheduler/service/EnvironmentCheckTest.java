package io.dataplane.scheduler.service;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.dataplane.common.error.DataplaneException;
import io.dataplane.scheduler.TestConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/** The environment check asks the orchestrator, with the service token, and caches a yes. */
class EnvironmentCheckTest {

  @Test
  void asksTheOrchestrator() throws Exception {
    List<String> auth = new CopyOnWriteArrayList<>();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/api/v1/environments/",
        x -> {
          auth.add(x.getRequestHeaders().getFirst("Authorization"));
          int status = x.getRequestURI().getPath().endsWith("/dev") ? 200 : 404;
          x.sendResponseHeaders(status, -1);
          x.close();
        });
    server.start();
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort();
      EnvironmentCheck check =
          new EnvironmentCheck(
              new TestConfig("s", "i", Duration.ofSeconds(1), Optional.of(url)),
              Optional.of("the-token-0123456789"));
      assertThatCode(() -> check.requireExists("dev")).doesNotThrowAnyException();
      assertThatCode(() -> check.requireExists("dev")).doesNotThrowAnyException();
      Assertions.assertThat(auth).hasSize(1).containsOnly("Bearer the-token-0123456789");
      assertThatThrownBy(() -> check.requireExists("nope"))
          .isInstanceOfSatisfying(
              DataplaneException.class, e -> Assertions.assertThat(e.code()).isEqualTo("NOT_FOUND"))
          .hasMessage("environment nope not found");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void anUnreachableOrchestratorIsUnavailableAndNoUrlMeansNoCheck() {
    EnvironmentCheck down =
        new EnvironmentCheck(
            new TestConfig("s", "i", Duration.ofSeconds(1), Optional.of("http://127.0.0.1:1")),
            Optional.empty());
    assertThatThrownBy(() -> down.requireExists("dev"))
        .isInstanceOfSatisfying(
            DataplaneException.class,
            e -> Assertions.assertThat(e.code()).isEqualTo("UNAVAILABLE"));
    EnvironmentCheck off =
        new EnvironmentCheck(
            new TestConfig("s", "i", Duration.ofSeconds(1), Optional.empty()), Optional.empty());
    assertThatCode(() -> off.requireExists("anything")).doesNotThrowAnyException();
  }
}
