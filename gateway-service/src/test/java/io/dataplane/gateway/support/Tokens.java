package io.dataplane.gateway.support;

import static io.restassured.RestAssured.given;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Real access tokens from the local Keycloak (password grant on the public client {@code
 * dataplane-cli}; users admin, alice and bob with their names as passwords), cached until shortly
 * before they expire.
 */
public final class Tokens {

  public static final String TOKEN_URL =
      "http://127.0.0.1:8180/realms/dataplane/protocol/openid-connect/token";

  private record Cached(String token, Instant expires) {}

  private static final Map<String, Cached> CACHE = new ConcurrentHashMap<>();

  private Tokens() {}

  public static String of(String user) {
    Cached c = CACHE.get(user);
    if (c != null && Instant.now().isBefore(c.expires())) {
      return c.token();
    }
    var response =
        given()
            .contentType("application/x-www-form-urlencoded")
            .formParam("grant_type", "password")
            .formParam("client_id", "dataplane-cli")
            .formParam("username", user)
            .formParam("password", user)
            .post(TOKEN_URL)
            .then()
            .statusCode(200)
            .extract();
    String token = response.path("access_token");
    int expiresIn = response.path("expires_in");
    CACHE.put(user, new Cached(token, Instant.now().plusSeconds(Math.max(10, expiresIn - 60))));
    return token;
  }
}
