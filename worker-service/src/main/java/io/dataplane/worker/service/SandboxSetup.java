package io.dataplane.worker.service;

import io.dataplane.worker.config.WorkerConfig;
import io.dataplane.worker.sandbox.SandboxCommand;
import io.dataplane.worker.sandbox.SandboxMode;
import io.dataplane.worker.sandbox.SandboxProbe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The sandbox a worker runs its tasks in, decided once at start-up from its configuration and a
 * probe through the very command line a task gets (SandboxProbe).
 *
 * @param mode BWRAP or NONE; null when the worker cannot run tasks
 * @param problem why tasks run unsandboxed or not at all; null when bubblewrap works
 * @param root whether the worker runs as root (then each slot's task gets a uid of its own)
 */
record SandboxSetup(
    SandboxMode mode,
    String problem,
    SandboxCommand command,
    SandboxCommand.Limits limits,
    boolean root) {

  /** How long the start-up check of bubblewrap may take (it needs a few milliseconds). */
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);

  static SandboxSetup resolve(WorkerConfig config) {
    SandboxCommand command =
        new SandboxCommand(
            "/usr/bin/setsid", "/usr/bin/setpriv", "/usr/bin/prlimit", config.bwrap());
    boolean root = isRoot();
    WorkerConfig.Limits l = config.limits();
    SandboxCommand.Limits limits =
        new SandboxCommand.Limits(
            l.memoryBytes(), l.processes(), l.fileSizeBytes(), l.scratchBytes());
    SandboxProbe.Choice choice =
        SandboxProbe.choose(
            config.sandbox(),
            config.allowUnsandboxed(),
            command,
            () ->
                SandboxProbe.run(
                    command,
                    List.of(config.bash(), "-c", "exit 0"),
                    Path.of(config.workDir()),
                    root ? config.sandboxUidBase() : null,
                    limits,
                    PROBE_TIMEOUT));
    return new SandboxSetup(choice.mode(), choice.problem(), command, limits, root);
  }

  /** The uid a task on {@code slot} runs as; null for the worker's own. */
  Integer uid(int uidBase, int slot) {
    return mode == SandboxMode.BWRAP && root ? uidBase + slot : null;
  }

  private static boolean isRoot() {
    try {
      return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    } catch (IOException | RuntimeException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }
}
