package io.dataplane.filestore;

import static org.assertj.core.api.Assertions.assertThat;

import io.dataplane.filestore.support.S3MockServer;
import io.dataplane.testing.Ports;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A 100 MiB bundle built and downloaded from the packaged service running in its own JVM with the
 * heap capped at 256 MiB ({@code -Xmx256m}), once per backend. The files are random (so the bundle
 * does not compress below 100 MiB); nothing here holds them in memory either.
 */
class BigBundleIT {

  static final String TOKEN = "it-service-token-0123456789";
  static final int FILES = 11;
  static final int FILE_SIZE = 9_700_000; // under the default 10 MiB per file; 11 files ≈ 101.7 MiB

  @ParameterizedTest
  @ValueSource(strings = {"postgres", "local", "s3"})
  void hundredMebibyteBundleWithHeapCappedAt256MiB(String backend) throws Exception {
    S3MockServer s3 = backend.equals("s3") ? S3MockServer.start() : null;
    Ports.Reservation reservation = Ports.reserve();
    int port = reservation.port;
    Path target = Path.of("target");
    Path log = target.resolve("big-bundle-" + backend + ".log");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-Dquarkus.http.port=" + port);
    cmd.add("-Ddataplane.filestore.orchestrator-url="); // no orchestrator here
    cmd.add("-Ddataplane.filestore.backend=" + backend);
    cmd.add("-Ddataplane.filestore.tmp-directory=" + target.resolve("it-tmp").toAbsolutePath());
    cmd.add(
        "-Ddataplane.filestore.local.directory="
            + target.resolve("it-local").resolve(UUID.randomUUID().toString()).toAbsolutePath());
    if (s3 != null) {
      cmd.add("-Ddataplane.filestore.s3.endpoint=" + s3.endpoint());
      cmd.add("-Ddataplane.filestore.s3.bucket=" + S3MockServer.BUCKET);
      cmd.add("-Ddataplane.filestore.s3.prefix=it-" + UUID.randomUUID() + "/");
      cmd.add("-Ddataplane.filestore.s3.path-style=true");
      cmd.add("-Ddataplane.filestore.s3.access-key-id=test");
      cmd.add("-Ddataplane.filestore.s3.secret-access-key=test");
    }
    cmd.add("-jar");
    cmd.add(System.getProperty("service.jar", "target/quarkus-app/quarkus-run.jar"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.redirectOutput(log.toFile());
    pb.environment().put("DATAPLANE_SERVICE_TOKENS_GATEWAY", TOKEN);
    Process service = pb.start();
    try {
      String base = "http://127.0.0.1:" + port;
      awaitReady(base, service, log);

      // the service really runs with a heap of at most 256 MiB
      assertThat(heapMax(base)).isPositive().isLessThanOrEqualTo(256L * 1024 * 1024);

      String env = "it-" + UUID.randomUUID().toString().substring(0, 8);
      String files = base + "/api/v1/environments/" + env + "/pipelines/big/files/";
      for (int i = 0; i < FILES; i++) {
        HttpURLConnection c = open(files + "part-" + i + ".bin", "PUT");
        c.setDoOutput(true);
        c.setFixedLengthStreamingMode(FILE_SIZE);
        c.setRequestProperty("Content-Type", "application/octet-stream");
        try (OutputStream out = c.getOutputStream()) {
          Random r = new Random(i);
          byte[] buf = new byte[64 * 1024];
          for (int left = FILE_SIZE; left > 0; left -= buf.length) {
            r.nextBytes(buf);
            out.write(buf, 0, Math.min(buf.length, left));
          }
        }
        assertThat(c.getResponseCode()).as("upload " + i).isEqualTo(201);
        c.disconnect();
      }

      HttpURLConnection post =
          open(base + "/api/v1/environments/" + env + "/pipelines/big/bundles", "POST");
      assertThat(post.getResponseCode()).isEqualTo(201);
      String body = new String(post.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String digest = field(body, "\"digest\":\"(sha256:[0-9a-f]{64})\"");
      long size = Long.parseLong(field(body, "\"sizeBytes\":(\\d+)"));
      assertThat(size).isGreaterThan(100L * 1024 * 1024);

      // download, streamed and hashed as it arrives
      HttpURLConnection get = open(base + "/api/v1/bundles/" + digest, "GET");
      assertThat(get.getResponseCode()).isEqualTo(200);
      assertThat(get.getHeaderField("ETag")).isEqualTo("\"" + digest + "\"");
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      long received = 0;
      try (InputStream in = get.getInputStream()) {
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) > 0) {
          md.update(buf, 0, n);
          received += n;
        }
      }
      assertThat(received).isEqualTo(size);
      assertThat("sha256:" + HexFormat.of().formatHex(md.digest())).isEqualTo(digest);
      assertThat(service.isAlive()).as("the service survived").isTrue();
      assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError");
    } finally {
      service.destroy();
      if (!service.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
        service.destroyForcibly();
      }
      if (s3 != null) {
        s3.close();
      }
      reservation.close();
    }
  }

  static HttpURLConnection open(String url, String method) throws IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
    c.setRequestMethod(method);
    c.setRequestProperty("Authorization", "Bearer " + TOKEN);
    c.setConnectTimeout(5000);
    c.setReadTimeout(300_000);
    return c;
  }

  static void awaitReady(String base, Process service, Path log) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
    while (Instant.now().isBefore(deadline)) {
      if (!service.isAlive()) {
        throw new IllegalStateException("the service exited; see " + log);
      }
      try {
        HttpURLConnection c = open(base + "/q/health/ready", "GET");
        if (c.getResponseCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // starting
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException("the service was not ready in 120 s; see " + log);
  }

  static long heapMax(String base) throws IOException {
    HttpURLConnection c = open(base + "/q/metrics", "GET");
    String metrics = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    // G1 reports no maximum (-1) for eden and survivor; the old generation's maximum is -Xmx
    long max = 0;
    Matcher m =
        Pattern.compile("(?m)^jvm_memory_max_bytes\\{area=\"heap\"[^}]*} (\\S+)$").matcher(metrics);
    while (m.find()) {
      max = Math.max(max, (long) Double.parseDouble(m.group(1)));
    }
    return max;
  }

  static String field(String json, String regex) {
    Matcher m = Pattern.compile(regex).matcher(json);
    assertThat(m.find()).as(json).isTrue();
    return m.group(1);
  }
}
