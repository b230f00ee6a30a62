package io.dataplane.filestore;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import java.util.UUID;

/** The behaviour suite on the local-directory backend. */
@QuarkusTest
@TestProfile(LocalBackendTest.Local.class)
class LocalBackendTest extends FilestoreBehaviourTest {

  public static class Local implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      // a fresh directory per run: the blob registry in the (persistent) database stays honest
      return Map.of(
          "dataplane.filestore.backend",
          "local",
          "dataplane.filestore.local.directory",
          "target/filestore-local/" + UUID.randomUUID());
    }
  }

  @Override
  protected String backend() {
    return "local";
  }
}
