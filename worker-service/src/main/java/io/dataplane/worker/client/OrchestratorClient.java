package io.dataplane.worker.client;

import io.dataplane.common.json.Json;
import io.dataplane.worker.config.WorkerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;

/** Claims attempts at orchestrator-service before they start. */
@ApplicationScoped
public class OrchestratorClient {

  private final ServiceHttp http;
  private final String base;

  public OrchestratorClient(ServiceHttp http, WorkerConfig config) {
    this.http = http;
    this.base = config.orchestratorUrl();
  }

  /**
   * Claims {@code (taskRunId, attempt)} for this worker. {@code claimId} names the claim: asked
   * again with the same id after its answer was lost (the orchestrator stopped after committing
   * it), the orchestrator answers it again instead of refusing it.
   *
   * @return true when claimed, false when the orchestrator refused (409: claimed already, or no
   *     longer the current attempt)
   * @throws IOException when the orchestrator could not be asked (retry later)
   */
  public boolean claim(UUID taskRunId, int attempt, String workerId, UUID claimId)
      throws IOException {
    byte[] body =
        Json.mapper()
            .writeValueAsBytes(
                Map.of(
                    "taskRunId",
                    taskRunId,
                    "attempt",
                    attempt,
                    "workerId",
                    workerId,
                    "claimId",
                    claimId));
    HttpRequest request =
        http.request(base, "/api/v1/attempts/claim")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    HttpResponse<String> response;
    try {
      response = http.client().send(request, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while claiming", e);
    }
    int status = response.statusCode();
    if (status == 200 || status == 201) {
      return true;
    }
    if (status == 409 || status == 404) {
      return false;
    }
    throw new IOException("claim answered HTTP " + status);
  }
}
