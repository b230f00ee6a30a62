package io.dataplane.worker.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dataplane.common.events.AttemptOutcome;
import io.dataplane.worker.redact.Redactor;
import io.dataplane.worker.runner.ProcessRunnerTest.Logs;
import io.dataplane.worker.sandbox.SandboxCommand;
import io.dataplane.worker.sandbox.SandboxMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What a hostile task tries against the worker, with real processes: publishing a host file through
 * its output (a link, a linked directory, a FIFO, a huge file), a fork bomb and a disk filler. Each
 * fails its own attempt, and a neighbour running at the same time is untouched. The limits are
 * small so that a failing limit cannot hurt the machine either: the bomb forks at most 200 sleeping
 * processes, the filler writes at most 64 MiB.
 */
class TaskContainmentTest {

  static final boolean ROOT = ProcessRunnerTest.ROOT;

  /** Processes one task may have. */
  static final int PROCESSES = 40;

  /** The sandbox's tmpfs /job and /tmp, each. */
  static final long SCRATCH = 8L << 20;

  @TempDir static Path root;
  static ProcessRunner none;
  static ProcessRunner bwrap;

  /** A host file a task must never get published: valid JSON, so following a link would work. */
  static Path hostSecret;

  @BeforeAll
  static void setUp() throws IOException {
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
    hostSecret = root.resolve("host/output.json");
    Files.createDirectories(hostSecret.getParent());
    Files.writeString(hostSecret, "{\"stolen\": \"host-secret-of-the-worker\"}");
    Files.setPosixFilePermissions(
        hostSecret.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(hostSecret, PosixFilePermissions.fromString("rw-r--r--"));
    none = runner(SandboxMode.NONE, SandboxCommand.standard(), "none");
    if (SandboxCommand.standard().bwrapAvailable()) {
      bwrap = runner(SandboxMode.BWRAP, SandboxCommand.standard(), "bwrap");
    }
  }

  @AfterAll
  static void tearDown() {
    none.close();
    if (bwrap != null) {
      bwrap.close();
    }
  }

  static ProcessRunner runner(SandboxMode mode, SandboxCommand command, String dir) {
    return new ProcessRunner(
        new RunnerSettings(
            command,
            mode,
            new SandboxCommand.Limits(2L << 30, PROCESSES, 64L << 20, SCRATCH),
            root.resolve(dir),
            "/usr/bin/bash",
            "/usr/bin/python3",
            65536,
            RunnerSettings.DEFAULT_MAX_OUTPUT_BYTES,
            20));
  }

  static ProcessRunner runnerFor(SandboxMode mode) {
    if (mode == SandboxMode.BWRAP) {
      assumeTrue(bwrap != null, "bubblewrap is not installed");
      return bwrap;
    }
    return none;
  }

  static AttemptSpec task(String runtime, String script, Integer uid) {
    return new AttemptSpec(
        "hostile",
        runtime,
        script,
        null,
        null,
        Map.of(),
        Map.of(),
        false,
        60_000L,
        uid,
        Redactor.none());
  }

  static AttemptResult run(ProcessRunner runner, AttemptSpec spec, Logs logs) throws Exception {
    return runner.start(spec, logs).result().get(90, TimeUnit.SECONDS);
  }

  static void assertNothingOfTheHostFile(AttemptResult r, Logs logs) {
    assertThat(String.valueOf(r.outputs())).doesNotContain("host-secret-of-the-worker");
    assertThat(String.valueOf(r.error())).doesNotContain("host-secret-of-the-worker");
    assertThat(logs.all()).doesNotContain("host-secret-of-the-worker");
  }

  @ParameterizedTest
  @EnumSource(
      value = SandboxMode.class,
      names = {"NONE", "BWRAP"})
  void anOutputLinkedToAHostFileIsNeverPublished(SandboxMode mode) throws Exception {
    for (String target : List.of(hostSecret.toString(), "/etc/passwd")) {
      Logs logs = new Logs();
      // under bubblewrap the output file is a bind mount: the link cannot even be made
      AttemptResult r =
          run(
              runnerFor(mode),
              task("bash", "ln -sf " + target + " \"$DP_OUTPUT\" || echo refused", uid()),
              logs);
      assertNothingOfTheHostFile(r, logs);
      assertThat(String.valueOf(r.outputs())).doesNotContain("root:");
      if (mode == SandboxMode.NONE) {
        assertThat(r.outcome()).isEqualTo(AttemptOutcome.FAILED);
        assertThat(r.error()).contains("symbolic link");
      } else {
        assertThat(logs.texts("stdout")).containsExactly("refused");
        assertThat(r.outputs()).isNull();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = SandboxMode.class,
      names = {"NONE", "BWRAP"})
  void anOutputDirectoryLinkedToTheHostIsNeverRead(SandboxMode mode) throws Exception {
    Logs logs = new Logs();
    String script =
        "cd \"$(dirname \"$DP_OUTPUT\")/..\"\n"
            + "if mv .dp .dp-old 2>/dev/null && ln -s "
            + hostSecret.getParent()
            + " .dp; then echo swapped; else echo refused; fi\n";
    AttemptResult r = run(runnerFor(mode), task("bash", script, uid()), logs);
    assertNothingOfTheHostFile(r, logs);
    if (mode == SandboxMode.NONE) {
      assertThat(logs.texts("stdout")).containsExactly("swapped");
      assertThat(r.outcome()).isEqualTo(AttemptOutcome.FAILED);
      assertThat(r.error()).contains("replaced its .dp directory");
    } else {
      assertThat(logs.texts("stdout")).containsExactly("refused");
    }
    assertThat(Files.readString(hostSecret)).contains("host-secret-of-the-worker");
  }

  @ParameterizedTest
  @EnumSource(
      value = SandboxMode.class,
      names = {"NONE", "BWRAP"})
  void aFifoAsOutputDoesNotHangTheWorker(SandboxMode mode) throws Exception {
    Logs logs = new Logs();
    long t0 = System.nanoTime();
    AttemptResult r =
        run(
            runnerFor(mode),
            task(
                "bash",
                "{ rm -f \"$DP_OUTPUT\" && mkfifo \"$DP_OUTPUT\"; } || echo refused",
                uid()),
            logs);
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(30);
    if (mode == SandboxMode.NONE) {
      assertThat(r.outcome()).isEqualTo(AttemptOutcome.FAILED);
      assertThat(r.error()).contains("not a regular file");
    } else {
      assertThat(logs.texts("stdout")).containsExactly("refused");
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = SandboxMode.class,
      names = {"NONE", "BWRAP"})
  void aHugeOutputIsRefusedUnread(SandboxMode mode) throws Exception {
    // sparse: 60 MiB of apparent size (below RLIMIT_FSIZE), no disk used; never read whole
    Logs logs = new Logs();
    AttemptResult sparse =
        run(runnerFor(mode), task("bash", "truncate -s 60M \"$DP_OUTPUT\"", uid()), logs);
    assertThat(sparse.outcome()).as(logs.all()).isEqualTo(AttemptOutcome.FAILED);
    assertThat(sparse.error()).contains("more than the limit of 65536 bytes");

    // written for real and without end: stopped (by the worker or RLIMIT_FSIZE), not the disk
    Logs filler = new Logs();
    AttemptResult endless =
        run(runnerFor(mode), task("bash", "yes > \"$DP_OUTPUT\"", uid()), filler);
    assertThat(endless.outcome()).as(filler.all()).isEqualTo(AttemptOutcome.FAILED);
  }

  @Test
  void aForkBombFailsItsOwnAttemptAndNothingElse() throws Exception {
    assumeTrue(bwrap != null, "bubblewrap is not installed");
    assumeTrue(ROOT, "a uid of the task's own needs a root worker (see the non-root test)");
    forkBombIsContained(bwrap, 61100, 61101);
  }

  /**
   * A worker that is not root runs every task as its own uid, which has many processes already (the
   * worker's threads): RLIMIT_NPROC set outside would count them. Stands in for such a worker with
   * a bwrap that first drops to uid 61200, which holds more processes than the limit.
   */
  @Test
  void aWorkerThatIsNotRootStillLimitsProcessesPerTask() throws Exception {
    assumeTrue(bwrap != null, "bubblewrap is not installed");
    assumeTrue(ROOT, "stands in for a non-root worker by dropping to another uid");
    int workerUid = 61200;
    Path bwrapAs = root.resolve("bwrap-as-" + workerUid);
    Files.writeString(
        bwrapAs,
        "#!/bin/sh\n"
            // the scratch directory (the cwd) belongs to the worker's uid, as it would
            + "chown -R "
            + workerUid
            + ":"
            + workerUid
            + " . && exec /usr/bin/setpriv --reuid="
            + workerUid
            + " --regid="
            + workerUid
            + " --clear-groups /usr/bin/bwrap \"$@\"\n");
    Files.setPosixFilePermissions(bwrapAs, PosixFilePermissions.fromString("rwxr-xr-x"));
    SandboxCommand asWorker =
        new SandboxCommand(
            "/usr/bin/setsid", "/usr/bin/setpriv", "/usr/bin/prlimit", bwrapAs.toString());
    List<Process> workerThreads = new ArrayList<>();
    try (ProcessRunner notRoot = runner(SandboxMode.BWRAP, asWorker, "not-root")) {
      // the "worker" has more processes than one task may: a limit counted outside would fail
      for (int i = 0; i < PROCESSES + 10; i++) {
        workerThreads.add(
            new ProcessBuilder(
                    "/usr/bin/setpriv",
                    "--reuid=" + workerUid,
                    "--regid=" + workerUid,
                    "--clear-groups",
                    "/usr/bin/sleep",
                    "120")
                .start());
      }
      forkBombIsContained(notRoot, null, null);
    } finally {
      workerThreads.forEach(Process::destroyForcibly);
    }
  }

  private void forkBombIsContained(ProcessRunner runner, Integer bombUid, Integer neighbourUid)
      throws Exception {
    // bounded: 200 children at most, each sleeps; refused forks end the task with exit code 3
    String bomb =
        "import os, sys, time\n"
            + "n = 0\n"
            + "try:\n"
            + "    for i in range(200):\n"
            + "        if os.fork() == 0:\n"
            + "            time.sleep(60)\n"
            + "            os._exit(0)\n"
            + "        n += 1\n"
            + "except OSError as e:\n"
            + "    print('fork refused after', n, type(e).__name__)\n"
            + "    sys.exit(3)\n"
            + "print('forked', n)\n";
    Logs bombLogs = new Logs();
    ProcessRunner.RunningProcess bombing = runner.start(task("python", bomb, bombUid), bombLogs);
    Logs neighbourLogs = new Logs();
    CompletableFuture<AttemptResult> neighbour =
        runner
            .start(
                task(
                    "bash",
                    "for i in $(seq 20); do (true) ; done; sleep 0.5 & wait; echo neighbour-ok",
                    neighbourUid),
                neighbourLogs)
            .result();
    AttemptResult r = bombing.result().get(90, TimeUnit.SECONDS);
    assertThat(r.outcome()).as(bombLogs.all()).isEqualTo(AttemptOutcome.FAILED);
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(bombLogs.texts("stdout"))
        .singleElement()
        .asString()
        .startsWith("fork refused after");
    AttemptResult n = neighbour.get(90, TimeUnit.SECONDS);
    assertThat(n.outcome()).as(neighbourLogs.all()).isEqualTo(AttemptOutcome.SUCCEEDED);
    assertThat(neighbourLogs.texts("stdout")).containsExactly("neighbour-ok");
  }

  @Test
  void aDiskFillerFailsItsOwnAttemptAndNothingElse() throws Exception {
    assumeTrue(bwrap != null, "bubblewrap is not installed");
    for (String target : List.of("/job/fill", "/tmp/fill", "fill")) {
      Logs logs = new Logs();
      ProcessRunner.RunningProcess filler =
          bwrap.start(task("bash", "yes dataplane > " + target, uid()), logs);
      Logs neighbourLogs = new Logs();
      AttemptResult neighbour =
          run(
              bwrap,
              task("bash", "echo x > /job/small && echo neighbour-ok", uid()),
              neighbourLogs);
      AttemptResult r = filler.result().get(90, TimeUnit.SECONDS);
      assertThat(r.outcome()).as(logs.all()).isEqualTo(AttemptOutcome.FAILED);
      assertThat(logs.all()).contains("No space left on device");
      assertThat(neighbour.outcome()).as(neighbourLogs.all()).isEqualTo(AttemptOutcome.SUCCEEDED);
      assertThat(neighbourLogs.texts("stdout")).containsExactly("neighbour-ok");
    }
    // "No space left" after 8 MiB: the tmpfs, not the worker's disk, took the bytes
  }

  private static Integer uid() {
    return ProcessRunnerTest.uid();
  }
}
