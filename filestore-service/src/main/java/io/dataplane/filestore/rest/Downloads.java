package io.dataplane.filestore.rest;

import io.dataplane.filestore.service.BlobService;
import io.dataplane.filestore.service.Digests;
import io.quarkus.logging.Log;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Helpers for conditional, streamed downloads. */
final class Downloads {

  private Downloads() {}

  /** The strong ETag of a digest. */
  static String etag(String digest) {
    return "\"" + digest + "\"";
  }

  /** Whether an {@code If-None-Match} header matches {@code digest} (strong or weak form). */
  static boolean matches(String ifNoneMatch, String digest) {
    if (ifNoneMatch == null || ifNoneMatch.isBlank()) {
      return false;
    }
    for (String tag : ifNoneMatch.split(",")) {
      String t = tag.strip();
      if (t.equals("*")) {
        return true;
      }
      if (t.startsWith("W/")) {
        t = t.substring(2);
      }
      if (t.equals(etag(digest)) || t.equals(digest)) {
        return true;
      }
    }
    return false;
  }

  /** 304 for {@code digest}, with its ETag. */
  static Response.ResponseBuilder notModified(String digest) {
    return Response.notModified().header(HttpHeaders.ETAG, etag(digest));
  }

  /**
   * 200 streaming the blob of {@code digest}, with its ETag; the bytes are checked against the
   * digest before the answer starts.
   */
  static Response.ResponseBuilder ok(BlobService blobs, String digest, String type) {
    Path verified;
    try {
      verified = blobs.fetchVerified(Digests.hexOf(digest));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Response.ok(streamAndDelete(verified), type).header(HttpHeaders.ETAG, etag(digest));
  }

  /** Streams a verified scratch file to the client, then deletes it. */
  private static StreamingOutput streamAndDelete(Path file) {
    return out -> {
      try (InputStream in = Files.newInputStream(file)) {
        in.transferTo(out);
      } finally {
        try {
          Files.deleteIfExists(file);
        } catch (IOException e) {
          Log.warnf("cannot delete scratch file %s: %s", file, e.getMessage());
        }
      }
    };
  }
}
