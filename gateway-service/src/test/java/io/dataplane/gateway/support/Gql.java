package io.dataplane.gateway.support;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Sends GraphQL requests as a user (Keycloak token), with an API key, or anonymously. */
public final class Gql {

  private final String authorization;
  private final String apiKey;

  private Gql(String authorization, String apiKey) {
    this.authorization = authorization;
    this.apiKey = apiKey;
  }

  public static Gql as(String user) {
    return new Gql("Bearer " + Tokens.of(user), null);
  }

  /** Sends requests with this bearer token. */
  public static Gql withToken(String token) {
    return new Gql("Bearer " + token, null);
  }

  public static Gql withKey(String key) {
    return new Gql(null, key);
  }

  public static Gql anonymous() {
    return new Gql(null, null);
  }

  public RequestSpecification spec() {
    RequestSpecification s = given();
    if (authorization != null) {
      s = s.header("Authorization", authorization);
    }
    if (apiKey != null) {
      s = s.header("X-Api-Key", apiKey);
    }
    return s;
  }

  public Response post(String query, Map<String, Object> variables) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("query", query);
    if (variables != null) {
      body.put("variables", variables);
    }
    return spec().contentType(ContentType.JSON).body(body).post("/graphql");
  }

  /** Runs a query and returns the body (HTTP 200 expected). */
  public JsonPath run(String query, Object... variables) {
    Map<String, Object> vars = new LinkedHashMap<>();
    for (int i = 0; i + 1 < variables.length; i += 2) {
      vars.put((String) variables[i], variables[i + 1]);
    }
    Response r = post(query, vars);
    r.then().statusCode(200);
    return r.jsonPath();
  }

  /** The error codes of a GraphQL answer (empty when it succeeded). */
  public static List<String> codes(JsonPath body) {
    List<String> codes = body.getList("errors.extensions.code");
    return codes == null ? List.of() : codes;
  }
}
