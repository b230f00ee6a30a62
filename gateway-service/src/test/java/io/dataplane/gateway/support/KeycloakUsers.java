package io.dataplane.gateway.support;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Users made for one test in the local Keycloak (admin API, local admin {@code kcadmin}), so that a
 * test can change what the identity provider says about a person: their realm roles.
 */
public final class KeycloakUsers {

  private static final String BASE = "http://127.0.0.1:8180";
  private static final String REALM = BASE + "/admin/realms/dataplane";

  private KeycloakUsers() {}

  private static String adminToken() {
    return given()
        .contentType("application/x-www-form-urlencoded")
        .formParam("grant_type", "password")
        .formParam("client_id", "admin-cli")
        .formParam("username", "kcadmin")
        .formParam("password", "kcadmin")
        .post(BASE + "/realms/master/protocol/openid-connect/token")
        .then()
        .statusCode(200)
        .extract()
        .path("access_token");
  }

  /** Creates a user (password = user name) and returns their Keycloak id (the token's sub). */
  public static String create(String username) {
    String location =
        given()
            .auth()
            .oauth2(adminToken())
            .contentType(ContentType.JSON)
            .body(
                Map.of(
                    "username",
                    username,
                    "enabled",
                    true,
                    "emailVerified",
                    true,
                    "firstName",
                    "Test",
                    "lastName",
                    "User",
                    "email",
                    username + "@dataplane.local",
                    "credentials",
                    List.of(Map.of("type", "password", "value", username, "temporary", false))))
            .post(REALM + "/users")
            .then()
            .statusCode(201)
            .extract()
            .header("Location");
    return location.substring(location.lastIndexOf('/') + 1);
  }

  public static void delete(String id) {
    given().auth().oauth2(adminToken()).delete(REALM + "/users/" + id);
  }

  /** Gives ({@code grant}) or takes away a realm role. */
  public static void realmRole(String id, String role, boolean grant) {
    String token = adminToken();
    Map<String, Object> rep =
        given()
            .auth()
            .oauth2(token)
            .get(REALM + "/roles/" + role)
            .then()
            .statusCode(200)
            .extract()
            .as(Map.class);
    var req = given().auth().oauth2(token).contentType(ContentType.JSON).body(List.of(rep));
    String url = REALM + "/users/" + id + "/role-mappings/realm";
    (grant ? req.post(url) : req.delete(url)).then().statusCode(204);
  }

  /** A fresh access token (never cached: each call is a new sign-in). */
  public static String signIn(String username) {
    return given()
        .contentType("application/x-www-form-urlencoded")
        .formParam("grant_type", "password")
        .formParam("client_id", "dataplane-cli")
        .formParam("username", username)
        .formParam("password", username)
        .post(Tokens.TOKEN_URL)
        .then()
        .statusCode(200)
        .extract()
        .path("access_token");
  }

  /** The subject ({@code sub}) of an access token. */
  public static String subjectOf(String token) {
    String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
    return io.restassured.path.json.JsonPath.from(payload).getString("sub");
  }
}
