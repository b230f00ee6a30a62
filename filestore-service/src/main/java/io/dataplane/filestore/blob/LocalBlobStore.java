package io.dataplane.filestore.blob;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * Blobs as files of a local directory, {@code <dir>/<hex[0..2]>/<hex>}. A blob appears whole or not
 * at all: it is copied to a temporary name in the same directory, then renamed atomically.
 */
public final class LocalBlobStore implements BlobStore {

  private final Path root;

  public LocalBlobStore(Path root) throws IOException {
    this.root = root.toAbsolutePath().normalize();
    Files.createDirectories(this.root);
  }

  @Override
  public String backend() {
    return "local";
  }

  @Override
  public String location() {
    return "local:" + root;
  }

  Path pathOf(String hex) {
    return root.resolve(hex.substring(0, 2)).resolve(hex);
  }

  @Override
  public void write(String hex, Path file, long size) throws IOException {
    Path target = pathOf(hex);
    Files.createDirectories(target.getParent());
    Path tmp = target.resolveSibling(".tmp-" + UUID.randomUUID());
    try {
      Files.copy(file, tmp);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  @Override
  public InputStream open(String hex) throws IOException {
    try {
      return Files.newInputStream(pathOf(hex));
    } catch (NoSuchFileException e) {
      throw new NoSuchBlobException(hex);
    }
  }

  @Override
  public boolean delete(String hex) throws IOException {
    return Files.deleteIfExists(pathOf(hex));
  }
}
