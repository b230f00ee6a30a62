package io.dataplane.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dataplane.demo.GraphQLClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The web console in a real browser: {@code e2e/console.e2e.mjs} of the console (playwright-core
 * driving Debian's Chromium) against the six packaged services and Keycloak's real login page.
 * Here, because the packaged gateway (with the console built into it by Quinoa) and the platform
 * this module starts are what a person signs in to; the browser scenarios are a Node script because
 * Playwright is a Node library (docs/console.md). alice is a platform admin here (Platform), bob
 * has no binding at all.
 */
class ConsoleE2ETest {

  static final String GROUP = "st-" + UUID.randomUUID().toString().substring(0, 8);
  static final String ENV = "console-" + UUID.randomUUID().toString().substring(0, 8);
  static final String SECRET = "E2E_TOKEN";
  static final String LONG = "console-long";
  static final String SECRET_VALUE = "s3cr3t-" + UUID.randomUUID();
  static Platform platform;

  /** The realm's console client for this test: its tokens live 30 s (dev/keycloak). */
  static final String CONSOLE_CLIENT = "dataplane-console-e2e";

  static final String KEYCLOAK =
      System.getProperty("dataplane.keycloak.url", "http://127.0.0.1:8180");

  @BeforeAll
  static void start() throws Exception {
    ensureConsoleClient();
    // the gateway signs people in through the short-lived client, so that an ended session
    // (scenario 5) is found at the next refresh, within 30 s, as it would be in production
    platform =
        Platform.start(
            ENV + "/" + GROUP,
            Map.of(
                "DATAPLANE_CONSOLE_CLIENT_ID",
                CONSOLE_CLIENT,
                "DATAPLANE_CONSOLE_CLIENT_SECRET",
                "dataplane-console-e2e-local-secret"));
  }

  /**
   * Adds the test's console client from dev/keycloak/dataplane-realm.json to the running realm when
   * it lacks it (a Keycloak that imported the realm before the client was added; dev/stack does the
   * same with every new client).
   */
  static void ensureConsoleClient() throws Exception {
    ObjectMapper json = new ObjectMapper();
    Path realm =
        Path.of(System.getProperty("dataplane.root", ".."), "dev/keycloak/dataplane-realm.json");
    JsonNode client = null;
    for (JsonNode c : json.readTree(realm.toFile()).path("clients")) {
      if (CONSOLE_CLIENT.equals(c.path("clientId").asText())) {
        client = c;
      }
    }
    assertThat(client).as(CONSOLE_CLIENT + " in " + realm).isNotNull();
    HttpClient http = HttpClient.newHttpClient();
    String token = keycloakAdminToken(http, json);
    ObjectNode body = json.createObjectNode();
    body.put("ifResourceExists", "SKIP");
    body.putArray("clients").add(client);
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(KEYCLOAK + "/admin/realms/dataplane/partialImport"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  static String keycloakAdminToken(HttpClient http, ObjectMapper json) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(KEYCLOAK + "/realms/master/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "grant_type=password&client_id=admin-cli&username=kcadmin&password=kcadmin"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("kcadmin signs in: " + r.body()).isEqualTo(200);
    return json.readTree(r.body()).path("access_token").asText();
  }

  @AfterAll
  static void stop() {
    if (platform != null) {
      platform.close();
    }
  }

  @Test
  void theConsoleScenariosPassInChromium() throws Exception {
    GraphQLClient alice = platform.graphql("alice");
    alice.execute(
        "mutation($n: String!) { createEnvironment(name: $n) { name } }", Map.of("n", ENV));
    alice.execute(
        "mutation($e: String!, $n: String!) { createWorkerGroup(environment: $e, name: $n) { name } }",
        Map.of("e", ENV, "n", GROUP));
    alice.execute(
        "mutation($e: String!, $n: String!, $v: String!) { setSecret(environment: $e, name: $n, value: $v) { name } }",
        Map.of("e", ENV, "n", SECRET, "v", SECRET_VALUE));
    alice.execute(
        "mutation($e: String!, $n: String!, $p: [String]) { grantSecret(environment: $e, name: $n, pipelines: $p) { name } }",
        Map.of("e", ENV, "n", SECRET, "p", List.of("console-e2e")));

    // the console's folder, whose node_modules the gateway's build (Quinoa) installed
    Path webui =
        Path.of(System.getProperty("dataplane.root", ".."), "gateway-service/src/main/webui")
            .toAbsolutePath()
            .normalize();
    // scenario 3: a pipeline whose one task runs long, released, to be cancelled from the run page
    alice.execute(
        "mutation($e: String!, $n: String!, $d: String!) { savePipeline(environment: $e, name: $n, definition: $d) { name } }",
        Map.of(
            "e",
            ENV,
            "n",
            LONG,
            "d",
            "workerGroup: "
                + GROUP
                + "\ntasks:\n  - key: sleeper\n    runtime: bash\n    script: |\n      echo started\n      sleep 300\n"));
    alice.execute(
        "mutation($e: String!, $n: String!) { releasePipeline(environment: $e, pipeline: $n) { id } }",
        Map.of("e", ENV, "n", LONG));
    assertThat(webui.resolve("node_modules/playwright-core")).as("the console was built").exists();
    assertThat(Path.of("/usr/bin/chromium"))
        .as("Debian's chromium (dev/test installs it)")
        .exists();
    Path shots = Path.of("target/console-screenshots").toAbsolutePath();
    Files.createDirectories(shots);
    Path out = shots.resolve("e2e.log");
    ProcessBuilder pb =
        new ProcessBuilder("node", "e2e/console.e2e.mjs")
            .directory(webui.toFile())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile());
    Map<String, String> scriptEnv =
        Map.of(
            "BASE_URL", platform.url("gateway-service"),
            "ENV", ENV,
            "GROUP", GROUP,
            "SECRET_NAME", SECRET,
            "SECRET_VALUE", SECRET_VALUE,
            "LONG_PIPELINE", LONG,
            "SHOTS", shots.toString(),
            "KEYCLOAK_URL", KEYCLOAK);
    pb.environment().putAll(scriptEnv);
    holdForDevelopment(scriptEnv);
    Process p = pb.start();
    boolean done = p.waitFor(10, TimeUnit.MINUTES);
    if (!done) {
      p.destroyForcibly();
    }
    String log = read(out);
    System.out.println(log);
    assertThat(done).as("the browser scenarios finished in 10 minutes").isTrue();
    assertThat(log).contains("8 passed, 0 failed").doesNotContain("FAIL ");
    assertThat(p.exitValue()).as(log).isZero();
    // -Ddataplane.console.update-screenshots=true: the screenshots go to docs/console/
    if (Boolean.getBoolean("dataplane.console.update-screenshots")) {
      Path docs =
          Path.of(System.getProperty("dataplane.root", ".."), "docs/console").toAbsolutePath();
      Files.createDirectories(docs);
      try (var pngs = Files.list(shots)) {
        for (Path png : pngs.filter(f -> f.toString().endsWith(".png")).toList()) {
          Files.copy(png, docs.resolve(png.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  /**
   * -Ddataplane.console.e2e.hold=FILE (development only): writes the script's environment to FILE
   * and keeps the platform up until FILE is deleted, so that {@code node e2e/console.e2e.mjs} can
   * be run against it again and again (docs/console.md).
   */
  private static void holdForDevelopment(Map<String, String> env) throws IOException {
    String hold = System.getProperty("dataplane.console.e2e.hold", "");
    if (hold.isBlank()) {
      return;
    }
    Path file = Path.of(hold);
    StringBuilder sh = new StringBuilder();
    env.forEach((k, v) -> sh.append("export ").append(k).append("='").append(v).append("'\n"));
    Files.writeString(file, sh);
    Awaitility.await("the hold file is deleted")
        .atMost(Duration.ofMinutes(60))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> !Files.exists(file));
  }

  private static String read(Path p) throws IOException {
    return Files.exists(p) ? Files.readString(p) : "";
  }
}
