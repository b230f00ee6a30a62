package io.dataplane.secrets;

import static io.dataplane.secrets.support.Api.api;
import static io.dataplane.secrets.support.Api.claims;
import static io.dataplane.secrets.support.Api.env;
import static io.dataplane.secrets.support.Api.grant;
import static io.dataplane.secrets.support.Api.put;
import static io.dataplane.secrets.support.Api.resolve;
import static io.dataplane.secrets.support.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** Values and tokens never reach the log, on the happy path or on any failure path. */
@QuarkusTest
class LogSecrecyTest {

  @Test
  void neitherValuesNorTokensAreLogged() {
    ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            String msg = r.getMessage();
            if (r.getParameters() != null && msg != null) {
              try {
                msg = String.format(msg, r.getParameters());
              } catch (RuntimeException e) {
                msg = msg + " " + List.of(r.getParameters());
              }
            }
            lines.add(msg + (r.getThrown() == null ? "" : " " + r.getThrown()));
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    capture.setLevel(Level.ALL);
    Logger root = Logger.getLogger("");
    root.addHandler(capture);
    String env = env("logs");
    String value = "log-secret-" + UUID.randomUUID();
    String token;
    try {
      put(env, "LOGGED", value).statusCode(200);
      put(env, "LOGGED", value).statusCode(200);
      grant(env, "LOGGED", List.of("etl"), List.of()).statusCode(200);
      token = token(claims(env, "etl", "default", UUID.randomUUID(), List.of("LOGGED")));
      resolve(token).statusCode(200);
      // failure paths: too large, bad name, undeclared, tampered token
      put(env, "LOGGED", value + "x".repeat(70_000)).statusCode(413);
      put(env, "1BAD", value).statusCode(400);
      resolve(Map.of("attemptToken", token, "names", List.of("OTHER"))).statusCode(403);
      resolve(token.substring(0, token.length() - 3) + "AAA").statusCode(403);
      api().delete("/api/v1/environments/{env}/secrets/LOGGED", env).then().statusCode(204);
    } finally {
      root.removeHandler(capture);
    }

    assertThat(lines).anyMatch(l -> l.contains(env)); // the capture did see this test's lines
    String secretPart = value.substring("log-secret-".length());
    String signature = token.substring(token.lastIndexOf('.') + 1);
    assertThat(lines).noneMatch(l -> l.contains(secretPart));
    assertThat(lines).noneMatch(l -> l.contains(signature));
  }
}
