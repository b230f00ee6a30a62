package io.dataplane.worker.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start-up check of {@code sandbox=auto}, with stand-ins for bubblewrap and the real one. */
class SandboxProbeTest {

  private static final List<String> TRUE = List.of("/usr/bin/bash", "-c", "exit 0");
  private static final SandboxCommand.Limits LIMITS =
      new SandboxCommand.Limits(4L << 30, 512, 1L << 30);

  @TempDir Path tmp;
  Path work;

  @BeforeEach
  void workRoot() throws IOException {
    // as the runner leaves it: sandboxed uids may traverse it
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
    work = tmp.resolve("work");
  }

  /** A stand-in for bwrap: a shell script. */
  private SandboxCommand fakeBwrap(String body) throws IOException {
    Path script = tmp.resolve("bwrap-" + Math.abs(body.hashCode()));
    Files.writeString(script, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return new SandboxCommand(
        "/usr/bin/setsid", "/usr/bin/setpriv", "/usr/bin/prlimit", script.toString());
  }

  private SandboxProbe.Choice choose(
      SandboxMode mode, boolean allowUnsandboxed, SandboxCommand command, Duration timeout) {
    return SandboxProbe.choose(
        mode,
        allowUnsandboxed,
        command,
        () -> SandboxProbe.run(command, TRUE, work, null, LIMITS, timeout));
  }

  /** What bwrap says in a pod without user namespaces. */
  private SandboxCommand broken() throws IOException {
    return fakeBwrap(
        "echo 'bwrap: No permissions to create a new namespace, likely because the kernel"
            + " does not allow non-privileged user namespaces.' >&2; exit 1");
  }

  @Test
  void bwrapThatCannotStartLeavesTheWorkerWithoutAModeAndSaysWhy() throws IOException {
    // the default (bwrap) fails closed: no fallback to running tasks unsandboxed
    SandboxProbe.Choice c = choose(SandboxMode.BWRAP, false, broken(), Duration.ofSeconds(10));

    assertThat(c.mode()).isNull();
    assertThat(c.probe().works()).isFalse();
    assertThat(c.problem())
        .startsWith("bubblewrap cannot start here: exit code 1: bwrap: No permissions to create");
    assertThat(leftovers()).isEmpty();
    // allowing unsandboxed tasks does not make an explicit bwrap fall back either
    assertThat(choose(SandboxMode.BWRAP, true, broken(), Duration.ofSeconds(10)).mode()).isNull();
  }

  @Test
  void autoFallsBackToNoneOnlyWhenUnsandboxedIsAllowed() throws IOException {
    SandboxProbe.Choice refused = choose(SandboxMode.AUTO, false, broken(), Duration.ofSeconds(10));
    assertThat(refused.mode()).isNull();
    assertThat(refused.problem()).contains("No permissions to create a new namespace");

    SandboxProbe.Choice allowed = choose(SandboxMode.AUTO, true, broken(), Duration.ofSeconds(10));
    assertThat(allowed.mode()).isEqualTo(SandboxMode.NONE);
    assertThat(allowed.problem()).contains("No permissions to create a new namespace");
  }

  @Test
  void bubblewrapIsTakenWhenTheProbeRunsThroughIt() throws IOException {
    // runs what follows the "--" that ends bwrap's options, as bwrap would
    SandboxCommand working =
        fakeBwrap("while [ \"$1\" != \"--\" ]; do shift; done; shift; exec \"$@\"");

    for (SandboxMode mode : List.of(SandboxMode.BWRAP, SandboxMode.AUTO)) {
      SandboxProbe.Choice c = choose(mode, false, working, Duration.ofSeconds(10));
      assertThat(c.mode()).isEqualTo(SandboxMode.BWRAP);
      assertThat(c.probe().works()).isTrue();
      assertThat(c.problem()).isNull();
    }
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void aProbeThatHangsCountsAsNotWorking() throws IOException {
    SandboxCommand hanging = fakeBwrap("exec sleep 60");
    long t0 = System.nanoTime();

    SandboxProbe.Choice c = choose(SandboxMode.BWRAP, false, hanging, Duration.ofMillis(500));

    assertThat(c.mode()).isNull();
    assertThat(c.problem()).contains("no answer within 500 ms");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void noneAndAMissingBubblewrapNeedAnExplicitAllowance() throws IOException {
    Supplier<SandboxProbe.Result> mustNotRun =
        () -> {
          throw new AssertionError("probed");
        };
    SandboxCommand broken = fakeBwrap("exit 1");
    SandboxProbe.Choice none = SandboxProbe.choose(SandboxMode.NONE, false, broken, mustNotRun);
    assertThat(none.mode()).isNull();
    assertThat(none.problem()).contains("dataplane.worker.allow-unsandboxed=true");
    assertThat(SandboxProbe.choose(SandboxMode.NONE, true, broken, mustNotRun).mode())
        .isEqualTo(SandboxMode.NONE);

    SandboxCommand missing =
        new SandboxCommand(
            "/usr/bin/setsid", "/usr/bin/setpriv", "/usr/bin/prlimit", "/nope/bwrap");
    SandboxProbe.Choice c = SandboxProbe.choose(SandboxMode.BWRAP, false, missing, mustNotRun);
    assertThat(c.mode()).isNull();
    assertThat(c.problem()).contains("bubblewrap is not installed (/nope/bwrap)");
    assertThat(SandboxProbe.choose(SandboxMode.AUTO, true, missing, mustNotRun).mode())
        .isEqualTo(SandboxMode.NONE);
  }

  @Test
  void aWorkRootTheTaskUsersCannotReachIsNamed() throws IOException {
    // the system tests' workers once ran unsandboxed: their work root sat in a 0700 directory
    Path closed = Files.createDirectory(tmp.resolve("closed"));
    Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx------"));
    SandboxProbe.Result r =
        SandboxProbe.run(
            SandboxCommand.standard(),
            TRUE,
            closed.resolve("work"),
            61999,
            LIMITS,
            Duration.ofSeconds(10));
    assertThat(r.works()).isFalse();
    assertThat(r.problem()).contains(closed + " is mode rwx------ (others need x)");
  }

  @Test
  void theProbeMakesTheWorkRootReachableItself() {
    SandboxCommand real = SandboxCommand.standard();
    if (!real.bwrapAvailable() || !isRoot()) {
      return; // the task uid differs from the worker's only when the worker runs as root
    }
    // a fresh work root, made by the probe before the runner ever ran (as at a worker's start)
    SandboxProbe.Result r =
        SandboxProbe.run(
            real, TRUE, tmp.resolve("fresh/work"), 61998, LIMITS, Duration.ofSeconds(10));
    assertThat(r.works()).as(String.valueOf(r.problem())).isTrue();
  }

  @Test
  void theRealBubblewrapPassesWhereItWorks() {
    SandboxCommand real = SandboxCommand.standard();
    if (!real.bwrapAvailable()) {
      return; // nothing to check on a machine without bubblewrap
    }
    // as the worker runs it: as root it drops to a task uid first
    Integer uid = isRoot() ? 61999 : null;
    SandboxProbe.Result r = SandboxProbe.run(real, TRUE, work, uid, LIMITS, Duration.ofSeconds(10));
    assertThat(r.works()).as(String.valueOf(r.problem())).isTrue();
  }

  private List<Path> leftovers() throws IOException {
    try (Stream<Path> s = Files.list(work)) {
      return s.filter(p -> p.getFileName().toString().startsWith(SandboxProbe.SCRATCH_PREFIX))
          .toList();
    }
  }

  private static boolean isRoot() {
    try {
      return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
