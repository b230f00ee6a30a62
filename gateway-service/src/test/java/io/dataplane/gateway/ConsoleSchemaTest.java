package io.dataplane.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.dataplane.gateway.support.BackendStubResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The console's copy of the schema ({@code src/main/webui/schema.graphql}, which GraphQL Code
 * Generator checks the console's operations against during the build) is the schema the gateway
 * serves. Run with {@code -Ddataplane.console.update-schema=true} to write the served one there.
 */
@QuarkusTest
@QuarkusTestResource(BackendStubResource.class)
class ConsoleSchemaTest {

  private static final Path COPY = Path.of("src/main/webui/schema.graphql");

  @Test
  void theConsolesSchemaIsTheServedOne() throws Exception {
    String served =
        given().get("/graphql/schema.graphql").then().statusCode(200).extract().asString();
    if (Boolean.getBoolean("dataplane.console.update-schema")) {
      Files.writeString(COPY, served);
    }
    assertThat(Files.readString(COPY))
        .as(
            "src/main/webui/schema.graphql is stale: run ConsoleSchemaTest with"
                + " -Ddataplane.console.update-schema=true, then rebuild the console")
        .isEqualTo(served);
  }
}
