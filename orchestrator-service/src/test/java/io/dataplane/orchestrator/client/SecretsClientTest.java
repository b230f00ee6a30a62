package io.dataplane.orchestrator.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.dataplane.common.error.DataplaneException;
import io.dataplane.orchestrator.dag.DefinitionReader;
import io.dataplane.orchestrator.dag.PipelineDefinition;
import io.dataplane.orchestrator.service.PipelineService;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SecretsClientTest {

  @Test
  void listsTheTargetsSecretNamesWithTheServiceToken() throws Exception {
    AtomicReference<String> auth = new AtomicReference<>();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/api/v1/environments/",
        ex -> {
          auth.set(ex.getRequestHeaders().getFirst("Authorization"));
          boolean known = ex.getRequestURI().getPath().contains("/prod/");
          byte[] body =
              (known ? "[{\"name\":\"DB_PASSWORD\",\"version\":2},{\"name\":\"API_KEY\"}]" : "{}")
                  .getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(known ? 200 : 404, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    server.start();
    try {
      SecretsClient c =
          new SecretsClient("http://127.0.0.1:" + server.getAddress().getPort(), "tok");
      assertThat(c.secretNames("prod")).containsExactlyInAnyOrder("DB_PASSWORD", "API_KEY");
      assertThat(auth.get()).isEqualTo("Bearer tok");
      assertThat(c.secretNames("other")).isEmpty();
    } finally {
      server.stop(0);
    }
    SecretsClient down = new SecretsClient("http://127.0.0.1:1", "tok");
    assertThatThrownBy(() -> down.secretNames("prod"))
        .isInstanceOf(DataplaneException.class)
        .extracting(e -> ((DataplaneException) e).httpStatus())
        .isEqualTo(503);
  }

  @Test
  void missingSecretsAreNamedPerTask() {
    PipelineDefinition d =
        DefinitionReader.read(
                "tasks: [{key: a, runtime: bash, script: x, secrets: [DB_PASSWORD, TOKEN]}]",
                true,
                "p",
                null)
            .definition();
    assertThat(PipelineService.missingSecrets(d, Set.of("DB_PASSWORD"), "prod"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.path()).isEqualTo("tasks.a.secrets");
              assertThat(e.code()).isEqualTo("UNKNOWN_SECRET");
              assertThat(e.message()).contains("TOKEN");
            });
    assertThat(PipelineService.missingSecrets(d, Set.of("DB_PASSWORD", "TOKEN"), "prod"))
        .isEqualTo(List.of());
  }
}
