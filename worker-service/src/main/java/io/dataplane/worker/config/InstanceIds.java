package io.dataplane.worker.config;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The default worker id. In Kubernetes {@code HOSTNAME} is the pod's name, unique per worker; a
 * worker started from a shell does not see it (bash does not export it), and two workers on one
 * machine must still differ, so there the default is the host name and the pid.
 */
public final class InstanceIds {

  private InstanceIds() {}

  /** The default of this process, worked out once. */
  public static String local() {
    return Local.ID;
  }

  /**
   * {@code $HOSTNAME} when set, otherwise {@code <host name>-<pid>}.
   *
   * @param hostnameVariable the value of {@code HOSTNAME}, or null
   */
  static String defaultId(String hostnameVariable, Supplier<String> hostName, long pid) {
    if (hostnameVariable != null && !hostnameVariable.isBlank()) {
      return hostnameVariable.strip();
    }
    String host = hostName.get();
    return (host == null || host.isBlank() ? "local" : host.strip()) + "-" + pid;
  }

  /** The kernel's host name (no name lookup), else what the JDK says, else null. */
  static String hostName() {
    try {
      String h = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
      if (!h.isEmpty()) {
        return h;
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: ask the JDK
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static final class Local {
    static final String ID =
        defaultId(System.getenv("HOSTNAME"), InstanceIds::hostName, ProcessHandle.current().pid());
  }
}
