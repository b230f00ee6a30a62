package io.dataplane.secrets.crypto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Master keys from a mounted directory (a Kubernetes Secret volume): one file per version, named
 * after the version, holding the base64 key; an optional file {@code active} names the active
 * version. Hidden entries ({@code ..data} and the like, which Kubernetes adds) are ignored.
 */
public final class MasterKeyDirectory {

  /** What the directory holds. */
  public record Content(Map<String, String> base64ByVersion, Optional<String> active) {}

  private MasterKeyDirectory() {}

  public static Content read(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException("master key directory " + dir + " does not exist");
    }
    Map<String, String> keys = new TreeMap<>();
    Optional<String> active = Optional.empty();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        if (name.startsWith(".") || !Files.isRegularFile(f)) {
          continue;
        }
        String text = Files.readString(f, StandardCharsets.UTF_8).strip();
        if (name.equals("active")) {
          active = text.isEmpty() ? Optional.empty() : Optional.of(text);
        } else if (KeyRing.VERSION.matcher(name).matches()) {
          keys.put(name, text);
        }
      }
    }
    return new Content(keys, active);
  }
}
