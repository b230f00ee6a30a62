package io.dataplane.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import io.dataplane.cli.api.CredentialStore;
import io.dataplane.cli.api.GatewayClient;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    mixinStandardHelpOptions = true,
    name = "login",
    description = {
      "Signs in through the OIDC device authorization flow: open the printed address in any"
          + " browser, confirm the code, and the CLI stores a refresh token for --server in the"
          + " user's config directory (file mode 0600).",
      "CI uses DATAPLANE_API_KEY instead."
    })
final class LoginCommand implements Callable<Integer> {

  @ParentCommand DataplaneCommand root;
  @Spec CommandSpec spec;

  @Option(
      names = "--issuer",
      defaultValue = "${env:DATAPLANE_OIDC_ISSUER:-http://127.0.0.1:8180/realms/dataplane}",
      description = "The OIDC issuer (env DATAPLANE_OIDC_ISSUER; default ${DEFAULT-VALUE}).")
  String issuer;

  @Option(
      names = "--client-id",
      defaultValue = "${env:DATAPLANE_OIDC_CLIENT_ID:-dataplane-cli-device}",
      description = "The public OIDC client with the device grant (default ${DEFAULT-VALUE}).")
  String clientId;

  @Option(names = "--logout", description = "Forget the stored sign-in for --server instead.")
  boolean logout;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    CredentialStore store = CredentialStore.defaultStore();
    if (logout) {
      boolean had = store.remove(root.server);
      out.println(had ? "Signed out of " + root.server : "Not signed in to " + root.server);
      out.flush();
      return ExitCodes.OK;
    }
    JsonNode config = discovery();
    String deviceEndpoint = config.path("device_authorization_endpoint").asText(null);
    String tokenEndpoint = config.path("token_endpoint").asText(null);
    if (deviceEndpoint == null || tokenEndpoint == null) {
      throw new CliException(issuer + " offers no device authorization flow");
    }
    JsonNode device =
        CredentialStore.tokenRequest(
            deviceEndpoint, Map.of("client_id", clientId, "scope", "openid offline_access"));
    if (!device.hasNonNull("device_code")) {
      throw new CliException(
          "the OIDC provider refused the device flow for client "
              + clientId
              + ": "
              + device.path("error_description").asText(device.path("error").asText()));
    }
    String verify =
        device.path("verification_uri_complete").asText(device.path("verification_uri").asText());
    // the prompt goes to stderr, so that --output json stays one document on stdout
    PrintWriter err = spec.commandLine().getErr();
    err.println("Open " + verify);
    err.println("and confirm the code " + device.path("user_code").asText() + " to sign in.");
    err.flush();
    long interval = Math.max(1, device.path("interval").asLong(5));
    Instant deadline = Instant.now().plusSeconds(device.path("expires_in").asLong(600));
    while (Instant.now().isBefore(deadline)) {
      Thread.sleep(interval * 1000); // the provider's polling interval (RFC 8628)
      JsonNode t =
          CredentialStore.tokenRequest(
              tokenEndpoint,
              Map.of(
                  "grant_type",
                  "urn:ietf:params:oauth:grant-type:device_code",
                  "device_code",
                  device.path("device_code").asText(),
                  "client_id",
                  clientId));
      String error = t.path("error").asText("");
      if (error.equals("authorization_pending")) {
        continue;
      }
      if (error.equals("slow_down")) {
        interval += 5;
        continue;
      }
      if (!t.hasNonNull("refresh_token")) {
        throw new CliException("sign-in failed: " + t.path("error_description").asText(error));
      }
      store.save(root.server, tokenEndpoint, clientId, t.get("refresh_token").asText());
      JsonNode me =
          new GatewayClient(
                  URI.create(root.server),
                  io.dataplane.cli.api.Auth.bearer(t.path("access_token").asText()))
              .graphql("{ me { name subject admin } }", Map.of())
              .path("me");
      if (root.json()) {
        root.printJson(
            out, Map.of("server", root.server, "me", me, "stored", store.file().toString()));
      } else {
        out.println(
            "Signed in to "
                + root.server
                + " as "
                + me.path("name").asText()
                + " (stored in "
                + store.file()
                + ")");
        out.flush();
      }
      return ExitCodes.OK;
    }
    throw new CliException("the code expired before it was confirmed: run dataplane login again");
  }

  private JsonNode discovery() throws Exception {
    String url = issuer.replaceAll("/$", "") + "/.well-known/openid-configuration";
    HttpResponse<String> r =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build()
            .send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new CliException("cannot read " + url + ": HTTP " + r.statusCode());
    }
    return DataplaneCommand.JSON.readTree(r.body());
  }
}
