package io.dataplane.worker.client;

import io.dataplane.worker.bundle.BundleCache;
import io.dataplane.worker.config.WorkerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Downloads bundles from filestore-service. */
@ApplicationScoped
public class FilestoreClient implements BundleCache.Fetcher {

  private final ServiceHttp http;
  private final String base;

  public FilestoreClient(ServiceHttp http, WorkerConfig config) {
    this.http = http;
    this.base = config.filestoreUrl();
  }

  @Override
  public void fetch(String digest, Path target, long maxBytes) throws IOException {
    HttpRequest request = http.request(base, "/api/v1/bundles/" + digest).GET().build();
    HttpResponse<InputStream> response;
    try {
      response = http.client().send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while downloading bundle " + digest, e);
    }
    try (InputStream body = response.body()) {
      if (response.statusCode() != 200) {
        throw new IOException(
            "filestore-service answered HTTP " + response.statusCode() + " for bundle " + digest);
      }
      try (OutputStream out =
          Files.newOutputStream(
              target,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING)) {
        // counted while it streams: a bundle over the limit never fills the disk
        BundleCache.copyAtMost(body, out, maxBytes, "bundle " + digest);
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(target);
      throw e;
    }
  }
}
