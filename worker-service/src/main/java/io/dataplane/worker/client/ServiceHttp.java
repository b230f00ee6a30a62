package io.dataplane.worker.client;

import io.dataplane.common.rest.ServiceAuth;
import io.dataplane.worker.config.WorkerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;

/** The HTTP client the worker calls other services with, carrying the service token. */
@ApplicationScoped
public class ServiceHttp {

  private final HttpClient client;
  private final String token;
  private final Duration timeout;

  public ServiceHttp(WorkerConfig config) {
    this.timeout = config.httpTimeout();
    // the worker's own credential (DATAPLANE_SERVICE_TOKENS_WORKER): claim, resolve, bundles only
    this.token = ServiceAuth.outgoingToken();
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  public HttpClient client() {
    return client;
  }

  /** A request to {@code base + path} with the service token and the call timeout. */
  public HttpRequest.Builder request(String base, String path) {
    String b = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(b + path)).timeout(timeout);
    if (!token.isEmpty()) {
      builder.header("Authorization", "Bearer " + token);
    }
    return builder;
  }
}
