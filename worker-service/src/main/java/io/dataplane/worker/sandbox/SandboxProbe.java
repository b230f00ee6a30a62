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
   * The mode the worker runs with, and the probe's result when one ran ({@code null} otherwise).
   */
  public record Choice(SandboxMode mode, Result probe) {}

  private SandboxProbe() {}

  /**
   * Resolves {@code auto}: bubblewrap when it is installed and {@code probe} says it works, {@code
   * none} otherwise. {@code bwrap} and {@code none} stay as they are, unprobed: an explicit {@code
   * bwrap} never falls back.
   */
  public static Choice choose(
      SandboxMode configured, SandboxCommand command, Supplier<Result> probe) {
    if (configured != SandboxMode.AUTO) {
      return new Choice(configured, null);
    }
    if (!command.bwrapAvailable()) {
      return new Choice(SandboxMode.NONE, null);
    }
    Result r = probe.get();
    return new Choice(r.works() ? SandboxMode.BWRAP : SandboxMode.NONE, r);
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
      Files.createDirectories(workRoot);
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
