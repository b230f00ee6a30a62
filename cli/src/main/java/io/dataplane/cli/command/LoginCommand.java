package io.dataplane.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import io.dataplane.cli.api.Auth;
import io.dataplane.cli.api.BrowserLogin;
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
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    mixinStandardHelpOptions = true,
    name = "login",
    description = {
      "Signs in as a person and stores a refresh token for --server in the user's config"
          + " directory (credentials.json, file mode 0600); later commands trade it for access"
          + " tokens.",
      "--device (the default): the OIDC device authorization flow: open the printed address in"
          + " any browser, on any machine, and confirm the code.",
      "--browser: the authorization code flow with PKCE and a redirect to a one-time local"
          + " address (http://127.0.0.1:<random port>/callback); the CLI opens the browser, or"
          + " prints the address when it cannot.",
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
      defaultValue = "${env:DATAPLANE_OIDC_CLIENT_ID}",
      description =
          "The public OIDC client (env DATAPLANE_OIDC_CLIENT_ID; default dataplane-cli-device"
              + " with --device, dataplane-cli with --browser).")
  String clientId;

  @Option(
      names = "--scope",
      defaultValue = "openid",
      description =
          "The scopes asked for (default ${DEFAULT-VALUE}; add offline_access for a refresh token"
              + " that outlives the provider's session, where the provider grants it).")
  String scope;

  static final class Flow {
    @Option(names = "--device", description = "The device authorization flow (the default).")
    boolean device;

    @Option(
        names = "--browser",
        description = "The browser on this machine, with a local redirect (code flow + PKCE).")
    boolean browser;
  }

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Flow flow;

  @Option(
      names = "--no-open",
      description = "--browser: print the address instead of opening a browser.")
  boolean noOpen;

  @Option(
      names = "--timeout",
      defaultValue = "300",
      description = "--browser: seconds to wait for the sign-in (default ${DEFAULT-VALUE}).")
  int timeoutSeconds;

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
    boolean browser = flow != null && flow.browser;
    String client =
        clientId != null && !clientId.isBlank()
            ? clientId
            : browser ? "dataplane-cli" : "dataplane-cli-device";
    JsonNode config = discovery();
    String tokenEndpoint = config.path("token_endpoint").asText(null);
    if (tokenEndpoint == null) {
      throw new CliException(issuer + " names no token endpoint");
    }
    // the prompts go to stderr, so that --output json stays one document on stdout
    PrintWriter err = spec.commandLine().getErr();
    JsonNode tokens =
        browser
            ? browser(config, tokenEndpoint, client, err)
            : device(config, tokenEndpoint, client, err);
    if (!tokens.hasNonNull("refresh_token")) {
      throw new CliException(
          "the OIDC provider gave no refresh token: nothing to store (scope " + scope + ")");
    }
    store.save(root.server, tokenEndpoint, client, tokens.get("refresh_token").asText());
    JsonNode me =
        new GatewayClient(
                URI.create(root.server), Auth.bearer(tokens.path("access_token").asText()))
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

  private JsonNode browser(JsonNode config, String tokenEndpoint, String client, PrintWriter err)
      throws Exception {
    String authorize = config.path("authorization_endpoint").asText(null);
    if (authorize == null) {
      throw new CliException(issuer + " offers no authorization endpoint");
    }
    try (BrowserLogin login =
        BrowserLogin.start(authorize, client, scope, issuer, line -> say(err, line))) {
      String url = login.authorizationUrl();
      boolean opened = !noOpen && BrowserLogin.open(url);
      err.println(
          (opened ? "Opened your browser; if it did not show, open " : "Open ")
              + url
              + (opened ? "" : " in a browser on this machine")
              + " to sign in (waiting "
              + timeoutSeconds
              + "s for the redirect to "
              + login.redirectUri()
              + ").");
      err.flush();
      String code = login.awaitCode(Duration.ofSeconds(timeoutSeconds));
      JsonNode t =
          CredentialStore.tokenRequest(
              tokenEndpoint,
              Map.of(
                  "grant_type",
                  "authorization_code",
                  "code",
                  code,
                  "redirect_uri",
                  login.redirectUri(),
                  "client_id",
                  client,
                  "code_verifier",
                  login.codeVerifier()));
      if (!t.hasNonNull("access_token")) {
        throw new CliException(
            "sign-in failed: "
                + t.path("error_description").asText(t.path("error").asText("no token")));
      }
      return t;
    }
  }

  private static void say(PrintWriter err, String line) {
    err.println(line);
    err.flush();
  }

  private JsonNode device(JsonNode config, String tokenEndpoint, String client, PrintWriter err)
      throws Exception {
    String deviceEndpoint = config.path("device_authorization_endpoint").asText(null);
    if (deviceEndpoint == null) {
      throw new CliException(
          issuer + " offers no device authorization flow: try dataplane login --browser");
    }
    JsonNode device =
        CredentialStore.tokenRequest(deviceEndpoint, Map.of("client_id", client, "scope", scope));
    if (!device.hasNonNull("device_code")) {
      throw new CliException(
          "the OIDC provider refused the device flow for client "
              + client
              + ": "
              + device.path("error_description").asText(device.path("error").asText()));
    }
    String verify =
        device.path("verification_uri_complete").asText(device.path("verification_uri").asText());
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
                  client));
      String error = t.path("error").asText("");
      if (error.equals("authorization_pending")) {
        continue;
      }
      if (error.equals("slow_down")) {
        interval += 5;
        continue;
      }
      if (!t.hasNonNull("access_token")) {
        throw new CliException("sign-in failed: " + t.path("error_description").asText(error));
      }
      return t;
    }
    throw new CliException("the code expired before it was confirmed: run dataplane login again");
  }

  private JsonNode discovery() throws Exception {
    String url = issuer.replaceAll("/$", "") + "/.well-known/openid-configuration";
    HttpResponse<String> r;
    try {
      r =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(10))
              .build()
              .send(
                  HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
                  HttpResponse.BodyHandlers.ofString());
    } catch (java.net.ConnectException e) {
      throw new CliException("cannot reach the OIDC issuer " + issuer + " (--issuer)");
    }
    if (r.statusCode() != 200) {
      throw new CliException("cannot read " + url + ": HTTP " + r.statusCode());
    }
    return DataplaneCommand.JSON.readTree(r.body());
  }
}
