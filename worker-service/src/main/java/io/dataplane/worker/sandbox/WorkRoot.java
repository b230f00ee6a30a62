package io.dataplane.worker.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The directory scratch directories are made in. A sandboxed task runs as a uid of its own (when
 * the worker is root), so that uid must be able to traverse the work root and every directory above
 * it to reach its scratch directory, and must see nothing else in it. Plain Java.
 */
public final class WorkRoot {

  private WorkRoot() {}

  /**
   * Creates {@code root} when missing and gives it mode 0711 (others may traverse, not list).
   *
   * @param uid the uid tasks run as, or null when they run as the worker's own
   * @throws IOException when a directory above {@code root} keeps other users out: the message
   *     names it
   */
  public static void prepare(Path root, Integer uid) throws IOException {
    Files.createDirectories(root);
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
    if (uid == null) {
      return;
    }
    for (Path p = root.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
      if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE)) {
        throw new IOException(
            "the sandboxed task users cannot reach the work directory "
                + root
                + ": "
                + p
                + " is mode "
                + PosixFilePermissions.toString(perms)
                + " (others need x); choose a dataplane.worker.work-dir under a traversable"
                + " directory");
      }
    }
  }
}
