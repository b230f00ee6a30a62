package io.dataplane.cli.api;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The browser sign-in of a native app (RFC 8252): the OIDC authorization code flow with PKCE (S256)
 * and a redirect to a one-time loopback address, {@code http://127.0.0.1:<random port>/callback},
 * served only until the code arrives. The {@code state} of the callback must be this login's (a
 * callback with another state is refused with 400 and ignored: a page cannot sign the CLI in as
 * someone else), and an {@code iss} parameter, when the provider sends one (RFC 9207), must be the
 * issuer.
 */
public final class BrowserLogin implements AutoCloseable {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final HttpServer server;
  private final String state;
  private final String verifier;
  private final String redirectUri;
  private final String authorizationUrl;
  private final String issuer;
  private final Consumer<String> warn;
  private final CompletableFuture<String> code = new CompletableFuture<>();

  private BrowserLogin(
      HttpServer server,
      String authorizeEndpoint,
      String clientId,
      String scope,
      String issuer,
      Consumer<String> warn) {
    this.server = server;
    this.issuer = strip(issuer);
    this.warn = warn;
    this.state = random(32);
    this.verifier = random(48);
    this.redirectUri = "http://127.0.0.1:" + server.getAddress().getPort() + "/callback";
    Map<String, String> q = new LinkedHashMap<>();
    q.put("response_type", "code");
    q.put("client_id", clientId);
    q.put("redirect_uri", redirectUri);
    q.put("scope", scope);
    q.put("state", state);
    q.put("code_challenge", challenge(verifier));
    q.put("code_challenge_method", "S256");
    StringBuilder url = new StringBuilder(authorizeEndpoint);
    url.append(authorizeEndpoint.contains("?") ? '&' : '?');
    q.forEach(
        (k, v) ->
            url.append(k)
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20"))
                .append('&'));
    url.setLength(url.length() - 1);
    this.authorizationUrl = url.toString();
    server.createContext("/", this::handle);
  }

  /** Listens on a random loopback port; {@code warn} hears about refused callbacks. */
  public static BrowserLogin start(
      String authorizeEndpoint, String clientId, String scope, String issuer, Consumer<String> warn)
      throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
    BrowserLogin login = new BrowserLogin(server, authorizeEndpoint, clientId, scope, issuer, warn);
    server.start();
    return login;
  }

  public String authorizationUrl() {
    return authorizationUrl;
  }

  public String redirectUri() {
    return redirectUri;
  }

  /** The PKCE verifier the token request proves the code with. */
  public String codeVerifier() {
    return verifier;
  }

  /** The authorization code, once the browser came back with it. */
  public String awaitCode(Duration timeout) throws IOException, InterruptedException {
    try {
      return code.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IOException(
          "no sign-in arrived at "
              + redirectUri
              + " within "
              + timeout.toSeconds()
              + "s: run dataplane login again");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    }
  }

  private void handle(HttpExchange x) throws IOException {
    try (x) {
      if (!"GET".equals(x.getRequestMethod()) || !"/callback".equals(x.getRequestURI().getPath())) {
        reply(x, 404, "Not found.");
        return;
      }
      Map<String, String> q = query(x.getRequestURI().getRawQuery());
      String got = q.getOrDefault("state", "");
      if (!MessageDigest.isEqual(
          got.getBytes(StandardCharsets.UTF_8), state.getBytes(StandardCharsets.UTF_8))) {
        warn.accept(
            "refused a sign-in callback with a wrong state (not this login's); still waiting");
        reply(x, 400, "Refused: this sign-in answer is not for the login that is waiting.");
        return;
      }
      if (code.isDone()) {
        reply(x, 400, "This sign-in was already used.");
        return;
      }
      if (q.containsKey("iss") && !strip(q.get("iss")).equals(issuer)) {
        reply(x, 400, "Refused: the answer comes from another issuer.");
        code.completeExceptionally(
            new IOException(
                "the sign-in answer names the issuer " + q.get("iss") + ", not " + issuer));
        return;
      }
      if (q.containsKey("error")) {
        reply(x, 400, "Sign-in failed: " + q.get("error") + ". You may close this tab.");
        code.completeExceptionally(
            new IOException(
                "sign-in failed: "
                    + q.get("error")
                    + (q.containsKey("error_description")
                        ? " (" + q.get("error_description") + ")"
                        : "")));
        return;
      }
      String c = q.get("code");
      if (c == null || c.isEmpty()) {
        reply(x, 400, "Refused: no code.");
        return;
      }
      reply(x, 200, "Signed in to dataplane. You may close this tab and go back to the terminal.");
      code.complete(c);
    }
  }

  private static void reply(HttpExchange x, int status, String text) throws IOException {
    byte[] body =
        ("<!doctype html><meta charset=utf-8><title>dataplane login</title><p>"
                + text.replace("&", "&amp;").replace("<", "&lt;")
                + "</p>")
            .getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
    x.getResponseHeaders().set("Cache-Control", "no-store");
    x.getResponseHeaders().set("Referrer-Policy", "no-referrer");
    x.sendResponseHeaders(status, body.length);
    try (OutputStream o = x.getResponseBody()) {
      o.write(body);
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> m = new LinkedHashMap<>();
    if (raw == null) {
      return m;
    }
    for (String kv : raw.split("&")) {
      int eq = kv.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
      m.putIfAbsent(k, v);
    }
    return m;
  }

  static String challenge(String verifier) {
    try {
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(
              MessageDigest.getInstance("SHA-256")
                  .digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static String strip(String s) {
    return s == null ? "" : s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  /**
   * Opens {@code url} in the user's browser; false when there is none to open (no display, no
   * opener): the caller prints the address instead.
   */
  public static boolean open(String url) {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String[] cmd;
    if (os.contains("mac")) {
      cmd = new String[] {"open", url};
    } else if (os.contains("win")) {
      cmd = new String[] {"rundll32", "url.dll,FileProtocolHandler", url};
    } else {
      boolean display =
          notBlank(System.getenv("DISPLAY")) || notBlank(System.getenv("WAYLAND_DISPLAY"));
      if (!display || !onPath("xdg-open")) {
        return false;
      }
      cmd = new String[] {"xdg-open", url};
    }
    try {
      new ProcessBuilder(cmd)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean notBlank(String s) {
    return s != null && !s.isBlank();
  }

  private static boolean onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
