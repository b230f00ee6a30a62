package io.dataplane.worker.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Whether bubblewrap can start here. Being installed is not enough: in an unprivileged container
 * (no user namespaces) {@code bwrap} exits at once, and every task would fail. So {@code auto} runs
 * a trivial program once, through the very command line a task gets ({@link SandboxCommand}, same
 * uid and limits, a scratch directory in the work root), and takes bubblewrap only when that
 * succeeds. Plain Java; the worker calls it once at start-up.
 */
public final class SandboxProbe {

  /** Prefix of the probe's scratch directory: the runner removes leftovers of a crash. */
  static final String SCRATCH_PREFIX = "attempt-sandbox-probe-";

  /** What the probe found. */
  public record Result(boolean works, String problem) {
    static Result ok() {
      return new Result(true, null);
    }

    static Result failed(String problem) {
      return new Result(false, problem);
    }
  }

  /**
   * The mode the worker runs with ({@code null}: it cannot run tasks), the probe's result when one
   * ran ({@code null} otherwise), and why tasks run unsandboxed or not at all ({@code null} when
   * bubblewrap works).
   */
  public record Choice(SandboxMode mode, Result probe, String problem) {}

  private SandboxProbe() {}

  /**
   * Resolves the configured mode. Fails closed: {@code bwrap} runs bubblewrap when the probe says
   * it works here, and otherwise nothing; running without a sandbox ({@code none}, or {@code auto}
   * when bubblewrap does not work) needs {@code allowUnsandboxed}.
   */
  public static Choice choose(
      SandboxMode configured,
      boolean allowUnsandboxed,
      SandboxCommand command,
      Supplier<Result> probe) {
    if (configured == SandboxMode.NONE) {
      return allowUnsandboxed
          ? new Choice(SandboxMode.NONE, null, "dataplane.worker.sandbox=none")
          : new Choice(
              null,
              null,
              "dataplane.worker.sandbox=none needs dataplane.worker.allow-unsandboxed=true");
    }
    Result r =
        command.bwrapAvailable()
            ? probe.get()
            : Result.failed("bubblewrap is not installed (" + command.bwrap() + ")");
    if (r.works()) {
      return new Choice(SandboxMode.BWRAP, r, null);
    }
    String problem = "bubblewrap cannot start here: " + r.problem();
    if (configured == SandboxMode.AUTO && allowUnsandboxed) {
      return new Choice(SandboxMode.NONE, r, problem);
    }
    return new Choice(null, r, problem);
  }

  /**
   * Runs {@code argv} (a program that exits 0, such as {@code bash -c 'exit 0'}) in the bubblewrap
   * sandbox, as a task would run, and says whether it exited 0 within {@code timeout}.
   *
   * @param workRoot where scratch directories are made (created when missing)
   * @param uid the uid tasks drop to (the worker runs as root), or null
   */
  public static Result run(
      SandboxCommand command,
      List<String> argv,
      Path workRoot,
      Integer uid,
      SandboxCommand.Limits limits,
      Duration timeout) {
    Path scratch = null;
    Path output = null;
    Process process = null;
    try {
      // prepared as the runner will: the task's uid must reach its scratch directory
      WorkRoot.prepare(workRoot, uid);
      scratch = Files.createTempDirectory(workRoot, SCRATCH_PREFIX);
      output = Files.createTempFile(workRoot, SCRATCH_PREFIX, ".log");
      if (uid != null) {
        Files.setAttribute(scratch, "unix:uid", uid);
        Files.setAttribute(scratch, "unix:gid", uid);
      }
      List<String> cmd =
          command.build(
              new SandboxCommand.Spec(SandboxMode.BWRAP, argv, scratch, null, false, uid, limits));
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.environment().clear();
      pb.environment().putAll(Map.of("PATH", "/usr/bin:/bin", "LANG", "C.UTF-8"));
      pb.directory(scratch.toFile());
      pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
      pb.redirectErrorStream(true);
      pb.redirectOutput(output.toFile());
      process = pb.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        return Result.failed("no answer within " + timeout.toMillis() + " ms");
      }
      int exit = process.exitValue();
      if (exit == 0) {
        return Result.ok();
      }
      if (exit == 127 || exit == 126) {
        // bwrap ran, the program inside could not: say so rather than blame user namespaces
        String said = firstLine(output);
        return Result.failed(
            "the probe program could not run in the sandbox (exit "
                + exit
                + ")"
                + (said.isEmpty() ? "" : ": " + said));
      }
      String said = firstLine(output);
      return Result.failed("exit code " + exit + (said.isEmpty() ? "" : ": " + said));
    } catch (IOException | RuntimeException e) {
      return Result.failed(e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Result.failed("interrupted");
    } finally {
      if (process != null && process.isAlive()) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
      delete(scratch);
      delete(output);
    }
  }

  /** The first non-blank line the sandbox printed (bwrap's reason), shortened. */
  private static String firstLine(Path output) {
    try (Stream<String> lines = Files.lines(output, StandardCharsets.UTF_8)) {
      String line = lines.map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
      return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  private static void delete(Path path) {
    if (path == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(path)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | RuntimeException e) {
      // a leftover is removed with the runner's next clean-up
    }
  }
}
