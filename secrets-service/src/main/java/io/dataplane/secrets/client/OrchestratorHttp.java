package io.dataplane.secrets.client;

import io.dataplane.common.rest.ServiceAuth;
import io.dataplane.secrets.config.SecretsConfig;
import io.quarkus.logging.Log;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** GET requests to the orchestrator, with this service's token. */
final class OrchestratorHttp {

  /** Reads an answer; null when the status says nothing (logged). */
  @FunctionalInterface
  interface Reading<T> {
    T read(HttpResponse<String> res) throws IOException;
  }

  private final SecretsConfig.Orchestrator config;
  private final HttpClient http;
  private final String serviceToken;

  OrchestratorHttp(SecretsConfig.Orchestrator config) {
    this.config = config;
    this.http = HttpClient.newBuilder().connectTimeout(config.timeout()).build();
    this.serviceToken = ServiceAuth.outgoingToken();
  }

  /**
   * GETs the path (from {@code /api}) and reads the answer; null when the orchestrator cannot be
   * reached or answers something else (logged, naming {@code what}).
   */
  <T> T get(String path, String what, Reading<T> reading) {
    String base = config.url().replaceAll("/+$", "");
    HttpRequest.Builder req =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(config.timeout())
            .header("Accept", "application/json")
            .GET();
    if (!serviceToken.isEmpty()) {
      req.header("Authorization", "Bearer " + serviceToken);
    }
    try {
      HttpResponse<String> res = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
      T answer = reading.read(res);
      if (answer != null) {
        return answer;
      }
      Log.warnf("orchestrator answered %d to %s", res.statusCode(), what);
    } catch (IOException e) {
      Log.warnf("orchestrator unreachable for %s: %s", what, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return null;
  }
}
