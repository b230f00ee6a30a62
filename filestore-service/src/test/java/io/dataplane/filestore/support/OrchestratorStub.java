package io.dataplane.filestore.support;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for orchestrator-service's {@code GET /api/v1/environments/{env}}: environments whose
 * name starts with {@code known-} exist; it insists on the service token.
 */
public class OrchestratorStub implements QuarkusTestResourceLifecycleManager {

  public static final AtomicInteger CALLS = new AtomicInteger();
  private HttpServer server;

  @Override
  public Map<String, String> start() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    server.createContext(
        "/api/v1/environments/",
        exchange -> {
          CALLS.incrementAndGet();
          String env =
              exchange.getRequestURI().getPath().substring("/api/v1/environments/".length());
          String auth = exchange.getRequestHeaders().getFirst("Authorization");
          int status =
              !("Bearer test-filestore-token-0123456789").equals(auth)
                  ? 401
                  : env.startsWith("known-") ? 200 : 404;
          byte[] body = ("{\"name\":\"" + env + "\"}").getBytes();
          exchange.sendResponseHeaders(status, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    return Map.of(
        "dataplane.filestore.orchestrator-url",
        "http://127.0.0.1:" + server.getAddress().getPort());
  }

  @Override
  public void stop() {
    if (server != null) {
      server.stop(0);
    }
  }
}
