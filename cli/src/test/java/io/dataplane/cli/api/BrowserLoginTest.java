package io.dataplane.cli.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class BrowserLoginTest {

  final List<String> warnings = new CopyOnWriteArrayList<>();
  final HttpClient http = HttpClient.newHttpClient();

  BrowserLogin start() throws IOException {
    return BrowserLogin.start(
        "http://idp.example/auth", "dataplane-cli", "openid", "http://idp.example/", warnings::add);
  }

  static Map<String, String> params(String url) {
    Map<String, String> m = new HashMap<>();
    for (String kv : URI.create(url).getRawQuery().split("&")) {
      String[] p = kv.split("=", 2);
      m.put(p[0], URLDecoder.decode(p[1], StandardCharsets.UTF_8));
    }
    return m;
  }

  HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theAuthorizationUrlAsksForACodeWithPkceAndALoopbackRedirect() throws Exception {
    try (BrowserLogin login = start()) {
      Map<String, String> p = params(login.authorizationUrl());
      assertThat(p)
          .containsEntry("response_type", "code")
          .containsEntry("client_id", "dataplane-cli")
          .containsEntry("code_challenge_method", "S256")
          .containsEntry("code_challenge", BrowserLogin.challenge(login.codeVerifier()))
          .containsEntry("redirect_uri", login.redirectUri());
      assertThat(login.redirectUri()).matches("http://127\\.0\\.0\\.1:\\d+/callback");
      assertThat(p.get("state")).hasSizeGreaterThanOrEqualTo(40);
      assertThat(login.codeVerifier()).hasSizeBetween(43, 128);
    }
  }

  @Test
  void aCallbackWithAnotherStateIsRefusedAndTheRightOneIsTakenOnce() throws Exception {
    try (BrowserLogin login = start()) {
      String state = params(login.authorizationUrl()).get("state");
      HttpResponse<String> forged = get(login.redirectUri() + "?state=forged&code=stolen");
      assertThat(forged.statusCode()).isEqualTo(400);
      assertThat(forged.body()).contains("Refused");
      assertThat(get(login.redirectUri() + "?code=stolen").statusCode()).isEqualTo(400);
      assertThat(warnings).anyMatch(w -> w.contains("wrong state"));

      HttpResponse<String> ok =
          get(
              login.redirectUri()
                  + "?state="
                  + state
                  + "&code=the-code&iss=http%3A%2F%2Fidp.example");
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(login.awaitCode(Duration.ofSeconds(5))).isEqualTo("the-code");
      assertThat(get(login.redirectUri() + "?state=" + state + "&code=again").statusCode())
          .isEqualTo(400);
      assertThat(login.awaitCode(Duration.ofSeconds(5))).isEqualTo("the-code");
    }
  }

  @Test
  void anAnswerOfAnotherIssuerOrAnErrorFailsTheLogin() throws Exception {
    try (BrowserLogin login = start()) {
      String state = params(login.authorizationUrl()).get("state");
      assertThat(
              get(login.redirectUri() + "?state=" + state + "&code=c&iss=https%3A%2F%2Fevil")
                  .statusCode())
          .isEqualTo(400);
      assertThatThrownBy(() -> login.awaitCode(Duration.ofSeconds(5)))
          .hasMessageContaining("names the issuer https://evil");
    }
    try (BrowserLogin login = start()) {
      String state = params(login.authorizationUrl()).get("state");
      get(login.redirectUri() + "?state=" + state + "&error=access_denied");
      assertThatThrownBy(() -> login.awaitCode(Duration.ofSeconds(5)))
          .hasMessageContaining("sign-in failed: access_denied");
    }
  }

  @Test
  void noAnswerInTimeSaysWhatToDo() throws Exception {
    try (BrowserLogin login = start()) {
      assertThatThrownBy(() -> login.awaitCode(Duration.ofMillis(200)))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("run dataplane login again");
    }
  }
}
