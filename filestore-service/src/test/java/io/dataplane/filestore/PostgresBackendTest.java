package io.dataplane.filestore;

import io.quarkus.test.junit.QuarkusTest;

/** The behaviour suite on the PostgreSQL backend (the default). */
@QuarkusTest
class PostgresBackendTest extends FilestoreBehaviourTest {
  @Override
  protected String backend() {
    return "postgres";
  }
}
