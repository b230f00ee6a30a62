package io.dataplane.filestore;

import io.dataplane.filestore.support.S3MockResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.List;

/** The behaviour suite on the S3 backend, against Adobe S3Mock started for the test. */
@QuarkusTest
@TestProfile(S3BackendTest.S3.class)
class S3BackendTest extends FilestoreBehaviourTest {

  public static class S3 implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(new TestResourceEntry(S3MockResource.class));
    }
  }

  @Override
  protected String backend() {
    return "s3";
  }
}
