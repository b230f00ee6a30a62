package io.dataplane.worker.bench;

import io.dataplane.common.events.EventCodec;
import io.dataplane.common.events.EventEnvelope;
import io.dataplane.common.events.LogChunk;
import io.dataplane.worker.redact.Redactor;
import io.dataplane.worker.runner.AttemptResult;
import io.dataplane.worker.runner.AttemptSpec;
import io.dataplane.worker.runner.LogPublisher;
import io.dataplane.worker.runner.ProcessRunner;
import io.dataplane.worker.runner.RunnerSettings;
import io.dataplane.worker.sandbox.SandboxCommand;
import io.dataplane.worker.sandbox.SandboxMode;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Per-task overhead the worker adds on top of spawning the process (not a test). For each sandbox
 * mode it alternates a bare spawn of the very command line the worker would run (same sandbox
 * wrapper, same script, output read to the end) with a full run through {@link ProcessRunner}:
 * scratch directory, inputs file, environment, streaming redaction, log chunks encoded as they
 * would be sent, output check, scratch removal. Prints one JSON line with the medians in
 * milliseconds.
 *
 * <p>Run: {@code ./mvnw -B -q -f worker-service/pom.xml -Pbench test-compile exec:java}
 * (iterations: {@code -Dbench.iterations=300}).
 */
public final class OverheadBenchmark {

  private static final String SCRIPT = "echo ok\n";

  public static void main(String[] args) throws Exception {
    int iterations = Integer.getInteger("bench.iterations", 300);
    int warmup = Integer.getInteger("bench.warmup", 50);
    Path root = Files.createTempDirectory("dp-bench-");
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
    SandboxCommand command = SandboxCommand.standard();
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("benchmark", "worker-overhead");
    report.put("iterations", iterations);
    report.put("modes", new LinkedHashMap<String, Object>());
    List<SandboxMode> modes = new ArrayList<>(List.of(SandboxMode.NONE));
    if (command.bwrapAvailable()) {
      modes.add(SandboxMode.BWRAP);
    }
    boolean root0 = "root".equals(System.getProperty("user.name"));
    for (SandboxMode mode : modes) {
      Integer uid = mode == SandboxMode.BWRAP && root0 ? 61999 : null;
      SandboxCommand.Limits limits = new SandboxCommand.Limits(4L << 30, 512, 1L << 30);
      try (ProcessRunner runner =
          new ProcessRunner(
              new RunnerSettings(
                  command,
                  mode,
                  limits,
                  root.resolve(mode.name().toLowerCase()),
                  "/usr/bin/bash",
                  "/usr/bin/python3",
                  10 << 20,
                  RunnerSettings.DEFAULT_MAX_OUTPUT_BYTES,
                  40))) {
        Path bareScratch = Files.createDirectories(root.resolve("bare-" + mode));
        Files.setPosixFilePermissions(bareScratch, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path script = bareScratch.resolve("script.sh");
        Files.writeString(script, SCRIPT);
        String scriptInside = mode == SandboxMode.BWRAP ? "/job/script.sh" : script.toString();
        List<String> bare =
            command.build(
                new SandboxCommand.Spec(
                    mode,
                    List.of("/usr/bin/bash", "-euo", "pipefail", scriptInside),
                    bareScratch,
                    null,
                    false,
                    uid,
                    limits));
        EventCodec codec = new EventCodec();
        UUID runId = UUID.randomUUID();
        LogPublisher publisher =
            (lines, last) ->
                codec.encode(
                    EventEnvelope.of("worker-service", new LogChunk(runId, runId, 1, lines, last)));
        List<Double> bareMs = new ArrayList<>();
        List<Double> workerMs = new ArrayList<>();
        List<Double> diffMs = new ArrayList<>();
        List<Double> prepMs = new ArrayList<>();
        for (int i = 0; i < warmup + iterations; i++) {
          double b = bareSpawn(bare, bareScratch);
          AttemptSpec spec =
              new AttemptSpec(
                  "bench",
                  "bash",
                  SCRIPT,
                  null,
                  null,
                  Map.of("DP_RUN_ID", runId.toString(), "SECRET", "s3cr3t-value"),
                  Map.of("upstream", Map.of("rows", 1)),
                  false,
                  60_000L,
                  uid,
                  Redactor.of(List.of("s3cr3t-value")));
          long t0 = System.nanoTime();
          ProcessRunner.RunningProcess running = runner.start(spec, publisher);
          long started = System.nanoTime();
          AttemptResult r = running.result().get(30, TimeUnit.SECONDS);
          double w = (System.nanoTime() - t0) / 1e6;
          if (i >= warmup) {
            prepMs.add((started - t0 - r.spawnNanos()) / 1e6);
          }
          if (r.exitCode() == null || r.exitCode() != 0) {
            throw new IllegalStateException("benchmark task failed: " + r);
          }
          if (i >= warmup) {
            bareMs.add(b);
            workerMs.add(w);
            diffMs.add(w - b);
          }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bareSpawnMedianMs", round(median(bareMs)));
        m.put("workerMedianMs", round(median(workerMs)));
        m.put("overheadMedianMs", round(median(workerMs) - median(bareMs)));
        m.put("pairedOverheadMedianMs", round(median(diffMs)));
        m.put("preparationMedianMs", round(median(prepMs)));
        @SuppressWarnings("unchecked")
        Map<String, Object> all = (Map<String, Object>) report.get("modes");
        all.put(mode.name().toLowerCase(), m);
      }
    }
    System.out.println(io.dataplane.common.json.Json.mapper().writeValueAsString(report));
    io.dataplane.worker.support.ServiceStubs.deleteTree(root);
    System.exit(0);
  }

  private static double bareSpawn(List<String> command, Path dir) throws Exception {
    long t0 = System.nanoTime();
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.directory(dir.toFile());
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process p = pb.start();
    try (InputStream out = p.getInputStream();
        InputStream err = p.getErrorStream()) {
      out.transferTo(OutputStream.nullOutputStream());
      err.transferTo(OutputStream.nullOutputStream());
    }
    p.waitFor();
    return (System.nanoTime() - t0) / 1e6;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  private OverheadBenchmark() {}
}
