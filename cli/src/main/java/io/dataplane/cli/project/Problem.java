package io.dataplane.cli.project;

/**
 * One problem in the folder: the file (relative to the folder), its line (1-based, 0 when none),
 * the path inside the document ({@code tasks[1].runtime}), a code and a message.
 */
public record Problem(String file, int line, String path, String code, String message) {

  /** {@code file:line: path: message (code)}, as compilers print it. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(file);
    if (line > 0) {
      b.append(':').append(line);
    }
    b.append(": ");
    if (path != null && !path.isEmpty()) {
      b.append(path).append(": ");
    }
    return b.append(message).append(" (").append(code).append(')').toString();
  }
}
