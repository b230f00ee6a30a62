package io.dataplane.worker.runner;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dataplane.common.events.AttemptOutcome;
import io.dataplane.common.json.Json;
import io.dataplane.worker.sandbox.SandboxCommand;
import io.dataplane.worker.sandbox.SandboxMode;
import io.dataplane.worker.sandbox.WorkRoot;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs task processes: a fresh scratch directory, the sandboxed command line, streamed and redacted
 * logs, a wall-clock timeout and cancellation that kill the whole process group, and the output
 * JSON. Plain Java; the worker service wires it to Kafka.
 */
public final class ProcessRunner implements AutoCloseable {

  private static final ObjectMapper MAPPER = Json.mapper();
  private static final String SCRATCH_PREFIX = "attempt-";
  private static final Pattern SAFE_NAME = Pattern.compile("[^A-Za-z0-9_.-]");
  private static final String KILL =
      Files.isExecutable(Path.of("/usr/bin/kill")) ? "/usr/bin/kill" : "/bin/kill";

  private final RunnerSettings settings;
  private final ExecutorService threads;
  private final ScheduledExecutorService ticker;

  public ProcessRunner(RunnerSettings settings) {
    if (settings.mode() == SandboxMode.AUTO) {
      throw new IllegalArgumentException("resolve the sandbox mode first");
    }
    this.settings = settings;
    this.threads = Executors.newCachedThreadPool(daemon("dp-task-io-"));
    this.ticker = Executors.newScheduledThreadPool(1, daemon("dp-task-tick-"));
    this.ticker.scheduleWithFixedDelay(this::sweep, 500, 500, TimeUnit.MILLISECONDS);
    try {
      Files.createDirectories(settings.workRoot());
      // scratch directories a crashed worker left behind
      try (Stream<Path> old = Files.list(settings.workRoot())) {
        old.filter(p -> p.getFileName().toString().startsWith(SCRATCH_PREFIX))
            .forEach(ProcessRunner::deleteTree);
      }
      // sandboxed uids must traverse it to reach their own scratch directory, nothing more
      WorkRoot.prepare(settings.workRoot(), null);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + settings.workRoot(), e);
    }
  }

  public RunnerSettings settings() {
    return settings;
  }

  /**
   * Prepares the scratch directory and starts the process. Returns once it is running; the result
   * completes when it has ended, its logs are published and its scratch directory is gone.
   *
   * @throws IOException when the process cannot be started (the scratch directory is removed)
   */
  public RunningProcess start(AttemptSpec spec, LogPublisher publisher) throws IOException {
    long t0 = System.nanoTime();
    Path scratch =
        Files.createTempDirectory(
            settings.workRoot(),
            SCRATCH_PREFIX + SAFE_NAME.matcher(spec.name()).replaceAll("_") + "-");
    try {
      Path dp = Files.createDirectories(scratch.resolve(".dp"));
      Path tmp = Files.createDirectories(scratch.resolve(".dp/tmp"));
      SandboxCommand.Spec layout =
          new SandboxCommand.Spec(
              settings.mode(),
              List.of(),
              scratch,
              spec.bundle(),
              spec.network(),
              spec.uid(),
              settings.limits());
      String job = layout.jobDir();
      Files.write(
          dp.resolve("inputs.json"),
          MAPPER.writeValueAsBytes(spec.inputs() == null ? Map.of() : spec.inputs()));
      String scriptPath = scriptPath(spec, layout, dp);
      List<String> argv =
          switch (spec.runtime()) {
            case "bash" -> List.of(settings.bash(), "-euo", "pipefail", scriptPath);
            case "python" -> List.of(settings.python(), "-u", scriptPath);
            default -> throw new IllegalArgumentException("unknown runtime: " + spec.runtime());
          };
      if (settings.mode() == SandboxMode.BWRAP) {
        // bound into the sandbox as the one writable file of .dp (the bundle's links are made
        // by bubblewrap in the sandbox's own /job)
        Files.createFile(dp.resolve(SandboxCommand.OUTPUT_FILE));
      } else if (spec.bundle() != null) {
        linkBundle(spec.bundle(), scratch, layout.bundleDir());
      }
      if (spec.uid() != null && settings.mode() == SandboxMode.BWRAP) {
        chownTree(scratch, spec.uid());
      }
      List<String> command =
          settings
              .command()
              .build(
                  new SandboxCommand.Spec(
                      settings.mode(),
                      argv,
                      scratch,
                      spec.bundle(),
                      spec.network(),
                      spec.uid(),
                      settings.limits()));
      Map<String, String> env = new HashMap<>(spec.env() == null ? Map.of() : spec.env());
      env.put("HOME", job);
      env.put("TMPDIR", settings.mode() == SandboxMode.BWRAP ? "/tmp" : tmp.toString());
      env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
      env.putIfAbsent("LANG", "C.UTF-8");
      env.put("PYTHONDONTWRITEBYTECODE", "1");
      env.put("DP_INPUTS", job + "/.dp/inputs.json");
      env.put("DP_OUTPUT", job + "/.dp/output.json");
      if (spec.bundle() != null) {
        env.put("DP_BUNDLE", layout.bundleDir());
        // an inline Python script imports the bundle's modules as an entrypoint would
        env.putIfAbsent("PYTHONPATH", layout.bundleDir());
      }

      ProcessBuilder pb = new ProcessBuilder(command);
      pb.environment().clear();
      pb.environment().putAll(env);
      pb.directory(scratch.toFile());
      pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      long spawnStart = System.nanoTime();
      Process process = pb.start();
      long spawnNanos = System.nanoTime() - spawnStart;
      RunningProcess running =
          new RunningProcess(spec, process, scratch, dp.resolve("output.json"), publisher, t0);
      running.begin(spawnNanos);
      return running;
    } catch (IOException | RuntimeException e) {
      deleteTree(scratch);
      throw e;
    }
  }

  private static String scriptPath(AttemptSpec spec, SandboxCommand.Spec layout, Path dp)
      throws IOException {
    if (spec.script() != null) {
      String file = "python".equals(spec.runtime()) ? "script.py" : "script.sh";
      Files.writeString(dp.resolve(file), spec.script(), StandardCharsets.UTF_8);
      return layout.jobDir() + "/.dp/" + file;
    }
    if (spec.entrypoint() == null || spec.bundle() == null) {
      throw new IllegalArgumentException("the task has neither a script nor a bundle entrypoint");
    }
    Path rel = Path.of(spec.entrypoint()).normalize();
    if (rel.isAbsolute()
        || rel.startsWith("..")
        || !Files.isRegularFile(spec.bundle().resolve(rel))) {
      throw new IllegalArgumentException(
          "entrypoint not found in the bundle: " + spec.entrypoint());
    }
    return layout.bundleDir() + "/" + rel;
  }

  /**
   * Links the bundle's top-level entries into the scratch directory, so a script finds the
   * pipeline's files where it runs ({@code ./extract.sh}); the links point into the read-only
   * bundle.
   */
  private static void linkBundle(Path bundle, Path scratch, String bundleInside)
      throws IOException {
    try (Stream<Path> entries = Files.list(bundle)) {
      for (Path e : (Iterable<Path>) entries::iterator) {
        String name = e.getFileName().toString();
        Path link = scratch.resolve(name);
        if (!name.equals(".dp") && !Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
          Files.createSymbolicLink(link, Path.of(bundleInside, name));
        }
      }
    }
  }

  private static void chownTree(Path root, int uid) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", uid, LinkOption.NOFOLLOW_LINKS);
      }
    }
  }

  static void deleteTree(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          p.toFile().setWritable(true);
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException | UncheckedIOException e) {
      // left for the next start's cleanup of the work root
    }
  }

  /**
   * Kills every process of the task. Under bubblewrap that is one SIGKILL to {@code bwrap}: its PID
   * namespace ends with it, and every process in it (also one that left the task's session); no
   * {@code kill} process to start. Without a sandbox, the group the task leads (it started with
   * setsid).
   */
  private void killAll(Process process) {
    if (settings.mode() == SandboxMode.BWRAP) {
      process.destroyForcibly();
      return;
    }
    killGroup(process);
  }

  /** Kills every process of the group the task leads (it started with setsid). */
  static void killGroup(Process process) {
    try {
      Process kill =
          new ProcessBuilder(KILL, "-KILL", "--", "-" + process.pid())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      kill.waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      // fall back to the process and its children as Java sees them
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  private final java.util.Set<Long> toSweep = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private void sweepLater(long pgid) {
    toSweep.add(pgid);
  }

  /** Kills the groups of finished tasks in one {@code kill} call (children left behind). */
  private void sweep() {
    if (toSweep.isEmpty()) {
      return;
    }
    List<String> cmd = new ArrayList<>(List.of(KILL, "-KILL", "--"));
    for (Long pgid : List.copyOf(toSweep)) {
      toSweep.remove(pgid);
      cmd.add("-" + pgid);
    }
    try {
      new ProcessBuilder(cmd)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      // nothing to sweep with: leftovers live on
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    sweep();
    ticker.shutdownNow();
    threads.shutdownNow();
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** A started task process. */
  public final class RunningProcess {
    private final AttemptSpec spec;
    private final Process process;
    private final Path scratch;
    private final Path outputFile;
    private final LogPublisher publisher;
    private final long t0;
    private final AttemptLog log;
    private final OutputPump out;
    private final OutputPump err;
    private final AtomicReference<Kill> killed = new AtomicReference<>();
    private final CompletableFuture<AttemptResult> result = new CompletableFuture<>();
    private final Object publishLock = new Object();
    private boolean published;
    private ScheduledFuture<?> tick;
    private ScheduledFuture<?> timeout;
    private long exitSeenAt;
    private volatile boolean stragglersKilled;

    private record Kill(AttemptOutcome outcome, String reason) {}

    private RunningProcess(
        AttemptSpec spec,
        Process process,
        Path scratch,
        Path outputFile,
        LogPublisher publisher,
        long t0) {
      this.spec = spec;
      this.process = process;
      this.scratch = scratch;
      this.outputFile = outputFile;
      this.publisher = publisher;
      this.t0 = t0;
      this.log = new AttemptLog(settings.logLimitBytes());
      this.out = new OutputPump("stdout", process.getInputStream(), spec.redactor(), log);
      this.err = new OutputPump("stderr", process.getErrorStream(), spec.redactor(), log);
    }

    private void begin(long spawnNanos) {
      // whichever reader sees the end of its stream last goes on to wait for the process and
      // report: no thread of its own waits, one hand-off fewer per task
      AtomicInteger open = new AtomicInteger(2);
      for (OutputPump pump : List.of(out, err)) {
        threads.submit(
            () -> {
              pump.run();
              if (open.decrementAndGet() == 0) {
                await(spawnNanos);
              }
            });
      }
      long interval = Math.max(5, settings.flushIntervalMillis());
      tick =
          ticker.scheduleAtFixedRate(
              () -> flush(interval), interval, interval, TimeUnit.MILLISECONDS);
      Long limit = spec.timeoutMillis();
      if (limit != null && limit > 0) {
        timeout =
            ticker.schedule(
                () -> kill(AttemptOutcome.TIMED_OUT, "timed out after " + limit + " ms"),
                limit,
                TimeUnit.MILLISECONDS);
      }
    }

    public long pid() {
      return process.pid();
    }

    /** Whether the process has not ended yet. */
    public boolean isRunning() {
      return !result.isDone();
    }

    public CompletableFuture<AttemptResult> result() {
      return result;
    }

    /**
     * Kills the process group; the attempt ends with {@code outcome} (CANCELLED, INTERRUPTED or
     * TIMED_OUT). Only the first kill counts. Returns whether this call killed it.
     */
    public boolean kill(AttemptOutcome outcome, String reason) {
      if (result.isDone() || !killed.compareAndSet(null, new Kill(outcome, reason))) {
        return false;
      }
      killAll(process);
      return true;
    }

    private void flush(long intervalMillis) {
      watchOutputSize();
      out.flushPartial(TimeUnit.MILLISECONDS.toNanos(intervalMillis));
      err.flushPartial(TimeUnit.MILLISECONDS.toNanos(intervalMillis));
      synchronized (publishLock) {
        if (published) {
          return;
        }
        for (List<io.dataplane.common.events.LogChunk.Line> chunk : log.drain()) {
          safePublish(chunk, false);
        }
      }
      watchStragglers();
    }

    /** A task that writes more output than is accepted is stopped before it fills the disk. */
    private void watchOutputSize() {
      try {
        long size =
            Files.readAttributes(outputFile, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                .size();
        if (size > settings.maxOutputBytes()) {
          kill(
              AttemptOutcome.FAILED,
              "output is more than the limit of "
                  + settings.maxOutputBytes()
                  + " bytes (the task was stopped while writing it)");
        }
      } catch (IOException e) {
        // not written (yet)
      }
    }

    /**
     * The process has exited but its output is still open: a child holds it. Kill the group; if
     * even that does not close it (the child left the group), stop reading.
     */
    private void watchStragglers() {
      if (process.isAlive() || (out.done() && err.done())) {
        return;
      }
      long now = System.nanoTime();
      if (exitSeenAt == 0) {
        exitSeenAt = now;
      } else if (!stragglersKilled && now - exitSeenAt > TimeUnit.MILLISECONDS.toNanos(200)) {
        stragglersKilled = true;
        killAll(process);
      } else if (stragglersKilled && now - exitSeenAt > TimeUnit.SECONDS.toNanos(3)) {
        closeQuietly();
      }
    }

    private void safePublish(List<io.dataplane.common.events.LogChunk.Line> lines, boolean last) {
      try {
        publisher.publish(lines, last);
      } catch (RuntimeException e) {
        // a log transport failure must not take the attempt down
      }
    }

    private void await(long spawnNanos) {
      AttemptResult r;
      try {
        int exit = process.waitFor();
        r = outcome(exit, spawnNanos);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        killAll(process);
        r = result(AttemptOutcome.INTERRUPTED, null, null, "worker interrupted", spawnNanos);
      } catch (RuntimeException e) {
        r = result(AttemptOutcome.ERROR, null, null, "worker error: " + e, spawnNanos);
      }
      if (tick != null) {
        tick.cancel(false);
      }
      if (timeout != null) {
        timeout.cancel(false);
      }
      log.system(statusLine(r));
      synchronized (publishLock) {
        List<List<io.dataplane.common.events.LogChunk.Line>> chunks = log.drain();
        for (int i = 0; i < chunks.size(); i++) {
          safePublish(chunks.get(i), i == chunks.size() - 1);
        }
        published = true;
      }
      result.complete(r);
      deleteTree(scratch);
      if (settings.mode() == SandboxMode.NONE && killed.get() == null && !stragglersKilled) {
        // background children that closed their output die too, in the next sweep (under
        // bubblewrap the end of the pid namespace has killed them already)
        sweepLater(process.pid());
      }
    }

    private void closeQuietly() {
      try {
        process.getInputStream().close();
      } catch (IOException ignored) {
        // closing only to unblock a reader
      }
      try {
        process.getErrorStream().close();
      } catch (IOException ignored) {
        // closing only to unblock a reader
      }
    }

    private AttemptResult outcome(int exit, long spawnNanos) {
      Kill k = killed.get();
      if (k != null) {
        return result(k.outcome(), null, null, k.reason(), spawnNanos);
      }
      if (exit != 0) {
        return result(AttemptOutcome.FAILED, exit, null, "exit code " + exit, spawnNanos);
      }
      Output o;
      try {
        o = readOutput(scratch, outputFile, settings.maxOutputBytes());
      } catch (IOException e) {
        return result(
            AttemptOutcome.FAILED,
            exit,
            null,
            "output could not be read: " + e.getMessage(),
            spawnNanos);
      }
      if (o.problem() != null) {
        return result(AttemptOutcome.FAILED, exit, null, o.problem(), spawnNanos);
      }
      if (o.bytes() == null) {
        return result(AttemptOutcome.SUCCEEDED, exit, null, null, spawnNanos);
      }
      try {
        JsonNode node = MAPPER.readTree(o.bytes());
        if (node == null || !node.isObject()) {
          return result(
              AttemptOutcome.FAILED,
              exit,
              null,
              "output is not a JSON object (DP_OUTPUT must hold one object)",
              spawnNanos);
        }
        // outputs are stored, shown and handed downstream (to tasks that may not declare the
        // secret): they are redacted like the log
        Map<String, Object> outputs =
            MAPPER.convertValue(
                spec.redactor().redact(node), new TypeReference<Map<String, Object>>() {});
        return result(AttemptOutcome.SUCCEEDED, exit, outputs, null, spawnNanos);
      } catch (JsonProcessingException e) {
        // the parser's message quotes the offending text, which may be a secret: position only
        JsonLocation at = e.getLocation();
        return result(
            AttemptOutcome.FAILED,
            exit,
            null,
            "output is not valid JSON"
                + (at == null
                    ? ""
                    : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"),
            spawnNanos);
      } catch (IOException e) {
        return result(
            AttemptOutcome.FAILED,
            exit,
            null,
            "output could not be read: " + e.getMessage(),
            spawnNanos);
      }
    }

    private AttemptResult result(
        AttemptOutcome outcome,
        Integer exit,
        Map<String, Object> outputs,
        String error,
        long spawnNanos) {
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      return new AttemptResult(
          outcome, exit, outputs, error, millis, log.bytes(), log.truncated(), spawnNanos);
    }
  }

  /** The task's output file: its bytes (null: none written), or why it is refused. */
  record Output(byte[] bytes, String problem) {}

  /**
   * Reads the task's output file without following links: it must be a regular file inside the
   * scratch directory, of at most {@code max} bytes. A task that replaced it (or its directory) by
   * a link to a host file, or by a FIFO, gets an error, never the host file's content.
   */
  static Output readOutput(Path scratch, Path outputFile, long max) throws IOException {
    BasicFileAttributes dir;
    try {
      dir =
          Files.readAttributes(
              outputFile.getParent(), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (java.nio.file.NoSuchFileException e) {
      return new Output(null, "the task removed its .dp directory");
    }
    if (!dir.isDirectory()) {
      return new Output(null, "the task replaced its .dp directory (by a link or a file)");
    }
    BasicFileAttributes attrs;
    try {
      attrs =
          Files.readAttributes(outputFile, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (java.nio.file.NoSuchFileException e) {
      return new Output(null, null);
    }
    if (attrs.isSymbolicLink()) {
      return new Output(null, "output is a symbolic link; DP_OUTPUT must be a regular file");
    }
    if (!attrs.isRegularFile()) {
      return new Output(null, "output is not a regular file (DP_OUTPUT must be one)");
    }
    if (!outputFile.toRealPath().startsWith(scratch.toRealPath())) {
      return new Output(null, "output lies outside the scratch directory");
    }
    if (attrs.size() > max) {
      return new Output(
          null, "output is " + attrs.size() + " bytes, more than the limit of " + max + " bytes");
    }
    try (InputStream in =
        Channels.newInputStream(
            Files.newByteChannel(outputFile, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
      if (bytes.length > max) {
        return new Output(null, "output is more than the limit of " + max + " bytes");
      }
      return new Output(bytes.length == 0 ? null : bytes, null);
    }
  }

  /** The last line of every attempt's log. */
  static String statusLine(AttemptResult r) {
    List<String> parts = new ArrayList<>();
    parts.add("attempt finished: " + r.outcome());
    if (r.exitCode() != null) {
      parts.add("exit code " + r.exitCode());
    }
    if (r.error() != null && r.exitCode() == null
        || r.error() != null
            && r.outcome() == AttemptOutcome.FAILED
            && !r.error().startsWith("exit code")) {
      parts.add(r.error());
    }
    parts.add(r.durationMillis() + " ms");
    return String.join(", ", parts);
  }
}
