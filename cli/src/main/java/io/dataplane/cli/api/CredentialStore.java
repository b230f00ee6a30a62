package io.dataplane.cli.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The refresh tokens {@code dataplane login} stored, one per server, in {@code credentials.json} of
 * the user's config directory ({@code $DATAPLANE_CONFIG_DIR}, else {@code
 * $XDG_CONFIG_HOME/dataplane}, else {@code ~/.config/dataplane}); the file is written with mode
 * 0600 and its folder with 0700.
 */
public final class CredentialStore {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path file;

  public CredentialStore(Path dir) {
    this.file = dir.resolve("credentials.json");
  }

  public static CredentialStore defaultStore() {
    String dir = System.getenv("DATAPLANE_CONFIG_DIR");
    if (dir == null || dir.isBlank()) {
      String xdg = System.getenv("XDG_CONFIG_HOME");
      dir =
          (xdg == null || xdg.isBlank()
                  ? Path.of(System.getProperty("user.home"), ".config")
                  : Path.of(xdg))
              .resolve("dataplane")
              .toString();
    }
    return new CredentialStore(Path.of(dir));
  }

  public Path file() {
    return file;
  }

  /** Stores a server's sign-in (replacing the previous one). */
  public synchronized void save(
      String server, String tokenEndpoint, String clientId, String refresh) throws IOException {
    ObjectNode all = load();
    all.putObject(server)
        .put("tokenEndpoint", tokenEndpoint)
        .put("clientId", clientId)
        .put("refreshToken", refresh);
    write(all);
  }

  /** Forgets a server's sign-in. */
  public synchronized boolean remove(String server) throws IOException {
    ObjectNode all = load();
    boolean had = all.remove(server) != null;
    write(all);
    return had;
  }

  /**
   * A fresh access token for {@code server} from its stored refresh token, or null when nobody
   * signed in there.
   */
  public synchronized String accessToken(String server) throws IOException {
    ObjectNode all = load();
    JsonNode s = all.path(server);
    if (!s.hasNonNull("refreshToken")) {
      return null;
    }
    JsonNode tokens =
        tokenRequest(
            s.path("tokenEndpoint").asText(),
            Map.of(
                "grant_type",
                "refresh_token",
                "client_id",
                s.path("clientId").asText(),
                "refresh_token",
                s.path("refreshToken").asText()));
    if (!tokens.hasNonNull("access_token")) {
      throw new IOException(
          "the stored sign-in for "
              + server
              + " is no longer valid ("
              + tokens.path("error").asText("refused")
              + (tokens.hasNonNull("error_description")
                  ? ": " + tokens.get("error_description").asText()
                  : "")
              + "): it expired or was revoked; run dataplane login again");
    }
    if (tokens.hasNonNull("refresh_token")) {
      ((ObjectNode) s).put("refreshToken", tokens.get("refresh_token").asText());
      write(all);
    }
    return tokens.get("access_token").asText();
  }

  /** POSTs a form to a token endpoint; returns its JSON answer (also an error answer). */
  public static JsonNode tokenRequest(String endpoint, Map<String, String> form)
      throws IOException {
    String body =
        form.entrySet().stream()
            .map(
                e ->
                    URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                        + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
    try {
      HttpResponse<String> r =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(10))
              .build()
              .send(
                  HttpRequest.newBuilder(URI.create(endpoint))
                      .timeout(Duration.ofSeconds(30))
                      .header("Content-Type", "application/x-www-form-urlencoded")
                      .POST(HttpRequest.BodyPublishers.ofString(body))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      try {
        return JSON.readTree(r.body());
      } catch (IOException e) {
        return JSON.createObjectNode().put("error", "HTTP " + r.statusCode());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private ObjectNode load() throws IOException {
    if (!Files.exists(file)) {
      return JSON.createObjectNode();
    }
    JsonNode n = JSON.readTree(file.toFile());
    return n instanceof ObjectNode o ? o : JSON.createObjectNode();
  }

  private void write(ObjectNode all) throws IOException {
    boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    Path dir = file.getParent();
    if (!Files.isDirectory(dir)) {
      if (posix) {
        Files.createDirectories(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } else {
        Files.createDirectories(dir);
      }
    }
    // written to a 0600 file first, then moved over: the token is never readable by others
    Path tmp =
        posix
            ? Files.createTempFile(
                dir,
                ".credentials",
                ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
            : Files.createTempFile(dir, ".credentials", ".tmp");
    try {
      Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(all));
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
