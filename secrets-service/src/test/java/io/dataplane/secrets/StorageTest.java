package io.dataplane.secrets;

import static io.dataplane.secrets.support.Api.claims;
import static io.dataplane.secrets.support.Api.env;
import static io.dataplane.secrets.support.Api.grant;
import static io.dataplane.secrets.support.Api.put;
import static io.dataplane.secrets.support.Api.resolve;
import static io.dataplane.secrets.support.Api.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.dataplane.secrets.support.Api;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What the database holds, looked at from underneath the service. */
@QuarkusTest
class StorageTest {

  @Test
  void aDumpOfTheTablesHoldsNoValueInAnyEncoding() throws Exception {
    String env = env("dump");
    String value = "Pa$$ w0rd/" + UUID.randomUUID() + "?&é=+";
    put(env, "DUMPED", value).statusCode(200);
    put(env, "DUMPED", value).statusCode(200); // twice: two versions, two data keys
    grant(env, "DUMPED", List.of("etl"), List.of()).statusCode(200);
    resolve(token(claims(env, "etl", "default", UUID.randomUUID(), List.of("DUMPED"))))
        .statusCode(200)
        .body("values.DUMPED", equalTo(value));

    String dump = dumpSchema();
    assertThat(dump).contains(env); // the dump does cover this test's rows

    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    List<String> forms = new ArrayList<>();
    forms.add(value);
    forms.add(Base64.getEncoder().encodeToString(bytes));
    forms.add(Base64.getEncoder().withoutPadding().encodeToString(bytes));
    forms.add(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    forms.add(HexFormat.of().formatHex(bytes));
    forms.add(HexFormat.of().formatHex(bytes).toUpperCase(Locale.ROOT));
    forms.add(URLEncoder.encode(value, StandardCharsets.UTF_8));
    forms.add(URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20"));
    // a distinctive inner part, in case a form is split or re-encoded around the edges
    forms.add(value.substring(10, 46));
    for (String form : forms) {
      assertThat(dump).as("dump contains the value as " + form).doesNotContain(form);
    }
  }

  @Test
  void aCiphertextCopiedOntoAnotherSecretsRowDoesNotDecrypt() throws Exception {
    String env = env("copy");
    put(env, "SOURCE", "the-source-value").statusCode(200);
    put(env, "TARGET", "the-target-value").statusCode(200);
    grant(env, "SOURCE", List.of("etl"), List.of()).statusCode(200);
    grant(env, "TARGET", List.of("etl"), List.of()).statusCode(200);
    double failuresBefore = decryptionFailures();

    try (Connection c = Api.db();
        PreparedStatement ps =
            c.prepareStatement(
                "update secret_version t set ciphertext = s.ciphertext,"
                    + " wrapped_key = s.wrapped_key, master_key_version = s.master_key_version"
                    + " from secret_version s, secret ss, secret ts"
                    + " where ss.id = s.secret_id and ts.id = t.secret_id"
                    + " and ss.environment = ? and ss.name = 'SOURCE'"
                    + " and ts.environment = ? and ts.name = 'TARGET'")) {
      ps.setString(1, env);
      ps.setString(2, env);
      assertThat(ps.executeUpdate()).isEqualTo(1);
    }

    resolve(token(claims(env, "etl", "default", UUID.randomUUID(), List.of("TARGET"))))
        .statusCode(500)
        .body("code", equalTo("DECRYPTION_FAILED"))
        .body("message", containsString("TARGET"))
        .body(org.hamcrest.Matchers.not(containsString("the-source-value")));
    assertThat(decryptionFailures()).isGreaterThan(failuresBefore);
    // the genuine row still opens
    resolve(token(claims(env, "etl", "default", UUID.randomUUID(), List.of("SOURCE"))))
        .statusCode(200)
        .body("values.SOURCE", equalTo("the-source-value"));
    // the broken secret is destroyed rather than left behind for later tests
    Api.api().delete("/api/v1/environments/{env}/secrets/TARGET", env).then().statusCode(204);
  }

  @Test
  void onlyTheValueIsCopiedNotTheDataKey() throws Exception {
    // a sealed value moved under another row's genuine data key fails too
    String env = env("swap");
    put(env, "A", "value-a").statusCode(200);
    put(env, "B", "value-b").statusCode(200);
    grant(env, "B", List.of("etl"), List.of()).statusCode(200);
    try (Connection c = Api.db();
        PreparedStatement ps =
            c.prepareStatement(
                "update secret_version t set ciphertext = s.ciphertext"
                    + " from secret_version s, secret ss, secret ts"
                    + " where ss.id = s.secret_id and ts.id = t.secret_id"
                    + " and ss.environment = ? and ss.name = 'A'"
                    + " and ts.environment = ? and ts.name = 'B'")) {
      ps.setString(1, env);
      ps.setString(2, env);
      assertThat(ps.executeUpdate()).isEqualTo(1);
    }
    resolve(token(claims(env, "etl", "default", UUID.randomUUID(), List.of("B"))))
        .statusCode(500)
        .body("code", equalTo("DECRYPTION_FAILED"));
    Api.api().delete("/api/v1/environments/{env}/secrets/B", env).then().statusCode(204);
  }

  private static double decryptionFailures() {
    String metrics = given().get("/q/metrics").then().extract().asString();
    for (String line : metrics.split("\n")) {
      String[] fields = line.split("\\s+");
      if (fields[0].equals("dataplane_secrets_decryption_failures_total")) {
        return Double.parseDouble(fields[1]);
      }
    }
    return 0;
  }

  /** Every row of every table of the schema, as text (bytea shows as hex). */
  private static String dumpSchema() throws Exception {
    StringBuilder out = new StringBuilder();
    try (Connection c = Api.db()) {
      List<String> tables = new ArrayList<>();
      try (PreparedStatement ps =
              c.prepareStatement(
                  "select table_name from information_schema.tables where table_schema ="
                      + " 'secrets' and table_type = 'BASE TABLE'");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      assertThat(tables).contains("secret", "secret_version", "secret_read", "outbox");
      for (String t : tables) {
        try (PreparedStatement ps =
                c.prepareStatement("select t::text from secrets.\"" + t + "\" t");
            ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.append(t).append(": ").append(rs.getString(1)).append('\n');
          }
        }
        // the outbox payload is JSON in bytea: look at it decoded too
        if (t.equals("outbox")) {
          try (PreparedStatement ps =
                  c.prepareStatement("select convert_from(payload, 'UTF8') from secrets.outbox");
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.append("outbox payload: ").append(rs.getString(1)).append('\n');
            }
          }
        }
      }
    }
    return out.toString();
  }
}
