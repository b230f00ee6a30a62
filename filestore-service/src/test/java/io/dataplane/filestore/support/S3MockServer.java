package io.dataplane.filestore.support;

import io.dataplane.testing.Ports;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Adobe S3Mock (a Spring Boot application from Maven Central) started as a separate JVM, so that
 * its dependencies never meet ours. The jar is copied to target/s3mock by the build.
 */
public final class S3MockServer implements AutoCloseable {

  public static final String BUCKET = "dataplane-filestore-test";

  private final Process process;
  private final Ports.Reservation reservation;
  private final int port;
  private final Path root;

  private S3MockServer(Process process, Ports.Reservation reservation, Path root) {
    this.process = process;
    this.reservation = reservation;
    this.port = reservation.port;
    this.root = root;
  }

  /**
   * Starts S3Mock on a reserved port (below the ephemeral range) with the test bucket, and waits
   * until it answers.
   */
  public static S3MockServer start() throws IOException, InterruptedException {
    String jar = System.getProperty("s3mock.jar", "target/s3mock/s3mock-exec.jar");
    if (!Files.exists(Path.of(jar))) {
      throw new IllegalStateException(jar + " is missing: build with Maven, which copies it");
    }
    Ports.Reservation reservation = Ports.reserve();
    int port = reservation.port;
    Path root = Files.createTempDirectory("s3mock");
    Path log = root.resolveSibling(root.getFileName() + ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                List.of(
                    java,
                    "-Xmx192m",
                    "-XX:+UseSerialGC",
                    "-jar",
                    jar,
                    "--server.port=0",
                    "--com.adobe.testing.s3mock.http-port=" + port,
                    "--com.adobe.testing.s3mock.store.initial-buckets=" + BUCKET,
                    "--com.adobe.testing.s3mock.store.root=" + root,
                    "--com.adobe.testing.s3mock.store.retain-files-on-exit=false",
                    "--spring.main.banner-mode=off"))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    S3MockServer server = new S3MockServer(p, reservation, root);
    Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
    while (Instant.now().isBefore(deadline)) {
      if (!p.isAlive()) {
        throw new IllegalStateException("S3Mock exited; see " + log);
      }
      if (server.answers()) {
        return server;
      }
      Thread.sleep(250);
    }
    server.close();
    throw new IllegalStateException("S3Mock did not answer within 90 s; see " + log);
  }

  private boolean answers() {
    try {
      HttpURLConnection c =
          (HttpURLConnection) URI.create(endpoint() + "/" + BUCKET).toURL().openConnection();
      c.setConnectTimeout(500);
      c.setReadTimeout(2000);
      int status = c.getResponseCode();
      c.disconnect();
      return status == 200;
    } catch (IOException e) {
      return false;
    }
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    } finally {
      reservation.close();
    }
  }

  /** The root directory of the mock's store (deleted by the mock on exit). */
  public Path root() {
    return root;
  }
}
