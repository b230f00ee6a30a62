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

  private SandboxProbe.Choice auto(SandboxCommand command, Duration timeout) {
    return SandboxProbe.choose(
        SandboxMode.AUTO,
        command,
        () -> SandboxProbe.run(command, TRUE, work, null, LIMITS, timeout));
  }

  @Test
  void autoFallsBackToNoneWhenBubblewrapCannotStart() throws IOException {
    // what bwrap says in a pod without user namespaces
    SandboxCommand broken =
        fakeBwrap(
            "echo 'bwrap: No permissions to create a new namespace, likely because the kernel"
                + " does not allow non-privileged user namespaces.' >&2; exit 1");

    SandboxProbe.Choice c = auto(broken, Duration.ofSeconds(10));

    assertThat(c.mode()).isEqualTo(SandboxMode.NONE);
    assertThat(c.probe().works()).isFalse();
    assertThat(c.probe().problem())
        .startsWith("exit code 1: bwrap: No permissions to create a new namespace");
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void autoTakesBubblewrapWhenTheProbeRunsThroughIt() throws IOException {
    // runs what follows the "--" that ends bwrap's options, as bwrap would
    SandboxCommand working =
        fakeBwrap("while [ \"$1\" != \"--\" ]; do shift; done; shift; exec \"$@\"");

    SandboxProbe.Choice c = auto(working, Duration.ofSeconds(10));

    assertThat(c.mode()).isEqualTo(SandboxMode.BWRAP);
    assertThat(c.probe().works()).isTrue();
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void aProbeThatHangsCountsAsNotWorking() throws IOException {
    SandboxCommand hanging = fakeBwrap("exec sleep 60");
    long t0 = System.nanoTime();

    SandboxProbe.Choice c = auto(hanging, Duration.ofMillis(500));

    assertThat(c.mode()).isEqualTo(SandboxMode.NONE);
    assertThat(c.probe().problem()).contains("no answer within 500 ms");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void explicitModesAreNotProbed() throws IOException {
    SandboxCommand broken = fakeBwrap("exit 1");
    Supplier<SandboxProbe.Result> mustNotRun =
        () -> {
          throw new AssertionError("probed");
        };

    // an explicit bwrap keeps failing loudly: no fallback
    assertThat(SandboxProbe.choose(SandboxMode.BWRAP, broken, mustNotRun))
        .isEqualTo(new SandboxProbe.Choice(SandboxMode.BWRAP, null));
    assertThat(SandboxProbe.choose(SandboxMode.NONE, broken, mustNotRun))
        .isEqualTo(new SandboxProbe.Choice(SandboxMode.NONE, null));
    SandboxCommand missing =
        new SandboxCommand(
            "/usr/bin/setsid", "/usr/bin/setpriv", "/usr/bin/prlimit", "/nope/bwrap");
    assertThat(SandboxProbe.choose(SandboxMode.AUTO, missing, mustNotRun))
        .isEqualTo(new SandboxProbe.Choice(SandboxMode.NONE, null));
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
