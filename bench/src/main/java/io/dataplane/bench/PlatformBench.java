package io.dataplane.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Benchmarks of the running platform (started by {@code dev/services up}), driven through the
 * orchestrator's REST API with the local service token:
 *
 * <ul>
 *   <li>{@code chain40-bash}, {@code chain40-python}: 40 sequential tasks; makespan, per-task
 *       overhead = (makespan − Σ task durations) / 40, dispatch latency (ready → started).
 *   <li>{@code fanout1000}: one task, 1,000 parallel no-op tasks, one join; makespan, tasks/s and
 *       the ratio to a bare spawn loop of the same concurrency.
 * </ul>
 *
 * Each run is preceded by a warm-up run and repeated {@code -Druns=5} times; the figures are
 * medians. Also printed: idle and peak RSS of each service, CPU-seconds per 1,000 tasks.
 */
public final class PlatformBench {

  static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();
  static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  final String orchestrator = System.getProperty("orchestrator", "http://127.0.0.1:8081");
  final String token;
  final Path pids;
  final String group = System.getProperty("group", "default");

  PlatformBench(Path root) throws Exception {
    this.pids = root.resolve(".dev/pids");
    String t = null;
    for (String line : Files.readAllLines(root.resolve(".dev/local-secrets.env"))) {
      if (line.startsWith("DATAPLANE_SERVICE_TOKENS_GATEWAY=")) {
        t = line.substring("DATAPLANE_SERVICE_TOKENS_GATEWAY=".length()).split(",")[0];
      }
    }
    this.token = t;
  }

  public static void main(String[] args) throws Exception {
    String name = args[0];
    PlatformBench b = new PlatformBench(Path.of(System.getProperty("root", ".")));
    int runs = Integer.getInteger("runs", 5);
    String def =
        switch (name) {
          case "chain40-bash" -> chain(b.group, "bash", "true");
          case "chain40-python" ->
              chain(
                  b.group,
                  "python",
                  "def fibo(n):\\n    return n if n < 2 else fibo(n - 1) + fibo(n - 2)\\nfibo(10)");
          case "fanout1000" -> fanout(b.group, 1000);
          default -> throw new IllegalArgumentException("unknown benchmark " + name);
        };
    b.run(name, def, runs);
  }

  static String chain(String group, String runtime, String script) {
    StringBuilder y = new StringBuilder("workerGroup: " + group + "\ntasks:\n");
    for (int i = 0; i < 40; i++) {
      y.append("  - key: t")
          .append(String.format("%02d", i))
          .append("\n    runtime: ")
          .append(runtime);
      y.append("\n    script: \"").append(script).append("\"\n");
      if (i > 0) {
        y.append("    dependsOn: [t").append(String.format("%02d", i - 1)).append("]\n");
      }
    }
    return y.toString();
  }

  static String fanout(String group, int n) {
    StringBuilder y = new StringBuilder("workerGroup: " + group + "\ntasks:\n");
    y.append("  - key: start\n    runtime: bash\n    script: \"true\"\n");
    StringBuilder join = new StringBuilder();
    for (int i = 0; i < n; i++) {
      String k = String.format("n%04d", i);
      y.append("  - key: ")
          .append(k)
          .append("\n    runtime: bash\n    script: \"true\"\n    dependsOn: [start]\n");
      join.append(i == 0 ? "" : ", ").append(k);
    }
    y.append("  - key: join\n    runtime: bash\n    script: \"true\"\n    dependsOn: [")
        .append(join)
        .append("]\n");
    return y.toString();
  }

  void run(String name, String definition, int runs) throws Exception {
    String env = "bench";
    call("POST", "/api/v1/environments", "{\"name\":\"" + env + "\"}", "application/json");
    call(
        "POST",
        "/api/v1/environments/" + env + "/worker-groups",
        "{\"name\":\"" + group + "\"}",
        "application/json");
    String pipeline = name.replace("chain40-", "chain-");
    expect(
        call(
            "PUT",
            "/api/v1/environments/" + env + "/pipelines/" + pipeline,
            definition,
            "application/yaml"),
        200,
        201);
    expect(
        call(
            "POST",
            "/api/v1/environments/" + env + "/pipelines/" + pipeline + "/releases",
            "{}",
            "application/json"),
        200,
        201);

    Map<String, Long> idle = rss();
    long cpuBefore = cpuTicks();
    int tasks = 0;
    Map<String, Long> peak = new LinkedHashMap<>(idle);
    AtomicBoolean sampling = new AtomicBoolean(true);
    Thread sampler =
        new Thread(
            () -> {
              while (sampling.get()) {
                rss().forEach((k, v) -> peak.merge(k, v, Math::max));
                try {
                  Thread.sleep(100);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    sampler.setDaemon(true);
    sampler.start();

    one(env, pipeline); // warm-up
    List<double[]> results = new ArrayList<>();
    List<Double> latencies = new ArrayList<>();
    Map<String, List<Double>> hops = new LinkedHashMap<>();
    for (int i = 0; i < runs; i++) {
      JsonNode run = one(env, pipeline);
      tasks += run.path("taskRuns").size();
      double makespan = millis(run.path("startedAt"), run.path("finishedAt"));
      double sum = 0;
      for (JsonNode tr : run.path("taskRuns")) {
        JsonNode last = tr.path("attempts").get(tr.path("attempts").size() - 1);
        sum += millis(last.path("startedAt"), last.path("finishedAt"));
        latencies.add(millis(tr.path("readyAt"), last.path("startedAt")));
      }
      results.add(new double[] {makespan, sum, run.path("taskRuns").size()});
      if (name.startsWith("chain")) {
        hops(run).forEach((k, v) -> hops.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
      }
    }
    sampling.set(false);
    long cpuAfter = cpuTicks();

    Map<String, Object> f = Stats.figures(name);
    f.put("runs", runs);
    double[] makespans = results.stream().mapToDouble(r -> r[0]).toArray();
    double[] overheads = results.stream().mapToDouble(r -> (r[0] - r[1]) / r[2]).toArray();
    double[] lat = latencies.stream().mapToDouble(Double::doubleValue).toArray();
    f.put("makespan_median_s", Stats.round(Stats.percentile(makespans, 50) / 1000, 3));
    if (name.startsWith("chain")) {
      f.put("per_task_overhead_median_ms", Stats.round(Stats.percentile(overheads, 50), 2));
    } else {
      double tps = results.get(0)[2] / (Stats.percentile(makespans, 50) / 1000);
      f.put("tasks_per_s", Stats.round(tps, 1));
      int concurrency = Integer.getInteger("slots", 4);
      double bare = bareSpawnRate(1000, concurrency);
      f.put("bare_spawn_per_s", Stats.round(bare, 1));
      f.put("ratio_to_bare_spawn", Stats.round(tps / bare, 3));
    }
    hops.forEach(
        (k, v) ->
            f.put(
                "hop_" + k + "_p50_ms",
                Stats.round(
                    Stats.percentile(v.stream().mapToDouble(Double::doubleValue).toArray(), 50),
                    2)));
    f.put("dispatch_latency_p50_ms", Stats.round(Stats.percentile(lat, 50), 2));
    f.put("dispatch_latency_p99_ms", Stats.round(Stats.percentile(lat, 99), 2));
    long hz = 100;
    f.put(
        "cpu_s_per_1000_tasks",
        Stats.round((cpuAfter - cpuBefore) / (double) hz / Math.max(1, tasks) * 1000, 2));
    idle.forEach((k, v) -> f.put("rss_idle_mb_" + k, v / 1024));
    peak.forEach((k, v) -> f.put("rss_peak_mb_" + k, v / 1024));
    f.put("rss_idle_mb_total", idle.values().stream().mapToLong(Long::longValue).sum() / 1024);
    Stats.printJson(f);
  }

  /**
   * Where the time between two tasks of a chain goes, from the orchestrator's timestamps: the
   * previous attempt recorded finished (orchestrator's clock, once its AttemptFinished is consumed)
   * → next task ready → dispatched (outbox row written) → claimed (the worker's claim reached the
   * orchestrator: outbox relay, Kafka, share fetch, claim call) → started (worker's clock: after
   * the claim, bundle and secrets, process spawned). The hop from the process's exit to "finished"
   * is inside the task's recorded duration.
   */
  static Map<String, List<Double>> hops(JsonNode run) {
    Map<String, JsonNode> last = new LinkedHashMap<>();
    Map<String, JsonNode> byKey = new LinkedHashMap<>();
    for (JsonNode tr : run.path("taskRuns")) {
      byKey.put(tr.path("taskKey").asText(), tr);
      last.put(
          tr.path("taskKey").asText(), tr.path("attempts").get(tr.path("attempts").size() - 1));
    }
    Map<String, List<Double>> m = new LinkedHashMap<>();
    for (String h :
        List.of(
            "finished_to_ready",
            "ready_to_dispatched",
            "dispatched_to_claimed",
            "claimed_to_started")) {
      m.put(h, new ArrayList<>());
    }
    for (int i = 1; i < 40; i++) {
      JsonNode prev = last.get(String.format("t%02d", i - 1));
      JsonNode a = last.get(String.format("t%02d", i));
      JsonNode tr = byKey.get(String.format("t%02d", i));
      if (prev == null || a == null) {
        continue;
      }
      m.get("finished_to_ready").add(millis(prev.path("finishedAt"), tr.path("readyAt")));
      m.get("ready_to_dispatched").add(millis(tr.path("readyAt"), a.path("dispatchedAt")));
      m.get("dispatched_to_claimed").add(millis(a.path("dispatchedAt"), a.path("claimedAt")));
      m.get("claimed_to_started").add(millis(a.path("claimedAt"), a.path("startedAt")));
    }
    return m;
  }

  static double bareSpawnRate(int n, int concurrency) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    long t0 = System.nanoTime();
    List<Future<?>> fs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      fs.add(
          pool.submit(
              () -> {
                new ProcessBuilder("bash", "-c", "true").start().waitFor();
                return null;
              }));
    }
    for (Future<?> f : fs) {
      f.get();
    }
    pool.shutdown();
    return n / ((System.nanoTime() - t0) / 1e9);
  }

  JsonNode one(String env, String pipeline) throws Exception {
    HttpResponse<String> r =
        call(
            "POST",
            "/api/v1/environments/" + env + "/pipelines/" + pipeline + "/runs",
            "{\"requestId\":\"bench-" + UUID.randomUUID() + "\"}",
            "application/json");
    expect(r, 201);
    String id = JSON.readTree(r.body()).path("id").asText();
    Instant deadline = Instant.now().plus(Duration.ofMinutes(10));
    while (Instant.now().isBefore(deadline)) {
      JsonNode run = JSON.readTree(call("GET", "/api/v1/runs/" + id, null, null).body());
      String state = run.path("state").asText();
      if (state.equals("SUCCEEDED")) {
        return run;
      }
      if (state.equals("FAILED") || state.equals("CANCELLED")) {
        throw new IllegalStateException(
            "benchmark run " + id + " ended " + state + ": " + run.path("error"));
      }
      Thread.sleep(50); // the figures come from the recorded timestamps, not from this loop
    }
    throw new IllegalStateException("benchmark run " + id + " did not finish in 10 minutes");
  }

  HttpResponse<String> call(String method, String path, String body, String type) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(orchestrator + path))
            .header("Authorization", "Bearer " + token)
            .timeout(Duration.ofSeconds(30));
    if (body == null) {
      b.GET();
    } else {
      b.header("Content-Type", type).method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static void expect(HttpResponse<String> r, int... ok) {
    for (int s : ok) {
      if (r.statusCode() == s) {
        return;
      }
    }
    throw new IllegalStateException("HTTP " + r.statusCode() + " " + r.uri() + ": " + r.body());
  }

  static double millis(JsonNode from, JsonNode to) {
    return Duration.between(Instant.parse(from.asText()), Instant.parse(to.asText())).toNanos()
        / 1e6;
  }

  /** RSS in KiB of each service started by dev/services. */
  Map<String, Long> rss() {
    Map<String, Long> m = new LinkedHashMap<>();
    for (String svc : services()) {
      try {
        String pid = Files.readString(pids.resolve(svc + ".pid")).trim();
        for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
          if (line.startsWith("VmRSS:")) {
            m.put(svc.replace("-service", ""), Long.parseLong(line.replaceAll("[^0-9]", "")));
          }
        }
      } catch (Exception e) {
        // not running
      }
    }
    return m;
  }

  long cpuTicks() {
    long sum = 0;
    for (String svc : services()) {
      try {
        String pid = Files.readString(pids.resolve(svc + ".pid")).trim();
        String stat = Files.readString(Path.of("/proc", pid, "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        sum +=
            Long.parseLong(f[11])
                + Long.parseLong(f[12])
                + Long.parseLong(f[13])
                + Long.parseLong(f[14]);
      } catch (Exception e) {
        // not running
      }
    }
    return sum;
  }

  static List<String> services() {
    return List.of(
        "orchestrator-service",
        "scheduler-service",
        "worker-service",
        "secrets-service",
        "filestore-service",
        "gateway-service");
  }
}
