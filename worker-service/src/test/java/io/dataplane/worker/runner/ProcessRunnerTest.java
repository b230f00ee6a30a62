package io.dataplane.worker.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dataplane.common.events.AttemptOutcome;
import io.dataplane.common.events.LogChunk;
import io.dataplane.worker.redact.Redactor;
import io.dataplane.worker.sandbox.SandboxCommand;
import io.dataplane.worker.sandbox.SandboxMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ProcessRunnerTest {

  static final boolean ROOT = "root".equals(System.getProperty("user.name"));
  static final SandboxCommand COMMAND = SandboxCommand.standard();

  @TempDir static Path root;
  static ProcessRunner none;
  static ProcessRunner bwrap;

  @BeforeAll
  static void setUp() throws IOException {
    // sandboxed uids must traverse the path to their scratch directory
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
    none = runner(SandboxMode.NONE);
    if (COMMAND.bwrapAvailable()) {
      bwrap = runner(SandboxMode.BWRAP);
    }
  }

  @AfterAll
  static void tearDown() {
    none.close();
    if (bwrap != null) {
      bwrap.close();
    }
  }

  static ProcessRunner runner(SandboxMode mode) {
    return new ProcessRunner(
        new RunnerSettings(
            COMMAND,
            mode,
            new SandboxCommand.Limits(2L << 30, 256, 64L << 20),
            root.resolve(mode.name().toLowerCase()),
            "/usr/bin/bash",
            "/usr/bin/python3",
            4096,
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

  /** Collects what the runner publishes. */
  static final class Logs implements LogPublisher {
    final List<LogChunk.Line> lines = Collections.synchronizedList(new ArrayList<>());
    volatile int lastCount;

    @Override
    public void publish(List<LogChunk.Line> chunk, boolean last) {
      lines.addAll(chunk);
      if (last) {
        lastCount++;
      }
    }

    List<String> texts(String stream) {
      synchronized (lines) {
        return lines.stream()
            .filter(l -> l.stream().equals(stream))
            .map(LogChunk.Line::text)
            .collect(Collectors.toList());
      }
    }

    String all() {
      synchronized (lines) {
        return lines.stream().map(LogChunk.Line::text).collect(Collectors.joining("\n"));
      }
    }
  }

  static AttemptSpec bash(String script) {
    return spec("bash", script, Map.of(), Redactor.none(), null);
  }

  static AttemptSpec spec(
      String runtime, String script, Map<String, String> env, Redactor redactor, Long timeout) {
    return new AttemptSpec(
        "t", runtime, script, null, null, env, Map.of(), false, timeout, uid(), redactor);
  }

  static Integer uid() {
    return ROOT ? 61000 + ThreadLocalRandom.current().nextInt(100) : null;
  }

  static AttemptResult run(SandboxMode mode, AttemptSpec spec, Logs logs) throws Exception {
    return runnerFor(mode).start(spec, logs).result().get(60, TimeUnit.SECONDS);
  }

  @ParameterizedTest
  @EnumSource(
      value = SandboxMode.class,
      names = {"NONE", "BWRAP"})
  void reportsExitCodesAndStreams(SandboxMode mode) throws Exception {
    Logs logs = new Logs();
    AttemptResult ok = run(mode, bash("echo out; echo err >&2"), logs);
    assertThat(ok.outcome()).isEqualTo(AttemptOutcome.SUCCEEDED);
    assertThat(ok.exitCode()).isZero();
    assertThat(logs.texts("stdout")).containsExactly("out");
    assertThat(logs.texts("stderr")).containsExactly("err");
    assertThat(logs.texts("system")).singleElement().asString().contains("SUCCEEDED");
    assertThat(logs.lastCount).isEqualTo(1);
    assertThat(logs.lines).extracting(LogChunk.Line::seq).containsExactly(1L, 2L, 3L);

    Logs failed = new Logs();
    AttemptResult r = run(mode, bash("echo about to fail; exit 7"), failed);
    assertThat(r.outcome()).isEqualTo(AttemptOutcome.FAILED);
    assertThat(r.exitCode()).isEqualTo(7);
    assertThat(r.error()).isEqualTo("exit code 7");
    assertThat(failed.texts("system")).singleElement().asString().contains("exit code 7");

    // -euo pipefail: an unset variable and a failing pipe stage both fail the script
    assertThat(run(mode, bash("echo $UNSET_VARIABLE_X"), new Logs()).exitCode()).isNotZero();
    assertThat(run(mode, bash("false | true; echo not reached"), new Logs()).exitCode())
        .isNotZero();
  }

  /** Debian's awk (like which, java, …) is a link through /etc/alternatives. */
  @ParameterizedTest
  @EnumSource(
      value = SandboxMode.class,
      names = {"NONE", "BWRAP"})
  void commandsInstalledAsAlternativesRun(SandboxMode mode) throws Exception {
    Logs logs = new Logs();
    AttemptResult r = run(mode, bash("echo 1 2 | awk '{print $1 + $2}'"), logs);
    assertThat(r.outcome()).as(logs.all()).isEqualTo(AttemptOutcome.SUCCEEDED);
    assertThat(logs.texts("stdout")).containsExactly("3");
  }

  @ParameterizedTest
  @EnumSource(
      value = SandboxMode.class,
      names = {"NONE", "BWRAP"})
  void pythonRunsUnbuffered(SandboxMode mode) throws Exception {
    Logs logs = new Logs();
    AttemptResult r =
        run(
            mode,
            spec(
                "python",
                "import sys, os\nprint('py', sys.version_info[0])\nsys.exit(3)\n",
                Map.of(),
                Redactor.none(),
                null),
            logs);
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(logs.texts("stdout")).containsExactly("py 3");
  }

  @ParameterizedTest
  @EnumSource(
      value = SandboxMode.class,
      names = {"NONE", "BWRAP"})
  void timeoutKillsTheProcessGroup(SandboxMode mode) throws Exception {
    String marker = marker();
    Logs logs = new Logs();
    long t0 = System.nanoTime();
    AttemptResult r =
        run(
            mode,
            spec(
                "bash",
                "(sleep " + marker + ") &\necho started\nsleep " + marker + "\n",
                Map.of(),
                Redactor.none(),
                500L),
            logs);
    assertThat(r.outcome()).isEqualTo(AttemptOutcome.TIMED_OUT);
    assertThat(r.exitCode()).isNull();
    assertThat(r.error()).contains("timed out after 500 ms");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(10_000);
    assertThat(logs.texts("stdout")).containsExactly("started");
    await().atMost(Duration.ofSeconds(5)).until(() -> processesWith(marker).isEmpty());
  }

  @ParameterizedTest
  @EnumSource(
      value = SandboxMode.class,
      names = {"NONE", "BWRAP"})
  void cancelKillsForkedChildrenToo(SandboxMode mode) throws Exception {
    String marker = marker();
    Logs logs = new Logs();
    // a child that forks a grandchild and sleeps, plus a detached (nohup) one
    ProcessRunner.RunningProcess p =
        runnerFor(mode)
            .start(
                bash(
                    "bash -c 'sleep "
                        + marker
                        + " & sleep "
                        + marker
                        + "' &\nnohup sleep "
                        + marker
                        + " >/dev/null 2>&1 &\necho ready\nwait\n"),
                logs);
    await().atMost(Duration.ofSeconds(10)).until(() -> logs.texts("stdout").contains("ready"));
    await().atMost(Duration.ofSeconds(5)).until(() -> processesWith(marker).size() >= 3);
    assertThat(p.kill(AttemptOutcome.CANCELLED, "cancelled by alice")).isTrue();
    AttemptResult r = p.result().get(10, TimeUnit.SECONDS);
    assertThat(r.outcome()).isEqualTo(AttemptOutcome.CANCELLED);
    assertThat(r.error()).isEqualTo("cancelled by alice");
    await().atMost(Duration.ofSeconds(5)).until(() -> processesWith(marker).isEmpty());
    assertThat(p.kill(AttemptOutcome.CANCELLED, "again")).isFalse();
  }

  /**
   * A child that starts a session of its own leaves the task's process group; under bubblewrap it
   * still dies with the task, on cancel and on timeout (the task's PID namespace ends with bwrap).
   */
  @Test
  void aChildInASessionOfItsOwnDiesWithTheSandboxedTask() throws Exception {
    String marker = marker();
    Logs logs = new Logs();
    ProcessRunner.RunningProcess p =
        runnerFor(SandboxMode.BWRAP)
            .start(
                bash(
                    "setsid sleep "
                        + marker
                        + " >/dev/null 2>&1 < /dev/null &\n"
                        + "setsid -f sleep "
                        + marker
                        + " >/dev/null 2>&1 < /dev/null\n"
                        + "echo ready\nsleep "
                        + marker
                        + "\n"),
                logs);
    await().atMost(Duration.ofSeconds(10)).until(() -> logs.texts("stdout").contains("ready"));
    await().atMost(Duration.ofSeconds(5)).until(() -> processesWith(marker).size() >= 3);
    assertThat(p.kill(AttemptOutcome.CANCELLED, "cancelled")).isTrue();
    assertThat(p.result().get(10, TimeUnit.SECONDS).outcome()).isEqualTo(AttemptOutcome.CANCELLED);
    await().atMost(Duration.ofSeconds(5)).until(() -> processesWith(marker).isEmpty());

    String late = marker();
    AttemptResult r =
        run(
            SandboxMode.BWRAP,
            spec(
                "bash",
                "setsid -f sleep " + late + " >/dev/null 2>&1 < /dev/null\nsleep " + late + "\n",
                Map.of(),
                Redactor.none(),
                500L),
            new Logs());
    assertThat(r.outcome()).isEqualTo(AttemptOutcome.TIMED_OUT);
    await().atMost(Duration.ofSeconds(5)).until(() -> processesWith(late).isEmpty());
  }

  /**
   * The limits hold for every runtime under bubblewrap (set inside the sandbox, right before the
   * interpreter), hard as well as soft: the task cannot raise them back, and nothing it puts in its
   * environment (SHELLOPTS with PS4, PYTHONPATH, …) runs before them.
   */
  @Test
  void theLimitsHoldInsideTheSandboxAndCannotBeRaised() throws Exception {
    Map<String, String> hostile =
        Map.of("SHELLOPTS", "xtrace", "PS4", "$(ulimit -Hv unlimited)", "PYTHONPATH", "/job/.dp");
    Logs shell = new Logs();
    AttemptResult b =
        run(
            SandboxMode.BWRAP,
            spec(
                "bash",
                "echo \"$(ulimit -Hv) $(ulimit -Sv) $(ulimit -Hu) $(ulimit -Hf)\"\n"
                    + "ulimit -Hv unlimited 2>/dev/null && echo raised || echo kept",
                hostile,
                Redactor.none(),
                null),
            shell);
    assertThat(b.outcome()).as(shell.all()).isEqualTo(AttemptOutcome.SUCCEEDED);
    // 2 GiB in KiB, 256 processes, 64 MiB in 1 KiB blocks
    assertThat(shell.texts("stdout")).containsExactly("2097152 2097152 256 65536", "kept");

    Logs py = new Logs();
    AttemptResult p =
        run(
            SandboxMode.BWRAP,
            spec(
                "python",
                "import resource as r\n"
                    + "print(*[r.getrlimit(k) for k in (r.RLIMIT_AS, r.RLIMIT_NPROC,"
                    + " r.RLIMIT_FSIZE)])\n"
                    + "try:\n"
                    + "    r.setrlimit(r.RLIMIT_AS, (r.RLIM_INFINITY, r.RLIM_INFINITY))\n"
                    + "    print('raised')\n"
                    + "except (ValueError, OSError):\n"
                    + "    print('kept')\n",
                hostile,
                Redactor.none(),
                null),
            py);
    assertThat(p.outcome()).as(py.all()).isEqualTo(AttemptOutcome.SUCCEEDED);
    assertThat(py.texts("stdout"))
        .containsExactly("(2147483648, 2147483648) (256, 256) (67108864, 67108864)", "kept");
  }

  @ParameterizedTest
  @EnumSource(
      value = SandboxMode.class,
      names = {"NONE", "BWRAP"})
  void backgroundChildrenDoNotOutliveASuccessfulTask(SandboxMode mode) throws Exception {
    String marker = marker();
    AttemptResult r = run(mode, bash("sleep " + marker + " &\necho done"), new Logs());
    assertThat(r.outcome()).isEqualTo(AttemptOutcome.SUCCEEDED);
    await().atMost(Duration.ofSeconds(5)).until(() -> processesWith(marker).isEmpty());
  }

  @ParameterizedTest
  @EnumSource(
      value = SandboxMode.class,
      names = {"NONE", "BWRAP"})
  void readsInputsAndWritesOutputs(SandboxMode mode) throws Exception {
    Map<String, Object> inputs = Map.of("extract", Map.of("rows", 42));
    AttemptSpec spec =
        new AttemptSpec(
            "io",
            "python",
            "import json, os\n"
                + "inp = json.load(open(os.environ['DP_INPUTS']))\n"
                + "json.dump({'rows': inp['extract']['rows'] + 1, 'cwd': os.getcwd(),"
                + " 'run': os.environ['DP_RUN_ID']}, open(os.environ['DP_OUTPUT'], 'w'))\n",
            null,
            null,
            Map.of("DP_RUN_ID", "r-1"),
            inputs,
            false,
            null,
            uid(),
            Redactor.none());
    Logs logs = new Logs();
    AttemptResult r = run(mode, spec, logs);
    assertThat(r.outcome()).as(logs.all()).isEqualTo(AttemptOutcome.SUCCEEDED);
    assertThat(r.outputs()).containsEntry("rows", 43).containsEntry("run", "r-1");
    String cwd = (String) r.outputs().get("cwd");
    if (mode == SandboxMode.BWRAP) {
      assertThat(cwd).isEqualTo("/job");
    } else {
      // the scratch directory is removed afterwards
      await().atMost(Duration.ofSeconds(5)).until(() -> !Files.exists(Path.of(cwd)));
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = SandboxMode.class,
      names = {"NONE", "BWRAP"})
  void rejectsInvalidOutputs(SandboxMode mode) throws Exception {
    AttemptResult notObject = run(mode, bash("echo '[1,2]' > \"$DP_OUTPUT\""), new Logs());
    assertThat(notObject.outcome()).isEqualTo(AttemptOutcome.FAILED);
    assertThat(notObject.exitCode()).isZero();
    assertThat(notObject.error()).contains("not a JSON object");

    AttemptResult garbage = run(mode, bash("echo '{oops' > \"$DP_OUTPUT\""), new Logs());
    assertThat(garbage.outcome()).isEqualTo(AttemptOutcome.FAILED);
    assertThat(garbage.error()).contains("not valid JSON");

    Logs logs = new Logs();
    AttemptResult big =
        run(
            mode,
            bash(
                "python3 -c \"import json,os; json.dump({'x': 'a'*70000},"
                    + " open(os.environ['DP_OUTPUT'],'w'))\""),
            logs);
    assertThat(big.outcome()).isEqualTo(AttemptOutcome.FAILED);
    assertThat(big.error()).contains("more than the limit of 65536 bytes");
    assertThat(logs.texts("system")).singleElement().asString().contains("65536");
  }

  @ParameterizedTest
  @EnumSource(
      value = SandboxMode.class,
      names = {"NONE", "BWRAP"})
  void redactsSecretsInOutputsAndOutputErrors(SandboxMode mode) throws Exception {
    String secret = "hunter2" + marker();
    Map<String, String> env = Map.of("DB_PASSWORD", secret);
    Redactor redactor = Redactor.of(List.of(secret));
    AttemptResult ok =
        run(
            mode,
            spec(
                "python",
                "import json, os\n"
                    + "v = os.environ['DB_PASSWORD']\n"
                    + "json.dump({'p': v, 'n': {'l': ['x ' + v]}, v: 1, 'rows': 3},"
                    + " open(os.environ['DP_OUTPUT'], 'w'))\n",
                env,
                redactor,
                null),
            new Logs());
    assertThat(ok.outcome()).isEqualTo(AttemptOutcome.SUCCEEDED);
    assertThat(ok.outputs()).containsEntry("p", "***").containsEntry("***", 1);
    assertThat(ok.outputs()).containsEntry("rows", 3);
    assertThat(ok.outputs().toString()).doesNotContain(secret);

    // the parser's message would quote the secret ("Unrecognized token 'hunter2...'")
    Logs logs = new Logs();
    AttemptResult bad =
        run(
            mode,
            spec("bash", "printf '%s' \"$DB_PASSWORD\" > \"$DP_OUTPUT\"", env, redactor, null),
            logs);
    assertThat(bad.outcome()).isEqualTo(AttemptOutcome.FAILED);
    assertThat(bad.error()).startsWith("output is not valid JSON (line 1, column ");
    assertThat(bad.error()).doesNotContain("hunter2");
    assertThat(logs.all()).doesNotContain("hunter2");
  }

  @ParameterizedTest
  @EnumSource(
      value = SandboxMode.class,
      names = {"NONE", "BWRAP"})
  void redactsSecretsWhileStreaming(SandboxMode mode) throws Exception {
    String secret = "hunter2-" + marker();
    Map<String, String> env = new HashMap<>();
    env.put("DB_PASSWORD", secret);
    Logs logs = new Logs();
    AttemptResult r =
        run(
            mode,
            spec(
                "bash",
                "echo \"raw $DB_PASSWORD\"\n"
                    + "printf '%s' \"$DB_PASSWORD\" | base64\n"
                    + "printf 'x%s' \"$DB_PASSWORD\" | base64\n"
                    + "printf 'xy%s' \"$DB_PASSWORD\" | base64\n"
                    + "printf '%s' \"$DB_PASSWORD\" | od -An -tx1 | tr -d ' \\n'; echo\n"
                    + "python3 -c 'import json,os,urllib.parse as u; v=os.environ[\"DB_PASSWORD\"];"
                    + " print(u.quote(v)); print(json.dumps({\"p\": v+\"\\n\"}))'\n"
                    + "printf 'split %s' \"${DB_PASSWORD:0:5}\"; sleep 0.3;"
                    + " printf '%s end\\n' \"${DB_PASSWORD:5}\"\n",
                env,
                Redactor.of(List.of(secret)),
                null),
            logs);
    assertThat(r.outcome()).as(logs.all()).isEqualTo(AttemptOutcome.SUCCEEDED);
    String all = logs.all();
    assertThat(all).doesNotContain(secret).doesNotContain(secret.substring(0, 5) + "\n");
    List<String> out = logs.texts("stdout");
    assertThat(out.get(0)).isEqualTo("raw ***");
    assertThat(out).filteredOn(l -> l.contains("***")).hasSizeGreaterThanOrEqualTo(7);
    assertThat(String.join("", out)).contains("split *** end");
  }

  @ParameterizedTest
  @EnumSource(
      value = SandboxMode.class,
      names = {"NONE", "BWRAP"})
  void streamsLinesWithinAFlushInterval(SandboxMode mode) throws Exception {
    Logs logs = new Logs();
    ProcessRunner.RunningProcess p =
        runnerFor(mode).start(bash("echo first; printf 'partial'; sleep 60; echo"), logs);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> logs.texts("stdout").containsAll(List.of("first", "partial")));
    assertThat(p.isRunning()).isTrue();
    p.kill(AttemptOutcome.CANCELLED, "enough");
    p.result().get(10, TimeUnit.SECONDS);
  }

  @Test
  void truncatesAtTheLogLimitButKeepsTheStatus() throws Exception {
    Logs logs = new Logs();
    AttemptResult r =
        run(SandboxMode.NONE, bash("for i in $(seq 1 2000); do echo line-$i; done; exit 4"), logs);
    assertThat(r.logTruncated()).isTrue();
    assertThat(r.exitCode()).isEqualTo(4);
    List<String> system = logs.texts("system");
    assertThat(system).hasSize(2);
    assertThat(system.get(0)).contains("log truncated");
    assertThat(system.get(1)).contains("exit code 4");
    assertThat(logs.texts("stdout")).hasSizeLessThan(2000).contains("line-1");
    assertThat(r.logBytes()).isLessThanOrEqualTo(4096);
  }

  @Test
  void sandboxDeniesNetworkAndWritesOutsideScratch() throws Exception {
    Logs logs = new Logs();
    AttemptResult r =
        run(
            SandboxMode.BWRAP,
            bash(
                "if (exec 3<>/dev/tcp/127.0.0.1/9092) 2>/dev/null; then echo NET-OPEN; else echo"
                    + " net-denied; fi\n"
                    + "for f in /usr/dp-probe /etc/dp-probe /bundle-probe "
                    + root
                    + "/dp-probe; do\n"
                    + "  if (echo x > $f) 2>/dev/null; then echo WROTE $f; else echo denied $f; fi\n"
                    + "done\n"
                    + "echo x > /job/mine && echo scratch-ok\n"
                    + "echo x > /tmp/mine && echo tmp-ok\n"
                    + "ls /home /root 2>/dev/null || echo no-home\n"
                    + "id -u\n"),
            logs);
    assertThat(r.outcome()).as(logs.all()).isEqualTo(AttemptOutcome.SUCCEEDED);
    List<String> out = logs.texts("stdout");
    assertThat(out).contains("net-denied", "scratch-ok", "tmp-ok", "no-home");
    assertThat(out).noneMatch(l -> l.startsWith("WROTE") || l.equals("NET-OPEN"));
    assertThat(Files.exists(root.resolve("dp-probe"))).isFalse();
    if (ROOT) {
      assertThat(out).noneMatch(l -> l.equals("0"));
    }
  }

  @Test
  void sandboxSharesTheNetworkOnlyWhenTheTaskAllowsIt() throws Exception {
    // Kafka of the local stack listens on 127.0.0.1:9092 while the tests run
    String probe =
        "if (exec 3<>/dev/tcp/127.0.0.1/9092) 2>/dev/null; then echo open; else echo closed; fi";
    AttemptSpec allowed =
        new AttemptSpec(
            "net",
            "bash",
            probe,
            null,
            null,
            Map.of(),
            Map.of(),
            true,
            null,
            uid(),
            Redactor.none());
    Logs logs = new Logs();
    assertThat(run(SandboxMode.BWRAP, allowed, logs).outcome()).isEqualTo(AttemptOutcome.SUCCEEDED);
    assertThat(logs.texts("stdout")).containsExactly("open");
    Logs denied = new Logs();
    run(SandboxMode.BWRAP, bash(probe), denied);
    assertThat(denied.texts("stdout")).containsExactly("closed");
  }

  @Test
  void environmentHasOnlyWhatWasGiven() throws Exception {
    Logs logs = new Logs();
    AttemptResult r =
        run(
            SandboxMode.NONE,
            spec("bash", "env | cut -d= -f1 | sort", Map.of("MINE", "1"), Redactor.none(), null),
            logs);
    assertThat(r.outcome()).isEqualTo(AttemptOutcome.SUCCEEDED);
    assertThat(logs.texts("stdout"))
        .contains("MINE", "DP_INPUTS", "DP_OUTPUT", "HOME", "PATH")
        .doesNotContain("JAVA_HOME", "MAVEN_OPTS", "USER");
  }

  @Test
  void missingEntrypointFailsToStart() {
    AttemptSpec spec =
        new AttemptSpec(
            "x",
            "bash",
            null,
            "../etc/passwd",
            root,
            Map.of(),
            Map.of(),
            false,
            null,
            null,
            Redactor.none());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> none.start(spec, new Logs()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("entrypoint");
  }

  static String marker() {
    // a unique sleep duration names the processes of one test
    return "3" + ThreadLocalRandom.current().nextInt(100, 999) + "." + System.nanoTime() % 100000;
  }

  static List<Long> processesWith(String marker) throws IOException {
    List<Long> pids = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : (Iterable<Path>) procs::iterator) {
        String name = p.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String cmd =
              new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                  .replace('\0', ' ');
          if (cmd.contains("sleep " + marker)) {
            pids.add(Long.parseLong(name));
          }
        } catch (IOException gone) {
          // exited meanwhile
        }
      }
    }
    return pids;
  }
}
