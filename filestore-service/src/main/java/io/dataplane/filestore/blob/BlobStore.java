package io.dataplane.filestore.blob;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Where blob bytes live. A blob is named by the lowercase hex sha256 of its content; the store
 * itself does not check content against names (the caller verifies every read), so a damaged or
 * replaced blob is noticed by the reader, never trusted.
 */
public interface BlobStore {

  /** The backend's name, as in {@code dataplane.filestore.backend} (a metric tag). */
  String backend();

  /**
   * Where this store keeps its blobs (backend plus directory, bucket and prefix): the key under
   * which the service records which blobs a store holds, so that pointing the service at another
   * directory or bucket never makes it believe blobs are there.
   */
  String location();

  /** Stores the {@code size} bytes of {@code file} as blob {@code hex}, replacing any. */
  void write(String hex, Path file, long size) throws IOException;

  /**
   * Streams blob {@code hex}.
   *
   * @throws NoSuchBlobException if the store has no such blob
   */
  InputStream open(String hex) throws IOException;

  /** Removes blob {@code hex}; false if it was not there. */
  boolean delete(String hex) throws IOException;

  /** A blob the store does not have. */
  final class NoSuchBlobException extends IOException {
    public NoSuchBlobException(String hex) {
      super("no blob " + hex);
    }
  }
}
