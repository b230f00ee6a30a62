package io.dataplane.filestore.support;

import static io.restassured.RestAssured.given;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import java.net.URI;
import java.util.UUID;

/** Calls to the service under test, with the service token. */
public final class Api {

  public static final String TOKEN = "test-service-token-0123456789";

  private Api() {}

  public static RequestSpecification api() {
    return given().header("Authorization", "Bearer " + TOKEN);
  }

  /** A name no other test (or earlier run) uses. */
  public static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 12);
  }

  public static URI base() {
    return URI.create(RestAssured.baseURI + ":" + RestAssured.port);
  }
}
