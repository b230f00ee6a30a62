package io.dataplane.filestore.path;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rules for the path of a pipeline file: relative, {@code /}-separated, every segment a real
 * name. Anything that could escape the pipeline's space or be read differently by another tool is
 * refused with a message that says what is wrong.
 */
public final class FilePaths {

  /** Longest segment (file or directory name), in UTF-8 bytes, as on common filesystems. */
  public static final int MAX_SEGMENT_BYTES = 255;

  /** Longest whole path, in UTF-8 bytes. */
  public static final int MAX_PATH_BYTES = 4096;

  /** Environment and pipeline names as they may appear in a file's scope. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private FilePaths() {}

  /** The problem with {@code path}, or empty when it is a valid file path. */
  public static Optional<String> problem(String path) {
    if (path == null || path.isEmpty()) {
      return Optional.of("the path is empty");
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == 0) {
        return Optional.of("the path contains a NUL character at position " + i);
      }
      if (Character.isISOControl(c)) {
        return Optional.of(
            String.format(
                "the path contains the control character U+%04X at position %d", (int) c, i));
      }
      if (c == '\\') {
        return Optional.of("the path contains a backslash at position " + i + "; use / instead");
      }
      if (c == '\uFFFD') {
        return Optional.of("the path is not valid UTF-8");
      }
    }
    if (path.startsWith("/")) {
      return Optional.of("absolute paths are not allowed; give a path relative to the pipeline");
    }
    if (path.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
      return Optional.of("the path is longer than " + MAX_PATH_BYTES + " bytes");
    }
    String[] segments = path.split("/", -1);
    for (String s : segments) {
      if (s.isEmpty()) {
        return Optional.of("the path has an empty segment (a doubled or trailing /)");
      }
      if (s.equals("..")) {
        return Optional.of("the path contains '..'; paths cannot leave the pipeline's files");
      }
      if (s.equals(".")) {
        return Optional.of("the path contains a '.' segment; give the path without it");
      }
      int bytes = s.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > MAX_SEGMENT_BYTES) {
        return Optional.of(
            "the name '"
                + s.substring(0, 16)
                + "…' is "
                + bytes
                + " bytes; names are limited to "
                + MAX_SEGMENT_BYTES
                + " bytes");
      }
    }
    return Optional.empty();
  }

  /** Whether {@code name} is usable as an environment or pipeline name here. */
  public static boolean validName(String name) {
    return name != null && NAME.matcher(name).matches();
  }
}
