package io.dataplane.gateway.console;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.dataplane.gateway.support.BackendStubResource;
import io.dataplane.gateway.support.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.config.RedirectConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The console's sign-in through Keycloak's real login form (authorization code with PKCE), its
 * session cookie, the CSRF guard on calls riding on it, sign-out, and the security headers.
 */
@QuarkusTest
@QuarkusTestResource(BackendStubResource.class)
class ConsoleSignInTest {

  private static final String ME = "{\"query\":\"{ me { name } }\"}";

  private static RequestSpecification noRedirects() {
    // URLs from Location headers are already encoded: sent as they are
    return given()
        .urlEncodingEnabled(false)
        .config(
            RestAssuredConfig.config()
                .redirect(RedirectConfig.redirectConfig().followRedirects(false)));
  }

  @Test
  void everyAnswerCarriesTheSecurityHeaders() {
    // Quinoa does not serve the console under @QuarkusTest: the headers are the server's, on any
    // answer (the console's index.html included)
    given()
        .get("/q/health/live")
        .then()
        .statusCode(200)
        .header("X-Frame-Options", "DENY")
        .header("X-Content-Type-Options", "nosniff")
        .header("Referrer-Policy", "same-origin")
        .header("Content-Security-Policy", containsString("script-src 'self';"))
        .header("Content-Security-Policy", containsString("frame-ancestors 'none'"));
  }

  @Test
  void signInIsTheAuthorizationCodeFlowWithPkce() {
    String location =
        noRedirects()
            .get("/auth/login?to=/runs")
            .then()
            .statusCode(302)
            .extract()
            .header("Location");
    assertThat(location)
        .startsWith("http://127.0.0.1:8180/realms/dataplane/protocol/openid-connect/auth")
        .contains("client_id=dataplane-console")
        .contains("code_challenge_method=S256")
        .contains("code_challenge=")
        .contains("response_type=code");
  }

  @Test
  void aliceSignsInOnKeycloaksPageAndReturnsToHerPage() {
    Map<String, String> session = signIn("alice", "alice", "/runs?state=FAILED");

    // the session works for the API only with the console's header (CSRF)
    given()
        .cookies(session)
        .header("X-Requested-With", "JavaScript")
        .contentType("application/json")
        .body(ME)
        .post("/graphql")
        .then()
        .statusCode(200)
        .body("data.me.name", equalTo("alice"));
    given()
        .cookies(session)
        .contentType("application/json")
        .body(ME)
        .post("/graphql")
        .then()
        .statusCode(403)
        .body("code", equalTo("FORBIDDEN"));
    // a page of another site that sends the header still fails on its Origin
    given()
        .cookies(session)
        .header("X-Requested-With", "JavaScript")
        .header("Origin", "http://evil.example")
        .contentType("application/json")
        .body(ME)
        .post("/graphql")
        .then()
        .statusCode(403);

    // sign-out ends the provider's session too (RP-initiated logout)
    String logout =
        noRedirects()
            .cookies(session)
            .get("/auth/logout")
            .then()
            .statusCode(302)
            .extract()
            .header("Location");
    assertThat(logout)
        .startsWith("http://127.0.0.1:8180/realms/dataplane/protocol/openid-connect/logout")
        .contains("id_token_hint=");
  }

  @Test
  void scriptsKeepTheirBearerTokensAndA401() {
    given()
        .header("Authorization", "Bearer " + Tokens.of("alice"))
        .contentType("application/json")
        .body(ME)
        .post("/graphql")
        .then()
        .statusCode(200)
        .body("data.me.name", equalTo("alice"));
    noRedirects().contentType("application/json").body(ME).post("/graphql").then().statusCode(401);
  }

  @Test
  void aForgedOrBrokenSessionCookieIsNotASignIn() {
    noRedirects()
        .cookie(ConsoleTenantResolver.SESSION_COOKIE, "forged")
        .header("X-Requested-With", "JavaScript")
        .contentType("application/json")
        .body(ME)
        .post("/graphql")
        .then()
        .statusCode(not(200));
  }

  @Test
  void signInNeverSendsSomeoneToAnotherSite() {
    assertThat(ConsoleAuthResource.safeTarget("//evil.example/x")).isEqualTo("/");
    assertThat(ConsoleAuthResource.safeTarget("https://evil.example")).isEqualTo("/");
    assertThat(ConsoleAuthResource.safeTarget("/\\evil.example")).isEqualTo("/");
    assertThat(ConsoleAuthResource.safeTarget("/runs/1?x=1")).isEqualTo("/runs/1?x=1");
  }

  /** Keycloak's real login form, then back through the callback; returns the gateway's cookies. */
  static Map<String, String> signIn(String user, String password, String page) {
    Map<String, String> gateway = new HashMap<>();
    Response start = noRedirects().get("/auth/login?to=" + page);
    gateway.putAll(start.getCookies());
    String auth = start.header("Location");
    Response form = noRedirects().get(auth);
    Matcher m = Pattern.compile("action=\"([^\"]+)\"").matcher(form.asString());
    assertThat(m.find()).as("Keycloak's login form").isTrue();
    String action = m.group(1).replace("&amp;", "&");
    String callback =
        noRedirects()
            .cookies(form.getCookies())
            .contentType("application/x-www-form-urlencoded")
            .formParams("username", user, "password", password, "credentialId", "")
            .post(action)
            .then()
            .statusCode(302)
            .extract()
            .header("Location");
    assertThat(callback).contains("/auth/callback").contains("code=");
    Response back = noRedirects().cookies(gateway).get(URI.create(callback).toString());
    back.then().statusCode(302);
    gateway.putAll(back.getCookies());
    assertThat(back.getDetailedCookie(ConsoleTenantResolver.SESSION_COOKIE).isHttpOnly()).isTrue();
    assertThat(back.getDetailedCookie(ConsoleTenantResolver.SESSION_COOKIE).getSameSite())
        .isEqualToIgnoringCase("Lax");
    // the callback restores the page asked for: /auth/login?to=..., which sends on to it
    String restored = back.header("Location");
    assertThat(restored).contains("/auth/login");
    String target =
        noRedirects()
            .cookies(gateway)
            .get(URI.create(restored).getRawPath() + "?" + URI.create(restored).getRawQuery())
            .then()
            .statusCode(303)
            .extract()
            .header("Location");
    assertThat(URI.create(target).getPath() + "?" + URI.create(target).getQuery()).isEqualTo(page);
    return gateway;
  }
}
