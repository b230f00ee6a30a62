package io.dataplane.filestore.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import java.util.UUID;

/** Starts S3Mock for a test profile and points the S3 backend at it. */
public class S3MockResource implements QuarkusTestResourceLifecycleManager {

  private S3MockServer server;

  @Override
  public Map<String, String> start() {
    try {
      server = S3MockServer.start();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start S3Mock", e);
    }
    return Map.of(
        "dataplane.filestore.backend", "s3",
        "dataplane.filestore.s3.endpoint", server.endpoint(),
        "dataplane.filestore.s3.bucket", S3MockServer.BUCKET,
        // a fresh mock starts empty: a fresh prefix keeps the blob registry honest across runs
        "dataplane.filestore.s3.prefix", "run-" + UUID.randomUUID() + "/",
        "dataplane.filestore.s3.path-style", "true",
        "dataplane.filestore.s3.access-key-id", "test",
        "dataplane.filestore.s3.secret-access-key", "test");
  }

  @Override
  public void stop() {
    if (server != null) {
      server.close();
    }
  }
}
