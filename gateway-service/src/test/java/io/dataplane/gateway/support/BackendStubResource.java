package io.dataplane.gateway.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Starts the {@link BackendStub} and points all four REST clients of the gateway at it. */
public class BackendStubResource implements QuarkusTestResourceLifecycleManager {

  private BackendStub stub;

  @Override
  public Map<String, String> start() {
    try {
      stub = BackendStub.start();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    String url = stub.url();
    return Map.of(
        "quarkus.rest-client.orchestrator.url", url,
        "quarkus.rest-client.scheduler.url", url,
        "quarkus.rest-client.secrets.url", url,
        "quarkus.rest-client.filestore.url", url,
        "dataplane.test.stub-url", url);
  }

  @Override
  public void stop() {
    if (stub != null) {
      stub.stop();
    }
  }
}
